"""The promise an acknowledgement makes ("full answer by Thursday noon") and keeping track of it.

Pure: the caller passes `now` (timezone-aware, in the user's local zone) and gets aware
datetimes back in the same zone. Business days skip weekends and, with the Japanese calendar,
Japan's national holidays (from the `holidays` package, see core.calendars).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta, timezone
from typing import Literal

from trayapp.core.calendars import is_public_holiday, public_holidays
from trayapp.core.model import Inquiry, ItemState, MessageHeaders

Language = Literal["ja", "en"]
ClosedDay = Callable[[date], bool]

DEFAULT_DAY_END = time(18, 0)  # "end of the business day"


class PromiseChoice(enum.StrEnum):
    ONE_DAY = "1d"
    TWO_DAYS = "2d"
    NEXT_BUSINESS_DAY = "nbd"  # end of the next business day
    CUSTOM = "custom"


# --- calendars ---------------------------------------------------------------------------------


def is_weekend(day: date) -> bool:
    return day.weekday() >= 5


def japanese_holidays(year: int) -> dict[date, str]:
    """Japan's national holidays in `year` with their Japanese names, substitute (振替休日) and
    citizens' (国民の休日) holidays included -- from the `holidays` package, the same source as
    the working-hours clock (core.schedule), so a law that moves a day is one upgrade away."""
    return public_holidays("JP", year, "ja")


def is_japanese_closed_day(day: date) -> bool:
    """Weekend or a Japanese national holiday."""
    return is_weekend(day) or is_public_holiday("JP", day)


def calendar_for(language: Language, now: datetime) -> ClosedDay:
    """The Japanese calendar for Japanese replies or a user in Japan's time zone, else weekends."""
    offset = now.utcoffset()
    if language == "ja" or offset == timedelta(hours=9):
        return is_japanese_closed_day
    return is_weekend


# --- choosing the promised time ----------------------------------------------------------------


def _ceil_hour(moment: datetime) -> datetime:
    if moment.minute == moment.second == moment.microsecond == 0:
        return moment
    return moment.replace(minute=0, second=0, microsecond=0) + timedelta(hours=1)


def _wall(moment: datetime, days: int) -> datetime:
    """The same wall-clock time `days` later (calendar days, not 24-hour blocks)."""
    naive = moment.replace(tzinfo=None) + timedelta(days=days)
    return naive.replace(tzinfo=moment.tzinfo)


def next_business_day_end(
    now: datetime, closed: ClosedDay = is_weekend, day_end: time = DEFAULT_DAY_END
) -> datetime:
    """The end of the first business day after today."""
    day = now.date() + timedelta(days=1)
    for _ in range(60):  # a safety bound; no calendar closes for two months
        if not closed(day):
            break
        day += timedelta(days=1)
    return datetime.combine(day, day_end, tzinfo=now.tzinfo)


def promise_due(
    choice: PromiseChoice,
    now: datetime,
    *,
    custom: datetime | None = None,
    closed: ClosedDay = is_weekend,
    day_end: time = DEFAULT_DAY_END,
) -> datetime:
    """The promised moment for a picker choice. +N days round up to the next full hour."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    if choice is PromiseChoice.ONE_DAY:
        return _ceil_hour(_wall(now, 1))
    if choice is PromiseChoice.TWO_DAYS:
        return _ceil_hour(_wall(now, 2))
    if choice is PromiseChoice.NEXT_BUSINESS_DAY:
        return next_business_day_end(now, closed, day_end)
    if custom is None:
        raise ValueError("a chosen time is needed")
    if custom.tzinfo is None:
        custom = custom.replace(tzinfo=now.tzinfo)
    return custom.astimezone(now.tzinfo)


_SPEC = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*([dh])\s*$", re.IGNORECASE)


def parse_promise(
    spec: str,
    now: datetime,
    *,
    closed: ClosedDay = is_weekend,
    day_end: time = DEFAULT_DAY_END,
) -> datetime:
    """`2d`, `1d`, `36h`, `nbd` (end of the next business day) or an ISO time
    (`2025-11-27T12:00`, with or without offset; without, it is local time)."""
    text = spec.strip()
    if text.lower() in {"nbd", "eod", "next-business-day"}:
        return promise_due(PromiseChoice.NEXT_BUSINESS_DAY, now, closed=closed, day_end=day_end)
    match = _SPEC.match(text)
    if match:
        amount = float(match.group(1))
        if amount <= 0:
            raise ValueError(f"the promise must lie in the future: {spec!r}")
        if match.group(2).lower() == "d" and amount.is_integer():
            return _ceil_hour(_wall(now, int(amount)))
        hours = amount * (24 if match.group(2).lower() == "d" else 1)
        return _ceil_hour(now + timedelta(hours=hours))
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        raise ValueError(
            f"not a promise: {spec!r} (use 1d, 2d, 36h, nbd or a time like 2025-11-27T12:00)"
        ) from None
    due = promise_due(PromiseChoice.CUSTOM, now, custom=moment)
    if due <= now:
        raise ValueError(f"the promise must lie in the future: {spec!r}")
    return due


_JA_WEEKDAYS = "月火水木金土日"
_EN_WEEKDAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
_EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


JAPAN_OFFSET = timedelta(hours=9)
_JAPAN = timezone(JAPAN_OFFSET)
_ZONE_ABBREVIATION = re.compile(r"^[A-Z]{2,5}$")


def zone_label(moment: datetime) -> str:
    """A short name for `moment`'s zone a customer can read: the zone's own abbreviation
    ("JST", "CET", "EST") when it has one, else "UTC" or "UTC+5:30"."""
    name = moment.tzname() or ""
    if _ZONE_ABBREVIATION.match(name):
        return name
    offset = moment.utcoffset() or timedelta(0)
    if offset == JAPAN_OFFSET:
        return "JST"
    if not offset:
        return "UTC"
    sign = "+" if offset > timedelta(0) else "-"
    minutes = abs(int(offset.total_seconds())) // 60
    hours, rest = divmod(minutes, 60)
    return f"UTC{sign}{hours}" + (f":{rest:02d}" if rest else "")


def promise_phrase(due: datetime, language: Language, now: datetime | None = None) -> str:
    """'11月26日（水）12時まで' / 'Thursday, 26 November, 12:00 JST' (the year only when it
    differs from now's). Locale-independent on purpose: strftime's names follow the process
    locale.

    The time zone is said whenever a customer could read the time wrongly: a Japanese reply
    written from outside UTC+9 gives Japan's time, labelled 日本時間; an English reply always
    names its zone (its readers live anywhere)."""
    if language == "ja":
        label = ""
        if due.utcoffset() != JAPAN_OFFSET:
            due = due.astimezone(_JAPAN)
            now = now.astimezone(_JAPAN) if now is not None else None
            label = "日本時間 "
        show_year = now is not None and now.year != due.year
        clock = f"{due.hour}時" if due.minute == 0 else f"{due.hour}時{due.minute:02d}分"
        year = f"{due.year}年" if show_year else ""
        weekday = _JA_WEEKDAYS[due.weekday()]
        return f"{label}{year}{due.month}月{due.day}日（{weekday}）{clock}まで"
    show_year = now is not None and now.year != due.year
    year = f" {due.year}" if show_year else ""
    return (
        f"{_EN_WEEKDAYS[due.weekday()]}, {due.day} {_EN_MONTHS[due.month - 1]}{year}, "
        f"{due.hour:02d}:{due.minute:02d} {zone_label(due)}"
    )


# --- tracking the promise ----------------------------------------------------------------------


class AckState(enum.StrEnum):
    """Where one acknowledgement is in its life (the journal's states, trayapp/store/db.py).
    Only SENT and FILED mean the customer has it and its promise is open."""

    RECORDED = "recorded"  # written down (with its Message-ID and bytes) before sending
    SENT = "sent"  # the SMTP server accepted it; mailbox steps (Sent copy, \\Answered) may remain
    FILED = "filed"  # sent, filed in Sent where needed, \\Answered set
    DONE = "done"  # closed: the user marked the promise kept
    FAILED = "failed"  # sending failed (reason recorded); retryable, never silently dropped


DELIVERED_STATES = frozenset({AckState.SENT, AckState.FILED})


@dataclass(frozen=True)
class Acknowledgement:
    """One acknowledgement as the journal keeps it (core's view of a store.db.AckRecord)."""

    account: str
    item_id: str  # the inquiry's id (core.pending.item_id)
    message_id: str  # the acknowledgement's own Message-ID, without brackets
    state: AckState
    recorded_at: datetime
    promise_due_at: datetime | None
    inquiry: Inquiry  # a snapshot, so the item stays listed after the server calls it answered
    id: int | None = None  # the journal's row id
    sent_at: datetime | None = None
    error: str = ""
    attempted_at: datetime | None = None  # the send claim: set, the server may have it

    @property
    def inquiry_message_id(self) -> str | None:
        return self.inquiry.message_id


# Clocks of the user's devices differ; a reply dated a little before the acknowledgement was
# recorded is still "later".
_CLOCK_SLACK = timedelta(minutes=10)


def promise_kept(ack: Acknowledgement, sent: Iterable[MessageHeaders]) -> bool:
    """Whether our Sent mail holds a reply in the thread written after the acknowledgement
    (not the acknowledgement itself): it names the inquiry or the acknowledgement."""
    targets = {ack.message_id}
    if ack.inquiry_message_id:
        targets.add(ack.inquiry_message_id)
    for headers in sent:
        if headers.message_id == ack.message_id:
            continue
        if not targets.intersection((*headers.in_reply_to, *headers.references)):
            continue
        if headers.date is not None and headers.date < ack.recorded_at - _CLOCK_SLACK:
            continue  # an earlier reply in the thread, not the promised answer
        return True
    return False


def latest_acks(acks: Iterable[Acknowledgement]) -> dict[str, Acknowledgement]:
    """The most recent acknowledgement per item (a retry reuses its record; a second one
    for the same item, made on purpose, replaces the first)."""
    latest: dict[str, Acknowledgement] = {}
    for ack in sorted(acks, key=lambda a: (a.recorded_at, a.id or 0)):
        key = f"{ack.account}\0{ack.item_id}"
        latest[key] = ack
    return latest


def apply_acknowledgements(
    inquiries: Iterable[Inquiry],
    acks: Iterable[Acknowledgement],
    sent: Iterable[MessageHeaders],
) -> list[Inquiry]:
    """Merge the acknowledgement journal into the waiting list.

    An item whose acknowledgement reached the customer is `acknowledged` with its
    `promise_due_at` -- even when the server now calls the inquiry answered (our own
    acknowledgement sets \\Answered and names it from Sent) -- until a later reply in the
    thread is in Sent or the user marked it done; then it leaves the list. Items whose
    acknowledgement is still recorded or failed keep waiting. Most urgent first."""
    from trayapp.core.pending import sort_by_urgency

    sent_list = list(sent)
    by_key = {f"{i.account}\0{i.id}": i for i in inquiries}
    for key, ack in latest_acks(acks).items():
        if ack.state is AckState.DONE:
            by_key.pop(key, None)
            continue
        if ack.state not in DELIVERED_STATES:
            continue
        if promise_kept(ack, sent_list):
            by_key.pop(key, None)
            continue
        base = by_key.get(key, ack.inquiry)
        by_key[key] = replace(base, state=ItemState.ACKNOWLEDGED, promise_due_at=ack.promise_due_at)
    return sort_by_urgency(by_key.values())


def inquiry_to_dict(inquiry: Inquiry) -> dict[str, object]:
    """Everything of an inquiry, JSON-safe (for the journal's snapshot)."""
    return {
        "id": inquiry.id,
        "account": inquiry.account,
        "folder": inquiry.folder,
        "uidvalidity": inquiry.uidvalidity,
        "uid": inquiry.uid,
        "message_id": inquiry.message_id,
        "sender": inquiry.sender,
        "sender_addr": inquiry.sender_addr,
        "subject": inquiry.subject,
        "received_at": inquiry.received_at.isoformat(),
        "due_at": inquiry.due_at.isoformat(),
        "reply_to": list(inquiry.reply_to),
        "references": list(inquiry.references),
        "preview": inquiry.preview,
    }


def inquiry_from_dict(data: Mapping[str, object]) -> Inquiry:
    def text(key: str) -> str:
        value = data.get(key)
        return value if isinstance(value, str) else ""

    def number(key: str) -> int:
        value = data.get(key)
        return value if isinstance(value, int) else 0

    def strings(key: str) -> tuple[str, ...]:
        value = data.get(key)
        return tuple(v for v in value if isinstance(v, str)) if isinstance(value, list) else ()

    def moment(key: str) -> datetime:
        value = text(key)
        return datetime.fromisoformat(value) if value else datetime.fromtimestamp(0, UTC)

    message_id = data.get("message_id")
    return Inquiry(
        id=text("id"),
        account=text("account"),
        folder=text("folder"),
        uidvalidity=number("uidvalidity"),
        uid=number("uid"),
        message_id=message_id if isinstance(message_id, str) else None,
        sender=text("sender"),
        sender_addr=text("sender_addr"),
        subject=text("subject"),
        received_at=moment("received_at"),
        due_at=moment("due_at"),
        reply_to=strings("reply_to"),
        references=strings("references"),
        preview=text("preview"),
    )
