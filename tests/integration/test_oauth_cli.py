"""`ippo account add --auth oauth2` and `ippo account reauth` as real processes: the real
oidc-provider signs the person in through a real headless Chromium, Dovecot checks the tokens
through its oauth2 passdb (introspection), the refresh token goes into a real gnome-keyring."""

from __future__ import annotations

import base64
import json
import re
import signal
import subprocess
import sys
import threading
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from tests.support.browser import Browser
from tests.support.dovecot import DovecotUser
from tests.support.keyring_session import KeyringSession
from tests.support.mailcorpus import make_message
from tests.support.oidc_server import CLIENT_ID, OAuthMail

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
URL_LINE = re.compile(r"^Open this URL to sign in: (http://127\.0\.0\.1:\d+/auth\?\S+)$")


def env_for(session: KeyringSession, **extra: str) -> dict[str, str]:
    env = session.subprocess_env(LANG="C.UTF-8", **extra)
    for name in [k for k in env if k.startswith("IPPO_OAUTH_")]:
        del env[name]
    return env


def ippo(
    session: KeyringSession, config_dir: Path, *args: str, **env: str
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), *args],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=env_for(session, **env),
        timeout=120,
        stdin=subprocess.DEVNULL,
    )


class SignInProcess:
    """`ippo ... --no-browser` running; reads the URL line off its stderr."""

    def __init__(self, session: KeyringSession, config_dir: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), *args],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
            # A sign-in that hangs says where: SIGABRT makes faulthandler print every
            # thread's stack (finish()).
            env=env_for(session, PYTHONFAULTHANDLER="1"),
        )
        self.first_line = ""
        got = threading.Event()

        def read() -> None:
            assert self.proc.stderr is not None
            self.first_line = self.proc.stderr.readline().rstrip("\n")
            got.set()

        threading.Thread(target=read, daemon=True).start()
        if not got.wait(60):
            self.proc.kill()
            raise AssertionError("no sign-in URL on stderr within 60 s")

    @property
    def url(self) -> str:
        match = URL_LINE.match(self.first_line)
        assert match, f"not the contract's line: {self.first_line!r}"
        return match.group(1)

    @property
    def redirect_port(self) -> int:
        query = urllib.parse.parse_qs(urllib.parse.urlsplit(self.url).query)
        redirect = urllib.parse.urlsplit(query["redirect_uri"][0])
        assert redirect.hostname == "127.0.0.1" and redirect.path == "/"
        assert redirect.port is not None
        return redirect.port

    def finish(self, timeout: float = 60) -> tuple[int, str, str]:
        """(exit code, stdout, the whole stderr including the first line). A process still
        running after `timeout` is aborted and the test fails with its threads' stacks."""
        try:
            out, rest = self.proc.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.proc.send_signal(signal.SIGABRT)
            out, rest = self.proc.communicate(timeout=30)
            raise AssertionError(
                f"ippo still ran {timeout:.0f} s later; its stacks on SIGABRT:\n{rest}"
            ) from None
        return self.proc.returncode, out, self.first_line + "\n" + rest


def add_args(stack: OAuthMail, user: DovecotUser, name: str, *extra: str) -> list[str]:
    return [
        "account",
        "add",
        "--name",
        name,
        "--email",
        user.email,
        "--auth",
        "oauth2",
        "--oauth-issuer",
        stack.oidc.issuer,
        "--oauth-client-id",
        CLIENT_ID,
        "--imap-host",
        stack.dovecot.host,
        "--imap-port",
        str(stack.dovecot.imaps_port),
        "--username",
        user.username,
        "--ca-file",
        stack.dovecot.ca_file,
        *extra,
    ]


def add_oauth_account(
    stack: OAuthMail,
    user: DovecotUser,
    session: KeyringSession,
    config_dir: Path,
    browser: Browser,
    name: str,
    *extra: str,
) -> str:
    """Runs the whole --no-browser sign-in; returns the page the browser landed on."""
    running = SignInProcess(
        session, config_dir, *add_args(stack, user, name, *extra, "--no-browser")
    )
    page = browser.sign_in(running.url, user.username)
    code, out, err = running.finish()
    assert code == 0, err
    assert err.strip() == running.first_line, "exactly one line on stderr"
    assert f"added {name}" in out
    return page


def files_hold(directory: Path, secret: str) -> list[Path]:
    needles = [secret.encode(), base64.b64encode(secret.encode())]
    return [
        p for p in directory.rglob("*") if p.is_file() and any(n in p.read_bytes() for n in needles)
    ]


@pytest.fixture
def oauth_user(oauth_mail: OAuthMail) -> DovecotUser:
    return oauth_mail.dovecot.add_user()


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "ippo-config"


def test_add_with_no_browser_signs_in_tests_imap_and_keeps_only_the_refresh_token_in_the_keyring(
    oauth_mail: OAuthMail,
    oauth_user: DovecotUser,
    keyring_session: KeyringSession,
    config_dir: Path,
    headless_browser: Browser,
) -> None:
    name = f"oa-{oauth_user.username}"
    page = add_oauth_account(
        oauth_mail, oauth_user, keyring_session, config_dir, headless_browser, name
    )
    assert "Signed in. You can close this tab" in page

    refresh = keyring_session.stored_secrets()[f"{name}:oauth2-refresh"]
    assert refresh and f"{name}:imap" not in keyring_session.stored_secrets()
    assert oauth_mail.oidc.introspect(refresh)["active"] is True
    # The IMAP login was tested with a token before saving: Dovecot logged it as XOAUTH2 or
    # OAUTHBEARER (it offers both; OAUTHBEARER is preferred).
    log = oauth_mail.dovecot.log_path.read_text()
    assert re.search(rf"Login: user=<{oauth_user.username}>, method=OAUTHBEARER", log), log[-2000:]

    [saved] = json.loads((config_dir / "config.json").read_text())["accounts"]
    assert saved["auth"] == {
        "method": "oauth2",
        "provider": "oidc",
        "issuer": oauth_mail.oidc.issuer,
        "client_id": CLIENT_ID,
        "scopes": [],
    }
    assert files_hold(config_dir, refresh) == []
    listed = ippo(keyring_session, config_dir, "account", "list")
    assert listed.stdout.rstrip().endswith("oauth2 (oidc)"), listed.stdout

    # `ippo pending` logs in over OAuth (a fresh access token from the refresh token).
    oauth_mail.dovecot.deliver(
        oauth_user, make_message(subject="見積もりのお願い", to=oauth_user.email)
    )
    pending = ippo(keyring_session, config_dir, "pending", "--json")
    assert pending.returncode == 0, pending.stderr
    [item] = json.loads(pending.stdout)
    assert item["subject"] == "見積もりのお願い" and item["account"] == name
    # A rotated refresh token was written back; the old one is void.
    rotated = keyring_session.stored_secrets()[f"{name}:oauth2-refresh"]
    assert rotated != refresh
    assert files_hold(config_dir, rotated) == []


def test_ctrl_c_cancels_cleanly_and_saves_nothing(
    oauth_mail: OAuthMail,
    oauth_user: DovecotUser,
    keyring_session: KeyringSession,
    config_dir: Path,
) -> None:
    name = f"cc-{oauth_user.username}"
    running = SignInProcess(
        keyring_session, config_dir, *add_args(oauth_mail, oauth_user, name, "--no-browser")
    )
    assert running.url
    running.proc.send_signal(signal.SIGINT)
    code, out, err = running.finish()
    assert code == 130
    assert err.splitlines() == [running.first_line, "ippo: sign-in cancelled; nothing was saved"]
    assert "Traceback" not in err and out == ""
    assert f"{name}:oauth2-refresh" not in keyring_session.stored_secrets()
    assert not (config_dir / "config.json").exists()


def _get(url: str, host: str | None = None) -> tuple[int, str]:
    request = urllib.request.Request(url)
    if host is not None:
        request.add_header("Host", host)
    opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
    try:
        with opener.open(request, timeout=10) as response:
            return response.status, response.read().decode()
    except urllib.error.HTTPError as error:
        return error.code, error.read().decode()


def test_wrong_state_and_other_addresses_are_refused_and_the_real_sign_in_still_works(
    oauth_mail: OAuthMail,
    oauth_user: DovecotUser,
    keyring_session: KeyringSession,
    config_dir: Path,
    headless_browser: Browser,
) -> None:
    name = f"st-{oauth_user.username}"
    running = SignInProcess(
        keyring_session, config_dir, *add_args(oauth_mail, oauth_user, name, "--no-browser")
    )
    port = running.redirect_port
    base = f"http://127.0.0.1:{port}"
    # A forged redirect (someone else's code, a stale tab): refused, the sign-in goes on.
    status, body = _get(f"{base}/?code=forged&state=not-this-one")
    assert status == 400 and "not the one Ippo is waiting for" in body
    # The right port under another host name (DNS rebinding from a web page): refused.
    status, _ = _get(f"{base}/?code=forged&state=x", host=f"attacker.example:{port}")
    assert status == 400
    # Another path on the listener: nothing there.
    status, _ = _get(f"{base}/favicon.ico")
    assert status == 404
    # The provider itself refuses a redirect to another address than the registered loopback.
    evil = running.url.replace(
        urllib.parse.quote(f"http://127.0.0.1:{port}/", safe=""),
        urllib.parse.quote("http://192.0.2.7/", safe=""),
    )
    assert evil != running.url
    headless_browser.open(evil)
    assert "redirect_uri did not match" in headless_browser.text()

    page = headless_browser.sign_in(running.url, oauth_user.username)
    assert "Signed in" in page
    code, _out, err = running.finish()
    assert code == 0, err
    assert name in json.loads((config_dir / "config.json").read_text())["accounts"][0]["name"]


def test_reauth_replaces_the_refresh_token(
    oauth_mail: OAuthMail,
    oauth_user: DovecotUser,
    keyring_session: KeyringSession,
    config_dir: Path,
    headless_browser: Browser,
) -> None:
    name = f"ra-{oauth_user.username}"
    add_oauth_account(oauth_mail, oauth_user, keyring_session, config_dir, headless_browser, name)
    old = keyring_session.stored_secrets()[f"{name}:oauth2-refresh"]
    oauth_mail.oidc.revoke(old)
    assert oauth_mail.oidc.introspect(old)["active"] is False

    pending = ippo(keyring_session, config_dir, "pending", "--json")
    assert pending.returncode == 1
    assert pending.stderr.splitlines() == [
        f"ippo: account '{name}': The sign-in to this inbox was revoked or has expired; "
        "sign in again."
    ]

    running = SignInProcess(keyring_session, config_dir, "account", "reauth", name, "--no-browser")
    headless_browser.sign_in(running.url, oauth_user.username)
    code, out, err = running.finish()
    assert code == 0, err
    assert out.strip() == f"signed in again: {name}"
    new = keyring_session.stored_secrets()[f"{name}:oauth2-refresh"]
    assert new != old and oauth_mail.oidc.introspect(new)["active"] is True
    assert ippo(keyring_session, config_dir, "pending", "--json").returncode == 0


def test_one_clear_sentence_without_a_client_id_or_with_an_http_issuer(
    keyring_session: KeyringSession, config_dir: Path
) -> None:
    base = ["account", "add", "--name", "g", "--email", "shop@gmail.com", "--auth", "oauth2"]
    # A Gmail address needs no --provider: Google, and its servers, are taken from it.
    result = ippo(keyring_session, config_dir, *base, "--no-browser")
    assert result.returncode == 1
    assert result.stderr.strip().splitlines() == [
        "ippo: this build of Ippo has no OAuth client ID for Google; give one with "
        "--oauth-client-id (or set it up) or set IPPO_OAUTH_GOOGLE_CLIENT_ID (see README, "
        "'OAuth client IDs'); nothing was saved"
    ]
    result = ippo(
        keyring_session,
        config_dir,
        *base,
        "--oauth-issuer",
        "http://login.example.com",
        "--oauth-client-id",
        "x",
        "--imap-host",
        "imap.example.com",
    )
    assert result.returncode == 1
    [line] = result.stderr.strip().splitlines()
    assert line.startswith("ippo: the issuer URL must use https")
    assert not (config_dir / "config.json").exists()


def test_processes_renewing_at_once_never_replay_a_rotated_refresh_token(
    oauth_mail: OAuthMail,
    oauth_user: DovecotUser,
    keyring_session: KeyringSession,
    config_dir: Path,
    headless_browser: Browser,
) -> None:
    """oidc-provider (like Microsoft) rotates refresh tokens and revokes the whole grant when a
    used one comes back: the tray app, `ippo watch` and `ippo pending` renewing together must
    take turns, each reading the token the previous one stored."""
    name = f"cc-{oauth_user.username}"
    add_oauth_account(oauth_mail, oauth_user, keyring_session, config_dir, headless_browser, name)
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), "pending"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            stdin=subprocess.DEVNULL,
            text=True,
            cwd=REPO,
            env=env_for(keyring_session),
        )
        for _ in range(4)
    ]
    results = [(run.wait(120), run.stderr.read() if run.stderr else "") for run in runs]
    assert [code for code, _err in results] == [0, 0, 0, 0], results
    refresh = keyring_session.stored_secrets()[f"{name}:oauth2-refresh"]
    assert oauth_mail.oidc.introspect(refresh)["active"] is True
