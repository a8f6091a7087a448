"""One click from "the server refused the password" to watched again: the reason in plain
words, a field for the new password (or app password), and "Test and save".

The login is tested, and the password stored in the keyring, on the dialog's TaskRunner
(ui/tasks.py); the outcome comes back on the GUI thread, which never waits, and a dialog
closed early gets none. Nothing is stored unless the new password logs in.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
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
from trayapp.ui.tasks import Task, TaskRunner

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
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("NewPasswordDialog")
        self.account = account
        self._test_login = test_login
        self._save = save
        self._tasks = TaskRunner("ippo-new-password", self)
        self._task: Task[tuple[str, str]] | None = None

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
        self.save_button.setEnabled(False)
        self.password.setEnabled(False)
        self.status.setText(
            self.tr("Testing the connection to %1…").replace("%1", self.account.imap_host)
        )
        account, test_login, save = self.account, self._test_login, self._save

        def work() -> tuple[str, str]:
            # Worker thread: no widget is touched here. Returns (failed stage, reason).
            try:
                test_login(account, password)
            except Exception as exc:
                return "test", str(exc) or type(exc).__name__
            try:
                save(account.name, password)
            except Exception as exc:
                return "save", str(exc) or type(exc).__name__
            return "", ""

        self._task = self._tasks.submit(work, on_done=lambda outcome: self._on_finished(*outcome))

    def _on_finished(self, stage: str, reason: str) -> None:
        self._task = None
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
                    "%1", plain_reason(reason)
                )
            )
            return
        self.password_saved.emit(self.account.name)
        self.accept()

    def reject(self) -> None:
        if self._task is not None:
            self._task.cancel()  # a test still running is ignored when it ends
            self._task = None
        super().reject()
