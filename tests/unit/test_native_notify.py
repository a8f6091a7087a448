"""The Windows/macOS recipe (desktop.native_notify): Ippo's notification mapped onto the real
desktop-notifier types, and the backend's replace/withdraw/fallback flow over its asyncio
thread (the library's platform notifier is replaced by a recorder: there is no WinRT or
UserNotifications here; the recipe is run on those systems later)."""

from __future__ import annotations

import threading
import time
from datetime import UTC, datetime, timedelta
from typing import Any

from desktop_notifier import Notification, Urgency

from trayapp.core.notifications import ACTION_ACK, ACTION_OPEN, ACTION_SNOOZE, NotificationText
from trayapp.desktop.native_notify import DesktopNotifierBackend, native_notification

DUE = datetime(2024, 6, 3, 12, 0, tzinfo=UTC)
ACTIONS = (
    (ACTION_OPEN, "一覧を開く"),
    (ACTION_ACK, "一報を送る"),
    (ACTION_SNOOZE, "1時間後に再通知"),
)


def text(item_id: str = "a", *, resident: bool = False, due: datetime = DUE) -> NotificationText:
    return NotificationText(
        "あと2hで返信期限",
        '"<b>Boss</b>" <boss@example.com>\n<img src=x> 至急',
        ((item_id, due),),
        overdue=resident,
        actions=ACTIONS,
        resident=resident,
    )


def test_buttons_click_and_urgency_map_onto_desktop_notifier() -> None:
    seen: list[tuple[str, tuple[str, ...]]] = []
    native = native_notification(text(), lambda key, items: seen.append((key, items)))
    assert isinstance(native, Notification)
    assert [b.title for b in native.buttons] == ["一報を送る", "1時間後に再通知"]
    assert native.urgency is Urgency.Normal
    # Plain text: the library writes it as escaped XML text (Windows) or an NSString.
    assert native.message == '"<b>Boss</b>" <boss@example.com>\n<img src=x> 至急'
    native.buttons[0].on_pressed()  # type: ignore[misc]
    native.buttons[1].on_pressed()  # type: ignore[misc]
    native.on_clicked()  # type: ignore[misc]
    assert seen == [(ACTION_ACK, ("a",)), (ACTION_SNOOZE, ("a",)), (ACTION_OPEN, ("a",))]
    assert native_notification(text(resident=True), lambda *_: None).urgency is Urgency.Critical


class PlatformRecorder:
    """Stands in for DesktopNotifier's platform part: records on the asyncio thread."""

    def __init__(self, fail: bool = False) -> None:
        self.sent: list[Notification] = []
        self.cleared: list[str] = []
        self.fail = fail

    async def send_notification(self, notification: Notification) -> str:
        self.sent.append(notification)
        if self.fail:
            raise RuntimeError("not authorised")
        return notification.identifier

    async def clear(self, identifier: str) -> None:
        self.cleared.append(identifier)


def until(condition: Any) -> None:
    """The asyncio thread has done it (bounded: 5 s)."""
    deadline = time.monotonic() + 5
    while not condition():
        assert time.monotonic() < deadline, "the notifications thread did not get to it"
        time.sleep(0.01)


def test_next_stage_replaces_and_an_answered_inquiry_is_cleared() -> None:
    recorder = PlatformRecorder()
    backend = DesktopNotifierBackend(lambda *_: None, notifier=recorder)
    try:
        backend.show(text("a"))
        until(lambda: len(recorder.sent) == 1)
        first = recorder.sent[0].identifier
        backend.show(text("a"))  # the next stage of the same inquiry
        until(lambda: len(recorder.sent) == 2)
        assert recorder.cleared == [first]
        backend.withdraw({"a": DUE})  # still waiting as told: stays
        backend.withdraw({"a": DUE + timedelta(days=1)})  # acknowledged: a new deadline
        until(lambda: len(recorder.cleared) == 2)
        assert recorder.cleared == [first, recorder.sent[1].identifier]
    finally:
        backend.close()


def test_a_refused_notification_goes_to_the_next_backend_on_the_gui_thread() -> None:
    recorder = PlatformRecorder(fail=True)
    handed: list[Any] = []
    fell_back = threading.Event()

    def call_soon(work: Any) -> None:  # the app's queued call to the GUI thread
        handed.append(work)
        fell_back.set()

    backend = DesktopNotifierBackend(lambda *_: None, notifier=recorder, call_soon=call_soon)
    got: list[NotificationText] = []
    backend.fallback = got.append
    try:
        backend.show(text("a"))
        assert fell_back.wait(5)
        assert got == []  # not run on the notifications thread
        handed[0]()
        assert got == [text("a")]
    finally:
        backend.close()
