"""Connecting to an IMAP server the only way Ippo allows: TLS with a verified certificate.

Implicit TLS (port 993) or STARTTLS; plaintext is refused, and so is a server that does not
offer STARTTLS (no silent downgrade). Every failure comes out as a ``MailError`` with a clear
one-line message, so callers never see raw socket, ssl or imaplib exceptions.
"""

from __future__ import annotations

import contextlib
import imaplib
import ssl
import sys
from collections.abc import Iterator
from typing import TYPE_CHECKING

from imapclient import IMAPClient
from imapclient.exceptions import LoginError

from trayapp.core.model import AccountConfig
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
from trayapp.mail.transport import (
    ConnectionGuard,
    GuardedIMAPClient,
    Register,
    ServerLimits,
    deadline,
)

if TYPE_CHECKING:
    from trayapp.core.oauth import BearerToken

DEFAULT_TIMEOUT = 30.0

# Names mail programs give the Sent folder, most common first; compared case-insensitively
# with the decoded folder name, then with its last hierarchy component.
COMMON_SENT_NAMES: tuple[str, ...] = (
    "Sent",
    "Sent Items",
    "Sent Messages",
    "Sent Mail",
    "INBOX.Sent",
    "INBOX/Sent",
    "INBOX.Sent Items",
    "INBOX.Sent Messages",
    "[Gmail]/Sent Mail",
    "[Google Mail]/Sent Mail",
    "[Gmail]/送信済みメール",
    "送信済み",
    "送信済みアイテム",
    "送信済みメール",
    "送信済みトレイ",
    "送信箱",
    "Gesendet",
    "Gesendete Objekte",
    "Envoyés",
    "Elementos enviados",
    "Enviados",
)

# Server responses to LOGIN that mean "not now" rather than "wrong password" (RFC 5530).
_TRANSIENT_LOGIN_CODES = ("[UNAVAILABLE]", "[SERVERBUG]", "[INUSE]", "[LIMIT]")


def tls_context(account: AccountConfig) -> ssl.SSLContext:
    """The verified TLS context for this account's IMAP server (shared; see mail.tls)."""
    return verified_context(account.ca_file, host=account.imap_host, port=account.imap_port)


def translate_error(
    exc: BaseException, host: str, port: int, *, handshake: bool = False, timeout: float = 0
) -> MailError:
    """The ``MailError`` for an exception raised while talking to ``host:port``.

    ``handshake``: the exception happened while setting up TLS, so an ``ssl.SSLError`` is a
    certificate or protocol mismatch (permanent) rather than a connection dropped mid-session
    -- except a peer hanging up mid-handshake (EOF): a restarting server, a captive portal or
    a flaky middlebox, which may heal by itself (transient).
    """
    known = transport_error(exc, host, port, handshake=handshake, timeout=timeout)
    if known is not None:
        return known
    if isinstance(exc, LoginError):
        text = describe(exc)
        if any(code in text.upper() for code in _TRANSIENT_LOGIN_CODES):
            return ConnectionFailed(f"server cannot log in now: {text}", host=host, port=port)
        return AuthenticationFailed(
            f"login failed (wrong user name or password?): {text}", host=host, port=port
        )
    if isinstance(exc, imaplib.IMAP4.abort):
        return ConnectionFailed(f"connection lost ({describe(exc)})", host=host, port=port)
    if isinstance(exc, imaplib.IMAP4.error):
        return ProtocolError(f"server said: {describe(exc)}", host=host, port=port)
    if isinstance(exc, (ssl.SSLError, OSError, EOFError)):
        return ConnectionFailed(f"connection failed ({describe(exc)})", host=host, port=port)
    # The server's words only: a Python class name means nothing to the person reading it.
    return ProtocolError(f"unexpected reply ({describe(exc)})", host=host, port=port)


@contextlib.contextmanager
def mail_errors(
    account: AccountConfig, *, handshake: bool = False, timeout: float = 0
) -> Iterator[None]:
    """Turn anything raised inside into a ``MailError`` naming the account's server."""
    try:
        yield
    except MailError as exc:
        if not exc.host:  # raised by code that did not know the server: name it
            exc.host, exc.port = account.imap_host, account.imap_port
            exc.args = (str(exc),)
        raise
    except Exception as exc:
        raise translate_error(
            exc, account.imap_host, account.imap_port, handshake=handshake, timeout=timeout
        ) from exc


def _close_quietly(client: IMAPClient) -> None:
    with contextlib.suppress(Exception):
        client.shutdown()


def open_tls(
    account: AccountConfig,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    limits: ServerLimits | None = None,
    register: Register | None = None,
) -> IMAPClient:
    """A connection over verified TLS, not yet logged in (implicit TLS, or STARTTLS done).
    Raises ``MailError``; refuses plaintext and a server that does not offer STARTTLS.

    ``timeout`` bounds each read; ``limits`` the whole connect (and later operations, see
    mail.transport); ``register`` is handed the connection's guard at once, so a caller can
    cut it from another thread (Ctrl-C) even while the handshake is under way."""
    host, port = account.imap_host, account.imap_port
    if account.imap_security not in ("ssl", "starttls"):
        raise TLSFailure(
            f"security {account.imap_security!r} is not allowed; use ssl or starttls "
            "(plaintext IMAP is refused)",
            host=host,
            port=port,
        )
    if account.ca_file:
        # The account's own CA first, without parsing the system's trust store (a tenth of a
        # status bar's run where SSL_CERT_FILE names the bundle); a certificate that CA does
        # not vouch for is then checked against both, as always.
        own = verified_context(account.ca_file, host=host, port=port, system=False)
        try:
            return _open_verified(account, own, timeout, limits, register)
        except MailError as error:
            if not _certificate_rejected(error):
                raise
    return _open_verified(account, tls_context(account), timeout, limits, register)


def _certificate_rejected(error: BaseException) -> bool:
    cause: BaseException | None = error
    while cause is not None:
        if isinstance(cause, ssl.SSLCertVerificationError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


def _open_verified(
    account: AccountConfig,
    context: ssl.SSLContext,
    timeout: float,
    limits: ServerLimits | None,
    register: Register | None,
) -> IMAPClient:
    host, port = account.imap_host, account.imap_port
    guard = ConnectionGuard(limits)
    if register is not None:
        register(guard)
    with (
        mail_errors(account, handshake=True, timeout=timeout),
        guard.deadline(guard.limits.connect_seconds, "answer the connection"),
    ):
        if account.imap_security == "ssl":
            return GuardedIMAPClient(
                host, port=port, ssl=True, ssl_context=context, timeout=timeout, guard=guard
            )
        client = GuardedIMAPClient(host, port=port, ssl=False, timeout=timeout, guard=guard)
        try:
            if not client.has_capability("STARTTLS"):
                raise TLSFailure(
                    "server does not offer STARTTLS; refusing to log in without TLS",
                    host=host,
                    port=port,
                )
            client.starttls(context)
        except BaseException:
            _close_quietly(client)
            raise
        return client


def login(client: IMAPClient, account: AccountConfig, password: str) -> None:
    """LOGIN on a connection from ``open_tls``; closes it and raises ``MailError`` on failure.

    An OAuth access token (``BearerToken``) authenticates with SASL OAUTHBEARER where the
    server offers it, else XOAUTH2; when the server refuses it, the token is renewed once and
    tried once more (a renewal that needs the person raises its own MailError, unchanged).
    Each attempt runs under the connect deadline (mail.transport)."""
    try:
        try:
            with mail_errors(account), deadline(client, "connect", "answer the login"):
                _login_once(client, account, password)
        except AuthenticationFailed:
            token = _bearer_token(password)
            renew = token.renew if token is not None else None
            if renew is None:
                raise
            fresh = renew()
            with mail_errors(account), deadline(client, "connect", "answer the login"):
                _login_once(client, account, fresh)
    except BaseException:
        _close_quietly(client)
        raise


def _bearer_token(password: str) -> BearerToken | None:
    """The password when it is an OAuth access token. trayapp.core.oauth is imported only
    where tokens are made (a status bar's `ippo pending` with passwords never needs it), and
    no token exists where it was never imported."""
    oauth = sys.modules.get("trayapp.core.oauth")
    if oauth is None or not isinstance(password, oauth.BearerToken):
        return None
    token: BearerToken = password
    return token


def _login_once(client: IMAPClient, account: AccountConfig, password: str) -> None:
    if _bearer_token(password) is None:
        client.login(account.login, password)
        return
    from trayapp.core.oauth import oauthbearer, xoauth2

    if client.has_capability("AUTH=OAUTHBEARER"):
        mechanism = "OAUTHBEARER"
        initial = oauthbearer(account.login, password, account.imap_host, account.imap_port)
    else:
        mechanism = "XOAUTH2"
        initial = xoauth2(account.login, password)
    answers = iter((initial,))

    def respond(_challenge: bytes) -> bytes:
        # The first answer carries the token; a challenge after it is the server's error
        # report (RFC 7628 3.2.3), answered with an empty line so the server says NO.
        return next(answers, b"")

    try:
        client._command_and_check("authenticate", mechanism, respond)
    except imaplib.IMAP4.error as error:
        if isinstance(error, imaplib.IMAP4.abort):
            raise
        raise LoginError(str(error)) from None


def connect(
    account: AccountConfig,
    password: str,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    limits: ServerLimits | None = None,
    register: Register | None = None,
) -> IMAPClient:
    """A logged-in client over verified TLS. Raises ``MailError`` (never sends the password
    unencrypted: TLS is up before LOGIN)."""
    client = open_tls(account, timeout=timeout, limits=limits, register=register)
    login(client, account, password)
    return client


def logout(client: IMAPClient) -> None:
    """Say goodbye if the connection still works; close it in any case."""
    try:
        client.logout()
    except Exception:
        _close_quietly(client)


def check_login(account: AccountConfig, password: str, *, timeout: float = DEFAULT_TIMEOUT) -> None:
    """Connect, log in and out: raises ``MailError`` when the account cannot be used."""
    client = connect(account, password, timeout=timeout)
    logout(client)


def _as_text(value: str | bytes) -> str:
    return value.decode("utf-8", "replace") if isinstance(value, bytes) else value


def find_sent_folder(client: IMAPClient) -> str | None:
    """The folder our sent mail goes to: SPECIAL-USE ``\\Sent`` first, then common names.

    Names are compared decoded (imapclient decodes modified UTF-7), case-insensitively."""
    folders = client.list_folders()
    for flags, _delimiter, name in folders:
        if any(_as_text(f).lower() == "\\sent" for f in flags):
            return _as_text(name)
    if not any(_has_special_use(flags) for flags, _d, _n in folders) and client.has_capability(
        "SPECIAL-USE"
    ):
        # Some servers mark special-use folders only when asked (RFC 6154 RETURN option).
        for flags, _delimiter, name in _list_special_use(client):
            if any(_as_text(f).lower() == "\\sent" for f in flags):
                return _as_text(name)
    by_name: dict[str, str] = {}
    by_leaf: dict[str, str] = {}
    for flags, delimiter, name in folders:
        if any(_as_text(f).lower() == "\\noselect" for f in flags):
            continue
        text = _as_text(name)
        by_name.setdefault(text.casefold(), text)
        if delimiter:
            leaf = text.rsplit(_as_text(delimiter), 1)[-1]
            by_leaf.setdefault(leaf.casefold(), text)
    for candidate in COMMON_SENT_NAMES:
        if candidate.casefold() in by_name:
            return by_name[candidate.casefold()]
    for candidate in COMMON_SENT_NAMES:
        if candidate.casefold() in by_leaf:
            return by_leaf[candidate.casefold()]
    return None


_SPECIAL_USE_FLAGS = frozenset(
    {"\\all", "\\archive", "\\drafts", "\\flagged", "\\junk", "\\sent", "\\trash", "\\important"}
)


def _has_special_use(flags: tuple[str | bytes, ...]) -> bool:
    return any(_as_text(f).lower() in _SPECIAL_USE_FLAGS for f in flags)


def _list_special_use(client: IMAPClient) -> list[tuple[tuple[str | bytes, ...], bytes, str]]:
    """``LIST (SPECIAL-USE) "" "*"``; imapclient has no public call for the selection option."""
    imap = client._imap
    try:
        typ, data = imap._simple_command("LIST", "(SPECIAL-USE)", '""', '"*"')
        if typ != "OK":
            return []
        typ, data = imap._untagged_response(typ, data, "LIST")
        result: list[tuple[tuple[str | bytes, ...], bytes, str]] = client._proc_folder_list(data)
        return result
    except imaplib.IMAP4.error:
        return []
