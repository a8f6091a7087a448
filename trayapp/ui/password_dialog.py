"""One click from "the server refused the password" to watched again: the reason in plain
words, a field for the new password (or app password), and "Test and save".

The login is tested, and the password stored in the keyring, on the app's TaskRunner
(ui/login_check.py); the outcome comes back on the GUI thread, which never waits, and a dialog
closed early gets none. Nothing is stored unless the new password logs in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trayapp.core.model import AccountConfig
from trayapp.ui.forms import StatusLine, password_field
from trayapp.ui.i18n import plain_reason
from trayapp.ui.login_check import LOGIN, SAVE, LoginCheck, StepFailed, step
from trayapp.ui.tasks import TaskRunner

LoginTest = Callable[[AccountConfig, str], None]
SavePassword = Callable[[str, str], None]  # (account name, password)


class NewPasswordDialog(QDialog):
    """Emits `password_saved(account name)` once the new password logged in and is stored."""

    password_saved = Signal(str)

    def __init__(
        self,
        account: AccountConfig,
        reason: str,
        test_login: LoginTest,
        save: SavePassword,
        tasks: TaskRunner,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("NewPasswordDialog")
        self.account = account
        self._test_login = test_login
        self._save = save
        self._check = LoginCheck(tasks, self, self._on_failed)

        self.explanation = QLabel()
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.explanation.setWordWrap(True)
        self.reason = QLabel(plain_reason(reason) if reason else "")
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setWordWrap(True)
        self.password = password_field()
        self.status = StatusLine()
        self.save_button = QPushButton()
        self.save_button.setDefault(True)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.buttons.rejected.connect(self.reject)
        self.save_button.clicked.connect(self.start_test)
        layout = QVBoxLayout(self)
        for widget in (self.explanation, self.reason, self.password, self.status, self.buttons):
            layout.addWidget(widget)
        self.setWindowTitle(self.tr("Enter the new password"))
        self.explanation.setText(
            self.tr("%1 (%2) is not watched at the moment.")
            .replace("%1", account.name)
            .replace("%2", account.login)
        )
        self.password.setPlaceholderText(self.tr("New password (or app password)"))
        self.save_button.setText(self.tr("Test and save"))
        for label in (self.explanation, self.reason, self.status):
            label.setMinimumWidth(440)  # wrapped labels get their height for this width
        self.adjustSize()

    def start_test(self) -> None:
        password = self.password.text()
        if not password:
            self.status.say(self.tr("Enter the password (or app password)."))
            return
        self.save_button.setEnabled(False)
        self.password.setEnabled(False)
        self.status.say(self._check.testing_text(self.account.imap_host))
        account, test_login, save = self.account, self._test_login, self._save

        def job(stop: threading.Event) -> str:
            # Worker thread: no widget is touched here.
            step(LOGIN, stop, lambda: test_login(account, password))
            step(SAVE, stop, lambda: save(account.name, password))
            return account.name

        self._check.start(job, self._on_saved)

    def _on_failed(self, failure: StepFailed) -> None:
        self.save_button.setEnabled(True)
        self.password.setEnabled(True)
        self.status.say(self._check.failure_text(failure))

    def _on_saved(self, name: str) -> None:
        self.save_button.setEnabled(True)
        self.password.setEnabled(True)
        self.password_saved.emit(name)
        self.accept()
