"""The promise an acknowledgement makes ("full answer by Thursday noon") and keeping track of it.

Pure: the caller passes `now` (timezone-aware, in the user's local zone) and gets aware
datetimes back in the same zone. Business days skip weekends and, with the Japanese calendar,
Japan's national holidays (computed from the Holidays Act's rules, see `japanese_holidays`).
"""

from __future__ import annotations

import enum
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import UTC, date, datetime, time, timedelta
from typing import Literal

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


def _nth_monday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    offset = (7 - first.weekday()) % 7  # days to the first Monday
    return first + timedelta(days=offset + 7 * (n - 1))


def _equinox_day(year: int, base: float) -> int:
    # The National Astronomical Observatory's approximation, valid 1980-2099.
    return int(base + 0.242194 * (year - 1980) - (year - 1980) // 4)


# Years in which the law moved or added holidays (the 2019 enthronement, the 2020/2021 Games).
_SPECIAL_YEARS: dict[int, dict[date, str]] = {
    2019: {
        date(2019, 4, 30): "国民の休日",
        date(2019, 5, 1): "天皇の即位の日",
        date(2019, 5, 2): "国民の休日",
        date(2019, 10, 22): "即位礼正殿の儀の行われる日",
    },
}
_MOVED: dict[int, dict[str, date]] = {
    2020: {
        "海の日": date(2020, 7, 23), "スポーツの日": date(2020, 7, 24), "山の日": date(2020, 8, 10)
    },
    2021: {
        "海の日": date(2021, 7, 22), "スポーツの日": date(2021, 7, 23), "山の日": date(2021, 8, 8)
    },
}


def japanese_holidays(year: int) -> dict[date, str]:
    """Japan's national holidays in `year` (2007-2099, the rules of the current Holidays Act,
    including substitute holidays and the 'citizens' holiday' between two holidays).

    Why a small rule table rather than a library: the rules are few and stable, the equinox
    days follow a published formula, and the app must not depend on a data download. A law
    change for a future year needs one line here (tested against the Cabinet Office's lists)."""
    if not 2007 <= year <= 2099:
        return {}
    moved = _MOVED.get(year, {})
    days: dict[date, str] = {
        date(year, 1, 1): "元日",
        _nth_monday(year, 1, 2): "成人の日",
        date(year, 2, 11): "建国記念の日",
        date(year, 3, _equinox_day(year, 20.8431)): "春分の日",
        date(year, 4, 29): "昭和の日",
        date(year, 5, 3): "憲法記念日",
        date(year, 5, 4): "みどりの日",
        date(year, 5, 5): "こどもの日",
        moved.get("海の日", _nth_monday(year, 7, 3)): "海の日",
        _nth_monday(year, 9, 3): "敬老の日",
        date(year, 9, _equinox_day(year, 23.2488)): "秋分の日",
        moved.get("スポーツの日", _nth_monday(year, 10, 2)): (
            "スポーツの日" if year >= 2020 else "体育の日"
        ),
        date(year, 11, 3): "文化の日",
        date(year, 11, 23): "勤労感謝の日",
    }
    if year >= 2016:
        days[moved.get("山の日", date(year, 8, 11))] = "山の日"
    if year >= 2020:
        days[date(year, 2, 23)] = "天皇誕生日"
    elif year <= 2018:
        days[date(year, 12, 23)] = "天皇誕生日"
    days.update(_SPECIAL_YEARS.get(year, {}))
    # A weekday squeezed between two holidays is a holiday too (e.g. 22 September 2026).
    for day in sorted(days):
        between = day + timedelta(days=1)
        if (
            between not in days
            and between + timedelta(days=1) in days
            and between.weekday() != 6
        ):
            days[between] = "国民の休日"
    # A holiday on a Sunday moves its rest to the next day that is not already a holiday.
    for day in sorted(days):
        if day.weekday() == 6:
            sub = day + timedelta(days=1)
            while sub in days:
                sub += timedelta(days=1)
            days[sub] = "休日"
    return days


_JP_CACHE: dict[int, dict[date, str]] = {}


def is_japanese_closed_day(day: date) -> bool:
    """Weekend or a Japanese national holiday."""
    if is_weekend(day):
        return True
    holidays = _JP_CACHE.get(day.year)
    if holidays is None:
        holidays = _JP_CACHE[day.year] = japanese_holidays(day.year)
    return day in holidays


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
    "January", "February", "March", "April", "May", "June", "July", "August", "September",
    "October", "November", "December",
)


def promise_phrase(due: datetime, language: Language, now: datetime | None = None) -> str:
    """'11月26日（木）12時まで' / 'Thursday, 26 November, 12:00' (the year only when it differs
    from now's). Locale-independent on purpose: strftime's names follow the process locale."""
    show_year = now is not None and now.year != due.year
    if language == "ja":
        clock = f"{due.hour}時" if due.minute == 0 else f"{due.hour}時{due.minute:02d}分"
        year = f"{due.year}年" if show_year else ""
        return f"{year}{due.month}月{due.day}日（{_JA_WEEKDAYS[due.weekday()]}）{clock}まで"
    year = f" {due.year}" if show_year else ""
    return (
        f"{_EN_WEEKDAYS[due.weekday()]}, {due.day} {_EN_MONTHS[due.month - 1]}{year}, "
        f"{due.hour:02d}:{due.minute:02d}"
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
        by_key[key] = replace(
            base, state=ItemState.ACKNOWLEDGED, promise_due_at=ack.promise_due_at
        )
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
