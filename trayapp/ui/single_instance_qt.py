"""Single instance through Qt's QLocalServer/QLocalSocket (a named pipe on Windows).

Used on Windows only (trayapp/ui/single_instance.py picks it): elsewhere a plain AF_UNIX
socket does the same without loading QtNetwork (~3 MB resident in a tray app that stays up
all day). It behaves the same on every platform, so the tests run it on Linux too: there it
uses the same private path as the AF_UNIX one and checks the peer's user id on the native
descriptor. The GUI thread never waits on a knock: each one is answered from readyRead.
"""

from __future__ import annotations

import contextlib
import socket
import sys

from PySide6.QtCore import QObject, QTimer, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from trayapp.desktop.single_instance import ACK, SHOW_LIST, acquire, same_user, socket_path

ANSWER_WAIT_MS = 500


def _address(name: str) -> str:
    return name if sys.platform == "win32" else str(socket_path(name))


def _same_user(local: QLocalSocket) -> bool:
    if sys.platform == "win32":
        return True  # the pipe's ACL (UserAccessOption) admits only this user
    fd = int(local.socketDescriptor())
    if fd < 0:
        return False
    with socket.fromfd(fd, socket.AF_UNIX, socket.SOCK_STREAM) as dup:
        return same_user(dup)


class QtLocalSingleInstance(QObject):
    """`acquire()` is True when we are the first instance (then we listen and emit
    `show_requested` when a later start knocks); False when another instance answered
    (it has been asked to show its pending list, and this process should exit). A listener
    that is not this user's, or never answers, is taken over after a bounded wait."""

    show_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self.address = _address(name)
        self._server: QLocalServer | None = None

    def acquire(self, timeout_ms: int = 1500) -> bool:
        return acquire(
            lambda: self._knock(timeout_ms),
            self._listen,
            lambda: QLocalServer.removeServer(self.address),
            self.address,
        )

    def ask_running_instance(self, timeout_ms: int = 1500) -> bool:
        """True when a running instance answered (and will show its list)."""
        return self._knock(timeout_ms) == "answered"

    def _knock(self, timeout_ms: int) -> str:
        """'answered'; 'silent' (it accepted but did not answer in time, or is not ours);
        or 'absent'."""
        local = QLocalSocket()
        local.connectToServer(self.address)
        if not local.waitForConnected(timeout_ms):
            return "absent"
        try:
            if not _same_user(local):
                return "silent"
            local.write(SHOW_LIST)
            local.flush()
            answer = b""
            while not answer.endswith(b"\n") and len(answer) < 64:
                if not local.waitForReadyRead(timeout_ms):
                    break
                answer += bytes(local.readAll().data())
            return "answered" if answer == ACK else "silent"
        finally:
            local.abort()

    def _listen(self) -> bool:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.address):
            server.deleteLater()
            return False
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def _on_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            local = self._server.nextPendingConnection()
            if not _same_user(local):
                local.abort()
                local.deleteLater()
                continue
            local.readyRead.connect(lambda local=local: self._on_knock_data(local))
            QTimer.singleShot(ANSWER_WAIT_MS, local, local.abort)
            local.disconnected.connect(local.deleteLater)
            if local.canReadLine():
                self._on_knock_data(local)

    def _on_knock_data(self, local: QLocalSocket) -> None:
        if not local.canReadLine() and local.bytesAvailable() < 64:
            return
        line = bytes(local.readLine(64).data())
        if line == SHOW_LIST:
            local.write(ACK)
            local.flush()
            self.show_requested.emit()
        local.disconnectFromServer()

    def close(self) -> None:
        if self._server is not None:
            with contextlib.suppress(RuntimeError):
                self._server.close()
            self._server = None
