"""Tray controller (thin: shows a Summary, turns clicks into signals) and the settings dialog."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import timedelta

import pytest
from PySide6.QtWidgets import QApplication, QDialogButtonBox
from pytestqt.qtbot import QtBot

from trayapp.core.model import AccountConfig, AccountHealth, HealthState, Stage
from trayapp.core.summary import BadgeSpec, summarize
from trayapp.ui.i18n import LanguageSwitcher
from trayapp.ui.settings_dialog import SettingsDialog
from trayapp.ui.tray import ICON_SIZES, TrayController

from .helpers import NOW, inquiry, sample_items

pytestmark = pytest.mark.gui


@pytest.fixture
def tray(qapp: QApplication) -> Iterator[TrayController]:
    controller = TrayController(dark_panel=True)
    yield controller
    controller.hide()
    controller.deleteLater()


def test_the_icon_and_tooltip_come_from_the_summary(tray: TrayController) -> None:
    health = {
        "shop": AccountHealth(HealthState.CONNECTED),
        "support": AccountHealth(HealthState.ERROR, reason="authentication failed"),
    }
    summary = summarize(sample_items(), health, NOW)
    tray.set_summary(summary)
    assert tray.current_badge() == BadgeSpec("-2h", "error", summary.most_urgent_stage)
    sizes = {(s.width(), s.height()) for s in tray.icon().availableSizes()}
    assert sizes == {(n, n) for n in ICON_SIZES}
    lines = tray.toolTip().splitlines()
    assert lines[0] == "Ippo"
    assert lines[1] == (
        "NOT covered: support — error: The mail server refused the user name or password."
        " If you changed the password (or need an app password), enter the new one."
    )
    assert lines[2] == "3 waiting: 1 overdue · 1 urgent · 0 warning · 1 calm"
    assert lines[3] == "1 acknowledged, promise pending"  # apart: 3 + 1 = the list's 4
    # Mail text in the tooltip cannot turn into markup.
    assert lines[-1] == "Overdue: 佐藤 花子 ‹hanako@example.jp› — ‹b›返品について‹/b› (2h late)"
    assert "<" not in tray.toolTip()


def test_badge_follows_the_stage(tray: TrayController) -> None:
    ok = {"shop": AccountHealth(HealthState.CONNECTED)}
    tray.set_summary(summarize([inquiry("a", timedelta(minutes=30))], ok, NOW))
    assert tray.current_badge() == BadgeSpec("30m", "urgent", Stage.URGENT)
    tray.set_summary(summarize([], ok, NOW))
    assert tray.current_badge() == BadgeSpec("", "empty")
    assert tray.toolTip().splitlines()[1] == "Nothing waits for a reply"


def test_menu_and_clicks_become_signals(tray: TrayController, qtbot: QtBot) -> None:
    actions = {a.text(): a for a in tray.menu_actions()}
    assert list(actions) == [
        "Open list",
        "Add inbox…",
        "Settings…",
        "Start at login",
        "I'm away…",
        "Record…",
        "Quit Ippo",
    ]
    with qtbot.waitSignal(tray.away_requested):
        actions["I'm away…"].trigger()
    with qtbot.waitSignal(tray.record_requested):
        actions["Record…"].trigger()
    with qtbot.waitSignal(tray.open_list_requested):
        actions["Open list"].trigger()
    with qtbot.waitSignal(tray.open_list_requested):
        tray.activated.emit(TrayController.ActivationReason.Trigger)
    with qtbot.waitSignal(tray.add_inbox_requested):
        actions["Add inbox…"].trigger()
    with qtbot.waitSignal(tray.settings_requested):
        actions["Settings…"].trigger()
    with qtbot.waitSignal(tray.quit_requested):
        actions["Quit Ippo"].trigger()
    with qtbot.assertNotEmitted(tray.start_at_login_changed):
        tray.set_start_at_login(True)
    assert actions["Start at login"].isChecked()
    with qtbot.waitSignal(tray.start_at_login_changed) as toggled:
        actions["Start at login"].trigger()
    assert toggled.args == [False]


def test_the_tooltip_ends_with_this_weeks_record(tray: TrayController) -> None:
    tray.set_summary(summarize([], {}, NOW))
    line = "14 of 15 answered within 24 h; median 3 h 10 min <b>"
    tray.set_record_line(lambda: line)
    assert tray.toolTip().splitlines()[-1] == "14 of 15 answered within 24 h; median 3 h 10 min ‹b›"


def test_tray_message_fallback_refuses_when_it_cannot_show(tray: TrayController) -> None:
    tray.hide()
    with pytest.raises(RuntimeError):
        tray.show_notification("title", "body")


def test_japanese_menu(tray: TrayController, qapp: QApplication) -> None:
    switcher = LanguageSwitcher(qapp)
    try:
        assert switcher.apply("ja")
        tray.retranslate()
        assert next(a.text() for a in tray.menu_actions()) == "返信待ちを開く"
        tray.set_summary(summarize(sample_items(), {}, NOW))
        lines = tray.toolTip().splitlines()
        assert lines[1] == "返信待ち 3件：期限切れ 1 · 至急 1 · 注意 0 · 余裕 1"
        assert lines[-1].endswith("2時間超過")  # 時間, not 'h'
        tray.set_summary(summarize([], {}, NOW, no_inbox=True))
        assert tray.current_badge() == BadgeSpec("", "setup")
        assert tray.toolTip().splitlines()[1] == (
            "まだ受信箱を見守っていません。このメニューから追加してください"
        )
    finally:
        switcher.apply("en")
        tray.retranslate()


ACCOUNTS = [
    AccountConfig("shop", "shop@example.jp", "imap.example.jp"),
    AccountConfig("support", "support@example.jp", "imap.example.jp", window_hours=48),
]


def test_settings_report_only_what_changed(qtbot: QtBot) -> None:
    dialog = SettingsDialog(ACCOUNTS, language="system", start_at_login=True)
    qtbot.addWidget(dialog)
    changed: list[AccountConfig] = []
    languages: list[str] = []
    autostart: list[bool] = []
    dialog.account_settings_changed.connect(changed.append)
    dialog.language_changed.connect(languages.append)
    dialog.start_at_login_changed.connect(autostart.append)
    dialog.account.setCurrentIndex(1)
    assert dialog.window_hours.value() == 48
    dialog.warning_hours.setValue(6)
    dialog.lookback_days.setValue(14)
    dialog.language.setCurrentIndex(dialog.language.findData("ja"))
    dialog.autostart.setChecked(False)
    assert dialog.apply()
    assert changed == [dataclasses.replace(ACCOUNTS[1], warning_hours=6.0, lookback_days=14)]
    assert languages == ["ja"] and autostart == [False]
    changed.clear()
    assert dialog.apply()  # nothing new
    assert changed == [] and languages == ["ja"]


def test_settings_refuse_leads_that_make_no_sense(qtbot: QtBot) -> None:
    dialog = SettingsDialog(ACCOUNTS)
    qtbot.addWidget(dialog)
    dialog.urgent_hours.setValue(5)  # urgent 5 h before, warning only 4 h before
    assert not dialog.problem.isHidden()
    assert "shop: the urgent lead must be shorter" in dialog.problem.text()
    assert not dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()
    assert not dialog.apply()
    dialog.urgent_hours.setValue(1)
    assert dialog.problem.isHidden()
    assert dialog.buttons.button(QDialogButtonBox.StandardButton.Ok).isEnabled()


def test_language_follows_the_system_locale() -> None:
    from PySide6.QtCore import QLocale

    from trayapp.ui.i18n import resolve_language, system_language

    assert system_language(QLocale("ja_JP")) == "ja"
    assert system_language(QLocale("en_GB")) == "en"
    assert system_language(QLocale("de_DE")) == "en"
    assert resolve_language("ja") == "ja" and resolve_language("en") == "en"


def test_wake_timer_fires_once_at_the_moment(qtbot: QtBot) -> None:
    from trayapp.ui.timers import WakeTimer

    timer = WakeTimer()
    timer.arm(timedelta(milliseconds=50))
    assert timer.is_armed()
    with qtbot.waitSignal(timer.fired, timeout=2000):
        pass
    assert not timer.is_armed()
    timer.arm(timedelta(days=40))  # beyond QTimer's int range: clamped, not an error
    assert timer.is_armed()
    timer.arm(None)
    assert not timer.is_armed()


def test_away_shows_in_the_menu_and_tooltip(tray: TrayController) -> None:
    until = NOW + timedelta(days=3)
    ok = {"shop": AccountHealth(HealthState.CONNECTED)}
    tray.set_summary(summarize([inquiry("a", timedelta(hours=30))], ok, NOW, away_until=until))
    assert tray.away_until == until
    assert tray.current_badge() == BadgeSpec("30h", "away", Stage.CALM)
    texts = [a.text() for a in tray.menu_actions()]
    assert f"Away until {until:%m-%d %H:%M} — change or come back…" in texts
    assert f"Away until {until:%Y-%m-%d %H:%M}" in tray.toolTip()
    tray.set_summary(summarize([], ok, NOW))
    assert "I'm away…" in [a.text() for a in tray.menu_actions()]
    assert tray.current_badge() == BadgeSpec("", "empty")


AWAY_TEXTS = {
    "en": (
        "Away until {until:%Y-%m-%d %H:%M}: deadlines paused, notifications held",
        "2 waiting: 1 overdue · 0 urgent · 0 warning · 1 calm",
        "Away until {until:%m-%d %H:%M} — change or come back…",
    ),
    "ja": (
        "{until:%Y-%m-%d %H:%M} まで不在：期限は止まり、通知は控えています",
        "返信待ち 2件：期限切れ 1 · 至急 0 · 注意 0 · 余裕 1",
        "{until:%m-%d %H:%M} まで不在 — 変更・戻る…",
    ),
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_away_tooltip_and_menu_read_in_each_language(
    tray: TrayController, qapp: QApplication, language: str
) -> None:
    """The away state in words: until when, that deadlines stand still and notifications
    wait, and what waits (an overdue one too: the away badge hides the stage, the tooltip
    does not)."""
    until = NOW + timedelta(days=2)
    ok = {"shop": AccountHealth(HealthState.CONNECTED)}
    items = [inquiry("a", timedelta(hours=30)), inquiry("b", -timedelta(hours=2), uid=2)]
    switcher = LanguageSwitcher(qapp)
    try:
        assert switcher.apply(language) or language == "en"
        tray.retranslate()
        tray.set_summary(summarize(items, ok, NOW, away_until=until))
        away, counts, menu = (text.format(until=until) for text in AWAY_TEXTS[language])
        lines = tray.toolTip().splitlines()
        assert lines[1:3] == [away, counts], lines
        assert menu in [a.text() for a in tray.menu_actions()]
        assert tray.current_badge() == BadgeSpec("-2h", "away", Stage.OVERDUE)
    finally:
        switcher.apply("en")
        tray.retranslate()


def test_settings_edit_the_name_shown_to_customers_and_the_signatures(qtbot: QtBot) -> None:
    shop = dataclasses.replace(ACCOUNTS[0], signature="--\n一報商店")
    dialog = SettingsDialog([shop, ACCOUNTS[1]])
    qtbot.addWidget(dialog)
    changed: list[AccountConfig] = []
    dialog.account_settings_changed.connect(changed.append)
    # each box shows what a reply in its language carries: here the common signature
    assert dialog.signature_ja.toPlainText() == dialog.signature_en.toPlainText() == "--\n一報商店"
    dialog.display_name.setText("  一報商店 鈴木 ")
    dialog.signature_en.setPlainText("--\nIppo Shop, Suzuki")
    assert dialog.apply()
    assert changed == [
        dataclasses.replace(
            shop, display_name="一報商店 鈴木", signature_en="--\nIppo Shop, Suzuki"
        )
    ]
    assert changed[0].signature_for("ja") == "--\n一報商店"  # left as it was: stays common
    dialog.account.setCurrentIndex(1)
    assert dialog.display_name.text() == "" and dialog.signature_en.toPlainText() == ""
    dialog.account.setCurrentIndex(0)
    assert dialog.display_name.text() == "一報商店 鈴木"
    assert dialog.signature_en.toPlainText() == "--\nIppo Shop, Suzuki"


def test_settings_read_naturally_in_japanese_without_decimals(
    qtbot: QtBot, qapp: QApplication
) -> None:
    switcher = LanguageSwitcher(qapp)
    try:
        assert switcher.apply("ja")
        dialog = SettingsDialog([dataclasses.replace(ACCOUNTS[0], warning_hours=4.5)])
        qtbot.addWidget(dialog)
        assert dialog.warning_hours.text() == "期限の4時間30分前"
        assert dialog.urgent_hours.text() == "期限の1時間前"
        assert dialog.window_hours.text() == "受信から24時間以内"
        assert dialog.lookback_days.text() == "過去7日分"
        # typing it the Japanese way works
        dialog.warning_hours.lineEdit().setText("期限の3時間前")
        dialog.warning_hours.interpretText()
        assert dialog.warning_hours.value() == 3.0
    finally:
        switcher.apply("en")
    qapp.processEvents()  # LanguageChange reaches the dialog through the event loop
    dialog.warning_hours.setValue(0.25)
    assert dialog.warning_hours.text() == "15m before the deadline"
