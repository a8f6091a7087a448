"""Bounded state: the watch service forgets dismissals and notification records that the
look-back can no longer show, and keeps everything it still can."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from trayapp.core.model import AccountConfig, Stage
from trayapp.mail.service import PRUNE_MARGIN, WatchService
from trayapp.mail.watcher import SYSTEM_CLOCK
from trayapp.store import StateStore
from trayapp.ui.ledger import MemoryLedger

NOW = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)


class FixedClock:
    def monotonic(self) -> float:
        return SYSTEM_CLOCK.monotonic()

    def now(self) -> datetime:
        return NOW

    def wait(self, event: object, seconds: float) -> bool:
        return False


def test_prune_keeps_what_the_look_back_can_show(tmp_path: Path) -> None:
    shop = AccountConfig(name="shop", email="a@shop.example", imap_host="h", lookback_days=7)
    store = StateStore(tmp_path)
    try:
        edge = NOW - timedelta(days=7) - PRUNE_MARGIN
        store.dismiss("shop", "gone", "answered", at=edge - timedelta(minutes=1))
        store.dismiss("shop", "kept", "answered", at=edge + timedelta(minutes=1))
        store.mark_notified("gone", Stage.WARNING, edge - timedelta(minutes=1), account="shop")
        store.mark_notified("kept", Stage.WARNING, edge + timedelta(minutes=1), account="shop")
        service = WatchService(
            [shop],
            lambda a: "pw",
            store,
            clock=FixedClock(),  # type: ignore[arg-type]
        )
        service.prune()
        assert store.dismissed_ids("shop") == {"kept"}
        assert not store.was_notified("gone", Stage.WARNING, edge - timedelta(minutes=1))
        assert store.was_notified("kept", Stage.WARNING, edge + timedelta(minutes=1))
    finally:
        store.close()


def test_the_guis_ledger_forgets_what_the_table_forgot(tmp_path: Path) -> None:
    """The in-memory ledger (loaded at start-up) is pruned with the table: the service's
    prune publishes a snapshot carrying its cutoff, and the ledger applies the same rule."""
    shop = AccountConfig(name="shop", email="a@shop.example", imap_host="h", lookback_days=7)
    store = StateStore(tmp_path)
    try:
        edge = NOW - timedelta(days=7) - PRUNE_MARGIN
        old, recent = edge - timedelta(minutes=1), edge + timedelta(minutes=1)
        store.mark_notified("gone", Stage.WARNING, old, account="shop")
        store.mark_notified("kept", Stage.WARNING, recent, account="shop")
        writes: list[object] = []
        ledger = MemoryLedger(store, writes.append)
        ledger.mark_notified("new-but-old", Stage.URGENT, old)  # marked while running
        service = WatchService(
            [shop],
            lambda a: "pw",
            store,
            clock=FixedClock(),  # type: ignore[arg-type]
        )
        assert service.snapshot().notified_before is None  # nothing pruned yet
        service.prune()
        published = service.snapshot()  # the one the prune published to the listeners
        assert published.notified_before == edge
        assert ledger.prune_notifications(published.notified_before) == 2
        assert not ledger.was_notified("gone", Stage.WARNING, old)
        assert not ledger.was_notified("new-but-old", Stage.URGENT, old)
        assert ledger.was_notified("kept", Stage.WARNING, recent)
        # The same cutoff again (every snapshot carries it until the next prune): no work.
        assert ledger.prune_notifications(edge) == 0
        assert ledger.prune_notifications(None) == 0
    finally:
        store.close()
