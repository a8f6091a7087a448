"""One single-shot timer set for an exact moment (the Qt half of the Qt-free schedulers)."""

from __future__ import annotations

import math
from datetime import timedelta

from PySide6.QtCore import QObject, Qt, QTimer, Signal

_MAX_MS = 2**31 - 1


class WakeTimer(QObject):
    """`arm(delay)` (re)sets the one timer; `fired` is emitted once when it runs out.

    Pass `arm` to `NotificationScheduler(arm_timer=...)` and connect `fired` to its `check`.
    """

    fired = Signal()

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setTimerType(Qt.TimerType.PreciseTimer)
        self._timer.timeout.connect(self.fired)

    def arm(self, delay: timedelta | None) -> None:
        self._timer.stop()
        if delay is None:
            return
        ms = max(0, math.ceil(delay.total_seconds() * 1000))
        self._timer.start(min(ms, _MAX_MS))

    def is_armed(self) -> bool:
        return self._timer.isActive()

    def remaining_ms(self) -> int:
        return self._timer.remainingTime() if self._timer.isActive() else -1
