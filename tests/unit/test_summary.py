"""The glanceable summary (badge, tooltip, Waybar class) and the stage-notification plan."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from trayapp.core.durations import JAPANESE
from trayapp.core.model import AccountConfig, AccountHealth, HealthState, Inquiry, ItemState, Stage
from trayapp.core.notifications import (
    compose,
    defang,
    due_alerts,
    escape_markup,
    next_wakeup,
)
from trayapp.core.summary import (
    BadgeSpec,
    StageLeads,
    TooltipTexts,
    format_hours_minutes,
    leads_by_account,
    summarize,
)

NOW = datetime(2024, 6, 3, 9, 0, tzinfo=UTC)
OK = AccountHealth(HealthState.CONNECTED)


def item(
    ident: str,
    left: timedelta,
    *,
    account: str = "shop",
    sender: str = "田中 太郎 <tanaka@example.jp>",
    subject: str = "見積もりのお願い",
    state: ItemState = ItemState.WAITING,
    promise_left: timedelta | None = None,
    uid: int = 1,
) -> Inquiry:
    due = NOW + left
    return Inquiry(
        id=ident,
        account=account,
        folder="INBOX",
        uidvalidity=1,
        uid=uid,
        message_id=f"{ident}@example.jp",
        sender=sender,
        sender_addr=sender.rpartition("<")[2].rstrip(">"),
        subject=subject,
        received_at=due - timedelta(hours=24),
        due_at=due,
        state=state,
        promise_due_at=NOW + promise_left if promise_left is not None else None,
    )


def test_nothing_waits_and_all_covered_is_the_empty_badge() -> None:
    summary = summarize([], {"shop": OK}, NOW)
    assert summary.badge == BadgeSpec("", "empty", None)
    assert summary.waybar_class == "ok"
    assert summary.tooltip_lines() == ["Nothing waits for a reply"]
    assert summary.waybar()["text"] == "0"


@pytest.mark.parametrize(
    ("left", "text", "kind", "waybar"),
    [
        (timedelta(hours=5, minutes=59), "5h", "calm", "ok"),
        (timedelta(hours=4), "4h", "warning", "warning"),
        (timedelta(minutes=45), "45m", "urgent", "urgent"),
        (timedelta(seconds=20), "1m", "urgent", "urgent"),
        (timedelta(0), "0m", "overdue", "overdue"),
        (-timedelta(hours=2, minutes=10), "-2h", "overdue", "overdue"),
    ],
)
def test_badge_shows_the_most_urgent_countdown_and_stage(
    left: timedelta, text: str, kind: str, waybar: str
) -> None:
    summary = summarize([item("a", left), item("b", timedelta(hours=20), uid=2)], {"shop": OK}, NOW)
    assert summary.badge.text == text
    assert summary.badge.kind == kind
    assert summary.waybar_class == waybar
    assert summary.most_urgent is not None and summary.most_urgent.id == "a"


def test_an_uncovered_account_turns_the_badge_to_error_but_keeps_the_countdown() -> None:
    health = {
        "shop": OK,
        "support": AccountHealth(HealthState.ERROR, reason="authentication failed"),
    }
    summary = summarize([item("a", timedelta(minutes=30))], health, NOW)
    assert summary.badge == BadgeSpec("30m", "error", Stage.URGENT)
    assert summary.waybar_class == "error"
    lines = summary.tooltip_lines()
    assert lines[0] == "NOT covered: support — error (authentication failed)"
    assert summary.waybar()["text"].startswith("! 1 · 30m")


def test_retrying_and_connecting_are_not_covered_either() -> None:
    health = {
        "a": AccountHealth(HealthState.CONNECTING),
        "b": AccountHealth(HealthState.RETRYING, next_try_at=NOW + timedelta(seconds=30)),
        "c": OK,
    }
    summary = summarize([], health, NOW)
    assert [name for name, _ in summary.not_covered] == ["a", "b"]
    assert summary.badge == BadgeSpec("", "error", None)
    assert summary.waybar()["text"] == "!"  # one of them is retrying: not just connecting


def test_counts_per_stage_and_tooltip_name_the_next_due_item() -> None:
    items = [
        item("over", -timedelta(hours=1), sender="Alice <alice@example.com>", subject="Refund"),
        item("urg", timedelta(minutes=50), uid=2),
        item("warn", timedelta(hours=3), uid=3),
        item("calm1", timedelta(hours=10), uid=4),
        item("calm2", timedelta(hours=11), uid=5),
    ]
    summary = summarize(items, {"shop": OK}, NOW)
    assert summary.counts == {Stage.OVERDUE: 1, Stage.URGENT: 1, Stage.WARNING: 1, Stage.CALM: 2}
    assert summary.tooltip_lines() == [
        "5 waiting: 1 overdue · 1 urgent · 1 warning · 2 calm",
        "Overdue: Alice <alice@example.com> — Refund (1h late)",
    ]
    translated = TooltipTexts(
        next_overdue="期限切れ：{sender}「{subject}」{left}超過", duration=JAPANESE
    )
    assert summary.tooltip_lines(translated)[-1] == (
        "期限切れ：Alice <alice@example.com>「Refund」1時間超過"
    )


def test_per_account_leads_decide_the_stage_and_most_urgent_item() -> None:
    # 'support' warns 8 h ahead: its item due in 6 h is already in warning while
    # shop's item due in 5 h is still calm (shop warns 4 h ahead).
    accounts = [
        AccountConfig("shop", "shop@example.jp", "imap.example.jp"),
        AccountConfig("support", "support@example.jp", "imap.example.jp", warning_hours=8),
    ]
    items = [
        item("shop1", timedelta(hours=5)),
        item("sup1", timedelta(hours=6), account="support", uid=2),
    ]
    summary = summarize(items, {}, NOW, leads_by_account(accounts))
    assert summary.stages == {"shop1": Stage.CALM, "sup1": Stage.WARNING}
    assert summary.most_urgent is not None and summary.most_urgent.id == "sup1"
    assert summary.badge == BadgeSpec("6h", "warning", Stage.WARNING)


def test_acknowledged_items_count_by_their_promise() -> None:
    acked = item(
        "ack",
        -timedelta(hours=3),  # the original window has passed …
        state=ItemState.ACKNOWLEDGED,
        promise_left=timedelta(hours=30),  # … but the promise is far off
    )
    summary = summarize([acked], {}, NOW)
    assert summary.acknowledged_count == 1 and summary.waiting_count == 0
    assert summary.badge == BadgeSpec("30h", "calm", Stage.CALM)
    assert "1 acknowledged, promise pending" in summary.tooltip_lines()
    assert summary.waybar()["text"] == "0+1 · 30h00m"


def test_waiting_and_acknowledged_are_counted_apart_and_add_up() -> None:
    items = [
        item("w1", -timedelta(hours=2)),
        item("w2", timedelta(hours=10), uid=2),
        # acknowledged: one promise broken, one far off (their windows both passed)
        item(
            "a1",
            -timedelta(hours=9),
            state=ItemState.ACKNOWLEDGED,
            promise_left=-timedelta(hours=1),
            uid=3,
        ),
        item(
            "a2",
            -timedelta(hours=9),
            state=ItemState.ACKNOWLEDGED,
            promise_left=timedelta(hours=30),
            uid=4,
        ),
    ]
    summary = summarize(items, {"shop": OK}, NOW)
    assert summary.waiting_count == 2 and summary.acknowledged_count == 2
    assert summary.waiting_counts == {
        Stage.OVERDUE: 1,
        Stage.URGENT: 0,
        Stage.WARNING: 0,
        Stage.CALM: 1,
    }
    assert summary.tooltip_lines()[:2] == [
        "2 waiting: 1 overdue · 0 urgent · 0 warning · 1 calm",
        "2 acknowledged, 1 of them past the promised time",
    ]
    assert summary.waybar()["text"] == "2+2 · -2h00m"
    assert sum(summary.waiting_counts.values()) + summary.acknowledged_count == summary.total


def test_no_inbox_is_never_the_calm_check_mark() -> None:
    summary = summarize([], {}, NOW, no_inbox=True)
    assert summary.badge == BadgeSpec("", "setup", None)
    assert summary.tooltip_lines() == ["No inbox is watched yet: add one from this menu"]
    assert summary.waybar_class == "error" and summary.waybar()["text"] == "!"
    assert not summary.covered


def test_nothing_waits_is_not_said_while_an_inbox_is_not_watched() -> None:
    health = {"shop": OK, "support": AccountHealth(HealthState.ERROR, reason="login failed")}
    lines = summarize([], health, NOW).tooltip_lines()
    assert "Nothing waits for a reply" not in lines
    assert lines[-1] == "Nothing known to wait — not every inbox is watched"


def test_merely_connecting_is_not_a_red_error_in_waybar() -> None:
    connecting = {"shop": AccountHealth(HealthState.CONNECTING), "support": OK}
    summary = summarize([item("a", timedelta(hours=3))], connecting, NOW)
    assert summary.waybar_class == "connecting"
    assert summary.waybar()["text"] == "… 1 · 3h00m"
    assert summary.badge.kind == "error"  # the tray still says it is not covered yet
    failing = {**connecting, "support": AccountHealth(HealthState.RETRYING)}
    assert summarize([], failing, NOW).waybar_class == "error"
    assert summarize([], failing, NOW).waybar()["text"] == "!"


def test_hours_minutes_format_for_status_bars() -> None:
    assert format_hours_minutes(timedelta(hours=2, minutes=14, seconds=59)) == "2h14m"
    assert format_hours_minutes(timedelta(hours=3, minutes=5)) == "3h05m"
    assert format_hours_minutes(timedelta(minutes=45)) == "45m"
    assert format_hours_minutes(timedelta(seconds=10)) == "1m"
    assert format_hours_minutes(-timedelta(hours=1, minutes=5)) == "-1h05m"


# ---------------------------------------------------------------- notification plan


def test_only_the_current_stage_is_due_and_never_twice() -> None:
    items = [item("a", timedelta(hours=3)), item("b", -timedelta(minutes=5), uid=2)]
    told: set[tuple[str, Stage, datetime]] = set()

    def was(i: str, s: Stage, d: datetime) -> bool:
        return (i, s, d) in told

    alerts = due_alerts(items, was, NOW)
    assert [(a.item.id, a.stage) for a in alerts] == [("b", Stage.OVERDUE), ("a", Stage.WARNING)]
    told.update((a.item.id, a.stage, a.deadline) for a in alerts)
    assert due_alerts(items, was, NOW + timedelta(minutes=10)) == []
    # 'a' crosses into urgent two hours later: that stage is new.
    later = due_alerts(items, was, NOW + timedelta(hours=2, seconds=1))
    assert [(a.item.id, a.stage) for a in later] == [("a", Stage.URGENT)]


def test_a_new_promise_deadline_gets_its_own_stages() -> None:
    before = item("a", -timedelta(hours=1))
    told = {("a", Stage.OVERDUE, before.deadline)}
    after = item(
        "a", -timedelta(hours=1), state=ItemState.ACKNOWLEDGED, promise_left=timedelta(minutes=30)
    )
    alerts = due_alerts([after], lambda i, s, d: (i, s, d) in told, NOW)
    assert [(a.stage, a.deadline) for a in alerts] == [(Stage.URGENT, after.promise_due_at)]


def test_next_wakeup_is_the_exact_next_stage_start() -> None:
    items = [item("a", timedelta(hours=6)), item("b", timedelta(hours=1, minutes=30), uid=2)]
    # b turns urgent at 1 h left (in 30 min); a turns warning at 4 h left (in 2 h).
    assert next_wakeup(items, NOW) == NOW + timedelta(minutes=30)
    leads = {"shop": StageLeads(timedelta(hours=5), timedelta(minutes=15))}
    assert next_wakeup(items, NOW, leads) == NOW + timedelta(hours=1)
    assert next_wakeup([item("c", -timedelta(hours=1))], NOW) is None


def test_one_alert_names_sender_and_time_several_are_grouped() -> None:
    one = due_alerts([item("a", timedelta(hours=3, minutes=59))], lambda *_: False, NOW)
    text = compose(one)
    # The title is Ippo's own words; the mail text (sender, subject) is in the body.
    assert text.title == "Reply within 3h"
    assert text.message == "田中 太郎 <tanaka@example.jp>\n見積もりのお願い"
    assert text.key == "item:a" and text.item_ids == ("a",) and not text.overdue
    assert [key for key, _label in text.actions] == ["default", "ippo-ack", "ippo-snooze"]
    many = due_alerts(
        [
            item(
                f"i{n}",
                timedelta(minutes=10 * n) - timedelta(minutes=15),
                uid=n,
                sender=f"Customer {n} <c{n}@example.com>",
            )
            for n in range(1, 7)
        ],
        lambda *_: False,
        NOW,
    )
    grouped = compose(many)
    assert grouped.title == "6 inquiries need a reply"
    assert grouped.key == "group" and len(grouped.covers) == 6 and grouped.overdue
    lines = grouped.message.splitlines()
    assert lines[0] == "Customer 1 <c1@example.com> — 5m overdue"
    assert lines[-1] == "…and 2 more"
    assert len(lines) == 5


@pytest.mark.parametrize(
    "left",
    [
        timedelta(hours=5, minutes=59, seconds=30),
        timedelta(hours=5),
        timedelta(minutes=45, seconds=10),
        timedelta(seconds=30),
        timedelta(hours=50, minutes=3),
        timedelta(hours=48, seconds=5),
        timedelta(0),
        -timedelta(minutes=1, seconds=20),
        -timedelta(minutes=59, seconds=50),
        -timedelta(hours=3, minutes=10),
        -timedelta(days=3, hours=1),
    ],
)
def test_next_text_change_is_the_exact_moment_the_countdown_reads_differently(
    left: timedelta,
) -> None:
    from trayapp.core.stages import format_time_left
    from trayapp.core.summary import next_text_change

    wait = next_text_change(left)
    assert wait > timedelta(0)
    before = format_time_left(left)
    # Unchanged until just before the moment, changed at it (1 s resolution).
    assert format_time_left(left - wait + timedelta(seconds=1.5)) == before
    assert format_time_left(left - wait) != before


def test_summary_next_change_takes_the_earliest_of_text_and_stage() -> None:
    # 4 h 30 m left: text '4h' changes at 4 h left (30 m + 1 s), warning begins at 4 h too.
    summary = summarize([item("a", timedelta(hours=4, minutes=30))], {}, NOW)
    assert summary.next_change_at() == NOW + timedelta(minutes=30)
    assert summarize([], {}, NOW).next_change_at() is None


def test_notification_title_never_carries_mail_text_and_the_body_escapes_cleanly() -> None:
    hostile = item(
        "x",
        timedelta(hours=2),
        sender='"<a href=x>Boss</a>" <boss@example.com>',
        subject="<img src='http://tracker.example/p.gif'> & <b>more</b>",
    )
    text = compose(due_alerts([hostile], lambda *_: False, NOW))
    assert text.title == "Reply within 2h"
    escaped = escape_markup(text.message)
    assert "<" not in escaped and ">" not in escaped
    assert "&lt;img src='http://tracker.example/p.gif'&gt; &amp; &lt;b&gt;more&lt;/b&gt;" in escaped
    # Where markup cannot be switched off (tooltips, balloons): look-alikes.
    fanged = defang(text.message)
    assert "<" not in fanged and ">" not in fanged and "&" not in fanged
    assert "tracker.example" in fanged
