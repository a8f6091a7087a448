"""The record in words, Japanese and English: durations and "this week" sentences shared by
`ippo report`, the Record window and the tray tooltip. Pure (no Qt: the CLI uses it too)."""

from __future__ import annotations

import unicodedata
from typing import Literal

from trayapp.core.record import Figures

Language = Literal["ja", "en"]


def duration(seconds: int | None, language: Language) -> str:
    """'3 h 10 min' / '3時間10分'; '—' when there is nothing to show."""
    if seconds is None:
        return "—"
    minutes = max(0, seconds) // 60
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    if language == "ja":
        if days:
            return f"{days}日{hours}時間" if hours else f"{days}日"
        if hours:
            return f"{hours}時間{mins}分" if mins else f"{hours}時間"
        return f"{mins}分"
    if days:
        return f"{days} d {hours} h" if hours else f"{days} d"
    if hours:
        return f"{hours} h {mins} min" if mins else f"{hours} h"
    return f"{mins} min"


def window_text(hours: float, language: Language) -> str:
    whole = int(hours) if float(hours).is_integer() else hours
    return f"{whole}時間" if language == "ja" else f"{whole} h"


def share_text(share: float | None) -> str:
    return "—" if share is None else f"{round(share * 100)}%"


def week_sentence(figures: Figures, window_hours: float | None, language: Language) -> str:
    """This week in one line: '14 of 15 answered within 24 h; median 3 h 10 min'.
    ``window_hours`` None: the accounts' windows differ ('within the window')."""
    if figures.inquiries == 0:
        return (
            "今週の問い合わせはまだありません" if language == "ja" else "No inquiries this week yet"
        )
    decided = figures.inquiries - figures.still_open
    within = figures.answered_within_window
    median = figures.median_first_reply_seconds
    if decided == 0:
        if language == "ja":
            return f"今週の問い合わせ{figures.inquiries}件はまだ返信期限前です"
        return f"{figures.inquiries} this week, none due yet"
    if language == "ja":
        limit = f"{window_text(window_hours, 'ja')}以内" if window_hours else "期限内"
        text = f"今週は{decided}件中{within}件に{limit}に返信"
        if median is not None:
            text += f"（中央値 {duration(median, 'ja')}）"
        if figures.still_open:
            text += f"、ほか{figures.still_open}件は期限前"
        return text
    limit = f"within {window_text(window_hours, 'en')}" if window_hours else "within the window"
    text = f"{within} of {decided} answered {limit}"
    if median is not None:
        text += f"; median {duration(median, 'en')}"
    if figures.still_open:
        text += f" ({figures.still_open} more not due yet)"
    return text


def display_width(text: str) -> int:
    """Columns a terminal gives ``text`` (wide and full-width characters take two)."""
    return sum(2 if unicodedata.east_asian_width(c) in "WF" else 1 for c in text)


def pad(text: str, width: int, *, right: bool = False) -> str:
    fill = " " * max(0, width - display_width(text))
    return fill + text if right else text + fill
