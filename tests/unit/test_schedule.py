"""The working-hours clock: parsing, due times on examples, and properties (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from trayapp.core.model import AccountConfig
from trayapp.core.schedule import (
    Schedule,
    ScheduleError,
    account_schedule,
    counted_between,
    due_at,
    format_days_off,
    format_working_hours,
    is_counting,
    make_schedule,
    parse_days_off,
    parse_working_hours,
    window_marks,
)

TOKYO = ZoneInfo("Asia/Tokyo")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")
H = timedelta(hours=1)


def tokyo(*args: int) -> datetime:
    return datetime(*args, tzinfo=TOKYO)  # type: ignore[misc]


OFFICE = make_schedule(TOKYO, "mon-fri 09:00-18:00")
OFFICE_JP = make_schedule(TOKYO, "mon-fri 09:00-18:00", holidays="jp")


# --- parsing -----------------------------------------------------------------------------------


def test_parse_simple_and_several_ranges() -> None:
    week = parse_working_hours("mon-fri 09:00-18:00")
    assert week is not None
    assert week.days[0] == ((540, 1080),) and week.days[5] == () and week.days[6] == ()
    split = parse_working_hours("mon-fri 09:00-12:00,13:00-18:00; sat 10:00-14:00")
    assert split is not None
    assert split.days[2] == ((540, 720), (780, 1080))
    assert split.days[5] == ((600, 840),)
    assert format_working_hours(split) == "mon-fri 09:00-12:00,13:00-18:00; sat 10:00-14:00"
    assert parse_working_hours(format_working_hours(split)) == split


@pytest.mark.parametrize("text", ["always", "ALWAYS", "", "mon-sun 00:00-24:00"])
def test_always_is_around_the_clock(text: str) -> None:
    assert parse_working_hours(text) is None


def test_wrapping_days_and_lists() -> None:
    week = parse_working_hours("fri-mon 10:00-11:00; wed,thu 08:00-09:00")
    assert week is not None
    assert [bool(d) for d in week.days] == [True, False, True, True, True, True, True]


@pytest.mark.parametrize(
    "text",
    [
        "mon-fri",
        "mon-fri 9-18",
        "mon-fri 18:00-09:00",
        "funday 09:00-10:00",
        "mon 25:00-26:00",
        "mon 09:60-10:00",
        "mon 24:00-24:00",
        "mon-fri 09:00-18:00; --wait",
    ],
)
def test_bad_working_hours_say_what(text: str) -> None:
    with pytest.raises(ScheduleError):
        parse_working_hours(text)


def test_days_off() -> None:
    ranges = parse_days_off("2026-12-29..2027-01-03,2027-05-06")
    assert ranges == ((date(2026, 12, 29), date(2027, 1, 3)), (date(2027, 5, 6), date(2027, 5, 6)))
    assert format_days_off(ranges) == ("2026-12-29..2027-01-03", "2027-05-06")
    assert parse_days_off("none") == ()
    for bad in ("2027-13-01", "2027-01-03..2026-12-29", "tomorrow"):
        with pytest.raises(ScheduleError):
            parse_days_off(bad)


def test_unknown_country_and_zone() -> None:
    with pytest.raises(ScheduleError):
        make_schedule(TOKYO, holidays="xx")
    account = AccountConfig("a", "a@example.jp", "imap", timezone="Mars/Olympus")
    assert account_schedule(account, TOKYO).zone is TOKYO  # falls back to the system's


# --- examples ----------------------------------------------------------------------------------


def test_friday_evening_inquiry_is_due_monday() -> None:
    friday_evening = tokyo(2026, 6, 5, 19, 30)  # a Friday, after hours
    assert due_at(friday_evening, 9 * H, OFFICE) == tokyo(2026, 6, 8, 18, 0)
    assert due_at(friday_evening, 24 * H, OFFICE) == tokyo(2026, 6, 10, 15, 0)


def test_monday_national_holiday_moves_it_to_tuesday() -> None:
    # Friday 10 July 2026; Monday 20 July 2026 is 海の日 -- use 17 July, Friday before it.
    friday_evening = tokyo(2026, 7, 17, 19, 0)
    assert due_at(friday_evening, 9 * H, OFFICE) == tokyo(2026, 7, 20, 18, 0)
    assert due_at(friday_evening, 9 * H, OFFICE_JP) == tokyo(2026, 7, 21, 18, 0)


def test_substitute_and_citizens_holidays_are_skipped() -> None:
    # 2026: 21 Sep 敬老の日, 22 Sep 国民の休日, 23 Sep 秋分の日 -- Friday 18th evening -> Thu 24th.
    assert due_at(tokyo(2026, 9, 18, 20, 0), 9 * H, OFFICE_JP) == tokyo(2026, 9, 24, 18, 0)
    # 6 May 2026 is a substitute holiday (振替休日) for Sunday 3 May.
    assert due_at(tokyo(2026, 5, 1, 20, 0), 9 * H, OFFICE_JP) == tokyo(2026, 5, 7, 18, 0)


def test_a_day_off_is_skipped() -> None:
    schedule = make_schedule(TOKYO, "mon-fri 09:00-18:00", days_off=("2026-06-08",))
    assert due_at(tokyo(2026, 6, 5, 19, 30), 9 * H, schedule) == tokyo(2026, 6, 9, 18, 0)
    year_end = make_schedule(TOKYO, "mon-fri 09:00-18:00", days_off=("2026-12-29..2027-01-03",))
    assert due_at(tokyo(2026, 12, 28, 17, 0), 2 * H, year_end) == tokyo(2027, 1, 4, 10, 0)


def test_lunch_break_is_not_counted() -> None:
    split = make_schedule(TOKYO, "mon-fri 09:00-12:00,13:00-18:00")
    assert due_at(tokyo(2026, 6, 1, 11, 0), 2 * H, split) == tokyo(2026, 6, 1, 14, 0)


def test_inside_hours_counts_from_arrival() -> None:
    assert due_at(tokyo(2026, 6, 1, 10, 15), 3 * H, OFFICE) == tokyo(2026, 6, 1, 13, 15)


def test_no_schedule_is_exactly_arrival_plus_window() -> None:
    # Around the clock, the window is real time: across Berlin's spring change (29 March
    # 2026) 24 h after Saturday 23:00 CET is Monday 00:00 CEST, not Sunday 23:00.
    arrival = datetime(2026, 3, 28, 23, 0, tzinfo=BERLIN)
    expected = datetime(2026, 3, 30, 0, 0, tzinfo=BERLIN)
    assert due_at(arrival, 24 * H, None) == expected
    assert due_at(arrival, 24 * H, Schedule(zone=BERLIN)) == expected
    assert expected.astimezone(UTC) - arrival.astimezone(UTC) == 24 * H


def test_dst_change_keeps_wall_clock_hours() -> None:
    # Europe/Berlin springs forward on Sunday 29 March 2026; Monday 09:00 is CEST.
    berlin_office = make_schedule(BERLIN, "mon-fri 09:00-18:00")
    arrival = datetime(2026, 3, 27, 17, 0, tzinfo=BERLIN)  # Friday, CET
    due = due_at(arrival, 2 * H, berlin_office)
    assert due == datetime(2026, 3, 30, 10, 0, tzinfo=BERLIN)
    assert due.astimezone(UTC) == datetime(2026, 3, 30, 8, 0, tzinfo=UTC)
    # Around the clock on a weekend of 23 hours: a day is 23 real hours there.
    weekend = make_schedule(BERLIN, "sat-sun 00:00-24:00")
    saturday = datetime(2026, 3, 28, 0, 0, tzinfo=BERLIN)
    assert counted_between(saturday, saturday + 72 * H, weekend) == 47 * H


def test_the_zone_is_the_accounts() -> None:
    # 09:00-18:00 in New York while the arrival is stamped in Tokyo time.
    ny = make_schedule(NEW_YORK, "mon-fri 09:00-18:00")
    arrival = tokyo(2026, 6, 2, 9, 0)  # = Monday 1 June 20:00 in New York
    assert due_at(arrival, 1 * H, ny) == datetime(2026, 6, 2, 10, 0, tzinfo=NEW_YORK)


def test_absence_pauses_the_clock() -> None:
    away = (tokyo(2026, 6, 1, 12, 0), tokyo(2026, 6, 3, 12, 0))
    schedule = make_schedule(TOKYO, pauses=(away,))
    # Arrived before: the two days do not count.
    assert due_at(tokyo(2026, 6, 1, 10, 0), 24 * H, schedule) == tokyo(2026, 6, 4, 10, 0)
    # Arrived during: due as if it arrived when the absence ended.
    assert due_at(tokyo(2026, 6, 2, 8, 0), 24 * H, schedule) == tokyo(2026, 6, 4, 12, 0)
    assert not is_counting(tokyo(2026, 6, 2, 8, 0), schedule)
    assert is_counting(tokyo(2026, 6, 3, 12, 0), schedule)


def test_stage_marks_count_working_time() -> None:
    marks = window_marks(tokyo(2026, 6, 5, 17, 0), 9 * H, OFFICE, 4 * H, 1 * H)
    assert marks.due_at == tokyo(2026, 6, 8, 17, 0)
    assert marks.warning_at == tokyo(2026, 6, 8, 13, 0)  # 4 working hours before, not 13:00 Mon
    assert marks.urgent_at == tokyo(2026, 6, 8, 16, 0)
    plain = window_marks(tokyo(2026, 6, 5, 17, 0), 9 * H, None, 4 * H, 1 * H)
    assert plain.warning_at is None and plain.due_at == tokyo(2026, 6, 6, 2, 0)


def test_a_year_of_days_off_does_not_hang() -> None:
    schedule = make_schedule(TOKYO, "mon-fri 09:00-18:00", days_off=("2026-01-01..2035-01-01",))
    due = due_at(tokyo(2026, 6, 1, 10, 0), 9 * H, schedule)
    assert due > tokyo(2028, 1, 1)


# --- properties --------------------------------------------------------------------------------

ZONES = [TOKYO, BERLIN, NEW_YORK, ZoneInfo("Australia/Lord_Howe"), ZoneInfo("UTC")]
HOURS = [
    "mon-fri 09:00-18:00",
    "mon-fri 09:00-12:00,13:00-18:00; sat 10:00-14:00",
    "sun 23:00-24:00",
    "mon-sun 01:30-03:30",  # crosses DST changes at 02:00/03:00
    "tue,thu 00:00-24:00",
]

arrivals = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2027, 12, 31), timezones=st.just(UTC)
)
windows = st.integers(min_value=1, max_value=72 * 60).map(lambda m: timedelta(minutes=m))


@st.composite
def schedules(draw: st.DrawFn) -> Schedule:
    zone = draw(st.sampled_from(ZONES))
    hours = draw(st.sampled_from(HOURS))
    holidays = draw(st.sampled_from([None, "jp", "us"]))
    days_off = draw(st.sampled_from([(), ("2026-12-29..2027-01-03", "2026-05-06")]))
    return make_schedule(zone, hours, holidays, days_off)


@settings(max_examples=300, deadline=None)
@given(arrival=arrivals, window=windows, schedule=schedules())
def test_never_before_arrival_and_inside_working_time(
    arrival: datetime, window: timedelta, schedule: Schedule
) -> None:
    due = due_at(arrival, window, schedule)
    assert due >= arrival + min(window, timedelta(0))
    assert due > arrival
    # Inside working time: counting just before it (the due instant closes a counted stretch).
    assert is_counting(due - timedelta(microseconds=1), schedule)
    assert counted_between(arrival, due, schedule) == window


@settings(max_examples=200, deadline=None)
@given(first=arrivals, gap=windows, window=windows, schedule=schedules())
def test_monotonic_in_arrival(
    first: datetime, gap: timedelta, window: timedelta, schedule: Schedule
) -> None:
    assert due_at(first, window, schedule) <= due_at(first + gap, window, schedule)


@settings(max_examples=200, deadline=None)
@given(first=arrivals, window=windows, longer=windows, schedule=schedules())
def test_monotonic_in_window(
    first: datetime, window: timedelta, longer: timedelta, schedule: Schedule
) -> None:
    assert due_at(first, window, schedule) <= due_at(first, window + longer, schedule)


@settings(max_examples=200, deadline=None)
@given(arrival=arrivals, window=windows, zone=st.sampled_from(ZONES))
def test_around_the_clock_is_arrival_plus_window(
    arrival: datetime, window: timedelta, zone: ZoneInfo
) -> None:
    local = arrival.astimezone(zone)
    # Real elapsed time, compared as UTC instants: two datetimes of one ZoneInfo compare by
    # wall clock (fold ignored), which would hide an hour lost or gained at a DST change.
    expected = arrival.astimezone(UTC) + window
    assert due_at(local, window, make_schedule(zone, "always")).astimezone(UTC) == expected
    assert due_at(local, window, None).astimezone(UTC) == expected
    # The long way round (a pause far in the past forces the interval walk) agrees too.
    walked = make_schedule(zone, pauses=((local - 400 * H, local - 399 * H),))
    assert due_at(local, window, walked).astimezone(UTC) == expected
