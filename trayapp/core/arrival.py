"""When a message arrived, when the server's word for it cannot be used.

The clock starts at INTERNALDATE, the moment the server received the message. A hostile or
broken server can send one that cannot be parsed, or one in the year 9999 (the deadline would
never come, and date arithmetic near the end of the calendar overflows). Dropping such a
message would hide an inquiry ("Nothing waits"), so the honest fallback is, in order:

1. INTERNALDATE, when it is a plausible moment (not before 1990, not more than a day ahead);
2. the Date header the sender wrote, under the same test;
3. the moment Ippo first saw the message (the scan's time): the clock starts late rather
   than never, and the log says so.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from enum import Enum

EARLIEST = datetime(1990, 1, 1, tzinfo=UTC)
FUTURE_SLACK = timedelta(days=1)  # clocks of servers and senders are a little off


class ArrivalSource(Enum):
    INTERNALDATE = "internaldate"
    DATE_HEADER = "date-header"
    FIRST_SEEN = "first-seen"


def plausible(value: datetime | None, now: datetime) -> bool:
    """Whether `value` can be a moment a message reached a server that we look at `now`."""
    if value is None or value.tzinfo is None or value.utcoffset() is None:
        return False
    try:
        return EARLIEST <= value <= now + FUTURE_SLACK
    except OverflowError:
        return False


def arrival_time(
    internaldate: datetime | None, date_header: datetime | None, now: datetime
) -> tuple[datetime, ArrivalSource]:
    """The moment the clock starts, and where it came from (see the module doc)."""
    if plausible(internaldate, now):
        assert internaldate is not None
        return internaldate, ArrivalSource.INTERNALDATE
    if plausible(date_header, now):
        assert date_header is not None
        return date_header, ArrivalSource.DATE_HEADER
    return now, ArrivalSource.FIRST_SEEN
