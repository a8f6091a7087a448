"""Which messages wait for a response, and when each is due.
Pure: server facts in, inquiries out."""

from __future__ import annotations

import hashlib
import sys
from collections.abc import Collection, Iterable, Iterator, Mapping
from datetime import datetime, timedelta

from trayapp.core.classify import non_inquiry_reason
from trayapp.core.model import AccountConfig, Inquiry, MessageFacts, MessageHeaders
from trayapp.core.schedule import Schedule, window_marks


def item_id(account: str, facts: MessageFacts, *, shared: bool = False) -> str:
    """A short id that stays the same across runs (and across UIDVALIDITY changes when the
    message has a Message-ID), so scripts can name an item in a later command.

    ``shared``: another, different message (see `copy_key`) came first with the same
    Message-ID; its id then also covers what it says, so both are listed, each with its own
    id. The first keeps the plain id, the one Ippo always gave it: dismissals, notifications
    and acknowledgements recorded under it keep working without any migration."""
    key = facts.headers.message_id or f"uid:{facts.folder}:{facts.uidvalidity}:{facts.uid}"
    if shared and facts.headers.message_id:
        key = "\0".join((key, *copy_key(facts)[1:]))
    return item_id_for_key(account, key)


def item_id_for_key(account: str, key: str) -> str:
    """item_id from the message's key (its Message-ID, else uid:folder:uidvalidity:uid).
    Interned: the watcher (for previews) and the service each work out the id of every
    waiting message, and a burst's messages then share one string, not two."""
    digest = hashlib.sha256(f"{account}\0{key}".encode()).hexdigest()
    return sys.intern(digest[:12])


def copy_key(facts: MessageFacts) -> tuple[str, str, str, str]:
    """What makes two messages copies of one (delivered twice, to two of our aliases): the
    same Message-ID, sender, subject and Date. A Message-ID alone can be reused by a broken
    mailer or chosen by an attacker to hide a second inquiry behind a first."""
    headers = facts.headers
    date = headers.date.isoformat() if headers.date is not None else ""
    return (headers.message_id or "", headers.from_addr, headers.subject, date)


def replied_message_ids(sent: Iterable[MessageHeaders]) -> frozenset[str]:
    """Every message id our sent mail names: a reply names its parent in In-Reply-To and the
    whole thread in References, so one reply answers every earlier message of its thread."""
    ids: set[str] = set()
    for headers in sent:
        ids.update(headers.in_reply_to)
        ids.update(headers.references)
    return frozenset(ids)


def lookback_start(account: AccountConfig, now: datetime) -> datetime:
    return now - timedelta(days=account.lookback_days)


def waiting_messages(
    account: AccountConfig,
    inbox: Iterable[MessageFacts],
    replied_ids: Collection[str],
    now: datetime,
    *,
    dismissed_ids: Collection[str] = (),
    ignored_senders: Collection[str] = (),
) -> Iterator[tuple[MessageFacts, str]]:
    """The messages of one account that still wait, each with its item id, oldest first.

    A message waits when it arrived within the look-back, is an inquiry (not automated, bulk,
    list, bounce or our own), carries no \\Answered flag, is named by none of our sent mail,
    and the user has not dismissed it. Reading it changes nothing. (What the watcher asks on
    every change: which messages, not when each is due, so no Inquiry is built for it.)
    """
    since = lookback_start(account, now)
    ignored = {s.lower() for s in ignored_senders}
    seen_copies: set[tuple[str, str, str, str]] = set()
    # Oldest first, so a message delivered twice keeps its first arrival as its clock.
    messages = sorted(inbox, key=lambda f: (f.received_at, f.uid))
    # A message delivered twice is answered when either copy carries \Answered.
    flagged = {copy_key(f) for f in messages if f.answered_flag}
    # The first message of each Message-ID keeps the plain id (see item_id).
    first_copy: dict[str, tuple[str, str, str, str]] = {}
    for facts in messages:
        if facts.headers.message_id is not None:
            first_copy.setdefault(facts.headers.message_id, copy_key(facts))
    for facts in messages:
        headers = facts.headers
        if facts.received_at < since:
            continue
        if facts.answered_flag:
            continue
        shared = False
        if headers.message_id is not None:
            key = copy_key(facts)
            if headers.message_id in replied_ids or key in flagged or key in seen_copies:
                continue
            seen_copies.add(key)
            shared = first_copy[headers.message_id] != key
        if headers.from_addr in ignored:
            continue
        if non_inquiry_reason(headers, account.own_addresses) is not None:
            continue
        ident = item_id(account.name, facts, shared=shared)
        if ident in dismissed_ids:
            continue
        yield facts, ident


def waiting_inquiries(
    account: AccountConfig,
    inbox: Iterable[MessageFacts],
    replied_ids: Collection[str],
    now: datetime,
    *,
    dismissed_ids: Collection[str] = (),
    ignored_senders: Collection[str] = (),
    schedule: Schedule | None = None,
    previews: Mapping[str, str] | None = None,
) -> list[Inquiry]:
    """The inquiries of one account that still wait (waiting_messages), most urgent first.

    Each is due when the account's window has run on `schedule` (core.schedule: working
    hours, days off, absences); None runs it around the clock. `previews`: the text shown
    for each, by item id.
    """
    waiting: list[Inquiry] = []
    found = waiting_messages(
        account,
        inbox,
        replied_ids,
        now,
        dismissed_ids=dismissed_ids,
        ignored_senders=ignored_senders,
    )
    for facts, ident in found:
        headers = facts.headers
        marks = window_marks(
            facts.received_at,
            account.window,
            schedule,
            timedelta(hours=account.warning_hours),
            timedelta(hours=account.urgent_hours),
        )
        waiting.append(
            Inquiry(
                id=ident,
                account=account.name,
                folder=facts.folder,
                uidvalidity=facts.uidvalidity,
                uid=facts.uid,
                message_id=headers.message_id,
                sender=headers.sender,
                sender_addr=headers.from_addr,
                subject=headers.subject,
                received_at=facts.received_at,
                due_at=marks.due_at,
                warning_at=marks.warning_at,
                urgent_at=marks.urgent_at,
                reply_to=headers.reply_to,
                references=headers.references,
                preview=previews.get(ident, "") if previews else "",
            )
        )
    return sort_by_urgency(waiting)


def sort_by_urgency(items: Iterable[Inquiry]) -> list[Inquiry]:
    return sorted(items, key=lambda i: (i.deadline, i.account, i.uid))
