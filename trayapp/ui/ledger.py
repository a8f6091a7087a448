"""The notification ledger the GUI reads: in memory, written through off the GUI thread.

The scheduler asks `was_notified` for every item in a warning stage on each update; asked of
the store, each question would wait for the store's lock, which the watch service holds while
it saves a scan. Here the answers come from a set loaded once at start-up (the table is pruned
to what the look-back can show, so it stays small), and each `mark_notified` is remembered at
once and written to the store by `write` (a TaskRunner's submit, in order). When the watch
service prunes the table, its next snapshot carries the cutoff (`notified_before`) and
`prune_notifications` forgets the same records here: the set stays as small as the table.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any, Protocol

from trayapp.core.model import Stage


class NotificationStore(Protocol):
    def notified(self) -> set[tuple[str, str, datetime]]: ...

    def mark_notified(self, item_id: str, stage: Stage, deadline: datetime) -> object: ...


def _key(item_id: str, stage: Stage | str, deadline: datetime) -> tuple[str, str, datetime]:
    name = stage.value if isinstance(stage, Stage) else str(stage)
    return (item_id, name, deadline.astimezone(UTC))


class MemoryLedger:
    """core.notifications.NotifiedLedger for the GUI thread: never touches the store's lock."""

    def __init__(
        self, store: NotificationStore, write: Callable[[Callable[[], Any]], object]
    ) -> None:
        self._store = store
        self._write = write
        self._seen = {_key(*k) for k in store.notified()}
        self._pruned_before: datetime | None = None

    def prune_notifications(self, deadline_before: datetime | None) -> int:
        """Forget the records whose deadline is before `deadline_before`, the rule of
        StateStore.prune_notifications (None, or the cutoff already applied: nothing to do).
        Returns how many were forgotten."""
        if deadline_before is None or deadline_before == self._pruned_before:
            return 0
        self._pruned_before = deadline_before
        cutoff = deadline_before.astimezone(UTC)
        kept = {key for key in self._seen if key[2] >= cutoff}
        forgotten = len(self._seen) - len(kept)
        self._seen = kept
        return forgotten

    def was_notified(self, item_id: str, stage: Stage, deadline: datetime) -> bool:
        return _key(item_id, stage, deadline) in self._seen

    def mark_notified(self, item_id: str, stage: Stage, deadline: datetime) -> bool:
        key = _key(item_id, stage, deadline)
        if key in self._seen:
            return False
        self._seen.add(key)
        store = self._store
        self._write(lambda: store.mark_notified(item_id, stage, deadline))
        return True


__all__ = ["MemoryLedger"]
