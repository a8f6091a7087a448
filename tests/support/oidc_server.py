"""A real OpenID Connect / OAuth 2.0 authorization server for the tests: the npm package
`oidc-provider` (pinned in tests/support/oidc/package-lock.json, installed by tests/run.sh with
`npm ci`) on Debian's nodejs, on loopback.

Fixtures (this module is a pytest plugin, listed in tests/conftest.py):

- ``oidc_server_factory`` (function): ``make(access_ttl=..., refresh_ttl=...)`` starts one.
- ``oidc_server`` (function): one with the default lifetimes.

Clients registered on it:
- ``ippo-test``: a public native client (no secret, PKCE required), redirect URI
  ``http://127.0.0.1/`` (any loopback port, RFC 8252 section 7.3).
- ``dovecot`` and ``smtp``: confidential resource servers that introspect tokens (RFC 7662).

Logins: the provider's own login page accepts any login name (the token's ``sub``); the tests
use the Dovecot user name, which is what Dovecot's oauth2 passdb compares with the SASL user.
"""

from __future__ import annotations

import base64
import contextlib
import json
import os
import secrets
import shutil
import signal
import subprocess
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.support.dovecot import DovecotServer

OIDC_DIR = Path(__file__).resolve().parent / "oidc"
HOST = "127.0.0.1"
CLIENT_ID = "ippo-test"
START_TIMEOUT = 30.0


class OidcServerError(RuntimeError):
    pass


def _node() -> str:
    for name in ("node", "nodejs"):
        found = shutil.which(name)
        if found:
            return found
    raise OidcServerError("nodejs is not installed; tests/run.sh installs it (apt: nodejs npm)")


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind((HOST, 0))
        return int(s.getsockname()[1])


@dataclass
class OidcServer:
    root: Path
    access_ttl: int = 3600
    refresh_ttl: int = 86400
    port: int = 0
    resource_secret: str = field(default_factory=lambda: secrets.token_urlsafe(16))
    events: list[str] = field(default_factory=list)  # stderr lines "event grant.success ..."
    _process: subprocess.Popen[bytes] | None = None
    _reader: threading.Thread | None = None

    @property
    def issuer(self) -> str:
        return f"http://{HOST}:{self.port}"

    @property
    def introspection_url(self) -> str:
        return f"{self.issuer}/token/introspection"

    def start(self) -> None:
        if not (OIDC_DIR / "node_modules" / "oidc-provider").is_dir():
            raise OidcServerError(
                f"oidc-provider is not installed in {OIDC_DIR}; run tests/run.sh "
                "(it runs `npm ci` there)"
            )
        self.port = _free_port()
        settings = {
            "host": HOST,
            "port": self.port,
            "access_ttl": self.access_ttl,
            "refresh_ttl": self.refresh_ttl,
            "cookie_key": secrets.token_hex(16),
            "clients": [
                {
                    "client_id": CLIENT_ID,
                    "application_type": "native",
                    "token_endpoint_auth_method": "none",
                    "redirect_uris": [f"http://{HOST}/"],
                    "grant_types": ["authorization_code", "refresh_token"],
                    "response_types": ["code"],
                },
                *(
                    {
                        "client_id": name,
                        "client_secret": self.resource_secret,
                        "redirect_uris": [],
                        "grant_types": [],
                        "response_types": [],
                    }
                    for name in ("dovecot", "smtp")
                ),
            ],
        }
        config = self.root / "settings.json"
        config.write_text(json.dumps(settings))
        config.chmod(0o600)
        env = {k: v for k, v in os.environ.items() if not k.startswith("NODE_")}
        self._process = subprocess.Popen(
            [_node(), str(OIDC_DIR / "server.mjs"), str(config)],
            cwd=OIDC_DIR,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            start_new_session=True,
        )
        assert self._process.stdout is not None
        ready = threading.Event()
        lines: list[str] = []

        def read_stdout() -> None:
            assert self._process is not None and self._process.stdout is not None
            for raw in self._process.stdout:
                lines.append(raw.decode(errors="replace").strip())
                if lines[-1].startswith("ready "):
                    ready.set()

        def read_stderr() -> None:
            assert self._process is not None and self._process.stderr is not None
            for raw in self._process.stderr:
                text = raw.decode(errors="replace").rstrip()
                if text.startswith("event "):
                    self.events.append(text)
                else:
                    lines.append(text)

        threading.Thread(target=read_stdout, daemon=True).start()
        self._reader = threading.Thread(target=read_stderr, daemon=True)
        self._reader.start()
        if not ready.wait(START_TIMEOUT):
            self.stop()
            raise OidcServerError("oidc-provider did not start:\n" + "\n".join(lines[-30:]))

    def stop(self) -> None:
        proc, self._process = self._process, None
        if proc is None:
            return
        with contextlib.suppress(ProcessLookupError):
            os.killpg(proc.pid, signal.SIGTERM)
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            with contextlib.suppress(ProcessLookupError):
                os.killpg(proc.pid, signal.SIGKILL)
            proc.wait(5)

    # ---- what the tests ask the server directly

    def _post(self, path: str, form: dict[str, str], client: str | None) -> dict[str, Any]:
        request = urllib.request.Request(
            self.issuer + path,
            data=urllib.parse.urlencode(form).encode(),
            headers={"Content-Type": "application/x-www-form-urlencoded"},
        )
        if client is not None:
            basic = base64.b64encode(f"{client}:{self.resource_secret}".encode()).decode()
            request.add_header("Authorization", f"Basic {basic}")
        with urllib.request.urlopen(request, timeout=10) as response:
            body = response.read()
        return json.loads(body) if body else {}

    def introspect(self, token: str, client: str = "smtp") -> dict[str, Any]:
        """RFC 7662 introspection as a resource server sees it."""
        return self._post("/token/introspection", {"token": token}, client)

    def revoke(self, refresh_token: str) -> None:
        """RFC 7009 revocation by the app's own client: oidc-provider then revokes the whole
        grant (every access and refresh token of it), as a user removing the app's access
        in their account settings would."""
        self._post(
            "/token/revocation",
            {"token": refresh_token, "token_type_hint": "refresh_token", "client_id": CLIENT_ID},
            None,
        )

    def count(self, prefix: str) -> int:
        return sum(1 for e in self.events if e.startswith(prefix))


@contextlib.contextmanager
def running_oidc_server(**kwargs: Any) -> Iterator[OidcServer]:
    root = Path(tempfile.mkdtemp(prefix="ippo-oidc-"))
    server = OidcServer(root=root, **kwargs)
    try:
        server.start()
        yield server
    finally:
        server.stop()
        shutil.rmtree(root, ignore_errors=True)


@pytest.fixture
def oidc_server_factory() -> Iterator[Callable[..., OidcServer]]:
    stack = contextlib.ExitStack()

    def make(**kwargs: Any) -> OidcServer:
        return stack.enter_context(running_oidc_server(**kwargs))

    with stack:
        yield make


@pytest.fixture
def oidc_server(oidc_server_factory: Callable[..., OidcServer]) -> OidcServer:
    return oidc_server_factory()


@dataclass
class OAuthMail:
    """An authorization server and a Dovecot that checks its tokens (XOAUTH2, OAUTHBEARER)."""

    oidc: OidcServer
    dovecot: DovecotServer

    def dovecot_auth_failures(self, user: str) -> int:
        """Token logins Dovecot refused for `user` (its oauth2 passdb's log lines)."""
        text = self.dovecot.log_path.read_text(errors="replace")
        return sum(
            1 for line in text.splitlines() if f"oauth2({user}," in line and "failed" in line
        )


@contextlib.contextmanager
def running_oauth_mail(
    *, mechanisms: str = "xoauth2 oauthbearer", **oidc_kwargs: Any
) -> Iterator[OAuthMail]:
    with running_oidc_server(**oidc_kwargs) as oidc:
        url = f"http://dovecot:{oidc.resource_secret}@{HOST}:{oidc.port}/token/introspection"
        server = DovecotServer.create(
            oauth2_introspection_url=url,
            prefix="ippo-dovecot-oauth-",
            oauth2_mechanisms=mechanisms,
        )
        try:
            server.start()
            yield OAuthMail(oidc, server)
        finally:
            server.destroy()


@pytest.fixture(scope="session")
def oauth_mail() -> Iterator[OAuthMail]:
    """Shared by the tests of one run: each test uses its own Dovecot user (its own grant)."""
    with running_oauth_mail() as stack:
        yield stack


@pytest.fixture
def oauth_mail_factory() -> Iterator[Callable[..., OAuthMail]]:
    """Private stacks, e.g. with short token lifetimes: ``make(access_ttl=8)``."""
    stack = contextlib.ExitStack()

    def make(**kwargs: Any) -> OAuthMail:
        return stack.enter_context(running_oauth_mail(**kwargs))

    with stack:
        yield make


def wait_for(predicate: Callable[[], bool], timeout: float = 20.0, step: float = 0.1) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return True
        time.sleep(step)
    return predicate()


def sign_in_in_process(
    stack: OAuthMail, user: Any, browser: Any, name: str, **account_fields: Any
) -> tuple[Any, Any]:
    """The app's own sign-in (trayapp.oauth.signin) in a thread, the headless browser on the
    provider's pages, IMAP checked with the token: (AccountConfig with its auth block,
    TokenSet). The caller keeps the refresh token where the product would (the keyring)."""
    from dataclasses import replace

    from trayapp.core.oauth import BearerToken
    from trayapp.mail.imap import check_login
    from trayapp.oauth.signin import plan_sign_in, sign_in

    plan = plan_sign_in("oidc", issuer=stack.oidc.issuer, client_id=CLIENT_ID)
    urls: list[str] = []
    got_url = threading.Event()
    result: dict[str, Any] = {}

    def show(url: str) -> None:
        urls.append(url)
        got_url.set()

    def run() -> None:
        try:
            result["tokens"] = sign_in(plan, show, timeout=60)
        except BaseException as error:  # reported below
            result["error"] = error

    worker = threading.Thread(target=run, daemon=True)
    worker.start()
    assert got_url.wait(20), "no sign-in URL"
    browser.sign_in(urls[0], user.username)
    worker.join(30)
    if "error" in result:
        raise result["error"]
    tokens = result["tokens"]
    account = replace(stack.dovecot.account(user, name=name, **account_fields), auth=plan.auth)
    check_login(account, BearerToken(tokens.access_token))
    return account, tokens
