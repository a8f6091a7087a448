"""The skeleton of the small misbehaving servers the tests start on loopback
(tests/support/scripted_imap.py, scripted_smtp.py): implicit TLS with a certificate from a
throwaway CA (tests pass ``ca_file``), one thread per connection, every command line
recorded, and the wire's faults (every byte sent alone, ``drip_interval`` apart, once
``drip`` is on).

Bounded in time and size: every connection ends after ``lifetime`` seconds, no connection
sends more than ``max_bytes``, and ``close()`` ends everything."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Protocol, TypeVar

from tests.support.dovecot import generate_ca, issue_server_cert

HOST = "127.0.0.1"


class WireScript(Protocol):
    drip_interval: float
    lifetime: float
    max_bytes: int


class Closed(Exception):
    """The session ends (the client left, the script says so, or a bound was reached)."""


class ScriptedServer:
    """Start with ``start()``; ``commands`` records every command line received. Subclasses
    say what a session is (``session``)."""

    name = "Scripted"

    def __init__(self, directory: Path, script: WireScript) -> None:
        self.script = script
        ca = generate_ca(directory / "ca", f"{self.name} CA")
        cert, key = issue_server_cert(ca, directory, stem=self.name.lower().replace(" ", "-"))
        self.ca_file = str(ca.cert_path)
        self._context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        self._context.load_cert_chain(cert, key)
        self._listener = socket.create_server((HOST, 0))
        self._listener.settimeout(0.2)
        self.port = int(self._listener.getsockname()[1])
        self.host = HOST
        self.commands: list[str] = []
        self.connections = 0
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []
        self._open: list[socket.socket] = []
        self._lock = threading.Lock()

    def session(self, conn: socket.socket, deadline: float) -> Wire:
        raise NotImplementedError

    def start(self) -> ScriptedServer:
        thread = threading.Thread(target=self._accept_loop, daemon=True)
        thread.start()
        self._threads.append(thread)
        return self

    def close(self) -> None:
        self._stop.set()
        with self._lock:
            for conn in self._open:
                with contextlib.suppress(OSError):
                    conn.shutdown(socket.SHUT_RDWR)
        self._listener.close()
        for thread in self._threads:
            thread.join(5)

    def count(self, word: str) -> int:
        with self._lock:
            return sum(1 for c in self.commands if word.upper() in c.upper())

    def record(self, line: bytes) -> None:
        with self._lock:
            self.commands.append(line.decode("latin-1"))

    def _accept_loop(self) -> None:
        while not self._stop.is_set():
            try:
                raw, _ = self._listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.connections += 1
            thread = threading.Thread(target=self._serve, args=(raw,), daemon=True)
            thread.start()
            self._threads.append(thread)

    def _serve(self, raw: socket.socket) -> None:
        deadline = time.monotonic() + self.script.lifetime
        with contextlib.suppress(Closed, OSError, ssl.SSLError):
            raw.settimeout(5)
            conn = self._context.wrap_socket(raw, server_side=True)
            with self._lock:
                self._open.append(conn)
            self.session(conn, deadline).run()
        with contextlib.suppress(OSError):
            raw.close()


class Wire:
    """One connection's bytes: bounded sends (dripped while ``drip`` is on) and lines."""

    def __init__(self, server: ScriptedServer, conn: socket.socket, deadline: float) -> None:
        self.server = server
        self.conn = conn
        self.deadline = deadline
        self.buffer = b""
        self.sent = 0
        self.drip = False

    def run(self) -> None:
        raise NotImplementedError

    def send(self, data: bytes) -> None:
        script = self.server.script
        if self.sent + len(data) > script.max_bytes:
            raise Closed
        self.sent += len(data)
        if not self.drip:
            self.conn.sendall(data)
            return
        for i in range(len(data)):
            if self.server._stop.wait(script.drip_interval) or self.expired():
                raise Closed
            self.conn.sendall(data[i : i + 1])

    def expired(self) -> bool:
        return time.monotonic() > self.deadline

    def stall(self) -> None:
        """Say nothing until the connection's lifetime is over."""
        while not self.server._stop.wait(0.1) and not self.expired():
            pass
        raise Closed

    def readline(self) -> bytes:
        while b"\n" not in self.buffer:
            if self.server._stop.is_set() or self.expired():
                raise Closed
            try:
                chunk = self.conn.recv(4096)
            except TimeoutError:
                continue
            if not chunk:
                raise Closed
            self.buffer += chunk
        line, _, self.buffer = self.buffer.partition(b"\n")
        return line.rstrip(b"\r")


Server = TypeVar("Server", bound=ScriptedServer)


@contextlib.contextmanager
def running(server: Server) -> Iterator[Server]:
    """The server started for the block, and closed (every connection ended) after it."""
    server.start()
    try:
        yield server
    finally:
        server.close()
