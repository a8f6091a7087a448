"""A real SMTP submission server for the tests: aiosmtpd on loopback, with TLS (implicit or
STARTTLS, certificate from the test Dovecot's CA) and AUTH PLAIN/LOGIN checked against the
users the test registers. Accepted mail is handed to the test Dovecot's LMTP before the server
answers 250 -- as a real MTA with local delivery does -- so tests read it back over IMAP.

Fixtures (this module is a pytest plugin, listed in tests/conftest.py):

- ``smtp_server`` (function): a running :class:`SmtpServer` with implicit TLS, delivering into
  the session's ``dovecot``.
- ``smtp_server_factory`` (function): ``make(security="starttls")`` for other shapes.

Everything binds random free ports on the Dovecot fixture's loopback address.
"""

from __future__ import annotations

import asyncio
import base64
import contextlib
import json
import ssl
import tempfile
import threading
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, AuthResult, Envelope, LoginPassword, Session

from tests.support.dovecot import DOMAIN, DovecotServer, free_port, issue_server_cert
from tests.support.mailcorpus import jis_to_text  # noqa: F401  (tests import it from here)


class _Controller(Controller):
    def factory(self) -> SMTP:
        with warnings.catch_warnings():
            # "AUTH without requiring TLS": with implicit TLS there is nothing but TLS.
            warnings.simplefilter("ignore", UserWarning)
            server: SMTP = super().factory()
            return server


@dataclass
class Accepted:
    """One message the server accepted."""

    mail_from: str
    rcpt_tos: list[str]
    data: bytes
    login: str | None


@dataclass
class SmtpServer:
    dovecot: DovecotServer
    security: str = "ssl"
    host: str = ""
    port: int = 0
    users: dict[str, str] = field(default_factory=dict)  # login -> password
    accepted: list[Accepted] = field(default_factory=list)
    logins: list[tuple[str, bool]] = field(default_factory=list)  # (login, success)
    # Set to e.g. "451 4.3.0 try again later" to refuse the next DATA once.
    refuse_next_data: str | None = None
    # AUTH XOAUTH2: token -> RFC 7662 introspection answer (e.g. OidcServer.introspect). The
    # token's `sub` must be the SMTP login. None: XOAUTH2 is not offered.
    introspect: Callable[[str], dict[str, Any]] | None = None
    token_logins: list[tuple[str, bool]] = field(default_factory=list)  # (login, success)
    _controller: Controller | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    # -- users --

    def add_user(self, login: str, password: str) -> None:
        self.users[login] = password

    # -- aiosmtpd hooks --

    def _authenticate(
        self, server: SMTP, session: Session, envelope: Envelope, mechanism: str, data: Any
    ) -> AuthResult:
        if not isinstance(data, LoginPassword):
            return AuthResult(success=False, handled=False)
        login = data.login.decode()
        ok = self.users.get(login) == data.password.decode()
        self.logins.append((login, ok))
        # handled=False: aiosmtpd itself answers 235 or 535.
        return AuthResult(success=ok, handled=False, auth_data=login if ok else None)

    async def auth_XOAUTH2(self, server: SMTP, args: list[str]) -> AuthResult:
        """SASL XOAUTH2 (Google's and Microsoft's SMTP AUTH), the token checked by the
        authorization server's introspection endpoint; an error is reported as the mechanism
        asks: a 334 with a JSON status, the client's empty line, then 535."""
        if len(args) > 1:
            raw: Any = args[1].encode()
        else:
            raw = await server.challenge_auth("")
            if not isinstance(raw, bytes):
                return AuthResult(success=False)
        try:
            text = base64.b64decode(raw, validate=True).decode() if len(args) > 1 else raw.decode()
            fields = dict(part.split("=", 1) for part in text.split("\x01") if "=" in part)
            login, token = fields["user"], fields["auth"].removeprefix("Bearer ")
        except Exception:
            await server.push("501 5.5.2 Can't decode XOAUTH2")
            return AuthResult(success=False, handled=True)
        ok = False
        if self.introspect is not None:
            loop = asyncio.get_running_loop()
            answer = await loop.run_in_executor(None, self.introspect, token)
            ok = answer.get("active") is True and answer.get("sub") == login
        self.token_logins.append((login, ok))
        if ok:
            return AuthResult(success=True, auth_data=login)
        await server.challenge_auth(json.dumps({"status": "401", "schemes": "bearer"}))
        return AuthResult(
            success=False, handled=False, message="535 5.7.8 Authentication credentials invalid"
        )

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        with self._lock:
            refusal, self.refuse_next_data = self.refuse_next_data, None
        if refusal:
            return refusal
        raw = envelope.original_content or b""
        if isinstance(raw, str):
            raw = raw.encode()
        local = [r for r in envelope.rcpt_tos if r.lower().endswith("@" + DOMAIN)]
        loop = asyncio.get_running_loop()
        for rcpt in local:
            # Local delivery first, then "250": what was accepted is in the mailbox.
            await loop.run_in_executor(
                None, lambda r=rcpt: self.dovecot.deliver(r, raw, sender=envelope.mail_from)
            )
        login = session.auth_data if isinstance(session.auth_data, str) else None
        with self._lock:
            self.accepted.append(
                Accepted(str(envelope.mail_from), list(envelope.rcpt_tos), raw, login)
            )
        return "250 2.0.0 OK: queued"

    # -- lifecycle --

    def start(self, workdir: Path) -> None:
        assert self.dovecot.ca is not None, "the SMTP fixture needs the TLS Dovecot's CA"
        cert, key = issue_server_cert(self.dovecot.ca, workdir, stem="smtp")
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(str(cert), str(key))
        self.host = self.dovecot.host
        self.port = free_port(self.host)
        kwargs: dict[str, Any] = dict(
            hostname=self.host,
            port=self.port,
            authenticator=self._authenticate,
            auth_required=True,
            # aiosmtpd counts only STARTTLS as TLS; with implicit TLS the whole connection is
            # TLS already (and it would otherwise never offer AUTH).
            auth_require_tls=self.security != "ssl",
            server_hostname="smtp.example.test",
            ready_timeout=10,
            auth_exclude_mechanism=[] if self.introspect is not None else ["XOAUTH2"],
        )
        if self.security == "ssl":
            kwargs["ssl_context"] = context
        else:
            kwargs["tls_context"] = context
            kwargs["require_starttls"] = True
        self._controller = _Controller(self, **kwargs)
        self._controller.start()

    def stop(self) -> None:
        if self._controller is not None:
            with contextlib.suppress(Exception):
                self._controller.stop()
            self._controller = None

    @property
    def ca_file(self) -> str:
        return self.dovecot.ca_file

    def account_fields(self) -> dict[str, object]:
        """AccountConfig fields that point an account at this server."""
        return {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "smtp_security": self.security,
        }


@contextlib.contextmanager
def running_smtp_server(
    dovecot: DovecotServer,
    security: str = "ssl",
    introspect: Callable[[str], dict[str, Any]] | None = None,
) -> Iterator[SmtpServer]:
    with tempfile.TemporaryDirectory(prefix="ippo-smtp-") as tmp:
        server = SmtpServer(dovecot=dovecot, security=security, introspect=introspect)
        server.start(Path(tmp))
        try:
            yield server
        finally:
            server.stop()


@pytest.fixture
def smtp_server(dovecot: DovecotServer) -> Iterator[SmtpServer]:
    with running_smtp_server(dovecot, "ssl") as server:
        yield server


@pytest.fixture
def smtp_server_factory(dovecot: DovecotServer) -> Iterator[Callable[..., SmtpServer]]:
    stack = contextlib.ExitStack()

    def make(security: str = "ssl") -> SmtpServer:
        return stack.enter_context(running_smtp_server(dovecot, security))

    with stack:
        yield make
