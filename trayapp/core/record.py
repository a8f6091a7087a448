"""The trust record: how well the promise was kept, per week and per month, per account and in
total. Pure: inquiry records (core.history) in, figures out. README "The record" defines
every figure exactly as computed here.

Periods are the user's local calendar: an inquiry belongs to the week (Monday to Sunday) and
the month in which it arrived, in the time zone passed in.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import date, datetime, timedelta, tzinfo

from trayapp.core.history import InquiryRecord

FIGURE_KEYS: tuple[str, ...] = (
    "inquiries",
    "answered",
    "answered_within_window",
    "answered_late",
    "unanswered_overdue",
    "still_open",
    "answered_time_unknown",
    "share_within_window",
    "median_first_reply_seconds",
    "p90_first_reply_seconds",
    "longest_wait_seconds",
    "overdue",
    "promises_made",
    "promises_kept",
    "promises_broken",
)


@dataclass(frozen=True)
class Figures:
    """The figures of one period (and one account, or all)."""

    inquiries: int = 0
    answered: int = 0
    answered_within_window: int = 0
    answered_late: int = 0
    unanswered_overdue: int = 0
    still_open: int = 0
    answered_time_unknown: int = 0
    share_within_window: float | None = None
    median_first_reply_seconds: int | None = None
    p90_first_reply_seconds: int | None = None
    longest_wait_seconds: int | None = None
    overdue: int = 0
    promises_made: int = 0
    promises_kept: int = 0
    promises_broken: int = 0

    def to_json(self) -> dict[str, object]:
        return asdict(self)


def median_seconds(values: Sequence[int]) -> int | None:
    """The middle value; for an even count the mean of the two middle ones, rounded down."""
    if not values:
        return None
    ordered = sorted(values)
    middle = len(ordered) // 2
    if len(ordered) % 2:
        return ordered[middle]
    return (ordered[middle - 1] + ordered[middle]) // 2


def percentile_seconds(values: Sequence[int], percent: int) -> int | None:
    """Nearest rank: the value at position ceil(percent/100 * n) of the ascending list."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(percent * len(ordered) / 100))
    return ordered[rank - 1]


def figures(records: Iterable[InquiryRecord], now: datetime) -> Figures:
    """One pass over the records (a report computes this for every week, month and account)."""
    count = answered = within = late = unanswered_overdue = still_open = unknown = 0
    made = kept = broken = 0
    reply_times: list[int] = []
    longest: int | None = None
    for r in records:
        count += 1
        if r.first_reply_at is not None:
            answered += 1
            seconds = int((r.first_reply_at - r.received_at).total_seconds())
            reply_times.append(seconds)
            wait: int | None = seconds
            if r.first_reply_at <= r.due_at:
                within += 1
            else:
                late += 1
        elif r.first_reply_via is not None:
            answered += 1
            unknown += 1
            wait = None
        else:
            wait = max(0, int((now - r.received_at).total_seconds()))
            if now > r.due_at:
                unanswered_overdue += 1
            else:
                still_open += 1
        if wait is not None and (longest is None or wait > longest):
            longest = wait
        if r.promise_due_at is not None:
            made += 1
            if r.promise_kept():
                kept += 1
            elif r.promise_broken(now):
                broken += 1
    decided = count - still_open
    return Figures(
        inquiries=count,
        answered=answered,
        answered_within_window=within,
        answered_late=late,
        unanswered_overdue=unanswered_overdue,
        still_open=still_open,
        answered_time_unknown=unknown,
        share_within_window=round(within / decided, 4) if decided else None,
        median_first_reply_seconds=median_seconds(reply_times),
        p90_first_reply_seconds=percentile_seconds(reply_times, 90),
        longest_wait_seconds=longest,
        overdue=late + unanswered_overdue,
        promises_made=made,
        promises_kept=kept,
        promises_broken=broken,
    )


def week_start(moment: datetime, zone: tzinfo) -> date:
    """The Monday of the local week ``moment`` falls in."""
    day = moment.astimezone(zone).date()
    return day - timedelta(days=day.weekday())


def month_start(moment: datetime, zone: tzinfo) -> date:
    return moment.astimezone(zone).date().replace(day=1)


def _next_month(day: date) -> date:
    return date(day.year + day.month // 12, day.month % 12 + 1, 1)


@dataclass(frozen=True)
class Period:
    """One week or month: its figures in total and per account."""

    start: date
    total: Figures
    accounts: dict[str, Figures] = field(default_factory=dict)


@dataclass(frozen=True)
class RecordView:
    """Everything the record window shows (computed on a worker; no Qt here, so the
    tray's tooltip and the worker do not load the window's code)."""

    weeks: Sequence[Period]  # oldest first; the last one is this week
    window_hours: float | None  # None when the accounts' windows differ
    slowest: Sequence[InquiryRecord] = ()
    computed_at: datetime | None = None
    errors: dict[str, str] = field(default_factory=dict)  # account -> why it was not read

    @property
    def this_week(self) -> Figures:
        return self.weeks[-1].total if self.weeks else Figures()


@dataclass(frozen=True)
class Report:
    generated_at: datetime
    since: date  # the first week's Monday
    time_zone: str
    account: str | None
    total: Figures
    accounts: dict[str, Figures]
    weeks: list[Period]
    months: list[Period]

    def to_json(self) -> dict[str, object]:
        def period(p: Period, key: str) -> dict[str, object]:
            return {
                key: p.start.isoformat(),
                **p.total.to_json(),
                "accounts": {name: f.to_json() for name, f in p.accounts.items()},
            }

        return {
            "generated_at": self.generated_at.isoformat(timespec="seconds"),
            "since": self.since.isoformat(),
            "time_zone": self.time_zone,
            "account": self.account,
            "total": {
                **self.total.to_json(),
                "accounts": {name: f.to_json() for name, f in self.accounts.items()},
            },
            "weeks": [period(w, "week_start") for w in self.weeks],
            "months": [
                {**period(m, "month_start"), "counted_from": max(m.start, self.since).isoformat()}
                for m in self.months
            ],
        }


def _period(start: date, records: list[InquiryRecord], names: list[str], now: datetime) -> Period:
    by_account: dict[str, list[InquiryRecord]] = {n: [] for n in names}
    for record in records:
        mine = by_account.get(record.account)
        if mine is not None:
            mine.append(record)
    return Period(
        start=start,
        total=figures(records, now),
        accounts={n: figures(by_account[n], now) for n in names},
    )


def build_report(
    records: Iterable[InquiryRecord],
    now: datetime,
    zone: tzinfo,
    *,
    since: date,
    accounts: Sequence[str],
    account: str | None = None,
    zone_name: str = "",
    summarised: Mapping[date, Period] | None = None,
) -> Report:
    """Weeks from the week holding ``since`` to the one holding ``now`` (empty weeks
    included, oldest first) and the months they touch; ``account`` keeps only that one.
    ``summarised``: the figures of months whose records were folded away (older than a
    year); they stand in for those months and add nothing to the weeks or the total."""
    names = [account] if account is not None else list(accounts)
    first_week = since - timedelta(days=since.weekday())
    this_week = week_start(now, zone)
    chosen = [
        r
        for r in records
        if (account is None or r.account == account)
        and first_week <= week_start(r.received_at, zone) <= this_week
    ]
    by_week: dict[date, list[InquiryRecord]] = {}
    by_month: dict[date, list[InquiryRecord]] = {}
    for record in chosen:
        by_week.setdefault(week_start(record.received_at, zone), []).append(record)
        by_month.setdefault(month_start(record.received_at, zone), []).append(record)
    weeks: list[Period] = []
    day = first_week
    while day <= this_week:
        weeks.append(_period(day, by_week.get(day, []), names, now))
        day += timedelta(days=7)
    months: list[Period] = []
    month = first_week.replace(day=1)
    last_month = now.astimezone(zone).date().replace(day=1)
    while month <= last_month:
        kept = (summarised or {}).get(month)
        if kept is not None and month not in by_month:
            months.append(kept)
        else:
            months.append(_period(month, by_month.get(month, []), names, now))
        month = _next_month(month)
    whole = _period(first_week, chosen, names, now)
    return Report(
        generated_at=now,
        since=first_week,
        time_zone=zone_name or str(zone),
        account=account,
        total=whole.total,
        accounts=whole.accounts,
        weeks=weeks,
        months=months,
    )


def slowest(
    records: Iterable[InquiryRecord], now: datetime, *, since: datetime, limit: int = 5
) -> list[InquiryRecord]:
    """The inquiries that waited longest among those that arrived since ``since``."""
    recent = [r for r in records if r.received_at >= since and r.wait_seconds(now) is not None]
    recent.sort(key=lambda r: (-(r.wait_seconds(now) or 0), r.received_at))
    return recent[:limit]
