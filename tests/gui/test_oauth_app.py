"""The tray app over OAuth, with every real part: the real WatchService logging in to Dovecot
with tokens from oidc-provider, gnome-keyring, and a revoked grant fixed from the tray menu's
"Fix" (sign in again) through Chromium -- the account resumes without restarting the app."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.support.browser import Browser
from tests.support.mailcorpus import make_message
from tests.support.oidc_server import OAuthMail, sign_in_in_process
from trayapp.app import IppoApp, build_app
from trayapp.config import ConfigStore
from trayapp.core.model import HealthState, OAuthSettings
from trayapp.core.notifications import NotificationText
from trayapp.core.oauth import TokenSet
from trayapp.desktop.autostart import XdgAutostart
from trayapp.desktop.secrets import KeyringSecretStore
from trayapp.oauth.signin import browser_sign_in
from trayapp.oauth.tokens import REFRESH_KIND

pytestmark = [pytest.mark.gui, pytest.mark.integration]


class Notes:
    name = "recorder"

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []
        self.notes: list[NotificationText] = []

    def show(self, note: NotificationText) -> None:
        self.shown.append((note.title, note.message))
        self.notes.append(note)


@pytest.fixture
def stack(oauth_mail_factory: Any) -> OAuthMail:
    return oauth_mail_factory()  # its own servers: this test restarts Dovecot


@pytest.fixture
def app_parts(tmp_path: Path, qtbot: QtBot, secret_env: object) -> Iterator[dict[str, Any]]:
    parts: dict[str, Any] = {"config": ConfigStore(tmp_path / "config"), "notes": Notes()}
    yield parts
    app = parts.get("app")
    if app is not None:
        app.shutdown()


def test_tray_app_watches_over_oauth_and_sign_in_again_resumes_without_restart(
    qtbot: QtBot,
    stack: OAuthMail,
    headless_browser: Browser,
    app_parts: dict[str, Any],
    tmp_path: Path,
) -> None:
    user = stack.dovecot.add_user()
    account, tokens = sign_in_in_process(stack, user, headless_browser, "oauth-shop")
    secrets = KeyringSecretStore()
    secrets.set_password(account.name, tokens.refresh_token, REFRESH_KIND)
    config: ConfigStore = app_parts["config"]
    config.add_account(account)
    stack.dovecot.deliver(user, make_message(subject="お見積りの件", to=user.email))

    app: IppoApp = build_app(
        config=config,
        secrets=secrets,
        languages=None,
        notification_backends=[app_parts["notes"]],
        autostart=XdgAutostart(tmp_path / "xdg"),
    )
    app_parts["app"] = app

    def sign_in(
        provider: str, issuer: str | None, client_id: str | None, email: str, cancel: Any
    ) -> tuple[OAuthSettings, TokenSet]:
        def show(url: str) -> None:  # the system browser: Chromium, on its own thread
            threading.Thread(
                target=headless_browser.sign_in, args=(url, user.username), daemon=True
            ).start()

        return browser_sign_in(
            provider, show, issuer=issuer, client_id=client_id, email=email, cancel=cancel
        )

    app.oauth_sign_in = sign_in  # type: ignore[method-assign]
    app.start()

    def state() -> HealthState | None:
        health = app.bridge.health.get(account.name)
        return health.state if health is not None else None

    qtbot.waitUntil(lambda: state() is HealthState.CONNECTED, timeout=30000)
    qtbot.waitUntil(
        lambda: any(i.subject == "お見積りの件" for i in app.bridge.items), timeout=20000
    )
    assert "not covered" not in app.tray.toolTip().lower()

    # The person removes Ippo's access at the provider; the server ends the session.
    stack.oidc.revoke(secrets.get_password(account.name, REFRESH_KIND) or "")
    stack.dovecot.restart()
    qtbot.waitUntil(lambda: state() is HealthState.ERROR, timeout=30000)
    assert app.bridge.health[account.name].describe() == "error (sign in again)"
    assert "sign in again" in app.tray.toolTip()
    assert stack.dovecot_auth_failures(user.username) == 1
    notes: Notes = app_parts["notes"]
    assert [t for t, _m in notes.shown if "sign in again" in t] == ["Ippo: sign in again"]
    [told] = [n for n in notes.notes if "sign in again" in n.title]
    assert told.actions[1] == ("ippo-fix:oauth-shop", "Sign in again…")  # the fix, one click
    # The tray menu's one-click fix for this inbox runs the browser sign-in.
    [action] = [a for a in app.tray.menu_actions() if a.text() == "Fix “oauth-shop”…"]

    action.trigger()  # the browser opens, the person signs in, the account resumes
    qtbot.waitUntil(lambda: state() is HealthState.CONNECTED, timeout=60000)
    assert not [a for a in app.tray.menu_actions() if a.text().startswith("Fix")]
    assert len([t for t, _m in notes.shown if "sign in again" in t]) == 1
    assert stack.dovecot_auth_failures(user.username) == 1
    stack.dovecot.deliver(user, make_message(subject="再開後のお問い合わせ", to=user.email))
    qtbot.waitUntil(
        lambda: any(i.subject == "再開後のお問い合わせ" for i in app.bridge.items), timeout=20000
    )
