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

import threading
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from trayapp.core.headers import parse_headers
from trayapp.core.history import InboxEntry, SentEntry, inbox_entry, sent_time
from trayapp.core.model import AccountConfig
from trayapp.mail.errors import MailError
from trayapp.mail.imap import find_sent_folder, logout, mail_errors
from trayapp.mail.scan import (
    FETCH_BATCH,
    FolderState,
    _aware,
    _header_bytes,
    _header_item,
    examine,
    fetch_facts,
    search_since_date,
)
from trayapp.store.history import FolderMark, FolderRole, HistoryStore

if TYPE_CHECKING:
    from imapclient import IMAPClient

SENT_FIELDS: tuple[str, ...] = ("Message-ID", "In-Reply-To", "References", "Date")
MAX_PARALLEL = 4
# A look-back this close to the one already built counts as built (SEARCH SINCE is by day).
SINCE_TOLERANCE = timedelta(days=1)

Connect = Callable[[AccountConfig], "IMAPClient"]
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


def _fetch_sent(
    client: IMAPClient, account: str, uids: Sequence[int]
) -> list[tuple[int, SentEntry]]:
    item = _header_item(SENT_FIELDS)
    response: dict[int, dict[bytes, Any]] = client.fetch(list(uids), ["INTERNALDATE", item])
    found: list[tuple[int, SentEntry]] = []
    for uid, data in response.items():
        internal = _aware(data.get(b"INTERNALDATE"))
        if internal is None:
            continue  # expunged meanwhile
        headers = parse_headers(_header_bytes(data))
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
                _read_folder(client, store, account, plan, mark, since, now, progress)
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
) -> None:
    built_since = since if plan.fresh or mark is None else mark.built_since
    last_uid = 0 if plan.fresh or mark is None else mark.last_uid
    first = True
    batches = [plan.uids[i : i + FETCH_BATCH] for i in range(0, len(plan.uids), FETCH_BATCH)]
    for index, batch in enumerate(batches or [[]]):
        inbox: list[InboxEntry] = []
        sent: list[tuple[int, SentEntry]] = []
        if batch and plan.role == "inbox":
            for facts in fetch_facts(client, plan.state, batch):
                if plan.fresh and facts.received_at < since:
                    continue  # SEARCH SINCE reaches a day early
                entry = inbox_entry(account, facts, flag_seen_at=None if plan.fresh else now)
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
) -> BuildResult:
    """Bring the stored history of ``accounts`` up to date, reading back to ``since`` where it
    has not been read yet. Each account on its own connection (from ``connect``)."""
    tracker = Progress(progress)
    errors: dict[str, str] = {}

    def one(account: AccountConfig) -> None:
        try:
            client = connect(account)
        except MailError as error:
            errors[account.name] = str(error)
            return
        try:
            _read_account(client, store, account, since, now, tracker)
        except MailError as error:
            errors[account.name] = str(error)
        finally:
            logout(client)

    if accounts:
        with ThreadPoolExecutor(max_workers=max(1, min(max_parallel, len(accounts)))) as pool:
            list(pool.map(one, accounts))
    return BuildResult(errors=errors, fetched=tracker.done)
