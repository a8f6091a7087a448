"""The GUI-thread heartbeat and the line-command channel shared by bench_gui_stall.py's two
programs (the real app and the bare tray). Imported by them only; nothing in trayapp uses it.

A 10 ms precise QTimer on the GUI thread: the worst lateness of a beat since `mark` is the
worst stall of the GUI thread in that window. Commands arrive as lines on stdin (watched by a
QSocketNotifier, so no thread and no polling); answers are lines on stdout.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, QSocketNotifier, Qt, QTimer

BEAT_MS = 10


class Heartbeat(QObject):
    def __init__(self) -> None:
        super().__init__()
        self._timer = QTimer(self)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.setInterval(BEAT_MS)
        self._timer.timeout.connect(self._beat)
        self._last = time.perf_counter()
        self.worst = 0.0
        self.worst_window = (0.0, 0.0)  # perf_counter() from, to: the worst stall's beats
        self._timer.start()

    def _beat(self) -> None:
        now = time.perf_counter()
        late = now - self._last - BEAT_MS / 1000
        if late > self.worst:
            self.worst, self.worst_window = late, (self._last, now)
        self._last = now

    def mark(self) -> None:
        self._last = time.perf_counter()
        self.worst = 0.0
        self.worst_window = (0.0, 0.0)

    def worst_ms(self) -> float:
        # A stall still going on counts too.
        ongoing = time.perf_counter() - self._last - BEAT_MS / 1000
        return max(self.worst, ongoing, 0.0) * 1000


class Commands(QObject):
    """Runs `handlers[word](*args)` for each stdin line; a handler returns the answer line (or
    None when it answers later through `reply`)."""

    def __init__(self, handlers: dict[str, Callable[..., str | None]]) -> None:
        super().__init__()
        self._handlers = handlers
        self._buffer = b""
        self._notifier = QSocketNotifier(sys.stdin.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._read)

    def _read(self) -> None:
        chunk = os.read(sys.stdin.fileno(), 4096)
        if not chunk:
            self._notifier.setEnabled(False)
            handler = self._handlers.get("quit")
            if handler is not None:
                handler()
            return
        self._buffer += chunk
        while b"\n" in self._buffer:
            line, self._buffer = self._buffer.split(b"\n", 1)
            words = line.decode().split()
            if not words:
                continue
            handler = self._handlers.get(words[0])
            if handler is None:
                reply(f"error unknown command {words[0]}")
                continue
            answer = handler(*words[1:])
            if answer is not None:
                reply(answer)


def reply(line: str) -> None:
    sys.stdout.write(line + "\n")
    sys.stdout.flush()
