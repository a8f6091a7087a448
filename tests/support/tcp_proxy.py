"""A small loopback TCP proxy the tests put between Ippo and Dovecot to break the network.

- ``drop()``: close every open connection at once (a NAT timeout, Wi-Fi change, server reset).
- ``freeze()``: stop forwarding in both directions but keep the sockets open (a half-open
  connection: the peer vanished without a FIN, nothing ever arrives again). ``thaw()`` undoes it.
- ``refuse(True)``: accept new connections and close them at once (server unreachable).

TLS passes through untouched, so the client still verifies Dovecot's certificate. One thread
runs a selector loop and owns every socket; the control methods hand it a request and wait
until it is done, so a test knows the network is broken when the call returns.
"""

from __future__ import annotations

import queue
import selectors
import socket
import threading
from collections.abc import Callable, Iterator
from contextlib import contextmanager, suppress
from dataclasses import dataclass


@dataclass(eq=False)
class _Pair:
    client: socket.socket
    upstream: socket.socket

    def close(self) -> None:
        for s in (self.client, self.upstream):
            with suppress(OSError):
                s.close()


class TcpProxy:
    def __init__(self, target_host: str, target_port: int, listen_host: str = "127.0.0.1"):
        self.target = (target_host, target_port)
        self.host = listen_host
        self._listener = socket.create_server((listen_host, 0))
        self._listener.setblocking(False)
        self.port: int = self._listener.getsockname()[1]
        self._selector = selectors.DefaultSelector()
        self._selector.register(self._listener, selectors.EVENT_READ, "accept")
        self._wake_r, self._wake_w = socket.socketpair()
        self._wake_r.setblocking(False)
        self._selector.register(self._wake_r, selectors.EVENT_READ, "wake")
        self._requests: queue.Queue[tuple[Callable[[], object], queue.Queue[object]]] = (
            queue.Queue()
        )
        self._pairs: list[_Pair] = []
        self._frozen = False
        self._refusing = False
        self._stopping = False
        self.accepted = 0  # connections accepted so far (forwarded or refused)
        self._thread = threading.Thread(target=self._run, name="tcp-proxy", daemon=True)
        self._thread.start()

    # ---- controls (any thread)

    @property
    def open_connections(self) -> int:
        return int(self._call(lambda: len(self._pairs)))  # type: ignore[call-overload]

    def drop(self) -> int:
        """Close every forwarded connection; returns how many were closed."""
        return int(self._call(self._drop_all))  # type: ignore[call-overload]

    def freeze(self) -> None:
        self._call(lambda: self._set_frozen(True))

    def thaw(self) -> None:
        self._call(lambda: self._set_frozen(False))

    def refuse(self, refusing: bool = True) -> None:
        def apply() -> None:
            self._refusing = refusing

        self._call(apply)

    def close(self) -> None:
        if self._stopping:
            return
        self._call(self._drop_all)
        self._stopping = True
        self._poke()
        self._thread.join(timeout=5)
        for s in (self._listener, self._wake_r, self._wake_w):
            with suppress(OSError):
                s.close()
        self._selector.close()

    def _call(self, fn: Callable[[], object]) -> object:
        done: queue.Queue[object] = queue.Queue()
        self._requests.put((fn, done))
        self._poke()
        return done.get(timeout=10)

    def _poke(self) -> None:
        with suppress(OSError):
            self._wake_w.send(b"x")

    # ---- the loop (proxy thread only)

    def _run(self) -> None:
        while not self._stopping:
            for key, _ in self._selector.select(timeout=1.0):
                if key.data == "wake":
                    with suppress(BlockingIOError):
                        self._wake_r.recv(4096)
                elif key.data == "accept":
                    self._accept()
                else:
                    pair, destination = key.data
                    self._forward(pair, key.fileobj, destination)  # type: ignore[arg-type]
            while True:
                try:
                    fn, done = self._requests.get_nowait()
                except queue.Empty:
                    break
                done.put(fn())

    def _watch(self, pair: _Pair) -> None:
        self._selector.register(pair.client, selectors.EVENT_READ, (pair, pair.upstream))
        self._selector.register(pair.upstream, selectors.EVENT_READ, (pair, pair.client))

    def _unwatch(self, pair: _Pair) -> None:
        for s in (pair.client, pair.upstream):
            with suppress(KeyError, ValueError):
                self._selector.unregister(s)

    def _set_frozen(self, frozen: bool) -> None:
        # Frozen: the data sockets are not watched, so bytes stay in the kernel buffers,
        # nothing is forwarded and nothing is closed (the peer looks alive but silent).
        if frozen and not self._frozen:
            for pair in self._pairs:
                self._unwatch(pair)
        elif not frozen and self._frozen:
            for pair in self._pairs:
                self._watch(pair)
        self._frozen = frozen

    def _drop_all(self) -> int:
        pairs, self._pairs = self._pairs, []
        for pair in pairs:
            self._unwatch(pair)
            pair.close()
        return len(pairs)

    def _accept(self) -> None:
        try:
            client, _ = self._listener.accept()
        except BlockingIOError:
            return
        self.accepted += 1
        if self._refusing:
            client.close()
            return
        try:
            upstream = socket.create_connection(self.target, timeout=5)
        except OSError:
            client.close()
            return
        client.setblocking(True)
        upstream.setblocking(True)
        pair = _Pair(client, upstream)
        self._pairs.append(pair)
        if not self._frozen:
            self._watch(pair)

    def _forward(self, pair: _Pair, source: socket.socket, destination: socket.socket) -> None:
        try:
            chunk = source.recv(65536)
            if chunk:
                destination.sendall(chunk)
                return
        except OSError:
            pass
        # One side closed: close both, as a real connection reset would.
        if pair in self._pairs:
            self._pairs.remove(pair)
        self._unwatch(pair)
        pair.close()


@contextmanager
def tcp_proxy(
    target_host: str, target_port: int, listen_host: str = "127.0.0.1"
) -> Iterator[TcpProxy]:
    proxy = TcpProxy(target_host, target_port, listen_host)
    try:
        yield proxy
    finally:
        proxy.close()
