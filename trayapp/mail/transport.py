"""The IMAP transport under imapclient, bounded in time and size.

imapclient's timeout applies to one socket read: a server that drips a byte every few seconds
never trips it, and imaplib reads whatever literal size a server announces into memory. Here:

- every operation (connect, login, scan, one IDLE round) runs under an overall deadline
  (``ConnectionGuard.deadline``): when it passes, a watchdog shuts the socket down under
  whatever read is blocked (TLS handshake, greeting, a dripped line, a literal), and the
  operation ends with ``ServerTooSlow``;
- a literal larger than ``max_literal_bytes`` and more than ``max_response_lines`` lines in
  answer to one command end it with ``ServerResponseTooLarge`` before the bytes are read;
- untagged EXISTS and RECENT counts are coalesced (only the latest one means anything), so a
  flood of them costs no memory, and ``end_idle`` reads IDLE's answer without parsing each line;
- ``ConnectionGuard.cut`` ends a connection from any thread (Ctrl-C, SIGTERM, stop()).
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import math
import socket
import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass, fields, replace
from typing import Any, Literal

from imapclient import IMAPClient, imap4, tls

from trayapp.mail.errors import ConnectionFailed, MailError, ProtocolError

log = logging.getLogger(__name__)

MiB = 1024 * 1024


@dataclass(frozen=True)
class ServerLimits:
    """How long and how much one server may take. Sane for every real provider (a header
    fetch is a few KB, a preview 16 KB, a FETCH of 500 messages about 1,000 lines); set
    under "server_limits" in config.json's settings to change them."""

    connect_seconds: float = 60.0  # DNS, TCP, TLS, greeting and LOGIN together
    scan_seconds: float = 600.0  # one full look at an account (a 50,000-message INBOX fits)
    round_seconds: float = 180.0  # one IDLE or poll round: DONE, resync, IDLE again
    max_literal_bytes: int = 32 * MiB
    max_response_lines: int = 200_000  # a 100,000-EXISTS flood still fits (coalesced)
    # One acknowledgement over SMTP: DNS, connect, EHLO, STARTTLS, AUTH and DATA together.
    send_seconds: float = 120.0

    @classmethod
    def from_settings(cls, raw: object) -> ServerLimits:
        """The limits from config.json's settings["server_limits"]; ValueError naming the
        field when a value is not a positive finite number."""
        limits = cls()
        if raw is None:
            return limits
        if not isinstance(raw, Mapping):
            raise ValueError("settings.server_limits must be an object")
        known = {f.name: f.type for f in fields(cls)}
        changes: dict[str, Any] = {}
        for key, value in raw.items():
            if key not in known:
                raise ValueError(f"settings.server_limits.{key} is not a known limit")
            number = _positive(value)
            if number is None:
                raise ValueError(
                    f"settings.server_limits.{key} must be a positive number, not {value!r}"
                )
            changes[key] = int(number) if key.startswith("max_") else number
        return replace(limits, **changes)


def _positive(value: object) -> float | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    number = float(value)
    return number if math.isfinite(number) and number > 0 else None


class ServerTooSlow(ConnectionFailed):
    """An operation's overall deadline passed (the server is stalled or dripping)."""


class ServerResponseTooLarge(ProtocolError):
    """The server sent more than the limits allow in answer to one command."""


class ConnectionCancelled(ConnectionFailed):
    """The connection was cut on purpose (Ctrl-C, SIGTERM, stop)."""


class ConnectionGuard:
    """Deadlines, size limits and a kill switch for one IMAP connection."""

    def __init__(self, limits: ServerLimits | None = None) -> None:
        self.limits = limits or ServerLimits()
        self.lines = 0  # response lines since the last command was sent
        self._lock = threading.Lock()
        self._fd: int | None = None
        self._family = socket.AF_INET
        self._expiry: float | None = None  # monotonic
        self._timer: threading.Timer | None = None
        self._fired = False
        self._cancelled = False

    # ---- the socket

    def attach(self, sock: socket.socket) -> None:
        """The connection's socket (its descriptor survives TLS and STARTTLS wrapping)."""
        with self._lock:
            self._fd, self._family = sock.fileno(), sock.family
            late = self._cancelled or self._fired
        if late:
            self._shutdown()

    def detach(self) -> None:
        with self._lock:
            self._fd = None
            self._disarm_locked()

    def cut(self) -> None:
        """End the connection now, from any thread: every blocked read returns at once."""
        with self._lock:
            self._cancelled = True
        self._shutdown()

    def _shutdown(self) -> None:
        # Under the lock: detach() (the connection closing) waits, so the number cannot be
        # closed and reused by another connection in between.
        with self._lock:
            fd, family = self._fd, self._family
            if fd is None:
                return
            # A duplicate of the descriptor: shutdown() acts on the connection, not the
            # number, and the duplicate closes without closing the one imaplib reads from.
            with (
                contextlib.suppress(OSError),
                socket.fromfd(fd, family, socket.SOCK_STREAM) as dup,
            ):
                dup.shutdown(socket.SHUT_RDWR)

    def open_socket(self, host: str, port: int, timeout: float | None) -> socket.socket:
        """socket.create_connection under this guard: the DNS lookup counts inside the
        deadline and ends with cut() (getaddrinfo cannot be interrupted, so it runs on a
        helper thread that is left to finish on its own), and each connect attempt is
        attached, so the deadline or cut() ends it too."""
        addresses = self._resolve(host, port)
        failure: OSError = OSError(f"no address for {host}")
        for family, kind, proto, _name, address in addresses:
            self._check_alive()
            sock = socket.socket(family, kind, proto)
            try:
                sock.settimeout(timeout)
                self.attach(sock)
                sock.connect(address)
                return sock
            except OSError as error:
                failure = error
                with self._lock:
                    if self._fd == sock.fileno():
                        self._fd = None  # before closing: the number may be reused
                sock.close()
        self._check_alive()
        raise failure

    def _resolve(self, host: str, port: int) -> list[Any]:
        found: list[Any] = []
        failed: list[OSError] = []
        done = threading.Event()

        def lookup() -> None:
            try:
                found.extend(socket.getaddrinfo(host, port, 0, socket.SOCK_STREAM))
            except OSError as error:
                failed.append(error)
            finally:
                done.set()

        threading.Thread(target=lookup, name=f"dns {host}", daemon=True).start()
        while not done.wait(_LOOKUP_POLL_SECONDS):
            self._check_alive()
        if failed:
            raise failed[0]
        return found

    def _check_alive(self) -> None:
        """OSError once the deadline passed or the connection was cut (deadline() turns it
        into ServerTooSlow or ConnectionCancelled)."""
        if self._cancelled or self._fired:
            raise OSError("the connection was ended before it was made")

    # ---- deadlines

    @contextlib.contextmanager
    def deadline(self, seconds: float, what: str) -> Iterator[None]:
        """Run the block under an overall deadline of `seconds` (nested: the sooner wins).
        Raises ServerTooSlow when it passed (the connection is then unusable)."""
        if self._cancelled:
            raise ConnectionCancelled("cancelled")
        with self._lock:
            outer = self._expiry
            expiry = time.monotonic() + seconds
            if outer is not None:
                expiry = min(expiry, outer)
            self._arm_locked(expiry)
        try:
            yield
        except ServerTooSlow:
            raise
        except Exception as error:  # never KeyboardInterrupt or SystemExit: they stay as they are
            if self._cancelled:
                raise ConnectionCancelled("cancelled") from error
            if self._fired:
                raise ServerTooSlow(
                    f"the server did not {what} within {seconds:g} s (stalled or too slow)"
                ) from error
            raise
        finally:
            with self._lock:
                if outer is None:
                    self._disarm_locked()
                elif not self._fired:
                    self._arm_locked(outer)
        if self._fired:  # it fired as the block ended: the connection is cut all the same
            raise ServerTooSlow(f"the server did not {what} within {seconds:g} s")

    def _arm_locked(self, expiry: float) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._expiry = expiry
        self._timer = threading.Timer(max(0.0, expiry - time.monotonic()), self._expire)
        self._timer.daemon = True
        self._timer.start()

    def _disarm_locked(self) -> None:
        if self._timer is not None:
            self._timer.cancel()
        self._timer = None
        self._expiry = None

    def _expire(self) -> None:
        with self._lock:
            if self._expiry is None or time.monotonic() < self._expiry - 0.001:
                return  # re-armed meanwhile
            self._fired = True
        self._shutdown()

    # ---- size limits (called by the imaplib subclasses below)

    def count_line(self) -> None:
        self.lines += 1
        if self.lines > self.limits.max_response_lines:
            raise ServerResponseTooLarge(
                f"the server sent more than {self.limits.max_response_lines} response lines "
                "to one command (limit: server_limits.max_response_lines)"
            )

    def check_literal(self, size: int) -> None:
        if size > self.limits.max_literal_bytes:
            raise ServerResponseTooLarge(
                f"the server announced a {size}-byte literal; the limit is "
                f"{self.limits.max_literal_bytes} bytes (server_limits.max_literal_bytes)"
            )


_LOOKUP_POLL_SECONDS = 0.05  # how soon a lookup left behind notices the deadline or cut()

_COALESCED = frozenset({"EXISTS", "RECENT"})  # counts: only the latest one means anything


class _GuardedReads:
    """Mixed into imaplib's IMAP4 classes: every line and literal goes past the guard."""

    guard: ConnectionGuard
    untagged_responses: dict[str, list[Any]]

    def readline(self) -> bytes:
        self.guard.count_line()
        line: bytes = super().readline()  # type: ignore[misc]
        return line

    def read(self, size: int) -> bytes:
        self.guard.check_literal(size)
        data: bytes = super().read(size)  # type: ignore[misc]
        return data

    def _command(self, name: str, *args: Any) -> Any:
        self.guard.lines = 0
        return super()._command(name, *args)  # type: ignore[misc]

    def shutdown(self) -> None:
        # Every way a connection ends (logout, IMAPClient.shutdown) comes here: forget the
        # descriptor before it is closed, so a later cut() cannot hit whatever reuses it.
        self.guard.detach()
        super().shutdown()  # type: ignore[misc]

    def _append_untagged(self, typ: str, dat: Any) -> None:
        if typ in _COALESCED and typ in self.untagged_responses:
            self.untagged_responses[typ] = [b"" if dat is None else dat]
            return
        super()._append_untagged(typ, dat)  # type: ignore[misc]


class _GuardedPlain(_GuardedReads, imap4.IMAP4WithTimeout):  # type: ignore[misc]
    def __init__(self, guard: ConnectionGuard, host: str, port: int, timeout: float | None):
        self.guard = guard
        super().__init__(host, port, timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        return self.guard.open_socket(
            self.host, self.port, timeout if timeout is not None else self._timeout
        )


class _GuardedTLS(_GuardedReads, tls.IMAP4_TLS):  # type: ignore[misc]
    def __init__(
        self,
        guard: ConnectionGuard,
        host: str,
        port: int,
        ssl_context: Any,
        timeout: float | None,
    ):
        self.guard = guard
        super().__init__(host, port, ssl_context, timeout)

    def _create_socket(self, timeout: float | None = None) -> socket.socket:
        # Attached before the handshake, so the deadline covers a stalled handshake too.
        raw = self.guard.open_socket(
            self.host, self.port, timeout if timeout is not None else self._timeout
        )
        wrapped: socket.socket = tls.wrap_socket(raw, self.ssl_context, self.host)
        return wrapped


class GuardedIMAPClient(IMAPClient):  # type: ignore[misc]
    """An IMAPClient whose connection is watched by ``guard`` from the first byte."""

    def __init__(self, *args: Any, guard: ConnectionGuard, **kwargs: Any) -> None:
        self.guard = guard
        super().__init__(*args, **kwargs)

    def _create_IMAP4(self) -> imaplib.IMAP4:
        connect_timeout = getattr(self._timeout, "connect", None)
        if self.ssl:
            return _GuardedTLS(self.guard, self.host, self.port, self.ssl_context, connect_timeout)
        return _GuardedPlain(self.guard, self.host, self.port, connect_timeout)


def guard_of(client: IMAPClient) -> ConnectionGuard | None:
    guard = getattr(client, "guard", None)
    return guard if isinstance(guard, ConnectionGuard) else None


@contextlib.contextmanager
def deadline(
    client: IMAPClient | None, kind: Literal["connect", "scan", "round"], what: str
) -> Iterator[None]:
    """``guard.deadline`` with the guard's limit of that kind when `client` has a guard; a
    plain block otherwise (None, or a client made elsewhere, e.g. by a test)."""
    guard = guard_of(client) if client is not None else None
    if guard is None:
        yield
        return
    with guard.deadline(getattr(guard.limits, f"{kind}_seconds"), what):
        yield


# RECENT alone is not a change (EXAMINE reports "* 0 RECENT"); a new message brings EXISTS.
_CHANGE_TYPES = ("EXISTS", "EXPUNGE", "FETCH", "VANISHED")


def end_idle(client: IMAPClient) -> bool:
    """Send DONE and read IDLE's answer; True when the server reported any mailbox change.

    Lines are not parsed one by one (imapclient's idle_done builds a tuple per line): a
    server pushing 100,000 EXISTS costs a regex match per line and one list entry."""
    imap = client._imap
    tag = client._idle_tag
    imap.send(b"DONE\r\n")
    while not imap.tagged_commands.get(tag):
        imap._get_response()
    typ, data = imap.tagged_commands.pop(tag)
    client._idle_tag = None
    if typ != "OK":
        said = data[0].decode("utf-8", "replace") if isinstance(data[0], bytes) else data[0]
        raise ProtocolError(f"IDLE failed: {said}")
    return take_changes(client)


def pending_changes(client: IMAPClient) -> bool:
    """Whether untagged responses since the last look report a change (kept for take_changes)."""
    pending = client._imap.untagged_responses
    return any(pending.get(kind) for kind in _CHANGE_TYPES)


def take_changes(client: IMAPClient) -> bool:
    """Whether untagged responses since the last look report a change; clears them."""
    changed = pending_changes(client)
    client._imap.untagged_responses.clear()
    return changed


Register = Callable[[ConnectionGuard], None]


# Failures that mean the connection itself is gone or out of step: never per message.
CONNECTION_ERRORS: tuple[type[BaseException], ...] = (
    OSError,
    EOFError,
    imaplib.IMAP4.abort,
    MailError,
)


def fetch_each(
    client: IMAPClient,
    uids: Sequence[int],
    items: Sequence[str],
    *,
    failed: list[int] | None = None,
    **kwargs: Any,
) -> dict[int, dict[bytes, Any]]:
    """``client.fetch`` of `uids`, where one message the client cannot parse (an absurd
    BODYSTRUCTURE, a garbage date) costs only that message: when the batch fails to parse,
    the messages are fetched one by one and each one that fails again is logged, left out
    and, when `failed` is given, appended to it. A broken connection is raised as it is."""
    try:
        batch: dict[int, dict[bytes, Any]] = client.fetch(list(uids), list(items), **kwargs)
        return batch
    except CONNECTION_ERRORS:
        raise
    except Exception as error:
        if len(uids) > 1:
            log.warning(
                "FETCH of %d messages failed (%s); fetching them one by one",
                len(uids),
                _brief(error),
            )
        first = error
    found: dict[int, dict[bytes, Any]] = {}
    for uid in uids:
        try:
            found.update(client.fetch([uid], list(items), **kwargs))
        except CONNECTION_ERRORS:
            raise
        except Exception as error:
            reason = _brief(error if len(uids) > 1 else first)
            log.warning("message UID %s skipped: %s", uid, reason)
            if failed is not None:
                failed.append(uid)
    return found


def _brief(error: BaseException) -> str:
    text = " ".join(str(error).split())[:200]
    return f"{type(error).__name__}: {text}" if text else type(error).__name__
