"""How long something is, in words a person of each language reads at a glance. Pure.

The badge keeps its compact '3h'; everything that is read (tooltip, list, notifications, the
command line) says it the way the language does: '27h 17m' in English, '27時間17分' in
Japanese (not '27h 17m', not '6h超過'). The words are format strings so the UI can take them
from its translation catalog; the two languages Ippo ships are here for the command line.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import timedelta


@dataclass(frozen=True)
class DurationWords:
    """Format strings with the fields {d} days, {h} hours, {m} minutes."""

    days: str = "{d}d"
    hours: str = "{h}h"
    minutes: str = "{m}m"
    days_hours: str = "{d}d {h}h"
    hours_minutes: str = "{h}h {m:02d}m"


ENGLISH = DurationWords()
JAPANESE = DurationWords(
    days="{d}日",
    hours="{h}時間",
    minutes="{m}分",
    days_hours="{d}日{h}時間",
    hours_minutes="{h}時間{m}分",
)
WORDS = {"en": ENGLISH, "ja": JAPANESE}


def format_duration(
    length: timedelta, words: DurationWords = ENGLISH, *, fine: bool = False
) -> str:
    """`length` without its sign (callers say 'left' or 'late' themselves).

    Coarse (tooltips, notifications): whole days from 48 hours, else whole hours from one
    hour, else minutes -- the badge's rule. Fine (the list): days and hours, or hours and
    minutes. Under a minute reads as one minute, never as nothing."""
    seconds = abs(int(length.total_seconds()))
    if seconds >= 48 * 3600:
        days, rest = divmod(seconds, 86400)
        hours = rest // 3600
        if fine:
            return _fill(words.days_hours, d=days, h=hours)
        return _fill(words.days, d=days)
    if seconds >= 3600:
        hours, rest = divmod(seconds, 3600)
        minutes = rest // 60
        if fine:  # '26h 00m', so a ticking countdown keeps its shape
            return _fill(words.hours_minutes, h=hours, m=minutes)
        return _fill(words.hours, h=hours)
    minutes = seconds // 60
    if seconds and not minutes:
        minutes = 1
    return _fill(words.minutes, m=minutes)


def _fill(template: str, **values: int) -> str:
    try:
        return template.format(**values)
    except (KeyError, IndexError, ValueError):
        # A broken translation must not break the tray: say it in plain numbers.
        return " ".join(f"{v}{k}" for k, v in values.items())


def format_hours(hours: float, words: DurationWords = ENGLISH) -> str:
    """A setting such as a response window or a lead time, exactly and without decimals:
    '4h', '4h 30m', '45m' / '4時間', '4時間30分', '45分' (never '4.00 h')."""
    minutes = max(0, round(hours * 60))
    whole_hours, rest = divmod(minutes, 60)
    if whole_hours and rest:
        return _fill(words.hours_minutes, h=whole_hours, m=rest)
    if whole_hours:
        return _fill(words.hours, h=whole_hours)
    return _fill(words.minutes, m=rest)


_PART = re.compile(
    r"(\d+(?:[.,]\d+)?)\s*(days?|d|日|時間|hours?|hrs?|h|minutes?|mins?|m|分)?", re.IGNORECASE
)
_UNIT_HOURS = {"日": 24.0, "d": 24.0, "時": 1.0, "h": 1.0, "分": 1 / 60, "m": 1 / 60}


def parse_hours(text: str) -> float | None:
    """Hours from what a person types: '4', '4.5', '4h 30m', '4時間30分', '90分', '2d'
    (full-width digits too). None when it is not a duration."""
    text = unicodedata.normalize("NFKC", text).strip().lower()
    if not text:
        return None
    total = 0.0
    position = 0
    previous = ""
    for match in _PART.finditer(text):
        if text[position : match.start()].strip():
            return None
        # A bare number is hours, or minutes right after hours ("1h30").
        unit = (match.group(2) or ("m" if previous in ("h", "時") else "h"))[0]
        total += float(match.group(1).replace(",", ".")) * _UNIT_HOURS[unit]
        position, previous = match.end(), unit
    if position == 0 or text[position:].strip():
        return None
    return total
