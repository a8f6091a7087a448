"""core.arrival: when the clock starts when a server's INTERNALDATE cannot be used."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from trayapp.core.arrival import ArrivalSource, arrival_time, plausible

NOW = datetime(2026, 12, 1, 8, 0, tzinfo=UTC)
EARLY = datetime(2026, 12, 1, 6, 0, tzinfo=timezone(timedelta(hours=9)))
DATE_HEADER = datetime(2026, 11, 30, 21, 0, tzinfo=UTC)
END_OF_TIME = datetime(9999, 12, 31, 23, 59, 59, tzinfo=timezone(timedelta(hours=-12)))


@pytest.mark.parametrize(
    ("internaldate", "date_header", "expected", "source"),
    [
        (EARLY, DATE_HEADER, EARLY, ArrivalSource.INTERNALDATE),
        (None, DATE_HEADER, DATE_HEADER, ArrivalSource.DATE_HEADER),
        (END_OF_TIME, DATE_HEADER, DATE_HEADER, ArrivalSource.DATE_HEADER),
        (datetime(1970, 1, 1, tzinfo=UTC), DATE_HEADER, DATE_HEADER, ArrivalSource.DATE_HEADER),
        (datetime(2026, 12, 1, 8, 0), DATE_HEADER, DATE_HEADER, ArrivalSource.DATE_HEADER),
        (None, None, NOW, ArrivalSource.FIRST_SEEN),
        (END_OF_TIME, END_OF_TIME, NOW, ArrivalSource.FIRST_SEEN),
        (None, NOW + timedelta(days=3), NOW, ArrivalSource.FIRST_SEEN),
    ],
    ids=["internaldate", "missing", "9999", "1970", "naive", "nothing", "absurd", "ahead"],
)
def test_the_clock_falls_back_honestly(
    internaldate: datetime | None,
    date_header: datetime | None,
    expected: datetime,
    source: ArrivalSource,
) -> None:
    assert arrival_time(internaldate, date_header, NOW) == (expected, source)


def test_a_plausible_arrival_leaves_room_for_any_window() -> None:
    """Whatever a server sends, the moment chosen plus a year's window is still a date (the
    year-9999 INTERNALDATE used to overflow the deadline and end the scan)."""
    for value in (END_OF_TIME, datetime.max.replace(tzinfo=UTC), datetime.min.replace(tzinfo=UTC)):
        start, _source = arrival_time(value, value, NOW)
        assert start + timedelta(days=366) > start
    assert plausible(NOW + timedelta(hours=23), NOW)
    assert not plausible(NOW + timedelta(hours=25), NOW)
