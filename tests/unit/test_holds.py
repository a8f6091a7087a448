"""Snooze, away and quiet hours: the pure rules, and the notification plan they shape."""

from __future__ import annotations

from datetime import datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest

from trayapp.core.away import (
    Absence,
    absences_from_json,
    away_at,
    clear_absence,
    next_absence,
    set_absence,
)
from trayapp.core.model import Inquiry, Stage
from trayapp.core.notifications import (
    QUIET_WARNING_KEY,
    Holds,
    compose_quiet_warning,
    plan_notifications,
)
from trayapp.core.quiet import next_quiet_period, parse_quiet_hours, quiet_period_at
from trayapp.core.summary import summarize
from trayapp.core.when import parse_when

TOKYO = ZoneInfo("Asia/Tokyo")
H = timedelta(hours=1)
NOW = datetime(2026, 6, 3, 15, 20, tzinfo=TOKYO)  # a Wednesday afternoon


def item(ident: str, due: datetime, received: datetime | None = None) -> Inquiry:
    return Inquiry(
        id=ident,
        account="shop",
        folder="INBOX",
        uidvalidity=1,
        uid=int(ident, 16) if ident.isalnum() else 1,
        message_id=f"{ident}@x",
        sender=f"Customer {ident}",
        sender_addr=f"{ident}@cust.test",
        subject=f"Question {ident}",
        received_at=received or due - 24 * H,
        due_at=due,
    )


class Ledger:
    def __init__(self) -> None:
        self.told: set[tuple[str, Stage, datetime]] = set()

    def __call__(self, ident: str, stage: Stage, deadline: datetime) -> bool:
        return (ident, stage, deadline) in self.told


# --- when --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1h", NOW + H),
        ("30m", NOW + timedelta(minutes=30)),
        ("2d", NOW + 48 * H),
        ("this-afternoon", datetime(2026, 6, 4, 13, 0, tzinfo=TOKYO)),  # 13:00 passed today
        ("tomorrow", datetime(2026, 6, 4, 9, 0, tzinfo=TOKYO)),
        ("tomorrow morning", datetime(2026, 6, 4, 9, 0, tzinfo=TOKYO)),
        ("17:00", datetime(2026, 6, 3, 17, 0, tzinfo=TOKYO)),
        ("09:00", datetime(2026, 6, 4, 9, 0, tzinfo=TOKYO)),
        ("2026-06-10", datetime(2026, 6, 10, 0, 0, tzinfo=TOKYO)),
        ("2026-06-10T09:30", datetime(2026, 6, 10, 9, 30, tzinfo=TOKYO)),
        ("2026-06-10T09:30+00:00", datetime(2026, 6, 10, 18, 30, tzinfo=TOKYO)),
    ],
)
def test_parse_when(text: str, expected: datetime) -> None:
    assert parse_when(text, NOW) == expected


@pytest.mark.parametrize("text", ["soon", "--wait", "25:00", "0h", "2026-13-01"])
def test_parse_when_refuses(text: str) -> None:
    with pytest.raises(ValueError):
        parse_when(text, NOW)


# --- away --------------------------------------------------------------------------------------


def test_absences_set_clear_and_keep_the_past() -> None:
    past = Absence(NOW - 10 * 24 * H, NOW - 8 * 24 * H)
    planned = set_absence((past,), NOW + H, NOW + 72 * H, NOW)
    assert planned == (past, Absence(NOW + H, NOW + 72 * H))
    assert away_at(planned, NOW) is None and next_absence(planned, NOW) == planned[1]
    assert away_at(planned, NOW + 2 * H) == planned[1]
    # Back early: the current absence ends now; the past one stays (it shaped due times).
    back = clear_absence(planned, NOW + 5 * H)
    assert back == (past, Absence(NOW + H, NOW + 5 * H))
    # A planned one is simply dropped.
    assert clear_absence(planned, NOW) == (past,)
    # Replanning replaces the overlapping plan.
    again = set_absence(planned, NOW + 2 * H, NOW + 24 * H, NOW)
    assert again == (past, Absence(NOW + 2 * H, NOW + 24 * H))
    with pytest.raises(ValueError):
        set_absence((), NOW - 3 * H, NOW - H, NOW)
    stored = [a.to_json() for a in again]
    assert absences_from_json(stored) == again
    assert (
        absences_from_json([{"from": "x"}, 3, {"from": "2026-01-01", "until": "2026-01-02"}]) == ()
    )


# --- quiet hours -------------------------------------------------------------------------------


def test_quiet_hours_across_midnight() -> None:
    quiet = parse_quiet_hours("22:00-07:30")
    assert quiet == (time(22, 0), time(7, 30))
    night = datetime(2026, 6, 3, 23, 0, tzinfo=TOKYO)
    assert quiet_period_at(night, quiet, TOKYO) == (
        datetime(2026, 6, 3, 22, 0, tzinfo=TOKYO),
        datetime(2026, 6, 4, 7, 30, tzinfo=TOKYO),
    )
    early = datetime(2026, 6, 4, 6, 0, tzinfo=TOKYO)
    assert quiet_period_at(early, quiet, TOKYO) == quiet_period_at(night, quiet, TOKYO)
    assert quiet_period_at(NOW, quiet, TOKYO) is None
    assert next_quiet_period(NOW, quiet, TOKYO) == quiet_period_at(night, quiet, TOKYO)
    for bad in ("22-7", "22:00-22:00", "25:00-07:00"):
        with pytest.raises(ValueError):
            parse_quiet_hours(bad)


# --- the plan ----------------------------------------------------------------------------------


def test_snooze_holds_only_notifications() -> None:
    a = item("a1", NOW + 30 * 60 * timedelta(seconds=1))  # urgent now
    b = item("b2", NOW + 2 * H)  # warning now
    holds = Holds(snoozed={"a1": NOW + H})
    plan = plan_notifications([a, b], Ledger(), NOW, holds=holds)
    assert [al.item.id for al in plan.alerts] == ["b2"]
    assert plan.wake_at is not None and plan.wake_at <= NOW + H
    # The snooze ends: a's current stage is told then (overdue by now, told once).
    later = plan_notifications([a, b], Ledger(), NOW + H, holds=holds)
    assert {al.item.id: al.stage for al in later.alerts}["a1"] is Stage.OVERDUE
    # The badge does not care.
    assert summarize([a, b], {}, NOW).most_urgent == a


def test_away_holds_everything_until_back() -> None:
    a = item("a1", NOW + 2 * H)
    holds = Holds(absences=(Absence(NOW - H, NOW + 5 * H),))
    plan = plan_notifications([a], Ledger(), NOW, holds=holds)
    assert plan.alerts == [] and plan.held_until == NOW + 5 * H
    assert plan.wake_at is not None and plan.wake_at <= NOW + 5 * H
    back = plan_notifications([a], Ledger(), NOW + 5 * H, holds=holds)
    assert [al.stage for al in back.alerts] == [Stage.OVERDUE]
    summary = summarize([a], {}, NOW, away_until=holds.away_until(NOW))
    assert any("Away until" in line for line in summary.tooltip_lines())


def test_quiet_hours_warn_at_start_hold_and_summarize_at_end() -> None:
    quiet = parse_quiet_hours("22:00-07:30")
    start = datetime(2026, 6, 3, 22, 0, tzinfo=TOKYO)
    end = datetime(2026, 6, 4, 7, 30, tzinfo=TOKYO)
    tonight = [item("a1", start + 3 * H), item("b2", start + 5 * H)]
    tomorrow = item("c3", end + 10 * H)
    holds = Holds(quiet_hours=quiet, zone=TOKYO)
    ledger = Ledger()
    # Before: a wake-up at the start of quiet hours.
    evening = plan_notifications([*tonight, tomorrow], ledger, start - 3 * H, holds=holds)
    assert evening.wake_at is not None and evening.wake_at <= start
    # At the start: nothing told but the one warning about what passes its deadline tonight.
    plan = plan_notifications([*tonight, tomorrow], ledger, start, holds=holds)
    assert plan.alerts == [] and plan.held_until == end
    assert [i.id for i in plan.quiet_warning] == ["a1", "b2"] and plan.quiet_start == start
    text = compose_quiet_warning(plan.quiet_warning, start)
    assert text.title == "2 inquiries will pass their deadline tonight"
    ledger.told.add((QUIET_WARNING_KEY, Stage.WARNING, start))
    # Later in the night: silence, and no second warning.
    night = plan_notifications([*tonight, tomorrow], ledger, start + 4 * H, holds=holds)
    assert night.alerts == [] and night.quiet_warning == [] and night.wake_at is not None
    assert night.wake_at <= end
    # At the end: one summary of everything due (two overdue), as one plan.
    morning = plan_notifications([*tonight, tomorrow], ledger, end, holds=holds)
    assert sorted(al.item.id for al in morning.alerts) == ["a1", "b2"]
    assert all(al.stage is Stage.OVERDUE for al in morning.alerts)


def test_no_warning_when_started_deep_in_quiet_hours() -> None:
    quiet = parse_quiet_hours("22:00-07:30")
    three_am = datetime(2026, 6, 4, 3, 0, tzinfo=TOKYO)
    plan = plan_notifications(
        [item("a1", three_am + H)], Ledger(), three_am, holds=Holds(quiet_hours=quiet, zone=TOKYO)
    )
    assert plan.quiet_warning == [] and plan.alerts == []


def test_auto_reply_targets_once_per_sender_during_an_absence_that_asks() -> None:
    from dataclasses import replace

    from trayapp.core.autoreply import auto_reply_targets, auto_reply_text
    from trayapp.core.model import ItemState

    absence = Absence(NOW - 5 * H, NOW + 48 * H, auto_reply=True)
    first = item("a1", NOW + 20 * H, received=NOW - 4 * H)
    again = replace(item("a2", NOW + 21 * H, received=NOW - 3 * H), sender_addr="a1@cust.test")
    before = item("b3", NOW + 2 * H, received=NOW - 6 * H)  # arrived before leaving
    acked = replace(item("c4", NOW + 22 * H, received=NOW - H), state=ItemState.ACKNOWLEDGED)
    other = item("d5", NOW + 23 * H, received=NOW - H)
    items = [again, first, before, acked, other]
    assert [i.id for i in auto_reply_targets(items, absence, ())] == ["a1", "d5"]
    assert [i.id for i in auto_reply_targets(items, absence, {"A1@cust.test"})] == ["d5"]
    assert auto_reply_targets(items, replace(absence, auto_reply=False), ()) == []
    assert auto_reply_targets(items, None, ()) == []
    ja = auto_reply_text("ja", datetime(2026, 6, 5, 9, 0, tzinfo=TOKYO), NOW)
    assert "6月5日（金）9時以降" in ja and "自動送信" in ja
    assert "(This is an automatic reply.)" in auto_reply_text("en", NOW + 48 * H, NOW)
