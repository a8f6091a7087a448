"""The Add-inbox dialog's sign-in with OAuth: which addresses get which sign-in, a real sign-in
through oidc-provider's pages in a real headless Chromium while the GUI keeps running, and
Cancel during the browser wait."""

from __future__ import annotations

import socket
import threading
import urllib.parse
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from tests.support.browser import Browser
from tests.support.oidc_server import CLIENT_ID, OAuthMail
from trayapp.core.model import AccountConfig, OAuthSettings
from trayapp.core.oauth import TokenSet
from trayapp.desktop.secrets import KeyringSecretStore
from trayapp.mail.imap import check_login
from trayapp.oauth.signin import browser_sign_in
from trayapp.oauth.tokens import REFRESH_KIND
from trayapp.ui.first_run import AddInboxDialog
from trayapp.ui.i18n import LanguageSwitcher
from trayapp.ui.tasks import TaskRunner

pytestmark = [pytest.mark.gui, pytest.mark.integration]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "gui"


def _never(*_args: Any) -> tuple[OAuthSettings, TokenSet]:
    raise AssertionError("no sign-in in this test")


def test_addresses_pick_their_sign_in_and_gmail_keeps_the_app_password(
    tasks: TaskRunner, qtbot: QtBot
) -> None:
    dialog = AddInboxDialog(
        tasks=tasks, test_login=check_login, save=lambda a, p: None, oauth_sign_in=_never
    )
    qtbot.addWidget(dialog)
    dialog.email.setText("shop@gmail.com")
    assert dialog.method() == "google"
    assert not dialog.password.isVisibleTo(dialog)
    assert dialog.save_button.text() == "Sign in with Google…"
    assert dialog.imap_host.text() == "imap.gmail.com"
    # The app-password path stays as a choice for Gmail.
    dialog.select_method("password")
    assert dialog.password.isVisibleTo(dialog) and "app password" in dialog.hint.text()
    assert dialog.save_button.text() == "Test and save"

    for address in ("info@hotmail.co.jp", "me@outlook.com", "sales@contoso.onmicrosoft.com"):
        dialog.email.setText(address)
        assert dialog.method() == "microsoft", address
        assert not dialog.password.isVisibleTo(dialog)
        assert dialog.imap_host.text() == "outlook.office365.com"
        assert dialog.save_button.text() == "Sign in with Microsoft…"

    # A company's own domain: the person picks the provider (Google Workspace here).
    dialog.select_method("password")
    dialog.email.setText("info@my-shop.jp")
    assert dialog.method() == "password"
    dialog.select_method("google")
    assert dialog.method() == "google" and not dialog.password.isVisibleTo(dialog)
    # An OpenID Connect provider needs its address before anything starts.
    dialog.select_method("oidc")
    assert dialog.issuer.isVisibleTo(dialog)
    dialog.start_test()
    assert not dialog.is_busy() and "issuer URL" in dialog.status.text()


def test_without_oauth_the_dialog_is_as_before(tasks: TaskRunner, qtbot: QtBot) -> None:
    dialog = AddInboxDialog(tasks=tasks, test_login=check_login, save=lambda a, p: None)
    qtbot.addWidget(dialog)
    dialog.email.setText("shop@gmail.com")
    assert dialog.method() == "password" and dialog.password.isVisibleTo(dialog)
    assert not dialog.sign_in_with.isVisibleTo(dialog)


def _fill(dialog: AddInboxDialog, stack: OAuthMail, user: Any) -> None:
    dialog.email.setText(user.email)
    dialog.select_method("oidc")
    dialog.issuer.setText(stack.oidc.issuer)
    dialog.client_id.setText(CLIENT_ID)
    dialog.imap_host.setText(stack.dovecot.host)
    dialog.imap_port.setValue(stack.dovecot.imaps_port)
    dialog.username.setText(user.username)
    dialog.ca_file.setText(stack.dovecot.ca_file)


def test_dialog_signs_in_in_the_browser_and_the_gui_keeps_running(
    tasks: TaskRunner,
    qtbot: QtBot,
    qapp: QApplication,
    oauth_mail: OAuthMail,
    secret_env: object,
    headless_browser: Browser,
) -> None:
    user = oauth_mail.dovecot.add_user()
    store = KeyringSecretStore()
    saved: list[AccountConfig] = []
    browsing: list[threading.Thread] = []

    def save(account: AccountConfig, secret: str) -> None:
        kind = REFRESH_KIND if account.auth is not None else "imap"
        store.set_password(account.name, secret, kind)
        saved.append(account)

    def sign_in(
        provider: str, issuer: str | None, client_id: str | None, email: str, cancel: Any
    ) -> tuple[OAuthSettings, TokenSet]:
        def show(url: str) -> None:  # the "system browser": Chromium, on its own thread
            thread = threading.Thread(
                target=headless_browser.sign_in, args=(url, user.username), daemon=True
            )
            browsing.append(thread)
            thread.start()

        assert provider == "oidc"
        return browser_sign_in(
            provider, show, issuer=issuer, client_id=client_id, email=email, cancel=cancel
        )

    dialog = AddInboxDialog(tasks=tasks, test_login=check_login, save=save, oauth_sign_in=sign_in)
    qtbot.addWidget(dialog)
    _fill(dialog, oauth_mail, user)
    ticks: list[int] = []
    timer = QTimer()
    timer.timeout.connect(lambda: ticks.append(1))
    timer.start(20)
    with qtbot.waitSignal(dialog.account_added, timeout=60000) as added:
        dialog.start_test()
        assert dialog.is_busy() and "browser" in dialog.status.text()
    timer.stop()
    # The event loop ran all through the browser sign-in (it takes well over a second).
    assert len(ticks) >= 10
    [account] = saved
    assert added.args == [account]
    assert account.auth is not None and account.auth.issuer == oauth_mail.oidc.issuer
    assert store.get_password(account.name, REFRESH_KIND)
    assert store.get_password(account.name, "imap") is None
    for thread in browsing:
        thread.join(10)


def test_cancel_during_the_browser_wait_stops_listening_and_saves_nothing(
    tasks: TaskRunner, qtbot: QtBot, oauth_mail: OAuthMail, secret_env: object
) -> None:
    user = oauth_mail.dovecot.add_user()
    urls: list[str] = []
    ended: list[BaseException] = []
    saved: list[AccountConfig] = []

    def sign_in(
        provider: str, issuer: str | None, client_id: str | None, email: str, cancel: Any
    ) -> tuple[OAuthSettings, TokenSet]:
        try:
            return browser_sign_in(
                provider, urls.append, issuer=issuer, client_id=client_id, cancel=cancel
            )
        except BaseException as error:
            ended.append(error)
            raise

    dialog = AddInboxDialog(
        tasks=tasks,
        test_login=check_login,
        save=lambda a, s: saved.append(a),
        oauth_sign_in=sign_in,
    )
    qtbot.addWidget(dialog)
    _fill(dialog, oauth_mail, user)
    dialog.start_test()
    qtbot.waitUntil(lambda: bool(urls), timeout=20000)
    redirect = urllib.parse.parse_qs(urllib.parse.urlsplit(urls[0]).query)["redirect_uri"][0]
    port = urllib.parse.urlsplit(redirect).port
    assert port is not None
    socket.create_connection(("127.0.0.1", port), timeout=2).close()  # listening
    dialog.cancel_button.click()
    qtbot.waitUntil(lambda: bool(ended), timeout=5000)
    assert type(ended[0]).__name__ == "SignInCancelled"
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=2).close()
    assert saved == [] and not dialog.isVisible()


@pytest.mark.parametrize(
    ("language", "button", "choice"),
    [
        ("en", "Sign in with Google…", "Sign in with Google"),
        ("ja", "Google でサインイン…", "Google でサインイン"),
    ],
)
def test_sign_in_dialog_in_both_languages_screenshot(
    tasks: TaskRunner, qtbot: QtBot, qapp: QApplication, language: str, button: str, choice: str
) -> None:
    switcher = LanguageSwitcher(qapp)
    assert switcher.apply(language)
    try:
        dialog = AddInboxDialog(
            tasks=tasks, test_login=check_login, save=lambda a, p: None, oauth_sign_in=_never
        )
        qtbot.addWidget(dialog)
        dialog.resize(560, 640)
        dialog.email.setText("shop@gmail.com")
        dialog.show()
        qtbot.waitExposed(dialog)
        assert dialog.save_button.text() == button
        assert dialog.sign_in_with.currentText() == choice
        assert "Ippo" in dialog.hint.text()
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        image = dialog.grab().toImage()
        assert not image.isNull() and image.width() >= 500
        assert image.save(str(ARTIFACTS / f"add-inbox-sign-in-{language}.png"))
    finally:
        switcher.apply("en")
