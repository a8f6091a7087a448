"""Single instance over a local socket: a second `ippo` asks the first to show its list.

    SingleInstance         the implementation for this platform (same API everywhere)
    UnixSingleInstance     Linux/macOS: an AF_UNIX socket watched by a QSocketNotifier
    QtLocalSingleInstance  Windows: Qt's QLocalServer, a named pipe (ui/single_instance_qt.py)

The Unix one is plain Python so that the tray app does not load QtNetwork (~3 MB resident,
measured by bench/bench_app_memory.py) for one socket. It uses the path QLocalServer would
(the temp folder + the name), so both kinds find each other.
"""

from __future__ import annotations

import contextlib
import errno
import os
import socket
import sys
import tempfile
from pathlib import Path

from PySide6.QtCore import QObject, QSocketNotifier, Signal

from trayapp.desktop.single_instance import ACK, SHOW_LIST

ANSWER_WAIT = 0.5  # seconds the first instance waits for a knocking start's one line


class UnixSingleInstance(QObject):
    """`acquire()` is True when we are the first instance (then we listen and emit
    `show_requested` when a later start knocks); False when another instance answered
    (it has been asked to show its pending list, and this process should exit)."""

    show_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.path = Path(tempfile.gettempdir()) / name
        self._server: socket.socket | None = None
        self._notifier: QSocketNotifier | None = None
        self._inode: int | None = None

    def acquire(self, timeout_ms: int = 1500) -> bool:
        if self._knock(timeout_ms) != "absent":
            return False
        if self._listen():
            return True
        # Lost a race with another instance starting right now, or a socket left by a crash.
        if self._knock(timeout_ms) != "absent":
            return False
        with contextlib.suppress(FileNotFoundError):
            self.path.unlink()  # nobody accepts on it: it is stale
        return self._listen()

    def ask_running_instance(self, timeout_ms: int = 1500) -> bool:
        """True when a running instance answered (and will show its list)."""
        return self._knock(timeout_ms) == "answered"

    def _knock(self, timeout_ms: int) -> str:
        """'answered'; 'busy' (it accepted but did not answer in time: it is running, so we
        must not take its socket); or 'absent'."""
        with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as client:
            client.settimeout(timeout_ms / 1000)
            try:
                client.connect(str(self.path))
            except OSError:
                return "absent"  # no socket file, or nobody listens on it (a crash left it)
            try:
                client.sendall(SHOW_LIST)
                answer = _read_line(client)
            except OSError:  # timeout included: a listener whose loop does not run now
                return "busy"
            return "answered" if answer == ACK else "busy"

    def _listen(self) -> bool:
        server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        try:
            server.bind(str(self.path))
        except OSError as error:
            server.close()
            if error.errno in (errno.EADDRINUSE, errno.EEXIST):
                return False
            raise
        # Only this user may knock (what QLocalServer's UserAccessOption does); a knock can
        # only ask for the list to be shown.
        os.chmod(self.path, 0o600)
        server.listen(8)
        server.setblocking(False)
        self._inode = os.stat(self.path).st_ino
        self._server = server
        self._notifier = QSocketNotifier(server.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._on_connection)
        return True

    def _on_connection(self) -> None:
        assert self._server is not None
        while True:
            try:
                conn, _addr = self._server.accept()
            except (BlockingIOError, InterruptedError):
                return
            with conn:
                # The knocking side writes its one line right after connecting; reading it
                # here (briefly blocking) keeps no per-connection state or callbacks alive.
                conn.settimeout(ANSWER_WAIT)
                try:
                    if _read_line(conn) != SHOW_LIST:
                        continue
                    conn.sendall(ACK)
                except OSError:
                    continue
            self.show_requested.emit()

    def close(self) -> None:
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


def _read_line(conn: socket.socket, limit: int = 64) -> bytes:
    data = b""
    while not data.endswith(b"\n") and len(data) < limit:
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
