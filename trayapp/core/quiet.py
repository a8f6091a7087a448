"""Quiet hours (e.g. 22:00-07:30): when notifications wait. Pure, in the user's zone."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta, tzinfo

from trayapp.core.said import Said, SaidValueError

QuietHours = tuple[time, time]  # start, end; end <= start means the period crosses midnight

_QUIET = re.compile(r"^\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*$")


def parse_quiet_hours(text: str) -> QuietHours:
    """`22:00-07:30`. ValueError otherwise."""
    match = _QUIET.match(text)
    bad = SaidValueError(
        Said("not quiet hours: {text!r} (use a range like 22:00-07:30)", text=text)
    )
    if not match:
        raise bad
    h1, m1, h2, m2 = (int(g) for g in match.groups())
    if h1 > 23 or h2 > 23 or m1 > 59 or m2 > 59 or (h1, m1) == (h2, m2):
        raise bad
    return time(h1, m1), time(h2, m2)


def format_quiet_hours(quiet: QuietHours) -> str:
    return f"{quiet[0]:%H:%M}-{quiet[1]:%H:%M}"


def _period(day: date, quiet: QuietHours, zone: tzinfo) -> tuple[datetime, datetime]:
    start = datetime.combine(day, quiet[0], tzinfo=zone)
    end_day = day + timedelta(days=1) if quiet[1] <= quiet[0] else day
    return start, datetime.combine(end_day, quiet[1], tzinfo=zone)


def quiet_period_at(
    moment: datetime, quiet: QuietHours | None, zone: tzinfo
) -> tuple[datetime, datetime] | None:
    """The quiet period `moment` falls in (start, end), if any."""
    if quiet is None:
        return None
    local = moment.astimezone(zone).date()
    for day in (local - timedelta(days=1), local):
        start, end = _period(day, quiet, zone)
        if start <= moment < end:
            return start, end
    return None


def next_quiet_period(
    moment: datetime, quiet: QuietHours | None, zone: tzinfo
) -> tuple[datetime, datetime] | None:
    """The quiet period in force at `moment` or the next one to begin."""
    if quiet is None:
        return None
    current = quiet_period_at(moment, quiet, zone)
    if current is not None:
        return current
    local = moment.astimezone(zone).date()
    for day in (local, local + timedelta(days=1)):
        start, end = _period(day, quiet, zone)
        if start > moment:
            return start, end
    return None
