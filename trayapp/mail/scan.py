"""One look at an account: what arrived in the watched folders, and what our Sent mail answers.

Read-only by construction: folders are opened with EXAMINE, bodies are read with BODY.PEEK,
so looking never sets \\Seen or any other flag. Only messages within the look-back are
fetched (SEARCH SINCE, then FETCH of the explicit UID list), so a 50,000-message INBOX costs
no more than the few hundred messages that matter.
"""

from __future__ import annotations

import imaplib
import logging
from collections.abc import Collection, Iterable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field, replace
from datetime import UTC, date, datetime, timedelta
from typing import Any

from imapclient import IMAPClient

from trayapp.core.arrival import ArrivalSource, arrival_time
from trayapp.core.headers import HEADER_FIELDS, SENT_HEADER_FIELDS, fixed_zone, parse_headers
from trayapp.core.model import AccountConfig, Inquiry, MessageFacts, MessageHeaders
from trayapp.core.pending import lookback_start, replied_message_ids, waiting_inquiries
from trayapp.core.schedule import Schedule
from trayapp.mail.errors import ProtocolError
from trayapp.mail.imap import find_sent_folder, mail_errors
from trayapp.mail.transport import deadline, fetch_each

log = logging.getLogger(__name__)

FETCH_BATCH = 500  # UIDs per FETCH: keeps each command line and response a sane size


@dataclass(frozen=True)
class FolderState:
    """What EXAMINE said about a folder: enough for a later "did anything change?" check."""

    folder: str
    uidvalidity: int
    uidnext: int | None
    highestmodseq: int | None  # only when the server offers CONDSTORE
    exists: int


@dataclass(frozen=True)
class ScanResult:
    """Server facts from one scan of one account. ``inbox`` holds every watched folder's
    messages since the look-back start; ``sent`` the threading headers of our sent mail."""

    account: str
    scanned_at: datetime
    since: datetime
    inbox: list[MessageFacts]
    sent: list[MessageHeaders]
    replied_ids: frozenset[str]
    sent_folder: str | None
    folders: dict[str, FolderState] = field(default_factory=dict)

    @property
    def uidvalidity(self) -> dict[str, int]:
        return {name: s.uidvalidity for name, s in self.folders.items()}

    @property
    def uidnext(self) -> dict[str, int]:
        return {name: s.uidnext for name, s in self.folders.items() if s.uidnext is not None}

    @property
    def highestmodseq(self) -> dict[str, int]:
        return {
            name: s.highestmodseq for name, s in self.folders.items() if s.highestmodseq is not None
        }

    def waiting(
        self,
        account: AccountConfig,
        now: datetime,
        *,
        dismissed_ids: Collection[str] = (),
        ignored_senders: Collection[str] = (),
        replied_ids: Collection[str] | None = None,
        schedule: Schedule | None = None,
    ) -> list[Inquiry]:
        """The inquiries that still wait, most urgent first (core.pending decides).
        `replied_ids`: what every account's Sent answers (default: this account's own)."""
        return waiting_inquiries(
            account,
            self.inbox,
            self.replied_ids if replied_ids is None else replied_ids,
            now,
            dismissed_ids=dismissed_ids,
            ignored_senders=ignored_senders,
            schedule=schedule,
        )


def keep_first_seen(inbox: Iterable[MessageFacts], known: Iterable[Inquiry]) -> list[MessageFacts]:
    """`inbox` where a message whose clock started when it was first seen (no usable
    INTERNALDATE or Date, see core.arrival) but which an earlier look already recorded keeps
    that earlier moment. `known`: the last recorded waiting items (they carry folder,
    UIDVALIDITY and UID). Without this every run of `ippo pending` and every reconnect would
    restart that clock."""
    earlier = {(i.folder, i.uidvalidity, i.uid): i.received_at for i in known}
    kept: list[MessageFacts] = []
    for facts in inbox:
        first = earlier.get((facts.folder, facts.uidvalidity, facts.uid))
        if facts.first_seen and first is not None and first < facts.received_at:
            facts = replace(facts, received_at=first)
        kept.append(facts)
    return kept


def search_since_date(since: datetime) -> date:
    """The date for SEARCH SINCE. SINCE compares dates in the server's own time zone, which we
    do not know: a day earlier covers every zone; core.pending then drops the extra."""
    return (since.astimezone(UTC) - timedelta(days=1)).date()


def _int(value: object) -> int | None:
    if isinstance(value, int):
        return value
    if isinstance(value, bytes | str):
        try:
            return int(value)
        except ValueError:
            return None
    if isinstance(value, list | tuple) and value:
        return _int(value[0])
    return None


def examine(client: IMAPClient, folder: str) -> FolderState:
    """Open ``folder`` read-only (EXAMINE): nothing the scan does can change a flag."""
    response: dict[bytes, Any] = client.select_folder(folder, readonly=True)
    uidvalidity = _int(response.get(b"UIDVALIDITY"))
    if uidvalidity is None:
        raise ProtocolError(f"folder {folder!r}: the server sent no UIDVALIDITY")
    return FolderState(
        folder=folder,
        uidvalidity=uidvalidity,
        uidnext=_int(response.get(b"UIDNEXT")),
        highestmodseq=_int(response.get(b"HIGHESTMODSEQ")),
        exists=_int(response.get(b"EXISTS")) or 0,
    )


def _header_item(fields: Sequence[str]) -> str:
    return f"BODY.PEEK[HEADER.FIELDS ({' '.join(f.upper() for f in fields)})]"


def _header_bytes(data: dict[bytes, Any]) -> bytes:
    for key, value in data.items():
        if key.startswith(b"BODY[HEADER") and isinstance(value, bytes):
            return value
    return b""


def _aware(value: object) -> datetime | None:
    """INTERNALDATE as a timezone-aware datetime (imapclient gives naive local time when
    normalise_times is on; we turn that off, but stay correct if a caller turned it on)."""
    if not isinstance(value, datetime):
        return None
    try:
        if value.tzinfo is None:
            return value.astimezone()  # naive local time -> aware, same instant
        offset = value.utcoffset()
        # A plain datetime.timezone rather than imapclient's FixedOffset: same instant, and it
        # compares, pickles and prints like every other aware datetime in the app.
        return value.astimezone(fixed_zone(offset)) if offset is not None else value
    except (OverflowError, ValueError):  # year 9999 with an offset: off the calendar
        return None


# The few flag sets nearly every message has: one shared set each, not one per message.
_USUAL_FLAGS = {
    flags: flags
    for flags in map(
        frozenset,
        (
            (),
            ("\\Seen",),
            ("\\Answered",),
            ("\\Seen", "\\Answered"),
            ("\\Flagged",),
            ("\\Seen", "\\Flagged"),
            ("\\Seen", "\\Answered", "\\Flagged"),
        ),
    )
}


def message_flags(value: object) -> frozenset[str]:
    """A FETCH response's FLAGS without \\Recent (it only says which session saw the message
    first: a message fetched again would otherwise look changed)."""
    if not isinstance(value, tuple | list):
        return _USUAL_FLAGS[frozenset()]
    flags = frozenset(
        text
        for text in (
            f.decode("ascii", "replace") if isinstance(f, bytes) else str(f) for f in value
        )
        if text.lower() != "\\recent"
    )
    return _USUAL_FLAGS.get(flags, flags)


def _batches(uids: Sequence[int], size: int = FETCH_BATCH) -> Iterable[Sequence[int]]:
    for start in range(0, len(uids), size):
        yield uids[start : start + size]


def fetch_facts(
    client: IMAPClient,
    state: FolderState,
    uids: Sequence[int],
    now: datetime | None = None,
) -> list[MessageFacts]:
    """INTERNALDATE, FLAGS, size and the deciding headers of ``uids`` in the examined folder.

    One hostile message costs only itself: a message whose answer cannot be parsed is
    fetched again without INTERNALDATE, and its clock starts by core.arrival's fallback (the
    Date header, else now); one that cannot be read at all is logged and left out."""
    header = _header_item(HEADER_FIELDS)
    items = ["INTERNALDATE", "FLAGS", "RFC822.SIZE", header]
    seen_at = now or datetime.now(UTC)
    facts: list[MessageFacts] = []
    previous = client.normalise_times
    client.normalise_times = False
    try:
        for batch in _batches(sorted(uids)):
            wanted = set(batch)
            failed: list[int] = []
            response = fetch_each(client, batch, items, failed=failed)
            if failed:
                response.update(fetch_each(client, failed, ["FLAGS", "RFC822.SIZE", header]))
            for uid, data in response.items():
                if uid not in wanted:
                    continue  # unsolicited (a flag change of another message)
                fact = _facts(state, int(uid), data, seen_at, dated=uid not in failed)
                if fact is not None:
                    facts.append(fact)
    finally:
        client.normalise_times = previous
    return facts


def _facts(
    state: FolderState, uid: int, data: dict[bytes, Any], seen_at: datetime, *, dated: bool
) -> MessageFacts | None:
    if dated and b"INTERNALDATE" not in data:
        return None  # an expunge raced the fetch; the message is gone
    try:
        headers = parse_headers(_header_bytes(data))
        received_at, source = arrival_time(_aware(data.get(b"INTERNALDATE")), headers.date, seen_at)
        if source is not ArrivalSource.INTERNALDATE:
            raw = data.get(b"INTERNALDATE")
            log.warning(
                "%s UID %d: INTERNALDATE %s unusable; the clock starts at %s (%s)",
                state.folder,
                uid,
                raw.isoformat() if isinstance(raw, datetime) else "unreadable",
                received_at.isoformat(),
                source.value,
            )
        return MessageFacts(
            folder=state.folder,
            uidvalidity=state.uidvalidity,
            uid=uid,
            received_at=received_at,
            flags=message_flags(data.get(b"FLAGS")),
            headers=headers,
            size=_int(data.get(b"RFC822.SIZE")) or 0,
            first_seen=source is ArrivalSource.FIRST_SEEN,
        )
    except Exception as error:  # absurd data in one message must not end the scan
        log.warning("%s UID %d skipped: %s: %s", state.folder, uid, type(error).__name__, error)
        return None


def fetch_sent_headers(client: IMAPClient, uids: Sequence[int]) -> list[MessageHeaders]:
    """Only Message-ID, In-Reply-To and References of our sent mail: all a reply check needs."""
    item = _header_item(SENT_HEADER_FIELDS)
    headers: list[MessageHeaders] = []
    for batch in _batches(sorted(uids)):
        response = fetch_each(client, batch, [item])
        headers.extend(parse_headers(_header_bytes(data)) for data in response.values())
    return headers


def scan_folder(
    client: IMAPClient, folder: str, since: datetime, now: datetime | None = None
) -> tuple[FolderState, list[MessageFacts]]:
    state = examine(client, folder)
    uids: list[int] = (
        list(client.search(["SINCE", search_since_date(since)])) if state.exists else []
    )
    return state, fetch_facts(client, state, uids, now) if uids else []


def scan_sent(
    client: IMAPClient, folder: str, since: datetime
) -> tuple[FolderState, list[MessageHeaders]]:
    """A reply is always newer than what it answers, so Sent needs no longer look-back."""
    state = examine(client, folder)
    uids: list[int] = (
        list(client.search(["SINCE", search_since_date(since)])) if state.exists else []
    )
    return state, fetch_sent_headers(client, uids) if uids else []


def enable_condstore(client: IMAPClient) -> bool:
    """ENABLE CONDSTORE where offered, so EXAMINE reports HIGHESTMODSEQ (a cheap "did any
    flag change?" check for the watcher). Harmless when already enabled; False if unavailable."""
    if not client.has_capability("CONDSTORE"):
        return False
    try:
        client.enable("CONDSTORE")
    except imaplib.IMAP4.error:
        return False
    return True


def _scan_watched(
    client: IMAPClient, account: AccountConfig, since: datetime, now: datetime
) -> tuple[dict[str, FolderState], list[MessageFacts]]:
    folders: dict[str, FolderState] = {}
    inbox: list[MessageFacts] = []
    with mail_errors(account):
        enable_condstore(client)
        for folder in account.folders:
            state, facts = scan_folder(client, folder, since, now)
            folders[folder] = state
            inbox.extend(facts)
    return folders, inbox


def _scan_sent_side(
    client: IMAPClient, account: AccountConfig, since: datetime
) -> tuple[str | None, FolderState | None, list[MessageHeaders]]:
    with mail_errors(account):
        sent_folder = account.sent_folder or find_sent_folder(client)
        if sent_folder is None or sent_folder in account.folders:
            return sent_folder, None, []
        if account.sent_folder and not client.folder_exists(sent_folder):
            raise ProtocolError(f"sent folder {sent_folder!r} does not exist")
        enable_condstore(client)
        state, sent = scan_sent(client, sent_folder, since)
    return sent_folder, state, sent


def scan_account(
    client: IMAPClient,
    account: AccountConfig,
    now: datetime,
    *,
    sent_client: IMAPClient | None = None,
) -> ScanResult:
    """Look at the account's watched folders and its Sent folder. Raises ``MailError``.

    With ``sent_client`` (a second logged-in connection to the same account) Sent is scanned
    on it at the same time: on a big mailbox most of a scan is the server searching, and two
    connections let it search INBOX and Sent at once."""
    since = lookback_start(account, now)
    with (
        mail_errors(account),
        deadline(client, "scan", "finish the scan"),
        deadline(sent_client, "scan", "finish the scan of Sent"),
    ):
        return _scan_account(client, account, now, since, sent_client)


def _scan_account(
    client: IMAPClient,
    account: AccountConfig,
    now: datetime,
    since: datetime,
    sent_client: IMAPClient | None,
) -> ScanResult:
    if sent_client is None:
        folders, inbox = _scan_watched(client, account, since, now)
        sent_folder, sent_state, sent = _scan_sent_side(client, account, since)
    else:
        with ThreadPoolExecutor(max_workers=1) as side:
            sent_side = side.submit(_scan_sent_side, sent_client, account, since)
            folders, inbox = _scan_watched(client, account, since, now)
            sent_folder, sent_state, sent = sent_side.result()
    if sent_folder is not None and sent_state is not None:
        folders[sent_folder] = sent_state
    return ScanResult(
        account=account.name,
        scanned_at=now,
        since=since,
        inbox=inbox,
        sent=sent,
        replied_ids=replied_message_ids(sent),
        sent_folder=sent_folder,
        folders=folders,
    )
