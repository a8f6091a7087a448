"""A removed inbox's state is held under its address (store/held.py): adding the address again
brings it back under any name, with item ids computed for that name; a hold older than
HOLD_DAYS is pruned; another address gets nothing."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.unit.test_store import NOW, inquiry
from trayapp.core.pending import item_id_for_key
from trayapp.store.db import StateStore
from trayapp.store.held import HOLD_DAYS


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore(tmp_path) as opened:
        yield opened


def decide(store: StateStore, name: str) -> tuple[str, str]:
    """Two items scanned under `name` (ids as the scanner computes them): one dismissed, one
    acknowledged; a sender ignored."""
    dismissed = inquiry(1, name, id=item_id_for_key(name, "m1@example.jp"))
    acked = inquiry(2, name, id=item_id_for_key(name, "m2@example.jp"))
    store.record_scan(name, [dismissed, acked], NOW)
    store.dismiss(name, dismissed.id, "answered", at=NOW)
    store.ignore_sender(name, "Pest@Example.jp", at=NOW)
    store.record_ack(
        item_id=acked.id,
        account=name,
        message_id="ack1@shop.example",
        recipients=["taka2@example.jp"],
        subject="Re: quote",
        raw=b"raw",
        promise_due_at=NOW + timedelta(days=2),
        inquiry_message_id="m2@example.jp",
        inquiry=json.dumps({"id": acked.id, "account": name}),
        now=NOW,
    )
    return dismissed.id, acked.id


def test_hold_then_restore_under_the_same_name(store: StateStore) -> None:
    dismissed, acked = decide(store, "shop")
    store.hold_account("shop", "Shop@Example.jp", now=NOW)
    assert store.dismissals("shop") == {} and store.ignored_senders("shop") == set()
    assert store.acks("shop") == [] and store.items("shop") == []

    assert store.restore_account("shop", "shop@example.jp", now=NOW + timedelta(days=1))
    assert store.dismissals("shop") == {dismissed: "answered"}
    assert store.ignored_senders("shop") == {"pest@example.jp"}
    [record] = store.acks("shop")
    assert record.item_id == acked and record.promise_due_at == NOW + timedelta(days=2)
    assert not store.restore_account("shop", "shop@example.jp", now=NOW)  # given back once


def test_another_name_gets_ids_computed_for_it(store: StateStore) -> None:
    decide(store, "shop")
    store.hold_account("shop", "shop@example.jp", now=NOW)
    assert store.restore_account("お店", "shop@example.jp", now=NOW)
    assert store.dismissals("お店") == {item_id_for_key("お店", "m1@example.jp"): "answered"}
    [record] = store.acks("お店")
    assert record.item_id == item_id_for_key("お店", "m2@example.jp")
    assert record.inquiry is not None
    snapshot = json.loads(record.inquiry) if isinstance(record.inquiry, str) else record.inquiry
    assert snapshot["account"] == "お店" and snapshot["id"] == record.item_id


def test_another_address_gets_nothing_and_old_holds_are_pruned(store: StateStore) -> None:
    decide(store, "shop")
    store.hold_account("shop", "shop@example.jp", now=NOW)
    assert not store.restore_account("shop", "other@example.jp", now=NOW)
    assert store.dismissals("shop") == {}
    later = NOW + timedelta(days=HOLD_DAYS, seconds=1)
    assert not store.restore_account("shop", "shop@example.jp", now=later)
    rows = store._read("SELECT count(*) FROM dismissals")  # nothing left over
    assert rows[0][0] == 0
