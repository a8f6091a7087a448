"""Moments people type: `2026-12-10`, `2026-12-10T09:00`, `13:00`, `1h`, `30m`, `2d`,
`this-afternoon`, `tomorrow`, `tomorrow-morning`. Pure: the caller passes `now` (aware, in the
user's zone); a time without an offset is in that zone."""

from __future__ import annotations

import re
from datetime import date, datetime, time, timedelta

from trayapp.core.said import Said, SaidValueError

MORNING = time(9, 0)
AFTERNOON = time(13, 0)

_RELATIVE = re.compile(r"^(?:in\s*)?(\d+(?:\.\d+)?)\s*(m|min|h|d)$", re.IGNORECASE)
_CLOCK = re.compile(r"^(\d{1,2}):(\d{2})$")


def _at(day: date, clock: time, now: datetime) -> datetime:
    return datetime.combine(day, clock, tzinfo=now.tzinfo)


def parse_when(text: str, now: datetime) -> datetime:
    """The moment `text` names, after `now` for the relative forms. ValueError otherwise."""
    if now.tzinfo is None:
        raise ValueError("now must be timezone-aware")
    spec = text.strip().lower().replace(" ", "-")
    today = now.date()
    if spec in ("afternoon", "this-afternoon"):
        moment = _at(today, AFTERNOON, now)
        return moment if moment > now else _at(today + timedelta(days=1), AFTERNOON, now)
    if spec in ("tomorrow", "tomorrow-morning"):
        return _at(today + timedelta(days=1), MORNING, now)
    match = _RELATIVE.match(text.strip())
    if match:
        amount = float(match.group(1))
        unit = match.group(2).lower()
        minutes = {"m": 1, "min": 1, "h": 60, "d": 24 * 60}[unit]
        if amount <= 0:
            raise SaidValueError(Said("must lie in the future: {spec!r}", spec=text))
        return now + timedelta(minutes=amount * minutes)
    match = _CLOCK.match(text.strip())
    if match:
        hour, minute = int(match.group(1)), int(match.group(2))
        if hour > 23 or minute > 59:
            raise SaidValueError(Said("not a time of day: {text!r}", text=text))
        moment = _at(today, time(hour, minute), now)
        return moment if moment > now else _at(today + timedelta(days=1), time(hour, minute), now)
    try:
        if len(text.strip()) == 10:
            return _at(date.fromisoformat(text.strip()), time(0, 0), now)
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        raise SaidValueError(
            Said(
                "not a time: {text!r} (use 2026-12-10, 2026-12-10T09:00, 13:00, 1h, 30m, 2d, "
                "this-afternoon or tomorrow)",
                text=text,
            )
        ) from None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=now.tzinfo)
    return moment
