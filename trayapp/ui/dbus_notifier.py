"""Linux notifications: org.freedesktop.Notifications over the session bus, in Qt's event loop.

No process is started per notification (plyer ran `notify-send`, the daemon check `gdbus`)
and the GUI thread never waits on the bus: the socket is non-blocking, read and written when
a QSocketNotifier says so, and every call is answered through a callback.

Messages are built with jeepney (pure Python, sans-I/O; keyring already depends on it on
Linux), not QtDBus: PySide6 marshals every Python int as int32 or uint16, and the
Notifications interface needs uint32 (`replaces_id`, `CloseNotification`) and a byte (the
urgency hint), which a strict server (dunst, GNOME Shell: GDBus) rejects otherwise.

What the server announces (`GetCapabilities`, asked once) is followed:
- `actions`: "Send first word" and "Snooze 1 h" buttons, and the click (default action)
  opens the list at the inquiry. Without it: the same text, no buttons.
- `body-markup`: the body (sender, subject) is escaped; without it, sent as is.
A notification replaces its inquiry's earlier one (`replaces_id`) and is withdrawn
(`CloseNotification`) when the inquiry no longer waits (core.live_notifications).
"""

from __future__ import annotations

import contextlib
import logging
import os
import socket
from collections import deque
from collections.abc import Callable
from typing import Any

from jeepney import DBusAddress, HeaderFields, MessageType, Parser, new_method_call
from jeepney.auth import BEGIN, AuthenticationError, Authenticator
from jeepney.bus import get_connectable_addresses
from jeepney.bus_messages import MatchRule, message_bus
from jeepney.low_level import Message
from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from trayapp.core.live_notifications import LiveNotifications
from trayapp.core.notifications import NotificationText, escape_markup
from trayapp.desktop.autostart import APP_ID
from trayapp.desktop.notify import (
    APP_NAME,
    ActionHandler,
    NotificationUnavailable,
    WithdrawsLive,
)

log = logging.getLogger(__name__)

NOTIFICATIONS = DBusAddress(
    "/org/freedesktop/Notifications",
    bus_name="org.freedesktop.Notifications",
    interface="org.freedesktop.Notifications",
)
CALL_TIMEOUT_MS = 30_000  # a server that never answers: give up on that call (D-Bus's 25 s)
READY_TIMEOUT_MS = 10_000  # a bus that does not finish the handshake: give up on it
MAX_OUTGOING = 4 * 1024 * 1024  # a bus that stops reading: stop queueing, fail over
URGENCY_NORMAL = 1
URGENCY_CRITICAL = 2
EXPIRE_DEFAULT = -1  # the server's own timeout
EXPIRE_NEVER = 0

ReplyHandler = Callable[[Message], None]


def is_error(message: Message) -> bool:
    return message.header.message_type is MessageType.error


def error_text(message: Message) -> str:
    name = message.header.fields.get(HeaderFields.error_name, "error")
    detail = message.body[0] if message.body and isinstance(message.body[0], str) else ""
    return f"{name}: {detail}" if detail else str(name)


class SessionBus(QObject):
    """One connection to the session bus, driven by Qt's event loop.

    `call(message, on_reply)` queues until the connection is ready (SASL EXTERNAL, then
    Hello) and calls `on_reply` with the reply or an error message (a synthetic one when
    the bus goes away or the call times out). `signal_received` carries every signal.
    """

    signal_received = Signal(object)  # jeepney Message
    lost = Signal(str)

    def __init__(
        self,
        address: str | None = None,
        parent: QObject | None = None,
        ready_timeout_ms: int = READY_TIMEOUT_MS,
    ) -> None:
        super().__init__(parent)
        self._address = address
        self._ready_deadline = QTimer(self)
        self._ready_deadline.setSingleShot(True)
        self._ready_deadline.setInterval(ready_timeout_ms)
        self._ready_deadline.timeout.connect(
            lambda: self.close("the session bus did not answer the handshake")
        )
        self._sock: socket.socket | None = None
        self._auth = Authenticator(inc_null_byte=True)
        self._parser = Parser()
        self._ready = False
        self._closed_reason = ""
        self._out = bytearray()
        self._queued: deque[tuple[Message, ReplyHandler | None]] = deque()
        self._replies: dict[int, tuple[ReplyHandler | None, QTimer]] = {}
        self._serial = 0
        self._reader: QSocketNotifier | None = None
        self._writer: QSocketNotifier | None = None

    # ---------------------------------------------------------------- connecting

    def open(self) -> None:
        """Start connecting (returns at once); raises NotificationUnavailable when there is
        no session bus to connect to."""
        address = self._address or os.environ.get("DBUS_SESSION_BUS_ADDRESS", "")
        if not address:
            runtime = os.environ.get("XDG_RUNTIME_DIR", "")
            if runtime and os.path.exists(os.path.join(runtime, "bus")):
                address = f"unix:path={os.path.join(runtime, 'bus')}"
        if not address:
            raise NotificationUnavailable("no D-Bus session")
        try:
            path = next(get_connectable_addresses(address))
        except (RuntimeError, ValueError, StopIteration) as exc:
            raise NotificationUnavailable(f"unusable D-Bus address: {exc}") from exc
        sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        sock.setblocking(False)
        try:
            sock.connect(path)
        except BlockingIOError:
            pass  # a busy bus: the write notifier says when the connection is made
        except OSError as exc:
            sock.close()
            raise NotificationUnavailable(f"cannot reach the session bus: {exc}") from exc
        self._sock = sock
        self._reader = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Read, self)
        self._reader.activated.connect(self._on_readable)
        self._writer = QSocketNotifier(sock.fileno(), QSocketNotifier.Type.Write, self)
        self._writer.activated.connect(self._on_writable)
        self._writer.setEnabled(False)
        self._ready_deadline.start()
        for line in iter(self._auth.data_to_send, b""):
            if line is None:
                break
            self._write(line)

    @property
    def connected(self) -> bool:
        return self._sock is not None and not self._closed_reason

    def close(self, reason: str = "closed") -> None:
        if self._closed_reason:
            return
        self._closed_reason = reason
        self._ready_deadline.stop()
        for notifier in (self._reader, self._writer):
            if notifier is not None:
                notifier.setEnabled(False)
        if self._sock is not None:
            with contextlib.suppress(OSError):
                self._sock.close()
        pending = list(self._replies.values()) + [(h, None) for _m, h in self._queued]
        self._replies.clear()
        self._queued.clear()
        for handler, timer in pending:
            if timer is not None:
                timer.stop()
            if handler is not None:
                handler(_synthetic_error(reason))
        self.lost.emit(reason)

    # ---------------------------------------------------------------- calls

    def call(self, message: Message, on_reply: ReplyHandler | None = None) -> None:
        if self._closed_reason:
            if on_reply is not None:
                on_reply(_synthetic_error(self._closed_reason))
            return
        if not self._ready:
            self._queued.append((message, on_reply))
            return
        self._send(message, on_reply)

    def _send(self, message: Message, on_reply: ReplyHandler | None) -> None:
        self._serial += 1
        serial = self._serial
        if on_reply is not None:
            timer = QTimer(self)
            timer.setSingleShot(True)
            timer.timeout.connect(lambda: self._timed_out(serial))
            timer.start(CALL_TIMEOUT_MS)
            self._replies[serial] = (on_reply, timer)
        self._write(message.serialise(serial=serial))

    def _timed_out(self, serial: int) -> None:
        entry = self._replies.pop(serial, None)
        if entry is not None and entry[0] is not None:
            entry[0](_synthetic_error("no answer from the bus"))

    # ---------------------------------------------------------------- socket I/O

    def _write(self, data: bytes) -> None:
        if len(self._out) + len(data) > MAX_OUTGOING:
            self.close("the session bus does not read")
            return
        self._out += data
        self._flush()

    def _flush(self) -> None:
        if self._sock is None or self._closed_reason:
            return
        while self._out:
            try:
                sent = self._sock.send(self._out)
            except (BlockingIOError, InterruptedError):
                break
            except OSError as exc:
                self.close(f"session bus: {exc}")
                return
            del self._out[:sent]
        if self._writer is not None:
            self._writer.setEnabled(bool(self._out))

    def _on_writable(self) -> None:
        self._flush()

    def _on_readable(self) -> None:
        assert self._sock is not None
        while not self._closed_reason:
            try:
                data = self._sock.recv(65536)
            except (BlockingIOError, InterruptedError):
                return
            except OSError as exc:
                self.close(f"session bus: {exc}")
                return
            if not data:
                self.close("the session bus closed the connection")
                return
            try:
                self._received(data)
            except (AuthenticationError, ValueError) as exc:
                self.close(f"session bus: {exc}")
                return

    def _received(self, data: bytes) -> None:
        if not self._auth.authenticated:
            self._auth.feed(data)
            if not self._auth.authenticated:
                return
            self._write(BEGIN)
            self._serial += 1  # Hello must be the first message
            hello_serial = self._serial
            self._replies[hello_serial] = (self._on_hello, QTimer(self))
            self._write(message_bus.Hello().serialise(serial=hello_serial))
            return
        for message in self._parser.feed(data):
            self._dispatch(message)

    def _on_hello(self, reply: Message) -> None:
        if is_error(reply):
            self.close(error_text(reply))
            return
        self._ready = True
        self._ready_deadline.stop()
        while self._queued and not self._closed_reason:
            message, handler = self._queued.popleft()
            self._send(message, handler)

    def _dispatch(self, message: Message) -> None:
        kind = message.header.message_type
        if kind in (MessageType.method_return, MessageType.error):
            serial = message.header.fields.get(HeaderFields.reply_serial)
            entry = self._replies.pop(serial, None) if isinstance(serial, int) else None
            if entry is not None:
                handler, timer = entry
                timer.stop()
                if handler is not None:
                    handler(message)
        elif kind is MessageType.signal:
            self.signal_received.emit(message)


def _synthetic_error(reason: str) -> Message:
    local = DBusAddress("/org/freedesktop/DBus/Local", bus_name="org.freedesktop.DBus.Local")
    message = new_method_call(local, "Error", "s", (reason,))
    message.header.message_type = MessageType.error
    message.header.fields[HeaderFields.error_name] = "org.freedesktop.DBus.Error.Disconnected"
    return message


class DBusNotifier(QObject, WithdrawsLive[int]):
    """The Linux notification backend (a LiveBackend, see desktop.notify)."""

    name = "dbus"
    capabilities_known = Signal(list)

    def __init__(
        self,
        on_action: ActionHandler,
        app_icon: str = "",
        bus: SessionBus | None = None,
        app_name: str = APP_NAME,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.fallback: Callable[[NotificationText], None] | None = None
        self._on_action = on_action
        self._app_icon = app_icon
        self._app_name = app_name
        self._bus = bus or SessionBus(parent=self)
        self._bus.signal_received.connect(self._on_signal)
        self._live: LiveNotifications[int] = LiveNotifications()
        self.capabilities: frozenset[str] | None = None  # None: not known yet
        self._problem = ""  # why the server cannot be used ('' = fine or not known yet)
        self._started = False
        self._probing = False  # a GetCapabilities call is on its way
        self._waiting: list[NotificationText] = []  # shown before the capabilities came
        self._in_flight: set[str] = set()  # keys whose Notify has no reply yet
        self._next: dict[str, NotificationText] = {}  # newer notes for those keys

    def start(self) -> None:
        """Connect and ask the server what it can do (once); returns at once."""
        if self._started:
            return
        self._started = True
        try:
            self._bus.open()
        except NotificationUnavailable as exc:
            self._problem = str(exc)
            return
        rule = MatchRule(
            type="signal",
            interface=NOTIFICATIONS.interface,
            path=NOTIFICATIONS.object_path,
        )
        self._bus.call(message_bus.AddMatch(rule))
        self._probe()

    def _probe(self) -> None:
        self._probing = True
        self._bus.call(new_method_call(NOTIFICATIONS, "GetCapabilities"), self._on_capabilities)

    def _on_capabilities(self, reply: Message) -> None:
        self._probing = False
        if is_error(reply):
            # No daemon, or one the bus could not start: notifications go on to the next
            # backend (the tray's balloon); each later one asks again (a daemon started
            # after Ippo at login is used from then on).
            self._problem = f"no notification service: {error_text(reply)}"
            log.info("%s", self._problem)
            self.capabilities = frozenset()
        else:
            self._problem = ""
            self.capabilities = frozenset(str(c) for c in reply.body[0])
            log.info("notification server capabilities: %s", " ".join(sorted(self.capabilities)))
        self.capabilities_known.emit(sorted(self.capabilities))
        waiting, self._waiting = self._waiting, []
        for note in waiting:
            if self._problem:
                self._fall_back(note, self._problem)
            else:
                self._show_or_fall_back(note)

    # ---------------------------------------------------------------- LiveBackend

    def show(self, note: NotificationText) -> None:
        self.start()
        if not self._bus.connected:
            raise NotificationUnavailable(self._problem or "the session bus connection is closed")
        if self._problem:
            if not self._probing:
                self._probe()  # for the next one
            raise NotificationUnavailable(self._problem)
        if self.capabilities is None:
            self._waiting.append(note)
            return
        self._send(note)

    def _show_or_fall_back(self, note: NotificationText) -> None:
        try:
            self.show(note)
        except NotificationUnavailable as exc:
            self._fall_back(note, str(exc))

    def _fall_back(self, note: NotificationText, reason: str) -> None:
        log.warning("notification not delivered over D-Bus (%s)", reason)
        if self.fallback is not None:
            self.fallback(note)

    def _send(self, note: NotificationText) -> None:
        if note.key in self._in_flight:
            # Its replaces_id is not known yet: send once the server answered.
            self._next[note.key] = note
            return
        caps = self.capabilities or frozenset()
        replaces = self._live.replaces(note) or 0
        body = escape_markup(note.message) if "body-markup" in caps else note.message
        actions: list[str] = []
        if "actions" in caps:
            for key, label in note.actions:
                actions += [key, label]
        hints: dict[str, tuple[str, Any]] = {
            "urgency": ("y", URGENCY_CRITICAL if note.resident else URGENCY_NORMAL),
            "desktop-entry": ("s", APP_ID),
            "category": ("s", "email"),
        }
        if note.resident:
            hints["resident"] = ("b", True)
        message = new_method_call(
            NOTIFICATIONS,
            "Notify",
            "susssasa{sv}i",
            (
                self._app_name,
                replaces,
                self._app_icon,
                note.title,
                body,
                actions,
                hints,
                EXPIRE_NEVER if note.resident else EXPIRE_DEFAULT,
            ),
        )
        self._in_flight.add(note.key)
        self._bus.call(message, lambda reply: self._on_notified(note, reply))

    def _on_notified(self, note: NotificationText, reply: Message) -> None:
        self._in_flight.discard(note.key)
        if is_error(reply):
            self._fall_back(note, error_text(reply))
        else:
            notification_id = int(reply.body[0])
            for redundant in self._live.shown(note, notification_id):
                self._close(redundant)
        newer = self._next.pop(note.key, None)
        if newer is not None:
            self._send(newer)

    def _close(self, notification_id: int) -> None:
        self._bus.call(new_method_call(NOTIFICATIONS, "CloseNotification", "u", (notification_id,)))

    # ---------------------------------------------------------------- signals

    def _on_signal(self, message: Message) -> None:
        fields = message.header.fields
        if fields.get(HeaderFields.interface) != NOTIFICATIONS.interface:
            return
        member = fields.get(HeaderFields.member)
        body = message.body
        if member == "ActionInvoked" and len(body) >= 2:
            shown = self._live.closed(int(body[0]))
            if shown is not None:  # ours, and still live
                log.info("notification action %s", body[1])
                # The person acted: the bubble has done its job (a resident one stays
                # otherwise, and some servers keep any bubble after an action).
                self._close(shown.id)
                self._on_action(str(body[1]), shown.item_ids)
        elif member == "NotificationClosed" and body:
            self._live.closed(int(body[0]))

    def live_ids(self) -> list[int]:
        """The server's ids of Ippo's notifications on screen now."""
        return self._live.ids()

    def close(self) -> None:
        """Quitting: every notification of Ippo still on screen is closed (its actions would
        do nothing once the app is gone), then the bus. Each call goes to the socket at once
        when it takes it; none is awaited."""
        for notification_id in self._live.ids():
            self._close(notification_id)
        self._bus.close("Ippo is quitting")
