"""Add-inbox dialog against the real Dovecot and a real Secret Service keyring."""

from __future__ import annotations

import time

import pytest
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from trayapp.core.model import AccountConfig
from trayapp.desktop.secrets import KeyringSecretStore
from trayapp.mail.imap import check_login
from trayapp.ui.first_run import AddInboxDialog
from trayapp.ui.tasks import TaskRunner

pytestmark = [pytest.mark.gui, pytest.mark.integration]


def _fill(dialog: AddInboxDialog, dovecot: object, user: object, password: str) -> None:
    dialog.email.setText(user.email)  # type: ignore[attr-defined]
    dialog.password.setText(password)
    dialog.select_preset("custom")
    dialog.imap_host.setText(dovecot.host)  # type: ignore[attr-defined]
    dialog.imap_port.setValue(dovecot.imaps_port)  # type: ignore[attr-defined]
    dialog.username.setText(user.username)  # type: ignore[attr-defined]
    dialog.ca_file.setText(dovecot.ca_file)  # type: ignore[attr-defined]


def test_presets_fill_the_servers(tasks: TaskRunner, qtbot: QtBot) -> None:
    dialog = AddInboxDialog(tasks=tasks, test_login=check_login, save=lambda a, p: None)
    qtbot.addWidget(dialog)
    dialog.email.setText("shop@yahoo.co.jp")
    assert dialog.preset().key == "yahoo_japan"
    assert dialog.imap_host.text() == "imap.mail.yahoo.co.jp"
    assert dialog.imap_port.value() == 993
    dialog.email.setText("me@gmail.com")
    assert dialog.preset().key == "gmail"
    assert dialog.hint.isVisibleTo(dialog) and "app password" in dialog.hint.text()
    account = dialog.account()
    assert (account.imap_host, account.smtp_host, account.smtp_port) == (
        "imap.gmail.com",
        "smtp.gmail.com",
        465,
    )
    dialog.email.setText("info@my-shop.jp")
    dialog.select_preset("sakura")
    assert dialog.imap_host.text() == "my-shop.jp"
    assert dialog.smtp_security.currentData() == "starttls"


def test_wrong_password_saves_nothing_and_the_gui_stays_responsive(
    tasks: TaskRunner,
    qtbot: QtBot,
    qapp: QApplication,
    dovecot: object,
    dovecot_user: object,
    secret_env: object,
) -> None:
    store = KeyringSecretStore()
    saved: list[AccountConfig] = []

    def save(account: AccountConfig, password: str) -> None:
        store.set_password(account.name, password)
        saved.append(account)

    def slow_check(account: AccountConfig, password: str) -> None:
        time.sleep(0.5)  # a slow server: the GUI must keep running meanwhile
        check_login(account, password)

    dialog = AddInboxDialog(tasks=tasks, test_login=slow_check, save=save)
    qtbot.addWidget(dialog)
    _fill(dialog, dovecot, dovecot_user, "not-the-password")
    ticks = []
    qapp.processEvents()
    dialog.start_test()
    assert dialog.is_busy() and not dialog.save_button.isEnabled()
    started = time.monotonic()
    while dialog.is_busy():
        qapp.processEvents()
        ticks.append(time.monotonic())
        time.sleep(0.01)
        assert time.monotonic() - started < 30
    assert len(ticks) > 10  # the event loop ran while the login was tested
    assert "Could not log in" in dialog.status.text()
    assert "Nothing was saved" in dialog.status.text()
    assert saved == []
    assert store.get_password(dovecot_user.username) is None  # type: ignore[attr-defined]
    assert dialog.save_button.isEnabled()


def test_right_password_is_tested_then_stored_in_the_keyring(
    tasks: TaskRunner, qtbot: QtBot, dovecot: object, dovecot_user: object, secret_env: object
) -> None:
    store = KeyringSecretStore()

    def save(account: AccountConfig, password: str) -> None:
        store.set_password(account.name, password)

    dialog = AddInboxDialog(tasks=tasks, test_login=check_login, save=save)
    qtbot.addWidget(dialog)
    _fill(dialog, dovecot, dovecot_user, dovecot_user.password)  # type: ignore[attr-defined]
    with qtbot.waitSignal(dialog.account_added, timeout=20_000) as added:
        dialog.save_button.click()
    account = added.args[0]
    assert isinstance(account, AccountConfig)
    assert account.email == dovecot_user.email  # type: ignore[attr-defined]
    assert account.imap_port == dovecot.imaps_port  # type: ignore[attr-defined]
    assert store.get_password(account.name) == dovecot_user.password  # type: ignore[attr-defined]
    assert dialog.result() == AddInboxDialog.DialogCode.Accepted


def test_no_keyring_is_a_clear_message_not_a_crash(
    tasks: TaskRunner, qtbot: QtBot, dovecot: object, dovecot_user: object, no_secret_env: object
) -> None:
    store = KeyringSecretStore()
    dialog = AddInboxDialog(
        tasks=tasks, test_login=check_login, save=lambda a, p: store.set_password(a.name, p)
    )
    qtbot.addWidget(dialog)
    _fill(dialog, dovecot, dovecot_user, dovecot_user.password)  # type: ignore[attr-defined]
    dialog.start_test()
    qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=20_000)
    assert "could not be stored" in dialog.status.text()
    assert "keyring" in dialog.status.text()
    assert dialog.isVisible() or dialog.result() != AddInboxDialog.DialogCode.Accepted


def test_missing_fields_are_named_before_any_connection(tasks: TaskRunner, qtbot: QtBot) -> None:
    calls: list[str] = []
    dialog = AddInboxDialog(
        tasks=tasks, test_login=lambda a, p: calls.append("test"), save=lambda a, p: None
    )
    qtbot.addWidget(dialog)
    dialog.start_test()
    assert dialog.status.text() == "Enter the full email address."
    dialog.email.setText("info@example.jp")
    dialog.start_test()
    assert dialog.status.text() == "Enter the password (or app password)."
    assert calls == []
