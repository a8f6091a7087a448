"""The promise picker, Japan's holidays, the phrases, and tracking a promise until it is kept."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from trayapp.core.model import Inquiry, ItemState, MessageHeaders
from trayapp.core.promise import (
    Acknowledgement,
    AckState,
    PromiseChoice,
    apply_acknowledgements,
    calendar_for,
    inquiry_from_dict,
    inquiry_to_dict,
    is_japanese_closed_day,
    is_weekend,
    japanese_holidays,
    next_business_day_end,
    parse_promise,
    promise_due,
    promise_kept,
    promise_phrase,
)

JST = timezone(timedelta(hours=9))
# Tuesday 25 November 2025, 11:37 in Tokyo
NOW = datetime(2025, 11, 25, 11, 37, tzinfo=JST)


def test_one_and_two_days_round_up_to_the_hour() -> None:
    assert promise_due(PromiseChoice.ONE_DAY, NOW) == datetime(2025, 11, 26, 12, 0, tzinfo=JST)
    assert promise_due(PromiseChoice.TWO_DAYS, NOW) == datetime(2025, 11, 27, 12, 0, tzinfo=JST)
    on_the_hour = NOW.replace(minute=0)
    assert promise_due(PromiseChoice.ONE_DAY, on_the_hour) == datetime(
        2025, 11, 26, 11, 0, tzinfo=JST
    )


def test_days_are_calendar_days_across_a_dst_change() -> None:
    berlin = ZoneInfo("Europe/Berlin")
    before = datetime(2025, 10, 25, 10, 0, tzinfo=berlin)  # DST ends on the 26th
    due = promise_due(PromiseChoice.ONE_DAY, before)
    assert (due.hour, due.day) == (10, 26)
    assert due.timestamp() - before.timestamp() == 25 * 3600


def test_next_business_day_skips_weekends() -> None:
    friday = datetime(2025, 11, 28, 16, 0, tzinfo=JST)
    assert next_business_day_end(friday) == datetime(2025, 12, 1, 18, 0, tzinfo=JST)
    assert next_business_day_end(NOW) == datetime(2025, 11, 26, 18, 0, tzinfo=JST)
    assert next_business_day_end(friday, day_end=time(17, 30)).time() == time(17, 30)


def test_next_business_day_skips_japanese_holidays() -> None:
    # Friday 21 November 2025: Mon 24th is the substitute holiday for Sunday 23rd (勤労感謝の日)
    friday = datetime(2025, 11, 21, 15, 0, tzinfo=JST)
    assert next_business_day_end(friday, is_weekend).date() == date(2025, 11, 24)
    assert next_business_day_end(friday, is_japanese_closed_day).date() == date(2025, 11, 25)
    # Golden Week 2026: Thu 30 April -> Fri 1 May; Fri 1 May -> Thu 7 May
    assert next_business_day_end(
        datetime(2026, 5, 1, 9, 0, tzinfo=JST), is_japanese_closed_day
    ).date() == date(2026, 5, 7)


# The Cabinet Office's published lists.
CABINET_OFFICE = {
    2024: [
        (1, 1),
        (1, 8),
        (2, 11),
        (2, 12),
        (2, 23),
        (3, 20),
        (4, 29),
        (5, 3),
        (5, 4),
        (5, 5),
        (5, 6),
        (7, 15),
        (8, 11),
        (8, 12),
        (9, 16),
        (9, 22),
        (9, 23),
        (10, 14),
        (11, 3),
        (11, 4),
        (11, 23),
    ],
    2025: [
        (1, 1),
        (1, 13),
        (2, 11),
        (2, 23),
        (2, 24),
        (3, 20),
        (4, 29),
        (5, 3),
        (5, 4),
        (5, 5),
        (5, 6),
        (7, 21),
        (8, 11),
        (9, 15),
        (9, 23),
        (10, 13),
        (11, 3),
        (11, 23),
        (11, 24),
    ],
    2026: [
        (1, 1),
        (1, 12),
        (2, 11),
        (2, 23),
        (3, 20),
        (4, 29),
        (5, 3),
        (5, 4),
        (5, 5),
        (5, 6),
        (7, 20),
        (8, 11),
        (9, 21),
        (9, 22),
        (9, 23),
        (10, 12),
        (11, 3),
        (11, 23),
    ],
    2020: [
        (1, 1),
        (1, 13),
        (2, 11),
        (2, 23),
        (2, 24),
        (3, 20),
        (4, 29),
        (5, 3),
        (5, 4),
        (5, 5),
        (5, 6),
        (7, 23),
        (7, 24),
        (8, 10),
        (9, 21),
        (9, 22),
        (11, 3),
        (11, 23),
    ],
    2019: [
        (1, 1),
        (1, 14),
        (2, 11),
        (3, 21),
        (4, 29),
        (4, 30),
        (5, 1),
        (5, 2),
        (5, 3),
        (5, 4),
        (5, 5),
        (5, 6),
        (7, 15),
        (8, 11),
        (8, 12),
        (9, 16),
        (9, 23),
        (10, 14),
        (10, 22),
        (11, 3),
        (11, 4),
        (11, 23),
    ],
}


@pytest.mark.parametrize("year", sorted(CABINET_OFFICE))
def test_japanese_holidays_match_the_cabinet_office(year: int) -> None:
    expected = {date(year, m, d) for m, d in CABINET_OFFICE[year]}
    assert set(japanese_holidays(year)) == expected
    assert japanese_holidays(2026)[date(2026, 9, 22)] == "国民の休日"


def test_calendar_follows_language_or_japan_time() -> None:
    utc_now = NOW.astimezone(UTC)
    assert calendar_for("ja", utc_now) is is_japanese_closed_day
    assert calendar_for("en", NOW) is is_japanese_closed_day
    assert calendar_for("en", utc_now) is is_weekend


def test_custom_time_is_in_local_time() -> None:
    naive = datetime(2025, 11, 27, 12, 0)
    assert promise_due(PromiseChoice.CUSTOM, NOW, custom=naive) == naive.replace(tzinfo=JST)
    utc = datetime(2025, 11, 27, 3, 0, tzinfo=UTC)
    due = promise_due(PromiseChoice.CUSTOM, NOW, custom=utc)
    assert due.utcoffset() == timedelta(hours=9) and due.hour == 12
    with pytest.raises(ValueError):
        promise_due(PromiseChoice.CUSTOM, NOW)


@pytest.mark.parametrize(
    ("spec", "expected"),
    [
        ("1d", datetime(2025, 11, 26, 12, 0, tzinfo=JST)),
        ("2d", datetime(2025, 11, 27, 12, 0, tzinfo=JST)),
        ("36h", datetime(2025, 11, 27, 0, 0, tzinfo=JST)),
        ("nbd", datetime(2025, 11, 26, 18, 0, tzinfo=JST)),
        ("2025-11-27T12:00", datetime(2025, 11, 27, 12, 0, tzinfo=JST)),
        ("2025-11-27T03:00+00:00", datetime(2025, 11, 27, 12, 0, tzinfo=JST)),
    ],
)
def test_parse_promise(spec: str, expected: datetime) -> None:
    assert parse_promise(spec, NOW) == expected


@pytest.mark.parametrize("spec", ["tomorrow", "0d", "-2d", "2025-11-01T12:00", ""])
def test_parse_promise_refuses_nonsense_and_the_past(spec: str) -> None:
    with pytest.raises(ValueError):
        parse_promise(spec, NOW)


def test_phrases() -> None:
    due = datetime(2025, 11, 26, 12, 0, tzinfo=JST)
    assert promise_phrase(due, "ja") == "11月26日（水）12時まで"
    assert promise_phrase(due, "en") == "Wednesday, 26 November, 12:00 JST"
    thursday = datetime(2025, 11, 27, 18, 30, tzinfo=JST)
    assert promise_phrase(thursday, "ja") == "11月27日（木）18時30分まで"
    assert promise_phrase(thursday, "en") == "Thursday, 27 November, 18:30 JST"
    new_year = datetime(2026, 1, 5, 9, 0, tzinfo=JST)
    assert promise_phrase(new_year, "ja", NOW) == "2026年1月5日（月）9時まで"
    assert promise_phrase(new_year, "en", NOW) == "Monday, 5 January 2026, 09:00 JST"


def test_phrases_name_the_time_zone_a_customer_could_misread() -> None:
    # A Japanese reply from Japan needs no zone; from elsewhere it gives Japan's time.
    paris = datetime(2025, 11, 26, 18, 0, tzinfo=ZoneInfo("Europe/Paris"))
    assert promise_phrase(paris, "ja") == "日本時間 11月27日（木）2時まで"
    new_year_eve = datetime(2025, 12, 31, 18, 0, tzinfo=timezone(timedelta(hours=-5)))
    now = datetime(2025, 12, 30, 9, 0, tzinfo=timezone(timedelta(hours=-5)))
    assert promise_phrase(new_year_eve, "ja", now) == "日本時間 2026年1月1日（木）8時まで"
    # English always names the zone: its abbreviation, else the offset.
    assert promise_phrase(paris, "en") == "Wednesday, 26 November, 18:00 CET"
    summer = datetime(2025, 7, 1, 9, 0, tzinfo=ZoneInfo("America/New_York"))
    assert promise_phrase(summer, "en") == "Tuesday, 1 July, 09:00 EDT"
    india = datetime(2025, 7, 1, 9, 0, tzinfo=timezone(timedelta(hours=5, minutes=30)))
    assert promise_phrase(india, "en") == "Tuesday, 1 July, 09:00 UTC+5:30"
    assert promise_phrase(india.astimezone(UTC), "en") == "Tuesday, 1 July, 03:30 UTC"
    west = datetime(2025, 7, 1, 9, 0, tzinfo=timezone(timedelta(hours=-3)))
    assert promise_phrase(west, "en") == "Tuesday, 1 July, 09:00 UTC-3"


# --- tracking ---------------------------------------------------------------------------------

RECEIVED = datetime(2025, 11, 25, 9, 0, tzinfo=JST)


def make_inquiry(ident: str = "item1", message_id: str | None = "q1@customer.example") -> Inquiry:
    return Inquiry(
        id=ident,
        account="shop",
        folder="INBOX",
        uidvalidity=1,
        uid=3,
        message_id=message_id,
        sender="Ann <ann@customer.example>",
        sender_addr="ann@customer.example",
        subject="Order",
        received_at=RECEIVED,
        due_at=RECEIVED + timedelta(hours=24),
        references=("root@customer.example",),
        reply_to=("orders@customer.example",),
        preview="Hello",
    )


def make_ack(
    state: AckState = AckState.FILED,
    *,
    inquiry: Inquiry | None = None,
    recorded_at: datetime = NOW,
    ack_id: int = 1,
) -> Acknowledgement:
    return Acknowledgement(
        account="shop",
        item_id=(inquiry or make_inquiry()).id,
        message_id="ack1@shop.example.jp",
        state=state,
        recorded_at=recorded_at,
        promise_due_at=NOW + timedelta(days=2),
        inquiry=inquiry or make_inquiry(),
        id=ack_id,
    )


def sent(
    message_id: str,
    in_reply_to: tuple[str, ...] = (),
    references: tuple[str, ...] = (),
    date_: datetime | None = None,
) -> MessageHeaders:
    return MessageHeaders(
        message_id=message_id, in_reply_to=in_reply_to, references=references, date=date_
    )


ACK_ITSELF = sent(
    "ack1@shop.example.jp",
    ("q1@customer.example",),
    ("root@customer.example", "q1@customer.example"),
    NOW,
)


def test_acknowledged_item_stays_listed_even_when_the_server_calls_it_answered() -> None:
    # The scan no longer lists it: our own acknowledgement set \Answered and names it.
    merged = apply_acknowledgements([], [make_ack()], [ACK_ITSELF])
    assert len(merged) == 1
    item = merged[0]
    assert item.state is ItemState.ACKNOWLEDGED
    assert item.promise_due_at == NOW + timedelta(days=2)
    assert item.deadline == item.promise_due_at
    assert item.to_json()["state"] == "acknowledged"
    assert item.subject == "Order" and item.id == "item1"


def test_acknowledged_item_replaces_its_waiting_self() -> None:
    waiting = make_inquiry()
    merged = apply_acknowledgements([waiting], [make_ack(AckState.SENT)], [])
    assert [i.state for i in merged] == [ItemState.ACKNOWLEDGED]


def test_a_later_reply_in_the_thread_keeps_the_promise() -> None:
    full_answer = sent(
        "full@shop.example.jp",
        ("q1@customer.example",),
        ("root@customer.example", "q1@customer.example"),
        NOW + timedelta(days=1),
    )
    assert apply_acknowledgements([], [make_ack()], [ACK_ITSELF, full_answer]) == []
    # a reply to our own acknowledgement counts too (References only, no Date)
    follow_up = sent("f@shop.example.jp", (), ("ack1@shop.example.jp",))
    assert apply_acknowledgements([], [make_ack()], [follow_up]) == []


def test_the_acknowledgement_itself_and_earlier_replies_do_not_keep_it() -> None:
    earlier = sent("old@shop.example.jp", ("q1@customer.example",), (), NOW - timedelta(days=2))
    assert not promise_kept(make_ack(), [ACK_ITSELF, earlier])
    unrelated = sent("x@shop.example.jp", ("other@customer.example",), (), NOW + timedelta(hours=1))
    assert not promise_kept(make_ack(), [unrelated])
    slightly_skewed = sent(
        "y@shop.example.jp", ("q1@customer.example",), (), NOW - timedelta(minutes=3)
    )
    assert promise_kept(make_ack(), [slightly_skewed])


def test_marked_done_by_user_leaves_the_list() -> None:
    assert apply_acknowledgements([make_inquiry()], [make_ack(AckState.DONE)], []) == []


@pytest.mark.parametrize("state", [AckState.RECORDED, AckState.FAILED])
def test_unsent_acknowledgement_keeps_the_item_waiting(state: AckState) -> None:
    merged = apply_acknowledgements([make_inquiry()], [make_ack(state)], [])
    assert [i.state for i in merged] == [ItemState.WAITING]
    assert apply_acknowledgements([], [make_ack(state)], []) == []


def test_latest_acknowledgement_wins_and_order_is_by_deadline() -> None:
    other = make_inquiry("item2", "q2@customer.example")
    first = make_ack(AckState.FAILED, recorded_at=NOW - timedelta(hours=1), ack_id=1)
    second = make_ack(AckState.FILED, recorded_at=NOW, ack_id=2)
    merged = apply_acknowledgements([other], [second, first], [])
    # item2 waits (due in 24h from 9:00), item1's promise is in two days: item2 first
    assert [(i.id, i.state) for i in merged] == [
        ("item2", ItemState.WAITING),
        ("item1", ItemState.ACKNOWLEDGED),
    ]


def test_inquiry_snapshot_round_trips() -> None:
    original = make_inquiry()
    assert inquiry_from_dict(inquiry_to_dict(original)) == original
    assert inquiry_from_dict(inquiry_to_dict(make_inquiry(message_id=None))).message_id is None
