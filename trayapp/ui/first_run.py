"""The "Add inbox" dialog: address + password, provider presets, a connection test before
anything is saved, the password into the keyring.

Both the login test and the saving are passed in (the app gives it
`trayapp.mail.imap.check_login` and a function that stores the password in the keyring and
the account in the config); both run on a worker thread so a slow server or a keyring
prompt never freezes the GUI. Nothing is saved unless the login test passed.
"""

from __future__ import annotations

from collections.abc import Callable, Collection

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import (
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
from trayapp.mail.presets import PRESETS, PRESETS_BY_KEY, ProviderPreset, preset_for_email
from trayapp.ui.i18n import plain_reason
from trayapp.ui.tasks import Task, TaskRunner

LoginTest = Callable[[AccountConfig, str], None]
SaveAccount = Callable[[AccountConfig, str], None]


class AddInboxDialog(QDialog):
    """Emits `account_added(AccountConfig)` once the login test passed and `save` returned."""

    account_added = Signal(object)

    def __init__(
        self,
        test_login: LoginTest,
        save: SaveAccount,
        existing_names: Collection[str] = (),
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("AddInboxDialog")
        self._test_login = test_login
        self._save = save
        self._existing = {n.lower() for n in existing_names}
        self._busy = False
        self._tasks = TaskRunner("ippo-add-inbox", self)  # the login test, then the save
        self._task: Task[tuple[str, str]] | None = None

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.email = QLineEdit()
        self.email.setObjectName("email")
        self.password = QLineEdit()
        self.password.setObjectName("password")
        self.password.setEchoMode(QLineEdit.EchoMode.Password)
        self.provider = QComboBox()
        self.provider.setObjectName("provider")
        for preset in PRESETS:
            self.provider.addItem(preset.label, preset.key)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setStyleSheet("color: palette(mid);")

        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.imap_host = QLineEdit()
        self.imap_host.setObjectName("imap_host")
        self.imap_port = QSpinBox()
        self.imap_port.setRange(1, 65535)
        self.imap_security = QComboBox()
        self.imap_security.addItem("SSL/TLS", "ssl")
        self.imap_security.addItem("STARTTLS", "starttls")
        self.username = QLineEdit()
        self.ca_file = QLineEdit()
        self.ca_file.setObjectName("ca_file")
        self.smtp_host = QLineEdit()
        self.smtp_port = QSpinBox()
        self.smtp_port.setRange(1, 65535)
        self.smtp_security = QComboBox()
        self.smtp_security.addItem("SSL/TLS", "ssl")
        self.smtp_security.addItem("STARTTLS", "starttls")

        self.status = QLabel()
        self.status.setObjectName("status")
        self.status.setWordWrap(True)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton()
        self.save_button.setDefault(True)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)

        self.basic = QFormLayout()
        self.basic.addRow(QLabel(), self.email)
        self.basic.addRow(QLabel(), self.password)
        self.basic.addRow(QLabel(), self.provider)
        self.basic.addRow("", self.hint)
        self.server_box = QGroupBox()
        server = QFormLayout(self.server_box)
        server.addRow(QLabel(), self.name)
        server.addRow(QLabel(), self.imap_host)
        server.addRow(QLabel(), self.imap_port)
        server.addRow(QLabel(), self.imap_security)
        server.addRow(QLabel(), self.username)
        server.addRow(QLabel(), self.ca_file)
        server.addRow(QLabel(), self.smtp_host)
        server.addRow(QLabel(), self.smtp_port)
        server.addRow(QLabel(), self.smtp_security)
        self._server_form = server
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.basic)
        layout.addWidget(self.server_box)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self.email.textChanged.connect(self._on_email_changed)
        self.provider.currentIndexChanged.connect(lambda _i: self._apply_preset())
        self.save_button.clicked.connect(self.start_test)
        self.cancel_button.clicked.connect(self.reject)
        self._name_touched = False
        self.name.textEdited.connect(lambda _t: setattr(self, "_name_touched", True))
        self._retranslate()
        self.select_preset("custom")

    # -------------------------------------------------------------- presets

    def preset(self) -> ProviderPreset:
        return PRESETS_BY_KEY[str(self.provider.currentData())]

    def select_preset(self, key: str) -> None:
        index = self.provider.findData(key)
        if index >= 0:
            self.provider.setCurrentIndex(index)
        self._apply_preset()

    def _on_email_changed(self, text: str) -> None:
        if not self._name_touched:
            self.name.setText(text.strip())
        known = preset_for_email(text)
        if known is not None and known.key != self.preset().key:
            self.select_preset(known.key)
        else:
            self._apply_preset(hosts_only=True)

    def _apply_preset(self, hosts_only: bool = False) -> None:
        preset = self.preset()
        email = self.email.text().strip()
        custom = preset.key == "custom"
        if not custom:
            # '{domain}' hosts (shared hosting) are filled from the address as a start.
            known = "@" in email or "{domain}" not in preset.imap_host
            self.imap_host.setText(preset.imap_host_for(email) if known else "")
            self.smtp_host.setText(preset.smtp_host_for(email) if known else "")
        if not hosts_only:
            self.imap_port.setValue(preset.imap_port)
            self.smtp_port.setValue(preset.smtp_port)
            self.imap_security.setCurrentIndex(self.imap_security.findData(preset.imap_security))
            self.smtp_security.setCurrentIndex(self.smtp_security.findData(preset.smtp_security))
        self.hint.setText(self._preset_note(preset))
        self.hint.setVisible(bool(self.hint.text()))

    def _preset_note(self, preset: ProviderPreset) -> str:
        notes = {
            "app-password": self.tr(
                "This provider needs an app password (create one in its security settings);"
                " your normal password will be refused."
            ),
            "server-name": self.tr(
                "Enter your server name (svNNNN.xserver.jp) from the Xserver panel as the"
                " IMAP and SMTP host."
            ),
            "initial-domain": self.tr(
                "Enter your initial domain (example.sakura.ne.jp) as the IMAP and SMTP host."
            ),
        }
        return notes.get(preset.note, "")

    # -------------------------------------------------------------- the account

    def account(self) -> AccountConfig:
        email = self.email.text().strip()
        username = self.username.text().strip() or None
        return AccountConfig(
            name=self.name.text().strip() or email,
            email=email,
            imap_host=self.imap_host.text().strip(),
            imap_port=self.imap_port.value(),
            imap_security="starttls" if self.imap_security.currentData() == "starttls" else "ssl",
            username=username,
            ca_file=self.ca_file.text().strip() or None,
            smtp_host=self.smtp_host.text().strip() or None,
            smtp_port=self.smtp_port.value(),
            smtp_security="starttls" if self.smtp_security.currentData() == "starttls" else "ssl",
        )

    def _problem(self, account: AccountConfig) -> str:
        if "@" not in account.email or account.email.startswith("@"):
            return self.tr("Enter the full email address.")
        if not self.password.text():
            return self.tr("Enter the password (or app password).")
        if not account.imap_host or "{" in account.imap_host:
            return self.tr("Enter the IMAP server of this address.")
        if account.name.lower() in self._existing:
            return self.tr("An inbox with this name is already watched.")
        return ""

    # -------------------------------------------------------------- test, then save

    def is_busy(self) -> bool:
        return self._busy

    def start_test(self) -> None:
        if self._busy:
            return
        account = self.account()
        problem = self._problem(account)
        if problem:
            self._show_status(problem, error=True)
            return
        password = self.password.text()
        self._busy = True
        self._set_inputs_enabled(False)
        self._show_status(self.tr("Testing the connection to %1…").replace("%1", account.imap_host))
        test_login, save = self._test_login, self._save

        def work() -> tuple[str, str]:
            # Worker thread: no widget is touched here. Returns (failed stage, error text).
            try:
                test_login(account, password)
            except Exception as exc:
                return "test", _describe(exc)
            try:
                save(account, password)
            except Exception as exc:
                return "save", _describe(exc)
            return "", ""

        self._task = self._tasks.submit(
            work, on_done=lambda outcome: self._on_finished(account, *outcome)
        )

    def _on_finished(self, account: AccountConfig, stage: str, error: str) -> None:
        self._task = None
        self._busy = False
        self._set_inputs_enabled(True)
        if stage == "test":
            self._show_status(
                self.tr("Could not log in: %1\nNothing was saved.").replace(
                    "%1", plain_reason(error)
                ),
                error=True,
            )
            return
        if stage == "save":
            self._show_status(
                self.tr("The login works, but the password could not be stored: %1").replace(
                    "%1", error
                ),
                error=True,
            )
            return
        self._show_status(self.tr("Connected. The inbox is now watched."))
        self.account_added.emit(account)
        self.accept()

    def reject(self) -> None:
        if self._task is not None:
            self._task.cancel()  # a test still running is ignored when it ends
            self._task = None
        self._busy = False
        super().reject()

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for widget in (
            self.email,
            self.password,
            self.provider,
            self.server_box,
            self.save_button,
        ):
            widget.setEnabled(enabled)

    def _show_status(self, text: str, error: bool = False) -> None:
        self.status.setText(text)
        self.status.setStyleSheet("color: #B71C1C; font-weight: bold;" if error else "")

    # -------------------------------------------------------------- text

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Add inbox"))
        self.intro.setText(
            self.tr(
                "Which address do customers write to? Ippo watches it and tells you before"
                " a reply is due. The password is kept in your system keyring only."
            )
        )
        labels = (
            (self.basic, self.email, self.tr("Email address")),
            (self.basic, self.password, self.tr("Password")),
            (self.basic, self.provider, self.tr("Provider")),
            (self._server_form, self.name, self.tr("Name in Ippo")),
            (self._server_form, self.imap_host, self.tr("IMAP server")),
            (self._server_form, self.imap_port, self.tr("IMAP port")),
            (self._server_form, self.imap_security, self.tr("IMAP security")),
            (self._server_form, self.username, self.tr("User name (if not the address)")),
            (self._server_form, self.ca_file, self.tr("Extra trusted CA (PEM file)")),
            (self._server_form, self.smtp_host, self.tr("SMTP server")),
            (self._server_form, self.smtp_port, self.tr("SMTP port")),
            (self._server_form, self.smtp_security, self.tr("SMTP security")),
        )
        for form, field, text in labels:
            label = form.labelForField(field)
            if isinstance(label, QLabel):
                label.setText(text)
        self.server_box.setTitle(self.tr("Server"))
        self.provider.setItemText(self.provider.findData("custom"), self.tr("Other (custom)"))
        self.save_button.setText(self.tr("Test and save"))
        self.email.setPlaceholderText(self.tr("info@your-shop.jp"))
        self.ca_file.setPlaceholderText(self.tr("only for a self-hosted server"))
        self.hint.setText(self._preset_note(self.preset()) if self.provider.count() else "")


def _describe(exc: BaseException) -> str:
    text = str(exc).strip()
    return text or type(exc).__name__
