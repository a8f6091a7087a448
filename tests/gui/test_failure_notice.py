"""A failing inbox is told exactly once per outage (not per retry), in the UI language, with
the plain sentence and the action that fixes it; the action opens the fix."""

from __future__ import annotations

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.gui.test_app import Harness, harness  # noqa: F401 - the app with SHOP
from trayapp.core.model import AccountHealth, HealthState
from trayapp.core.notifications import NotificationText
from trayapp.ui.failure_notice import FailureNotices, sign_in_again_notice
from trayapp.ui.i18n import LanguageSwitcher
from trayapp.ui.password_dialog import NewPasswordDialog

AUTH = (
    "imap.example.jp:993: login failed (wrong user name or password?): "
    "b'[AUTHENTICATIONFAILED] Authentication failed.'"
)
TIMEOUT = "imap.example.jp:993: the server did not answer within 30 s (timed out)"


def health(state: HealthState, reason: str = "") -> AccountHealth:
    return AccountHealth(state, reason)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_one_notification_per_outage_with_the_fix(qtbot: QtBot, language: str) -> None:
    switcher = LanguageSwitcher(QApplication.instance())  # type: ignore[arg-type]
    switcher.apply(language)
    try:
        told: list[NotificationText] = []
        notices = FailureNotices(told.append, lambda: language)
        changes = [
            health(HealthState.CONNECTED),
            health(HealthState.ERROR, AUTH),
            health(HealthState.RETRYING, AUTH),  # its retries are not told again
            health(HealthState.ERROR, AUTH),
            health(HealthState.CONNECTED),
            health(HealthState.RETRYING, TIMEOUT),  # passing trouble: retried on its own
            health(HealthState.ERROR, AUTH),  # a new outage
        ]
        for change in changes:
            notices.health_changed("shop", change)
        assert len(told) == 2
        note = told[0]
        assert note.tag == "account:shop" and note.key == "account:shop"
        assert "b'" not in note.message and "AUTHENTICATIONFAILED" not in note.message
        assert [key for key, _label in note.actions] == ["default", "ippo-fix:shop"]
        if language == "ja":
            assert note.title == "「shop」を見守れていません"
            assert note.actions[1][1] == "新しいパスワードを入力"
            assert "パスワード" in note.message
        else:
            assert note.title == "“shop” is not watched"
            assert note.actions[1][1] == "Enter the new password"
            assert "password" in note.message.lower()
    finally:
        switcher.apply("en")


CERTIFICATE = "imap.example.jp:993: certificate not trusted (self-signed certificate); add its CA"


@pytest.mark.parametrize(
    ("language", "title", "label", "word"),
    [
        ("en", "“shop” is not watched", "Check the settings", "certificate"),
        ("ja", "「shop」を見守れていません", "設定を確認", "証明書"),
    ],
)
def test_a_server_problem_is_told_once_with_the_settings_as_the_fix(
    qtbot: QtBot, language: str, title: str, label: str, word: str
) -> None:
    """A failure no new password fixes (here an untrusted certificate): told once even while
    it is retried, in the UI language, its action the inbox's server settings."""
    switcher = LanguageSwitcher(QApplication.instance())  # type: ignore[arg-type]
    switcher.apply(language)
    try:
        told: list[NotificationText] = []
        notices = FailureNotices(told.append, lambda: language)
        for state in (HealthState.ERROR, HealthState.RETRYING, HealthState.ERROR):
            notices.health_changed("shop", health(state, CERTIFICATE))
        [note] = told
        assert note.title == title and word in note.message
        assert "not trusted" not in note.message  # a sentence, not the reason as logged
        assert note.actions[1] == ("ippo-fix:shop", label)
    finally:
        switcher.apply("en")


@pytest.mark.parametrize(
    ("language", "label"), [("en", "Sign in again…"), ("ja", "もう一度サインイン…")]
)
def test_a_revoked_sign_in_is_told_with_the_sign_in_as_its_action(
    qtbot: QtBot, language: str, label: str
) -> None:
    switcher = LanguageSwitcher(QApplication.instance())  # type: ignore[arg-type]
    switcher.apply(language)
    try:
        note = sign_in_again_notice("gmail", "title", "message")
        assert note.tag == "account:gmail"
        assert note.actions == (("default", note.actions[0][1]), ("ippo-fix:gmail", label))
    finally:
        switcher.apply("en")


def test_the_app_tells_once_and_its_action_opens_the_fix(
    harness: Harness,  # noqa: F811 - test_app's fixture: the app with SHOP
    qtbot: QtBot,
) -> None:
    app = harness.app
    app.start()
    retries = [HealthState.ERROR, HealthState.RETRYING, HealthState.ERROR, HealthState.RETRYING]
    for state in retries:  # each a health change the app hears about
        harness.watch.publish([], {"shop": health(state, AUTH)})
        qtbot.waitUntil(lambda s=state: app.bridge.health.get("shop") == health(s, AUTH))
    qtbot.wait(100)
    failing = [shown for shown in harness.notes.shown if "not watched" in shown[0]]
    assert len(failing) == 1, harness.notes.shown

    app.on_notification_action("ippo-fix:shop", [])
    dialogs = [d for d in app.password_dialogs if isinstance(d, NewPasswordDialog)]
    assert len(dialogs) == 1 and dialogs[0].account.name == "shop"
