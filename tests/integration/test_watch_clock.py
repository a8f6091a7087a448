"""The watcher's promises over time, without waiting real minutes: a clock that runs 60x
faster proves 'no hammering over 5 minutes' in 5 s; a clock the test can jump proves that the
watcher wakes up after a suspend. Against the real Dovecot, with the counts read from the
server's own log and the proxy's own accept counter."""

from __future__ import annotations

import re
import select
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.tcp_proxy import TcpProxy
from trayapp.core.model import AccountConfig, AccountHealth, HealthState
from trayapp.mail.watcher import AccountWatcher, HealthChanged, WatchTimings, WorkerEvent

pytestmark = pytest.mark.integration


class ScaledClock:
    """Monotonic and wall time both run `speed` times faster than real time; waits shrink."""

    def __init__(self, speed: float) -> None:
        self.speed = speed
        self._m0 = time.monotonic()
        self._w0 = datetime.now(UTC)

    def elapsed(self) -> float:
        return (time.monotonic() - self._m0) * self.speed

    def monotonic(self) -> float:
        return self._m0 + self.elapsed()

    def now(self) -> datetime:
        return (self._w0 + timedelta(seconds=self.elapsed())).astimezone()

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(max(0.0, seconds) / self.speed)

    def select(self, readable: Sequence[Any], seconds: float) -> list[Any]:
        return select.select(list(readable), [], [], max(0.0, seconds) / self.speed)[0]


class JumpingClock:
    """Real time, except that the test can move the wall clock (a suspend: the monotonic
    clock stands still while the wall clock goes on)."""

    def __init__(self) -> None:
        self.offset = timedelta(0)

    def sleep_for(self, seconds: float) -> None:
        self.offset += timedelta(seconds=seconds)

    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return (datetime.now(UTC) + self.offset).astimezone()

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(max(0.0, seconds))

    def select(self, readable: Sequence[Any], seconds: float) -> list[Any]:
        return select.select(list(readable), [], [], max(0.0, seconds))[0]


class Health:
    def __init__(self) -> None:
        self.history: list[AccountHealth] = []
        self.cond = threading.Condition()

    def __call__(self, event: WorkerEvent) -> None:
        if isinstance(event, HealthChanged):
            with self.cond:
                self.history.append(event.health)
                self.cond.notify_all()

    def wait_for(self, state: HealthState, timeout: float) -> AccountHealth:
        deadline = time.monotonic() + timeout
        with self.cond:
            while not (self.history and self.history[-1].state is state):
                left = deadline - time.monotonic()
                if left <= 0:
                    raise AssertionError(f"not {state.value} after {timeout}s: {self.history}")
                self.cond.wait(left)
            return self.history[-1]


@pytest.fixture
def watchers() -> Iterator[Callable[..., tuple[AccountWatcher, Health]]]:
    made: list[AccountWatcher] = []

    def make(
        account: AccountConfig, password: str, timings: WatchTimings, clock: Any
    ) -> tuple[AccountWatcher, Health]:
        health = Health()
        watcher = AccountWatcher(account, lambda a: password, health, timings=timings, clock=clock)
        made.append(watcher)
        watcher.start()
        return watcher, health

    yield make
    for watcher in made:
        assert watcher.stop(2.0)


def auth_failures(server: DovecotServer, user: DovecotUser) -> int:
    pattern = re.compile(rf"auth failed.*user=<{re.escape(user.username)}>", re.IGNORECASE)
    text = server.log_path.read_text(errors="replace")
    return sum(1 for line in text.splitlines() if pattern.search(line))


def test_wrong_password_over_five_minutes_is_one_login_attempt(
    dovecot: DovecotServer, watchers: Callable[..., tuple[AccountWatcher, Health]]
) -> None:
    user = dovecot.add_user()
    clock = ScaledClock(speed=60.0)
    watcher, health = watchers(dovecot.account(user), "wrong", WatchTimings(), clock)
    health.wait_for(HealthState.ERROR, 30)
    while clock.elapsed() < 5 * 60:  # five minutes on the watcher's clock
        time.sleep(0.2)
    assert auth_failures(dovecot, user) == 1
    assert watcher.connects == 1
    assert all(h.state is not HealthState.RETRYING for h in health.history)


def test_unreachable_server_over_five_minutes_is_a_handful_of_attempts(
    dovecot: DovecotServer, watchers: Callable[..., tuple[AccountWatcher, Health]]
) -> None:
    user = dovecot.add_user()
    proxy = TcpProxy(dovecot.host, dovecot.imaps_port)
    try:
        # Accepts and hangs up at once (mid-TLS-handshake): retried, not taken for a
        # certificate problem -- but with backoff.
        proxy.refuse(True)
        clock = ScaledClock(speed=60.0)
        account = dovecot.account(user, imap_host="127.0.0.1", imap_port=proxy.port)
        _, health = watchers(account, user.password, WatchTimings(), clock)
        health.wait_for(HealthState.RETRYING, 30)
        while clock.elapsed() < 5 * 60:
            time.sleep(0.2)
        attempts = proxy.accepted
        # 1 s doubling with +-20 % jitter: 8 or 9 attempts fit into 5 minutes.
        assert 5 <= attempts <= 10, attempts
        delays = [
            (h.next_try_at - h.since).total_seconds()
            for h in health.history
            if h.state is HealthState.RETRYING and h.next_try_at and h.since
        ]
        assert max(delays) <= 300.0
        assert all(h.state is not HealthState.ERROR for h in health.history)
        # Then the server is back: the next try connects.
        proxy.refuse(False)
        health.wait_for(HealthState.CONNECTED, 30)
    finally:
        proxy.close()


def test_a_suspend_while_connected_is_noticed_at_once(
    dovecot: DovecotServer, watchers: Callable[..., tuple[AccountWatcher, Health]]
) -> None:
    user = dovecot.add_user()
    proxy = TcpProxy(dovecot.host, dovecot.imaps_port)
    try:
        clock = JumpingClock()
        # A keepalive far longer than the test: only the jump can make the watcher look.
        timings = WatchTimings(keepalive=600, response_timeout=1.0, wake_slice=0.3)
        account = dovecot.account(user, imap_host="127.0.0.1", imap_port=proxy.port)
        _, health = watchers(account, user.password, timings, clock)
        health.wait_for(HealthState.CONNECTED, 30)
        proxy.freeze()  # the laptop slept; the server forgot the connection meanwhile
        time.sleep(1.5)
        assert health.history[-1].state is HealthState.CONNECTED  # nothing noticed yet
        woke = time.monotonic()
        clock.sleep_for(3600)
        health.wait_for(HealthState.RETRYING, 5)
        assert time.monotonic() - woke < 2.5
        proxy.thaw()
        health.wait_for(HealthState.CONNECTED, 30)
    finally:
        proxy.close()


def test_a_suspend_during_a_backoff_wait_retries_at_once(
    dovecot: DovecotServer, watchers: Callable[..., tuple[AccountWatcher, Health]]
) -> None:
    user = dovecot.add_user()
    proxy = TcpProxy(dovecot.host, dovecot.imaps_port)
    try:
        proxy.refuse(True)
        clock = JumpingClock()
        # First retry only after ~60 s: only the wake-up can make it sooner.
        timings = WatchTimings(backoff_base=60, backoff_cap=300, wake_slice=0.3)
        account = dovecot.account(user, imap_host="127.0.0.1", imap_port=proxy.port)
        _, health = watchers(account, user.password, timings, clock)
        health.wait_for(HealthState.RETRYING, 30)
        proxy.refuse(False)  # the network came back while the lid was closed
        woke = time.monotonic()
        clock.sleep_for(2 * 3600)
        health.wait_for(HealthState.CONNECTED, 30)
        assert time.monotonic() - woke < 5
    finally:
        proxy.close()


def test_retry_now_leaves_error_at_once(
    dovecot: DovecotServer, watchers: Callable[..., tuple[AccountWatcher, Health]]
) -> None:
    user = dovecot.add_user()
    password = {"value": "wrong"}
    health = Health()
    watcher = AccountWatcher(
        dovecot.account(user), lambda a: password["value"], health, timings=WatchTimings()
    )
    watcher.start()
    try:
        health.wait_for(HealthState.ERROR, 30)
        password["value"] = user.password
        watcher.retry_now()
        health.wait_for(HealthState.CONNECTED, 30)
        assert auth_failures(dovecot, user) == 1
    finally:
        assert watcher.stop(2.0)
