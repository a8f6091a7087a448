"""One click from "the server refused the password" to watched again: the reason in plain
words, a field for the new password (or app password), and "Test and save".

The login is tested, and the password stored in the keyring, on a plain worker thread; the
outcome comes back through a queued signal (the GUI thread never waits). Nothing is stored
unless the new password logs in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trayapp.core.model import AccountConfig
from trayapp.ui.i18n import plain_reason

LoginTest = Callable[[AccountConfig, str], None]
SavePassword = Callable[[str, str], None]  # (account name, password)


class _Outcome(QObject):
    finished = Signal(int, str, str)  # attempt, stage ('' = done, 'test', 'save'), reason


class NewPasswordDialog(QDialog):
    """Emits `password_saved(account name)` once the new password logged in and is stored."""

    password_saved = Signal(str)

    def __init__(
        self,
        account: AccountConfig,
        reason: str,
        test_login: LoginTest,
        save: SavePassword,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("NewPasswordDialog")
        self.account = account
        self._test_login = test_login
        self._save = save
        self._attempt = 0
        self._outcome = _Outcome()
        self._outcome.finished.connect(self._on_finished)

        self.explanation = QLabel()
        self.explanation.setTextFormat(Qt.TextFormat.PlainText)
        self.explanation.setWordWrap(True)
        self.reason = QLabel(plain_reason(reason) if reason else "")
        self.reason.setTextFormat(Qt.TextFormat.PlainText)
        self.reason.setWordWrap(True)
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.status = QLabel()
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
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
            self.status.setText(self.tr("Enter the password (or app password)."))
            return
        self._attempt += 1
        attempt = self._attempt
        self.save_button.setEnabled(False)
        self.password.setEnabled(False)
        self.status.setText(
            self.tr("Testing the connection to %1…").replace("%1", self.account.imap_host)
        )
        threading.Thread(
            target=self._work, args=(password, attempt), name="ippo-new-password", daemon=True
        ).start()

    def _work(self, password: str, attempt: int) -> None:
        # Worker thread: no widget is touched here, only the queued signal.
        try:
            self._test_login(self.account, password)
        except Exception as exc:
            self._outcome.finished.emit(attempt, "test", str(exc) or type(exc).__name__)
            return
        try:
            self._save(self.account.name, password)
        except Exception as exc:
            self._outcome.finished.emit(attempt, "save", str(exc) or type(exc).__name__)
            return
        self._outcome.finished.emit(attempt, "", "")

    def _on_finished(self, attempt: int, stage: str, reason: str) -> None:
        if attempt != self._attempt:
            return  # cancelled, or an older attempt
        self.save_button.setEnabled(True)
        self.password.setEnabled(True)
        if stage == "test":
            self.status.setText(
                self.tr("Could not log in: %1\nNothing was saved.").replace(
                    "%1", plain_reason(reason)
                )
            )
            return
        if stage == "save":
            self.status.setText(
                self.tr("The login works, but the password could not be stored: %1").replace(
                    "%1", reason
                )
            )
            return
        self.password_saved.emit(self.account.name)
        self.accept()

    def reject(self) -> None:
        self._attempt += 1  # a test still running is ignored when it ends
        super().reject()
