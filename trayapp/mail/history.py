"""Reading the history out of the mailboxes: INBOX (every watched folder) and Sent of every
account, since a given day on the first run, then only what is new.

Runs off the GUI thread, on its OWN connection per account (never a watcher's), read-only
like every look Ippo takes (EXAMINE, BODY.PEEK). Accounts are read in parallel; one that
fails is reported and the others are still stored.

What is read per folder (store.history.FolderMark says how far it got):
- first time, a new UIDVALIDITY, or a look-back deeper than before: everything since the
  day asked for (SEARCH SINCE, then FETCH of the explicit UID list);
- otherwise only UIDs above the last one read, and (watched folders) which stored inquiries
  have gained \\Answered since (SEARCH ANSWERED): that moment is the reply's time.
"""

from __future__ import annotations

import re
import sqlite3
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from imapclient.datetime_util import parse_to_datetime

from trayapp.core.headers import HEADER_FIELDS, parse_headers
from trayapp.core.history import InboxEntry, SentEntry, inbox_entry, sent_time
from trayapp.core.model import AccountConfig, MessageFacts
from trayapp.mail.errors import MailError, ProtocolError
from trayapp.mail.imap import find_sent_folder, logout, mail_errors
from trayapp.mail.scan import (
    FETCH_BATCH,
    FolderState,
    _aware,
    _header_bytes,
    _header_item,
    examine,
    message_flags,
    search_since_date,
)
from trayapp.store.db import StoreError
from trayapp.store.history import FolderMark, FolderRole, HistoryStore

if TYPE_CHECKING:
    from imapclient import IMAPClient

    from trayapp.core.schedule import Schedule

# What the history needs of an INBOX message: who wrote (From, Reply-To for web forms), what
# about, its id, and what the classifier decides with (core.classify). Fewer fields than the
# pending scan (no To, Cc, Date, threading): on 90 days of mail the parsing is the cost.
INBOX_FIELDS: tuple[str, ...] = tuple(
    f for f in HEADER_FIELDS if f not in ("Sender", "To", "Cc", "Date", "In-Reply-To", "References")
)
SENT_FIELDS: tuple[str, ...] = ("Message-ID", "In-Reply-To", "References", "Date")
MAX_PARALLEL = 4
# A look-back this close to the one already built counts as built (SEARCH SINCE is by day).
SINCE_TOLERANCE = timedelta(days=1)

Connect = Callable[[AccountConfig], "IMAPClient"]
ScheduleFor = Callable[[AccountConfig], "Schedule | None"]
ProgressCallback = Callable[[int, int], None]


@dataclass
class Progress:
    """Messages fetched so far and messages known to fetch (grows while folders are searched).
    Thread-safe; ``report`` is called after every change (from worker threads)."""

    report: ProgressCallback | None = None
    done: int = 0
    total: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, *, done: int = 0, total: int = 0) -> None:
        with self._lock:
            self.done += done
            self.total += total
            now_done, now_total = self.done, self.total
        if self.report is not None:
            self.report(now_done, now_total)


@dataclass(frozen=True)
class _Plan:
    folder: str
    role: FolderRole
    state: FolderState
    uids: list[int]
    fresh: bool
    flags_seen: list[int]


def _plan_folder(
    client: IMAPClient,
    store: HistoryStore,
    account: AccountConfig,
    folder: str,
    role: FolderRole,
    mark: FolderMark | None,
    since: datetime,
) -> _Plan:
    state = examine(client, folder)
    fresh = (
        mark is None
        or mark.uidvalidity != state.uidvalidity
        or mark.role != role
        or mark.built_since > since + SINCE_TOLERANCE
    )
    if not state.exists:
        return _Plan(folder, role, state, [], fresh, [])
    if fresh:
        uids = [int(u) for u in client.search(["SINCE", search_since_date(since)])]
        return _Plan(folder, role, state, sorted(uids), True, [])
    assert mark is not None
    found = client.search(["UID", f"{mark.last_uid + 1}:*"])
    uids = sorted(int(u) for u in found if int(u) > mark.last_uid)
    flags_seen: list[int] = []
    if role == "inbox":
        unflagged = store.unflagged_uids(account.name, folder, state.uidvalidity)
        if unflagged:
            answered = client.search(["ANSWERED", "SINCE", search_since_date(mark.built_since)])
            flags_seen = sorted(unflagged.intersection(int(u) for u in answered))
    return _Plan(folder, role, state, uids, False, flags_seen)


@dataclass(frozen=True)
class Fetched:
    """One message of a FETCH of INTERNALDATE, FLAGS (optional) and one header section."""

    internal_date: datetime
    flags: frozenset[str]
    header: bytes


_FETCH_START = re.compile(rb"^\d+ \(")
_UID = re.compile(rb"[( ]UID (\d+)[ )]")
_INTERNALDATE = re.compile(rb'INTERNALDATE "([^"\r\n]{1,64})"')
_FLAGS = re.compile(rb"FLAGS \(([^()\r\n]*)\)")
_LITERAL_END = re.compile(rb"\{\d+\}$")


def parse_fetch_lines(data: Sequence[object]) -> dict[int, Fetched] | None:
    """imaplib's raw answer to a UID FETCH of INTERNALDATE, FLAGS and one BODY.PEEK[HEADER...]
    section, by UID; None when it is not in the plain shape this reads (the caller then lets
    imapclient's full parser read it). imapclient's parser is general and slow, and on 90
    days of mail parsing the answer is most of the work."""
    found: dict[int, Fetched] = {}
    text = b""
    header: bytes | None = None

    def finish() -> bool:
        if not text:
            return True
        uid = _UID.search(text)
        if uid is None:
            return True  # an unsolicited FETCH (another session changed a flag): not ours
        date = _INTERNALDATE.search(text)
        if date is None:
            return False
        try:
            when = _aware(parse_to_datetime(date.group(1), normalise=False))
        except (ValueError, OverflowError, IndexError):
            return False
        if when is None:
            return False
        flags = _FLAGS.search(text)
        names = flags.group(1).decode("ascii", "replace").split() if flags else []
        found[int(uid.group(1))] = Fetched(when, frozenset(names), header or b"")
        return True

    for item in data:
        if isinstance(item, tuple) and len(item) == 2 and isinstance(item[0], bytes):
            prefix, literal = item
            if _FETCH_START.match(prefix):
                if not finish():
                    return None
                text, header = prefix, None
            elif not text:
                return None
            else:
                text += prefix
            if header is not None or not _LITERAL_END.search(prefix):
                return None  # a second literal: not the shape asked for
            header = literal if isinstance(literal, bytes) else b""
        elif isinstance(item, bytes):
            if _FETCH_START.match(item):
                if not finish():
                    return None
                text, header = item, None
            elif text:
                text += item
            elif item.strip():
                return None
        elif item is not None:
            return None
    return found if finish() else None


def _fetch_raw(client: IMAPClient, uids: Sequence[int], items: Sequence[str]) -> dict[int, Fetched]:
    """UID FETCH through imaplib, read by parse_fetch_lines; imapclient's parser when the
    answer has another shape."""
    typ, data = client._imap.uid("FETCH", ",".join(str(u) for u in uids), f"({' '.join(items)})")
    if typ != "OK":
        raise ProtocolError(f"FETCH failed: {data!r:.200}")
    parsed = parse_fetch_lines(data)
    if parsed is not None:
        return parsed
    response: dict[int, dict[bytes, Any]] = client.fetch(list(uids), list(items))
    result: dict[int, Fetched] = {}
    for uid, values in response.items():
        when = _aware(values.get(b"INTERNALDATE"))
        if when is not None:
            result[int(uid)] = Fetched(
                when, message_flags(values.get(b"FLAGS")), _header_bytes(values)
            )
    return result


def _fetch_inbox(client: IMAPClient, state: FolderState, uids: Sequence[int]) -> list[MessageFacts]:
    items = ["INTERNALDATE", "FLAGS", _header_item(INBOX_FIELDS)]
    return [
        MessageFacts(
            folder=state.folder,
            uidvalidity=state.uidvalidity,
            uid=uid,
            received_at=fetched.internal_date,
            flags=fetched.flags,
            headers=parse_headers(fetched.header),
        )
        for uid, fetched in _fetch_raw(client, uids, items).items()
    ]


def _fetch_sent(
    client: IMAPClient, account: str, uids: Sequence[int]
) -> list[tuple[int, SentEntry]]:
    items = ["INTERNALDATE", _header_item(SENT_FIELDS)]
    found: list[tuple[int, SentEntry]] = []
    for uid, fetched in _fetch_raw(client, uids, items).items():
        internal = fetched.internal_date
        headers = parse_headers(fetched.header)
        names = tuple(dict.fromkeys((*headers.in_reply_to, *headers.references)))
        found.append(
            (
                int(uid),
                SentEntry(account, headers.message_id, names, sent_time(internal, headers.date)),
            )
        )
    return found


def _read_account(
    client: IMAPClient,
    store: HistoryStore,
    account: AccountConfig,
    since: datetime,
    now: datetime,
    progress: Progress,
    schedule: Schedule | None = None,
) -> None:
    marks = store.folder_marks(account.name)
    folders: list[tuple[str, FolderRole]] = [(f, "inbox") for f in account.folders]
    with mail_errors(account):
        sent_folder = account.sent_folder or find_sent_folder(client)
        if sent_folder is not None and sent_folder not in account.folders:
            folders.append((sent_folder, "sent"))
        previous = client.normalise_times
        client.normalise_times = False
        try:
            for folder, role in folders:
                mark = marks.get(folder)
                plan = _plan_folder(client, store, account, folder, role, mark, since)
                progress.add(total=len(plan.uids))
                _read_folder(client, store, account, plan, mark, since, now, progress, schedule)
        finally:
            client.normalise_times = previous


def _read_folder(
    client: IMAPClient,
    store: HistoryStore,
    account: AccountConfig,
    plan: _Plan,
    mark: FolderMark | None,
    since: datetime,
    now: datetime,
    progress: Progress,
    schedule: Schedule | None,
) -> None:
    built_since = since if plan.fresh or mark is None else mark.built_since
    last_uid = 0 if plan.fresh or mark is None else mark.last_uid
    first = True
    batches = [plan.uids[i : i + FETCH_BATCH] for i in range(0, len(plan.uids), FETCH_BATCH)]
    for index, batch in enumerate(batches or [[]]):
        inbox: list[InboxEntry] = []
        sent: list[tuple[int, SentEntry]] = []
        if batch and plan.role == "inbox":
            for facts in _fetch_inbox(client, plan.state, batch):
                if plan.fresh and facts.received_at < since:
                    continue  # SEARCH SINCE reaches a day early
                entry = inbox_entry(
                    account, facts, flag_seen_at=None if plan.fresh else now, schedule=schedule
                )
                if entry is not None:
                    inbox.append(entry)
        elif batch:
            sent = [
                (uid, e)
                for uid, e in _fetch_sent(client, account.name, batch)
                if e.sent_at >= since - SINCE_TOLERANCE
            ]
        last_uid = max([last_uid, *batch])
        store.save_folder(
            FolderMark(
                account.name,
                plan.folder,
                plan.role,
                plan.state.uidvalidity,
                last_uid,
                built_since,
                now,
            ),
            inbox=inbox,
            sent_uids=sent,
            replace_all=plan.fresh and first,
            flags_seen=plan.flags_seen if first else (),
            # Until the whole fresh read is stored, a crash must mean reading it all again.
            complete=not plan.fresh or index == len(batches) - 1 or not batches,
        )
        first = False
        progress.add(done=len(batch))


@dataclass(frozen=True)
class BuildResult:
    errors: dict[str, str]  # account name -> one-line reason
    fetched: int


def update_history(
    store: HistoryStore,
    accounts: Sequence[AccountConfig],
    connect: Connect,
    *,
    since: datetime,
    now: datetime,
    progress: ProgressCallback | None = None,
    max_parallel: int = MAX_PARALLEL,
    schedule_for: ScheduleFor | None = None,
) -> BuildResult:
    """Bring the stored history of ``accounts`` up to date, reading back to ``since`` where it
    has not been read yet. Each account on its own connection (from ``connect``); an
    inquiry's deadline is the account's window run on ``schedule_for(account)`` as it is
    when the inquiry is read (None: around the clock)."""
    tracker = Progress(progress)
    errors: dict[str, str] = {}

    def one(account: AccountConfig) -> None:
        try:
            client = connect(account)
        except MailError as error:
            errors[account.name] = str(error)
            return
        try:
            schedule = schedule_for(account) if schedule_for is not None else None
            _read_account(client, store, account, since, now, tracker, schedule)
        except MailError as error:
            # mail_errors wraps everything inside; a state file problem is not the server's.
            cause = error.__cause__
            errors[account.name] = (
                f"state file: {cause}"
                if isinstance(cause, StoreError | sqlite3.Error)
                else str(error)
            )
        finally:
            logout(client)

    if accounts:
        with ThreadPoolExecutor(max_workers=max(1, min(max_parallel, len(accounts)))) as pool:
            list(pool.map(one, accounts))
    return BuildResult(errors=errors, fetched=tracker.done)
