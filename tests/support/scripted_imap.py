"""A small, misbehaving IMAP server on loopback for tests of hostile servers.

Implicit TLS with a certificate from a throwaway CA (tests pass ``ca_file``), just enough
IMAP for Ippo's scan and IDLE (CAPABILITY, LOGIN, LIST, EXAMINE, UID SEARCH, UID FETCH,
STATUS, NOOP, IDLE, LOGOUT), and the faults real attacks use:

- ``drip_after_login``: every byte after LOGIN is sent alone, ``drip_interval`` apart;
- ``literal_size``: FETCH answers announce a literal this large (and send a bounded part);
- ``exists_flood``: this many ``* N EXISTS`` lines on every IDLE, before ``+ idling`` ends;
- ``stall_greeting``: accept, then never say anything;
- ``search_reply``: a garbled line instead of SEARCH's answer.

Messages carry raw INTERNALDATE and BODYSTRUCTURE text, so a year-9999 date, garbage or a
1000-level structure reach the client exactly as a hostile server would send them.

Bounded in time and size: every connection ends after ``lifetime`` seconds, no connection
sends more than ``max_bytes``, and ``close()`` ends everything.
"""

from __future__ import annotations

import contextlib
import re
import socket
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.scripted_server import HOST, Closed, ScriptedServer, Wire, running

__all__ = ["HOST", "Script", "ScriptedImapServer", "ScriptedMessage", "scripted_imap"]


@dataclass
class ScriptedMessage:
    uid: int
    headers: bytes
    internaldate: bytes = b'"01-Dec-2026 07:00:00 +0000"'
    bodystructure: bytes = b'("TEXT" "PLAIN" ("CHARSET" "UTF-8") NIL NIL "7BIT" 5 1)'
    body: bytes = b"hello"
    flags: bytes = b""


@dataclass
class Script:
    messages: list[ScriptedMessage] = field(default_factory=list)
    drip_after_login: bool = False
    drip_interval: float = 0.3
    literal_size: int | None = None
    exists_flood: int = 0
    stall_greeting: bool = False
    search_reply: bytes | None = None  # sent instead of the real SEARCH line (garbage)
    search_reply_after: int = 0  # ...once this many searches were answered properly
    idle: bool = True
    lifetime: float = 60.0
    max_bytes: int = 64 * 1024 * 1024


def header_block(
    *,
    message_id: str,
    subject: str = "Question about my order",
    sender: str = "Customer <customer@example.net>",
    to: str = "shop@example.test",
    date: str = "Tue, 01 Dec 2026 07:00:00 +0000",
) -> bytes:
    lines = [
        f"From: {sender}",
        f"To: {to}",
        f"Subject: {subject}",
        f"Date: {date}",
        f"Message-ID: <{message_id}>",
    ]
    return ("\r\n".join(lines) + "\r\n\r\n").encode()


class ScriptedImapServer(ScriptedServer):
    """Start with ``start()``; ``commands`` records every command line received."""

    name = "Scripted IMAP"
    script: Script

    def session(self, conn: socket.socket, deadline: float) -> _Session:
        return _Session(self, conn, deadline)


class _Session(Wire):
    def __init__(self, server: ScriptedImapServer, conn: socket.socket, deadline: float) -> None:
        super().__init__(server, conn, deadline)
        self.script = server.script
        self.searches = 0
        self.uidnext = max((m.uid for m in self.script.messages), default=0) + 1

    # ---- protocol

    def capabilities(self) -> bytes:
        return b"IMAP4rev1 IDLE" if self.script.idle else b"IMAP4rev1"

    def run(self) -> None:
        if self.script.stall_greeting:
            self.stall()
        self.send(b"* OK [CAPABILITY " + self.capabilities() + b"] scripted server ready\r\n")
        while True:
            line = self.readline()
            self.server.record(line)
            tag, _, rest = line.partition(b" ")
            command, _, args = rest.partition(b" ")
            word = command.upper()
            if word == b"UID":
                sub, _, args = args.partition(b" ")
                word = b"UID " + sub.upper()
            handler = getattr(self, "do_" + word.decode().replace(" ", "_").lower(), None)
            if handler is None:
                self.send(tag + b" BAD unknown command\r\n")
                continue
            handler(tag, args)

    def do_capability(self, tag: bytes, args: bytes) -> None:
        self.send(b"* CAPABILITY " + self.capabilities() + b"\r\n" + tag + b" OK done\r\n")

    def do_login(self, tag: bytes, args: bytes) -> None:
        self.drip = self.script.drip_after_login
        self.send(tag + b" OK [CAPABILITY " + self.capabilities() + b"] logged in\r\n")

    def do_logout(self, tag: bytes, args: bytes) -> None:
        self.send(b"* BYE bye\r\n" + tag + b" OK done\r\n")
        raise Closed

    def do_noop(self, tag: bytes, args: bytes) -> None:
        self.send(tag + b" OK done\r\n")

    def do_list(self, tag: bytes, args: bytes) -> None:
        self.send(b'* LIST (\\HasNoChildren) "/" INBOX\r\n' + tag + b" OK done\r\n")

    def do_examine(self, tag: bytes, args: bytes) -> None:
        count = len(self.script.messages)
        self.send(
            b"* FLAGS (\\Answered \\Seen)\r\n"
            + f"* {count} EXISTS\r\n* 0 RECENT\r\n".encode()
            + b"* OK [UIDVALIDITY 7] ok\r\n"
            + f"* OK [UIDNEXT {self.uidnext}] ok\r\n".encode()
            + tag
            + b" OK [READ-ONLY] done\r\n"
        )

    do_select = do_examine

    def do_status(self, tag: bytes, args: bytes) -> None:
        folder = args.split(b" ")[0]
        self.send(
            b"* STATUS "
            + folder
            + f" (MESSAGES {len(self.script.messages)} UIDNEXT {self.uidnext}"
            f" UIDVALIDITY 7)\r\n".encode()
            + tag
            + b" OK done\r\n"
        )

    def do_uid_search(self, tag: bytes, args: bytes) -> None:
        uids = " ".join(str(m.uid) for m in self.script.messages)
        line = f"* SEARCH {uids}".encode()
        if self.script.search_reply and self.searches >= self.script.search_reply_after:
            line = self.script.search_reply
        self.searches += 1
        self.send(line + b"\r\n" + tag + b" OK done\r\n")

    do_search = do_uid_search

    def do_uid_fetch(self, tag: bytes, args: bytes) -> None:
        uid_set, _, items = args.partition(b" ")
        wanted = set(_uids(uid_set.decode(), self.uidnext))
        upper = items.upper()
        for message in self.script.messages:
            if message.uid not in wanted:
                continue
            self.send(b"* 1 FETCH (UID %d" % message.uid)
            if b"INTERNALDATE" in upper:
                self.send(b" INTERNALDATE " + message.internaldate)
            if b"FLAGS" in upper:
                self.send(b" FLAGS (" + message.flags + b")")
            if b"RFC822.SIZE" in upper:
                self.send(b" RFC822.SIZE %d" % (len(message.headers) + len(message.body)))
            if b"BODYSTRUCTURE" in upper:
                self.send(b" BODYSTRUCTURE " + message.bodystructure)
            header = re.search(rb"BODY\.PEEK\[(HEADER\.FIELDS \([^)]*\))\]", items, re.I)
            if header:
                self.send_literal(b"BODY[" + header.group(1) + b"]", message.headers)
            part = re.search(rb"BODY\.PEEK\[([0-9.]*|TEXT)\](<0\.\d+>)?", items, re.I)
            if part:
                self.send_literal(b"BODY[" + part.group(1) + b"]<0>", message.body)
            self.send(b")\r\n")
        self.send(tag + b" OK done\r\n")

    do_fetch = do_uid_fetch

    def send_literal(self, key: bytes, data: bytes) -> None:
        if self.script.literal_size is not None:
            # Announce the huge size, send a bounded part of it, then hang up.
            self.send(b" " + key + b" {%d}\r\n" % self.script.literal_size)
            chunk = b"x" * 65536
            for _ in range(16):
                self.send(chunk)
            raise Closed
        self.send(b" " + key + b" {%d}\r\n" % len(data) + data)

    def do_idle(self, tag: bytes, args: bytes) -> None:
        self.send(b"+ idling\r\n")
        flood = self.script.exists_flood
        if flood:
            count = len(self.script.messages)
            lines = b"".join(b"* %d EXISTS\r\n" % count for _ in range(1000))
            for _ in range(flood // 1000):
                self.send(lines)
        while self.readline().upper() != b"DONE":
            pass
        self.send(tag + b" OK idle done\r\n")


def _uids(text: str, uidnext: int) -> Iterator[int]:
    for part in text.split(","):
        if ":" in part:
            low, high = part.split(":")
            top = uidnext if high == "*" else int(high)
            yield from range(int(low), top + 1)
        elif part.isdigit():
            yield int(part)


def scripted_imap(
    directory: Path, script: Script
) -> contextlib.AbstractContextManager[ScriptedImapServer]:
    return running(ScriptedImapServer(directory, script))
