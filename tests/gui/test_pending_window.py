"""The pending list: order, sections, live countdown, plain text only, keyboard actions."""

from __future__ import annotations

from datetime import timedelta

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QImage, QPainter
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from trayapp.core.model import AccountHealth, HealthState
from trayapp.ui.i18n import LanguageSwitcher
from trayapp.ui.pending_model import Row
from trayapp.ui.pending_window import PendingWindow

from .helpers import NOW, Clock, inquiry, sample_items

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
    return [r.item.id if r.item is not None else None for r in window.model.rows()]


def _headers(window: PendingWindow) -> list[str]:
    return [r.header for r in window.model.rows() if r.item is None]


def _row(window: PendingWindow, item_id: str) -> Row:
    row = window.row(item_id)
    assert row is not None
    return row


def _countdown(window: PendingWindow, item_id: str) -> str:
    return _row(window, item_id).countdown


def test_most_urgent_first_and_acknowledged_in_their_own_section(window: PendingWindow) -> None:
    assert _row_ids(window) == [None, "overdue", "urgent", "calm", None, "acked"]
    assert _headers(window) == ["Waiting for a reply (3)", "Acknowledged — promised answer (1)"]


def test_countdowns_show_time_left_late_and_the_promise(window: PendingWindow) -> None:
    assert _countdown(window, "overdue") == "2h 05m late"
    assert _countdown(window, "urgent") == "42m left"
    assert _countdown(window, "calm") == "7h 12m left"
    assert _countdown(window, "acked") == "26h 00m left"
    assert "Promised answer by" in _row(window, "acked").due_text
    index = window.model.index(window.model.row_of("acked"))
    assert "Promised answer by" in index.data(Qt.ItemDataRole.ToolTipRole)


def test_mail_text_is_plain_text_never_html(window: PendingWindow, qtbot: QtBot) -> None:
    row = _row(window, "overdue")
    # The delegate draws these strings as they are (QPainter.drawText: plain text).
    assert row.subject == "<b>返品について</b>"
    assert row.preview.startswith("<html><img src='http://tracker.example/x.png'>")
    # Newlines in previews are folded into one line.
    assert "\n" not in _row(window, "calm").preview
    # And the delegate paints the row (it only ever calls drawText with these strings).
    window.show_near(None)
    qtbot.waitExposed(window)
    index = window.model.index(window.model.row_of("overdue"))
    rect = window.list.visualRect(index)
    image = QImage(rect.size(), QImage.Format.Format_ARGB32)
    image.fill(0)
    painter = QPainter(image)
    window.list.render(painter, QPoint(0, 0), rect)
    painter.end()
    assert not image.isNull()


@pytest.mark.parametrize("language", ["en", "ja"])
def test_beside_a_tray_icon_in_the_corner_the_whole_window_is_on_screen(
    window: PendingWindow, qtbot: QtBot, qapp: QApplication, language: str
) -> None:
    # The button row is wider than the window's default width: placed at the default width,
    # the window ran off the screen's edge by the difference (the buttons on the right hidden).
    switcher = LanguageSwitcher(qapp)
    try:
        assert switcher.apply(language)
        screen = window.screen()
        assert screen is not None
        area = screen.availableGeometry()
        icon = QRect(area.right() - 23, area.top(), 24, 24)  # the tray's last icon, top right
        window.show_near(icon)
        qtbot.waitExposed(window)
        assert window.width() >= window.minimumSizeHint().width() > 460
        frame = window.frameGeometry()  # the platform's frame around it included
        assert frame.width() > window.width()
        assert area.contains(frame), (frame, area)
        assert frame.top() > icon.bottom()  # below the icon, not over it
    finally:
        switcher.apply("en")


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
    assert _countdown(window, "urgent") == "39m left"
    # Only rows whose text changed are repainted: one dataChanged run per changed block.
    changed: list[tuple[int, int]] = []
    window.model.dataChanged.connect(lambda a, b, *_: changed.append((a.row(), b.row())))
    window.refresh_countdowns()
    assert changed == []  # the same minute: nothing to repaint
    clock.now = NOW + timedelta(minutes=43)
    window.refresh_countdowns()
    assert _countdown(window, "urgent") == "1m late"
    assert changed and all(a <= b for a, b in changed)
    window.hide()
    assert not tick.isActive()


def test_a_snapshot_makes_new_rows_only_for_what_changed(
    window: PendingWindow, clock: Clock, qapp: QApplication
) -> None:
    before = {r.key: r for r in window.model.rows() if r.item is not None}
    items = sample_items()
    items[1] = inquiry(
        "urgent", timedelta(minutes=42), "Alice Martin <alice@example.com>", "Re: damaged", uid=2
    )
    window.set_items(items)  # the same items again, "urgent" with a new subject
    after = {r.key: r for r in window.model.rows() if r.item is not None}
    assert after["calm"] is before["calm"] and after["overdue"] is before["overdue"]
    assert after["urgent"] is not before["urgent"] and after["urgent"].subject == "Re: damaged"
    # Seconds later: the rows whose countdown shows another minute are new, the rest kept.
    clock.now = NOW + timedelta(seconds=10)
    window.refresh_countdowns()
    assert _countdown(window, "calm") == "7h 11m left"
    assert window.row("calm") is not after["calm"]
    assert window.row("overdue") is after["overdue"]  # 2h 05m 10s late: still "2h 05m"
    calm = window.row("calm")
    clock.now = NOW + timedelta(seconds=50)
    window.refresh_countdowns()
    assert window.row("calm") is calm and _countdown(window, "calm") == "7h 11m left"
    assert _countdown(window, "overdue") == "2h 05m late"
    clock.now = NOW + timedelta(seconds=70)
    window.refresh_countdowns()
    assert _countdown(window, "calm") == "7h 10m left"
    assert _countdown(window, "overdue") == "2h 06m late"
    # Another language: every row is made again, in it.
    switcher = LanguageSwitcher(qapp)
    try:
        assert switcher.apply("ja")
        qapp.processEvents()
        assert _countdown(window, "calm") == "あと7時間10分"
        assert _countdown(window, "overdue") == "2時間6分超過"
    finally:
        switcher.apply("en")
        qapp.processEvents()
    assert _countdown(window, "calm") == "7h 10m left"


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
        assert _countdown(window, "overdue") == "2時間5分超過"  # not "2h 05m 超過"
        assert _countdown(window, "urgent") == "あと42分"
    finally:
        switcher.apply("en")
        qapp.processEvents()
    assert window.ack_button.text() == "Send first reply (A)"


def test_an_update_touches_only_the_rows_that_changed(window: PendingWindow) -> None:
    """A new item is one inserted row (plus its header's count), a dismissed one one removed
    row: the view is never reset, so the selection and the scroll position stay."""
    events: list[tuple[str, int, int]] = []
    model = window.model
    model.modelReset.connect(lambda: events.append(("reset", -1, -1)))
    model.rowsInserted.connect(lambda _p, a, b: events.append(("insert", a, b)))
    model.rowsRemoved.connect(lambda _p, a, b: events.append(("remove", a, b)))
    model.dataChanged.connect(lambda a, b, *_: events.append(("changed", a.row(), b.row())))
    window.select_item("calm")
    items = sample_items()
    new = inquiry("new", timedelta(hours=3), uid=9)
    window.set_items([*items, new])
    # Order: overdue, urgent, new (3h), calm (7h): inserted at row 3, the header recounted.
    assert _row_ids(window) == [None, "overdue", "urgent", "new", "calm", None, "acked"]
    assert ("insert", 3, 3) in events and ("changed", 0, 0) in events
    assert not any(kind in ("reset", "remove") for kind, _a, _b in events)
    assert window.current_item().id == "calm"  # type: ignore[union-attr]
    events.clear()
    window.set_items([i for i in [*items, new] if i.id != "urgent"])
    assert ("remove", 2, 2) in events
    assert not any(kind in ("reset", "insert") for kind, _a, _b in events)
    events.clear()
    window.set_items([i for i in [*items, new] if i.id != "urgent"])
    assert events == []  # the same picture again: nothing to do


def test_a_thousand_items_are_rows_of_one_model(window: PendingWindow, qtbot: QtBot) -> None:
    many = [
        inquiry(f"m{n}", timedelta(minutes=5 * n - 600), uid=n, subject=f"#{n}")
        for n in range(1000)
    ]
    window.set_items(many)
    window.show_near(None)
    qtbot.waitExposed(window)
    ids = _row_ids(window)
    assert len(ids) == 1001 and ids[0] is None
    assert ids[1:4] == ["m0", "m1", "m2"]  # the most overdue first
    assert window.current_item().id == "m0"  # type: ignore[union-attr]
    # Laid out in batches between events (the GUI stays responsive); then End reaches the last.
    last = window.model.index(window.model.rowCount() - 1)
    qtbot.waitUntil(lambda: window.list.visualRect(last).isValid())
    qtbot.keyClick(window.list, Qt.Key.Key_End)
    assert window.current_item().id == "m999"  # type: ignore[union-attr]


def test_when_the_selected_item_leaves_the_next_row_takes_the_selection(
    window: PendingWindow,
) -> None:
    # Rows: header, overdue, urgent, calm, header, acked.
    assert window.select_item("urgent")
    items = sample_items()
    window.set_items([i for i in items if i.id != "urgent"])  # answered from the phone
    assert window.current_item().id == "calm"  # type: ignore[union-attr]
    # The last waiting one leaves: the waiting section's header goes too; the acknowledged
    # item below takes the place (never the top row).
    window.set_items([i for i in items if i.id not in ("urgent", "calm")])
    assert window.current_item().id == "acked"  # type: ignore[union-attr]
    window.set_items([i for i in items if i.id not in ("urgent", "calm", "acked")])
    assert window.current_item().id == "overdue"  # type: ignore[union-attr]


def test_a_hidden_list_builds_its_rows_when_shown_not_on_each_click(
    window: PendingWindow, qtbot: QtBot
) -> None:
    """Answered from a notification while the list is hidden: the item leaves the list's
    items at once, but its 1,000 rows are not rebuilt per click -- once, when shown."""
    from trayapp.store.set_aside import SetAside

    item = next(i for i in sample_items() if i.id == "urgent")
    before = window.model.rows()
    window.hide_set_aside(SetAside("answered", item))
    assert window.item("urgent") is None  # gone from what the list holds
    assert window.model.rows() == before  # nobody looks: no rows built yet
    window.show()
    qtbot.waitExposed(window)
    assert "urgent" not in _row_ids(window)
    assert _row_ids(window) == [None, "overdue", "calm", None, "acked"]
    window.hide()
    window.show_put_back(SetAside("answered", item))
    window.show()
    qtbot.waitExposed(window)
    assert _row_ids(window) == [None, "overdue", "urgent", "calm", None, "acked"]
    assert window.current_item() is not None and window.current_item().id == "urgent"
