"""The working-hours part of the settings: load, edit, validate, preview; the away dialog."""

from __future__ import annotations

import dataclasses
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from PySide6.QtCore import QPoint
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from trayapp.core.model import AccountConfig
from trayapp.ui.away import AwayDialog
from trayapp.ui.i18n import LanguageSwitcher
from trayapp.ui.schedule_editor import ScheduleEditor
from trayapp.ui.settings_dialog import SettingsDialog

pytestmark = pytest.mark.gui

TOKYO = ZoneInfo("Asia/Tokyo")
# Friday 5 June 2026, 19:30 in Tokyo.
FRIDAY_EVENING = datetime(2026, 6, 5, 19, 30, tzinfo=TOKYO)
SHOP = AccountConfig(
    "shop",
    "shop@example.jp",
    "imap.example.jp",
    window_hours=9,
    timezone="Asia/Tokyo",
    working_hours="mon-fri 09:00-18:00",
    holidays="jp",
    days_off=("2026-12-29..2027-01-03",),
)
PLAIN = AccountConfig("support", "support@example.jp", "imap.example.jp")


def test_preview_says_when_a_message_arriving_now_is_due(qtbot: QtBot) -> None:
    editor = ScheduleEditor("en", clock=lambda: FRIDAY_EVENING)
    qtbot.addWidget(editor)
    editor.load(SHOP)
    assert editor.preview.text() == "A message arriving now is due Monday, 8 June, 18:00 JST"
    editor.working_hours.setText("always")
    assert editor.preview.text() == "A message arriving now is due Saturday, 6 June, 04:30 JST"
    ja = ScheduleEditor("ja", clock=lambda: FRIDAY_EVENING)
    qtbot.addWidget(ja)
    ja.load(SHOP)
    assert "6月8日（月）18時" in ja.preview.text()


def test_settings_edit_the_schedule_and_refuse_bad_text(qtbot: QtBot) -> None:
    dialog = SettingsDialog([SHOP, PLAIN])
    qtbot.addWidget(dialog)
    changed: list[AccountConfig] = []
    dialog.account_settings_changed.connect(changed.append)
    assert dialog.schedule.working_hours.text() == "mon-fri 09:00-18:00"
    assert dialog.schedule.days_off.text() == "2026-12-29..2027-01-03"
    dialog.schedule.working_hours.setText("mon-fri 9-18")
    ok = dialog.buttons.button(QDialogButtonBox.StandardButton.Ok)
    assert not ok.isEnabled() and "not a time range" in dialog.problem.text()
    dialog.schedule.working_hours.setText("mon-fri 09:00-12:00,13:00-18:00")
    dialog.schedule.days_off.setText("2027-05-06")
    assert ok.isEnabled()
    # The other account: around the clock, the system's zone, no holidays.
    dialog.account.setCurrentIndex(1)
    assert dialog.schedule.working_hours.text() == ""
    assert dialog.schedule.timezone.currentIndex() == 0
    dialog.schedule.holidays.setCurrentIndex(dialog.schedule.holidays.findData("us"))
    assert dialog.apply()
    assert changed == [
        dataclasses.replace(
            SHOP, working_hours="mon-fri 09:00-12:00,13:00-18:00", days_off=("2027-05-06",)
        ),
        dataclasses.replace(PLAIN, holidays="us"),
    ]


def test_away_dialog_gives_back_a_time_in_the_users_zone(qtbot: QtBot) -> None:
    dialog = AwayDialog(FRIDAY_EVENING)
    qtbot.addWidget(dialog)
    assert dialog.chosen_until() == datetime(2026, 6, 6, 9, 0, tzinfo=TOKYO)
    assert dialog.back_button is None
    chosen: list[tuple[datetime, bool]] = []
    dialog.away_chosen.connect(lambda until, auto: chosen.append((until, auto)))
    dialog.auto_reply.setChecked(True)
    dialog.away_button.click()
    assert chosen == [(datetime(2026, 6, 6, 9, 0, tzinfo=TOKYO), True)]
    away = AwayDialog(FRIDAY_EVENING, FRIDAY_EVENING + timedelta(days=3))
    qtbot.addWidget(away)
    assert away.back_button is not None
    with qtbot.waitSignal(away.back_chosen):
        away.back_button.click()


def test_quiet_hours_in_the_general_settings(qtbot: QtBot) -> None:
    dialog = SettingsDialog([PLAIN], quiet_hours="22:00-07:30")
    qtbot.addWidget(dialog)
    chosen: list[str | None] = []
    dialog.quiet_hours_changed.connect(chosen.append)
    assert dialog.quiet_hours.text() == "22:00-07:30"
    dialog.quiet_hours.setText("22-7")
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert "22:00-07:30" in dialog.problem.text()
    dialog.quiet_hours.setText("23:00-6:30")
    assert dialog.apply() and chosen == ["23:00-06:30"]
    dialog.quiet_hours.setText("")
    assert dialog.apply() and chosen == ["23:00-06:30", None]


@pytest.mark.parametrize("language", ["en", "ja"])
def test_the_settings_fit_a_laptop_screen_with_the_schedule_preview_in_view(
    qtbot: QtBot, qapp: QApplication, language: str
) -> None:
    """1366x768 with a panel leaves about 600 px: the dialog asks for no more (it cannot be
    made smaller than its minimum), and the working-hours tab shows the schedule, the
    holidays, the days off and the preview's one line within it."""
    switcher = LanguageSwitcher(qapp)
    assert switcher.apply(language)
    try:
        dialog = SettingsDialog([SHOP, PLAIN], language=language)
        qtbot.addWidget(dialog)
        dialog.account_tabs.setCurrentWidget(dialog.schedule)
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.minimumSizeHint().height() <= LAPTOP_HEIGHT
        assert dialog.sizeHint().height() <= LAPTOP_HEIGHT
        assert dialog.height() <= LAPTOP_HEIGHT
        schedule = dialog.schedule
        for field in (schedule.working_hours, schedule.holidays, schedule.days_off):
            assert field.isVisible() and field.height() > 0
        preview = schedule.preview
        assert preview.isVisible() and "2026-12-29" in schedule.days_off.text()
        bottom = preview.mapTo(dialog, QPoint(0, preview.height())).y()
        assert bottom <= dialog.height()  # not cut off
        assert preview.width() >= preview.sizeHint().width()  # the whole line shows
        assert preview.text().startswith(EXPECTED_PREVIEW[language])
    finally:
        switcher.apply("en")


LAPTOP_HEIGHT = 600
EXPECTED_PREVIEW = {"en": "A message arriving now is due", "ja": "今届いたメッセージの期限："}
