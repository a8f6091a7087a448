"""OAuth accounts watched live: access tokens renewed during IDLE without the user noticing, a
revoked grant -> `error (sign in again)` after at most one failed login, signing in again
resumes the account, `ippo watch` and `ippo ack` (SMTP XOAUTH2) over OAuth. Real parts only:
oidc-provider, Dovecot's oauth2 passdb, the aiosmtpd server introspecting tokens, Chromium,
gnome-keyring."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser import Browser
from tests.support.keyring_session import KeyringSession
from tests.support.mailcorpus import make_message
from tests.support.oidc_server import OAuthMail, sign_in_in_process, wait_for
from tests.support.smtp_server import running_smtp_server
from trayapp.config import ConfigStore
from trayapp.desktop.secrets import KeyringSecretStore
from trayapp.mail.service import WatchService, WatchSnapshot, password_source
from trayapp.mail.watcher import WatchTimings
from trayapp.oauth.tokens import REFRESH_KIND

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
IPPO = [sys.executable, "-m", "trayapp"]
TIMINGS = WatchTimings(
    keepalive=5, response_timeout=5, backoff_base=0.5, backoff_cap=2, signin_recheck=1
)


class Recorder:
    def __init__(self, name: str) -> None:
        self.name = name
        self.states: list[str] = []
        self.subjects: set[str] = set()
        self.lock = threading.Lock()

    def __call__(self, snapshot: WatchSnapshot) -> None:
        with self.lock:
            health = snapshot.health.get(self.name)
            if health is not None and (not self.states or self.states[-1] != health.describe()):
                self.states.append(health.describe())
            self.subjects |= {i.subject for i in snapshot.items}


def start_service(account: Any, secrets: KeyringSecretStore) -> tuple[WatchService, Recorder]:
    service = WatchService([account], password_source(secrets, missing_hint="-"), timings=TIMINGS)
    recorder = Recorder(account.name)
    service.subscribe(recorder)
    service.start()
    return service, recorder


def signed_in_and_watched(
    stack: OAuthMail, browser: Browser, name: str
) -> tuple[Any, Any, Any, KeyringSecretStore, WatchService, Recorder]:
    """A fresh user signed in through the browser, its refresh token in the keyring, watched:
    (user, account, tokens, secrets, service, recorder)."""
    user = stack.dovecot.add_user()
    account, tokens = sign_in_in_process(stack, user, browser, name)
    secrets = KeyringSecretStore()
    secrets.set_password(account.name, tokens.refresh_token, REFRESH_KIND)
    service, recorder = start_service(account, secrets)
    return user, account, tokens, secrets, service, recorder


def logins(stack: OAuthMail, user: str) -> int:
    text = stack.dovecot.log_path.read_text(errors="replace")
    return text.count(f"Login: user=<{user}>, method=OAUTHBEARER")


def test_access_token_expiring_during_idle_is_renewed_without_the_user_noticing(
    oauth_mail_factory: Any, secret_env: KeyringSession, headless_browser: Browser
) -> None:
    stack: OAuthMail = oauth_mail_factory(access_ttl=6)
    user, account, tokens, secrets, service, recorder = signed_in_and_watched(
        stack, headless_browser, "renew"
    )
    try:
        assert wait_for(lambda: recorder.states[-1:] == ["connected"], 20), recorder.states
        # Three lifetimes of the 6-second token: each session is renewed before it expires.
        assert wait_for(lambda: stack.oidc.count("event grant.success refresh_token") >= 3, 40)
        stack.dovecot.deliver(user, make_message(subject="after three renewals", to=user.email))
        assert wait_for(lambda: "after three renewals" in recorder.subjects, 20)
    finally:
        service.stop()
    # The person saw `connected` all along: no retrying, no error, no reconnect in between.
    assert recorder.states == ["connecting", "connected"], recorder.states
    assert logins(stack, user.username) >= 4  # the sign-in check, then one per renewal
    assert stack.dovecot_auth_failures(user.username) == 0
    # The rotated refresh token is the one in the keyring now.
    assert secrets.get_password(account.name, REFRESH_KIND) != tokens.refresh_token


def test_revoked_grant_means_sign_in_again_after_one_failed_login_then_reauth_resumes(
    oauth_mail_factory: Any, secret_env: KeyringSession, headless_browser: Browser
) -> None:
    stack: OAuthMail = oauth_mail_factory()
    user, account, _tokens, secrets, service, recorder = signed_in_and_watched(
        stack, headless_browser, "revoked"
    )
    try:
        assert wait_for(lambda: recorder.states[-1:] == ["connected"], 20), recorder.states
        # The person removes Ippo's access at the provider; the server then drops the session.
        stack.oidc.revoke(secrets.get_password(account.name, REFRESH_KIND) or "")
        stack.dovecot.restart()
        assert wait_for(lambda: recorder.states[-1:] == ["error (sign in again)"], 30), (
            recorder.states
        )
        # Exactly one refused login (the access token still held in memory), then nothing:
        # no retries, however long it waits.
        assert stack.dovecot_auth_failures(user.username) == 1
        refreshes = stack.oidc.count("event grant.")
        service.retry_now(account.name)  # a retry without signing in asks nobody again
        time.sleep(3)
        assert stack.dovecot_auth_failures(user.username) == 1
        assert stack.oidc.count("event grant.") == refreshes
        assert recorder.states[-1] == "error (sign in again)"

        # Signed in again elsewhere (`ippo account reauth`: a new refresh token in the
        # keyring): the watcher notices by itself and resumes, no retry, no restart.
        _account, fresh = sign_in_in_process(stack, user, headless_browser, "revoked")
        secrets.set_password(account.name, fresh.refresh_token, REFRESH_KIND)
        assert wait_for(lambda: recorder.states[-1:] == ["connected"], 20), recorder.states
        stack.dovecot.deliver(user, make_message(subject="back again", to=user.email))
        assert wait_for(lambda: "back again" in recorder.subjects, 20)
    finally:
        service.stop()


def _env(session: KeyringSession) -> dict[str, str]:
    return session.subprocess_env(LANG="C.UTF-8")


def test_ippo_watch_and_ack_over_oauth_and_no_token_anywhere(
    oauth_mail: OAuthMail,
    keyring_session: KeyringSession,
    secret_env: KeyringSession,
    headless_browser: Browser,
    tmp_path: Path,
) -> None:
    stack = oauth_mail
    user = stack.dovecot.add_user()
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    with running_smtp_server(stack.dovecot, "ssl", introspect=stack.oidc.introspect) as smtp:
        account, tokens = sign_in_in_process(
            stack, user, headless_browser, "watched", **smtp.account_fields()
        )
        secrets = KeyringSecretStore()
        secrets.set_password(account.name, tokens.refresh_token, REFRESH_KIND)
        ConfigStore(config_dir).add_account(account)
        stack.dovecot.deliver(
            user,
            make_message(
                subject="納期のご相談", to=user.email, from_addr="customer@client.example"
            ),
        )
        watch = subprocess.Popen(
            [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), "watch", "--json"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            cwd=REPO,
            env=_env(keyring_session),
        )
        try:
            lines: list[dict[str, Any]] = []

            def read() -> None:
                assert watch.stdout is not None
                for raw in watch.stdout:
                    lines.append(json.loads(raw))

            threading.Thread(target=read, daemon=True).start()

            def connected_with_item() -> bool:
                return any(
                    line["accounts"]["watched"]["state"] == "connected"
                    and any(p["subject"] == "納期のご相談" for p in line["pending"])
                    for line in lines
                )

            assert wait_for(connected_with_item, 30), lines[-1:] or watch.stderr
            refresh = secrets.get_password(account.name, REFRESH_KIND) or ""
            # No token on the command line or in the environment of the watching process.
            for secret in (refresh, tokens.refresh_token, tokens.access_token):
                assert secret.encode() not in Path(f"/proc/{watch.pid}/cmdline").read_bytes()
                assert secret.encode() not in Path(f"/proc/{watch.pid}/environ").read_bytes()

            # The acknowledgement goes out over SMTP with XOAUTH2.
            pending = subprocess.run(
                [
                    sys.executable,
                    "-m",
                    "trayapp",
                    "--config-dir",
                    str(config_dir),
                    "pending",
                    "--json",
                ],
                capture_output=True,
                text=True,
                cwd=REPO,
                env=_env(keyring_session),
                timeout=60,
            )
            assert pending.returncode == 0, pending.stderr
            [item] = json.loads(pending.stdout)
            ack = subprocess.run(
                [*IPPO, "--config-dir", str(config_dir), "ack", item["id"], "--promise", "2d"],
                capture_output=True,
                text=True,
                cwd=REPO,
                env=_env(keyring_session),
                timeout=60,
            )
            assert ack.returncode == 0, ack.stderr
            assert smtp.token_logins == [(user.username, True)]
            assert [a.rcpt_tos for a in smtp.accepted] == [["customer@client.example"]]

            # The watcher sees it acknowledged (flag set over IMAP by the same OAuth login).
            def acknowledged() -> bool:
                return any(
                    p["subject"] == "納期のご相談" and p["state"] == "acknowledged"
                    for p in lines[-1]["pending"]
                )

            assert wait_for(acknowledged, 30), lines[-1]

            # The grant revoked while watching: `ippo watch` says so.
            stack.oidc.revoke(secrets.get_password(account.name, REFRESH_KIND) or "")
            stack.dovecot.restart()
            assert wait_for(
                lambda: lines[-1]["accounts"]["watched"]["text"] == "error (sign in again)", 30
            ), lines[-1]["accounts"]
        finally:
            watch.terminate()
            watch.wait(10)
    # No token in any file Ippo wrote (config, state, log).
    secrets_seen = [tokens.refresh_token, tokens.access_token, refresh]
    for path in config_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert not any(s.encode() in data for s in secrets_seen), path
    assert (config_dir / "ippo.log").exists()
    assert os.environ.get("IPPO_OAUTH_OIDC_CLIENT_ID") is None
