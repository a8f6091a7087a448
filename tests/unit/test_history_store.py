"""The history store (store/history.py) on a real SQLite file: folders read, records rebuilt
with the user's decisions and the acknowledgement journal, and bounded to a year."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

from tests.support.history_data import inquiry_entry
from trayapp.core.history import InboxEntry, SentEntry
from trayapp.core.record import build_report
from trayapp.store.db import StateStore
from trayapp.store.history import FolderMark, HistoryStore

TOKYO = ZoneInfo("Asia/Tokyo")
NOW = datetime(2026, 12, 1, 12, tzinfo=TOKYO)
H = timedelta(hours=1)


def entry(n: int, at: datetime, account: str = "shop") -> InboxEntry:
    return inquiry_entry(n, at, account=account, subject=f"件名{n}")


def mark(folder: str, role: str, last_uid: int) -> FolderMark:
    return FolderMark("shop", folder, role, 1, last_uid, NOW - timedelta(days=400), NOW)  # type: ignore[arg-type]


def save_three_inquiries_and_a_reply(store: HistoryStore) -> None:
    """INBOX up to UID 3 (items 1-3), Sent up to UID 1 (a reply to item 1, 45 h ago)."""
    store.save_folder(
        mark("INBOX", "inbox", 3),
        inbox=[entry(1, NOW - 50 * H), entry(2, NOW - 40 * H), entry(3, NOW - 30 * H)],
    )
    store.save_folder(
        mark("Sent", "sent", 1),
        sent_uids=[(1, SentEntry("shop", "r1@x", ("x@x", "m1@x.jp"), NOW - 45 * H))],
    )


def test_records_come_back_with_decisions_and_promises(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path) as store:
        save_three_inquiries_and_a_reply(store)
    with StateStore(tmp_path) as state:
        state.dismiss("shop", "item2", "answered", at=NOW - 39 * H)
        state.dismiss("shop", "item3", "not_inquiry")
    with HistoryStore.open(tmp_path) as store:
        assert set(store.folder_marks("shop")) == {"INBOX", "Sent"}
        records = {r.item_id: r for r in store.records(["shop"])}
    assert sorted(records) == ["item1", "item2"]  # item3 is not an inquiry
    assert records["item1"].first_reply_at == NOW - 45 * H
    assert records["item1"].first_reply_via == "sent"
    assert records["item2"].first_reply_at == NOW - 39 * H
    assert records["item2"].first_reply_via == "marked"


def test_an_unfinished_fresh_read_leaves_no_mark(tmp_path: Path) -> None:
    with HistoryStore.open(tmp_path) as store:
        store.save_folder(mark("INBOX", "inbox", 9), inbox=[entry(1, NOW)], complete=True)
        store.save_folder(
            mark("INBOX", "inbox", 1), inbox=[entry(5, NOW)], replace_all=True, complete=False
        )
        assert store.folder_marks("shop") == {}  # a crash now means reading it afresh
        assert [e.uid for e in store.inbox_entries()] == [5]


def test_months_older_than_a_year_are_folded_into_their_figures(tmp_path: Path) -> None:
    old = datetime(2025, 10, 6, 10, tzinfo=TOKYO)  # October 2025: ended more than a year ago
    with HistoryStore.open(tmp_path) as store:
        store.save_folder(
            mark("INBOX", "inbox", 4),
            inbox=[entry(1, old), entry(2, old + H), entry(3, NOW - 30 * H), entry(4, old, "b")],
        )
        store.save_folder(
            mark("Sent", "sent", 2),
            sent_uids=[
                (1, SentEntry("shop", "r1@x", ("m1@x.jp",), old + 2 * H)),
                (2, SentEntry("shop", "r3@x", ("m3@x.jp",), NOW - 29 * H)),
            ],
        )
        assert store.prune(NOW, TOKYO) == 3
        assert store.prune(NOW, TOKYO) == 0  # nothing old is left
        assert [e.uid for e in store.inbox_entries()] == [3]
        assert len(store.sent_entries()) == 1
        months = store.summarised_months(["shop", "b"])
        records = store.records(["shop", "b"])
    october = months[date(2025, 10, 1)]
    assert (october.total.inquiries, october.total.answered_within_window) == (3, 1)
    assert october.total.median_first_reply_seconds == 2 * 3600
    assert october.accounts["shop"].inquiries == 2 and october.accounts["b"].inquiries == 1
    report = build_report(
        records, NOW, TOKYO, since=date(2025, 9, 29), accounts=["shop", "b"], summarised=months
    )
    by_month = {m.start: m for m in report.months}
    assert by_month[date(2025, 10, 1)].total.inquiries == 3  # the summary stands in
    assert report.total.inquiries == 1  # the weeks and the total count what is kept


def test_the_weekly_record_survives_a_damaged_state_file(tmp_path: Path) -> None:
    """The record's rows cannot be read again from a server that has since deleted mail: a
    recovery keeps them, and how far each folder was read, so the next look goes on from there
    instead of reading everything afresh."""
    from dataclasses import replace

    from tests.unit.test_store import inquiry
    from trayapp.cli_i18n import catalog_for, recovery_line
    from trayapp.store.db import Recovery

    with HistoryStore.open(tmp_path) as store:
        save_three_inquiries_and_a_reply(store)
    with StateStore(tmp_path) as state:  # pages after the record's: the damage hits these
        state.record_scan("shop", [replace(inquiry(n), id=f"i{n}") for n in range(1, 400)], NOW)
    db = tmp_path / "state.sqlite3"
    data = bytearray(db.read_bytes())
    data[len(data) // 2 :] = b"\xa5" * (len(data) - len(data) // 2)
    db.write_bytes(bytes(data))
    told: list[Recovery] = []
    with StateStore(tmp_path, on_recovery=told.append) as state:
        store = HistoryStore(state)
        assert [e.uid for e in store.inbox_entries()] == [1, 2, 3]
        assert len(store.sent_entries()) == 1
        assert {f: m.last_uid for f, m in store.folder_marks("shop").items()} == {
            "INBOX": 3,
            "Sent": 1,
        }
        assert store.records(["shop"])[0].first_reply_at == NOW - 45 * H
    assert len(told) == 1 and told[0].counts()["record"] == 4
    assert "4 message(s) of the weekly record" in told[0].english()
    assert "週間記録のメール 4 通" in recovery_line(told[0], catalog_for("ja"))
