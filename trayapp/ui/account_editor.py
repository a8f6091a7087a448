"""Change an inbox's address, servers and sign-in in place (from the settings): IMAP and SMTP
server, port, security and user name, and the password (left empty, the stored one is kept).

"Test and save" hands old and new settings and the password to `save` on the app's
TaskRunner (ui/login_check.py: the login, the SMTP login and the keyring may all take their
time; the GUI thread never waits, and an editor closed early gets no result). `save` tests a
changed login before it stores anything (the app passes commands.account.set_account) and
raises with a plain sentence when something fails (SendingFailed when only sending does:
then "Save anyway" is offered); then nothing was saved. What the user decided about the inbox
is kept under its name, so nothing of it is lost by the change.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trayapp.core.model import AccountConfig
from trayapp.ui import forms
from trayapp.ui.login_check import LOGIN, SAVE, LoginCheck, SendingFailed, StepFailed, step
from trayapp.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from trayapp.app import IppoApp

# (old, new, new password or None to keep the stored one, test SMTP); raises on a failure.
SaveLogin = Callable[[AccountConfig, AccountConfig, "str | None", bool], None]


class AccountEditor(QDialog):
    """Emits `account_saved(AccountConfig)` once the change was tested and stored."""

    account_saved = Signal(object)

    def __init__(
        self,
        account: AccountConfig,
        save: SaveLogin,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("AccountEditor")
        self.original = account
        self._save = save
        self._check = LoginCheck(tasks, self, self._on_failed)

        self.email = QLineEdit(account.email)
        self.email.setObjectName("email")
        self.password = forms.password_field()
        self.imap_host = QLineEdit(account.imap_host)
        self.imap_host.setObjectName("imap_host")
        self.imap_port = forms.port_box("imap_port")
        self.imap_port.setValue(account.imap_port)
        self.imap_security = forms.security_box("imap_security")
        self.imap_security.setCurrentIndex(
            max(self.imap_security.findData(account.imap_security), 0)
        )
        self.username = QLineEdit(account.username or "")
        self.username.setObjectName("username")
        self.smtp_host = QLineEdit(account.smtp_host or "")
        self.smtp_host.setObjectName("smtp_host")
        self.smtp_port = forms.port_box("smtp_port")
        self.smtp_port.setValue(account.smtp_port or 465)
        self.smtp_security = forms.security_box("smtp_security")
        self.smtp_security.setCurrentIndex(
            max(self.smtp_security.findData(account.smtp_security), 0)
        )
        self.smtp_username = QLineEdit(account.smtp_username or "")
        self.smtp_username.setObjectName("smtp_username")
        self.test_smtp = QCheckBox()
        self.test_smtp.setObjectName("testSmtp")
        self.test_smtp.setChecked(True)
        self.status = forms.StatusLine()
        self.status.setMinimumWidth(460)
        self.save_button = QPushButton()
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self._check.offer_save_anyway(self.buttons, self.save_anyway)
        self.buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self.start_save)

        self.sign_in = QFormLayout()
        self.sign_in.addRow(QLabel(), self.email)
        self.sign_in.addRow(QLabel(), self.password)
        self.imap_box = QGroupBox()
        self.imap_form = QFormLayout(self.imap_box)
        for widget in (self.imap_host, self.imap_port, self.imap_security, self.username):
            self.imap_form.addRow(QLabel(), widget)
        self.smtp_box = QGroupBox()
        self.smtp_form = QFormLayout(self.smtp_box)
        for widget in (self.smtp_host, self.smtp_port, self.smtp_security, self.smtp_username):
            self.smtp_form.addRow(QLabel(), widget)
        self.smtp_form.addRow("", self.test_smtp)
        layout = QVBoxLayout(self)
        layout.addLayout(self.sign_in)
        layout.addWidget(self.imap_box)
        layout.addWidget(self.smtp_box)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)
        self._retranslate()
        forms.on_language_change(self, self._retranslate)

    def edited(self) -> AccountConfig:
        smtp_host = self.smtp_host.text().strip() or None
        return dataclasses.replace(
            self.original,
            email=self.email.text().strip(),
            imap_host=self.imap_host.text().strip(),
            imap_port=self.imap_port.value(),
            imap_security=forms.chosen_security(self.imap_security),
            username=self.username.text().strip() or None,
            smtp_host=smtp_host,
            smtp_port=self.smtp_port.value() if smtp_host else self.original.smtp_port,
            smtp_security=forms.chosen_security(self.smtp_security),
            smtp_username=self.smtp_username.text().strip() or None,
        )

    def is_busy(self) -> bool:
        return self._check.busy()

    def start_save(self) -> None:
        new = self.edited()
        if "@" not in new.email:
            self._show(self.tr("Enter the full email address."), error=True)
            return
        if not new.imap_host:
            self._show(self.tr("Enter the IMAP server of this address."), error=True)
            return
        password = self.password.text() or None
        if new == self.original and password is None:
            self.accept()
            return
        self._set_enabled(False)
        self._show(self._check.testing_text(new.imap_host))
        old, save, test_smtp = self.original, self._save, self.test_smtp.isChecked()

        def job(stop: threading.Event) -> AccountConfig:
            # Worker thread: no widget is touched here.
            step(SAVE, stop, lambda: save(old, new, password, test_smtp))
            return new

        self._check.start(job, self._on_saved)

    def save_anyway(self) -> None:
        """Only sending failed: save without testing it (the box says so, unticked)."""
        self.test_smtp.setChecked(False)
        self.start_save()

    def _on_failed(self, failure: StepFailed) -> None:
        self._set_enabled(True)
        self._show(self._check.failure_text(failure, self.edited().smtp_host or ""), error=True)

    def _on_saved(self, saved: AccountConfig) -> None:
        self._set_enabled(True)
        self.account_saved.emit(saved)
        self.accept()

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.save_button, self.email, self.password, self.imap_box, self.smtp_box):
            widget.setEnabled(enabled)

    def _show(self, text: str, error: bool = False) -> None:
        self.status.say(text, error)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Server and sign-in: %1").replace("%1", self.original.name))
        self.save_button.setText(self.tr("Test and save"))
        self.password.setPlaceholderText(self.tr("Leave empty to keep the stored password"))
        self.imap_box.setTitle(self.tr("Receiving (IMAP)"))
        self.smtp_box.setTitle(self.tr("Sending (SMTP)"))
        self.test_smtp.setText(self.tr("Test sending too (untick to save anyway)"))
        forms.set_row_labels(
            (
                (self.sign_in, self.email, self.tr("Email address")),
                (self.sign_in, self.password, self.tr("Password")),
                (self.imap_form, self.imap_host, self.tr("Server")),
                (self.imap_form, self.imap_port, self.tr("Port")),
                (self.imap_form, self.imap_security, self.tr("Security")),
                (self.imap_form, self.username, self.tr("User name")),
                (self.smtp_form, self.smtp_host, self.tr("Server")),
                (self.smtp_form, self.smtp_port, self.tr("Port")),
                (self.smtp_form, self.smtp_security, self.tr("Security")),
                (self.smtp_form, self.smtp_username, self.tr("User name")),
            )
        )
        self.username.setPlaceholderText(self.tr("the email address"))
        self.smtp_username.setPlaceholderText(self.tr("the IMAP user name"))


def open_account_editor(app: IppoApp, account: AccountConfig) -> AccountEditor:
    """The editor for `account`, over the settings; a saved change reaches the watchers and
    the inbox tries again at once."""

    def save(old: AccountConfig, new: AccountConfig, password: str | None, smtp: bool) -> None:
        # Worker thread (the editor's): commands.account.set_account tests, then stores.
        from trayapp.commands.account import LoginRefused, SmtpTestFailed, set_account

        try:
            set_account(app.config, app.secrets, old, new, password, test_smtp=smtp)
        except SmtpTestFailed as error:
            raise SendingFailed(error.host, error.reason) from None
        except LoginRefused as error:  # the login, not the saving, failed: said as such
            raise StepFailed(LOGIN, error.reason) from None

    editor = AccountEditor(account, save, app.account_tasks, parent=app.settings_dialog)

    def saved(new: AccountConfig) -> None:
        app._accounts_changed()
        app.service.retry_now(new.name)

    editor.account_saved.connect(saved)
    app.show_login_dialog(editor)
    return editor
