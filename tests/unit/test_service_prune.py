"""Bounded state: the watch service forgets dismissals and notification records that the
look-back can no longer show, and keeps everything it still can."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

from trayapp.core.model import AccountConfig, Stage
from trayapp.mail.service import PRUNE_MARGIN, WatchService
from trayapp.mail.watcher import SYSTEM_CLOCK
from trayapp.store import StateStore

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
