"""What the user set aside from the list in this session, and the way back.

    log = SetAsideLog(store, tasks, refresh)
    entry = log.set_aside("answered", item)    # D; the undo bar offers to undo it
    log.put_back(entry)                        # Undo, Ctrl+Z, or "Put back" later

Both write on the store's TaskRunner (in order: a put back follows its own write), then ask
the service to recompute; the GUI thread never waits. Writes made while one is on its way
join it: one job and one recompute for 2,000 dismissals in a row, not 2,000 of each. The
next snapshot is the answer: the item leaves the list, or comes back. Signals tell the list
at once, so it hides or shows the row before that snapshot arrives.
"""

from __future__ import annotations

import logging
from collections import deque
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal

from trayapp.core.model import Inquiry
from trayapp.store.set_aside import SetAside, SetAsideKind, put_back, set_aside
from trayapp.ui.tasks import TaskRunner

if TYPE_CHECKING:
    from trayapp.store.db import StateStore

log = logging.getLogger(__name__)

KEPT_ENTRIES = 50  # the "recently set aside" list of one session


class SetAsideLog(QObject):
    """The session's set-aside entries, newest last; `entries()` lists those not put back."""

    set_aside_made = Signal(object)  # SetAside: written (or being written)
    put_back_made = Signal(object)  # SetAside: undone (or being undone)
    changed = Signal()

    def __init__(
        self,
        store: StateStore,
        tasks: TaskRunner,
        refresh: Callable[[], None],
        on_error: Callable[[BaseException], None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._store = store
        self._tasks = tasks
        self._refresh = refresh
        self._on_error = on_error
        self._entries: list[SetAside] = []
        # Writes not yet taken by the store's worker, oldest first (appended on the GUI thread,
        # taken on the worker: a deque's append and popleft are atomic). Each is the function
        # and its entry, no closure: 2,000 clicks in a row wait here together.
        self._unwritten: deque[_Write] = deque()
        self._draining = False  # a job that takes them is queued or running

    def entries(self) -> list[SetAside]:
        """Newest first, only what is still set aside."""
        return [e for e in reversed(self._entries) if not e.undone]

    def add_earlier(self, found: Iterable[tuple[Inquiry, str]]) -> None:
        """Dismissals made before this session whose messages the inboxes still hold
        (WatchService.dismissed_items, newest first) join the list behind this session's."""
        known = {e.item.id for e in self._entries if e.kind != "ignore_sender"}
        earlier: list[SetAside] = []
        for item, kind in found:
            if item.id in known:
                continue
            if kind == "answered":
                earlier.append(SetAside("answered", item))
            elif kind == "not_inquiry":
                earlier.append(SetAside("not_inquiry", item))
        self._entries[:0] = reversed(earlier)  # kept oldest first
        self.changed.emit()

    def set_aside(self, kind: SetAsideKind, item: Inquiry) -> SetAside:
        entry = SetAside(kind, item)
        self._entries.append(entry)
        del self._entries[:-KEPT_ENTRIES]
        self._write((set_aside, entry))
        self.set_aside_made.emit(entry)
        self.changed.emit()
        return entry

    def put_back(self, entry: SetAside) -> None:
        if entry.undone:
            return
        self._write((put_back, entry))
        self._mark_put_back(entry)

    def undo_last(self) -> SetAside | None:
        """Ctrl+Z: put back the newest entry still set aside."""
        entries = self.entries()
        if not entries:
            return None
        self.put_back(entries[0])
        return entries[0]

    def sender_unignored(self, account: str, address: str) -> None:
        """The ignored-senders list removed one: entries of this session that ignored it are
        put back already (the store no longer ignores the sender)."""
        for entry in self.entries():
            if (
                entry.kind == "ignore_sender"
                and entry.account == account
                and entry.address == address.strip().lower()
            ):
                self._mark_put_back(entry)

    def _mark_put_back(self, entry: SetAside) -> None:
        if entry.undone:
            return
        entry.undone = True
        self.put_back_made.emit(entry)
        self.changed.emit()

    def _write(self, write: _Write) -> None:
        self._unwritten.append(write)
        if not self._draining:
            self._drain()

    def _drain(self) -> None:
        self._draining = True
        self._tasks.submit(
            _drainer(self._store, self._unwritten, self._refresh),
            on_done=self._drained,
            on_error=self._drain_failed,
        )

    def _drained(self, failures: list[tuple[_Write, Exception]]) -> None:
        self._draining = False
        for (write, entry), error in failures:
            if write is set_aside:
                self._mark_put_back(entry)  # nothing was set aside: the row comes back
            self._on_error(error)
        if self._unwritten:  # added after the worker took the last one
            self._drain()

    def _drain_failed(self, error: BaseException) -> None:
        self._drained([])  # the writes' own failures are reported one by one; not this
        self._on_error(error)


# store.set_aside.set_aside or put_back, and the entry it writes.
_Write = tuple[Callable[["StateStore", SetAside], None], SetAside]


def _drainer(
    store: StateStore, unwritten: deque[_Write], refresh: Callable[[], None]
) -> Callable[[], list[tuple[_Write, Exception]]]:
    """The store worker's job: every write queued so far, in order, then one recompute.
    Returns the failed writes and their errors, for the GUI thread."""

    def job() -> list[tuple[_Write, Exception]]:
        failures: list[tuple[_Write, Exception]] = []
        try:
            while unwritten:
                write = unwritten.popleft()
                try:
                    write[0](store, write[1])
                except Exception as error:
                    failures.append((write, error))
        finally:
            refresh()  # queued in the service, never awaited
        return failures

    return job


__all__ = ["KEPT_ENTRIES", "SetAsideLog"]
