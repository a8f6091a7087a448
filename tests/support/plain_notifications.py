"""A notification server without `actions` or `body-markup` (as some minimal daemons are),
for the tests of what Ippo sends such a server: it owns org.freedesktop.Notifications on a
private test bus, announces only `body`, records every Notify call's arguments and answers
with a new id. jeepney, blocking, on its own thread; bounded (stops within a second).

    with PlainNotificationServer(desk.bus_address) as server:
        ...
        server.calls[0]   # (app_name, replaces_id, icon, summary, body, actions, hints, expire)
"""

from __future__ import annotations

import threading
from typing import Any

from jeepney import HeaderFields, MessageType, new_method_return
from jeepney.bus_messages import message_bus
from jeepney.io.blocking import open_dbus_connection
from jeepney.low_level import Message


class PlainNotificationServer:
    CAPABILITIES = ("body",)

    def __init__(self, bus_address: str = "SESSION") -> None:
        self.bus_address = bus_address
        self.calls: list[tuple[Any, ...]] = []
        self._stop = threading.Event()
        self._ready = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> PlainNotificationServer:
        self._thread.start()
        assert self._ready.wait(10), "the scripted notification server did not start"
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    def _answer(self, msg: Message) -> Message:
        member = msg.header.fields.get(HeaderFields.member)
        if member == "GetCapabilities":
            return new_method_return(msg, "as", (list(self.CAPABILITIES),))
        if member == "Notify":
            self.calls.append(tuple(msg.body))
            return new_method_return(msg, "u", (len(self.calls),))
        return new_method_return(msg)

    def _run(self) -> None:
        with open_dbus_connection(self.bus_address) as conn:
            conn.send_and_get_reply(message_bus.RequestName("org.freedesktop.Notifications"))
            self._ready.set()
            while not self._stop.is_set():
                try:
                    msg = conn.receive(timeout=0.2)
                except TimeoutError:
                    continue
                if msg.header.message_type is MessageType.method_call:
                    conn.send(self._answer(msg))
