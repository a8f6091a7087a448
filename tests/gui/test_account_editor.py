"""The settings' "Server and sign-in…" editor (ui/account_editor.py) in the app, against the
real Dovecot and SMTP server: a password changed on the server is refused until the right one
is typed, nothing is saved before the login works, the SMTP login is tested too (untick to
save anyway), and what the user decided about the inbox stays."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtWidgets import QPushButton
from pytestqt.qtbot import QtBot

from tests.gui.test_app import Harness
from tests.support.dovecot import DovecotServer, DovecotUser, free_port
from tests.support.smtp_server import SmtpServer
from trayapp.mail.imap import check_login
from trayapp.ui.account_editor import AccountEditor

pytestmark = [pytest.mark.gui, pytest.mark.integration]


@pytest.fixture
def shop(
    tmp_path: Path, qtbot: QtBot, dovecot: DovecotServer, smtp_server: SmtpServer
) -> Iterator[tuple[Harness, DovecotUser]]:
    user = dovecot.add_user()
    smtp_server.add_user(user.username, user.password)
    account = replace(
        dovecot.account(user),
        name="shop",
        smtp_host=smtp_server.host,
        smtp_port=smtp_server.port,
        smtp_security="ssl",
    )
    harness = Harness(tmp_path, [account])
    harness.secrets.set_password("shop", user.password)
    harness.app.store.dismiss("shop", "item00000001", "not_inquiry")
    harness.app.store.ignore_sender("shop", "pest@example.org")
    yield harness, user
    harness.app.shutdown()


def open_editor(harness: Harness, qtbot: QtBot) -> AccountEditor:
    harness.app.open_settings()
    settings = harness.app.settings_dialog
    assert settings is not None
    settings.login_button.click()
    editors = [d for d in harness.app.password_dialogs if isinstance(d, AccountEditor)]
    assert len(editors) == 1
    return editors[0]


def save_and_wait(editor: AccountEditor, qtbot: QtBot) -> bool:
    """Click "Test and save"; True when the editor closed (saved), False when it stays."""
    closed: list[bool] = []
    editor.destroyed.connect(lambda *_: closed.append(True))
    editor.save_button.click()
    assert editor.is_busy()  # the test runs on a worker thread: the GUI goes on
    # Saved: the editor hides at once and is deleted a moment later; wait for that.
    qtbot.waitUntil(
        lambda: bool(closed) or (not editor.is_busy() and editor.isVisible()), timeout=30_000
    )
    return bool(closed)


def test_a_password_changed_on_the_server_is_tested_before_it_is_saved(
    shop: tuple[Harness, DovecotUser], qtbot: QtBot, dovecot: DovecotServer, smtp_server: SmtpServer
) -> None:
    harness, user = shop
    new_password = "new on the server 5Wd"
    dovecot.set_password(user, new_password)
    smtp_server.add_user(user.username, new_password)

    editor = open_editor(harness, qtbot)
    editor.password.setText("a wrong guess")
    assert not save_and_wait(editor, qtbot)
    assert "nothing was saved" in editor.status.text().lower()
    assert "could not log in" in editor.status.text().lower()  # the login failed, not saving
    assert "the login works" not in editor.status.text().lower()
    assert "b'" not in editor.status.text()
    assert harness.secrets.get_password("shop") == user.password

    saved: list[object] = []
    editor.account_saved.connect(saved.append)
    editor.password.setText(new_password)
    assert save_and_wait(editor, qtbot)
    assert len(saved) == 1
    assert harness.secrets.get_password("shop") == new_password
    assert "shop" in harness.watch.retries
    store = harness.app.store
    assert store.dismissals("shop") == {"item00000001": "not_inquiry"}
    assert store.ignored_senders("shop") == {"pest@example.org"}


def test_a_changed_smtp_server_is_tested_and_can_be_saved_anyway(
    shop: tuple[Harness, DovecotUser], qtbot: QtBot, dovecot: DovecotServer
) -> None:
    harness, _user = shop
    closed = free_port(dovecot.host)
    editor = open_editor(harness, qtbot)
    editor.smtp_port.setValue(closed)
    assert not save_and_wait(editor, qtbot)
    assert str(closed) in editor.status.text() or "send" in editor.status.text().lower()
    assert harness.config.get_account("shop").smtp_port != closed  # type: ignore[union-attr]

    save_anyway = editor.findChild(QPushButton, "saveAnyway")
    assert save_anyway is not None and save_anyway.isVisible()  # only sending failed
    gone: list[bool] = []
    editor.destroyed.connect(lambda *_: gone.append(True))
    save_anyway.click()  # the same as unticking "Test sending too" and saving
    assert not editor.test_smtp.isChecked()
    qtbot.waitUntil(lambda: bool(gone), timeout=30_000)
    saved = harness.config.get_account("shop")
    assert saved is not None and saved.smtp_port == closed
    assert [a.smtp_port for a in harness.app.accounts] == [closed]
    settings = harness.app.settings_dialog
    assert settings is not None
    edited = settings.edited_account("shop")
    assert edited is not None and edited.smtp_port == closed  # not undone by the settings' OK


def test_the_add_inbox_dialog_tests_sending_too(
    tmp_path: Path, qtbot: QtBot, dovecot: DovecotServer, smtp_server: SmtpServer
) -> None:
    """A new inbox with an SMTP server: a refused SMTP login (real server) saves nothing and
    says so in a plain sentence naming the server; once the server knows it, the inbox is
    added."""
    user = dovecot.add_user()
    harness = Harness(tmp_path, [])
    app = harness.app
    try:
        app.open_add_inbox()
        dialog = app.add_dialog
        assert dialog is not None
        dialog.email.setText(user.email)
        dialog.password.setText(user.password)
        dialog.imap_host.setText(dovecot.host)
        dialog.smtp_host.setText(smtp_server.host)
        dialog.smtp_port.setValue(smtp_server.port)
        dialog.smtp_security.setCurrentIndex(dialog.smtp_security.findData("ssl"))
        dialog.ca_file.setText(dovecot.ca_file)
        dialog.start_test()
        qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=30_000)
        status = dialog.status.text()
        assert smtp_server.host in status and "b'" not in status, status
        assert harness.config.load_accounts() == []
        assert harness.secrets.get_password(user.email) is None

        smtp_server.add_user(user.email, user.password)  # the SMTP login is the address
        dialog.start_test()
        qtbot.waitUntil(lambda: app.add_dialog is None, timeout=30_000)
        assert [a.smtp_host for a in harness.config.load_accounts()] == [smtp_server.host]
    finally:
        app.shutdown()


def test_a_new_inbox_whose_smtp_port_refuses_can_be_saved_anyway(
    tmp_path: Path, qtbot: QtBot, dovecot: DovecotServer
) -> None:
    """Issue 11: the IMAP login works (real Dovecot), only the SMTP port refuses the
    connection: the dialog says so, offers "Save anyway", and that saves the inbox as tested
    (its SMTP settings kept, to be fixed later). A failed IMAP login never offers it."""
    user = dovecot.add_user()
    refusing = free_port(dovecot.host)  # nothing listens there: the connection is refused
    harness = Harness(tmp_path, [])
    app = harness.app
    app.check_login = check_login  # the real IMAP login (the harness only records it)
    try:
        app.open_add_inbox()
        dialog = app.add_dialog
        assert dialog is not None
        save_anyway = dialog.findChild(QPushButton, "saveAnyway")
        assert save_anyway is not None and not save_anyway.isVisible()
        dialog.email.setText(user.email)
        dialog.password.setText("not the password")
        dialog.imap_host.setText(dovecot.host)
        dialog.imap_port.setValue(dovecot.imaps_port)
        dialog.username.setText(user.username)
        dialog.ca_file.setText(dovecot.ca_file)
        dialog.smtp_host.setText(dovecot.host)
        dialog.smtp_port.setValue(refusing)
        dialog.start_test()
        qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=30_000)
        assert dialog.status.text().startswith("Could not log in")
        assert not save_anyway.isVisible()  # the inbox itself fails: nothing to save

        dialog.password.setText(user.password)
        dialog.start_test()
        qtbot.waitUntil(lambda: not dialog.is_busy(), timeout=30_000)
        status = dialog.status.text()
        assert f"sending through {dovecot.host} does not" in status, status
        assert "save anyway" in status and "b'" not in status
        assert save_anyway.isVisible() and save_anyway.text() == "Save anyway"
        assert harness.config.load_accounts() == []
        assert harness.secrets.get_password(user.email) is None

        save_anyway.click()
        qtbot.waitUntil(lambda: app.add_dialog is None, timeout=30_000)
        [saved] = harness.config.load_accounts()
        assert (saved.email, saved.smtp_host, saved.smtp_port) == (
            user.email,
            dovecot.host,
            refusing,
        )
        assert harness.secrets.get_password(saved.name) == user.password
        assert [a.name for a in harness.watch.set_accounts_calls[-1]] == [saved.name]
    finally:
        app.shutdown()
