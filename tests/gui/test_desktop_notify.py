"""Notifications through a real notification daemon (dunst) on a private D-Bus session, the
fallback when no daemon answers, and the scheduler's never-twice promise across a restart
(with the real SQLite state store)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.support.desktop_session import Desktop, NotifyCalls, start_desktop
from trayapp.core.model import Stage
from trayapp.desktop.notify import (
    CallableBackend,
    NotificationScheduler,
    NotificationUnavailable,
    Notifier,
    PlyerBackend,
)
from trayapp.store.db import StateStore

from .helpers import NOW, Clock, inquiry

pytestmark = [pytest.mark.gui, pytest.mark.integration]


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[Desktop]:
    """Xvfb and a private bus (activating nothing); each test starts dunst itself or not."""
    with start_desktop(keyring="absent", tray=False, notifications=False) as desk:
        env = desk.env()
        for name in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
            monkeypatch.setenv(name, env[name])
        yield desk


def dunst(desk: Desktop) -> NotifyCalls:
    """dunst on the test bus, and every Notify call to it recorded."""
    return desk.start_dunst()


def test_plyer_reaches_the_notification_daemon(session: Desktop) -> None:
    calls = dunst(session)
    fallback: list[tuple[str, str]] = []
    notifier = Notifier(
        [PlyerBackend(), CallableBackend("tray", lambda t, m: fallback.append((t, m)))]
    )
    assert notifier.notify("田中 太郎: reply within 3h", "見積もりのお願い") == "plyer"
    text = calls.wait_for(1)[0]
    assert "田中 太郎: reply within 3h" in text
    assert fallback == []


def test_without_a_daemon_the_tray_message_is_used(session: Desktop) -> None:
    fallback: list[tuple[str, str]] = []
    # Nothing owns or can activate the name: the check says so instead of letting
    # notify-send fail silently.
    with pytest.raises(NotificationUnavailable, match="no notification daemon on the session bus"):
        PlyerBackend().show("t", "m")
    notifier = Notifier(
        [PlyerBackend(), CallableBackend("tray", lambda t, m: fallback.append((t, m)))]
    )
    assert notifier.notify("title", "body") == "tray"
    assert fallback == [("title", "body")]


def test_a_daemon_that_cannot_start_sends_to_the_tray(session: Desktop) -> None:
    # Debian's dunst is D-Bus activatable (its own service file), but this bus cannot start
    # it (no display in the bus's environment): noticed, not swallowed by notify-send.
    session.make_activatable(Path("/usr/share/dbus-1/services/org.knopwob.dunst.service"))
    with pytest.raises(NotificationUnavailable, match="could not be started"):
        PlyerBackend().show("t", "m")
    fallback: list[tuple[str, str]] = []
    notifier = Notifier(
        [PlyerBackend(), CallableBackend("tray", lambda t, m: fallback.append((t, m)))]
    )
    assert notifier.notify("title", "body") == "tray"
    assert fallback == [("title", "body")]


def test_each_stage_is_notified_once_even_across_a_restart(
    session: Desktop, tmp_path: Path
) -> None:
    calls = dunst(session)
    clock = Clock(NOW)
    armed: list[timedelta | None] = []
    # A message 21 h old in a 24 h window: 3 h left, inside the 4 h warning lead.
    item = inquiry("w1", timedelta(hours=3), "Alice Martin <alice@example.com>", "Refund?")

    def run_app_once() -> NotificationScheduler:
        store = StateStore(tmp_path / "state.sqlite3")
        scheduler = NotificationScheduler(
            Notifier([PlyerBackend()]), store, armed.append, clock, max_wait=timedelta(days=1)
        )
        scheduler.update([item])
        store.close()
        return scheduler

    run_app_once()
    text = calls.wait_for(1)[0]
    assert "Alice Martin ‹alice@example.com›: reply within 3h" in text
    assert "Refund?" in text
    # The one timer is set for the exact start of the urgent stage (1 h before due).
    assert armed[-1] == timedelta(hours=2)
    # Restart: nothing new is due, so nothing is sent again.
    run_app_once()
    time.sleep(1.0)
    assert calls.count() == 1
    # Two hours later the urgent stage begins: one new notification, then none again.
    clock.now = NOW + timedelta(hours=2, seconds=1)
    run_app_once()
    text = calls.wait_for(2)[1]
    assert "reply within 59m" in text
    run_app_once()
    time.sleep(1.0)
    assert calls.count() == 2
    with StateStore(tmp_path / "state.sqlite3") as store:
        assert store.was_notified("w1", Stage.WARNING, item.deadline)
        assert store.was_notified("w1", Stage.URGENT, item.deadline)
        assert not store.was_notified("w1", Stage.OVERDUE, item.deadline)


def test_several_due_at_once_are_grouped(session: Desktop, tmp_path: Path) -> None:
    calls = dunst(session)
    items = [
        inquiry(f"g{n}", timedelta(minutes=20 * n), f"Customer {n} <c{n}@example.com>", uid=n)
        for n in range(1, 6)
    ]
    with StateStore(tmp_path / "state.sqlite3") as store:
        scheduler = NotificationScheduler(
            Notifier([PlyerBackend()]), store, lambda d: None, Clock(NOW)
        )
        sent = scheduler.update(items)
    assert sent is not None and sent.title == "5 inquiries need a reply"
    time.sleep(1.0)
    text = calls.wait_for(1)[0]
    assert calls.count() == 1
    assert "5 inquiries need a reply" in text
