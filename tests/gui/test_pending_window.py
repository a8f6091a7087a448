"""The pending list: order, sections, live countdown, plain text only, keyboard actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QLabel
from pytestqt.qtbot import QtBot

from trayapp.core.model import AccountHealth, HealthState
from trayapp.ui.i18n import LanguageSwitcher
from trayapp.ui.pending_window import ItemRow, PendingWindow

from .helpers import NOW, Clock, sample_items

pytestmark = pytest.mark.gui


@pytest.fixture
def clock() -> Clock:
    return Clock()


@pytest.fixture
def window(qtbot: QtBot, clock: Clock) -> PendingWindow:
    w = PendingWindow(clock=clock)
    qtbot.addWidget(w)
    w.set_items(sample_items())
    w.set_health({"shop": AccountHealth(HealthState.CONNECTED)})
    return w


def _row_ids(window: PendingWindow) -> list[str | None]:
    ids = []
    for i in range(window.list.count()):
        widget = window.list.itemWidget(window.list.item(i))
        ids.append(widget.item.id if isinstance(widget, ItemRow) else None)
    return ids


def _headers(window: PendingWindow) -> list[str]:
    texts = []
    for i in range(window.list.count()):
        widget = window.list.itemWidget(window.list.item(i))
        if not isinstance(widget, ItemRow) and isinstance(widget, QLabel):
            texts.append(widget.text())
    return texts


def test_most_urgent_first_and_acknowledged_in_their_own_section(window: PendingWindow) -> None:
    assert _row_ids(window) == [None, "overdue", "urgent", "calm", None, "acked"]
    assert _headers(window) == ["Waiting for a reply (3)", "Acknowledged — promised answer (1)"]


def test_countdowns_show_time_left_late_and_the_promise(window: PendingWindow) -> None:
    rows = window._rows
    assert rows["overdue"].countdown.text() == "2h 05m late"
    assert rows["urgent"].countdown.text() == "42m left"
    assert rows["calm"].countdown.text() == "7h 12m left"
    assert rows["acked"].countdown.text() == "26h 00m left"
    assert "Promised answer by" in rows["acked"].countdown.toolTip()


def test_mail_text_is_plain_text_never_html(window: PendingWindow) -> None:
    row = window._rows["overdue"]
    for label in (row.sender_label, row.subject, row.preview):
        assert label.textFormat() == Qt.TextFormat.PlainText
    assert row.subject.text() == "<b>返品について</b>"
    assert row.preview.text().startswith("<html><img src='http://tracker.example/x.png'>")
    # Newlines in previews are folded into one line.
    assert "\n" not in window._rows["calm"].preview.text()


def test_one_timer_ticks_at_the_next_minute_boundary_only_while_visible(
    window: PendingWindow, clock: Clock, qtbot: QtBot
) -> None:
    assert not window._tick.isActive()
    window.show_near(None)
    qtbot.waitExposed(window)
    tick = window._tick
    assert tick.isActive() and tick.isSingleShot()
    # NOW is hh:mm:30, so the next minute boundary is ~30 s away.
    assert 28_000 <= tick.remainingTime() <= 31_600  # a coarse timer may be 5 % off
    clock.now = NOW + timedelta(minutes=3)
    tick.timeout.emit()
    assert window._rows["urgent"].countdown.text() == "39m left"
    clock.now = NOW + timedelta(minutes=43)
    window.refresh_countdowns()
    assert window._rows["urgent"].countdown.text() == "1m late"
    window.hide()
    assert not tick.isActive()


def test_not_covered_accounts_show_a_banner(window: PendingWindow) -> None:
    assert window.banner.isHidden()
    window.set_health(
        {
            "shop": AccountHealth(HealthState.CONNECTED),
            "support": AccountHealth(HealthState.ERROR, reason="authentication failed"),
        }
    )
    assert not window.banner.isHidden()
    assert window.banner.text() == (
        "Not covered: support — error: The mail server refused the user name or password."
        " If you changed the password (or need an app password), enter the new one."
    )


def test_the_banner_says_a_server_failure_plainly_in_japanese(
    window: PendingWindow, qapp: QApplication
) -> None:
    switcher = LanguageSwitcher(qapp)
    try:
        assert switcher.apply("ja")
        qapp.processEvents()
        window.set_health(
            {
                "support": AccountHealth(
                    HealthState.ERROR,
                    reason="imap.example.jp:993: login failed (wrong user name or password?): "
                    "b'[AUTHENTICATIONFAILED] Authentication failed.'",
                )
            }
        )
        text = window.banner.text()
        assert "imap.example.jp にログインできません。" in text
        assert "b'" not in text and "AUTHENTICATIONFAILED" not in text
    finally:
        switcher.apply("en")


def test_keyboard_enter_and_shortcuts_emit_the_actions(window: PendingWindow, qtbot: QtBot) -> None:
    window.show_near(None)
    qtbot.waitExposed(window)
    assert window.current_item() is not None
    assert window.current_item().id == "overdue"  # type: ignore[union-attr]
    with qtbot.waitSignal(window.acknowledge_requested) as ack:
        qtbot.keyClick(window.list, Qt.Key.Key_Return)
    assert ack.args == ["overdue"]
    qtbot.keyClick(window.list, Qt.Key.Key_Down)
    assert window.current_item().id == "urgent"  # type: ignore[union-attr]
    with qtbot.waitSignal(window.mark_answered_requested) as answered:
        qtbot.keyClick(window.list, Qt.Key.Key_D)
    assert answered.args == ["urgent"]
    with qtbot.waitSignal(window.not_inquiry_requested) as dismissed:
        qtbot.keyClick(window.list, Qt.Key.Key_N)
    assert dismissed.args == ["urgent"]
    with qtbot.waitSignal(window.ignore_sender_requested) as ignored:
        qtbot.keyClick(window.list, Qt.Key.Key_I)
    assert ignored.args == ["shop", "alice@example.com"]
    with qtbot.waitSignal(window.open_in_mail_requested) as opened:
        qtbot.keyClick(window.list, Qt.Key.Key_O)
    assert opened.args == ["urgent"]
    # Headers are skipped by the arrows: down twice from 'calm' lands on the acknowledged one.
    qtbot.keyClick(window.list, Qt.Key.Key_Down)
    qtbot.keyClick(window.list, Qt.Key.Key_Down)
    assert window.current_item().id == "acked"  # type: ignore[union-attr]
    # An acknowledged item is not acknowledged again; its "answered" reads "Done".
    with qtbot.assertNotEmitted(window.acknowledge_requested):
        qtbot.keyClick(window.list, Qt.Key.Key_Return)
    assert not window.ack_button.isEnabled()
    assert window.answered_button.text() == "Done (D)"
    qtbot.keyClick(window.list, Qt.Key.Key_Escape)
    assert not window.isVisible()


def test_selection_survives_an_update(window: PendingWindow) -> None:
    assert window.select_item("calm")
    items = sample_items()
    window.set_items([i for i in items if i.id != "urgent"])
    assert window.current_item() is not None
    assert window.current_item().id == "calm"  # type: ignore[union-attr]
    window.set_items([])
    assert window.list.isHidden() and not window.empty.isHidden()
    assert window.current_item() is None


def test_buttons_emit_for_the_selected_item(window: PendingWindow, qtbot: QtBot) -> None:
    window.select_item("calm")
    with qtbot.waitSignal(window.acknowledge_requested) as ack:
        window.ack_button.click()
    assert ack.args == ["calm"]


def test_japanese_ui(window: PendingWindow, qapp: QApplication) -> None:
    switcher = LanguageSwitcher(qapp)
    try:
        assert switcher.apply("ja")
        qapp.processEvents()  # LanguageChange reaches the widgets through the event loop
        assert window.windowTitle() == "Ippo — 返信待ち"
        assert window.ack_button.text() == "一報を送る (A)"
        assert _headers(window) == ["返信待ち（3件）", "一報済み — 回答の約束（1件）"]
        assert window._rows["overdue"].countdown.text() == "2時間5分超過"  # not "2h 05m 超過"
        assert window._rows["urgent"].countdown.text() == "あと42分"
    finally:
        switcher.apply("en")
        qapp.processEvents()
    assert window.ack_button.text() == "Send first reply (A)"
