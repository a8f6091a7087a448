"""An account added or changed with the command line reaches the running app: the config
folder is watched (QFileSystemWatcher on the folder, because config.json is replaced, not
written in place), changes are debounced, and what changed is handed on.

Reading config.json is a small local file on the GUI thread, done only when its bytes
changed; the keyring is never touched here (the watchers read passwords on their own
threads). A broken or half-written file is logged and ignored until the next change.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer

from trayapp.config import ConfigError
from trayapp.core.model import AccountConfig

log = logging.getLogger(__name__)

DEBOUNCE_MS = 300


class ConfigWatch(QObject):
    """Calls `accounts_changed()` when config.json's accounts differ from `current()`, and
    `same_accounts()` when the file changed but its accounts did not (e.g. `ippo account set
    --password-stdin`: only the keyring changed, so an inbox that failed should try again)."""

    def __init__(
        self,
        path: Path,
        load: Callable[[], Sequence[AccountConfig]],
        current: Callable[[], Sequence[AccountConfig]],
        accounts_changed: Callable[[], None],
        same_accounts: Callable[[], None] = lambda: None,
        parent: QObject | None = None,
        debounce_ms: int = DEBOUNCE_MS,
    ) -> None:
        super().__init__(parent)
        self.path = Path(path)
        self._load = load
        self._current = current
        self._accounts_changed = accounts_changed
        self._same_accounts = same_accounts
        self._last = self._read_bytes()
        self._stamp = self._file_stamp()
        self._watcher = QFileSystemWatcher(self)
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(debounce_ms)
        self._timer.timeout.connect(self.check)
        self._watcher.directoryChanged.connect(lambda _p: self._timer.start())
        self._watcher.fileChanged.connect(lambda _p: self._timer.start())

    def start(self) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        self._watcher.addPath(str(self.path.parent))
        self._watch_file()

    def stop(self) -> None:
        self._timer.stop()
        paths = self._watcher.directories() + self._watcher.files()
        if paths:
            self._watcher.removePaths(paths)

    def _watch_file(self) -> None:
        # An in-place write shows only on the file; a replace only on the folder (and drops
        # the file's watch, so it is added again after every change).
        if self.path.exists() and str(self.path) not in self._watcher.files():
            self._watcher.addPath(str(self.path))

    def _file_stamp(self) -> tuple[int, int, int] | None:
        try:
            stat = self.path.stat()
        except OSError:
            return None
        return (stat.st_ino, stat.st_mtime_ns, stat.st_size)

    def _read_bytes(self) -> bytes | None:
        try:
            return self.path.read_bytes()
        except OSError:
            return None

    def check(self) -> None:
        """Compare config.json with what the app runs with; hand on a difference."""
        self._watch_file()
        stamp = self._file_stamp()
        if stamp == self._stamp:
            return  # something else in the folder changed (the log, the state database)
        self._stamp = stamp
        data = self._read_bytes()
        if data == self._last:
            # Written again as it was: `ippo account set --password-stdin` changed only the
            # keyring (no parsing needed to know the accounts are the same).
            self._same_accounts()
            return
        self._last = data
        try:
            accounts = list(self._load())
        except ConfigError as error:
            log.warning("config.json changed but cannot be read (kept the accounts): %s", error)
            return
        if accounts != list(self._current()):
            log.info("config.json changed: applying the accounts")
            self._accounts_changed()
        else:
            self._same_accounts()
