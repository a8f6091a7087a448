"""POSIX signals (SIGTERM, SIGINT, SIGHUP) wake Qt's event loop and end the app cleanly."""

from __future__ import annotations

import contextlib
import logging
import signal
import socket
from collections.abc import Callable
from typing import Any

from PySide6.QtCore import QObject, QSocketNotifier

log = logging.getLogger(__name__)


class SignalWakeup(QObject):
    """SIGTERM/SIGINT/SIGHUP end the app cleanly. Python runs its signal handlers only when
    the interpreter gets control, and Qt's loop may sleep in C for hours: the C-level handler
    writes to a socket (signal.set_wakeup_fd) that a QSocketNotifier watches, so the loop
    wakes and the Python handler runs at once -- no polling timer."""

    def __init__(self, on_signal: Callable[[int], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_signal = on_signal
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self._previous: dict[int, Any] = {}
        for number in self.signals():
            self._previous[number] = signal.signal(number, self._handle)

    @staticmethod
    def signals() -> list[int]:
        names = ("SIGINT", "SIGTERM", "SIGHUP")
        return [int(getattr(signal, n)) for n in names if hasattr(signal, n)]

    def _handle(self, number: int, _frame: object) -> None:
        log.info("signal %d: quitting", number)
        self._on_signal(number)

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            while self._reader.recv(64):
                pass

    def close(self) -> None:
        for number, handler in self._previous.items():
            with contextlib.suppress(Exception):
                signal.signal(number, handler)
        with contextlib.suppress(ValueError):
            signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()


__all__ = ["SignalWakeup"]
