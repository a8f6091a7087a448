"""Which notification backends this platform gets, and the bridge that brings the person's
actions on a notification ("Send first word", "Snooze 1 h", a click) to the GUI thread.

Backends report actions from whatever thread their library uses (the D-Bus one from Qt's
loop, desktop-notifier from its asyncio thread); `NotificationActions.report` may be called
from any of them: the signal is queued to the GUI thread, where the app acts on it.
"""

from __future__ import annotations

import logging
import sys
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal

from trayapp.desktop.notify import NotificationBackend, PlyerBackend

log = logging.getLogger(__name__)


class NotificationActions(QObject):
    invoked = Signal(str, list)  # action key, the inquiries the notification tells
    _call = Signal(object)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._call.connect(self._run, Qt.ConnectionType.QueuedConnection)

    def report(self, key: str, item_ids: tuple[str, ...]) -> None:
        """From any thread: the person acted on a notification."""
        self.invoked.emit(key, list(item_ids))

    def call_soon(self, work: Callable[[], None]) -> None:
        """From any thread: run `work` on the GUI thread."""
        self._call.emit(work)

    @staticmethod
    def _run(work: Callable[[], None]) -> None:
        work()


def platform_backends(actions: NotificationActions, app_icon: str) -> list[NotificationBackend]:
    """The native backends for this platform, best first (the tray's balloon comes after)."""
    if sys.platform.startswith("linux") or "bsd" in sys.platform:
        from trayapp.ui.dbus_notifier import DBusNotifier

        notifier = DBusNotifier(actions.report, app_icon=app_icon, parent=actions)
        notifier.start()
        return [notifier]
    backends: list[NotificationBackend] = []
    try:
        from trayapp.desktop.native_notify import DesktopNotifierBackend

        backends.append(
            DesktopNotifierBackend(actions.report, app_icon=app_icon, call_soon=actions.call_soon)
        )
    except ImportError as error:
        log.info("desktop-notifier is not available: %s", error)
    backends.append(PlyerBackend(app_icon=app_icon))
    return backends
