"""The app's away and snooze wiring: the list's snooze entry and the tray's away dialog write
through HoldsController (off the GUI thread) and ask the service to recompute; a snapshot's
holds reach the notifications, the tooltip and the menu."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from trayapp.core.away import Absence
from trayapp.core.notifications import Holds
from trayapp.mail.service import WatchSnapshot
from trayapp.policy import ClockPolicy, save_absence
from trayapp.store.db import StateStore

from .helpers import NOW, inquiry
from .test_app import CONNECTED, SHOP, Harness

pytestmark = pytest.mark.gui


@pytest.fixture
def harness(tmp_path: Path, qtbot: QtBot) -> Iterator[Harness]:
    h = Harness(tmp_path, [SHOP])
    yield h
    h.app.shutdown()


def publish(harness: Harness, holds: Holds, *items: object) -> None:
    watch = harness.watch
    watch.current = WatchSnapshot(
        NOW,
        tuple(items),
        {"shop": CONNECTED},
        tuple(watch.accounts),
        True,
        holds=holds,  # type: ignore[arg-type]
    )
    for listener in list(watch.listeners):
        listener(watch.current)


def test_snooze_from_the_list_and_away_from_the_tray(harness: Harness, qtbot: QtBot) -> None:
    app = harness.app
    app.start()
    item = inquiry("w1", timedelta(hours=3), "Jane Miller <jane@example.com>", "Order #4521")
    # Snoozed: the snapshot's holds say so, and no notification goes out; the badge counts it.
    publish(harness, Holds(snoozed={"w1": NOW + timedelta(hours=1)}), item)
    qtbot.waitUntil(lambda: app.pending.item("w1") is not None)
    assert harness.notes.shown == []
    badge = app.tray.current_badge()
    assert badge is not None and badge.kind == "warning"
    # The list's menu entry writes the snooze and asks for a recompute.
    refreshes = harness.watch.refreshes
    app.pending.snooze_requested.emit("shop", "w1", "tomorrow-morning")
    qtbot.waitUntil(lambda: harness.watch.refreshes > refreshes)
    with StateStore(harness.config.directory) as store:
        assert list(store.snoozes()) == ["w1"]
    # Away: the tray entry opens the dialog; choosing a time writes the absence.
    [away_action] = [a for a in app.tray.menu_actions() if a.text() == "I'm away…"]
    away_action.trigger()
    dialog = app.holds.dialog
    assert dialog is not None and dialog.isVisible()
    refreshes = harness.watch.refreshes
    chosen = dialog.chosen_until()
    dialog.away_button.click()
    qtbot.waitUntil(lambda: harness.watch.refreshes > refreshes)
    [absence] = ClockPolicy(harness.config).absences()
    assert absence.until == chosen
    # The next snapshot carries the absence: tooltip and menu say so.
    until = NOW + timedelta(days=2)
    publish(harness, Holds(absences=(Absence(NOW - timedelta(hours=1), until),)), item)
    qtbot.waitUntil(lambda: "Away until" in app.tray.toolTip())
    assert any(a.text().startswith("Away until") for a in app.tray.menu_actions())


def test_the_list_opens_on_return(harness: Harness, qtbot: QtBot) -> None:
    app = harness.app
    app.start()
    item = inquiry("w1", timedelta(hours=30), "Jane Miller <jane@example.com>", "Order #4521")
    back = NOW + timedelta(hours=2)
    publish(harness, Holds(absences=(Absence(NOW - timedelta(hours=5), back),)), item)
    qtbot.waitUntil(lambda: "Away until" in app.tray.toolTip())
    assert not app.has_list() or not app.pending.isVisible()
    # The badge timer is set for the moment of return; then the list opens.
    assert app.summary_timer.remaining_ms() <= 2 * 3600 * 1000
    harness.clock.now = back
    app.update_summary()
    assert "Away until" not in app.tray.toolTip()
    qtbot.waitUntil(lambda: app.pending.isVisible())


def test_quiet_hours_from_the_settings_reach_the_config(harness: Harness, qtbot: QtBot) -> None:
    app = harness.app
    app.start()
    app.open_settings()
    dialog = app.settings_dialog
    assert dialog is not None
    refreshes = harness.watch.refreshes
    dialog.quiet_hours.setText("22:00-07:30")
    assert dialog.apply()
    qtbot.waitUntil(lambda: harness.watch.refreshes > refreshes)
    assert ClockPolicy(harness.config).quiet_hours() is not None
    assert harness.config.settings["quiet_hours"] == "22:00-07:30"


def test_snooze_from_a_notification_is_kept(harness: Harness, qtbot: QtBot) -> None:
    app = harness.app
    app.start()
    item = inquiry("w1", timedelta(hours=3), "Jane Miller <jane@example.com>", "Order #4521")
    publish(harness, Holds(), item)
    qtbot.waitUntil(lambda: app.pending.item("w1") is not None)
    refreshes = harness.watch.refreshes
    app.on_notification_action("ippo-snooze", ["w1"])
    qtbot.waitUntil(lambda: harness.watch.refreshes > refreshes)
    with StateStore(harness.config.directory) as store:
        assert list(store.snoozes()) == ["w1"]


def test_an_absence_set_with_the_command_line_is_applied_at_once(
    harness: Harness, qtbot: QtBot
) -> None:
    """`ippo away set` writes config.json while the app runs; its accounts stay the same, so
    only a recompute makes the due times, the badge and the notifications follow -- now,
    not at the service's next periodic look."""
    app = harness.app
    app.start()
    refreshes = harness.watch.refreshes
    save_absence(harness.config, NOW, NOW + timedelta(days=2), NOW)  # what the command writes
    qtbot.waitUntil(lambda: harness.watch.refreshes > refreshes)
