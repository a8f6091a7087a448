"""What can go wrong talking to a mail server, as one-line messages a person can act on.

``permanent`` tells a retry loop whether trying again can help: a wrong password or a
certificate problem stays wrong until the user changes something (retrying only hammers the
server and may lock the account); a refused connection or a timeout may heal by itself.
Messages name the server (host:port) and never contain a password.
"""

from __future__ import annotations

import socket
import ssl


class MailError(Exception):
    """Base class. ``str()`` is a single line: ``host:port: reason``."""

    permanent: bool = False
    kind: str = "mail"

    def __init__(
        self, reason: str, *, host: str = "", port: int | None = None, permanent: bool | None = None
    ) -> None:
        self.reason = " ".join(reason.split())  # one line, whatever the server sent
        self.host = host
        self.port = port
        if permanent is not None:
            self.permanent = permanent
        super().__init__(self.__str__())

    @property
    def where(self) -> str:
        if self.host and self.port is not None:
            return f"{self.host}:{self.port}"
        return self.host

    def __str__(self) -> str:
        return f"{self.where}: {self.reason}" if self.where else self.reason


class AuthenticationFailed(MailError):
    """The server rejected the user name or password."""

    permanent = True
    kind = "auth"


class TLSFailure(MailError):
    """The certificate could not be verified, the handshake failed, or the server offers no TLS."""

    permanent = True
    kind = "tls"


class ConnectionFailed(MailError):
    """DNS failure, connection refused or reset, timeout: the network or the server is away."""

    permanent = False
    kind = "connection"


class ProtocolError(MailError):
    """The server answered something unexpected (a NO/BAD, a missing folder, a garbled reply)."""

    permanent = False
    kind = "protocol"


def describe(exc: BaseException) -> str:
    """The most useful short text of an exception (servers' byte strings decoded)."""
    if isinstance(exc, ssl.SSLCertVerificationError):
        return exc.verify_message or exc.reason or str(exc)
    if isinstance(exc, ssl.SSLError):
        return exc.reason or str(exc)
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    text = exc.args[0] if exc.args else str(exc)
    if isinstance(text, bytes):
        text = text.decode("utf-8", "replace")
    if str(text):
        return str(text)
    # Nothing said: a phrase core.failures understands, never Python's class name.
    return next(
        (words for kinds, words in _SILENT_FAILURES if isinstance(exc, kinds)), "no details"
    )


_SILENT_FAILURES: tuple[tuple[type[BaseException] | tuple[type[BaseException], ...], str], ...] = (
    (TimeoutError, "timed out"),
    (ConnectionResetError, "connection reset"),
    (BrokenPipeError, "broken pipe"),
    ((EOFError, ConnectionError), "connection closed"),
)


def transport_error(
    exc: BaseException, host: str, port: int, *, handshake: bool = False, timeout: float = 0
) -> MailError | None:
    """The ``MailError`` for a TLS or socket failure, the same for IMAP and SMTP; None when
    `exc` is something the protocol itself must explain.

    ``handshake``: the exception happened while setting up TLS, so an ``ssl.SSLError`` is a
    certificate or protocol mismatch (permanent) rather than a connection dropped mid-session
    -- except a peer hanging up mid-handshake (EOF): a restarting server, a captive portal or
    a flaky middlebox, which may heal by itself (transient).
    """
    if isinstance(exc, MailError):
        return exc
    if isinstance(exc, ssl.SSLEOFError | ssl.SSLZeroReturnError):
        return ConnectionFailed(
            f"connection closed by the server{' during the TLS handshake' if handshake else ''}"
            f" ({describe(exc)})",
            host=host,
            port=port,
        )
    if isinstance(exc, ssl.SSLCertVerificationError):
        return TLSFailure(
            f"certificate not trusted ({describe(exc)}); for a self-hosted server add its CA "
            "with --ca-file",
            host=host,
            port=port,
        )
    if isinstance(exc, ssl.SSLError) and handshake:
        return TLSFailure(
            f"TLS handshake failed ({describe(exc)}); check the port and security setting",
            host=host,
            port=port,
        )
    if isinstance(exc, socket.gaierror):
        return ConnectionFailed(f"cannot resolve host name ({describe(exc)})", host=host, port=port)
    if isinstance(exc, ConnectionRefusedError):
        return ConnectionFailed("connection refused", host=host, port=port)
    if isinstance(exc, TimeoutError):
        after = f" after {timeout:g}s" if timeout else ""
        return ConnectionFailed(
            f"no answer from the server{after} (timed out)", host=host, port=port
        )
    return None
