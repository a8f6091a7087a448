"""One account, watched live: a plain thread holding one IMAP connection in IDLE on INBOX.

No Qt here. The worker reports through one callback (`emit`) with two kinds of event:
`HealthChanged` (connecting / connected / retrying / error) and `MailboxChanged` (what the
account's INBOX and Sent hold now, for core.pending to decide with). The callback runs on the
worker's thread; the receiver (mail.service.WatchService) hands it on.

How it stays true:
- IDLE on INBOX, EXAMINE only (read-only) and BODY.PEEK only: looking never changes the mailbox.
- Any server push ends IDLE (DONE), then an incremental sync: UID SEARCH SINCE <look-back> finds
  new and vanished messages (headers fetched for new UIDs only), and flags come from
  FETCH CHANGEDSINCE <modseq> when the server has CONDSTORE, or FETCH FLAGS of the known UIDs
  otherwise. UIDVALIDITY changing means a full rescan.
- Sent is re-checked after every INBOX change and every `sent_interval` on the same connection:
  STATUS Sent (UIDNEXT UIDVALIDITY) costs one round trip without leaving INBOX; only when Sent
  grew does the worker EXAMINE Sent, fetch the new messages' ids and EXAMINE INBOX again.
  One connection per account instead of two: providers cap connections per user (Gmail 15,
  some hosts fewer), and a reply from another device nearly always also sets \\Answered on the
  inquiry, which INBOX's IDLE pushes at once; Sent's own check is the backstop.
- Liveness: imapclient's idle_check takes a dead socket for silence, so the worker never relies
  on it. It waits on the socket itself and, every `keepalive` seconds, ends IDLE: the server's
  answer to DONE must arrive within `response_timeout` (the socket's read timeout), or the
  connection is dead. keepalive 45 s + timeout 15 s: a half-open connection is noticed within
  60 s. An EOF (peer closed) wakes the wait at once and fails on DONE.
- Reconnect with exponential backoff and jitter (1 s doubling to a 5 min cap). A connection
  that stayed up for `stable_after` resets the backoff.
- Sleep and clock jumps: waits are cut into slices of at most `wake_slice`; when the wall clock
  moved more than the monotonic clock between two looks (the machine slept, or the clock was
  set), the worker probes the connection at once, or retries at once when it was waiting.
- Permanent errors (wrong password, certificate) put the account in `error (reason)` and the
  worker waits, without any retry, until `retry_now()` or the account's settings change.
- `stop()` sets an event and writes to a wake-up socket the waits listen on; a worker stuck in
  a blocking read is unblocked by shutting its socket down. Joins within a second or two.
"""

from __future__ import annotations

import contextlib
import functools
import imaplib
import logging
import random
import select
import socket
import ssl
import threading
import time
from collections import Counter
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date, datetime, timedelta
from typing import Any, Protocol

from imapclient import IMAPClient
from imapclient.exceptions import IMAPClientError

from trayapp.clock import now as clock_now
from trayapp.core.dismissed_ids import ItemIds, SetAsideIds, SetAsideTable, message_key
from trayapp.core.model import (
    AccountConfig,
    AccountHealth,
    HealthState,
    MessageFacts,
    MessageHeaders,
)
from trayapp.core.pending import lookback_start, replied_message_ids, waiting_messages
from trayapp.mail.errors import MailError, describe
from trayapp.mail.imap import find_sent_folder
from trayapp.mail.preview import fetch_previews
from trayapp.mail.scan import (
    FolderState,
    examine,
    fetch_facts,
    fetch_sent_headers,
    message_flags,
    scan_account,
    scan_folder,
    scan_sent,
    search_since_date,
)
from trayapp.mail.transport import (
    ConnectionGuard,
    ServerLimits,
    deadline,
    end_idle,
    fetch_each,
    guard_of,
    pending_changes,
    take_changes,
)

log = logging.getLogger(__name__)

INBOX = "INBOX"

# --------------------------------------------------------------------------- timings


@dataclass(frozen=True)
class WatchTimings:
    """Every interval of the watcher, in seconds. The defaults are the product's promises;
    tests shorten them (and `ippo watch` exposes the two that matter for the network)."""

    keepalive: float = 45.0  # end IDLE and prove the connection alive this often
    response_timeout: float = 15.0  # socket read timeout: keepalive + this <= 60 s
    idle_max: float = 25 * 60.0  # re-issue IDLE at least this often (RFC 2177: < 29 min)
    poll_interval: float = 120.0  # full check when the server has no IDLE
    sent_interval: float = 300.0  # re-check Sent at least this often
    backoff_base: float = 1.0
    backoff_cap: float = 300.0
    stable_after: float = 60.0  # a connection up this long resets the backoff
    jump_threshold: float = 10.0  # wall minus monotonic drift that means sleep or a clock jump
    wake_slice: float = 10.0  # longest single wait, so a sleep or jump is noticed soon after
    push_settle: float = 1.0  # at most one IDLE round per this long when a server floods
    # Overall deadlines and size caps per operation (mail.transport); config.json can set them.
    limits: ServerLimits = field(default_factory=ServerLimits)
    use_idle: bool = True  # False: poll even where IDLE is offered (tests of the poll path)
    use_condstore: bool = True  # False: FETCH FLAGS of every known UID (tests of the fallback)
    # An account waiting for a new OAuth sign-in looks this often whether one was made
    # elsewhere (`ippo account reauth`, the tray app): a keyring read, no server contacted.
    signin_recheck: float = 30.0

    @property
    def liveness_bound(self) -> float:
        """Worst case between a connection dying silently and the worker noticing it."""
        return self.keepalive + self.response_timeout


# --------------------------------------------------------------------------- backoff


def backoff_delay(
    attempt: int,
    rng: Callable[[], float] = random.random,
    *,
    base: float = 1.0,
    cap: float = 300.0,
    jitter: float = 0.2,
) -> float:
    """Seconds to wait before retry number `attempt` (0 = the first retry).

    Doubles from `base` to `cap`; each delay is spread by +-`jitter` so that many clients (or
    many accounts on one server) that lost the network together do not return in lockstep.
    Never below `base`, never above `cap`. Pure: `rng` returns a float in [0, 1).
    """
    if attempt < 0:
        raise ValueError("attempt must be >= 0")
    nominal = min(cap, base * 2.0 ** min(attempt, 64))
    spread = nominal * (1.0 + jitter * (2.0 * rng() - 1.0))
    return max(base, min(cap, spread))


# --------------------------------------------------------------------------- clocks


class Clock(Protocol):
    """Time for the worker. The system clock in the product; tests pass a faster one."""

    def monotonic(self) -> float: ...

    def now(self) -> datetime: ...  # timezone-aware

    def wait(self, event: threading.Event, seconds: float) -> bool: ...

    def select(self, readable: Sequence[Any], seconds: float) -> list[Any]: ...


class SystemClock:
    def monotonic(self) -> float:
        return time.monotonic()

    def now(self) -> datetime:
        return clock_now()

    def wait(self, event: threading.Event, seconds: float) -> bool:
        return event.wait(max(0.0, seconds))

    def select(self, readable: Sequence[Any], seconds: float) -> list[Any]:
        ready, _, _ = select.select(list(readable), [], [], max(0.0, seconds))
        return ready


SYSTEM_CLOCK = SystemClock()


class JumpDetector:
    """Notices that the machine slept or the wall clock was set: between two looks, the wall
    clock moved by more (or less) than the monotonic clock, which stops during suspend."""

    def __init__(self, clock: Clock, threshold: float) -> None:
        self._clock = clock
        self._threshold = threshold
        self._mono = clock.monotonic()
        self._wall = clock.now()

    def check(self) -> float:
        """The drift in seconds since the last check when it exceeds the threshold, else 0."""
        mono, wall = self._clock.monotonic(), self._clock.now()
        drift = (wall - self._wall).total_seconds() - (mono - self._mono)
        self._mono, self._wall = mono, wall
        return drift if abs(drift) > self._threshold else 0.0


# --------------------------------------------------------------------------- events


@dataclass(frozen=True)
class HealthChanged:
    account: str
    health: AccountHealth


@dataclass(frozen=True)
class MailboxChanged:
    """Everything the worker knows about the account's mail now (a full picture, not a diff,
    so a receiver that missed one event is still right after the next)."""

    account: str
    inbox: tuple[MessageFacts, ...]  # INBOX messages within the look-back
    sent: tuple[MessageHeaders, ...]  # Sent messages' ids (for answers and kept promises)
    replied_ids: frozenset[str]
    uidvalidity: int | None
    uidnext: int | None
    highestmodseq: int | None
    at: datetime
    full_scan: bool = False  # True after a (re)connect's full scan
    # Plain-text previews of the waiting messages, by item id (core.pending.item_id).
    previews: Mapping[str, str] = field(default_factory=dict)
    # INBOX messages the user dismissed that the server still holds within the look-back but
    # the worker does not keep (not in `inbox`): item id -> message_key of its Message-ID.
    set_aside: SetAsideIds = field(default_factory=SetAsideIds)


WorkerEvent = HealthChanged | MailboxChanged
Emit = Callable[[WorkerEvent], None]
PasswordSource = Callable[[AccountConfig], str]


class Connector(Protocol):
    def __call__(self, account: AccountConfig, password: str, *, timeout: float) -> IMAPClient: ...


# --------------------------------------------------------------------------- mailbox state


@dataclass
class _MailState:
    """What one connection learned; rebuilt from a full scan on every (re)connect."""

    inbox: dict[int, MessageFacts] = field(default_factory=dict)  # INBOX by UID
    inbox_state: FolderState | None = None  # INBOX's last EXAMINE
    uidvalidity: int | None = None
    uidnext: int | None = None
    modseq: int | None = None  # flags are known up to this MODSEQ (CONDSTORE only)
    next_modseq: int | None = None
    condstore: bool = False
    sent_folder: str | None = None
    sent_uidvalidity: int | None = None
    sent_uidnext: int | None = None
    sent: list[MessageHeaders] = field(default_factory=list)
    # Watched folders besides INBOX (AccountConfig.folders), rechecked with Sent.
    other_states: dict[str, FolderState] = field(default_factory=dict)
    others: list[MessageFacts] = field(default_factory=list)
    # INBOX messages the user dismissed, not kept in memory: UID -> (item id, message_key).
    # Fetched again when the dismissal is undone or another message shares the Message-ID.
    set_aside: SetAsideTable = field(default_factory=SetAsideTable)


class _Stopping(Exception):
    """Raised inside the worker when stop() was asked."""


class _Renewing(Exception):
    """The session's OAuth access token is about to expire: leave and log in again with a
    fresh one at once (providers end a session whose token expired). Not a failure: the
    health stays as it is."""


def _renew_deadline(password: str, clock: Clock) -> float | None:
    """The monotonic moment to renew the session of an OAuth login (None for a password)."""
    renew_after = getattr(password, "renew_after", None)
    if not isinstance(renew_after, datetime):
        return None
    # At least a second: a provider handing out near-expired tokens must not make a busy loop.
    return clock.monotonic() + max(1.0, (renew_after - clock.now()).total_seconds())


class _Transient(Exception):
    """A failure worth retrying (the network, the server going away)."""

    def __init__(self, reason: str, connected_at: float | None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.connected_at = connected_at  # monotonic moment the session was up, if it was


# Everything that means "this connection is gone or unusable": retry with backoff.
_CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,  # socket errors, timeouts, ssl.SSLError
    imaplib.IMAP4.error,  # includes abort (EOF, BYE) and readonly
    IMAPClientError,
    EOFError,
)


def _ids_text(ids: Iterable[bytes | str]) -> str:
    return " ".join(i.decode() if isinstance(i, bytes) else i for i in ids)


# --------------------------------------------------------------------------- the worker


class AccountWatcher:
    """Watches one account on its own daemon thread until stop().

    `password` is asked on every connect (so a changed keyring entry is picked up); raising
    MailError(permanent=True) there puts the account in error like a failed login would.
    """

    def __init__(
        self,
        account: AccountConfig,
        password: PasswordSource,
        emit: Emit,
        *,
        connect: Connector | None = None,
        timings: WatchTimings | None = None,
        clock: Clock | None = None,
        rng: Callable[[], float] = random.random,
    ) -> None:
        self.account = account
        self._password = password
        self._emit = emit
        self.timings = timings or WatchTimings()
        if connect is None:
            from trayapp.mail.imap import connect as imap_connect

            connect = functools.partial(
                imap_connect, limits=self.timings.limits, register=self._connecting
            )
        self._connect = connect
        self._clock: Clock = clock or SYSTEM_CLOCK
        self._rng = rng
        self._stop = threading.Event()
        self._retry = threading.Event()
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._wake_w.setblocking(False)
        self._sock_lock = threading.Lock()
        self._sock: socket.socket | None = None
        self._guard: ConnectionGuard | None = None  # the connection being made, if any
        self._health = AccountHealth(HealthState.CONNECTING, since=self._clock.now())
        self._thread = threading.Thread(
            target=self._run, name=f"ippo-watch-{account.name}", daemon=True
        )
        self.connects = 0  # connection attempts so far (for tests and the benchmark)
        # Previews by item id, fetched once per run (kept across reconnects).
        self._previews: dict[str, str] = {}
        # The user's dismissals on this account (item ids), from set_dismissed.
        self._dismissed = ItemIds()
        self._dismissed_changed = threading.Event()
        # Item ids of MailboxChanged.set_aside as last published (replaced, never changed).
        self._set_aside_ids = ItemIds()

    # ---- control (any thread)

    @property
    def health(self) -> AccountHealth:
        return self._health

    @property
    def set_aside_ids(self) -> ItemIds:
        """The dismissed messages the last published picture says are set aside: still on the
        server, not kept here (any thread; read-only, for tests and diagnostics)."""
        return self._set_aside_ids

    def start(self) -> None:
        self._thread.start()

    def stop(self, timeout: float = 2.0) -> bool:
        """Stop and join; True when the thread ended within `timeout`."""
        self._stop.set()
        self._poke()
        if not self._thread.is_alive():
            self._close_wake()
            return True
        self._thread.join(min(0.5, timeout))
        if self._thread.is_alive():
            # Stuck in a blocking read (a frozen link): cut the socket under it.
            with self._sock_lock:
                sock, guard = self._sock, self._guard
            if guard is not None:  # still connecting (a stalled handshake or login)
                guard.cut()
            if sock is not None:
                with contextlib.suppress(OSError):
                    sock.shutdown(socket.SHUT_RDWR)
            self._thread.join(max(0.0, timeout - 0.5))
        ended = not self._thread.is_alive()
        if ended:
            self._close_wake()
        return ended

    def retry_now(self) -> None:
        """Try again at once: leaves `error` and skips a backoff wait (the user asked)."""
        self._retry.set()
        self._poke()

    def set_dismissed(self, item_ids: Collection[str]) -> None:
        """The user's dismissals on this account (any thread). Dismissed messages and their
        previews are not kept (state stays bounded however much is dismissed); an undone
        dismissal brings its message back from the server."""
        ids = item_ids if isinstance(item_ids, ItemIds) else ItemIds(item_ids)
        if ids == self._dismissed:
            return
        self._dismissed = ids
        self._dismissed_changed.set()
        self._poke()

    def _poke(self) -> None:
        with contextlib.suppress(OSError):
            self._wake_w.send(b"!")

    def _close_wake(self) -> None:
        for s in (self._wake_r, self._wake_w):
            with contextlib.suppress(OSError):
                s.close()

    def _drain_wake(self) -> None:
        with contextlib.suppress(OSError):
            while self._wake_r.recv(512):
                pass

    def _connecting(self, guard: ConnectionGuard) -> None:
        with self._sock_lock:
            self._guard = guard
        if self._stop.is_set():
            guard.cut()

    # ---- reporting

    def _set_health(
        self, state: HealthState, reason: str = "", next_try_at: datetime | None = None
    ) -> None:
        current = self._health
        if (
            current.state is state
            and current.reason == reason
            and current.next_try_at == next_try_at
        ):
            return
        since = current.since if current.state is state and current.since else self._clock.now()
        self._health = AccountHealth(state, reason, next_try_at, since)
        log.info("%s: %s", self.account.name, self._health.describe())
        self._emit(HealthChanged(self.account.name, self._health))

    def _publish(self, st: _MailState, *, full_scan: bool = False) -> None:
        sent = tuple(st.sent)
        set_aside = st.set_aside.picture()
        self._emit(
            MailboxChanged(
                account=self.account.name,
                inbox=(*st.inbox.values(), *st.others),
                sent=sent,
                replied_ids=replied_message_ids(sent),
                uidvalidity=st.uidvalidity,
                uidnext=st.uidnext,
                highestmodseq=st.modseq,
                at=self._clock.now(),
                full_scan=full_scan,
                previews=dict(self._previews),
                set_aside=set_aside,
            )
        )
        self._set_aside_ids = set_aside.ids()  # after the event: it is on its way

    def _publish_with_previews(
        self, client: IMAPClient, st: _MailState, *, full_scan: bool = False
    ) -> None:
        """Fetch the previews INBOX's waiting messages lack (INBOX is the open folder), then
        publish. A fetch may swallow news that came meanwhile, so INBOX is looked at again
        after one (a few rounds at most)."""
        for _ in range(3):
            if not self._fetch_previews(client, st, INBOX) or not self._sync_inbox(client, st):
                break
        self._publish(st, full_scan=full_scan)

    def _missing_previews(self, st: _MailState, folder: str) -> dict[int, str]:
        """Item ids by UID of the waiting messages in `folder` that have no preview yet.
        Waiting as core.pending sees it without the user's dismissals (a superset of what the
        list shows); the cache is trimmed to waiting items on the way."""
        waiting = list(
            waiting_messages(
                self.account,
                (*st.inbox.values(), *st.others),
                replied_message_ids(st.sent),
                self._clock.now(),
            )
        )
        ids = {ident for _facts, ident in waiting}
        for gone in [k for k in self._previews if k not in ids]:
            del self._previews[gone]
        return {
            facts.uid: ident
            for facts, ident in waiting
            if facts.folder == folder and ident not in self._previews
        }

    def _fetch_previews(self, client: IMAPClient, st: _MailState, folder: str) -> bool:
        """Fetch the missing previews of `folder`, which must be the open one. True when any
        was fetched."""
        missing = self._missing_previews(st, folder)
        if not missing:
            return False
        found = fetch_previews(client, sorted(missing))
        for uid, ident in missing.items():
            self._previews[ident] = found.get(uid, "")  # once per run, even when empty
        return True

    # ---- the thread

    def _run(self) -> None:
        attempt = 0
        permanent: str | None = None
        permanent_kind = ""
        renewing = False
        try:
            while not self._stop.is_set():
                if permanent is not None:
                    self._set_health(HealthState.ERROR, permanent)
                    recheck = self.timings.signin_recheck if permanent_kind == "signin" else None
                    if not self._wait_for_retry(recheck):
                        return
                    if (
                        recheck is not None
                        and not self._retry.is_set()
                        and not self._signed_in_again()
                    ):
                        continue
                    permanent = None
                    attempt = 0
                self._retry.clear()
                if not renewing:
                    self._set_health(HealthState.CONNECTING)
                renewing = False
                connected_at: float | None = None
                reason = ""
                try:
                    connected_at = self._session()
                    return  # _session returns only when stopping
                except _Stopping:
                    return
                except _Renewing:
                    renewing = True
                    attempt = 0
                    continue
                except MailError as error:
                    if error.permanent:
                        permanent = str(error) or describe(error)
                        permanent_kind = error.kind
                        continue
                    reason = str(error) or describe(error)
                except _Transient as error:
                    reason = error.reason
                    connected_at = error.connected_at
                except _CONNECTION_ERRORS as error:
                    reason = _describe(error)
                if self._stop.is_set():
                    return
                if connected_at is not None and (
                    self._clock.monotonic() - connected_at >= self.timings.stable_after
                ):
                    attempt = 0
                delay = backoff_delay(
                    attempt,
                    self._rng,
                    base=self.timings.backoff_base,
                    cap=self.timings.backoff_cap,
                )
                attempt += 1
                next_try = self._clock.now() + timedelta(seconds=delay)
                self._set_health(HealthState.RETRYING, reason, next_try)
                if not self._wait_for_retry(delay):
                    return
                if self._retry.is_set():
                    attempt = 0
        except Exception as error:  # a bug must not kill the account silently
            log.exception("%s: watcher failed", self.account.name)
            self._set_health(HealthState.ERROR, f"internal error: {_describe(error)}")
        finally:
            with self._sock_lock:
                self._sock = None

    def _signed_in_again(self) -> bool:
        """Whether a new sign-in is there (the credential lookup succeeds now)."""
        try:
            self._password(self.account)
        except MailError:
            return False
        log.info("%s: signed in again; reconnecting", self.account.name)
        return True

    def _wait_for_retry(self, seconds: float | None) -> bool:
        """Wait `seconds` (None: until asked), cut short by retry_now(), a sleep/clock jump or
        stop(). False when stopping."""
        jumps = JumpDetector(self._clock, self.timings.jump_threshold)
        deadline_mono = None if seconds is None else self._clock.monotonic() + seconds
        deadline_wall = None if seconds is None else self._clock.now() + timedelta(seconds=seconds)
        while not self._stop.is_set():
            if self._retry.is_set():
                return True
            if deadline_mono is not None and deadline_wall is not None:
                left = min(
                    deadline_mono - self._clock.monotonic(),
                    (deadline_wall - self._clock.now()).total_seconds(),
                )
                if left <= 0:
                    return True
            else:
                left = self.timings.wake_slice
            self._clock.select([self._wake_r], min(left, self.timings.wake_slice))
            self._drain_wake()
            if seconds is not None and jumps.check():
                log.info("%s: clock jump or wake-up; retrying now", self.account.name)
                return not self._stop.is_set()
        return False

    # ---- one connection

    def _session(self) -> float:
        """Connect, scan, then watch until stop (returns) or failure (raises _Transient with
        the moment it was connected, or a connection error)."""
        password = self._password(self.account)
        renew_at = _renew_deadline(password, self._clock)
        self.connects += 1
        client = self._connect(self.account, password, timeout=self.timings.response_timeout)
        guard = guard_of(client)
        if guard is not None:  # a connector of its own (a test's) made it with the defaults
            guard.limits = self.timings.limits
        connected_at: float | None = None
        try:
            sock = client.socket()
            with self._sock_lock:
                self._sock = sock
            if self._stop.is_set():
                raise _Stopping
            with deadline(client, "scan", "finish the first scan"):
                st = self._full_scan(client)
            connected_at = self._clock.monotonic()
            self._publish_with_previews(client, st, full_scan=True)
            if self.timings.use_idle and client.has_capability("IDLE"):
                self._idle_loop(client, st, renew_at)
            else:
                self._poll_loop(client, st, renew_at)
            return connected_at
        except (_Stopping, _Renewing):
            self._goodbye(client, idling=False)
            raise
        except _CONNECTION_ERRORS as error:
            raise _Transient(_describe(error), connected_at) from error
        except MailError:
            raise
        except Exception as error:
            # A reply the client library cannot make sense of (hostile or broken server data
            # outside a message fetch): this connection is out of step, the account is not
            # lost. Retried with backoff like a dropped connection, and logged in full.
            log.exception("%s: unexpected reply from the server", self.account.name)
            raise _Transient(f"unexpected reply ({_describe(error)})", connected_at) from error
        finally:
            with self._sock_lock:
                self._sock = None
            with contextlib.suppress(Exception):
                client.shutdown()

    def _goodbye(self, client: IMAPClient, *, idling: bool) -> None:
        """Leave politely when the link is alive, without waiting long when it is not."""
        with contextlib.suppress(Exception):
            client.socket().settimeout(0.3)
            if idling:
                client.idle_done()
            client.logout()

    # ---- IDLE

    def _idle_loop(self, client: IMAPClient, st: _MailState, renew_at: float | None = None) -> None:
        t = self.timings
        jumps = JumpDetector(self._clock, t.jump_threshold)
        last_sent_check = last_round_end = self._clock.monotonic()
        while True:
            idling = not pending_changes(client)
            why = ""
            if not idling:
                # News came with the last round's commands (an EXISTS beside a FETCH or a
                # STATUS answer): IDLE reports only what happens after it starts, so this news
                # would wait for the next keepalive. A round now instead, after the settle time.
                why = "push"
                self._settle(client, last_round_end)
            else:
                with deadline(client, "round", "start IDLE"):
                    client.idle()
                # Covered from the moment the server pushes to us, not before.
                self._set_health(HealthState.CONNECTED)
            idle_started = self._clock.monotonic()
            sock = client.socket()
            while not why:
                now = self._clock.monotonic()
                due = min(
                    idle_started + t.keepalive,
                    idle_started + t.idle_max,
                    last_sent_check + t.sent_interval,
                    renew_at if renew_at is not None else float("inf"),
                )
                if renew_at is not None and now >= renew_at:
                    why = "renew"
                    break
                if now >= due:
                    why = "sent" if now >= last_sent_check + t.sent_interval else "keepalive"
                    break
                # A push right after a round waits for the settle time: a server flooding
                # EXISTS gets one round per push_settle, not a busy loop.
                settled = now >= last_round_end + t.push_settle
                if settled and _has_buffered_input(client):
                    why = "push"
                    break
                if settled and self._dismissed_changed.is_set():
                    why = "dismissed"
                    break
                listen = [sock, self._wake_r] if settled else [self._wake_r]
                wait = due - now if settled else min(due, last_round_end + t.push_settle) - now
                ready = self._clock.select(listen, min(wait, t.wake_slice))
                if self._stop.is_set():
                    self._goodbye(client, idling=True)
                    raise _Stopping
                if self._wake_r in ready:
                    self._drain_wake()
                    if self._retry.is_set():  # the user asked: a fresh look now
                        self._retry.clear()
                        why = "retry"
                if sock in ready:
                    why = "push"
                if jumps.check():
                    log.info("%s: clock jump or wake-up; probing the connection", self.account.name)
                    why = "wake"
            # DONE doubles as the liveness probe: its answer must come within the read timeout.
            with deadline(client, "round", "finish an IDLE round"):
                changed = end_idle(client) if idling else take_changes(client)
                if why == "renew":
                    log.info(
                        "%s: renewing the session before its sign-in expires", self.account.name
                    )
                    raise _Renewing
                resync = changed or why in ("sent", "wake", "retry", "dismissed")
                inbox_dirty = self._sync_inbox(client, st) if resync else False
                sent_dirty = False
                if (
                    changed
                    or why in ("sent", "wake", "retry")
                    or (self._clock.monotonic() - last_sent_check >= t.sent_interval)
                ):
                    sent_dirty = self._check_sent(client, st)
                    last_sent_check = self._clock.monotonic()
                if inbox_dirty or sent_dirty:
                    self._publish_with_previews(client, st)
            last_round_end = self._clock.monotonic()
            if self._stop.is_set():
                self._goodbye(client, idling=False)
                raise _Stopping

    def _settle(self, client: IMAPClient, since: float) -> None:
        """Wait until `push_settle` after `since` (a server flooding news gets one round per
        settle time); stop() cuts it short."""
        left = since + self.timings.push_settle - self._clock.monotonic()
        if left > 0:
            self._clock.select([self._wake_r], left)  # a poke stays unread for the next wait
        if self._stop.is_set():
            self._goodbye(client, idling=False)
            raise _Stopping

    # ---- polling (no IDLE)

    def _poll_loop(self, client: IMAPClient, st: _MailState, renew_at: float | None = None) -> None:
        t = self.timings
        jumps = JumpDetector(self._clock, t.jump_threshold)
        last_poll = last_sent_check = self._clock.monotonic()
        self._set_health(HealthState.CONNECTED)
        while True:
            last_probe = self._clock.monotonic()
            why = ""
            while not why:
                now = self._clock.monotonic()
                due = min(
                    last_probe + t.keepalive,
                    last_poll + t.poll_interval,
                    last_sent_check + t.sent_interval,
                    renew_at if renew_at is not None else float("inf"),
                )
                if renew_at is not None and now >= renew_at:
                    raise _Renewing
                if now >= due:
                    why = "due"
                    break
                ready = self._clock.select([self._wake_r], min(due - now, t.wake_slice))
                if self._stop.is_set():
                    self._goodbye(client, idling=False)
                    raise _Stopping
                if ready:
                    self._drain_wake()
                    if self._retry.is_set():
                        self._retry.clear()
                        why = "retry"
                    elif self._dismissed_changed.is_set():
                        why = "dismissed"
                if jumps.check():
                    why = "wake"
            with deadline(client, "round", "finish a check"):
                _, responses = client.noop()  # liveness, and the server's news since last time
                now = self._clock.monotonic()
                changed = _mailbox_changed(responses) or why in ("retry", "wake", "dismissed")
                inbox_dirty = sent_dirty = False
                if changed or now - last_poll >= t.poll_interval:
                    inbox_dirty = self._sync_inbox(client, st)
                    last_poll = now
                if changed or now - last_sent_check >= t.sent_interval:
                    sent_dirty = self._check_sent(client, st)
                    last_sent_check = now
                if inbox_dirty or sent_dirty:
                    self._publish_with_previews(client, st)

    # ---- IMAP work

    def _full_scan(self, client: IMAPClient) -> _MailState:
        """The same scan `ippo pending` does (so both show the same objects), then INBOX
        examined again for IDLE and reconciled for anything that arrived meanwhile."""
        now = self._clock.now()
        result = scan_account(client, self.account, now)
        st = _MailState(sent=list(result.sent), sent_folder=result.sent_folder)
        sent_state = result.folders.get(result.sent_folder) if result.sent_folder else None
        if sent_state is not None:
            st.sent_uidvalidity, st.sent_uidnext = sent_state.uidvalidity, sent_state.uidnext
        inbox_state = result.folders.get(INBOX)
        for facts in result.inbox:
            if facts.folder == INBOX:
                st.inbox[facts.uid] = facts
            else:
                st.others.append(facts)  # extra watched folders: refreshed on the Sent cadence
        st.other_states = {
            n: f for n, f in result.folders.items() if n not in (INBOX, st.sent_folder)
        }
        for folder in st.other_states:
            if self._missing_previews(st, folder):
                self._examine(client, folder)
                self._fetch_previews(client, st, folder)
        if inbox_state is not None:
            st.uidvalidity, st.uidnext = inbox_state.uidvalidity, inbox_state.uidnext
            st.modseq = inbox_state.highestmodseq
            st.condstore = inbox_state.highestmodseq is not None and self.timings.use_condstore
        self._examine_inbox(client, st)
        self._reconcile_inbox(client, st)
        return st

    def _examine(self, client: IMAPClient, folder: str) -> FolderState:
        state = examine(client, folder)
        _clear_untagged(client)
        return state

    def _examine_inbox(self, client: IMAPClient, st: _MailState) -> None:
        state = self._examine(client, INBOX)
        if state.uidvalidity != st.uidvalidity:
            # First look, or INBOX was recreated: every UID we knew is void.
            st.inbox.clear()
            st.set_aside.clear()
            st.uidvalidity = state.uidvalidity
            st.modseq = state.highestmodseq
            st.condstore = state.highestmodseq is not None and self.timings.use_condstore
        st.uidnext = state.uidnext
        st.inbox_state = state

    def _since_date(self) -> date:
        return search_since_date(lookback_start(self.account, self._clock.now()))

    def _sync_inbox(self, client: IMAPClient, st: _MailState) -> bool:
        """Bring INBOX up to date after a push or a check. True when anything changed."""
        changed = self._reconcile_inbox(client, st)
        # News that arrived while we were busy sits in imaplib's untagged responses; a few
        # rounds at most, then IDLE reports whatever comes later.
        for _ in range(3):
            if not take_changes(client):
                break
            changed = self._reconcile_inbox(client, st) or changed
        return changed

    def _reconcile_inbox(self, client: IMAPClient, st: _MailState) -> bool:
        """New and vanished messages from one SEARCH, headers only for new UIDs, flags of the
        known ones (only those changed since our MODSEQ where the server has CONDSTORE)."""
        _clear_untagged(client)
        self._dismissed_changed.clear()  # the dismissals read below are the newest
        uids = set(client.search(["SINCE", self._since_date()]))
        known = set(st.inbox)
        gone = known - uids
        aside = set(st.set_aside.uids())
        new = sorted(uids - known - aside)
        changed = bool(gone)
        for uid in gone:
            del st.inbox[uid]
        if aside - uids:
            # Deleted, moved or out of the look-back: not listed again.
            st.set_aside.remove(aside - uids)
            changed = True
        answered_aside: list[int] = []  # set aside, since answered elsewhere (\Answered)
        watched = sorted((known - gone) | (aside & uids))
        changed = self._refresh_flags(client, st, watched, answered_aside) or changed
        if new and st.inbox_state is not None:
            for facts in fetch_facts(client, st.inbox_state, new, self._clock.now()):
                st.inbox[facts.uid] = facts
                changed = True
            st.uidnext = max(st.uidnext or 0, new[-1] + 1)
        changed = self._bring_back(client, st, answered_aside) or changed
        changed = self._set_aside_dismissed(st) or changed
        self._prune(st)
        return changed

    def _bring_back(self, client: IMAPClient, st: _MailState, answered: Collection[int]) -> bool:
        """Fetch again the set-aside messages whose dismissal was undone, those whose
        Message-ID another message now has (the ids of such copies depend on each other:
        core.pending.item_id), and those `answered` since (no longer waiting, so kept like
        any answered message: they are no dismissal to put back). True when any came back."""
        if not st.set_aside or st.inbox_state is None:
            return False
        shared = {message_key(f.headers.message_id) for f in (*st.inbox.values(), *st.others)}
        shared.discard(0)  # no Message-ID
        wanted = [
            uid
            for uid, item, key in st.set_aside.entries()
            if item not in self._dismissed or key in shared or uid in answered
        ]
        if not wanted:
            return False
        st.set_aside.remove(set(wanted))
        for facts in fetch_facts(client, st.inbox_state, wanted, self._clock.now()):
            st.inbox[facts.uid] = facts
        return True

    def _set_aside_dismissed(self, st: _MailState) -> bool:
        """Stop keeping the INBOX messages (and previews) the user dismissed. Kept: a message
        whose Message-ID another message shares (their ids depend on each other), and one
        whose clock started when Ippo first saw it (it would start again on the way back)."""
        dismissed = self._dismissed
        if not dismissed:
            return False
        everything = (*st.inbox.values(), *st.others)
        copies = Counter(f.headers.message_id for f in everything if f.headers.message_id)
        waiting = waiting_messages(
            self.account, everything, replied_message_ids(st.sent), self._clock.now()
        )
        changed = False
        for found, ident in waiting:  # over `everything`: st.inbox may change meanwhile
            facts = st.inbox.get(found.uid) if found.folder == INBOX else None
            if ident not in dismissed or facts is None or facts.first_seen:
                continue
            message_id = facts.headers.message_id
            if message_id is not None and copies[message_id] > 1:
                continue
            del st.inbox[found.uid]
            st.set_aside.add(found.uid, ident, message_id)
            self._previews.pop(ident, None)
            changed = True
        return changed

    def _refresh_flags(
        self, client: IMAPClient, st: _MailState, uids: Sequence[int], answered_aside: list[int]
    ) -> bool:
        """Flags of the kept messages; the set-aside ones now \\Answered go to
        `answered_aside`."""
        if not uids:
            return False
        changed = False
        use_modseq = st.condstore and st.modseq is not None
        for chunk in _chunks(uids, 1000):
            if use_modseq:
                data = fetch_each(client, chunk, ["FLAGS"], modifiers=[f"CHANGEDSINCE {st.modseq}"])
            else:
                data = fetch_each(client, chunk, ["FLAGS"])
            for uid, d in data.items():
                facts = st.inbox.get(int(uid))
                if b"FLAGS" not in d:
                    continue
                flags = message_flags(d[b"FLAGS"])
                st.next_modseq = _max_modseq(st.next_modseq, d)
                if facts is None:
                    if int(uid) in st.set_aside and "\\answered" in {f.lower() for f in flags}:
                        answered_aside.append(int(uid))
                    continue
                if flags != facts.flags:
                    st.inbox[facts.uid] = replace(facts, flags=flags)
                    changed = True
        if use_modseq and st.next_modseq is not None:
            # Only after the whole pass: a chunk must not skip changes another chunk saw.
            st.modseq = max(st.modseq or 0, st.next_modseq)
        st.next_modseq = None
        return changed

    def _prune(self, st: _MailState) -> None:
        horizon = lookback_start(self.account, self._clock.now()) - timedelta(days=1)
        for uid in [u for u, f in st.inbox.items() if f.received_at < horizon]:
            del st.inbox[uid]

    def _check_sent(self, client: IMAPClient, st: _MailState) -> bool:
        """One STATUS round trip per folder; EXAMINE only what grew. True when the picture
        changed (new replies, or INBOX news seen on the way back)."""
        if st.sent_folder is None:
            # Sent may not exist yet (a new account): look again, it is one LIST.
            st.sent_folder = self.account.sent_folder or find_sent_folder(client)
        left_inbox = False
        changed = False
        if st.sent_folder is not None:
            status = client.folder_status(st.sent_folder, [b"UIDNEXT", b"UIDVALIDITY"])
            uidvalidity = _int(status.get(b"UIDVALIDITY"))
            uidnext = _int(status.get(b"UIDNEXT"))
            if uidvalidity != st.sent_uidvalidity or uidnext != st.sent_uidnext:
                left_inbox = True
                before = replied_message_ids(st.sent)
                since = lookback_start(self.account, self._clock.now())
                if uidvalidity != st.sent_uidvalidity or st.sent_uidnext is None:
                    state, sent = scan_sent(client, st.sent_folder, since)
                    st.sent = sent
                else:
                    state = self._examine(client, st.sent_folder)
                    first = st.sent_uidnext
                    fresh = [u for u in client.search(["UID", f"{first}:*"]) if u >= first]
                    st.sent.extend(fetch_sent_headers(client, fresh) if fresh else [])
                st.sent_uidvalidity, st.sent_uidnext = state.uidvalidity, state.uidnext
                changed = replied_message_ids(st.sent) != before
        for folder, old in list(st.other_states.items()):
            status = client.folder_status(folder, [b"UIDNEXT", b"UIDVALIDITY", b"MESSAGES"])
            if (
                _int(status.get(b"UIDVALIDITY")) == old.uidvalidity
                and _int(status.get(b"UIDNEXT")) == old.uidnext
                and _int(status.get(b"MESSAGES")) == old.exists
            ):
                continue
            left_inbox = True
            state, facts = scan_folder(
                client, folder, lookback_start(self.account, self._clock.now())
            )
            st.other_states[folder] = state
            st.others = [f for f in st.others if f.folder != folder] + facts
            self._fetch_previews(client, st, folder)  # while it is the open folder
            changed = True
        if left_inbox:
            # While we looked elsewhere, INBOX may have changed unseen: reconcile before IDLE.
            self._examine_inbox(client, st)
            changed = self._reconcile_inbox(client, st) or changed
        return changed


# --------------------------------------------------------------------------- helpers


_CHANGE_WORDS = frozenset({b"EXISTS", b"EXPUNGE", b"FETCH", b"VANISHED", b"RECENT"})


def _mailbox_changed(responses: Iterable[Any]) -> bool:
    """Whether untagged responses (IDLE's or NOOP's) say the mailbox changed. '* OK Still here'
    and other status lines do not."""
    for response in responses:
        if isinstance(response, tuple) and len(response) >= 2 and response[1] in _CHANGE_WORDS:
            return True
    return False


def _clear_untagged(client: IMAPClient) -> None:
    # imaplib keeps every untagged response of a long-lived connection unless someone pops it.
    client._imap.untagged_responses.clear()


def _has_buffered_input(client: IMAPClient) -> bool:
    """Whether a response already sits in imaplib's read buffer (or TLS's), where select() on
    the socket cannot see it: it arrived together with the previous line."""
    sock = client.socket()
    reader = getattr(client._imap, "file", None)
    if reader is None or not hasattr(reader, "peek"):
        return False
    timeout = sock.gettimeout()
    try:
        sock.settimeout(0.0)
        return bool(reader.peek(1))
    except (BlockingIOError, ssl.SSLWantReadError, ssl.SSLWantWriteError):
        return False
    except OSError:
        return True  # let the DONE that follows report the broken connection
    finally:
        with contextlib.suppress(OSError):
            sock.settimeout(timeout)


def _max_modseq(current: int | None, data: dict[bytes, Any]) -> int | None:
    value = data.get(b"MODSEQ")
    if isinstance(value, tuple) and value:
        seq = int(value[0])
        return seq if current is None else max(current, seq)
    return current


def _int(value: Any) -> int | None:
    return int(value) if value is not None else None


def _chunks(items: Sequence[int], size: int) -> Iterable[list[int]]:
    for start in range(0, len(items), size):
        yield list(items[start : start + size])


def _describe(error: BaseException) -> str:
    text = str(error).strip()
    if isinstance(error, socket.timeout | TimeoutError):
        return "no answer from the server (timed out)"
    if isinstance(error, ConnectionRefusedError):
        return "connection refused"
    if isinstance(error, imaplib.IMAP4.abort) and "EOF" in text:
        return "connection closed by the server"
    # What people read (health reasons): the server's or the system's words, never a class name.
    return describe(error)
