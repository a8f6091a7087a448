"""Change an inbox's address, servers and sign-in in place (from the settings): IMAP and SMTP
server, port, security and user name, and the password (left empty, the stored one is kept).

"Test and save" hands old and new settings and the password to `save` on a plain worker
thread (the login, the SMTP login and the keyring may all take their time; the GUI thread
never waits); the outcome comes back through a queued signal. `save` tests a changed login
before it stores anything (the app passes commands.account.set_account) and raises with a
plain sentence when something fails; then nothing was saved. What the user decided about the
inbox is kept under its name, so nothing of it is lost by the change.
"""

from __future__ import annotations

import dataclasses
import threading
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QCoreApplication, QEvent, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from trayapp.core.model import AccountConfig

if TYPE_CHECKING:
    from trayapp.app import IppoApp

# (old, new, new password or None to keep the stored one, test SMTP); raises on a failure.
SaveLogin = Callable[[AccountConfig, AccountConfig, "str | None", bool], None]


class _Outcome(QObject):
    finished = Signal(int, object, str)  # attempt, the saved account (or None), error text


def _security_box() -> QComboBox:
    box = QComboBox()
    box.addItem("SSL/TLS", "ssl")
    box.addItem("STARTTLS", "starttls")
    return box


def _port_box() -> QSpinBox:
    box = QSpinBox()
    box.setRange(1, 65535)
    return box


class AccountEditor(QDialog):
    """Emits `account_saved(AccountConfig)` once the change was tested and stored."""

    account_saved = Signal(object)

    def __init__(
        self, account: AccountConfig, save: SaveLogin, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("AccountEditor")
        self.original = account
        self._save = save
        self._attempt = 0
        self._outcome = _Outcome(self)
        self._outcome.finished.connect(self._on_finished)

        self.email = QLineEdit(account.email)
        self.email.setObjectName("email")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.imap_host = QLineEdit(account.imap_host)
        self.imap_host.setObjectName("imap_host")
        self.imap_port = _port_box()
        self.imap_port.setObjectName("imap_port")
        self.imap_port.setValue(account.imap_port)
        self.imap_security = _security_box()
        self.imap_security.setCurrentIndex(
            max(self.imap_security.findData(account.imap_security), 0)
        )
        self.username = QLineEdit(account.username or "")
        self.username.setObjectName("username")
        self.smtp_host = QLineEdit(account.smtp_host or "")
        self.smtp_host.setObjectName("smtp_host")
        self.smtp_port = _port_box()
        self.smtp_port.setObjectName("smtp_port")
        self.smtp_port.setValue(account.smtp_port or 465)
        self.smtp_security = _security_box()
        self.smtp_security.setCurrentIndex(
            max(self.smtp_security.findData(account.smtp_security), 0)
        )
        self.smtp_username = QLineEdit(account.smtp_username or "")
        self.smtp_username.setObjectName("smtp_username")
        self.test_smtp = QCheckBox()
        self.test_smtp.setObjectName("testSmtp")
        self.test_smtp.setChecked(True)
        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.status.setMinimumWidth(460)
        self.save_button = QPushButton()
        self.save_button.setObjectName("save")
        self.save_button.setDefault(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
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

    def edited(self) -> AccountConfig:
        smtp_host = self.smtp_host.text().strip() or None
        return dataclasses.replace(
            self.original,
            email=self.email.text().strip(),
            imap_host=self.imap_host.text().strip(),
            imap_port=self.imap_port.value(),
            imap_security="starttls" if self.imap_security.currentData() == "starttls" else "ssl",
            username=self.username.text().strip() or None,
            smtp_host=smtp_host,
            smtp_port=self.smtp_port.value() if smtp_host else self.original.smtp_port,
            smtp_security="starttls" if self.smtp_security.currentData() == "starttls" else "ssl",
            smtp_username=self.smtp_username.text().strip() or None,
        )

    def is_busy(self) -> bool:
        return not self.save_button.isEnabled()

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
        self._attempt += 1
        self._set_enabled(False)
        self._show(self.tr("Testing the connection to %1…").replace("%1", new.imap_host))
        threading.Thread(
            target=self._work,
            args=(self._attempt, new, password, self.test_smtp.isChecked()),
            name=f"ippo-edit-account-{self._attempt}",
            daemon=True,
        ).start()

    def _work(
        self, attempt: int, new: AccountConfig, password: str | None, test_smtp: bool
    ) -> None:
        # Worker thread: no widget is touched here, only the queued signal.
        try:
            self._save(self.original, new, password, test_smtp)
        except Exception as exc:
            self._outcome.finished.emit(attempt, None, str(exc) or type(exc).__name__)
            return
        self._outcome.finished.emit(attempt, new, "")

    def _on_finished(self, attempt: int, saved: AccountConfig | None, error: str) -> None:
        if attempt != self._attempt:
            return  # cancelled, or an older attempt
        self._set_enabled(True)
        if saved is None:
            self._show(error, error=True)
            return
        self.account_saved.emit(saved)
        self.accept()

    def reject(self) -> None:
        self._attempt += 1  # a test still running is ignored when it ends
        super().reject()

    def _set_enabled(self, enabled: bool) -> None:
        for widget in (self.save_button, self.email, self.password, self.imap_box, self.smtp_box):
            widget.setEnabled(enabled)

    def _show(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #B71C1C;" if error else "")

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Server and sign-in: %1").replace("%1", self.original.name))
        self.save_button.setText(self.tr("Test and save"))
        self.password.setPlaceholderText(self.tr("Leave empty to keep the stored password"))
        self.imap_box.setTitle(self.tr("Receiving (IMAP)"))
        self.smtp_box.setTitle(self.tr("Sending (SMTP)"))
        self.test_smtp.setText(self.tr("Test sending too (untick to save anyway)"))
        labels = (
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
        for form, field, text in labels:
            label = form.labelForField(field)
            if isinstance(label, QLabel):
                label.setText(text)
        self.username.setPlaceholderText(self.tr("the email address"))
        self.smtp_username.setPlaceholderText(self.tr("the IMAP user name"))


def open_account_editor(app: IppoApp, account: AccountConfig) -> AccountEditor:
    """The editor for `account`, over the settings; a saved change reaches the watchers and
    the inbox tries again at once."""

    def save(old: AccountConfig, new: AccountConfig, password: str | None, smtp: bool) -> None:
        # Worker thread (the editor's): commands.account.set_account tests, then stores.
        from trayapp.commands.account import SmtpTestFailed, set_account

        try:
            set_account(app.config, app.secrets, old, new, password, test_smtp=smtp)
        except SmtpTestFailed as error:
            text = QCoreApplication.translate(
                "AccountEditor",
                "The inbox works, but sending through %1 does not: %2\nNothing was saved;"
                " untick “Test sending too” to save anyway.",
            )
            raise RuntimeError(text.replace("%1", error.host).replace("%2", error.reason)) from None

    editor = AccountEditor(account, save, parent=app.settings_dialog)
    editor.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)

    def saved(new: AccountConfig) -> None:
        app._accounts_changed()
        app.service.retry_now(new.name)

    editor.account_saved.connect(saved)
    app.password_dialogs.append(editor)
    editor.destroyed.connect(
        lambda *_: app.password_dialogs.remove(editor) if editor in app.password_dialogs else None
    )
    editor.show()
    editor.raise_()
    editor.activateWindow()
    return editor
