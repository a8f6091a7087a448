"""The watch service keeps one object per unchanged item across recomputes."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

from trayapp.core.model import Inquiry
from trayapp.mail.service import _reusing

NOW = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)


def inquiry(n: int, subject: str = "Question") -> Inquiry:
    return Inquiry(
        id=f"item-{n}",
        account="shop",
        folder="INBOX",
        uidvalidity=1,
        uid=n,
        message_id=f"q{n}@customer.example",
        sender=f"Taro <taro{n}@customer.example>",
        sender_addr=f"taro{n}@customer.example",
        subject=subject,
        received_at=NOW - timedelta(hours=n),
        due_at=NOW + timedelta(hours=24 - n),
    )


def test_equal_items_keep_their_object_changed_and_new_ones_are_taken() -> None:
    before = (inquiry(1), inquiry(2), inquiry(3))
    recomputed = (inquiry(1), inquiry(2, subject="Edited"), inquiry(4))
    after = _reusing(recomputed, before)
    assert after == recomputed
    assert after[0] is before[0]  # equal: the one the GUI already holds
    assert after[1] is recomputed[1] and after[2] is recomputed[2]
    assert _reusing(recomputed, ()) is recomputed
    moved = replace(inquiry(1), due_at=NOW)
    assert _reusing((moved,), before)[0] is moved
