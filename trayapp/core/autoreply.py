"""The optional automatic first word while away (off by default): whom to answer and what to
say. Pure.

Only inquiries get one -- the waiting set already leaves out automated, bulk, list, bounce and
own mail (core.classify) -- and each sender at most once per absence. The message is an RFC
3834 auto-reply (`Auto-Submitted: auto-replied`, added where it is built), so well-behaved
systems never answer it in turn."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from datetime import datetime

from trayapp.core.away import Absence
from trayapp.core.model import Inquiry, ItemState
from trayapp.core.promise import Language, promise_phrase

AUTO_SUBMITTED = "auto-replied"  # RFC 3834 section 5

_TEXT = {
    "ja": (
        "お問い合わせありがとうございます。\n"
        "ただいま不在にしております。{until}以降、順にご返信いたします。\n"
        "恐れ入りますが、今しばらくお待ちください。\n\n"
        "（このメールは自動送信です）"
    ),
    "en": (
        "Thank you for your message.\n"
        "I am away at the moment and will reply after I am back ({until}).\n\n"
        "(This is an automatic reply.)"
    ),
}


def auto_reply_targets(
    items: Iterable[Inquiry], absence: Absence | None, replied_senders: Collection[str]
) -> list[Inquiry]:
    """The inquiries to answer automatically now: arrived during an absence that asked for
    it, still waiting, from a sender not answered during this absence (the first message of
    each sender)."""
    if absence is None or not absence.auto_reply:
        return []
    done = {s.lower() for s in replied_senders}
    chosen: list[Inquiry] = []
    for item in sorted(items, key=lambda i: (i.received_at, i.uid)):
        sender = item.sender_addr.lower()
        if (
            item.state is ItemState.WAITING
            and absence.covers(item.received_at)
            and sender
            and sender not in done
        ):
            done.add(sender)
            chosen.append(item)
    return chosen


def auto_reply_text(language: Language, until: datetime, now: datetime) -> str:
    return _TEXT[language].format(until=promise_phrase(until, language, now).removesuffix("まで"))
