"""Quiet hours through the real notification daemon (dunst on a private D-Bus session, every
Notify call read off the bus): one warning at their start listing what passes its deadline
before they end, nothing inside them, one summary when they end."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from tests.support.desktop_session import Desktop, start_desktop
from trayapp.core.notifications import Holds
from trayapp.core.quiet import parse_quiet_hours
from trayapp.desktop.notify import NotificationScheduler, Notifier
from trayapp.store.db import StateStore
from trayapp.ui.dbus_notifier import DBusNotifier

from .helpers import Clock, inquiry

pytestmark = [pytest.mark.gui, pytest.mark.integration]

TOKYO = ZoneInfo("Asia/Tokyo")
START = datetime(2026, 6, 3, 22, 0, tzinfo=TOKYO)
END = datetime(2026, 6, 4, 7, 30, tzinfo=TOKYO)


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[Desktop]:
    with start_desktop(keyring="absent", tray=False, notifications=False) as desk:
        for name, value in desk.env().items():
            if name in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
                monkeypatch.setenv(name, value)
        yield desk


def test_quiet_hours_warn_at_start_stay_silent_and_summarize_at_end(
    session: Desktop, tmp_path: Path, qtbot: QtBot
) -> None:
    calls = session.start_dunst()
    evening = START - timedelta(minutes=10)
    clock = Clock(evening)
    items = [
        inquiry(
            "a1",
            START + timedelta(hours=1, minutes=30) - evening,
            "Alice <a@x.test>",
            uid=1,
            now=evening,
        ),
        inquiry("b2", START + timedelta(hours=4) - evening, "Bob <b@x.test>", uid=2, now=evening),
        inquiry(
            "c3",
            END + timedelta(hours=2, minutes=30) - evening,
            "Carol <c@x.test>",
            uid=3,
            now=evening,
        ),
    ]
    armed: list[timedelta | None] = []
    dbus = DBusNotifier(lambda key, items: None)  # the app's own D-Bus notifier

    def calls_once(count: int) -> list[str]:
        qtbot.waitUntil(lambda: calls.count() >= count, timeout=20_000)  # Qt's loop sends
        return calls.calls()

    with StateStore(tmp_path) as store:
        scheduler = NotificationScheduler(
            Notifier([dbus]), store, armed.append, clock, max_wait=timedelta(days=1)
        )
        scheduler.set_holds(Holds(quiet_hours=parse_quiet_hours("22:00-07:30"), zone=TOKYO))
        scheduler.update(items)
        # 21:50: Alice's warning (1 h 40 left) goes out as usual; the timer is set for 22:00.
        assert "Alice" in calls_once(1)[0]
        assert armed[-1] == timedelta(minutes=10)
        # 22:00: one warning about the night, nothing else.
        clock.now = START
        scheduler.check()
        warning = calls_once(2)[1]
        assert "2 inquiries will pass their deadline tonight" in warning
        assert "Alice" in warning and "Bob" in warning and "Carol" not in warning
        # Inside quiet hours: silence, whatever falls due (Alice is overdue at 23:30).
        for hour in (1, 2, 5, 9):
            clock.now = START + timedelta(hours=hour)
            scheduler.check()
            assert armed[-1] is not None and clock.now + armed[-1] <= END
        qtbot.wait(1000)
        assert calls.count() == 2, calls.text()
        # 07:30: one summary of what happened (two overdue, Carol now in her warning stage).
        clock.now = END
        scheduler.check()
        summary = calls_once(3)[2]
        assert "3 inquiries need a reply" in summary
        qtbot.wait(1000)
        scheduler.check()
        qtbot.wait(500)
        assert calls.count() == 3, calls.text()
    dbus.close()
