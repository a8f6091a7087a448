"""Single instance over a local socket: a second `ippo` asks the first to show its list.

    SingleInstance         the implementation for this platform (same API everywhere)
    UnixSingleInstance     Linux/macOS: an AF_UNIX socket watched by a QSocketNotifier
    QtLocalSingleInstance  Windows: Qt's QLocalServer, a named pipe (ui/single_instance_qt.py)

The Unix one is plain Python so that the tray app does not load QtNetwork (~3 MB resident,
measured by bench/bench_app_memory.py) for one socket. Its socket lives in the user's private
runtime folder (desktop.single_instance.runtime_dir) and both ends check the peer's user id.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import stat
import sys
import time

from PySide6.QtCore import QObject, QSocketNotifier, QTimer, Signal

from trayapp.desktop.single_instance import ACK, SHOW_LIST, acquire, same_user, socket_path

ANSWER_WAIT = 0.5  # seconds a knock may take to write its one line
MAX_KNOCKS = 16  # knocks being read at once; more are refused (a local flood costs nothing)


class UnixSingleInstance(QObject):
    """`acquire()` is True when we are the first instance (then we listen and emit
    `show_requested` when a later start knocks); False when another instance answered
    (it has been asked to show its pending list, and this process should exit).

    Nothing at the socket's path can stop a start: a socket of another user, a file that
    is no socket, one nobody listens on (a crash), or a listener that accepts and never
    answers within the bounded wait (a hung instance, a squatter) is replaced."""

    show_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.path = socket_path(name)
        self._server: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._inode: int | None = None
        self._knocks: dict[int, tuple[socket.socket, QSocketNotifier, bytearray]] = {}

    def acquire(self, timeout_ms: int = 1500) -> bool:
        """Bounded: at most two knocks of `timeout_ms` each (before the event loop runs)."""
        return acquire(
            lambda: self._knock(timeout_ms), self._listen, self._remove_path, str(self.path)
        )

    def ask_running_instance(self, timeout_ms: int = 1500) -> bool:
        """True when a running instance answered (and will show its list)."""
        return self._knock(timeout_ms) == "answered"

    def _knock(self, timeout_ms: int) -> str:
        """'answered'; 'silent' (a listener that did not answer in time, or is not ours);
        or 'absent' (no socket, or nobody listens on it)."""
        try:
            info = os.lstat(self.path)
        except FileNotFoundError:
            return "absent"
        except OSError:
            return "silent"
        if not stat.S_ISSOCK(info.st_mode) or info.st_uid != os.getuid():
            return "silent"  # not something our instance made: never talk to it
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(timeout_ms / 1000)
            try:
                client.connect(str(self.path))
            except OSError:
                return "absent"  # nobody listens on it (a crash left it)
            if not same_user(client):
                return "silent"
            deadline = time.monotonic() + timeout_ms / 1000
            try:
                client.sendall(SHOW_LIST)
                answer = _read_line(client, deadline)
            except OSError:  # timeout included: a listener whose loop does not run now
                return "silent"
            return "answered" if answer == ACK else "silent"

    def _remove_path(self) -> None:
        with contextlib.suppress(FileNotFoundError, IsADirectoryError):
            self.path.unlink()

    def _listen(self) -> bool:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(str(self.path))
        except OSError as error:
            server.close()
            if error.errno in (errno.EADDRINUSE, errno.EEXIST):
                return False
            raise
        # Only this user may knock (the folder is private too); a knock can only ask for
        # the list to be shown.
        os.chmod(self.path, 0o600)
        server.listen(8)
        server.setblocking(False)
        self._inode = os.stat(self.path).st_ino
        self._server = server
        self._notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_connection)
        return True

    def _on_connection(self) -> None:
        """Accept every waiting knock without blocking: each is read when its line arrives
        (its own notifier), and dropped after ANSWER_WAIT if it never does."""
        assert self._server is not None
        while True:
            try:
                conn, _addr = self._server.accept()
            except (BlockingIOError, InterruptedError):
                return
            except OSError:
                return  # e.g. out of descriptors: the next knock tries again
            if len(self._knocks) >= MAX_KNOCKS or not same_user(conn):
                conn.close()
                continue
            conn.setblocking(False)
            notifier = QSocketNotifier(conn.fileno(), QSocketNotifier.Type.Read, self)
            key = conn.fileno()
            self._knocks[key] = (conn, notifier, bytearray())
            notifier.activated.connect(lambda *_args, key=key: self._on_knock_data(key))
            QTimer.singleShot(int(ANSWER_WAIT * 1000), self, lambda key=key: self._drop(key))

    def _on_knock_data(self, key: int) -> None:
        entry = self._knocks.get(key)
        if entry is None:
            return
        conn, _notifier, data = entry
        try:
            chunk = conn.recv(64 - len(data))
        except (BlockingIOError, InterruptedError):
            return
        except OSError:
            chunk = b""
        data += chunk
        if chunk and not data.endswith(b"\n") and len(data) < 64:
            return  # more to come
        asked = bytes(data) == SHOW_LIST
        if asked:
            with contextlib.suppress(OSError):
                conn.send(ACK)  # 3 bytes into an empty socket buffer: never blocks
        self._drop(key)
        if asked:
            self.show_requested.emit()

    def _drop(self, key: int) -> None:
        entry = self._knocks.pop(key, None)
        if entry is None:
            return
        conn, notifier, _data = entry
        notifier.setEnabled(False)
        notifier.deleteLater()
        conn.close()

    def close(self) -> None:
        for key in list(self._knocks):
            self._drop(key)
        if self._notifier is not None:
            self._notifier.setEnabled(False)
            self._notifier = None
        if self._server is not None:
            self._server.close()
            self._server = None
            # Remove our socket file, never one a later instance bound after a takeover.
            with contextlib.suppress(OSError):
                if os.stat(self.path).st_ino == self._inode:
                    self.path.unlink()


def _read_line(conn: socket.socket, deadline: float, limit: int = 64) -> bytes:
    """One short line, within `deadline` overall (a peer dripping bytes cannot stretch it)."""
    data = b""
    while not data.endswith(b"\n") and len(data) < limit:
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no answer in time")
        conn.settimeout(left)
        chunk = conn.recv(limit - len(data))
        if not chunk:
            break
        data += chunk
    return data


if sys.platform == "win32":
    from trayapp.ui.single_instance_qt import QtLocalSingleInstance as SingleInstance
else:
    SingleInstance = UnixSingleInstance

__all__ = ["SingleInstance", "UnixSingleInstance"]
