"""A dismissal keeps its item as the list showed it (the dismissals table's `shown` column):
"Recently set aside" lists a dismissal of an earlier session from it once the watcher no
longer keeps the message. Migrated, salvaged from a damaged file, held and renamed with the
rest of the dismissal; core.put_back decides what is offered."""

from __future__ import annotations

import logging
import sqlite3
from dataclasses import replace
from datetime import timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.unit.test_store import NOW, inquiry
from trayapp.core.dismissed_ids import message_key
from trayapp.core.model import Inquiry
from trayapp.core.pending import item_id_for_key
from trayapp.core.put_back import still_dismissed
from trayapp.store.db import _MIGRATIONS, SCHEMA_VERSION, StateStore


def _listed(item: Inquiry) -> tuple[object, ...]:
    return (item.id, item.account, item.sender, item.sender_addr, item.subject, item.received_at)


def test_a_dismissal_keeps_its_item_as_shown_without_the_preview(tmp_path: Path) -> None:
    item = inquiry(1)
    with StateStore(tmp_path) as store:
        store.dismiss("shop", item.id, "not_inquiry", at=NOW, shown=item)
        store.dismiss("shop", "bare", "answered", at=NOW)  # no item given (older callers)
    with StateStore(tmp_path) as store:  # read back from the file
        shown = store.dismissals_shown("shop")
        assert set(shown) == {item.id, "bare"}
        kind, kept = shown[item.id]
        assert kind == "not_inquiry" and kept is not None
        assert kept == replace(item, preview="")
        assert shown["bare"] == ("answered", None)

        store.dismiss("shop", item.id, "answered", at=NOW)  # again, without the item: kept
        assert store.dismissals_shown("shop")[item.id] == ("answered", kept)
        store.undismiss("shop", item.id)
        assert item.id not in store.dismissals_shown("shop")


def test_a_state_file_of_schema_5_gains_the_column_and_keeps_its_dismissals(
    tmp_path: Path,
) -> None:
    db = tmp_path / "state.sqlite3"
    with sqlite3.connect(db) as conn:
        for migration in _MIGRATIONS[:5]:
            for statement in migration:
                conn.execute(statement)
        conn.execute(
            "INSERT INTO dismissals (account, item_id, kind, at, message_key)"
            " VALUES ('shop', 'old', 'answered', '2024-05-07T00:00:00.000000+00:00', 'm@x')"
        )
        conn.execute("PRAGMA user_version = 5")
    with StateStore(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        assert store.dismissals("shop") == {"old": "answered"}
        assert store.dismissals_shown("shop") == {"old": ("answered", None)}
        item = inquiry(2)
        store.dismiss("shop", item.id, "answered", at=NOW, shown=item)
        assert store.dismissals_shown("shop")[item.id] == ("answered", replace(item, preview=""))
    with sqlite3.connect(db) as conn:
        columns = [row[1] for row in conn.execute("PRAGMA table_info(dismissals)")]
    assert columns[-1] == "shown"


def test_a_damaged_state_file_keeps_the_items_of_its_dismissals(tmp_path: Path) -> None:
    item = inquiry(1)
    with StateStore(tmp_path) as store:
        store.dismiss("shop", item.id, "answered", at=NOW, shown=item)
        # Pages of items after the dismissals': the damage below hits these.
        store.record_scan("shop", [replace(inquiry(n), id=f"i{n}") for n in range(2, 400)], NOW)
    db = tmp_path / "state.sqlite3"
    data = bytearray(db.read_bytes())
    half = len(data) // 2
    data[half:] = b"\xa5" * (len(data) - half)
    db.write_bytes(bytes(data))
    with StateStore(tmp_path, on_recovery=lambda _r: None) as store:
        assert store.recovery is not None
        assert store.dismissals_shown("shop") == {item.id: ("answered", replace(item, preview=""))}


def test_a_held_inbox_added_under_another_name_lists_its_items_under_it(
    tmp_path: Path,
) -> None:
    item = inquiry(1, id=item_id_for_key("shop", "m1@example.jp"))
    with StateStore(tmp_path) as store:
        store.record_scan("shop", [item], NOW)  # the message key comes from the scanned row
        store.dismiss("shop", item.id, "not_inquiry", at=NOW, shown=item)
        store.hold_account("shop", "shop@example.jp", now=NOW)
        assert store.restore_account("お店", "shop@example.jp", now=NOW)
        new_id = item_id_for_key("お店", "m1@example.jp")
        kind, kept = store.dismissals_shown("お店")[new_id]
        assert kind == "not_inquiry" and kept is not None
        assert _listed(kept) == (new_id, "お店", item.sender, item.sender_addr, item.subject,
                                 item.received_at)  # fmt: skip


def test_an_unreadable_item_is_left_out_with_a_log_line(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with StateStore(tmp_path) as store:
        store.dismiss("shop", "x", "answered", at=NOW)
        with store._write() as conn:
            conn.execute("UPDATE dismissals SET shown = '[1, 2' WHERE item_id = 'x'")
        with caplog.at_level(logging.WARNING):
            assert store.dismissals_shown("shop") == {"x": ("answered", None)}
    assert "unreadable" in caplog.text


# ---- core.put_back.still_dismissed


def test_what_the_watcher_keeps_is_listed_as_it_is_now_the_rest_as_shown() -> None:
    kept_now = inquiry(1, subject="now")
    aside = inquiry(2)
    answered = inquiry(3)
    ignored = inquiry(4, sender_addr="Pest@Example.jp")
    old = inquiry(5)
    not_dismissed = inquiry(6)
    dismissals = {
        kept_now.id: ("answered", replace(kept_now, subject="then")),
        aside.id: ("not_inquiry", aside),
        answered.id: ("answered", answered),
        ignored.id: ("answered", ignored),
        old.id: ("answered", None),  # recorded by an older Ippo
        "gone": ("answered", inquiry(7, id="gone")),  # deleted: neither kept nor set aside
    }
    found = still_dismissed(
        [kept_now, not_dismissed],
        {
            aside.id: message_key(aside.message_id),
            answered.id: message_key(answered.message_id),
            ignored.id: message_key(ignored.message_id),
            old.id: message_key(old.message_id),
            kept_now.id: message_key(kept_now.message_id),
        },
        dismissals,
        replied_ids={"unrelated@x", answered.message_id or ""},
        ignored_senders={"pest@example.jp"},
    )
    assert found == [(kept_now, "answered"), (aside, "not_inquiry")]  # newest first


_ids = st.sampled_from([f"id{n}" for n in range(8)])


@given(
    kept=st.sets(_ids),
    set_aside=st.sets(_ids),
    dismissed=st.dictionaries(_ids, st.booleans()),
)
def test_only_dismissed_messages_still_there_are_offered_once(
    kept: set[str], set_aside: set[str], dismissed: dict[str, bool]
) -> None:
    def item(item_id: str) -> Inquiry:
        n = int(item_id[2:])
        return inquiry(n, id=item_id, received_at=NOW - timedelta(hours=n))

    found = still_dismissed(
        [item(i) for i in sorted(kept)],
        {i: message_key(f"{i}@x") for i in set_aside},
        {i: ("answered", item(i) if has_item else None) for i, has_item in dismissed.items()},
        (),
        (),
    )
    ids = [i.id for i, _kind in found]
    assert len(ids) == len(set(ids))
    expected = {i for i in dismissed if i in kept or (i in set_aside and dismissed[i])}
    assert set(ids) == expected
    assert ids == sorted(ids)  # newest first: a smaller number arrived later
