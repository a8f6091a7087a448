"""What can go wrong talking to a mail server, as one-line messages a person can act on.

``permanent`` tells a retry loop whether trying again can help: a wrong password or a
certificate problem stays wrong until the user changes something (retrying only hammers the
server and may lock the account); a refused connection or a timeout may heal by itself.
Messages name the server (host:port) and never contain a password.
"""

from __future__ import annotations


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
