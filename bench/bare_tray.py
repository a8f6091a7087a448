"""The benchmarks' baseline: a bare PySide6 tray icon -- QApplication + one QSystemTrayIcon
with the app's icon and a one-item menu, nothing else: the floor a Qt tray icon costs.

    python bench/bare_tray.py ICON.png     (SIGTERM quits; bench_app_memory.py runs it so)

bench/gui_stall_bare.py builds the same tray with `make_bare_tray` and adds its heartbeat.
"""

from __future__ import annotations

import signal
import socket
import sys

from PySide6.QtCore import QSocketNotifier
from PySide6.QtGui import QAction, QIcon
from PySide6.QtWidgets import QApplication, QMenu, QSystemTrayIcon


def make_bare_tray(icon: str) -> tuple[QApplication, QSystemTrayIcon, QMenu]:
    app = QApplication(["bare-tray"])
    app.setQuitOnLastWindowClosed(False)
    tray = QSystemTrayIcon(QIcon(icon))
    menu = QMenu()
    menu.addAction(QAction("Quit", menu, triggered=app.quit))
    tray.setContextMenu(menu)
    tray.setToolTip("bare tray")
    tray.show()
    return app, tray, menu


def main() -> int:
    app, _tray, _menu = make_bare_tray(sys.argv[1])
    # The same clean-quit plumbing as the app (no polling timer): SIGTERM wakes the loop.
    r, w = socket.socketpair()
    r.setblocking(False)
    w.setblocking(False)
    signal.set_wakeup_fd(w.fileno())
    notifier = QSocketNotifier(r.fileno(), QSocketNotifier.Type.Read)
    notifier.activated.connect(lambda: r.recv(64))
    signal.signal(signal.SIGTERM, lambda *_: app.quit())
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
