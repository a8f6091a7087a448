"""What a new notification replaces and which live ones are withdrawn (core.live_notifications),
and the scheduler's delivery side: withdraw on every snapshot, the notification snooze."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.core.live_notifications import LiveNotifications
from trayapp.core.model import Inquiry, ItemState, Stage
from trayapp.core.notifications import NotificationText, compose, due_alerts
from trayapp.desktop.notify import NotificationScheduler, Notifier

NOW = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)


def item(ident: str, left: timedelta, sender: str = "Jane <jane@example.com>") -> Inquiry:
    due = NOW + left
    return Inquiry(
        id=ident,
        account="shop",
        folder="INBOX",
        uidvalidity=1,
        uid=abs(hash(ident)) % 10_000,
        message_id=f"{ident}@example.com",
        sender=sender,
        sender_addr="jane@example.com",
        subject="Order",
        received_at=due - timedelta(hours=24),
        due_at=due,
        state=ItemState.WAITING,
    )


def note(*items: Inquiry, at: datetime = NOW) -> NotificationText:
    return compose(due_alerts(items, lambda *_: False, at))


def test_a_later_stage_replaces_the_earlier_and_a_group_absorbs_singles() -> None:
    live: LiveNotifications[int] = LiveNotifications()
    a, b, c = item("a", timedelta(hours=3)), item("b", timedelta(hours=2)), item("c", -timedelta(1))
    assert live.replaces(note(a)) is None
    live.shown(note(a), 1)
    live.shown(note(b), 2)
    urgent = note(a, at=NOW + timedelta(hours=2, minutes=30))
    assert live.replaces(urgent) == 1  # same inquiry: replaced, not stacked
    assert live.shown(urgent, 1) == []
    # A group covering a and b replaces one of them and makes the other redundant.
    group = note(a, b)
    replaced = live.replaces(group)
    assert replaced in (1, 2)
    assert replaced is not None
    assert live.shown(group, replaced) == [2 if replaced == 1 else 1]
    assert live.ids() == [replaced]
    # The next group replaces the group, whatever it covers.
    assert live.replaces(note(b, c)) == replaced


def test_withdrawn_when_no_covered_inquiry_waits_with_the_told_deadline() -> None:
    live: LiveNotifications[int] = LiveNotifications()
    a, b = item("a", timedelta(hours=3)), item("b", timedelta(hours=2))
    live.shown(note(a), 1)
    live.shown(note(b), 2)
    live.shown(note(a, b), 3)  # closes 1 and 2 (redundant)
    assert live.ids() == [3]
    # a answered: the group still tells b.
    assert live.stale({"b": b.deadline}) == []
    # b acknowledged: a new deadline (the promise), so the warning no longer holds.
    assert live.stale({"b": b.deadline + timedelta(days=1)}) == [3]
    assert len(live) == 0
    live.shown(note(a), 4)
    assert live.closed(4) is not None and live.stale({}) == []
    live.shown(note(a), 5)
    assert live.covering(["x"]) == [] and live.covering(["a"]) == [5]
    # One about no inquiry (an inbox not covered, say): replaced by its tag, never stale.
    inbox = NotificationText("Inbox shop is not watched", "login failed", tag="account:shop")
    live.shown(inbox, 6)
    assert live.stale({}) == [] and live.shown(note(a), 7) == []
    assert live.replaces(NotificationText("again", "", tag="account:shop")) == 6


class RecordingLive:
    """A LiveBackend that records (a stand-in for the D-Bus backend, proven in tests/gui)."""

    name = "live"

    def __init__(self) -> None:
        self.fallback = None
        self.shown: list[NotificationText] = []
        self.waiting: list[dict[str, datetime]] = []
        self.withdrawn: list[list[str]] = []
        self.closed = False

    def show(self, n: NotificationText) -> None:
        self.shown.append(n)

    def withdraw(self, waiting: Mapping[str, datetime]) -> None:
        self.waiting.append(dict(waiting))

    def withdraw_items(self, item_ids: Iterable[str]) -> None:
        self.withdrawn.append(list(item_ids))

    def close(self) -> None:
        self.closed = True


class Ledger:
    def __init__(self) -> None:
        self.told: set[tuple[str, Stage, datetime]] = set()

    def was_notified(self, item_id: str, stage: Stage, deadline: datetime) -> bool:
        return (item_id, stage, deadline) in self.told

    def mark_notified(self, item_id: str, stage: Stage, deadline: datetime) -> None:
        self.told.add((item_id, stage, deadline))


class Clock:
    def __init__(self) -> None:
        self.now = NOW

    def __call__(self) -> datetime:
        return self.now


def test_snooze_holds_an_inquirys_notifications_then_reminds_once() -> None:
    backend, clock, armed = RecordingLive(), Clock(), []
    scheduler = NotificationScheduler(
        Notifier([backend]), Ledger(), armed.append, clock, max_wait=timedelta(days=1)
    )
    a = item("a", timedelta(hours=3, minutes=30))
    scheduler.update([a])
    assert [n.item_ids for n in backend.shown] == [("a",)]
    assert backend.waiting == [{"a": a.deadline}]  # every snapshot withdraws what is gone
    scheduler.snooze("a", NOW + timedelta(hours=1))
    assert backend.withdrawn == [["a"]]  # its bubble goes at once
    assert armed[-1] == timedelta(hours=1)  # wake when the snooze ends
    # The urgent stage would begin at 2 h 30 m; at 50 m nothing, at 1 h the reminder.
    clock.now = NOW + timedelta(minutes=50)
    assert scheduler.check() is None
    clock.now = NOW + timedelta(hours=1)
    reminder = scheduler.check()
    assert reminder is not None and reminder.item_ids == ("a",)
    assert scheduler.check() is None  # once
    # A stage that begins during a snooze waits for its end.
    b = item("b", timedelta(hours=1, minutes=5))
    scheduler.update([a, b])
    assert backend.shown[-1].item_ids == ("b",)
    scheduler.snooze("b", clock.now + timedelta(hours=1))
    clock.now += timedelta(minutes=10)  # b is urgent now, but snoozed
    assert scheduler.check() is None
    clock.now += timedelta(minutes=50)
    late = scheduler.check()
    assert late is not None and late.item_ids == ("b",) and "Reply" in late.title


def test_overdue_is_resident_unless_switched_off() -> None:
    backend = RecordingLive()
    notifier = Notifier([backend])
    scheduler = NotificationScheduler(notifier, Ledger(), lambda _d: None, Clock())
    scheduler.update([item("late", -timedelta(minutes=5)), item("soon", timedelta(hours=2))])
    assert backend.shown[-1].overdue and backend.shown[-1].resident
    scheduler.set_overdue_stays(False)
    scheduler.update([item("late2", -timedelta(minutes=5))])
    assert backend.shown[-1].overdue and not backend.shown[-1].resident


ITEMS = ["a", "b", "c", "d", "e"]


@settings(max_examples=300, deadline=None)
@given(
    st.lists(
        st.one_of(
            st.tuples(st.just("notify"), st.sets(st.sampled_from(ITEMS), min_size=1)),
            st.tuples(st.just("answered"), st.sets(st.sampled_from(ITEMS))),
            st.tuples(st.just("closed"), st.integers(0, 20)),
        ),
        max_size=30,
    )
)
def test_each_inquiry_is_in_at_most_one_live_notification_and_withdrawn_when_gone(
    steps: list[tuple[str, Any]],
) -> None:
    """A server that honours replaces_id (returns the same id, else a new one), random
    notifications, answers and closes: an inquiry is never in two live notifications, and a
    notification whose inquiries all stopped waiting is never live after a snapshot."""
    live: LiveNotifications[int] = LiveNotifications()
    on_screen: set[int] = set()
    waiting = {i: NOW + timedelta(hours=n) for n, i in enumerate(ITEMS)}
    next_id = 1
    for kind, arg in steps:
        if kind == "notify":
            chosen = sorted(arg & waiting.keys()) or sorted(arg)
            for i in chosen:
                waiting.setdefault(i, NOW)
            n = NotificationText("t", "m", tuple((i, waiting[i]) for i in chosen))
            replaced = live.replaces(n)
            if replaced is None or replaced not in on_screen:
                replaced, next_id = next_id, next_id + 1
            on_screen.add(replaced)
            on_screen -= set(live.shown(n, replaced))
        elif kind == "answered":
            for i in arg:
                waiting.pop(i, None)
            on_screen -= set(live.stale(waiting))
        else:
            if arg in on_screen:
                on_screen.discard(arg)
                live.closed(arg)
        assert set(live.ids()) <= on_screen
        seen: list[str] = []
        for notification_id in live.ids():
            shown = live.get(notification_id)
            assert shown is not None
            seen.extend(shown.item_ids)
        assert len(seen) == len(set(seen)), seen
        if kind == "answered":
            for notification_id in live.ids():
                shown = live.get(notification_id)
                assert shown is not None
                assert any(waiting.get(i) == d for i, d in shown.covers)
