"""A small, misbehaving SMTP server on loopback (implicit TLS) for tests of hostile servers.

Just enough SMTP for an acknowledgement (EHLO, AUTH PLAIN/LOGIN accepting anything, MAIL,
RCPT, DATA, RSET, NOOP, QUIT) and the fault real attacks use: from the step named by
``drip_from`` on, every byte it sends goes alone, ``drip_interval`` apart (a read timeout
never trips, only an overall deadline ends it):

- ``"greeting"``: the 220 greeting already;
- ``"ehlo"``: EHLO's answer;
- ``"auth"``: AUTH's answer;
- ``"data"``: the answer to DATA (nothing handed over yet);
- ``"accepted"``: the answer to the final "." (the message was handed over: the outcome is
  unknown to the client).

``messages`` counts the messages taken (each final "."). Bounded in time and size like every
scripted server (tests/support/scripted_server.py)."""

from __future__ import annotations

import contextlib
import socket
from dataclasses import dataclass
from pathlib import Path
from typing import Literal

from tests.support.scripted_server import Closed, ScriptedServer, Wire, running

DripFrom = Literal["greeting", "ehlo", "auth", "data", "accepted"]


@dataclass
class SmtpScript:
    drip_from: DripFrom | None = None
    drip_interval: float = 3.0
    lifetime: float = 60.0
    max_bytes: int = 1024 * 1024


class ScriptedSmtpServer(ScriptedServer):
    name = "Scripted SMTP"
    script: SmtpScript

    def __init__(self, directory: Path, script: SmtpScript) -> None:
        super().__init__(directory, script)
        self.messages = 0

    def session(self, conn: socket.socket, deadline: float) -> _SmtpSession:
        return _SmtpSession(self, conn, deadline)

    def account_fields(self) -> dict[str, object]:
        """The AccountConfig fields that send through this server."""
        return {
            "smtp_host": self.host,
            "smtp_port": self.port,
            "smtp_security": "ssl",
            "ca_file": self.ca_file,
        }


class _SmtpSession(Wire):
    server: ScriptedSmtpServer

    def drips_from(self, step: DripFrom) -> None:
        if self.server.script.drip_from == step:
            self.drip = True

    def run(self) -> None:
        self.drips_from("greeting")
        self.send(b"220 scripted.test ESMTP ready\r\n")
        while True:
            line = self.readline()
            self.server.record(line)
            word = line.split(b" ", 1)[0].upper()
            if word in (b"EHLO", b"HELO"):
                self.drips_from("ehlo")
                self.send(b"250-scripted.test\r\n250-AUTH PLAIN LOGIN\r\n250 8BITMIME\r\n")
            elif word == b"AUTH":
                self.drips_from("auth")
                if line.upper().startswith(b"AUTH LOGIN"):
                    self.send(b"334 VXNlcm5hbWU6\r\n")
                    self.readline()
                    self.send(b"334 UGFzc3dvcmQ6\r\n")
                    self.readline()
                elif len(line.split()) < 3:
                    self.send(b"334 \r\n")
                    self.readline()
                self.send(b"235 2.7.0 accepted\r\n")
            elif word in (b"MAIL", b"RCPT", b"RSET", b"NOOP"):
                self.send(b"250 2.0.0 ok\r\n")
            elif word == b"DATA":
                self.drips_from("data")
                self.send(b"354 go ahead\r\n")
                while self.readline() != b".":
                    pass
                self.server.messages += 1
                self.drips_from("accepted")
                self.send(b"250 2.0.0 queued\r\n")
            elif word == b"QUIT":
                self.send(b"221 bye\r\n")
                raise Closed
            else:
                self.send(b"502 5.5.2 not here\r\n")


def scripted_smtp(
    directory: Path, script: SmtpScript
) -> contextlib.AbstractContextManager[ScriptedSmtpServer]:
    return running(ScriptedSmtpServer(directory, script))
