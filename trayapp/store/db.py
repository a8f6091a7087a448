"""What Ippo remembers between runs, in SQLite (`state.sqlite3` in the config folder).

Crash safety: WAL journal with synchronous=FULL, and every public write is exactly one
transaction (BEGIN IMMEDIATE ... COMMIT), so a crash at any instant leaves either the old or the
new state -- never half an account's list, never an acknowledgement without its state.

Threads: one connection per StateStore, shared by all threads and serialised by a lock (the
work is small; this keeps transactions simple). Several processes (the tray app and a CLI
command) may use the same file at once: SQLite's file locks plus a busy timeout handle that.

Times are stored as ISO 8601 UTC text of fixed width (so they sort as text) and come back as
timezone-aware UTC datetimes. Naive datetimes are refused: the clock rules depend on instants.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass, replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, Literal

from trayapp.core.model import Inquiry, ItemState, Stage
from trayapp.core.promise import AckState, inquiry_from_dict, inquiry_to_dict
from trayapp.disk import disk_problem
from trayapp.file_lock import exclusive_lock
from trayapp.store import held
from trayapp.store.history_schema import HISTORY_TABLES

log = logging.getLogger(__name__)

STATE_FILE = "state.sqlite3"
FILE_MODE = 0o600
BUSY_TIMEOUT_MS = 10_000
# SQLite's page cache per connection (its default is 2,000 KiB). The whole store is read
# through it and the OS keeps the file's pages anyway: after a burst of thousands of items it
# stayed full for the rest of the run (issue 15: RSS back to its baseline after a burst).
PAGE_CACHE_KIB = 128

DismissKind = Literal["answered", "not_inquiry"]
ACK_STATES: tuple[str, ...] = tuple(s.value for s in AckState)  # the one AckState: core's


class StoreError(Exception):
    """The state file cannot be used. str() is a one-line message for people."""


@dataclass(frozen=True)
class SyncState:
    """Where the last look at one folder ended (for CONDSTORE / UIDNEXT checks)."""

    account: str
    folder: str
    uidvalidity: int | None = None
    uidnext: int | None = None
    highestmodseq: int | None = None
    last_sync_at: datetime | None = None


@dataclass(frozen=True)
class AckRecord:
    """One acknowledgement in the journal: recorded before it is sent, then moved through
    sent -> filed (copied to Sent, \\Answered set) -> done (the promise was kept) or failed."""

    id: int
    item_id: str
    account: str
    message_id: str  # without angle brackets; unique: the guard against sending twice
    recipients: tuple[str, ...]
    subject: str
    raw: bytes  # the exact message as sent (or to be sent)
    promise_due_at: datetime | None
    state: AckState
    error: str | None
    created_at: datetime
    updated_at: datetime
    inquiry_message_id: str | None = None  # the Message-ID of the inquiry it answers
    inquiry: str | None = None  # JSON snapshot of the inquiry (opaque to the store)
    attempted_at: datetime | None = None  # when sending was claimed (see claim_ack_send)


class AckExists(StoreError):
    """An acknowledgement with this Message-ID is already in the journal."""


# The error of a journal entry that a newer acknowledgement replaced (see record_ack).
RETIRED_PREFIX = "not sent; replaced by "


class AckReplaced(StoreError):
    """The entry a new acknowledgement was to replace changed meanwhile (it was claimed)."""


def to_db_time(value: datetime) -> str:
    if value.tzinfo is None or value.utcoffset() is None:
        raise ValueError(f"naive datetime {value!r}: pass a timezone-aware time")
    return value.astimezone(UTC).isoformat(timespec="microseconds")


def from_db_time(text: str) -> datetime:
    return datetime.fromisoformat(text).astimezone(UTC)


def _opt_time(text: str | None) -> datetime | None:
    return None if text is None else from_db_time(text)


def _opt_db_time(value: datetime | None) -> str | None:
    return None if value is None else to_db_time(value)


def _utcnow() -> datetime:
    return datetime.now(UTC)


# Each entry migrates the schema from version i to i+1. Append; never edit a released one.
_MIGRATIONS: list[tuple[str, ...]] = [
    (
        """CREATE TABLE sync_state (
            account TEXT NOT NULL,
            folder TEXT NOT NULL,
            uidvalidity INTEGER,
            uidnext INTEGER,
            highestmodseq INTEGER,
            last_sync_at TEXT,
            PRIMARY KEY (account, folder)
        )""",
        # The last known waiting set per account (shown while reconnecting).
        """CREATE TABLE items (
            account TEXT NOT NULL,
            id TEXT NOT NULL,
            folder TEXT NOT NULL,
            uidvalidity INTEGER NOT NULL,
            uid INTEGER NOT NULL,
            message_id TEXT,
            sender TEXT NOT NULL,
            sender_addr TEXT NOT NULL,
            subject TEXT NOT NULL,
            received_at TEXT NOT NULL,
            due_at TEXT NOT NULL,
            state TEXT NOT NULL,
            promise_due_at TEXT,
            reply_to TEXT NOT NULL DEFAULT '[]',
            refs TEXT NOT NULL DEFAULT '[]',
            preview TEXT NOT NULL DEFAULT '',
            PRIMARY KEY (account, id)
        )""",
        """CREATE TABLE scans (
            account TEXT PRIMARY KEY,
            scanned_at TEXT NOT NULL
        )""",
        """CREATE TABLE dismissals (
            account TEXT NOT NULL,
            item_id TEXT NOT NULL,
            kind TEXT NOT NULL CHECK (kind IN ('answered', 'not_inquiry')),
            at TEXT NOT NULL,
            PRIMARY KEY (account, item_id)
        )""",
        """CREATE TABLE ignored_senders (
            account TEXT NOT NULL,
            address TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (account, address)
        )""",
        # A stage is notified once per deadline: a new promise (new deadline) starts afresh.
        """CREATE TABLE notifications (
            item_id TEXT NOT NULL,
            stage TEXT NOT NULL,
            deadline TEXT NOT NULL,
            account TEXT,
            at TEXT NOT NULL,
            PRIMARY KEY (item_id, stage, deadline)
        )""",
        "CREATE INDEX notifications_account ON notifications (account)",
        """CREATE TABLE acks (
            id INTEGER PRIMARY KEY AUTOINCREMENT,
            item_id TEXT NOT NULL,
            account TEXT NOT NULL,
            message_id TEXT NOT NULL UNIQUE,
            inquiry_message_id TEXT,
            recipients TEXT NOT NULL,
            subject TEXT NOT NULL,
            raw BLOB NOT NULL,
            promise_due_at TEXT,
            state TEXT NOT NULL
                CHECK (state IN ('recorded', 'sent', 'filed', 'done', 'failed')),
            error TEXT,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )""",
        "CREATE INDEX acks_account_state ON acks (account, state)",
        "CREATE INDEX acks_item ON acks (item_id)",
    ),
    (
        # The inquiry as it was acknowledged (JSON, core.promise.inquiry_to_dict): the item
        # stays listed as acknowledged after the server calls the inquiry answered.
        "ALTER TABLE acks ADD COLUMN inquiry TEXT",
        # Set (atomically, by one process) just before the SMTP server is asked to accept the
        # message; a 'recorded' entry without it was certainly never sent.
        "ALTER TABLE acks ADD COLUMN attempted_at TEXT",
    ),
    HISTORY_TABLES,  # the trust record's history (trayapp/store/history.py)
    (held.DISMISSAL_KEY_COLUMN, held.HELD_TABLE),  # a removed inbox's state (store/held.py)
    (
        # Snoozed items: their notifications wait until `until` (deadline and badge do not).
        """CREATE TABLE snoozes (
            account TEXT NOT NULL,
            item_id TEXT NOT NULL,
            until TEXT NOT NULL,
            PRIMARY KEY (account, item_id)
        )""",
        # Automatic first words while away: each sender at most once per absence (claimed
        # before sending, so a crash or a second watcher never sends two).
        """CREATE TABLE auto_replies (
            account TEXT NOT NULL,
            sender TEXT NOT NULL,
            absence_start TEXT NOT NULL,
            message_id TEXT NOT NULL,
            at TEXT NOT NULL,
            PRIMARY KEY (account, sender, absence_start)
        )""",
    ),
    (
        # The item as the list showed it when dismissed (JSON, core.promise.inquiry_to_dict,
        # without the preview): "Recently set aside" lists a dismissal of an earlier session
        # from it once the watcher no longer keeps the message (mail/watcher.py).
        "ALTER TABLE dismissals ADD COLUMN shown TEXT",
    ),
]
SCHEMA_VERSION = len(_MIGRATIONS)


_UNSENT = ("recorded", "failed")
# A duplicate key is the caller's to handle (AckExists); the rest of sqlite3.DatabaseError
# is the file's trouble (full, read-only, damaged, replaced): a StoreError sentence.
_CALLERS_ERRORS = (sqlite3.IntegrityError,)


def _row_state(row: tuple[Any, ...]) -> str:
    return str(row[-1]) if row else ""


def _is_damage(error: sqlite3.DatabaseError) -> bool:
    text = str(error).lower()
    return any(
        words in text
        for words in ("not a database", "malformed", "corrupt", "file is encrypted", "disk i/o")
    )


_Salvage = dict[str, tuple[list[str], list[tuple[Any, ...]]]]


def _salvage(path: Path) -> _Salvage:
    """Rows still readable in a damaged file, by table: (column names, rows). Acks come with
    their state as the last column (for the unsent count)."""
    found: _Salvage = {}
    broken: set[str] = set()  # tables read only in part
    if not path.exists() or path.stat().st_size == 0:
        return found
    try:
        conn = sqlite3.connect(f"{path.as_uri()}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return found
    try:
        for table in _SALVAGED_TABLES:
            rows: list[tuple[Any, ...]] = []
            try:
                extra = ", state" if table == "acks" else ""
                cursor = conn.execute(f"SELECT *{extra} FROM {table}")
                columns = [d[0] for d in cursor.description]
                if table == "acks":
                    columns[-1] = "_state"
                while True:
                    try:
                        row = cursor.fetchone()
                    except sqlite3.Error:
                        break  # the damage starts here: keep what came before
                    if row is None:
                        break
                    rows.append(tuple(row))
            except sqlite3.Error:
                continue
            found[table] = (columns, rows)
            if len(rows) != _count_rows(conn, table):
                broken.add(table)
    finally:
        conn.close()
    # How far the record's folders were read holds only with all of their rows: without it
    # the next look reads them afresh (a gap in the weekly record would never fill).
    if broken & _HISTORY_ROWS or not found.keys() >= _HISTORY_ROWS:
        found.pop("history_folders", None)
    return found


def _count_rows(conn: sqlite3.Connection, table: str) -> int:
    """How many rows the table says it has (-1 when even that cannot be read)."""
    try:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])
    except sqlite3.Error:
        return -1


def lock_path(path: Path) -> Path:
    """The lock file beside the state file (see StateStore._creating)."""
    return path.with_name(path.name + ".lock")


def _file_id(path: Path) -> tuple[int, int] | None:
    """Which file sits at `path` now (device, inode); None when nothing does."""
    try:
        found = path.stat()
    except OSError:
        return None
    return (found.st_dev, found.st_ino)


def _broken_name(path: Path) -> Path:
    """Where a damaged file goes: `<name>.broken-<time>`, never over an earlier one."""
    stamp = datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ")
    moved = path.with_name(f"{path.name}.broken-{stamp}")
    count = 1
    while any(Path(f"{moved}{suffix}").exists() for suffix in ("", "-wal", "-shm")):
        count += 1
        moved = path.with_name(f"{path.name}.broken-{stamp}-{count}")
    return moved


def _private_file(path: Path) -> None:
    """Create the database file 0600 before SQLite opens it (SQLite gives its -wal and -shm
    files the database file's permissions)."""
    fd = os.open(path, os.O_RDWR | os.O_CREAT, FILE_MODE)
    os.close(fd)
    if os.name == "posix":
        os.chmod(path, FILE_MODE)


@dataclass(frozen=True)
class Recovery:
    """A damaged state file was moved aside: what happened and what was kept."""

    file: str
    reason: str
    moved_to: str
    kept: dict[str, int]  # rows copied into the fresh file, by table (_SALVAGED_TABLES)
    unsent: int  # acknowledgements among them that were recorded but not sent

    def counts(self) -> dict[str, int]:
        """What is worth telling, by kind: the tables the user knows as such, and the weekly
        record's messages (received and sent) as one "record" figure."""
        told = {t: n for t, n in self.kept.items() if not t.startswith("history_")}
        told["record"] = sum(self.kept.get(t, 0) for t in _HISTORY_ROWS)
        return told

    def english(self) -> str:
        labels = {
            "acks": "acknowledgement(s)",
            "dismissals": "dismissal(s)",
            "ignored_senders": "ignored sender(s)",
            "notifications": "notification record(s)",
            "snoozes": "snooze(s)",
            "record": "message(s) of the weekly record",
        }
        counts = self.counts()
        detail = ", ".join(f"{counts[t]} {label}" for t, label in labels.items() if counts.get(t))
        detail = detail or "nothing"
        unsent = f" ({self.unsent} acknowledgement(s) not yet sent: check them)"
        return (
            f"{self.file} was damaged ({self.reason}); it was moved aside to {self.moved_to} "
            f"and a fresh one started; recovered: {detail}" + (unsent if self.unsent else "")
        )


class _Damaged(Exception):
    """The file is not a usable SQLite database (empty, garbled or failing its check)."""


# Tables holding what the user decided and what cannot be read again from the server,
# salvaged from a damaged file (journal first: an acknowledgement recorded but not yet sent
# must never be lost or sent twice; an automatic reply goes to a sender once per absence).
# The caches (items, sync_state, scans) are rebuilt by the next scan.
_SALVAGED_TABLES = (
    "acks",
    "dismissals",
    "ignored_senders",
    "notifications",
    "snoozes",
    "auto_replies",
    "held_accounts",
    "history_inbox",  # the weekly record: when each inquiry came, when \Answered was seen
    "history_sent",
    "history_months",
    "history_folders",  # after the rows it vouches for (see _salvage)
)
_HISTORY_ROWS = frozenset({"history_inbox", "history_sent"})


class StateStore:
    """The state database. Open with StateStore(path) (a file or the config folder); close()
    when done, or use it as a context manager.

    A damaged file (zero-length, garbled, failing SQLite's quick check) is moved aside as
    `state.sqlite3.broken-<time>` together with its -wal/-shm, whatever can still be read of
    the acknowledgement journal, dismissals, ignored senders and notifications is copied into
    a fresh file, and `recovery` holds one sentence saying so (passed to `on_recovery`, else
    logged). Disk full and read-only folders raise StoreError with a sentence.

    Several processes starting at once take turns to open, check and create the file (a lock
    file beside it, see _creating); a store whose file another process moved aside goes on
    with the fresh one (_follow_moves)."""

    def __init__(
        self, path: Path, *, on_recovery: Callable[[Recovery], None] | None = None
    ) -> None:
        path = Path(path)
        if path.is_dir():
            path = path / STATE_FILE
        self.path = path
        self.recovery: str | None = None  # one English sentence (logs, the app's message)
        self.recovery_report: Recovery | None = None  # the same, for a translated message
        self._lock = threading.RLock()
        self._in_write = False  # a write transaction is open (on the thread holding _lock)
        self._file_id: tuple[int, int] | None = None  # (device, inode) of the file opened
        with self._creating():
            self._open_or_recover()
        if self.recovery_report is not None:
            if on_recovery is not None:
                on_recovery(self.recovery_report)
            else:
                log.warning("%s", self.recovery)

    @contextlib.contextmanager
    def _creating(self) -> Iterator[None]:
        """Hold the state file's lock (a sidecar file, never moved): opening, the damage check,
        creating the schema and a recovery happen in one process at a time. Without it a
        process starting at the same instant saw the file another had just created, still
        empty, took it for a damaged one and moved it aside from under its creator."""
        with contextlib.ExitStack() as held:
            try:
                held.enter_context(exclusive_lock(lock_path(self.path)))
            except OSError as error:
                raise StoreError(f"cannot open {self.path}: {disk_problem(error)}") from None
            yield

    def _open_or_recover(self) -> None:
        """Open the file at self.path, creating it; a damaged one is moved aside (_recover).
        Only with the lock held (_creating)."""
        path = self.path
        try:
            existed_empty = path.exists() and path.stat().st_size == 0
            _private_file(path)
        except OSError as error:
            raise StoreError(f"cannot open {path}: {disk_problem(error)}") from None
        try:
            if existed_empty:
                raise _Damaged("the file is empty")
            self._open()
        except _Damaged as damaged:
            self._recover(str(damaged))

    def _follow_moves(self) -> None:
        """When another process has moved this file aside (it was damaged) and started a
        fresh one, go on with the fresh one: writes to the moved file would be lost, and the
        -wal SQLite finds by name would be the other file's. Called with self._lock held."""
        if self._file_id is None or _file_id(self.path) == self._file_id:
            return
        earlier = self.recovery_report
        with self._creating():
            if _file_id(self.path) == self._file_id:
                return
            log.warning("%s was replaced by another process; using the new file", self.path)
            with contextlib.suppress(sqlite3.Error):
                self._conn.close()
            self._open_or_recover()
        if self.recovery_report is not earlier:
            log.warning("%s", self.recovery)

    def _open(self) -> None:
        path = self.path
        self._file_id = None  # until this file is open and has its schema
        try:
            self._conn = sqlite3.connect(
                path,
                timeout=BUSY_TIMEOUT_MS / 1000,
                isolation_level=None,
                check_same_thread=False,
            )
        except sqlite3.Error as error:
            raise StoreError(f"cannot open {path}: {disk_problem(error)}") from None
        try:
            self._conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            self._conn.execute(f"PRAGMA cache_size = -{PAGE_CACHE_KIB}")
            check = self._conn.execute("PRAGMA quick_check").fetchone()
            if check is None or str(check[0]).lower() != "ok":
                raise _Damaged(f"SQLite's check failed: {check[0] if check else 'no answer'}")
            mode = self._conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise StoreError(f"{path}: the file system does not support SQLite's WAL mode")
            self._conn.execute("PRAGMA synchronous = FULL")
            self._conn.execute("PRAGMA foreign_keys = ON")
            self._migrate()
            self._file_id = _file_id(path)
        except (_Damaged, StoreError):
            with contextlib.suppress(Exception):
                self._conn.close()
            raise
        except sqlite3.DatabaseError as error:
            with contextlib.suppress(Exception):
                self._conn.close()
            if _is_damage(error):
                raise _Damaged(str(error)) from None
            raise StoreError(f"{path} cannot be used: {disk_problem(error)}") from None

    def _recover(self, reason: str) -> None:
        """Move the damaged file aside and start afresh with whatever could be read."""
        salvaged = _salvage(self.path)
        moved = _broken_name(self.path)
        try:
            for suffix in ("", "-wal", "-shm"):
                source = Path(f"{self.path}{suffix}")
                if source.exists():
                    os.replace(source, Path(f"{moved}{suffix}"))
            _private_file(self.path)
        except OSError as error:
            raise StoreError(
                f"{self.path} is damaged ({reason}) and cannot be moved aside: "
                f"{disk_problem(error)}"
            ) from None
        try:
            self._open()
        except _Damaged as damaged:
            raise StoreError(f"{self.path} cannot be created afresh: {damaged}") from None
        kept = self._restore(salvaged)
        unsent = sum(1 for row in salvaged.get("acks", ([], []))[1] if _row_state(row) in _UNSENT)
        self.recovery_report = Recovery(self.path.name, reason, moved.name, kept, unsent)
        self.recovery = self.recovery_report.english()

    def _restore(self, salvaged: _Salvage) -> dict[str, int]:
        """Rows copied into the fresh file, by table."""
        kept: dict[str, int] = {}
        with self._write() as conn:
            for table in _SALVAGED_TABLES:
                columns, rows = salvaged.get(table, ([], []))
                known = {r[1] for r in conn.execute(f"PRAGMA table_info({table})")}
                usable = [i for i, c in enumerate(columns) if c in known]
                if not rows or not usable:
                    continue
                names = ", ".join(columns[i] for i in usable)
                marks = ", ".join("?" for _ in usable)
                count = 0
                for row in rows:
                    try:
                        cursor = conn.execute(
                            f"INSERT OR IGNORE INTO {table} ({names}) VALUES ({marks})",
                            [row[i] for i in usable],
                        )
                    except sqlite3.Error:
                        continue  # a garbled row: the rest still count
                    count += cursor.rowcount
                kept[table] = count
        return kept

    # -- plumbing -----------------------------------------------------------------------------

    def close(self) -> None:
        with self._lock:
            self._conn.close()

    def __enter__(self) -> StateStore:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def transaction(self) -> Iterator[None]:
        """Several writes as one: every write made inside it (on this thread) is committed
        together at the end, or none of them when anything in it fails. Other threads and
        processes never see a part of it."""
        with self._write():
            yield

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One write transaction: all of it or none of it. A full disk or a read-only file
        is a StoreError with a sentence (the transaction is rolled back). Inside
        `transaction()` a write is part of that one."""
        with self._lock:
            if self._in_write:
                yield self._conn
                return
            self._follow_moves()
            try:
                self._conn.execute("BEGIN IMMEDIATE")
                self._in_write = True
                try:
                    try:
                        yield self._conn
                    except BaseException:
                        with contextlib.suppress(sqlite3.Error):
                            self._conn.execute("ROLLBACK")
                        raise
                    self._conn.execute("COMMIT")
                finally:
                    self._in_write = False
            except sqlite3.DatabaseError as error:
                if isinstance(error, _CALLERS_ERRORS):
                    raise
                with contextlib.suppress(sqlite3.Error):
                    if self._conn.in_transaction:
                        self._conn.execute("ROLLBACK")
                raise StoreError(f"cannot save to {self.path}: {disk_problem(error)}") from None

    def _read(self, sql: str, params: Iterable[object] = ()) -> list[tuple[Any, ...]]:
        """Rows of one query; a file that cannot be read is a StoreError with a sentence."""
        with self._lock:
            self._follow_moves()
            try:
                return list(self._conn.execute(sql, tuple(params)).fetchall())
            except sqlite3.DatabaseError as error:
                if isinstance(error, _CALLERS_ERRORS):
                    raise
                raise StoreError(f"cannot read {self.path}: {disk_problem(error)}") from None

    def schema_version(self) -> int:
        return int(self._read("PRAGMA user_version")[0][0])

    def _migrate(self) -> None:
        with self._write() as conn:
            version = int(conn.execute("PRAGMA user_version").fetchone()[0])
            if version > SCHEMA_VERSION:
                raise StoreError(
                    f"{self.path} was written by a newer Ippo (schema {version}); upgrade Ippo"
                )
            for target in range(version, SCHEMA_VERSION):
                for statement in _MIGRATIONS[target]:
                    conn.execute(statement)
            conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    # -- sync state ---------------------------------------------------------------------------

    def sync_state(self, account: str, folder: str) -> SyncState | None:
        rows = self._read(
            "SELECT uidvalidity, uidnext, highestmodseq, last_sync_at FROM sync_state"
            " WHERE account = ? AND folder = ?",
            (account, folder),
        )
        if not rows:
            return None
        uidvalidity, uidnext, modseq, last = rows[0]
        return SyncState(
            account,
            folder,
            _opt_int(uidvalidity),
            _opt_int(uidnext),
            _opt_int(modseq),
            _opt_time(_opt_str(last)),
        )

    def set_sync_state(self, state: SyncState) -> None:
        with self._write() as conn:
            conn.execute(
                "INSERT INTO sync_state (account, folder, uidvalidity, uidnext, highestmodseq,"
                " last_sync_at) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (account, folder) DO UPDATE SET uidvalidity = excluded.uidvalidity,"
                " uidnext = excluded.uidnext, highestmodseq = excluded.highestmodseq,"
                " last_sync_at = excluded.last_sync_at",
                (
                    state.account,
                    state.folder,
                    state.uidvalidity,
                    state.uidnext,
                    state.highestmodseq,
                    _opt_db_time(state.last_sync_at),
                ),
            )

    # -- the last known waiting set -----------------------------------------------------------

    def record_scan(self, account: str, inquiries: Iterable[Inquiry], now: datetime) -> None:
        """Replace the account's waiting set with `inquiries` in one transaction."""
        rows = []
        for item in inquiries:
            if item.account != account:
                raise ValueError(f"item {item.id} belongs to {item.account!r}, not {account!r}")
            rows.append(_item_row(item))
        scanned_at = to_db_time(now)
        with self._write() as conn:
            conn.execute("DELETE FROM items WHERE account = ?", (account,))
            conn.executemany(
                "INSERT OR REPLACE INTO items (account, id, folder, uidvalidity, uid, message_id,"
                " sender, sender_addr, subject, received_at, due_at, state, promise_due_at,"
                " reply_to, refs, preview) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                rows,
            )
            conn.execute(
                "INSERT INTO scans (account, scanned_at) VALUES (?, ?)"
                " ON CONFLICT (account) DO UPDATE SET scanned_at = excluded.scanned_at",
                (account, scanned_at),
            )

    def items(self, account: str | None = None) -> list[Inquiry]:
        """The last known waiting set (of one account or all), most urgent first."""
        sql = (
            "SELECT id, account, folder, uidvalidity, uid, message_id, sender, sender_addr,"
            " subject, received_at, due_at, state, promise_due_at, reply_to, refs, preview"
            " FROM items"
        )
        params: tuple[object, ...] = ()
        if account is not None:
            sql += " WHERE account = ?"
            params = (account,)
        found = [_row_item(row) for row in self._read(sql, params)]
        found.sort(key=lambda i: (i.deadline, i.received_at, i.id))
        return found

    def last_scan_at(self, account: str) -> datetime | None:
        rows = self._read("SELECT scanned_at FROM scans WHERE account = ?", (account,))
        return from_db_time(str(rows[0][0])) if rows else None

    # -- what the user dismissed --------------------------------------------------------------

    def dismiss(
        self,
        account: str,
        item_id: str,
        kind: DismissKind,
        at: datetime | None = None,
        *,
        shown: Inquiry | None = None,
    ) -> None:
        """The user says this item needs nothing more ('answered', e.g. by phone) or is not an
        inquiry. It also leaves the last known list at once. `shown`: the item as the list
        showed it, kept so that it can be listed and put back later (`dismissals_shown`)."""
        if kind not in ("answered", "not_inquiry"):
            raise ValueError(f"unknown dismissal kind {kind!r}")
        snapshot = None
        if shown is not None:
            data = inquiry_to_dict(shown)
            data["preview"] = ""  # a row per dismissal stays small
            snapshot = json.dumps(data, ensure_ascii=False)
        with self._write() as conn:
            key = conn.execute(held.ITEM_KEY_SQL, (account, item_id)).fetchone()
            conn.execute(
                "INSERT INTO dismissals (account, item_id, kind, at, message_key, shown)"
                " VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (account, item_id) DO UPDATE SET kind = excluded.kind,"
                " at = excluded.at,"
                " message_key = COALESCE(excluded.message_key, dismissals.message_key),"
                " shown = COALESCE(excluded.shown, dismissals.shown)",
                (
                    account,
                    item_id,
                    kind,
                    to_db_time(at or _utcnow()),
                    key[0] if key else None,
                    snapshot,
                ),
            )
            conn.execute("DELETE FROM items WHERE account = ? AND id = ?", (account, item_id))

    def undismiss(self, account: str, item_id: str) -> None:
        with self._write() as conn:
            conn.execute(
                "DELETE FROM dismissals WHERE account = ? AND item_id = ?", (account, item_id)
            )

    def dismissed_ids(self, account: str) -> set[str]:
        rows = self._read("SELECT item_id FROM dismissals WHERE account = ?", (account,))
        return {str(r[0]) for r in rows}

    def dismissals(self, account: str) -> dict[str, DismissKind]:
        rows = self._read("SELECT item_id, kind FROM dismissals WHERE account = ?", (account,))
        return {str(r[0]): "answered" if r[1] == "answered" else "not_inquiry" for r in rows}

    def dismissals_shown(self, account: str) -> dict[str, tuple[DismissKind, Inquiry | None]]:
        """Each dismissal's kind and its item as the list showed it (None when it was not
        kept: dismissed by an older Ippo, or without the item). The item carries
        the dismissal's own id and account (a removed inbox added again renames both)."""
        rows = self._read(
            "SELECT item_id, kind, shown FROM dismissals WHERE account = ?", (account,)
        )
        found: dict[str, tuple[DismissKind, Inquiry | None]] = {}
        for item_id, kind_text, shown in rows:
            kind: DismissKind = "answered" if kind_text == "answered" else "not_inquiry"
            item = None
            if shown:
                try:
                    data = json.loads(str(shown))
                    item = replace(inquiry_from_dict(data), id=str(item_id), account=account)
                except (ValueError, TypeError, AttributeError):
                    log.warning("%s: dismissal %s keeps an unreadable item", account, item_id)
            found[str(item_id)] = (kind, item)
        return found

    def prune_dismissals(self, account: str, dismissed_before: datetime) -> int:
        """Forget dismissals made before `dismissed_before`. A message is dismissed after it
        arrived, so one dismissed before the look-back's start can never be shown again."""
        with self._write() as conn:
            cursor = conn.execute(
                "DELETE FROM dismissals WHERE account = ? AND at < ?",
                (account, to_db_time(dismissed_before)),
            )
            return cursor.rowcount

    def ignore_sender(self, account: str, address: str, at: datetime | None = None) -> None:
        """Mail from this address never counts as an inquiry on this account again; the
        sender's items leave the last known list at once."""
        address = address.strip().lower()
        if not address:
            raise ValueError("empty sender address")
        with self._write() as conn:
            conn.execute(
                "INSERT OR IGNORE INTO ignored_senders (account, address, at) VALUES (?, ?, ?)",
                (account, address, to_db_time(at or _utcnow())),
            )
            conn.execute(
                "DELETE FROM items WHERE account = ? AND lower(sender_addr) = ?",
                (account, address),
            )

    def unignore_sender(self, account: str, address: str) -> None:
        with self._write() as conn:
            conn.execute(
                "DELETE FROM ignored_senders WHERE account = ? AND address = ?",
                (account, address.strip().lower()),
            )

    def ignored_senders(self, account: str) -> set[str]:
        rows = self._read("SELECT address FROM ignored_senders WHERE account = ?", (account,))
        return {str(r[0]) for r in rows}

    # -- notifications sent -------------------------------------------------------------------

    def notified(self) -> set[tuple[str, str, datetime]]:
        """Every (item id, stage, deadline) notified so far (the GUI keeps them in memory)."""
        rows = self._read("SELECT item_id, stage, deadline FROM notifications")
        return {(str(r[0]), str(r[1]), from_db_time(str(r[2]))) for r in rows}

    def was_notified(self, item_id: str, stage: Stage | str, deadline: datetime) -> bool:
        rows = self._read(
            "SELECT 1 FROM notifications WHERE item_id = ? AND stage = ? AND deadline = ?",
            (item_id, _stage(stage), to_db_time(deadline)),
        )
        return bool(rows)

    def mark_notified(
        self,
        item_id: str,
        stage: Stage | str,
        deadline: datetime,
        *,
        account: str | None = None,
        at: datetime | None = None,
    ) -> bool:
        """Remember that this stage was notified for this deadline. Returns False if it already
        was (check-and-set in one transaction: two callers cannot both get True)."""
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO notifications (item_id, stage, deadline, account, at)"
                " VALUES (?, ?, ?, ?, ?)",
                (
                    item_id,
                    _stage(stage),
                    to_db_time(deadline),
                    account,
                    to_db_time(at or _utcnow()),
                ),
            )
            return cursor.rowcount == 1

    def prune_notifications(self, deadline_before: datetime) -> int:
        """Forget notifications whose deadline is before the given time (long past items)."""
        with self._write() as conn:
            cursor = conn.execute(
                "DELETE FROM notifications WHERE deadline < ?", (to_db_time(deadline_before),)
            )
            return cursor.rowcount

    # -- acknowledgements journal -------------------------------------------------------------

    def record_ack(
        self,
        *,
        item_id: str,
        account: str,
        message_id: str,
        recipients: Collection[str],
        subject: str,
        raw: bytes,
        promise_due_at: datetime | None,
        inquiry_message_id: str | None = None,
        inquiry: str | None = None,
        now: datetime | None = None,
        replaces: tuple[str, datetime | None] | None = None,
    ) -> AckRecord:
        """Journal an acknowledgement BEFORE it is sent (state 'recorded'). AckExists if one
        with this Message-ID is already there.

        `replaces` (Message-ID, its claim time as read) retires an earlier entry that did not
        go out, in the same transaction: it becomes 'failed' and takes a claim, so no process
        can send it any more. AckReplaced (and nothing recorded) if it changed meanwhile."""
        message_id = message_id.strip().strip("<>")
        if not message_id:
            raise ValueError("an acknowledgement needs a Message-ID")
        stamp = to_db_time(now or _utcnow())
        try:
            with self._write() as conn:
                if replaces is not None:
                    old_id, old_claim = replaces
                    retired = conn.execute(
                        "UPDATE acks SET state = 'failed', error = ?, updated_at = ?,"
                        " attempted_at = COALESCE(attempted_at, ?) WHERE message_id = ?"
                        " AND state IN ('recorded', 'failed') AND attempted_at IS ?",
                        (
                            f"{RETIRED_PREFIX}<{message_id}>",
                            stamp,
                            stamp,
                            old_id.strip().strip("<>"),
                            _opt_db_time(old_claim),
                        ),
                    )
                    if retired.rowcount != 1:
                        raise AckReplaced(f"the acknowledgement <{old_id}> changed meanwhile")
                cursor = conn.execute(
                    "INSERT INTO acks (item_id, account, message_id, inquiry_message_id,"
                    " recipients, subject, raw, promise_due_at, state, error, created_at,"
                    " updated_at, inquiry)"
                    " VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'recorded', NULL, ?, ?, ?)",
                    (
                        item_id,
                        account,
                        message_id,
                        inquiry_message_id,
                        json.dumps(list(recipients), ensure_ascii=False),
                        subject,
                        sqlite3.Binary(raw),
                        _opt_db_time(promise_due_at),
                        stamp,
                        stamp,
                        inquiry,
                    ),
                )
                ack_id = cursor.lastrowid
        except sqlite3.IntegrityError:
            raise AckExists(f"an acknowledgement <{message_id}> is already recorded") from None
        record = self.ack(message_id)
        assert record is not None and record.id == ack_id
        return record

    def set_ack_state(
        self,
        message_id: str,
        state: AckState,
        *,
        error: str | None = None,
        now: datetime | None = None,
    ) -> None:
        """Move an acknowledgement on; `error` is kept with 'failed' (and cleared otherwise)."""
        if state not in ACK_STATES:
            raise ValueError(f"unknown acknowledgement state {state!r}")
        with self._write() as conn:
            cursor = conn.execute(
                "UPDATE acks SET state = ?, error = ?, updated_at = ? WHERE message_id = ?",
                (state, error, to_db_time(now or _utcnow()), message_id.strip().strip("<>")),
            )
            if cursor.rowcount != 1:
                raise KeyError(message_id)

    def claim_ack_send(self, message_id: str, *, now: datetime | None = None) -> bool:
        """Claim the right to hand this acknowledgement to the SMTP server: True for exactly one
        caller (across threads and processes) until reset_ack_claim. Recorded just before the
        server is asked to accept it, so an unclaimed entry was certainly never sent."""
        with self._write() as conn:
            stamp = to_db_time(now or _utcnow())
            cursor = conn.execute(
                "UPDATE acks SET attempted_at = ?, updated_at = ? WHERE message_id = ?"
                " AND attempted_at IS NULL AND state IN ('recorded', 'failed')",
                (stamp, stamp, message_id.strip().strip("<>")),
            )
            return cursor.rowcount == 1

    def reset_ack_claim(self, message_id: str, *, now: datetime | None = None) -> None:
        """Forget a claim: the server certainly did not accept the message (it refused it, or
        the user checked and asked to send it again). A retired entry (replaced by a newer
        one, see record_ack) keeps its claim: it must never be sent."""
        with self._write() as conn:
            conn.execute(
                "UPDATE acks SET attempted_at = NULL, updated_at = ? WHERE message_id = ?"
                " AND NOT (state = 'failed' AND COALESCE(error, '') LIKE ?)",
                (
                    to_db_time(now or _utcnow()),
                    message_id.strip().strip("<>"),
                    RETIRED_PREFIX + "%",
                ),
            )

    def ack(self, message_id: str) -> AckRecord | None:
        rows = self._read(_ACK_SELECT + " WHERE message_id = ?", (message_id.strip().strip("<>"),))
        return _row_ack(rows[0]) if rows else None

    def acks(
        self,
        account: str | None = None,
        states: Collection[AckState] | None = None,
        *,
        item_id: str | None = None,
    ) -> list[AckRecord]:
        """Journal entries, oldest first, filtered by account, states and/or item."""
        clauses: list[str] = []
        params: list[object] = []
        if account is not None:
            clauses.append("account = ?")
            params.append(account)
        if states is not None:
            states = list(states)
            if not states:
                return []
            clauses.append(f"state IN ({', '.join('?' for _ in states)})")
            params.extend(states)
        if item_id is not None:
            clauses.append("item_id = ?")
            params.append(item_id)
        sql = _ACK_SELECT
        if clauses:
            sql += " WHERE " + " AND ".join(clauses)
        sql += " ORDER BY id"
        return [_row_ack(row) for row in self._read(sql, params)]

    # -- accounts -----------------------------------------------------------------------------

    # -- snoozed items (notifications wait; see core.notifications.Holds) ----------------------

    def snooze(self, account: str, item_id: str, until: datetime) -> None:
        with self._write() as conn:
            # Snoozes long over are only clutter: dropped whenever a new one is set.
            conn.execute(
                "DELETE FROM snoozes WHERE until < ?", (to_db_time(_utcnow() - timedelta(days=1)),)
            )
            conn.execute(
                "INSERT INTO snoozes (account, item_id, until) VALUES (?, ?, ?)"
                " ON CONFLICT (account, item_id) DO UPDATE SET until = excluded.until",
                (account, item_id, to_db_time(until)),
            )

    def unsnooze(self, account: str, item_id: str) -> None:
        with self._write() as conn:
            conn.execute(
                "DELETE FROM snoozes WHERE account = ? AND item_id = ?", (account, item_id)
            )

    def snoozes(self, now: datetime | None = None) -> dict[str, datetime]:
        """Item id -> until, for snoozes not yet over at `now` (default: all)."""
        rows = self._read("SELECT item_id, until FROM snoozes")
        found = {str(r[0]): from_db_time(str(r[1])) for r in rows}
        return {k: v for k, v in found.items() if now is None or v > now}

    # -- automatic first words while away (core.autoreply) -------------------------------------

    def claim_auto_reply(
        self, account: str, sender: str, absence_start: datetime, message_id: str
    ) -> bool:
        """Record that `sender` gets its one auto-reply of this absence; False when it had
        one already (then nothing may be sent)."""
        with self._write() as conn:
            cursor = conn.execute(
                "INSERT OR IGNORE INTO auto_replies"
                " (account, sender, absence_start, message_id, at) VALUES (?, ?, ?, ?, ?)",
                (
                    account,
                    sender.lower(),
                    to_db_time(absence_start),
                    message_id,
                    to_db_time(_utcnow()),
                ),
            )
            return cursor.rowcount == 1

    def auto_replied_senders(self, account: str, absence_start: datetime) -> set[str]:
        rows = self._read(
            "SELECT sender FROM auto_replies WHERE account = ? AND absence_start = ?",
            (account, to_db_time(absence_start)),
        )
        return {str(r[0]) for r in rows}

    def forget_account(self, name: str) -> None:
        """Delete everything remembered about an account (after `ippo account remove`)."""
        with self._write() as conn:
            for table in (
                "sync_state",
                "items",
                "scans",
                "dismissals",
                "ignored_senders",
                "notifications",
                "acks",
                "snoozes",
                "auto_replies",
            ):
                conn.execute(f"DELETE FROM {table} WHERE account = ?", (name,))

    def hold_account(self, name: str, email: str, now: datetime | None = None) -> None:
        """After a remove: keep what the user decided about `name` for held.HOLD_DAYS, under
        its address, so adding the same address again (any name) brings it back."""
        now = now or _utcnow()
        with self._write() as conn:
            held.prune(conn, to_db_time(held.hold_limit(now)))
            held.hold(conn, name, email, to_db_time(now))

    def restore_account(self, name: str, email: str, now: datetime | None = None) -> bool:
        """After an add: the state held for `email` (if any, not too old) now belongs to
        `name`. True when something came back."""
        with self._write() as conn:
            held.prune(conn, to_db_time(held.hold_limit(now or _utcnow())))
            return held.restore(conn, name, email)


_ACK_SELECT = (
    "SELECT id, item_id, account, message_id, recipients, subject, raw, promise_due_at, state,"
    " error, created_at, updated_at, inquiry_message_id, inquiry, attempted_at FROM acks"
)


def _stage(stage: Stage | str) -> str:
    return stage.value if isinstance(stage, Stage) else Stage(stage).value


def _opt_int(value: Any) -> int | None:
    return None if value is None else int(value)


def _opt_str(value: object) -> str | None:
    return None if value is None else str(value)


def _item_row(item: Inquiry) -> tuple[object, ...]:
    return (
        item.account,
        item.id,
        item.folder,
        item.uidvalidity,
        item.uid,
        item.message_id,
        item.sender,
        item.sender_addr,
        item.subject,
        to_db_time(item.received_at),
        to_db_time(item.due_at),
        item.state.value,
        _opt_db_time(item.promise_due_at),
        json.dumps(list(item.reply_to), ensure_ascii=False),
        json.dumps(list(item.references), ensure_ascii=False),
        item.preview,
    )


def _row_item(row: tuple[Any, ...]) -> Inquiry:
    (
        id_,
        account,
        folder,
        uidvalidity,
        uid,
        message_id,
        sender,
        sender_addr,
        subject,
        received_at,
        due_at,
        state,
        promise_due_at,
        reply_to,
        refs,
        preview,
    ) = row
    return Inquiry(
        id=str(id_),
        account=str(account),
        folder=str(folder),
        uidvalidity=int(uidvalidity),
        uid=int(uid),
        message_id=_opt_str(message_id),
        sender=str(sender),
        sender_addr=str(sender_addr),
        subject=str(subject),
        received_at=from_db_time(str(received_at)),
        due_at=from_db_time(str(due_at)),
        state=ItemState(str(state)),
        promise_due_at=_opt_time(_opt_str(promise_due_at)),
        reply_to=tuple(json.loads(str(reply_to))),
        references=tuple(json.loads(str(refs))),
        preview=str(preview),
    )


def _row_ack(row: tuple[Any, ...]) -> AckRecord:
    (
        id_,
        item_id,
        account,
        message_id,
        recipients,
        subject,
        raw,
        promise_due_at,
        state,
        error,
        created_at,
        updated_at,
        inquiry_message_id,
        inquiry,
        attempted_at,
    ) = row
    state_text = str(state)
    if state_text not in ACK_STATES:
        raise StoreError(f"acknowledgement {message_id} has an unknown state {state_text!r}")
    return AckRecord(
        id=int(id_),
        item_id=str(item_id),
        account=str(account),
        message_id=str(message_id),
        recipients=tuple(json.loads(str(recipients))),
        subject=str(subject),
        raw=bytes(raw),
        promise_due_at=_opt_time(_opt_str(promise_due_at)),
        state=AckState(state_text),
        error=_opt_str(error),
        created_at=from_db_time(str(created_at)),
        updated_at=from_db_time(str(updated_at)),
        inquiry_message_id=_opt_str(inquiry_message_id),
        inquiry=_opt_str(inquiry),
        attempted_at=_opt_time(_opt_str(attempted_at)),
    )
