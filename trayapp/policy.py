"""The user's clock settings as the watchers and the command line see them: each account's
working-hours schedule (core.schedule) with the user's absences (core.away), and quiet hours.

Absences and quiet hours live in config.json's settings (so `ippo away set` reaches a running
app); the file is re-read only when it changed. Never call this on the GUI thread: it reads
a file (the watch service calls it on its dispatcher thread, the CLI on its main thread).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import datetime, time, tzinfo
from typing import TYPE_CHECKING, Any

from trayapp.clock import system_zone
from trayapp.core.away import Absence, absences_from_json, away_at, pauses
from trayapp.core.model import AccountConfig
from trayapp.core.schedule import Schedule, account_schedule

if TYPE_CHECKING:
    from trayapp.config import ConfigStore

AWAY_SETTING = "away"  # a list of {"from": ISO time, "until": ISO time}
QUIET_SETTING = "quiet_hours"  # "22:00-07:30" or null


class ClockPolicy:
    def __init__(
        self, config: ConfigStore | None = None, zone: Callable[[], tzinfo] = system_zone
    ) -> None:
        self._config = config
        self._zone = zone
        self._lock = threading.Lock()
        self._stamp: object = None
        self._settings: dict[str, Any] = {}

    def _current(self) -> dict[str, Any]:
        if self._config is None:
            return {}
        try:
            stat = self._config.path.stat()
            stamp: object = (stat.st_mtime_ns, stat.st_size)
        except OSError:
            stamp = None
        with self._lock:
            if stamp != self._stamp or stamp is None:
                try:
                    self._settings = self._config.settings
                except Exception:  # a broken file is reported where it is loaded
                    self._settings = {}
                self._stamp = stamp
            return self._settings

    def absences(self) -> tuple[Absence, ...]:
        return absences_from_json(self._current().get(AWAY_SETTING))

    def away_at(self, moment: datetime) -> Absence | None:
        return away_at(self.absences(), moment)

    def quiet_hours(self) -> tuple[time, time] | None:
        from trayapp.core.quiet import parse_quiet_hours

        raw = self._current().get(QUIET_SETTING)
        if not isinstance(raw, str):
            return None
        try:
            return parse_quiet_hours(raw)
        except ValueError:
            return None

    def schedule(self, account: AccountConfig) -> Schedule:
        return account_schedule(account, self._zone(), pauses(self.absences()))
