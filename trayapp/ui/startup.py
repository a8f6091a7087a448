"""Start-up of the desktop app: the QApplication, its icon, and the wait for the panel's tray.

make_application()  the one QApplication, named so the desktop matches its .desktop entry
Startup             waits (inside the event loop, so signals still work) for a system tray,
                    then builds the app; or shows why it cannot run
"""

from __future__ import annotations

import logging
import os
import sys
from collections.abc import Callable
from typing import Protocol

from PySide6.QtCore import QCoreApplication, QObject, Qt, QTimer
from PySide6.QtGui import QIcon
from PySide6.QtWidgets import QApplication, QMessageBox

from trayapp.desktop.autostart import APP_ID
from trayapp.resources_paths import app_icon_files
from trayapp.ui.i18n import error_sentence
from trayapp.ui.messages import no_tray_message, system_tray_available

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_NO_TRAY = 1
EXIT_UNUSABLE = 2

# The panel's tray may start after us at login (autostart races the panel): wait this long
# for it before saying there is none.
TRAY_WAIT_SECONDS = 15.0
TRAY_WAIT_ENV = "IPPO_TRAY_WAIT"  # seconds; tests of the no-tray message shorten the wait
TRAY_POLL_MS = 250


class Startable(Protocol):
    def start(self) -> None: ...

    def shutdown(self) -> None: ...


WINDOW_ICON_MAX_PX = 128


def app_icon() -> QIcon:
    # PNGs only: the SVG would load Qt's SVG icon engine (~1.3 MB resident all day) for
    # sizes the shipped PNGs already cover. And up to 128 px: as the window icon, the 256 and
    # 512 px sizes cost ~1.2 MB resident all day (bench/bench_app_memory.py; decoded, that is
    # their size in pixels); docks and task switchers take their large icon from the installed
    # .desktop entry's theme icon (setDesktopFileName), not from the window.
    icon = QIcon()
    for path in app_icon_files():
        size = path.stem.rsplit("-", 1)[-1]
        if path.suffix.lower() == ".png" and size.isdigit() and int(size) <= WINDOW_ICON_MAX_PX:
            icon.addFile(str(path))
    return icon


def make_application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # argv[0] "ippo" gives the X11 windows (and the XEmbed tray icon) WM_CLASS "ippo", "Ippo";
    # the desktop file name lets Wayland and the portals match the installed .desktop entry.
    app = QApplication(["ippo"])
    app.setApplicationName("Ippo")  # no display name: Qt would append it to every title
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)  # closing the list or a dialog never quits
    icon = app_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)
    return app


def tray_wait_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(TRAY_WAIT_ENV, TRAY_WAIT_SECONDS)))
    except ValueError:
        return TRAY_WAIT_SECONDS


def stderr(message: str) -> None:
    sys.stderr.write(f"ippo: {message}\n")
    sys.stderr.flush()


class Startup(QObject):
    """Waits (inside the event loop, so signals still work) for the tray host, then builds
    the app; or shows why it cannot run."""

    def __init__(self, qapp: QApplication, build: Callable[[], Startable | None]) -> None:
        super().__init__()
        self._qapp = qapp
        self._build = build
        self.app: Startable | None = None
        self.status = EXIT_OK
        self._waited = 0.0
        self._wait_limit = tray_wait_seconds()
        self._timer = QTimer(self)
        self._timer.setInterval(TRAY_POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._box: QMessageBox | None = None

    def begin(self) -> None:
        if system_tray_available():
            self._ready()
        else:
            log.info("no system tray yet; waiting up to %.0f s", self._wait_limit)
            self._timer.start()

    def _poll(self) -> None:
        self._waited += TRAY_POLL_MS / 1000
        if system_tray_available():
            self._timer.stop()
            self._ready()
        elif self._waited >= self._wait_limit:
            self._timer.stop()
            log.error("no system tray after %.0f s", self._wait_limit)
            stderr("no system tray is available on this desktop")
            self.status = EXIT_NO_TRAY
            box = no_tray_message()
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.finished.connect(lambda _r: self._qapp.quit())
            self._box = box
            box.show()

    def _ready(self) -> None:
        try:
            self.app = self._build()
        except Exception as error:
            log.exception("could not start")
            self.status = EXIT_UNUSABLE
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                "Ippo",
                QCoreApplication.translate("Startup", "Ippo could not start: %1").replace(
                    "%1", error_sentence(error)
                ),
                QMessageBox.StandardButton.Close,
            )
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.finished.connect(lambda _r: self._qapp.quit())
            self._box = box
            box.show()
            return
        if self.app is not None:
            self.app.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._box is not None:
            self._box.close()


__all__ = [
    "EXIT_NO_TRAY",
    "EXIT_OK",
    "EXIT_UNUSABLE",
    "Startup",
    "app_icon",
    "make_application",
    "stderr",
]
