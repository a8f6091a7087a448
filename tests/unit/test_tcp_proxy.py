"""The test proxy itself: it must really forward, really drop and really freeze, or the
network-failure tests that rely on it would prove nothing."""

from __future__ import annotations

import socket
import threading
from collections.abc import Iterator

import pytest

from tests.support.tcp_proxy import TcpProxy


@pytest.fixture
def echo() -> Iterator[int]:
    server = socket.create_server(("127.0.0.1", 0))
    server.settimeout(5)
    port = server.getsockname()[1]
    stop = threading.Event()

    def serve() -> None:
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                return
            threading.Thread(target=pump, args=(conn,), daemon=True).start()

    def pump(conn: socket.socket) -> None:
        with conn:
            while data := conn.recv(4096):
                conn.sendall(data)

    threading.Thread(target=serve, daemon=True).start()
    yield port
    stop.set()
    server.close()


def test_forwards_then_drop_closes_the_connection(echo: int) -> None:
    proxy = TcpProxy("127.0.0.1", echo)
    try:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as c:
            c.sendall(b"hello")
            assert c.recv(16) == b"hello"
            assert proxy.drop() == 1
            assert c.recv(16) == b""  # EOF: the peer is gone
    finally:
        proxy.close()


def test_freeze_keeps_the_socket_open_but_silent_and_thaw_resumes(echo: int) -> None:
    proxy = TcpProxy("127.0.0.1", echo)
    try:
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as c:
            c.sendall(b"a")
            assert c.recv(16) == b"a"
            proxy.freeze()
            c.sendall(b"b")
            c.settimeout(0.5)
            with pytest.raises(TimeoutError):
                c.recv(16)  # no data, and no EOF either: half-open
            assert proxy.open_connections == 1
            proxy.thaw()
            c.settimeout(2)
            assert c.recv(16) == b"b"
    finally:
        proxy.close()


def test_refuse_accepts_and_hangs_up(echo: int) -> None:
    proxy = TcpProxy("127.0.0.1", echo)
    try:
        proxy.refuse(True)
        with socket.create_connection(("127.0.0.1", proxy.port), timeout=2) as c:
            assert c.recv(16) == b""
        assert proxy.accepted == 1
    finally:
        proxy.close()
