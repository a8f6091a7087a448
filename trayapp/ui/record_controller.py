"""Keeps the trust record current in the tray app, off the GUI thread.

A background job (on the TaskRunner the app passes in, with its OWN IMAP connection per
account and its own SQLite connection: never a watcher's) brings the history up to date, then
computes the last 12 weeks and the slowest recent inquiries. It runs a while after start (so
the watchers' start-up scans go first), whenever the watchers report a change (at most every
``min_interval``), and when the Record window is opened. The result comes back through the
runner, progress as a queued signal; the GUI thread never waits for the job.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

from PySide6.QtCore import QObject, QTimer, Signal

from trayapp.core.model import AccountConfig
from trayapp.ui.i18n import error_sentence
from trayapp.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from imapclient import IMAPClient

    from trayapp.core.record import RecordView
    from trayapp.core.record_text import Language
    from trayapp.ui.record_window import RecordWindow

log = logging.getLogger(__name__)

WEEKS_SHOWN = 12
SLOWEST_DAYS = 28


class Passwords(Protocol):
    def get_password(self, account: str, kind: str = "imap") -> str | None: ...


def _window_hours(accounts: Sequence[AccountConfig]) -> float | None:
    windows = {a.window_hours for a in accounts}
    return windows.pop() if len(windows) == 1 else None


def compute_view(
    config_dir: Path,
    accounts: Sequence[AccountConfig],
    passwords: Passwords,
    now: datetime,
    *,
    history_days: int | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> RecordView:
    """The whole job (worker thread): update the history, then the figures to show.
    ``history_days`` None: the setting (core.history.history_days), read now."""
    from trayapp.clock import system_zone
    from trayapp.config import ConfigStore
    from trayapp.core.history import history_days as history_days_setting
    from trayapp.core.record import RecordView, build_report, slowest, week_start
    from trayapp.mail.errors import AuthenticationFailed
    from trayapp.mail.history import update_history
    from trayapp.mail.imap import connect
    from trayapp.policy import ClockPolicy
    from trayapp.store.history import HistoryStore

    keyring_lock = threading.Lock()  # one keyring question at a time (see commands/report)

    def open_account(account: AccountConfig) -> IMAPClient:
        try:
            with keyring_lock:
                password = passwords.get_password(account.name)
        except Exception as error:  # the keyring's own errors: reported per account
            raise AuthenticationFailed(str(error)) from None
        if password is None:
            raise AuthenticationFailed("no password in the OS keyring")
        return connect(account, password)

    zone = system_zone()
    names = [a.name for a in accounts]
    config = ConfigStore(config_dir)
    if history_days is None:
        history_days = history_days_setting(config.settings)
    with HistoryStore.open(config_dir) as store:
        result = update_history(
            store,
            accounts,
            open_account,
            since=now - timedelta(days=history_days),
            now=now,
            progress=progress,
            schedule_for=ClockPolicy(config).schedule,
        )
        store.prune(now, zone)
        records = store.records(names)
    first = week_start(now, zone) - timedelta(weeks=WEEKS_SHOWN - 1)
    report = build_report(records, now, zone, since=first, accounts=names)
    return RecordView(
        weeks=report.weeks,
        window_hours=_window_hours(accounts),
        slowest=slowest(records, now, since=now - timedelta(days=SLOWEST_DAYS)),
        computed_at=now,
        errors=result.errors,
    )


class RecordController(QObject):
    """Owns the background job, the last result, the tooltip line and the window."""

    line_changed = Signal()
    _progressed = Signal(int, int)  # emitted on the worker thread, delivered on the GUI's

    def __init__(
        self,
        config_dir: Path,
        accounts: Callable[[], Sequence[AccountConfig]],
        passwords: Passwords,
        language: Callable[[], str],
        clock: Callable[[], datetime],
        tasks: TaskRunner,
        *,
        history_days: int | None = None,
        start_delay_ms: int = 60_000,
        min_interval: timedelta = timedelta(minutes=10),
        compute: Callable[..., RecordView] = compute_view,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._config_dir = config_dir
        self._accounts = accounts
        self._passwords = passwords
        self._language = language
        self._clock = clock
        self._history_days = history_days
        self._min_interval = min_interval
        self._compute = compute
        self._tasks = tasks
        self._view: RecordView | None = None
        self._window: RecordWindow | None = None
        self._running = False
        self._again = False
        self._stopped = False
        self._last_run: datetime | None = None
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self.run_now)
        self._start_delay_ms = start_delay_ms
        self._progressed.connect(self._on_progress)

    # -------------------------------------------------------------- lifecycle

    def start(self) -> None:
        self._timer.start(self._start_delay_ms)

    def stop(self) -> None:
        """No new job starts; a running one ends by itself (its own connections)."""
        self._stopped = True
        self._timer.stop()
        self._tasks.close()  # a result still to come is dropped
        if self._window is not None:
            self._window.close()

    @property
    def running(self) -> bool:
        return self._running

    @property
    def view(self) -> RecordView | None:
        return self._view

    # -------------------------------------------------------------- triggers

    def mail_changed(self, *_args: Any) -> None:
        """The watchers saw a change: update soon, but not more often than min_interval."""
        if self._stopped or (self._timer.isActive() and self._last_run is None):
            return  # the first run is already scheduled
        if self._running:
            self._again = True
            return
        if self._last_run is None:
            return  # start() arms the first run
        wait = self._last_run + self._min_interval - self._clock()
        if wait.total_seconds() <= 0:
            self.run_now()
        elif not self._timer.isActive():
            self._timer.start(int(wait.total_seconds() * 1000))

    def run_now(self) -> None:
        if self._stopped:
            return
        if self._running:
            self._again = True
            return
        accounts = list(self._accounts())
        if not accounts:
            return
        self._timer.stop()
        self._running = True
        self._again = False
        now = self._clock()
        if self._window is not None:
            self._window.set_progress(0, 0)

        compute, config_dir, passwords = self._compute, self._config_dir, self._passwords
        history_days, progress = self._history_days, self._progressed.emit
        self._tasks.submit(
            lambda: compute(
                config_dir, accounts, passwords, now, history_days=history_days, progress=progress
            ),
            on_done=self._on_view,
            on_error=self._on_failed,
            owner=self,
        )

    # -------------------------------------------------------------- results (GUI thread)

    def _on_progress(self, done: int, total: int) -> None:
        if self._window is not None:
            self._window.set_progress(done, total)

    def _on_view(self, view: RecordView) -> None:
        self._view = view
        if self._window is not None:
            self._window.set_view(view)
        self._job_ended()
        self.line_changed.emit()
        self._again_if_asked()

    def _on_failed(self, error: BaseException) -> None:
        # Never lost silently: logged and shown in the window.
        log.error("the record could not be updated", exc_info=error)
        self._job_ended()
        if self._window is not None:
            self._window.status.setText(error_sentence(error))
        self._again_if_asked()

    def _job_ended(self) -> None:
        self._running = False
        self._last_run = self._clock()
        if self._window is not None:
            self._window.set_idle()

    def _again_if_asked(self) -> None:
        if self._again and not self._stopped:
            self.mail_changed()

    # -------------------------------------------------------------- what is shown

    def language(self) -> Language:
        return "ja" if self._language() == "ja" else "en"

    def tooltip_line(self) -> str:
        """This week's line for the tray tooltip ('' until the first job ends)."""
        if self._view is None:
            return ""
        from trayapp.core.record_text import week_sentence

        return week_sentence(self._view.this_week, self._view.window_hours, self.language())

    def show_window(self) -> None:
        if self._window is None:
            from trayapp.ui.record_window import RecordWindow

            self._window = RecordWindow(self._language)
            if self._view is not None:
                self._window.set_view(self._view)
        self._window.show()
        self._window.raise_()
        self._window.activateWindow()
        if self._running:
            self._window.set_progress(0, 0)
        elif self._view is None or self._last_run is None:
            self.run_now()
        else:
            self.mail_changed()
