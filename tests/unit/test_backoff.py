"""The watcher's pure parts: reconnect backoff, sleep/clock-jump detection, push parsing."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from trayapp.mail.watcher import JumpDetector, WatchTimings, _mailbox_changed, backoff_delay


def test_backoff_doubles_from_one_second_to_the_five_minute_cap_without_jitter() -> None:
    middle = lambda: 0.5  # noqa: E731 -- jitter term is zero at the middle of [0, 1)
    delays = [backoff_delay(n, middle) for n in range(12)]
    assert delays[:9] == [1, 2, 4, 8, 16, 32, 64, 128, 256]
    assert delays[9:] == [300, 300, 300]


@pytest.mark.parametrize("attempt", range(0, 40))
@pytest.mark.parametrize("r", [0.0, 0.25, 0.5, 0.75, 0.999999])
def test_backoff_stays_within_base_and_cap_and_twenty_percent(attempt: int, r: float) -> None:
    delay = backoff_delay(attempt, lambda: r)
    assert 1.0 <= delay <= 300.0
    nominal = min(300.0, 2.0**attempt)
    assert nominal * 0.8 - 1e-9 <= delay <= nominal * 1.2 + 1e-9


def test_backoff_jitter_spreads_clients_apart() -> None:
    low, high = backoff_delay(5, lambda: 0.0), backoff_delay(5, lambda: 0.999)
    assert low == pytest.approx(32 * 0.8)
    assert high == pytest.approx(32 * 1.2, rel=1e-3)


def test_backoff_survives_huge_attempt_counts_and_rejects_negative() -> None:
    assert backoff_delay(10_000, lambda: 0.5) == 300.0
    with pytest.raises(ValueError):
        backoff_delay(-1)


def test_backoff_total_over_five_minutes_is_a_handful_of_attempts() -> None:
    # Worst case (shortest jitter): how many attempts fit into five minutes of a dead server.
    elapsed, attempts = 0.0, 1
    while True:
        elapsed += backoff_delay(attempts - 1, lambda: 0.0)
        if elapsed > 300:
            break
        attempts += 1
    assert attempts <= 10


def test_product_timings_notice_a_silent_connection_within_sixty_seconds() -> None:
    t = WatchTimings()
    assert t.liveness_bound <= 60.0
    assert t.idle_max <= 29 * 60  # RFC 2177
    assert t.sent_interval <= 300 and t.poll_interval <= 120
    assert (t.backoff_base, t.backoff_cap) == (1.0, 300.0)


class FakeClock:
    def __init__(self) -> None:
        self.mono = 1000.0
        self.wall = datetime(2024, 5, 1, 9, 0, tzinfo=UTC)

    def monotonic(self) -> float:
        return self.mono

    def now(self) -> datetime:
        return self.wall

    def advance(self, seconds: float, *, asleep: bool = False) -> None:
        # During suspend the monotonic clock stands still; the wall clock does not.
        if not asleep:
            self.mono += seconds
        self.wall += timedelta(seconds=seconds)

    def wait(self, event: threading.Event, seconds: float) -> bool:
        raise NotImplementedError

    def select(self, readable: Sequence[Any], seconds: float) -> list[Any]:
        raise NotImplementedError


def test_jump_detector_ignores_normal_time_and_notices_sleep_and_clock_changes() -> None:
    clock = FakeClock()
    jumps = JumpDetector(clock, threshold=10.0)
    clock.advance(45)
    assert jumps.check() == 0.0
    clock.advance(3600, asleep=True)  # laptop lid closed for an hour
    assert jumps.check() == pytest.approx(3600)
    assert jumps.check() == 0.0  # reported once
    clock.wall -= timedelta(hours=2)  # the user (or NTP) set the clock back
    assert jumps.check() == pytest.approx(-7200)
    clock.advance(5)
    clock.wall += timedelta(seconds=4)  # small NTP slews are no jump
    assert jumps.check() == 0.0


def test_idle_pushes_that_mean_a_change() -> None:
    assert _mailbox_changed([(3, b"EXISTS")])
    assert _mailbox_changed([(2, b"EXPUNGE")])
    assert _mailbox_changed([(1, b"FETCH", (b"FLAGS", (b"\\Answered",)))])
    assert not _mailbox_changed([(b"OK", b"Still here")])
    assert not _mailbox_changed([])
