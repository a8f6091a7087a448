"""The "Add inbox" dialog: address + password, provider presets, a connection test before
anything is saved, the password into the keyring.

The login test, the SMTP test and the saving are passed in (the app gives it
`trayapp.mail.imap.check_login`, the SMTP login and a function that stores the password in the
keyring and the account in the config), and so is the app's TaskRunner they run on
(ui/login_check.py), so a slow server or a keyring prompt never freezes the GUI; closed early,
the dialog gets no result and nothing more is saved. Nothing is saved unless the login test
passed. When the inbox logs in but only the SMTP login fails, "Save anyway" saves it as tested
(sending can be fixed later in the settings).

With `oauth_sign_in` given, Gmail, Outlook.com/Hotmail/Live and Microsoft 365 addresses sign
in with Google or Microsoft in the system browser instead (no password field; Gmail keeps its
app-password path as a choice), and any address can use an OpenID Connect provider. The
browser wait runs on the worker thread too; Cancel stops it at once (the loopback listener
closes) and nothing is saved. Then `save(account, refresh_token)` keeps the sign-in.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Collection
from dataclasses import replace

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import (
    QComboBox,
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

from trayapp.core.model import AccountConfig, OAuthSettings
from trayapp.core.oauth import BearerToken, TokenSet, provider_for_email
from trayapp.mail.presets import PRESETS, PRESETS_BY_KEY, ProviderPreset, preset_for_email
from trayapp.ui.forms import (
    StatusLine,
    chosen_security,
    on_language_change,
    password_field,
    port_box,
    security_box,
    set_row_labels,
)
from trayapp.ui.login_check import LOGIN, SAVE, SENDING, SIGN_IN, LoginCheck, StepFailed, step
from trayapp.ui.tasks import TaskRunner

LoginTest = Callable[[AccountConfig, str], None]
SaveAccount = Callable[[AccountConfig, str], None]
# (provider, issuer, client_id or None, email, cancel) -> the account's auth block and tokens
OAuthSignIn = Callable[
    [str, str | None, str | None, str, threading.Event], tuple[OAuthSettings, TokenSet]
]
SIGN_IN_METHODS = ("password", "google", "microsoft", "oidc")
Tested = tuple[AccountConfig, str]  # the account as tested, and its secret to store


class AddInboxDialog(QDialog):
    """Emits `account_added(AccountConfig)` once the login test passed and `save` returned."""

    account_added = Signal(object)

    def __init__(
        self,
        test_login: LoginTest,
        save: SaveAccount,
        existing_names: Collection[str] = (),
        parent: QWidget | None = None,
        oauth_sign_in: OAuthSignIn | None = None,
        *,
        tasks: TaskRunner,
        test_sending: LoginTest | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("AddInboxDialog")
        self._test_login = test_login
        self._test_sending = test_sending
        self._save = save
        self._oauth_sign_in = oauth_sign_in
        self._existing = {n.lower() for n in existing_names}
        self._check = LoginCheck(tasks, self, self._on_failed)
        self._sending_failed: Tested | None = None  # what "Save anyway" would save

        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.intro.setTextFormat(Qt.TextFormat.PlainText)
        self.email = QLineEdit()
        self.email.setObjectName("email")
        self.password = password_field()
        self.provider = QComboBox()
        self.provider.setObjectName("provider")
        for preset in PRESETS:
            self.provider.addItem(preset.label, preset.key)
        self.hint = QLabel()
        self.hint.setWordWrap(True)
        self.hint.setTextFormat(Qt.TextFormat.PlainText)
        self.hint.setStyleSheet("color: palette(mid);")
        self.sign_in_with = QComboBox()
        self.sign_in_with.setObjectName("sign_in_with")
        for method in SIGN_IN_METHODS:
            self.sign_in_with.addItem(method, method)
        self.issuer = QLineEdit()
        self.issuer.setObjectName("oauth_issuer")
        self.client_id = QLineEdit()
        self.client_id.setObjectName("oauth_client_id")

        self.name = QLineEdit()
        self.name.setObjectName("name")
        self.imap_host = QLineEdit()
        self.imap_host.setObjectName("imap_host")
        self.imap_port = port_box("imap_port")
        self.imap_security = security_box("imap_security")
        self.username = QLineEdit()
        self.ca_file = QLineEdit()
        self.ca_file.setObjectName("ca_file")
        self.smtp_host = QLineEdit()
        self.smtp_host.setObjectName("smtp_host")
        self.smtp_port = port_box("smtp_port")
        self.smtp_security = security_box("smtp_security")

        self.status = StatusLine()
        self.buttons = QDialogButtonBox()
        self.save_button = QPushButton()
        self.save_button.setDefault(True)
        self.buttons.addButton(self.save_button, QDialogButtonBox.ButtonRole.AcceptRole)
        self._check.offer_save_anyway(self.buttons, self.save_anyway)
        self.cancel_button = self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)

        self.basic = QFormLayout()
        self.basic.addRow(QLabel(), self.email)
        self.basic.addRow(QLabel(), self.sign_in_with)
        self.basic.addRow(QLabel(), self.password)
        self.basic.addRow(QLabel(), self.issuer)
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
        server.addRow(QLabel(), self.client_id)
        self._server_form = server
        layout = QVBoxLayout(self)
        layout.addWidget(self.intro)
        layout.addLayout(self.basic)
        layout.addWidget(self.server_box)
        layout.addWidget(self.status)
        layout.addWidget(self.buttons)

        self.email.textChanged.connect(self._on_email_changed)
        self.provider.currentIndexChanged.connect(lambda _i: self._apply_preset())
        self.sign_in_with.currentIndexChanged.connect(lambda _i: self._apply_method())
        self.save_button.clicked.connect(self.start_test)
        self.cancel_button.clicked.connect(self.reject)
        self._name_touched = False
        self.name.textEdited.connect(lambda _t: setattr(self, "_name_touched", True))
        self._retranslate()
        on_language_change(self, self._retranslate)
        self.select_preset("custom")
        self._apply_method()

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
        sign_in = provider_for_email(text)
        if self._oauth_sign_in is not None and sign_in is not None:
            self.select_method(sign_in)  # a company's own domain: the person picks
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
        self.hint.setText(self._method_note() or self._preset_note(preset))
        self.hint.setVisible(bool(self.hint.text()))

    # -------------------------------------------------------------- how it signs in

    def method(self) -> str:
        """'password', or the OAuth provider: 'google', 'microsoft', 'oidc'."""
        return str(self.sign_in_with.currentData() or "password")

    def select_method(self, method: str) -> None:
        index = self.sign_in_with.findData(method)
        if index >= 0:
            self.sign_in_with.setCurrentIndex(index)
        self._apply_method()

    def _apply_method(self) -> None:
        oauth = self.method() != "password"
        available = self._oauth_sign_in is not None
        self._set_row_visible(self.basic, self.sign_in_with, available)
        self._set_row_visible(self.basic, self.password, not oauth)
        self._set_row_visible(self.basic, self.issuer, self.method() == "oidc")
        self._set_row_visible(self._server_form, self.client_id, oauth)
        if oauth and self.method() in ("google", "microsoft"):
            preset = "gmail" if self.method() == "google" else "outlook"
            if self.preset().key in ("custom", preset):
                self.select_preset(preset)
                if self.method() == "microsoft":  # Microsoft 365's SMTP AUTH host
                    self.smtp_host.setText("smtp.office365.com")
        self.hint.setText(self._method_note() or self._preset_note(self.preset()))
        self.hint.setVisible(bool(self.hint.text()))
        self.save_button.setText(self._save_text())

    @staticmethod
    def _set_row_visible(form: QFormLayout, field: QWidget, visible: bool) -> None:
        form.setRowVisible(field, visible)  # the label and the row's spacing too

    def _method_note(self) -> str:
        if self.method() == "password":
            return ""
        return self.tr(
            "Your browser opens: sign in there and allow Ippo to read and send your mail. Ippo"
            " never sees your password; it keeps the sign-in in your system keyring."
        )

    def _save_text(self) -> str:
        return {
            "google": self.tr("Sign in with Google…"),
            "microsoft": self.tr("Sign in with Microsoft…"),
            "oidc": self.tr("Sign in…"),
        }.get(self.method(), self.tr("Test and save"))

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
            imap_security=chosen_security(self.imap_security),
            username=username,
            ca_file=self.ca_file.text().strip() or None,
            smtp_host=self.smtp_host.text().strip() or None,
            smtp_port=self.smtp_port.value(),
            smtp_security=chosen_security(self.smtp_security),
        )

    def _problem(self, account: AccountConfig) -> str:
        if "@" not in account.email or account.email.startswith("@"):
            return self.tr("Enter the full email address.")
        if self.method() == "oidc" and not self.issuer.text().strip():
            return self.tr("Enter the sign-in provider's address (issuer URL).")
        if self.method() == "password" and not self.password.text():
            return self.tr("Enter the password (or app password).")
        if not account.imap_host or "{" in account.imap_host:
            return self.tr("Enter the IMAP server of this address.")
        if account.name.lower() in self._existing:
            return self.tr("An inbox with this name is already watched.")
        return ""

    # -------------------------------------------------------------- test, then save

    def is_busy(self) -> bool:
        return self._check.busy()

    def start_test(self) -> None:
        if self._check.busy():
            return
        account = self.account()
        problem = self._problem(account)
        if problem:
            self._show_status(problem, error=True)
            return
        self._sending_failed = None
        if self.method() != "password" and self._oauth_sign_in is not None:
            self._show_status(
                self.tr(
                    "Sign in in the browser window that opened. This window waits up to"
                    " 5 minutes; Cancel stops it."
                )
            )
            self._run(self._sign_in_job(account))
        else:
            self._show_status(self._check.testing_text(account.imap_host))
            self._run(self._password_job(account, self.password.text()))

    def save_anyway(self) -> None:
        """Only sending failed: save the inbox as it was tested (when nothing was changed
        since), without the SMTP test; otherwise test again."""
        tested = self._sending_failed
        if tested is None or replace(tested[0], auth=None) != self.account():
            self.start_test()
            return
        account, secret = tested
        save = self._save

        def job(stop: threading.Event) -> AccountConfig:
            step(SAVE, stop, lambda: save(account, secret))
            return account

        self._run(job)

    def _run(self, job: Callable[[threading.Event], AccountConfig]) -> None:
        self._set_inputs_enabled(False)
        self._check.start(job, self._on_added)

    def _password_job(
        self, account: AccountConfig, password: str
    ) -> Callable[[threading.Event], AccountConfig]:
        test_then_save = self._test_then_save()
        return lambda stop: test_then_save(stop, account, password, password)

    def _test_then_save(
        self,
    ) -> Callable[[threading.Event, AccountConfig, str, str], AccountConfig]:
        test_login, test_sending, save = self._test_login, self._test_sending, self._save

        def run(
            stop: threading.Event, account: AccountConfig, secret: str, kept: str
        ) -> AccountConfig:
            # Worker thread (no widget is touched here): the IMAP login with `secret`, the SMTP
            # login when the inbox sends, then `kept` (the password, the refresh token) stored.
            step(LOGIN, stop, lambda: test_login(account, secret))
            if account.smtp_host and test_sending is not None:
                tested = (account, kept)  # what "Save anyway" saves
                step(SENDING, stop, lambda: test_sending(account, secret), tested)
            step(SAVE, stop, lambda: save(account, kept))
            return account

        return run

    def _sign_in_job(self, account: AccountConfig) -> Callable[[threading.Event], AccountConfig]:
        sign_in, test_then_save = self._oauth_sign_in, self._test_then_save()
        assert sign_in is not None
        method = self.method()
        issuer = self.issuer.text().strip() or None if method == "oidc" else None
        client_id = self.client_id.text().strip() or None

        def job(stop: threading.Event) -> AccountConfig:
            # Worker thread: the browser wait (Cancel sets `stop`: it ends at once), the
            # login test, the keyring.
            auth, tokens = step(
                SIGN_IN, stop, lambda: sign_in(method, issuer, client_id, account.email, stop)
            )
            assert tokens.refresh_token is not None
            signed_in = replace(account, auth=auth)
            token = BearerToken(tokens.access_token)
            return test_then_save(stop, signed_in, token, tokens.refresh_token)

        return job

    def _on_failed(self, failure: StepFailed) -> None:
        self._set_inputs_enabled(True)
        kept = failure.kept if failure.stage == SENDING else None
        self._sending_failed = kept if isinstance(kept, tuple) else None
        host = self.account().smtp_host or ""
        self._show_status(self._check.failure_text(failure, host), error=True)

    def _on_added(self, account: AccountConfig) -> None:
        self._set_inputs_enabled(True)
        self._show_status(self.tr("Connected. The inbox is now watched."))
        self.account_added.emit(account)
        self.accept()

    def _set_inputs_enabled(self, enabled: bool) -> None:
        for widget in (
            self.email,
            self.password,
            self.sign_in_with,
            self.issuer,
            self.provider,
            self.server_box,
            self.save_button,
        ):
            widget.setEnabled(enabled)

    def _show_status(self, text: str, error: bool = False) -> None:
        self.status.say(text, error)

    # -------------------------------------------------------------- text

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Add inbox"))
        self.intro.setText(
            self.tr(
                "Which address do customers write to? Ippo watches it and tells you before"
                " a reply is due. The password is kept in your system keyring only."
            )
        )
        set_row_labels(
            (
                (self.basic, self.email, self.tr("Email address")),
                (self.basic, self.sign_in_with, self.tr("Sign in with")),
                (self.basic, self.password, self.tr("Password")),
                (self.basic, self.issuer, self.tr("Provider address (issuer URL)")),
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
                (self._server_form, self.client_id, self.tr("OAuth client ID (optional)")),
            )
        )
        self.server_box.setTitle(self.tr("Server"))
        self.provider.setItemText(self.provider.findData("custom"), self.tr("Other (custom)"))
        method_names = {
            "password": self.tr("Password (or app password)"),
            "google": self.tr("Sign in with Google"),
            "microsoft": self.tr("Sign in with Microsoft"),
            "oidc": self.tr("Another sign-in provider (OpenID Connect)"),
        }
        for method, text in method_names.items():
            self.sign_in_with.setItemText(self.sign_in_with.findData(method), text)
        self.save_button.setText(self._save_text())
        self.issuer.setPlaceholderText("https://login.example.com")
        self.email.setPlaceholderText(self.tr("info@your-shop.jp"))
        self.ca_file.setPlaceholderText(self.tr("only for a self-hosted server"))
        if self.provider.count():
            self.hint.setText(self._method_note() or self._preset_note(self.preset()))
