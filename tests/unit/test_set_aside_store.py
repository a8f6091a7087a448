"""Setting aside and putting back are each one store transaction: "Answered" on an
acknowledged item dismisses it and keeps its promise together, and Undo reopens the promise
and lists the item again together. A failure half-way (a real SQLite error, raised by a
trigger on the real file) leaves both as they were; another connection never sees half."""

from __future__ import annotations

import sqlite3
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import pytest

from tests.gui.helpers import record_filed_promise
from tests.unit.test_store import NOW, inquiry
from trayapp.core.model import Inquiry, ItemState
from trayapp.store import StateStore
from trayapp.store.set_aside import SetAside, put_back, set_aside

ACK_ID = "ack-1@shop.example.jp"


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore(tmp_path) as opened:
        yield opened


def _acknowledged(store: StateStore) -> Inquiry:
    """An item whose acknowledgement reached the customer: its promise is open ('filed')."""
    item = inquiry(1, state=ItemState.ACKNOWLEDGED, promise_due_at=NOW + timedelta(hours=20))
    store.record_scan("shop", [item], NOW)
    record_filed_promise(store, item.id, ACK_ID)
    return item


def _state(store: StateStore) -> str:
    record = store.ack(ACK_ID)
    assert record is not None
    return record.state


def _refuse(path: Path, trigger: str) -> None:
    """A real failure of one statement, from SQLite itself, on the state file."""
    with sqlite3.connect(path) as conn:
        conn.execute(trigger)


def test_answered_then_undo_writes_both_and_puts_both_back(store: StateStore) -> None:
    item = _acknowledged(store)
    entry = SetAside("answered", item)
    set_aside(store, entry)
    assert store.dismissals("shop") == {item.id: "answered"}
    assert _state(store) == "done"
    put_back(store, entry)
    assert store.dismissals("shop") == {}
    assert _state(store) == "filed"


def test_a_promise_that_cannot_be_kept_leaves_the_item_listed(store: StateStore) -> None:
    item = _acknowledged(store)
    _refuse(
        store.path,
        "CREATE TRIGGER refuse BEFORE UPDATE ON acks BEGIN SELECT RAISE(ABORT, 'no'); END",
    )
    entry = SetAside("answered", item)
    with pytest.raises(sqlite3.IntegrityError):
        set_aside(store, entry)
    # Before, the dismissal was committed on its own: the item left the list for good with
    # its promise still open (counted as broken when due), and the undo bar's row came back.
    assert store.dismissals("shop") == {}
    assert [i.id for i in store.items()] == [item.id]
    assert _state(store) == "filed"
    assert entry.kept_promises == {}  # nothing to undo


def test_an_undo_that_fails_half_way_keeps_the_promise_kept(store: StateStore) -> None:
    item = _acknowledged(store)
    entry = SetAside("answered", item)
    set_aside(store, entry)
    _refuse(
        store.path,
        "CREATE TRIGGER refuse BEFORE DELETE ON dismissals BEGIN SELECT RAISE(ABORT, 'no'); END",
    )
    with pytest.raises(sqlite3.IntegrityError):
        put_back(store, entry)
    # Before, the promise was reopened and the item stayed dismissed: an open promise on an
    # item no list shows. Now neither changed, and the undo can be tried again.
    assert store.dismissals("shop") == {item.id: "answered"}
    assert _state(store) == "done"
    assert entry.kept_promises == {ACK_ID: "filed"}
    _refuse(store.path, "DROP TRIGGER refuse")
    put_back(store, entry)
    assert store.dismissals("shop") == {} and _state(store) == "filed"


def test_another_connection_never_sees_half_of_a_transaction(store: StateStore) -> None:
    item = _acknowledged(store)
    inside = threading.Event()
    go_on = threading.Event()
    seen: list[tuple[dict[str, str], str]] = []

    def both() -> None:
        with store.transaction():
            store.dismiss("shop", item.id, "answered")
            store.set_ack_state(ACK_ID, "done")
            inside.set()
            go_on.wait(10)

    other = StateStore(store.path)  # a reader of its own, as `ippo pending` is
    writer = threading.Thread(target=both)
    writer.start()
    try:
        assert inside.wait(10)
        seen.append((other.dismissals("shop"), _state(other)))
    finally:
        go_on.set()
        writer.join(10)
    seen.append((other.dismissals("shop"), _state(other)))
    other.close()
    assert seen == [({}, "filed"), ({item.id: "answered"}, "done")]


def test_a_failed_transaction_writes_nothing_and_the_store_goes_on(store: StateStore) -> None:
    item = _acknowledged(store)
    with pytest.raises(RuntimeError), store.transaction():
        store.dismiss("shop", item.id, "not_inquiry")
        store.ignore_sender("shop", "taka1@example.jp")
        raise RuntimeError("something in between failed")
    assert store.dismissals("shop") == {} and store.ignored_senders("shop") == set()
    store.dismiss("shop", item.id, "not_inquiry")  # a write after it is its own, committed
    with StateStore(store.path) as other:
        assert other.dismissals("shop") == {item.id: "not_inquiry"}
