"""The clock promises are kept on: working hours, working days, public holidays, days off and
absences, in the account's own time zone. Pure (the caller passes zones and instants).

The rule: the response window counts only time inside the account's working hours, on its
working days (not a chosen country's public holidays, not the user's days off), outside any
absence. An inquiry is due at the instant its counted time reaches the window. With no schedule
the clock runs around the clock: due = arrival + window, exactly.
"""

from __future__ import annotations

import contextlib
import functools
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from trayapp.core.calendars import UnknownCountry, check_country, is_public_holiday
from trayapp.core.model import AccountConfig
from trayapp.core.said import Said, SaidError

WEEKDAYS = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")
ALWAYS = "always"
DAY_MINUTES = 24 * 60
# How far ahead the clock looks for working time before it gives up (a schedule whose days off
# cover years would otherwise loop for ever): then the due time is that far out.
SEARCH_DAYS = 3 * 366

Minutes = tuple[int, int]  # [start, end) in minutes after local midnight
Pause = tuple[datetime, datetime]  # [start, end), aware instants
DayRange = tuple[date, date]  # inclusive


class ScheduleError(SaidError, ValueError):
    """A schedule text that cannot be read; str() says what and how to write it (English),
    text(catalog) in the catalog's language. From check_schedule_fields, `field` names the
    account field and `detail` says the rest."""

    def __init__(self, said: Said, *, field: str = "", detail: Said | None = None) -> None:
        super().__init__(said)
        self.field = field
        self.detail = detail or said


# --- working hours -----------------------------------------------------------------------------


@dataclass(frozen=True)
class WeeklyHours:
    """Working time per weekday (Monday first): sorted, non-overlapping minute ranges."""

    days: tuple[tuple[Minutes, ...], ...]

    def __post_init__(self) -> None:
        if len(self.days) != 7:
            raise ValueError("seven weekdays expected")

    @property
    def is_always(self) -> bool:
        return all(day == ((0, DAY_MINUTES),) for day in self.days)

    def format(self) -> str:
        return format_working_hours(self)


_RANGE = re.compile(r"^(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})$")


def _minutes(hours: str, minutes: str, text: str, *, end: bool) -> int:
    h, m = int(hours), int(minutes)
    if m > 59 or h > 24 or (h == 24 and m != 0) or (h == 24 and not end):
        raise ScheduleError(Said("not a time of day in {text!r}", text=text))
    return h * 60 + m


def _weekday(token: str, text: str) -> int:
    try:
        return WEEKDAYS.index(token.strip().lower()[:3])
    except ValueError:
        raise ScheduleError(
            Said(
                "not a weekday in {text!r}: {token!r} (use mon, tue, wed, thu, fri, sat, sun)",
                text=text,
                token=token,
            )
        ) from None


def _days(spec: str, text: str) -> list[int]:
    days: list[int] = []
    for part in spec.split(","):
        if not part.strip():
            continue
        if "-" in part:
            first, last = (_weekday(p, text) for p in part.split("-", 1))
            day = first
            days.append(day)
            while day != last:  # fri-mon wraps over the weekend
                day = (day + 1) % 7
                days.append(day)
        else:
            days.append(_weekday(part, text))
    if not days:
        raise ScheduleError(Said("no weekday in {text!r}", text=text))
    return days


def _merge(ranges: list[Minutes]) -> tuple[Minutes, ...]:
    merged: list[Minutes] = []
    for start, end in sorted(ranges):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return tuple(merged)


def parse_working_hours(text: str) -> WeeklyHours | None:
    """`mon-fri 09:00-18:00`, `mon-fri 09:00-12:00,13:00-18:00; sat 10:00-14:00`, or
    `always` (None: around the clock). A day named twice gets both clauses' ranges."""
    cleaned = text.strip()
    if not cleaned or cleaned.lower() in (ALWAYS, "24/7"):
        return None
    per_day: list[list[Minutes]] = [[] for _ in WEEKDAYS]
    for clause in cleaned.split(";"):
        clause = clause.strip()
        if not clause:
            continue
        parts = clause.split(None, 1)
        if len(parts) != 2:
            raise ScheduleError(
                Said("{clause!r}: write days then times, e.g. 'mon-fri 09:00-18:00'", clause=clause)
            )
        days = _days(parts[0], text)
        for piece in parts[1].split(","):
            match = _RANGE.match(piece.strip())
            if not match:
                raise ScheduleError(
                    Said("not a time range in {text!r}: {piece!r}", text=text, piece=piece.strip())
                )
            start = _minutes(match.group(1), match.group(2), text, end=False)
            end = _minutes(match.group(3), match.group(4), text, end=True)
            if end <= start:
                raise ScheduleError(
                    Said(
                        "{piece!r} ends before it starts (split a night shift in two days)",
                        piece=piece.strip(),
                    )
                )
            for day in days:
                per_day[day].append((start, end))
    week = WeeklyHours(tuple(_merge(ranges) for ranges in per_day))
    if not any(week.days):
        raise ScheduleError(Said("no working time in {text!r}", text=text))
    return None if week.is_always else week


def format_working_hours(week: WeeklyHours | None) -> str:
    """The canonical text (consecutive days with the same hours grouped): parses back equal."""
    if week is None or week.is_always:
        return ALWAYS

    def hhmm(minutes: int) -> str:
        return f"{minutes // 60:02d}:{minutes % 60:02d}"

    clauses: list[str] = []
    day = 0
    while day < 7:
        ranges = week.days[day]
        last = day
        while last + 1 < 7 and week.days[last + 1] == ranges:
            last += 1
        if ranges:
            days = WEEKDAYS[day] if last == day else f"{WEEKDAYS[day]}-{WEEKDAYS[last]}"
            times = ",".join(f"{hhmm(s)}-{hhmm(e)}" for s, e in ranges)
            clauses.append(f"{days} {times}")
        day = last + 1
    return "; ".join(clauses)


# --- days off ----------------------------------------------------------------------------------


def _date(text: str, whole: str) -> date:
    try:
        return date.fromisoformat(text.strip())
    except ValueError:
        raise ScheduleError(
            Said(
                "not a date in {whole!r}: {piece!r} (use 2026-12-29)",
                whole=whole,
                piece=text.strip(),
            )
        ) from None


def parse_days_off(text: str | Sequence[str]) -> tuple[DayRange, ...]:
    """`2026-12-29..2027-01-03,2027-05-06` (or a list of such parts): inclusive date ranges.
    An empty text or `none` is no days off."""
    parts = [text] if isinstance(text, str) else list(text)
    ranges: list[DayRange] = []
    for whole in parts:
        if whole.strip().lower() in ("", "none"):
            continue
        for piece in whole.split(","):
            if not piece.strip():
                continue
            if ".." in piece:
                first_text, last_text = piece.split("..", 1)
                first, last = _date(first_text, whole), _date(last_text, whole)
                if last < first:
                    raise ScheduleError(
                        Said("{piece!r} ends before it starts", piece=piece.strip())
                    )
            else:
                first = last = _date(piece, whole)
            ranges.append((first, last))
    return tuple(sorted(set(ranges)))


def format_days_off(ranges: Sequence[DayRange]) -> tuple[str, ...]:
    """The config/CLI form of each range: `2027-05-06` or `2026-12-29..2027-01-03`."""
    return tuple(
        first.isoformat() if first == last else f"{first.isoformat()}..{last.isoformat()}"
        for first, last in ranges
    )


# --- the schedule ------------------------------------------------------------------------------


@dataclass(frozen=True)
class Schedule:
    """When an account's promise clock runs."""

    zone: tzinfo
    hours: WeeklyHours | None = None  # None: around the clock
    holidays: str | None = None  # ISO country code whose public holidays are days off
    days_off: tuple[DayRange, ...] = ()
    pauses: tuple[Pause, ...] = ()  # absences: the clock stands still

    @property
    def around_the_clock(self) -> bool:
        """True when counted time is wall-clock time: due = arrival + window."""
        return (
            (self.hours is None or self.hours.is_always)
            and self.holidays is None
            and not self.days_off
            and not self.pauses
        )

    def is_day_off(self, day: date) -> bool:
        if any(first <= day <= last for first, last in self.days_off):
            return True
        return self.holidays is not None and is_public_holiday(self.holidays, day)

    def ranges_on(self, day: date) -> tuple[Minutes, ...]:
        if self.is_day_off(day):
            return ()
        if self.hours is None:
            return ((0, DAY_MINUTES),)
        return self.hours.days[day.weekday()]


def _local(day: date, minutes: int, zone: tzinfo) -> datetime:
    """The instant of a wall-clock time on `day` in `zone` (24:00 is the next midnight). A time
    skipped by a DST change maps to the instant right after the gap, as zoneinfo's fold=0 does."""
    if minutes >= DAY_MINUTES:
        day, minutes = day + timedelta(days=1), minutes - DAY_MINUTES
    wall = datetime.combine(day, time(minutes // 60, minutes % 60), tzinfo=zone)
    return wall.astimezone(UTC)


def _minus_pauses(start: datetime, end: datetime, pauses: Sequence[Pause]) -> Iterator[Pause]:
    for p_start, p_end in pauses:
        if p_end <= start or p_start >= end:
            continue
        if p_start > start:
            yield start, p_start
        start = max(start, p_end)
        if start >= end:
            return
    if start < end:
        yield start, end


def counted_intervals(
    start: datetime, schedule: Schedule, *, days: int = SEARCH_DAYS
) -> Iterator[Pause]:
    """The stretches of counted time from `start` on (UTC instants, in order), over `days`."""
    start = start.astimezone(UTC)
    pauses = sorted((a.astimezone(UTC), b.astimezone(UTC)) for a, b in schedule.pauses if a < b)
    day = start.astimezone(schedule.zone).date() - timedelta(days=1)
    last_pause = max((b for _, b in pauses), default=start)
    end_day = max(start, last_pause).astimezone(schedule.zone).date() + timedelta(days=days)
    while day <= end_day:
        for first, last in schedule.ranges_on(day):
            a, b = _local(day, first, schedule.zone), _local(day, last, schedule.zone)
            a = max(a, start)
            if a < b:
                yield from _minus_pauses(a, b, pauses)
        day += timedelta(days=1)


def due_at(arrival: datetime, window: timedelta, schedule: Schedule | None = None) -> datetime:
    """The instant at which the counted time since `arrival` reaches `window`.

    Never before `arrival`; with no schedule (or an around-the-clock one) exactly
    `arrival + window`. The result is in `arrival`'s time zone."""
    if arrival.tzinfo is None:
        raise ValueError("arrival must be timezone-aware")
    if schedule is None or schedule.around_the_clock:
        return _elapsed(arrival, window)
    return _walk_due(arrival, window, schedule)


# The watch service recomputes every waiting item each minute with the same arrival, window
# and schedule: remembered, that costs a lookup instead of a walk over the calendar.
@functools.lru_cache(maxsize=8192)
def _walk_due(arrival: datetime, window: timedelta, schedule: Schedule) -> datetime:
    left = max(window, timedelta(0))
    last_end = arrival
    for a, b in counted_intervals(arrival, schedule):
        if b - a >= left:
            return (a + left).astimezone(arrival.tzinfo)
        left -= b - a
        last_end = b
    # No working time for years: say so by a far-away due time rather than loop.
    return max(last_end, _elapsed(arrival, timedelta(days=SEARCH_DAYS))).astimezone(arrival.tzinfo)


def _elapsed(moment: datetime, span: timedelta) -> datetime:
    """`moment` plus `span` of real time, in `moment`'s zone. Plain `+` on a datetime with a
    ZoneInfo adds wall-clock time: a 24 h window across the autumn change would last 25 h."""
    return (moment.astimezone(UTC) + span).astimezone(moment.tzinfo)


def counted_between(start: datetime, end: datetime, schedule: Schedule | None) -> timedelta:
    """Counted time from `start` to `end` (zero when `end` is not later)."""
    if end <= start:
        return timedelta(0)
    if schedule is None or schedule.around_the_clock:
        return end.astimezone(UTC) - start.astimezone(UTC)
    total = timedelta(0)
    for a, b in counted_intervals(start, schedule):
        if a >= end:
            break
        total += min(b, end) - a
    return total


def is_counting(moment: datetime, schedule: Schedule | None) -> bool:
    """Whether the clock runs at `moment` (inside working time, not on a day off or away)."""
    if schedule is None or schedule.around_the_clock:
        return True
    for a, b in counted_intervals(moment, schedule, days=1):
        return a <= moment < b
    return False


def make_schedule(
    zone: tzinfo,
    working_hours: str = ALWAYS,
    holidays: str | None = None,
    days_off: Sequence[str] = (),
    pauses: Sequence[Pause] = (),
) -> Schedule:
    """A Schedule from its stored text form. ScheduleError on bad text."""
    country = None
    if holidays:
        try:
            country = check_country(holidays)
        except UnknownCountry as error:
            raise ScheduleError(error.said) from None
    return Schedule(
        zone=zone,
        hours=parse_working_hours(working_hours),
        holidays=country,
        days_off=parse_days_off(days_off),
        pauses=tuple(pauses),
    )


def account_schedule(
    account: AccountConfig, system_zone: tzinfo, pauses: Sequence[Pause] = ()
) -> Schedule:
    """The schedule an account's settings describe (its zone, else `system_zone`), with the
    user's absences. Text the config check let through but that no longer reads (a country
    dropped by the holidays package) counts around the clock rather than stop the app."""
    zone = system_zone
    if account.timezone:
        with contextlib.suppress(ZoneInfoNotFoundError, ValueError, OSError):
            zone = ZoneInfo(account.timezone)
    try:
        return make_schedule(
            zone, account.working_hours, account.holidays, account.days_off, pauses
        )
    except ScheduleError:
        return Schedule(zone=zone, pauses=tuple(pauses))


@dataclass(frozen=True, slots=True)
class WindowMarks:
    """When the window's stages begin for one arrival: due, and the warning and urgent leads
    counted back in working time (None when the clock runs around the clock: plain leads)."""

    due_at: datetime
    warning_at: datetime | None = None
    urgent_at: datetime | None = None


def window_marks(
    arrival: datetime,
    window: timedelta,
    schedule: Schedule | None,
    warning: timedelta,
    urgent: timedelta,
) -> WindowMarks:
    due = due_at(arrival, window, schedule)
    if schedule is None or schedule.around_the_clock:
        return WindowMarks(due)

    def mark(lead: timedelta) -> datetime:
        return (
            due_at(arrival, max(window - lead, timedelta(0)), schedule)
            if lead < window
            else arrival
        )

    return WindowMarks(due, mark(warning), mark(urgent))


def check_schedule_fields(
    *,
    timezone: str | None,
    working_hours: str,
    holidays: str | None,
    days_off: Sequence[str],
) -> None:
    """ScheduleError (naming the field) unless every schedule field of an account reads."""
    if timezone:
        try:
            ZoneInfo(timezone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            detail = Said("unknown time zone {zone!r} (use a name like Asia/Tokyo)", zone=timezone)
            raise ScheduleError(
                Said("{field}: {problem}", field="timezone", problem=detail),
                field="timezone",
                detail=detail,
            ) from None
    for field_name, check in (
        ("working_hours", lambda: parse_working_hours(working_hours)),
        ("holidays", lambda: check_country(holidays) if holidays else None),
        ("days_off", lambda: parse_days_off(days_off)),
    ):
        try:
            check()
        except ValueError as error:
            detail = error.said if isinstance(error, SaidError) else Said(str(error))
            raise ScheduleError(
                Said("{field}: {problem}", field=field_name, problem=detail),
                field=field_name,
                detail=detail,
            ) from None
