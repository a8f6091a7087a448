from __future__ import annotations

import os
import signal
import sqlite3
import stat
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest

from trayapp.core.model import Inquiry, ItemState, Stage
from trayapp.store import AckExists, StateStore, StoreError, SyncState
from trayapp.store.db import SCHEMA_VERSION, Recovery

JST = timezone(timedelta(hours=9))
NOW = datetime(2024, 5, 7, 9, 30, tzinfo=JST)


def inquiry(n: int, account: str = "shop", **changes: object) -> Inquiry:
    received = NOW - timedelta(hours=n)
    values: dict[str, object] = {
        "id": f"{account[:4]}{n:08d}",
        "account": account,
        "folder": "INBOX",
        "uidvalidity": 1700000000,
        "uid": 100 + n,
        "message_id": f"m{n}@example.jp",
        "sender": f"髙橋 {n} <taka{n}@example.jp>",
        "sender_addr": f"taka{n}@example.jp",
        "subject": f"お見積りのご依頼 ① #{n}",
        "received_at": received,
        "due_at": received + timedelta(hours=24),
        "reply_to": (f"reply{n}@example.jp",),
        "references": ("root@example.jp", f"p{n}@example.jp"),
        "preview": "いつもお世話になっております。\nWe would like a quote.",
    }
    values.update(changes)
    return Inquiry(**values)  # type: ignore[arg-type]


@pytest.fixture
def store(tmp_path: Path) -> Iterator[StateStore]:
    with StateStore(tmp_path) as opened:
        yield opened


def mode_of(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def test_file_is_private_and_in_wal_mode(tmp_path: Path) -> None:
    old = os.umask(0o022)
    try:
        store = StateStore(tmp_path)
        store.record_scan("shop", [inquiry(1)], NOW)
    finally:
        os.umask(old)
    db = tmp_path / "state.sqlite3"
    assert store.path == db
    files = sorted(p.name for p in tmp_path.iterdir())
    assert files == [
        "state.sqlite3",
        "state.sqlite3-shm",
        "state.sqlite3-wal",
        "state.sqlite3.lock",  # taken while the file is opened or created (never moved)
    ]
    for name in files:
        assert mode_of(tmp_path / name) == 0o600, name
    with sqlite3.connect(db) as other:
        assert other.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert store._conn.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    assert store.schema_version() == SCHEMA_VERSION
    store.close()


def test_items_round_trip_most_urgent_first_as_aware_utc(store: StateStore) -> None:
    items = [inquiry(1), inquiry(5), inquiry(3)]
    store.record_scan("shop", items, NOW)
    back = store.items("shop")
    assert [i.id for i in back] == [items[1].id, items[2].id, items[0].id]
    assert back[0] == items[1]  # every field, same instants
    assert back[0].received_at.tzinfo is not None
    assert back[0].received_at.utcoffset() == timedelta(0)
    assert back[0].subject == "お見積りのご依頼 ① #5"
    assert store.last_scan_at("shop") == NOW
    assert store.last_scan_at("other") is None


def test_record_scan_replaces_only_that_account(store: StateStore) -> None:
    store.record_scan("shop", [inquiry(1), inquiry(2)], NOW)
    store.record_scan("support", [inquiry(3, account="support")], NOW)
    store.record_scan("shop", [inquiry(4)], NOW + timedelta(minutes=1))
    assert [i.id for i in store.items("shop")] == [inquiry(4).id]
    assert [i.account for i in store.items()] == ["shop", "support"]
    store.record_scan("shop", [], NOW)
    assert store.items("shop") == []
    with pytest.raises(ValueError):
        store.record_scan("shop", [inquiry(1, account="support")], NOW)


def test_acknowledged_items_sort_by_their_promise(store: StateStore) -> None:
    promised = inquiry(
        10,
        state=ItemState.ACKNOWLEDGED,
        promise_due_at=NOW + timedelta(days=2),
    )
    store.record_scan("shop", [promised, inquiry(1)], NOW)
    back = store.items()
    assert [i.id for i in back] == [inquiry(1).id, promised.id]
    assert back[1].state is ItemState.ACKNOWLEDGED
    assert back[1].promise_due_at == NOW + timedelta(days=2)


def test_naive_times_are_refused(store: StateStore) -> None:
    with pytest.raises(ValueError, match="naive"):
        store.record_scan("shop", [inquiry(1, received_at=datetime(2024, 5, 7))], NOW)
    assert store.items() == []  # nothing half-written


def test_sync_state(store: StateStore) -> None:
    assert store.sync_state("shop", "INBOX") is None
    state = SyncState("shop", "INBOX", 1700000000, 501, 9876543210123, NOW)
    store.set_sync_state(state)
    assert store.sync_state("shop", "INBOX") == state
    store.set_sync_state(SyncState("shop", "INBOX", 1700000001, 7))
    assert store.sync_state("shop", "INBOX") == SyncState("shop", "INBOX", 1700000001, 7)
    assert store.sync_state("shop", "送信済み") is None


def test_dismissals_and_ignored_senders(store: StateStore) -> None:
    store.record_scan("shop", [inquiry(1), inquiry(2), inquiry(3)], NOW)
    store.dismiss("shop", inquiry(1).id, "answered")
    store.dismiss("shop", inquiry(2).id, "not_inquiry", at=NOW)
    assert store.dismissed_ids("shop") == {inquiry(1).id, inquiry(2).id}
    assert store.dismissals("shop")[inquiry(2).id] == "not_inquiry"
    assert store.dismissed_ids("support") == set()
    assert [i.id for i in store.items()] == [inquiry(3).id]  # gone from the list at once
    store.undismiss("shop", inquiry(1).id)
    assert store.dismissed_ids("shop") == {inquiry(2).id}
    with pytest.raises(ValueError):
        store.dismiss("shop", "x", "spam")  # type: ignore[arg-type]

    store.ignore_sender("shop", " Taka3@Example.JP ")
    store.ignore_sender("shop", "taka3@example.jp")  # twice is fine
    assert store.ignored_senders("shop") == {"taka3@example.jp"}
    assert store.items() == []
    store.unignore_sender("shop", "TAKA3@example.jp")
    assert store.ignored_senders("shop") == set()


def test_notifications_are_never_repeated_not_after_reopening(tmp_path: Path) -> None:
    deadline = NOW + timedelta(hours=3)
    with StateStore(tmp_path) as store:
        assert not store.was_notified("abc", Stage.WARNING, deadline)
        assert store.mark_notified("abc", Stage.WARNING, deadline, account="shop") is True
        assert store.mark_notified("abc", "warning", deadline) is False
    with StateStore(tmp_path) as store:
        assert store.was_notified("abc", Stage.WARNING, deadline.astimezone(UTC))
        assert not store.was_notified("abc", Stage.URGENT, deadline)
        # a new promise is a new deadline: its stages are notified afresh
        assert not store.was_notified("abc", Stage.WARNING, deadline + timedelta(days=1))
        assert store.prune_notifications(deadline + timedelta(seconds=1)) == 1
        assert not store.was_notified("abc", Stage.WARNING, deadline)


def test_mark_notified_is_check_and_set_across_threads(store: StateStore) -> None:
    results: list[bool] = []
    barrier = threading.Barrier(8)

    def worker() -> None:
        barrier.wait()
        results.append(store.mark_notified("item", Stage.URGENT, NOW))

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert sorted(results) == [False] * 7 + [True]


def test_ack_journal(store: StateStore) -> None:
    raw = "Subject: Re: お見積り\r\n\r\n承知しました。\r\n".encode()
    record = store.record_ack(
        item_id="i1",
        account="shop",
        message_id="<ack1@ippo.example>",
        recipients=["taka@example.jp"],
        subject="Re: お見積り",
        raw=raw,
        promise_due_at=NOW + timedelta(days=2),
        inquiry_message_id="m1@example.jp",
        now=NOW,
    )
    assert record.message_id == "ack1@ippo.example"
    assert record.state == "recorded" and record.raw == raw
    assert record.created_at == NOW and record.promise_due_at == NOW + timedelta(days=2)
    with pytest.raises(AckExists):
        store.record_ack(
            item_id="i1",
            account="shop",
            message_id="ack1@ippo.example",
            recipients=[],
            subject="",
            raw=b"",
            promise_due_at=None,
        )
    store.record_ack(
        item_id="i2",
        account="support",
        message_id="ack2@ippo.example",
        recipients=["a@b.c", "d@e.f"],
        subject="Re: help",
        raw=b"x",
        promise_due_at=None,
    )
    store.set_ack_state("ack1@ippo.example", "sent", now=NOW + timedelta(seconds=5))
    store.set_ack_state("<ack2@ippo.example>", "failed", error="550 mailbox unavailable")
    assert [a.message_id for a in store.acks(states=["recorded", "sent"])] == ["ack1@ippo.example"]
    failed = store.acks(account="support")[0]
    assert failed.state == "failed" and failed.error == "550 mailbox unavailable"
    assert failed.recipients == ("a@b.c", "d@e.f")
    assert store.acks(item_id="i1")[0].updated_at == NOW + timedelta(seconds=5)
    assert store.acks(states=[]) == []
    with pytest.raises(KeyError):
        store.set_ack_state("nope@x", "done")
    with pytest.raises(ValueError):
        store.set_ack_state("ack1@ippo.example", "lost")  # type: ignore[arg-type]


def test_forget_account_removes_everything_of_it(store: StateStore) -> None:
    for account in ("shop", "support"):
        store.record_scan(account, [inquiry(1, account=account)], NOW)
        store.set_sync_state(SyncState(account, "INBOX", 1, 2))
        store.dismiss(account, "d", "answered")
        store.ignore_sender(account, "x@y.z")
        store.mark_notified(f"{account}-item", Stage.OVERDUE, NOW, account=account)
        store.record_ack(
            item_id="i",
            account=account,
            message_id=f"{account}@ack",
            recipients=[],
            subject="",
            raw=b"",
            promise_due_at=None,
        )
    store.forget_account("shop")
    assert store.items("shop") == [] and store.last_scan_at("shop") is None
    assert store.sync_state("shop", "INBOX") is None
    assert store.dismissed_ids("shop") == set() and store.ignored_senders("shop") == set()
    assert not store.was_notified("shop-item", Stage.OVERDUE, NOW)
    assert store.acks("shop") == []
    assert len(store.items("support")) == 1 and len(store.acks("support")) == 1
    assert store.was_notified("support-item", Stage.OVERDUE, NOW)


def test_newer_schema_and_garbage_files_give_clear_errors(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    with sqlite3.connect(db) as conn:
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer Ippo"):
        StateStore(db)
    junk = tmp_path / "junk.sqlite3"
    junk.write_bytes(b"this is not a database at all" * 100)
    with StateStore(junk) as store:  # moved aside, not an error (see test_damaged_...)
        assert store.recovery is not None and "\n" not in store.recovery
        assert store.items() == []


def test_two_processes_share_the_file(tmp_path: Path) -> None:
    with StateStore(tmp_path) as store:
        store.record_scan("shop", [inquiry(1)], NOW)
        code = textwrap.dedent(
            f"""
            from trayapp.store import StateStore
            s = StateStore({str(tmp_path)!r})
            assert len(s.items("shop")) == 1
            s.ignore_sender("shop", "other@example.com")
            """
        )
        subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
        assert store.ignored_senders("shop") == {"other@example.com"}


_WRITER = textwrap.dedent(
    """
    import sys
    from datetime import datetime, timedelta, timezone
    from trayapp.core.model import Inquiry
    from trayapp.store import StateStore

    now = datetime(2024, 5, 7, tzinfo=timezone.utc)

    def batch(tag, size):
        return [
            Inquiry(id=f"{tag}{n}", account="shop", folder="INBOX", uidvalidity=1, uid=n,
                    message_id=None, sender="s", sender_addr="s@x", subject=tag * 200,
                    received_at=now, due_at=now + timedelta(hours=24))
            for n in range(size)
        ]

    store = StateStore(sys.argv[1])
    sets = [batch("a", 300), batch("b", 170)]
    print("ready", flush=True)
    n = 0
    while True:
        store.record_scan("shop", sets[n % 2], now)
        n += 1
    """
)


def test_a_kill_at_any_instant_leaves_one_whole_set(tmp_path: Path) -> None:
    """SIGKILL a process that keeps replacing the set; the file must hold one whole set."""
    script = tmp_path / "writer.py"
    script.write_text(_WRITER)
    db = tmp_path / "state.sqlite3"
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[2])}
    for attempt in range(6):
        proc = subprocess.Popen(
            [sys.executable, str(script), str(db)], stdout=subprocess.PIPE, env=env
        )
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == b"ready"
        time.sleep(0.05 + 0.037 * attempt)
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=10)
        with StateStore(db) as store:
            ids = {i.id for i in store.items("shop")}
        assert ids in ({f"a{n}" for n in range(300)}, {f"b{n}" for n in range(170)}, set())


def test_an_old_schema_is_migrated_keeping_its_data(tmp_path: Path) -> None:
    from trayapp.store.db import _MIGRATIONS

    db = tmp_path / "state.sqlite3"
    with sqlite3.connect(db) as conn:
        for statement in _MIGRATIONS[0]:
            conn.execute(statement)
        conn.execute(
            "INSERT INTO acks (item_id, account, message_id, recipients, subject, raw, state,"
            " created_at, updated_at) VALUES ('i', 'shop', 'old@ack', '[]', 's', x'00',"
            " 'sent', '2024-05-07T00:00:00.000000+00:00', '2024-05-07T00:00:00.000000+00:00')"
        )
        conn.execute("PRAGMA user_version = 1")
    with StateStore(db) as store:
        assert store.schema_version() == SCHEMA_VERSION
        [old] = store.acks("shop")
        assert old.message_id == "old@ack" and old.state == "sent"
        assert old.created_at == datetime(2024, 5, 7, tzinfo=UTC)


def test_snoozes_are_kept_until_over_and_old_ones_pruned(tmp_path: Path) -> None:
    with StateStore(tmp_path) as store:
        now = datetime.now(UTC)
        store.snooze("shop", "old", now - timedelta(days=3))
        store.snooze("shop", "a1", now + timedelta(hours=1))
        assert set(store.snoozes()) == {"a1"}  # the old one went when a new one was set
        assert store.snoozes(now + timedelta(hours=2)) == {}
        store.unsnooze("shop", "a1")
        assert store.snoozes() == {}
        assert store.claim_auto_reply("shop", "A@x.test", now, "m1@shop")
        assert not store.claim_auto_reply("shop", "a@x.test", now, "m2@shop")
        assert store.auto_replied_senders("shop", now) == {"a@x.test"}
        store.forget_account("shop")
        assert store.auto_replied_senders("shop", now) == set()


def _journal(store: StateStore, count: int = 3) -> None:
    for n in range(count):
        store.record_ack(
            item_id=f"item{n}",
            account="shop",
            message_id=f"ack{n}@ippo.test",
            recipients=["customer@example.com"],
            subject="Re: question",
            raw=b"raw message",
            promise_due_at=NOW,
            now=NOW,
        )
    store.set_ack_state("ack0@ippo.test", "done", now=NOW)
    store.dismiss("shop", "gone1", "answered", at=NOW)
    store.ignore_sender("shop", "spam@example.com", at=NOW)


def test_a_zero_length_state_file_is_moved_aside_with_one_message(tmp_path: Path) -> None:
    db = tmp_path / "state.sqlite3"
    db.write_bytes(b"")
    told: list[Recovery] = []
    with StateStore(tmp_path, on_recovery=told.append) as store:
        assert store.schema_version() == SCHEMA_VERSION
        store.dismiss("shop", "x", "answered", at=NOW)  # usable at once
    assert len(told) == 1 and told[0].reason == "the file is empty"
    assert "state.sqlite3 was damaged (the file is empty)" in told[0].english()
    aside = list(tmp_path.glob("state.sqlite3.broken-*"))
    assert len(aside) == 1 and aside[0].stat().st_size == 0
    with StateStore(tmp_path, on_recovery=told.append) as store:  # healthy now: no message
        assert store.recovery is None
    assert len(told) == 1


def test_a_damaged_state_file_keeps_the_journal_and_dismissals(tmp_path: Path) -> None:
    with StateStore(tmp_path) as store:
        _journal(store)
        # Pages of items after the journal's: the damage below hits these.
        store.record_scan("shop", [replace(inquiry(n), id=f"i{n}") for n in range(1, 400)], NOW)
    db = tmp_path / "state.sqlite3"
    data = bytearray(db.read_bytes())
    assert len(data) > 16 * 4096
    half = len(data) // 2
    data[half:] = b"\xa5" * (len(data) - half)
    db.write_bytes(bytes(data))
    told: list[Recovery] = []
    with StateStore(tmp_path, on_recovery=told.append) as store:
        assert store.recovery is not None
        acks = {a.message_id: a.state for a in store.acks("shop")}
        assert acks == {
            "ack0@ippo.test": "done",
            "ack1@ippo.test": "recorded",
            "ack2@ippo.test": "recorded",
        }
        assert store.dismissed_ids("shop") == {"gone1"}
        assert store.ignored_senders("shop") == {"spam@example.com"}
        store.record_scan("shop", [inquiry(1)], NOW)
    assert len(told) == 1
    assert told[0].kept["acks"] == 3 and told[0].unsent == 2
    text = told[0].english()
    assert "3 acknowledgement(s)" in text and "2 acknowledgement(s) not yet sent" in text
    assert list(tmp_path.glob("state.sqlite3.broken-*"))


def test_a_full_or_read_only_disk_is_a_sentence(tmp_path: Path) -> None:
    from tests.support.small_disk import fill, remount_read_only, small_disk

    with small_disk(tmp_path / "disk", size_kb=256) as folder:
        with StateStore(folder) as store:
            _journal(store, 1)
            fill(folder)
            with pytest.raises(StoreError, match="the disk is full") as caught:
                store.record_scan(
                    "shop",
                    [replace(inquiry(n), id=f"i{n}", subject="x" * 2000) for n in range(1, 300)],
                    NOW,
                )
            assert "\n" not in str(caught.value)
            assert [a.message_id for a in store.acks()] == ["ack0@ippo.test"]
        (folder / ".filler").unlink()
        remount_read_only(folder)
        with pytest.raises(StoreError, match="read-only"), StateStore(folder) as store:
            store.dismiss("shop", "y", "answered", at=NOW)


def test_dismissals_made_before_a_moment_are_pruned_per_account(store: StateStore) -> None:
    store.dismiss("shop", "old", "answered", at=NOW - timedelta(days=30))
    store.dismiss("shop", "new", "not_inquiry", at=NOW - timedelta(days=1))
    store.dismiss("other", "old", "answered", at=NOW - timedelta(days=30))
    assert store.prune_dismissals("shop", NOW - timedelta(days=9)) == 1
    assert store.dismissals("shop") == {"new": "not_inquiry"}
    assert store.dismissed_ids("other") == {"old"}  # another account's are its own


def test_a_store_follows_when_another_process_moves_its_file_aside(tmp_path: Path) -> None:
    """Another process found the file damaged, moved it aside and started a fresh one: an
    open store goes on with the fresh file (its writes are not lost in the moved one), and
    a fresh file that is unusable is a StoreError sentence, never "no such table"."""
    db = tmp_path / "state.sqlite3"
    with StateStore(tmp_path) as running:
        running.dismiss("shop", "before", "answered", at=NOW)
        for suffix in ("", "-wal", "-shm"):  # what the other process's recovery does
            os.replace(f"{db}{suffix}", f"{db}.broken-x{suffix}")
        with StateStore(tmp_path) as fresh:
            running.dismiss("shop", "after", "answered", at=NOW)
            assert running.dismissed_ids("shop") == {"after"}
            assert fresh.dismissed_ids("shop") == {"after"}
        running.items("shop")
        for suffix in ("", "-wal", "-shm"):
            Path(f"{db}{suffix}").unlink(missing_ok=True)
        db.write_bytes(b"\xa5" * 8192)  # not even a database: moved aside in turn
        assert running.dismissed_ids("shop") == set()
        assert running.recovery is not None and "was damaged" in running.recovery
    aside = [p.name for p in tmp_path.glob("state.sqlite3.broken-*") if p.suffix != ".lock"]
    assert len([name for name in aside if not name.endswith(("-wal", "-shm"))]) == 2
