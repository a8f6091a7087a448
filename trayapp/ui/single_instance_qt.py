"""Single instance through Qt's QLocalServer/QLocalSocket (a named pipe on Windows).

Used on Windows only (trayapp/ui/single_instance.py picks it): elsewhere a plain AF_UNIX
socket does the same without loading QtNetwork (~3 MB resident in a tray app that stays up
all day). It behaves the same on every platform, so the tests run it on Linux too.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtNetwork import QLocalServer, QLocalSocket

from trayapp.desktop.single_instance import ACK, SHOW_LIST


class QtLocalSingleInstance(QObject):
    """`acquire()` is True when we are the first instance (then we listen and emit
    `show_requested` when a later start knocks); False when another instance answered
    (it has been asked to show its pending list, and this process should exit)."""

    show_requested = Signal()

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.name = name
        self._server: QLocalServer | None = None

    def acquire(self, timeout_ms: int = 1500) -> bool:
        if self._knock(timeout_ms) != "absent":
            return False
        if self._listen():
            return True
        # Lost a race with another instance starting right now, or a socket left by a crash.
        if self._knock(timeout_ms) != "absent":
            return False
        QLocalServer.removeServer(self.name)  # nobody accepts on it: it is stale
        return self._listen()

    def ask_running_instance(self, timeout_ms: int = 1500) -> bool:
        """True when a running instance answered (and will show its list)."""
        return self._knock(timeout_ms) == "answered"

    def _knock(self, timeout_ms: int) -> str:
        """'answered'; 'busy' (it accepted but did not answer in time: it is running, so we
        must not take its socket); or 'absent'."""
        socket = QLocalSocket()
        socket.connectToServer(self.name)
        if not socket.waitForConnected(timeout_ms):
            return "absent"
        socket.write(SHOW_LIST)
        socket.flush()
        answered = socket.waitForReadyRead(timeout_ms) and bytes(socket.readAll().data()) == ACK
        socket.disconnectFromServer()
        return "answered" if answered else "busy"

    def _listen(self) -> bool:
        server = QLocalServer(self)
        server.setSocketOptions(QLocalServer.SocketOption.UserAccessOption)
        if not server.listen(self.name):
            server.deleteLater()
            return False
        server.newConnection.connect(self._on_connection)
        self._server = server
        return True

    def _on_connection(self) -> None:
        assert self._server is not None
        while self._server.hasPendingConnections():
            socket = self._server.nextPendingConnection()
            # The knocking side writes its one line right after connecting; reading it here
            # (briefly blocking) keeps no per-connection state or callbacks alive.
            if socket.canReadLine() or socket.waitForReadyRead(500):
                line = bytes(socket.readLine().data())
                if line == SHOW_LIST:
                    socket.write(ACK)
                    socket.flush()
                    socket.waitForBytesWritten(500)
                    self.show_requested.emit()
            socket.disconnectFromServer()
            socket.deleteLater()

    def close(self) -> None:
        if self._server is not None:
            self._server.close()
            self._server = None
