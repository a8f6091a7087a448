"""The real app over OAuth, end to end: `ippo account add --auth oauth2 --no-browser` with a
real headless Chromium on oidc-provider's pages, then `python -m trayapp` under Xvfb with
trayer and dunst on a private D-Bus session (gnome-keyring holding the refresh token),
against Dovecot's oauth2 passdb.

What must hold: the icon is embedded, the inquiry is notified once; revoking the grant puts
the inbox in `error (sign in again)` with exactly one refused login at the server and one
notification saying so; no token on the app's command line or in its environment; SIGTERM
exits 0.
"""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import sys
import threading
from pathlib import Path

import pytest

from tests.e2e.app_runs import running_app
from tests.e2e.test_tray_app import wait_for_log
from tests.support.browser import Browser
from tests.support.desktop_session import Desktop
from tests.support.dovecot import DovecotUser
from tests.support.mailcorpus import EN_CUSTOMER_NAME, english_inquiry
from tests.support.oidc_server import CLIENT_ID, OAuthMail

pytestmark = [pytest.mark.integration, pytest.mark.gui, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
URL_LINE = re.compile(r"^Open this URL to sign in: (\S+)$")


def add_with_browser(
    desk: Desktop, config: Path, stack: OAuthMail, user: DovecotUser, browser: Browser
) -> None:
    account = stack.dovecot.account(user)
    proc = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "trayapp",
            "--config-dir",
            str(config),
            "account",
            "add",
            "--name",
            "shop",
            "--email",
            account.email,
            "--auth",
            "oauth2",
            "--oauth-issuer",
            stack.oidc.issuer,
            "--oauth-client-id",
            CLIENT_ID,
            "--imap-host",
            account.imap_host,
            "--imap-port",
            str(account.imap_port),
            "--username",
            user.username,
            "--ca-file",
            str(account.ca_file),
            "--no-browser",
        ],
        cwd=ROOT,
        env=desk.env(LANG="en_US.UTF-8"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    first: list[str] = []
    got = threading.Event()

    def read() -> None:
        assert proc.stderr is not None
        first.append(proc.stderr.readline().strip())
        got.set()

    threading.Thread(target=read, daemon=True).start()
    assert got.wait(60), "no sign-in URL"
    match = URL_LINE.match(first[0])
    assert match, first
    browser.sign_in(match.group(1), user.username)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, out + err


def test_real_app_over_oauth_notifies_and_says_sign_in_again(
    desktop: Desktop, oauth_mail: OAuthMail, headless_browser: Browser, tmp_path: Path
) -> None:
    stack = oauth_mail
    user = stack.dovecot.add_user()
    now = dt.datetime.now(dt.UTC)
    stack.dovecot.append(
        user,
        "INBOX",
        english_inquiry(to=user.email, date=now - dt.timedelta(hours=21)),
        internaldate=now - dt.timedelta(hours=21),
    )
    config = tmp_path / "config"
    add_with_browser(desktop, config, stack, user, headless_browser)
    refresh = desktop.bus.stored_secrets()["shop:oauth2-refresh"]
    notifications = desktop.notifications
    assert notifications is not None
    app_log = config / "ippo.log"

    with running_app(desktop, config, "app-oauth.log", LANG="en_US.UTF-8", LANGUAGE="en") as app:
        desktop.wait_for_tray_icon("ippo")
        wait_for_log(app_log, r"shop: connected")
        calls = notifications.wait_for(1)
        assert EN_CUSTOMER_NAME in calls[0], calls[0]
        for secret in (refresh, desktop.bus.stored_secrets()["shop:oauth2-refresh"]):
            assert secret.encode() not in Path(f"/proc/{app.pid}/cmdline").read_bytes()
            assert secret.encode() not in Path(f"/proc/{app.pid}/environ").read_bytes()

        stack.oidc.revoke(desktop.bus.stored_secrets()["shop:oauth2-refresh"])
        stack.dovecot.restart()
        wait_for_log(app_log, r"shop: error \(sign in again\)")
        calls = notifications.wait_for(2)
        assert "sign in again" in calls[1], calls[1]
        assert "ippo-fix:shop" in calls[1] and "Sign in again…" in calls[1], calls[1]
        assert stack.dovecot_auth_failures(user.username) == 1
    text = app_log.read_text(encoding="utf-8")
    assert refresh not in text
    assert stack.dovecot_auth_failures(user.username) == 1
