"""Stored inquiries (core.history.InboxEntry) for the record's tests and screenshot scene."""

from __future__ import annotations

from datetime import datetime, timedelta

from trayapp.core.history import InboxEntry


def inquiry_entry(
    n: int,
    at: datetime,
    *,
    account: str = "shop",
    sender: str = "Jane <jane@x.jp>",
    subject: str | None = None,
    flag: bool = False,
) -> InboxEntry:
    """Inquiry number ``n`` (Message-ID ``m{n}@x.jp``, item ``item{n}``, UID n), due 24 h
    after it arrived at ``at``."""
    address = sender.rsplit("<", 1)[-1].rstrip(">")
    return InboxEntry(
        account=account,
        item_id=f"item{n}",
        folder="INBOX",
        uidvalidity=1,
        uid=n,
        message_id=f"m{n}@x.jp",
        sender=sender,
        sender_addr=address,
        subject=f"s{n}" if subject is None else subject,
        received_at=at,
        due_at=at + timedelta(hours=24),
        answered_flag=flag,
    )
