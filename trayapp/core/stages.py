"""Stages of an item's countdown and the moments they begin (for exact timers, not polling)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from trayapp.core.model import Inquiry, ItemState, Stage


def stage_at(deadline: datetime, now: datetime, warning: timedelta, urgent: timedelta) -> Stage:
    left = deadline - now
    if left <= timedelta(0):
        return Stage.OVERDUE
    if left <= urgent:
        return Stage.URGENT
    if left <= warning:
        return Stage.WARNING
    return Stage.CALM


def stage_starts(
    deadline: datetime, warning: timedelta, urgent: timedelta
) -> dict[Stage, datetime]:
    """When each non-calm stage begins."""
    return {
        Stage.WARNING: deadline - warning,
        Stage.URGENT: deadline - urgent,
        Stage.OVERDUE: deadline,
    }


def next_stage_change(
    deadline: datetime, now: datetime, warning: timedelta, urgent: timedelta
) -> datetime | None:
    """The next moment after `now` at which the stage of this deadline changes, if any."""
    future = [t for t in stage_starts(deadline, warning, urgent).values() if t > now]
    return min(future) if future else None


def item_stage_starts(
    item: Inquiry, warning: timedelta, urgent: timedelta
) -> dict[Stage, datetime]:
    """When each stage of the item's current deadline begins. A waiting item under a working
    schedule carries its own marks (warning and urgent leads counted in working time); a
    promise is a wall-clock time, so its leads are too."""
    warn, urge, overdue = _item_marks(item, warning, urgent)
    return {Stage.WARNING: warn, Stage.URGENT: urge, Stage.OVERDUE: overdue}


def _item_marks(
    item: Inquiry, warning: timedelta, urgent: timedelta
) -> tuple[datetime, datetime, datetime]:
    """item_stage_starts as a tuple (warning, urgent, overdue): asked of every item on every
    snapshot by the badge, the list and the notifications, so it builds no dict."""
    deadline = item.deadline
    warn, urge = deadline - warning, deadline - urgent
    if item.state is ItemState.WAITING:
        if item.warning_at is not None:
            warn = item.warning_at
        if item.urgent_at is not None:
            urge = item.urgent_at
    return warn, urge, deadline


def item_stage(item: Inquiry, now: datetime, warning: timedelta, urgent: timedelta) -> Stage:
    """The item's stage at `now` (working-time marks when it has them)."""
    warn, urge, overdue = _item_marks(item, warning, urgent)
    if now >= overdue:
        return Stage.OVERDUE
    if now >= urge:
        return Stage.URGENT
    if now >= warn:
        return Stage.WARNING
    return Stage.CALM


def item_next_stage_change(
    item: Inquiry, now: datetime, warning: timedelta, urgent: timedelta
) -> datetime | None:
    return item_stage_and_next_change(item, now, warning, urgent)[1]


def in_utc(now: datetime) -> datetime:
    """`now` for comparing with many items' times: the same instant in UTC. Two aware
    datetimes compare by their fields when they share a tzinfo, and through a utcoffset()
    call on each side when they do not -- several times slower with the user's ZoneInfo,
    and the badge compares every item on every snapshot. (Servers stamp arrivals in UTC
    mostly; a server's own fixed offset still takes the slower path, correctly.)"""
    return now.astimezone(UTC)


def item_stage_and_next_change(
    item: Inquiry, now: datetime, warning: timedelta, urgent: timedelta
) -> tuple[Stage, datetime | None]:
    """item_stage and item_next_stage_change from one look at the item's marks: the badge and
    the notifications ask both of every item on every snapshot (1,000 items on the GUI
    thread), so this builds no list and no dict."""
    warn, urge, overdue = _item_marks(item, warning, urgent)
    if now >= overdue:
        stage = Stage.OVERDUE
    elif now >= urge:
        stage = Stage.URGENT
    elif now >= warn:
        stage = Stage.WARNING
    else:
        stage = Stage.CALM
    upcoming: datetime | None = None
    for mark in (warn, urge, overdue):
        if mark > now and (upcoming is None or mark < upcoming):
            upcoming = mark
    return stage, upcoming


def format_time_left(left: timedelta) -> str:
    """Compact countdown: '3h', '45m', '2d', and '-3h' once overdue."""
    seconds = int(left.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    if seconds >= 48 * 3600:
        return f"{sign}{seconds // 86400}d"
    if seconds >= 3600:
        return f"{sign}{seconds // 3600}h"
    minutes = seconds // 60
    if seconds and not minutes:
        minutes = 1  # under a minute (left or late) reads as "1m"/"-1m", not as "0m"/"-0m"
    return f"{sign}{minutes}m"
