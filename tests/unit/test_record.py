"""The inquiry history (core.history) and the record's figures (core.record): by hand-made
examples whose figures are known, and by invariants over any history (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.support.history_data import inquiry_entry
from trayapp.core.history import (
    InboxEntry,
    InquiryRecord,
    PromiseFact,
    SentEntry,
    build_records,
    deadline_for,
    history_days,
    inbox_entry,
    sent_time,
)
from trayapp.core.model import AccountConfig, MessageFacts, MessageHeaders
from trayapp.core.record import (
    build_report,
    figures,
    median_seconds,
    percentile_seconds,
    week_start,
)
from trayapp.core.record_text import display_width, duration, week_sentence

TOKYO = ZoneInfo("Asia/Tokyo")
SHOP = AccountConfig(name="shop", email="shop@example.jp", imap_host="imap.example.jp")
T0 = datetime(2026, 9, 7, 0, 0, tzinfo=TOKYO)  # a Monday
H = timedelta(hours=1)


def entry(
    n: int, at: datetime, *, account: str = "shop", flag: bool = False, sender: str = "a@x.jp"
) -> InboxEntry:
    return inquiry_entry(n, at, account=account, sender=sender, flag=flag)


def reply(names: tuple[str, ...], at: datetime, *, mid: str | None = None) -> SentEntry:
    return SentEntry(account="shop", message_id=mid, names=names, sent_at=at)


# --- what an inquiry's record says -------------------------------------------------------------


def test_first_reply_is_the_earliest_of_sent_ack_and_mark() -> None:
    records = build_records(
        [entry(1, T0), entry(2, T0), entry(3, T0), entry(4, T0, flag=True)],
        [
            reply(("m1@x.jp",), T0 + 5 * H),
            reply(("older@x.jp", "m1@x.jp"), T0 + 3 * H),  # only References names it
            reply(("m2@x.jp",), T0 + 30 * H),
        ],
        [PromiseFact("shop", "item2", "m2@x.jp", "ack2@ippo", T0 + 2 * H, T0 + 48 * H)],
        answered_marks={("shop", "item3"): T0 + 26 * H},
    )
    by_id = {r.item_id: r for r in records}
    assert (by_id["item1"].first_reply_at, by_id["item1"].first_reply_via) == (T0 + 3 * H, "sent")
    assert (by_id["item2"].first_reply_at, by_id["item2"].first_reply_via) == (T0 + 2 * H, "ack")
    assert by_id["item2"].full_answer_at == T0 + 30 * H and by_id["item2"].promise_kept()
    assert (by_id["item3"].first_reply_at, by_id["item3"].first_reply_via) == (
        T0 + 26 * H,
        "marked",
    )
    assert by_id["item4"].first_reply_at is None
    assert by_id["item4"].first_reply_via == "flag-unknown-time"


def test_a_reply_from_another_account_answers() -> None:
    other = SentEntry(account="support", message_id="r@x", names=("m1@x.jp",), sent_at=T0 + H)
    (record,) = build_records([entry(1, T0)], [other])
    assert record.first_reply_at == T0 + H


def test_promise_broken_when_the_full_answer_is_late_or_missing() -> None:
    ack_copy = reply(("m1@x.jp",), T0 + H, mid="ack1@ippo")  # the ack itself is not the answer
    late = reply(("ack1@ippo",), T0 + 60 * H)  # names only the acknowledgement
    promises = [
        PromiseFact("shop", "item1", "m1@x.jp", "ack1@ippo", T0 + H, T0 + 48 * H),
        PromiseFact("shop", "item2", "m2@x.jp", "ack2@ippo", T0 + H, T0 + 48 * H),
    ]
    records = build_records([entry(1, T0), entry(2, T0)], [ack_copy, late], promises)
    now = T0 + 72 * H
    late_one, missing = records
    assert late_one.full_answer_at == T0 + 60 * H
    assert late_one.promise_broken(now) and not late_one.promise_kept()
    assert missing.full_answer_at is None and missing.promise_broken(now)
    assert not missing.promise_broken(T0 + 47 * H)  # not due yet: neither kept nor broken


def test_dismissed_ignored_and_duplicates_do_not_count() -> None:
    records = build_records(
        [entry(1, T0), entry(2, T0, sender="Spam@x.jp"), entry(3, T0), entry(1, T0 + H)],
        [],
        not_inquiry={("shop", "item3")},
        ignored_senders={("shop", "spam@x.jp")},
    )
    assert [(r.item_id, r.received_at) for r in records] == [("item1", T0)]


def test_automated_mail_is_never_an_inquiry() -> None:
    def facts(**raw: str) -> MessageFacts:
        headers = MessageHeaders(
            message_id="x@y",
            from_addr="news@shop.example",
            raw={k.replace("_", "-"): (v,) for k, v in raw.items()},
        )
        return MessageFacts("INBOX", 1, 1, T0, frozenset(), headers)

    assert inbox_entry(SHOP, facts(auto_submitted="auto-replied")) is None
    assert inbox_entry(SHOP, facts(list_id="<news.shop>")) is None
    person = inbox_entry(SHOP, facts())
    assert person is not None and person.due_at == deadline_for(SHOP, T0) == T0 + 24 * H


def test_sent_time_prefers_an_earlier_date_header() -> None:
    assert sent_time(T0 + 5 * H, T0 + 2 * H) == T0 + 2 * H
    assert sent_time(T0 + 5 * H, T0 + 9 * H) == T0 + 5 * H
    assert sent_time(T0 + 5 * H, None) == T0 + 5 * H


# --- the figures -------------------------------------------------------------------------------


def test_median_and_percentile_by_the_readme_definitions() -> None:
    assert median_seconds([]) is None
    assert median_seconds([5, 1, 3]) == 3
    assert median_seconds([1, 2, 3, 6]) == 2  # (2 + 3) // 2
    assert percentile_seconds([10 * i for i in range(1, 11)], 90) == 90  # rank ceil(9.0) = 9
    assert percentile_seconds([1, 2, 3], 90) == 3  # rank ceil(2.7) = 3


def test_figures_of_a_known_week() -> None:
    now = T0 + 7 * 24 * H
    records = build_records(
        [entry(i, T0 + i * H) for i in range(1, 6)],
        [
            reply(("m1@x.jp",), T0 + 2 * H),  # 1 h
            reply(("m2@x.jp",), T0 + 5 * H),  # 3 h
            reply(("m3@x.jp",), T0 + 40 * H),  # 37 h: late
        ],
    )
    result = figures(records, now)
    assert result.inquiries == 5
    assert result.answered_within_window == 2
    assert result.overdue == 3  # one late, two never answered and past due
    assert result.median_first_reply_seconds == 3 * 3600
    assert result.p90_first_reply_seconds == 37 * 3600
    assert result.longest_wait_seconds == int((now - (T0 + 4 * H)).total_seconds())
    assert result.share_within_window == 0.4


def test_report_weeks_are_local_mondays_and_empty_weeks_are_listed() -> None:
    sunday_night_utc = datetime(2026, 9, 13, 16, 0, tzinfo=UTC)  # Monday 01:00 in Tokyo
    assert week_start(sunday_night_utc, TOKYO) == date(2026, 9, 14)
    assert week_start(sunday_night_utc, UTC) == date(2026, 9, 7)
    now = datetime(2026, 9, 30, 12, tzinfo=TOKYO)
    report = build_report(
        build_records([entry(1, sunday_night_utc)], []),
        now,
        TOKYO,
        since=date(2026, 9, 2),
        accounts=["shop"],
    )
    data = report.to_json()
    assert [w["week_start"] for w in data["weeks"]] == [  # type: ignore[union-attr]
        "2026-08-31",
        "2026-09-07",
        "2026-09-14",
        "2026-09-21",
        "2026-09-28",
    ]
    assert [w["inquiries"] for w in data["weeks"]] == [0, 0, 1, 0, 0]  # type: ignore[union-attr]
    assert data["weeks"][0]["median_first_reply_seconds"] is None  # type: ignore[index]


# --- invariants over any history ---------------------------------------------------------------

_hours = st.integers(min_value=0, max_value=24 * 60)


@st.composite
def histories(draw: st.DrawFn) -> tuple[list[InquiryRecord], datetime]:
    count = draw(st.integers(min_value=0, max_value=25))
    inbox = []
    sent = []
    for i in range(count):
        at = T0 + draw(_hours) * H
        inbox.append(entry(i, at, account=draw(st.sampled_from(["shop", "support"]))))
        if draw(st.booleans()):
            sent.append(reply((f"m{i}@x.jp",), at + draw(_hours) * H))
    now = T0 + draw(st.integers(min_value=0, max_value=24 * 90)) * H
    return build_records(inbox, sent), now


@settings(max_examples=200, deadline=None)
@given(histories())
def test_every_inquiry_is_in_exactly_one_outcome(
    history: tuple[list[InquiryRecord], datetime],
) -> None:
    records, now = history
    f = figures(records, now)
    assert (
        f.answered_within_window
        + f.answered_late
        + f.unanswered_overdue
        + f.still_open
        + f.answered_time_unknown
        == f.inquiries
    )
    assert f.overdue == f.answered_late + f.unanswered_overdue
    if f.median_first_reply_seconds is not None:
        times = [r.first_reply_seconds() for r in records if r.first_reply_at is not None]
        assert min(times) <= f.median_first_reply_seconds <= max(times)  # type: ignore[type-var]
        assert f.p90_first_reply_seconds is not None
        assert f.median_first_reply_seconds <= f.p90_first_reply_seconds
        assert f.longest_wait_seconds is not None
        assert f.longest_wait_seconds >= f.p90_first_reply_seconds


@settings(max_examples=100, deadline=None)
@given(histories())
def test_weeks_and_accounts_add_up_to_the_total(
    history: tuple[list[InquiryRecord], datetime],
) -> None:
    records, now = history
    now = max(now, T0 + 24 * 61 * H)
    report = build_report(records, now, TOKYO, since=T0.date(), accounts=["shop", "support"])
    shown = [r for r in records if r.received_at <= now]
    assert report.total.inquiries == len(shown)
    assert sum(w.total.inquiries for w in report.weeks) == report.total.inquiries
    assert sum(m.total.inquiries for m in report.months) == report.total.inquiries
    assert sum(f.inquiries for f in report.accounts.values()) == report.total.inquiries
    for week in report.weeks:
        assert sum(f.overdue for f in week.accounts.values()) == week.total.overdue


# --- in words ----------------------------------------------------------------------------------


def test_this_week_in_words() -> None:
    now = T0 + 7 * 24 * H
    inbox = [entry(i, T0 + i * H) for i in range(15)]
    sent = [
        reply((f"m{i}@x.jp",), T0 + i * H + 3 * H + 10 * 60 * timedelta(seconds=1))
        for i in range(14)
    ]
    f = figures(build_records(inbox, sent), now)
    assert week_sentence(f, 24, "en") == "14 of 15 answered within 24 h; median 3 h 10 min"
    assert week_sentence(f, 24, "ja") == "今週は15件中14件に24時間以内に返信（中央値 3時間10分）"
    assert duration(26 * 3600, "ja") == "1日2時間"
    assert display_width("期限内") == 6


def test_history_days_setting_is_used_only_when_sane() -> None:
    assert history_days({}) == 90
    assert history_days({"history_days": 30}) == 30
    for bad in ("30", 0, -5, True, 10**9, None, 3.5):
        assert history_days({"history_days": bad}) == 90


def test_the_deadline_runs_on_the_accounts_working_hours() -> None:
    from dataclasses import replace

    from trayapp.core.schedule import account_schedule

    office = replace(SHOP, working_hours="mon-fri 09:00-18:00", timezone="Asia/Tokyo")
    schedule = account_schedule(office, TOKYO)
    friday_5pm = datetime(2026, 9, 11, 17, tzinfo=TOKYO)
    # 1 h on Friday, then 9 h a day: Monday 9 h, Tuesday 9 h, Wednesday 5 h -> Wednesday 14:00.
    assert deadline_for(office, friday_5pm, schedule) == datetime(2026, 9, 16, 14, tzinfo=TOKYO)
    assert deadline_for(office, friday_5pm) == friday_5pm + 24 * H  # no schedule: the clock
    headers = MessageHeaders(message_id="w@x", from_addr="jane@example.test")
    facts = MessageFacts("INBOX", 1, 1, friday_5pm, frozenset(), headers)
    entry = inbox_entry(office, facts, schedule=schedule)
    assert entry is not None and entry.due_at == datetime(2026, 9, 16, 14, tzinfo=TOKYO)
