"""Sending one message over SMTP with verified TLS (implicit TLS or STARTTLS; plaintext refused).

The DATA phase is split so the caller can take its exactly-once claim at the last moment
before the server is asked to accept the message (just before the final "."): up to there,
dropping the connection leaves nothing sent. Errors are MailError subclasses naming host:port.

smtplib's timeout applies to one socket read: a server that drips a byte every few seconds
never trips it. Every session therefore runs under one overall deadline (DNS lookup, connect,
EHLO, STARTTLS, AUTH and DATA together; ServerLimits.send_seconds) kept by the same
ConnectionGuard as IMAP, which also lets Ctrl-C cut the connection (``register``). When the
deadline or a cut ends a session after the message was handed over, the outcome is unknown
(OutcomeUnknown), never "not sent".
"""

from __future__ import annotations

import contextlib
import smtplib
import socket
import ssl
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from trayapp.core.model import AccountConfig, SmtpSecurity
from trayapp.core.oauth import BearerToken, oauthbearer, xoauth2
from trayapp.mail.errors import (
    AuthenticationFailed,
    ConnectionFailed,
    MailError,
    ProtocolError,
    TLSFailure,
    describe,
    transport_error,
)
from trayapp.mail.tls import verified_context
from trayapp.mail.transport import ConnectionGuard, Register, ServerLimits

DEFAULT_TIMEOUT = 30.0


class NotConfigured(MailError):
    """The account has no SMTP server set."""

    permanent = True
    kind = "config"


class MessageRefused(MailError):
    """The server refused the sender, a recipient or the message; nothing was sent.
    `permanent` follows the reply code (5xx permanent, 4xx temporary)."""

    kind = "refused"


class OutcomeUnknown(MailError):
    """The connection broke after the message was handed over, before the server answered:
    it may or may not have been accepted. Never resend without checking."""

    permanent = True
    kind = "unknown"


class ClaimLost(MailError):
    """Someone else (another process, a second click) is already sending this message."""

    permanent = True
    kind = "claimed"


@dataclass(frozen=True)
class SmtpSettings:
    host: str
    port: int
    security: SmtpSecurity
    login: str
    ca_file: str | None

    @property
    def where(self) -> str:
        return f"{self.host}:{self.port}"


def smtp_settings(account: AccountConfig) -> SmtpSettings:
    """The account's SMTP server; the port defaults by security (465 for ssl, 587 starttls)."""
    if not account.smtp_host:
        raise NotConfigured(
            f"account {account.name!r} has no SMTP server; set one with "
            "`ippo account add ... --smtp-host HOST` or in the settings"
        )
    if account.smtp_security not in ("ssl", "starttls"):
        raise TLSFailure(
            f"security {account.smtp_security!r} is not allowed; use ssl or starttls "
            "(plaintext SMTP is refused)",
            host=account.smtp_host,
            port=account.smtp_port,
        )
    port = account.smtp_port or (465 if account.smtp_security == "ssl" else 587)
    return SmtpSettings(
        host=account.smtp_host,
        port=port,
        security=account.smtp_security,
        login=account.smtp_username or account.login,
        ca_file=account.ca_file,
    )


def _tls_context(settings: SmtpSettings) -> ssl.SSLContext:
    return verified_context(settings.ca_file, host=settings.host, port=settings.port)


def _reply_text(message: bytes | str) -> str:
    text = message.decode("utf-8", "replace") if isinstance(message, bytes) else message
    return " ".join(text.split())


def _translate(exc: BaseException, settings: SmtpSettings, *, handshake: bool) -> MailError:
    host, port = settings.host, settings.port
    known = transport_error(exc, host, port, handshake=handshake)
    if known is not None:
        return known
    if isinstance(exc, smtplib.SMTPAuthenticationError):
        return AuthenticationFailed(
            f"login failed (wrong user name or password?): {exc.smtp_code} "
            f"{_reply_text(exc.smtp_error)}",
            host=host,
            port=port,
        )
    if isinstance(exc, smtplib.SMTPNotSupportedError):
        return ProtocolError(f"server does not support it: {exc}", host=host, port=port)
    if isinstance(exc, smtplib.SMTPResponseException):
        return MessageRefused(
            f"server said {exc.smtp_code} {_reply_text(exc.smtp_error)}",
            host=host,
            port=port,
            permanent=exc.smtp_code >= 500,
        )
    if isinstance(exc, (smtplib.SMTPServerDisconnected, OSError, EOFError)):
        return ConnectionFailed(f"connection failed ({exc})", host=host, port=port)
    return ProtocolError(f"unexpected reply ({describe(exc)})", host=host, port=port)


class _GuardedSMTP(smtplib.SMTP):
    """smtplib.SMTP whose socket is opened by the guard (the DNS lookup under its deadline)
    and watched by it from the first byte."""

    def __init__(self, guard: ConnectionGuard, host: str, port: int, timeout: float) -> None:
        self.guard = guard
        super().__init__(host, port, timeout=timeout)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        return self.guard.open_socket(host, port, timeout)

    def close(self) -> None:
        self.guard.detach()  # before the descriptor is closed (it may be reused)
        super().close()


class _GuardedSMTP_SSL(smtplib.SMTP_SSL):
    def __init__(
        self,
        guard: ConnectionGuard,
        host: str,
        port: int,
        timeout: float,
        context: ssl.SSLContext,
    ) -> None:
        self.guard = guard
        super().__init__(host, port, timeout=timeout, context=context)

    def _get_socket(self, host: str, port: int, timeout: float) -> socket.socket:
        # Attached before the handshake, so the deadline covers a stalled handshake too.
        raw = self.guard.open_socket(host, port, timeout)
        return self.context.wrap_socket(raw, server_hostname=host)

    def close(self) -> None:
        self.guard.detach()
        super().close()


class SmtpConnection:
    """One logged-in SMTP session over verified TLS. Use as a context manager.

    `guard` (a ConnectionGuard) opens and watches the socket: run the session under its
    deadline (send_message does). Without one, each connection has its own unarmed guard."""

    def __init__(
        self,
        settings: SmtpSettings,
        password: str,
        *,
        timeout: float = DEFAULT_TIMEOUT,
        guard: ConnectionGuard | None = None,
    ) -> None:
        self.settings = settings
        self._password = password
        self._timeout = timeout
        self._guard = guard or ConnectionGuard()
        self._smtp: smtplib.SMTP | None = None

    def __enter__(self) -> SmtpConnection:
        self.open()
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def open(self) -> None:
        settings = self.settings
        context = _tls_context(settings)
        smtp: smtplib.SMTP
        try:
            if settings.security == "ssl":
                smtp = _GuardedSMTP_SSL(
                    self._guard, settings.host, settings.port, self._timeout, context
                )
            else:
                smtp = _GuardedSMTP(self._guard, settings.host, settings.port, self._timeout)
            self._smtp = smtp
            smtp.ehlo()
            if settings.security == "starttls":
                if not smtp.has_extn("starttls"):
                    raise TLSFailure(
                        "server does not offer STARTTLS; refusing to send without TLS",
                        host=settings.host,
                        port=settings.port,
                    )
                smtp.starttls(context=context)
                smtp.ehlo()
        except _PASSING:
            self.abort()
            raise
        except BaseException as exc:
            self.close()
            raise _translate(exc, settings, handshake=True) from exc
        try:
            if smtp.has_extn("auth"):
                self._login(smtp)
        except MailError:
            self.close()
            raise
        except _PASSING:
            self.abort()
            raise
        except BaseException as exc:
            self.close()
            raise _translate(exc, settings, handshake=False) from exc

    def _login(self, smtp: smtplib.SMTP) -> None:
        """AUTH with the password, or with SASL OAUTHBEARER/XOAUTH2 for an OAuth access token
        (renewed once when the server refuses it)."""
        password = self._password
        if not isinstance(password, BearerToken):
            smtp.login(self.settings.login, password)
            return
        try:
            self._token_login(smtp, password)
        except smtplib.SMTPAuthenticationError:
            if password.renew is None:
                raise
            self._token_login(smtp, password.renew())

    def _token_login(self, smtp: smtplib.SMTP, token: str) -> None:
        settings = self.settings
        offered = smtp.esmtp_features.get("auth", "").upper().split()
        if "OAUTHBEARER" in offered:
            mechanism = "OAUTHBEARER"
            initial = oauthbearer(settings.login, token, settings.host, settings.port)
        else:
            mechanism = "XOAUTH2"
            initial = xoauth2(settings.login, token)
        answers = iter((initial.decode(),))

        def respond(challenge: bytes | None = None) -> str:
            # After the token, a 334 challenge is the server's error report: answer empty.
            return next(answers, "")

        smtp.auth(mechanism, respond, initial_response_ok=True)

    def close(self) -> None:
        smtp, self._smtp = self._smtp, None
        if smtp is None:
            return
        try:
            smtp.quit()
        except Exception:
            with contextlib.suppress(Exception):
                smtp.close()

    def abort(self) -> None:
        """Drop the connection without a word (mid-DATA: the server discards the message)."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            with contextlib.suppress(Exception):
                smtp.close()

    def send(
        self,
        mail_from: str,
        recipients: Sequence[str],
        raw: bytes,
        *,
        before_commit: Callable[[], bool] | None = None,
    ) -> str:
        """Send `raw` to `recipients`; returns the server's acceptance reply.

        `before_commit` runs after the whole message is transmitted and just before the final
        "." that asks the server to accept it; if it returns False the connection is dropped
        (nothing is sent) and ClaimLost is raised. A broken connection after the "." raises
        OutcomeUnknown: the server may have accepted it."""
        smtp = self._smtp
        if smtp is None:
            raise ConnectionFailed(
                "not connected", host=self.settings.host, port=self.settings.port
            )
        settings = self.settings
        try:
            code, reply = smtp.mail(mail_from)
            if code != 250:
                raise smtplib.SMTPSenderRefused(code, reply, mail_from)
            refused = []
            for rcpt in recipients:
                code, reply = smtp.rcpt(rcpt)
                if code not in (250, 251):
                    refused.append(f"{rcpt}: {code} {_reply_text(reply)}")
            if refused:
                with contextlib.suppress(Exception):
                    smtp.rset()
                raise MessageRefused(
                    "recipient refused: " + "; ".join(refused),
                    host=settings.host,
                    port=settings.port,
                    permanent=True,
                )
            code, reply = smtp.docmd("DATA")
            if code != 354:
                raise smtplib.SMTPDataError(code, reply)
            body = smtplib._quote_periods(raw)  # type: ignore[attr-defined]
            if not body.endswith(b"\r\n"):
                body += b"\r\n"
            smtp.send(body)
        except _PASSING:
            self.abort()  # mid-DATA: the server discards the message
            raise
        except BaseException as exc:
            self.abort()
            raise _translate(exc, settings, handshake=False) from exc
        try:
            claimed = before_commit() if before_commit is not None else True
        except BaseException:
            self.abort()
            raise
        if not claimed:
            self.abort()
            raise ClaimLost(
                "this message is already being sent", host=settings.host, port=settings.port
            )
        try:
            smtp.send(b".\r\n")
            code, reply = smtp.getreply()
        except BaseException as exc:
            self.abort()
            raise OutcomeUnknown(
                f"the connection broke while the server was accepting the message ({exc}); "
                "it may have been sent",
                host=settings.host,
                port=settings.port,
            ) from exc
        if code != 250:
            raise MessageRefused(
                f"server refused the message: {code} {_reply_text(reply)}",
                host=settings.host,
                port=settings.port,
                permanent=code >= 500,
            )
        return f"{code} {_reply_text(reply)}"


# Ctrl-C (and SIGTERM, which the commands turn into it) is not a server's failure: it passes.
_PASSING = (KeyboardInterrupt, SystemExit)


def send_message(
    account: AccountConfig,
    password: str,
    mail_from: str,
    recipients: Sequence[str],
    raw: bytes,
    *,
    before_commit: Callable[[], bool] | None = None,
    timeout: float = DEFAULT_TIMEOUT,
    limits: ServerLimits | None = None,
    register: Register | None = None,
) -> str:
    """Connect, log in, send one message, quit, all within limits.send_seconds (ServerTooSlow
    when it passes before the message was handed over). See SmtpConnection.send. `register`
    receives the connection's guard as soon as it exists, to cut it from another thread or a
    signal handler (ConnectionCancelled)."""
    limits = limits or ServerLimits()
    settings = smtp_settings(account)
    guard = ConnectionGuard(limits)
    if register is not None:
        register(guard)
    handed_over = False

    def commit() -> bool:
        nonlocal handed_over
        handed_over = before_commit() if before_commit is not None else True
        return handed_over

    accepted: str | None = None
    try:
        with (
            guard.deadline(limits.send_seconds, "take the message"),
            SmtpConnection(settings, password, timeout=timeout, guard=guard) as connection,
        ):
            accepted = connection.send(mail_from, recipients, raw, before_commit=commit)
    except ConnectionFailed as error:  # the deadline, or a cut (ConnectionCancelled)
        if accepted is not None:
            return accepted  # only the goodbye (QUIT) was too slow: the message is sent
        if handed_over:
            raise OutcomeUnknown(
                f"{error.reason}, after the message was handed over: it may have been sent",
                host=settings.host,
                port=settings.port,
            ) from error
        if error.host:
            raise
        raise type(error)(error.reason, host=settings.host, port=settings.port) from error
    assert accepted is not None
    return accepted


def check_smtp_login(
    account: AccountConfig,
    password: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    limits: ServerLimits | None = None,
) -> None:
    """Connect and log in (for `ippo account add` / the settings' connection test), within
    limits.connect_seconds."""
    limits = limits or ServerLimits()
    settings = smtp_settings(account)
    guard = ConnectionGuard(limits)
    try:
        with (
            guard.deadline(limits.connect_seconds, "accept the login"),
            SmtpConnection(settings, password, timeout=timeout, guard=guard),
        ):
            pass
    except ConnectionFailed as error:
        if error.host:
            raise
        raise type(error)(error.reason, host=settings.host, port=settings.port) from error
