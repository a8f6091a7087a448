"""Windows and macOS notifications with actions, through desktop-notifier (WinRT toasts, the
macOS UserNotifications framework). Qt-free.

desktop-notifier is asyncio-based: it runs here on an event loop of its own thread, so the
GUI thread only hands work over (`run_coroutine_threadsafe`) and never waits for it. The
person's actions come back on that thread through `on_action` (the app's
ui.notification_actions.NotificationActions.report, which queues them to the GUI thread).

Mail text goes as plain text: desktop-notifier writes it into the toast XML as escaped text
(Windows) or into plain NSString fields (macOS); nothing reads markup there.

Written and unit-tested on Linux (the mapping below against the real library's types); to
be run on those systems. On macOS, notifications need a signed app bundle (the PyInstaller
build in installers/macos), or the system refuses authorisation: the error sends the
notification on to the next backend (plyer, then the tray's balloon).
"""

from __future__ import annotations

import asyncio
import logging
import threading
from collections.abc import Callable
from concurrent.futures import Future
from functools import partial
from pathlib import Path
from typing import Any

from desktop_notifier import Button, DesktopNotifier, Icon, Notification, Urgency

from trayapp.core.live_notifications import LiveNotifications
from trayapp.core.notifications import ACTION_OPEN, NotificationText
from trayapp.desktop.notify import APP_NAME, ActionHandler, WithdrawsLive

log = logging.getLogger(__name__)


def native_notification(note: NotificationText, on_action: ActionHandler) -> Notification:
    """The desktop-notifier Notification for one of Ippo's: buttons for the actions (the
    first, ACTION_OPEN, is the click), critical when it must stay until the person acts."""
    items = note.item_ids
    buttons = tuple(
        Button(title=label, on_pressed=partial(on_action, key, items))
        for key, label in note.actions
        if key != ACTION_OPEN
    )
    return Notification(
        title=note.title,
        message=note.message,
        urgency=Urgency.Critical if note.resident else Urgency.Normal,
        buttons=buttons,
        on_clicked=partial(on_action, ACTION_OPEN, items),
        thread="ippo",
    )


class DesktopNotifierBackend(WithdrawsLive[str]):
    """A LiveBackend (see desktop.notify) over desktop-notifier."""

    name = "desktop-notifier"

    def __init__(
        self,
        on_action: ActionHandler,
        app_icon: str = "",
        app_name: str = APP_NAME,
        notifier: Any = None,
        call_soon: Callable[[Callable[[], None]], None] | None = None,
    ) -> None:
        """`call_soon(fn)` runs fn on the GUI thread (a failure's fallback shows the tray's
        balloon, a widget); without it, fn runs on the notifications thread."""
        self.fallback: Callable[[NotificationText], None] | None = None
        self._on_action = on_action
        self._call_soon = call_soon or (lambda fn: fn())
        icon = Icon(path=Path(app_icon)) if app_icon else None
        self._notifier = notifier or DesktopNotifier(app_name=app_name, app_icon=icon)
        self._live: LiveNotifications[str] = LiveNotifications()
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(
            target=self._loop.run_forever, name="ippo-notifications", daemon=True
        )
        self._thread.start()

    def _submit(self, coroutine: Any) -> Future[Any]:
        return asyncio.run_coroutine_threadsafe(coroutine, self._loop)

    def show(self, note: NotificationText) -> None:
        # Toasts have no replaces_id: the earlier stage is cleared, the new one sent.
        replaced = self._live.replaces(note)
        if replaced is not None:
            self._live.closed(replaced)
            self._close(replaced)
        native = native_notification(note, self._on_action)
        for redundant in self._live.shown(note, native.identifier):
            self._close(redundant)
        future = self._submit(self._notifier.send_notification(native))
        future.add_done_callback(partial(self._sent, note, native.identifier))

    def _sent(self, note: NotificationText, identifier: str, future: Future[Any]) -> None:
        # On the loop's thread: the fallback is handed to the GUI thread.
        error = future.exception()
        if error is not None:
            log.warning("desktop-notifier failed: %r", error)
            fallback = self.fallback
            if fallback is not None:
                self._call_soon(lambda: fallback(note))

    def _close(self, identifier: str) -> None:
        self._submit(self._notifier.clear(identifier))

    def close(self) -> None:
        self._loop.call_soon_threadsafe(self._loop.stop)
