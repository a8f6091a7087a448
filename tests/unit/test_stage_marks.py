"""The badge and the notifications look at each item's marks once per snapshot
(item_stage_and_next_change), with `now` in UTC (in_utc): the same answers as the stage rules
asked one by one, whatever zones the item's times and `now` are in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.core.model import AccountHealth, HealthState, Inquiry, ItemState, Stage
from trayapp.core.notifications import due_alerts, next_wakeup, plan_notifications
from trayapp.core.stages import in_utc, item_stage, item_stage_and_next_change
from trayapp.core.summary import StageLeads, summarize

BASE = datetime(2026, 3, 27, 12, 0, tzinfo=UTC)  # two days before Europe's DST change
ZONES = [
    UTC,
    timezone(timedelta(hours=9)),  # a server stamping its own offset
    timezone(timedelta(hours=-5, minutes=-30)),
    ZoneInfo("Asia/Tokyo"),
    ZoneInfo("Europe/Berlin"),
]
minutes = st.integers(min_value=-3 * 24 * 60, max_value=3 * 24 * 60)
zones = st.sampled_from(ZONES)


@st.composite
def inquiries(draw: st.DrawFn, ident: str = "") -> Inquiry:
    zone = draw(zones)
    due = (BASE + timedelta(minutes=draw(minutes))).astimezone(zone)
    state = draw(st.sampled_from([ItemState.WAITING, ItemState.ACKNOWLEDGED]))
    promise = None
    if state is ItemState.ACKNOWLEDGED and draw(st.booleans()):
        promise = (BASE + timedelta(minutes=draw(minutes))).astimezone(draw(zones))
    # Working-hours marks, in any order relative to each other and to the deadline.
    warning_at = draw(st.none() | minutes.map(lambda m: BASE + timedelta(minutes=m)))
    urgent_at = draw(st.none() | minutes.map(lambda m: BASE + timedelta(minutes=m)))
    name = ident or f"i{draw(st.integers(0, 10**6))}"
    return Inquiry(
        id=name,
        account=draw(st.sampled_from(["shop", "support"])),
        folder="INBOX",
        uidvalidity=1,
        uid=draw(st.integers(1, 10**6)),
        message_id=f"<{name}@customer.example>",
        sender="Jane Doe",
        sender_addr="jane@customer.example",
        subject="Order question",
        received_at=due - timedelta(hours=24),
        due_at=due,
        state=state,
        promise_due_at=promise,
        warning_at=warning_at,
        urgent_at=urgent_at,
    )


def _marks(item: Inquiry, lead: StageLeads) -> list[datetime]:
    warn = item.deadline - lead.warning
    urge = item.deadline - lead.urgent
    if item.state is ItemState.WAITING:
        warn = item.warning_at or warn
        urge = item.urgent_at or urge
    return [warn, urge, item.deadline]


leads = st.builds(
    StageLeads,
    warning=st.integers(0, 24 * 60).map(lambda m: timedelta(minutes=m)),
    urgent=st.integers(0, 24 * 60).map(lambda m: timedelta(minutes=m)),
)


@settings(max_examples=300, deadline=None)
@given(item=inquiries(), offset=minutes, now_zone=zones, lead=leads)
def test_one_look_gives_the_stage_and_the_next_change_in_any_zone(
    item: Inquiry, offset: int, now_zone: object, lead: StageLeads
) -> None:
    now = (BASE + timedelta(minutes=offset)).astimezone(now_zone)  # type: ignore[arg-type]
    stage, upcoming = item_stage_and_next_change(item, in_utc(now), lead.warning, lead.urgent)
    assert stage is item_stage(item, now, lead.warning, lead.urgent)
    future = [mark for mark in _marks(item, lead) if mark > now]
    assert upcoming == (min(future) if future else None)
    warn, urge, overdue = _marks(item, lead)
    expected = (
        Stage.OVERDUE
        if now >= overdue
        else Stage.URGENT
        if now >= urge
        else Stage.WARNING
        if now >= warn
        else Stage.CALM
    )
    assert stage is expected


@settings(max_examples=150, deadline=None)
@given(
    items=st.lists(inquiries(), max_size=12, unique_by=lambda i: i.id),
    offset=minutes,
    now_zone=zones,
    told=st.sets(st.integers(0, 11), max_size=12),
)
def test_the_one_pass_plan_tells_what_the_stage_rules_tell(
    items: list[Inquiry], offset: int, now_zone: object, told: set[int]
) -> None:
    now = (BASE + timedelta(minutes=offset)).astimezone(now_zone)  # type: ignore[arg-type]
    told_ids = {items[n].id for n in told if n < len(items)}

    def already(item_id: str, _stage: Stage, _deadline: datetime) -> bool:
        return item_id in told_ids

    plan = plan_notifications(items, already, now)
    lead = StageLeads()
    # The stage rules asked one by one (item_stage, and every mark after now).
    expected = []
    for item in items:
        stage = item_stage(item, now, lead.warning, lead.urgent)
        if stage is not Stage.CALM and item.id not in told_ids:
            expected.append((-stage.rank, item.deadline, item.account, item.uid, item.id, stage))
    expected.sort(key=lambda e: e[:4])
    assert [(a.item.id, a.stage, a.time_left) for a in plan.alerts] == [
        (e[4], e[5], next(i for i in items if i.id == e[4]).deadline - now) for e in expected
    ]
    marks = [m for item in items for m in _marks(item, lead) if m > now]
    assert plan.wake_at == min(marks, default=None)
    assert plan.alerts == due_alerts(items, already, now)
    assert plan.wake_at == next_wakeup(items, now)


@settings(max_examples=150, deadline=None)
@given(items=st.lists(inquiries(), max_size=12, unique_by=lambda i: i.id), offset=minutes)
def test_the_badge_is_the_same_whatever_zone_now_is_in(items: list[Inquiry], offset: int) -> None:
    health = {"shop": AccountHealth(HealthState.CONNECTED)}
    moment = BASE + timedelta(minutes=offset)
    in_zones = [summarize(items, health, moment.astimezone(zone)) for zone in ZONES]
    first = in_zones[0]
    for other in in_zones[1:]:
        assert other.stages == first.stages
        assert other.counts == first.counts
        assert other.next_stage_change == first.next_stage_change
        assert other.most_urgent == first.most_urgent
    for item in items:
        assert first.stages[item.id] is item_stage(
            item, moment, StageLeads().warning, StageLeads().urgent
        )
