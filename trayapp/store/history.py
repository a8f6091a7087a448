"""The inquiry history in the state file (tables in trayapp/store/history_schema.py).

A HistoryStore has its own SQLite connection: the history is built on a worker thread in
big transactions, and must never hold the lock the GUI's StateStore takes.

It also reads (never writes) what the user decided, from StateStore's tables: dismissals
("marked answered" with its time, "not an inquiry"), ignored senders and the
acknowledgement journal (promises).

Bounded: records of months that ended more than a year ago are folded into their figures
(history_months) and deleted; Sent mail older than that is deleted too.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Literal

from trayapp.core.history import (
    InboxEntry,
    InquiryRecord,
    PromiseFact,
    SentEntry,
    build_records,
)
from trayapp.core.record import Figures, Period, figures, month_start
from trayapp.store.db import StateStore, from_db_time, to_db_time

FolderRole = Literal["inbox", "sent"]
KEEP = timedelta(days=365)
TOTAL = "*"


@dataclass(frozen=True)
class FolderMark:
    """How far one folder has been read into the history."""

    account: str
    folder: str
    role: FolderRole
    uidvalidity: int
    last_uid: int
    built_since: datetime
    updated_at: datetime


def _opt_time(value: object) -> datetime | None:
    return None if value is None else from_db_time(str(value))


class HistoryStore:
    """Open with ``HistoryStore.open(config_dir)``; close() when done (or use ``with``)."""

    def __init__(self, state: StateStore) -> None:
        # Its own StateStore: its own connection and lock (opening it creates or migrates the
        # schema), never the one the GUI thread uses. Its plumbing (_write: one transaction;
        # _read) is shared, not copied.
        self._state = state
        self._write = state._write
        self._read = state._read

    @classmethod
    def open(cls, config_dir: Path) -> HistoryStore:
        return cls(StateStore(Path(config_dir)))

    @property
    def path(self) -> Path:
        return self._state.path

    def close(self) -> None:
        self._state.close()

    def __enter__(self) -> HistoryStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    # -- how far each folder is read ----------------------------------------------------------

    def folder_marks(self, account: str) -> dict[str, FolderMark]:
        rows = self._read(
            "SELECT folder, role, uidvalidity, last_uid, built_since, updated_at"
            " FROM history_folders WHERE account = ?",
            (account,),
        )
        return {
            str(folder): FolderMark(
                account,
                str(folder),
                "sent" if role == "sent" else "inbox",
                int(uidvalidity),
                int(last_uid),
                from_db_time(str(built)),
                from_db_time(str(updated)),
            )
            for folder, role, uidvalidity, last_uid, built, updated in rows
        }

    def save_folder(
        self,
        mark: FolderMark,
        *,
        inbox: Sequence[InboxEntry] = (),
        sent_uids: Sequence[tuple[int, SentEntry]] = (),
        replace_all: bool = False,
        flags_seen: Sequence[int] = (),
        complete: bool = True,
    ) -> None:
        """Store what was read from one folder and how far, in one transaction.
        ``replace_all``: a fresh read (first build, deeper look-back, new UIDVALIDITY) begins.
        ``complete`` False: a fresh read is under way; the folder has no mark until it ends,
        so a crash in between means reading it afresh, never a gap."""
        table = "history_sent" if mark.role == "sent" else "history_inbox"
        with self._write() as conn:
            if replace_all:
                conn.execute(
                    f"DELETE FROM {table} WHERE account = ? AND folder = ?",
                    (mark.account, mark.folder),
                )
            conn.executemany(
                "INSERT OR REPLACE INTO history_inbox (account, folder, uidvalidity, uid,"
                " item_id, message_id, sender, sender_addr, subject, received_at, due_at,"
                " answered_flag, flag_seen_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        e.account,
                        e.folder,
                        e.uidvalidity,
                        e.uid,
                        e.item_id,
                        e.message_id,
                        e.sender,
                        e.sender_addr,
                        e.subject,
                        to_db_time(e.received_at),
                        to_db_time(e.due_at),
                        int(e.answered_flag),
                        None if e.flag_seen_at is None else to_db_time(e.flag_seen_at),
                    )
                    for e in inbox
                ],
            )
            conn.executemany(
                "INSERT OR REPLACE INTO history_sent (account, folder, uidvalidity, uid,"
                " message_id, names, sent_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                [
                    (
                        e.account,
                        mark.folder,
                        mark.uidvalidity,
                        uid,
                        e.message_id,
                        "\n".join(e.names),
                        to_db_time(e.sent_at),
                    )
                    for uid, e in sent_uids
                ],
            )
            if flags_seen:
                conn.executemany(
                    "UPDATE history_inbox SET answered_flag = 1, flag_seen_at = ?"
                    " WHERE account = ? AND folder = ? AND uidvalidity = ? AND uid = ?"
                    " AND answered_flag = 0",
                    [
                        (
                            to_db_time(mark.updated_at),
                            mark.account,
                            mark.folder,
                            mark.uidvalidity,
                            u,
                        )
                        for u in flags_seen
                    ],
                )
            if not complete:
                conn.execute(
                    "DELETE FROM history_folders WHERE account = ? AND folder = ?",
                    (mark.account, mark.folder),
                )
                return
            conn.execute(
                "INSERT OR REPLACE INTO history_folders (account, folder, role, uidvalidity,"
                " last_uid, built_since, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
                (
                    mark.account,
                    mark.folder,
                    mark.role,
                    mark.uidvalidity,
                    mark.last_uid,
                    to_db_time(mark.built_since),
                    to_db_time(mark.updated_at),
                ),
            )

    def unflagged_uids(self, account: str, folder: str, uidvalidity: int) -> set[int]:
        rows = self._read(
            "SELECT uid FROM history_inbox WHERE account = ? AND folder = ? AND uidvalidity = ?"
            " AND answered_flag = 0",
            (account, folder, uidvalidity),
        )
        return {int(r[0]) for r in rows}

    # -- reading ------------------------------------------------------------------------------

    def inbox_entries(self, accounts: Sequence[str] | None = None) -> list[InboxEntry]:
        rows = self._read(
            "SELECT account, item_id, folder, uidvalidity, uid, message_id, sender, sender_addr,"
            " subject, received_at, due_at, answered_flag, flag_seen_at FROM history_inbox"
        )
        wanted = None if accounts is None else set(accounts)
        return [
            InboxEntry(
                account=str(a),
                item_id=str(item),
                folder=str(folder),
                uidvalidity=int(validity),
                uid=int(uid),
                message_id=None if mid is None else str(mid),
                sender=str(sender),
                sender_addr=str(addr),
                subject=str(subject),
                received_at=from_db_time(str(received)),
                due_at=from_db_time(str(due)),
                answered_flag=bool(flag),
                flag_seen_at=_opt_time(seen),
            )
            for (
                a,
                item,
                folder,
                validity,
                uid,
                mid,
                sender,
                addr,
                subject,
                received,
                due,
                flag,
                seen,
            ) in rows
            if wanted is None or a in wanted
        ]

    def sent_entries(self) -> list[SentEntry]:
        rows = self._read("SELECT account, message_id, names, sent_at FROM history_sent")
        return [
            SentEntry(
                account=str(a),
                message_id=None if mid is None else str(mid),
                names=tuple(str(names).split("\n")) if names else (),
                sent_at=from_db_time(str(at)),
            )
            for a, mid, names, at in rows
        ]

    def promises(self) -> list[PromiseFact]:
        """Acknowledgements that reached the customer (sent, filed, or closed as kept)."""
        rows = self._read(
            "SELECT account, item_id, inquiry_message_id, message_id, created_at, attempted_at,"
            " promise_due_at, state, updated_at FROM acks"
            " WHERE state IN ('sent', 'filed', 'done') ORDER BY id"
        )
        return [
            PromiseFact(
                account=str(a),
                item_id=str(item),
                inquiry_message_id=None if inquiry is None else str(inquiry),
                ack_message_id=str(mid),
                sent_at=from_db_time(str(attempted or created)),
                due_at=_opt_time(due),
                done_at=from_db_time(str(updated)) if state == "done" else None,
            )
            for a, item, inquiry, mid, created, attempted, due, state, updated in rows
        ]

    def decisions(
        self,
    ) -> tuple[dict[tuple[str, str], datetime], set[tuple[str, str]], set[tuple[str, str]]]:
        """(marked answered: (account, item) -> when, not an inquiry, ignored senders)."""
        marks: dict[tuple[str, str], datetime] = {}
        not_inquiry: set[tuple[str, str]] = set()
        for account, item, kind, at in self._read(
            "SELECT account, item_id, kind, at FROM dismissals"
        ):
            if kind == "answered":
                marks[(str(account), str(item))] = from_db_time(str(at))
            else:
                not_inquiry.add((str(account), str(item)))
        ignored = {
            (str(a), str(s)) for a, s in self._read("SELECT account, address FROM ignored_senders")
        }
        return marks, not_inquiry, ignored

    def records(self, accounts: Sequence[str] | None = None) -> list[InquiryRecord]:
        """Every stored inquiry's record (core.history.build_records decides)."""
        marks, not_inquiry, ignored = self.decisions()
        return build_records(
            self.inbox_entries(accounts),
            self.sent_entries(),
            self.promises(),
            answered_marks=marks,
            not_inquiry=not_inquiry,
            ignored_senders=ignored,
        )

    def summarised_months(self, accounts: Sequence[str]) -> dict[date, Period]:
        rows = self._read("SELECT account, month, figures FROM history_months")
        months: dict[date, dict[str, Figures]] = {}
        for account, month, data in rows:
            months.setdefault(date.fromisoformat(str(month)), {})[str(account)] = Figures(
                **json.loads(str(data))
            )
        return {
            month: Period(
                start=month,
                total=by.get(TOTAL, Figures()),
                accounts={a: by[a] for a in accounts if a in by},
            )
            for month, by in months.items()
        }

    # -- staying bounded ----------------------------------------------------------------------

    def prune(self, now: datetime, zone: tzinfo, keep: timedelta = KEEP) -> int:
        """Fold every month that ended more than ``keep`` ago into its figures and delete its
        records (and Sent mail older than that). Returns how many inquiries were folded."""
        cutoff_month = month_start(now - keep, zone)  # months before this one ended long ago
        oldest_kept = datetime.combine(cutoff_month, datetime.min.time(), tzinfo=zone)
        if not self._read(
            "SELECT 1 FROM history_inbox WHERE received_at < ? LIMIT 1", (to_db_time(oldest_kept),)
        ) and not self._read(
            "SELECT 1 FROM history_sent WHERE sent_at < ? LIMIT 1", (to_db_time(oldest_kept),)
        ):
            return 0
        old = [r for r in self.records() if month_start(r.received_at, zone) < cutoff_month]
        by_month: dict[date, list[InquiryRecord]] = {}
        for record in old:
            by_month.setdefault(month_start(record.received_at, zone), []).append(record)
        rows: list[tuple[str, str, str]] = []
        for month, records in by_month.items():
            rows.append((TOTAL, month.isoformat(), json.dumps(figures(records, now).to_json())))
            for account in sorted({r.account for r in records}):
                mine = [r for r in records if r.account == account]
                rows.append((account, month.isoformat(), json.dumps(figures(mine, now).to_json())))
        with self._write() as conn:
            conn.executemany(
                "INSERT OR REPLACE INTO history_months (account, month, figures) VALUES (?, ?, ?)",
                rows,
            )
            conn.execute(
                "DELETE FROM history_inbox WHERE received_at < ?", (to_db_time(oldest_kept),)
            )
            conn.execute("DELETE FROM history_sent WHERE sent_at < ?", (to_db_time(oldest_kept),))
        return len(old)
