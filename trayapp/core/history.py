"""The history of every inquiry: when it arrived, when the first reply left, the deadline it
had, and the promise an acknowledgement made. Pure: stored facts in, records out.

The same rules as the pending list decide what an inquiry is (core.classify, core.pending):
automated, bulk, list, bounce and our own mail never count, a sender the user ignores or a
message the user called "not an inquiry" neither, and a message delivered twice counts once
with its first arrival. The first reply is the earliest of

- a message in the Sent folder of ANY of the user's accounts naming the inquiry in
  In-Reply-To or References (its time: the earlier of the Sent copy's INTERNALDATE and its
  Date header, never before the inquiry arrived),
- an acknowledgement from the journal that reached the server (the moment it was sent),
- "marked answered" by the user (the moment they said so),
- the \\Answered flag, when another mail program set it: the moment Ippo first saw the flag
  (unknown when the flag was already there at the first build).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from trayapp.core.classify import non_inquiry_reason
from trayapp.core.model import AccountConfig, MessageFacts
from trayapp.core.pending import item_id
from trayapp.core.schedule import Schedule, due_at

# Clocks of the user's devices differ: a full answer dated a little before the
# acknowledgement was recorded is still "after" it (the same slack core.promise uses).
CLOCK_SLACK = timedelta(minutes=10)


DEFAULT_HISTORY_DAYS = 90
HISTORY_DAYS_SETTING = "history_days"  # config.json settings: how far back the first read goes


def history_days(settings: Mapping[str, object]) -> int:
    """The look-back of the first history read, from the settings (90 days unless set to a
    whole number of days from 1 to 3660)."""
    value = settings.get(HISTORY_DAYS_SETTING)
    if isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 3660:
        return value
    return DEFAULT_HISTORY_DAYS


def deadline_for(
    account: AccountConfig, arrival: datetime, schedule: Schedule | None = None
) -> datetime:
    """The deadline an inquiry that arrived at ``arrival`` had: the account's window run on
    its schedule (core.schedule: working hours, days off, absences; None: around the clock).
    The ONE place the history asks this."""
    return due_at(arrival, account.window, schedule)


@dataclass(frozen=True, slots=True)
class InboxEntry:
    """An inquiry as the history stores it (only inquiries are stored)."""

    account: str
    item_id: str
    folder: str
    uidvalidity: int
    uid: int
    message_id: str | None
    sender: str
    sender_addr: str
    subject: str
    received_at: datetime
    due_at: datetime
    answered_flag: bool = False
    flag_seen_at: datetime | None = None  # when Ippo first saw \Answered (None: unknown)


@dataclass(frozen=True, slots=True)
class SentEntry:
    """One message in a Sent folder: its id, the ids it names, and when it left."""

    account: str
    message_id: str | None
    names: tuple[str, ...]  # In-Reply-To and References, without angle brackets
    sent_at: datetime


@dataclass(frozen=True, slots=True)
class PromiseFact:
    """An acknowledgement that reached the customer, as the journal keeps it."""

    account: str
    item_id: str
    inquiry_message_id: str | None
    ack_message_id: str
    sent_at: datetime
    due_at: datetime | None
    done_at: datetime | None = None  # the user marked the promise kept at this moment


@dataclass(frozen=True, slots=True)
class InquiryRecord:
    """One inquiry's history: everything the figures are computed from."""

    account: str
    item_id: str
    message_id: str | None
    sender: str
    subject: str
    received_at: datetime
    due_at: datetime
    first_reply_at: datetime | None  # None: no reply known (or only a flag of unknown time)
    first_reply_via: str | None  # "sent", "ack", "marked", "flag", "flag-unknown-time"
    promise_due_at: datetime | None = None
    full_answer_at: datetime | None = None  # the first reply after the acknowledgement

    @property
    def answered(self) -> bool:
        return self.first_reply_via is not None

    @property
    def reply_time_known(self) -> bool:
        return self.first_reply_at is not None

    def first_reply_seconds(self) -> int | None:
        if self.first_reply_at is None:
            return None
        return int((self.first_reply_at - self.received_at).total_seconds())

    def within_window(self) -> bool:
        return self.first_reply_at is not None and self.first_reply_at <= self.due_at

    def overdue(self, now: datetime) -> bool:
        """The first reply came after the deadline, or none came and the deadline passed."""
        if self.first_reply_at is not None:
            return self.first_reply_at > self.due_at
        return not self.answered and now > self.due_at

    def still_open(self, now: datetime) -> bool:
        """Unanswered and not yet due: neither kept nor broken so far."""
        return not self.answered and now <= self.due_at

    def wait_seconds(self, now: datetime) -> int | None:
        """How long the customer waited: until the first reply, or until now when none came."""
        if self.first_reply_at is not None:
            return int((self.first_reply_at - self.received_at).total_seconds())
        if self.answered:
            return None
        return max(0, int((now - self.received_at).total_seconds()))

    @property
    def promise_made(self) -> bool:
        return self.promise_due_at is not None

    def promise_kept(self) -> bool:
        return (
            self.promise_due_at is not None
            and self.full_answer_at is not None
            and self.full_answer_at <= self.promise_due_at
        )

    def promise_broken(self, now: datetime) -> bool:
        if self.promise_due_at is None or self.promise_kept():
            return False
        return self.full_answer_at is not None or now > self.promise_due_at


def inbox_entry(
    account: AccountConfig,
    facts: MessageFacts,
    *,
    flag_seen_at: datetime | None = None,
    schedule: Schedule | None = None,
) -> InboxEntry | None:
    """The stored form of one INBOX message, or None when it is not an inquiry (automated,
    list, bulk, bounce, system sender or our own mail: never stored, never counted)."""
    headers = facts.headers
    if non_inquiry_reason(headers, account.own_addresses) is not None:
        return None
    return InboxEntry(
        account=account.name,
        item_id=item_id(account.name, facts),
        folder=facts.folder,
        uidvalidity=facts.uidvalidity,
        uid=facts.uid,
        message_id=headers.message_id,
        sender=headers.sender,
        sender_addr=headers.from_addr,
        subject=headers.subject,
        received_at=facts.received_at,
        due_at=deadline_for(account, facts.received_at, schedule),
        answered_flag=facts.answered_flag,
        flag_seen_at=flag_seen_at if facts.answered_flag else None,
    )


def sent_time(internal_date: datetime, date_header: datetime | None) -> datetime:
    """When a sent message left: the Sent copy's INTERNALDATE, or its Date header when that is
    earlier (a Sent folder copied or migrated later keeps the original Date)."""
    if date_header is not None and date_header < internal_date:
        return date_header
    return internal_date


def _reply_index(sent: Iterable[SentEntry]) -> dict[str, datetime]:
    """Message id -> the earliest moment a sent message named it."""
    index: dict[str, datetime] = {}
    for entry in sent:
        for name in entry.names:
            known = index.get(name)
            if known is None or entry.sent_at < known:
                index[name] = entry.sent_at
    return index


def _replies_after(
    sent: Iterable[SentEntry], targets: set[str], after: datetime, exclude: Collection[str]
) -> datetime | None:
    best: datetime | None = None
    for entry in sent:
        if entry.message_id is not None and entry.message_id in exclude:
            continue
        if entry.sent_at < after - CLOCK_SLACK or not targets.intersection(entry.names):
            continue
        if best is None or entry.sent_at < best:
            best = entry.sent_at
    return best


def build_records(
    inbox: Iterable[InboxEntry],
    sent: Iterable[SentEntry],
    promises: Iterable[PromiseFact] = (),
    *,
    answered_marks: Mapping[tuple[str, str], datetime] | None = None,
    not_inquiry: Collection[tuple[str, str]] = (),
    ignored_senders: Collection[tuple[str, str]] = (),
) -> list[InquiryRecord]:
    """Every inquiry's record, oldest first.

    ``sent`` holds the Sent folders of all accounts (a reply from any of them counts);
    ``answered_marks`` maps (account, item id) to when the user marked it answered;
    ``not_inquiry`` and ``ignored_senders`` are (account, item id) and (account, address)."""
    sent_list = list(sent)
    marks = dict(answered_marks or {})
    dismissed = set(not_inquiry)
    ignored = {(a, s.lower()) for a, s in ignored_senders}
    promise_list = list(promises)
    ack_ids = {p.ack_message_id for p in promise_list}
    replies = _reply_index(sent_list)
    by_item: dict[tuple[str, str], PromiseFact] = {}
    by_message: dict[tuple[str, str], PromiseFact] = {}
    for promise in sorted(promise_list, key=lambda p: p.sent_at):
        by_item[(promise.account, promise.item_id)] = promise  # the latest one wins
        if promise.inquiry_message_id:
            by_message[(promise.account, promise.inquiry_message_id)] = promise

    records: list[InquiryRecord] = []
    seen: set[tuple[str, str]] = set()
    for entry in sorted(inbox, key=lambda e: (e.received_at, e.account, e.uid)):
        key = (entry.account, entry.message_id or f"uid:{entry.folder}:{entry.uid}")
        if key in seen:
            continue  # delivered twice: the first arrival is its clock
        seen.add(key)
        if (entry.account, entry.item_id) in dismissed:
            continue
        if (entry.account, entry.sender_addr.lower()) in ignored:
            continue
        made = by_item.get((entry.account, entry.item_id))
        if made is None and entry.message_id is not None:
            made = by_message.get((entry.account, entry.message_id))
        records.append(_record(entry, replies, sent_list, made, marks, ack_ids))
    return records


def _record(
    entry: InboxEntry,
    replies: Mapping[str, datetime],
    sent: list[SentEntry],
    promise: PromiseFact | None,
    marks: Mapping[tuple[str, str], datetime],
    ack_ids: Collection[str],
) -> InquiryRecord:
    candidates: list[tuple[datetime, str]] = []
    if entry.message_id is not None and entry.message_id in replies:
        candidates.append((max(replies[entry.message_id], entry.received_at), "sent"))
    if promise is not None:
        candidates.append((max(promise.sent_at, entry.received_at), "ack"))
    mark = marks.get((entry.account, entry.item_id))
    if mark is not None:
        candidates.append((max(mark, entry.received_at), "marked"))
    if entry.answered_flag and entry.flag_seen_at is not None:
        candidates.append((max(entry.flag_seen_at, entry.received_at), "flag"))
    first_at: datetime | None = None
    via: str | None = None
    if candidates:
        first_at, via = min(candidates)
    elif entry.answered_flag:
        via = "flag-unknown-time"
    record = InquiryRecord(
        account=entry.account,
        item_id=entry.item_id,
        message_id=entry.message_id,
        sender=entry.sender,
        subject=entry.subject,
        received_at=entry.received_at,
        due_at=entry.due_at,
        first_reply_at=first_at,
        first_reply_via=via,
    )
    if promise is None or promise.due_at is None:
        return record
    targets = {promise.ack_message_id}
    if entry.message_id is not None:
        targets.add(entry.message_id)
    full = _replies_after(sent, targets, promise.sent_at, ack_ids)
    if promise.done_at is not None and (full is None or promise.done_at < full):
        full = promise.done_at
    return replace(record, promise_due_at=promise.due_at, full_answer_at=full)
