"""Which messages wait for a response, and when each is due.
Pure: server facts in, inquiries out."""

from __future__ import annotations

import hashlib
from collections.abc import Collection, Iterable
from datetime import datetime, timedelta

from trayapp.core.classify import non_inquiry_reason
from trayapp.core.model import AccountConfig, Inquiry, MessageFacts, MessageHeaders
from trayapp.core.schedule import Schedule, window_marks


def item_id(account: str, facts: MessageFacts) -> str:
    """A short id that stays the same across runs (and across UIDVALIDITY changes when the
    message has a Message-ID), so scripts can name an item in a later command."""
    key = facts.headers.message_id or f"uid:{facts.folder}:{facts.uidvalidity}:{facts.uid}"
    return item_id_for_key(account, key)


def item_id_for_key(account: str, key: str) -> str:
    """item_id from the message's key (its Message-ID, else uid:folder:uidvalidity:uid)."""
    digest = hashlib.sha256(f"{account}\0{key}".encode()).hexdigest()
    return digest[:12]


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


def waiting_inquiries(
    account: AccountConfig,
    inbox: Iterable[MessageFacts],
    replied_ids: Collection[str],
    now: datetime,
    *,
    dismissed_ids: Collection[str] = (),
    ignored_senders: Collection[str] = (),
    schedule: Schedule | None = None,
) -> list[Inquiry]:
    """The inquiries of one account that still wait, most urgent first.

    Each is due when the account's window has run on `schedule` (core.schedule: working
    hours, days off, absences); None runs it around the clock.

    A message waits when it arrived within the look-back, is an inquiry (not automated, bulk,
    list, bounce or our own), carries no \\Answered flag, is named by none of our sent mail,
    and the user has not dismissed it. Reading it changes nothing.
    """
    since = lookback_start(account, now)
    ignored = {s.lower() for s in ignored_senders}
    seen_message_ids: set[str] = set()
    waiting: list[Inquiry] = []
    # Oldest first, so a message delivered twice keeps its first arrival as its clock.
    messages = sorted(inbox, key=lambda f: (f.received_at, f.uid))
    # A message delivered twice is answered when either copy carries \Answered.
    flagged_ids = {f.headers.message_id for f in messages if f.answered_flag}
    for facts in messages:
        headers = facts.headers
        if facts.received_at < since:
            continue
        if facts.answered_flag:
            continue
        if headers.message_id is not None:
            if (
                headers.message_id in replied_ids
                or headers.message_id in flagged_ids
                or headers.message_id in seen_message_ids
            ):
                continue
            seen_message_ids.add(headers.message_id)
        if headers.from_addr in ignored:
            continue
        if non_inquiry_reason(headers, account.own_addresses) is not None:
            continue
        ident = item_id(account.name, facts)
        if ident in dismissed_ids:
            continue
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
            )
        )
    return sort_by_urgency(waiting)


def sort_by_urgency(items: Iterable[Inquiry]) -> list[Inquiry]:
    return sorted(items, key=lambda i: (i.deadline, i.account, i.uid))
