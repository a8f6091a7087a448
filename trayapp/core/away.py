"""Absences ("I'm away until Monday"): pure rules over a list of [start, until) periods.

While away the promise clock stands still (an absence is a pause in core.schedule), so what
arrives is due as if it arrived when the absence ends, and notifications are held. Past
absences are kept for a while: they still shape the due times of what arrived during them.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from trayapp.core.said import Said, SaidValueError

KEEP_PAST = timedelta(days=90)  # longer than any look-back: their pauses still count


@dataclass(frozen=True, order=True)
class Absence:
    start: datetime
    until: datetime
    auto_reply: bool = False  # answer each new sender once, as an RFC 3834 auto-reply

    def covers(self, moment: datetime) -> bool:
        return self.start <= moment < self.until

    def to_json(self) -> dict[str, object]:
        data: dict[str, object] = {"from": self.start.isoformat(), "until": self.until.isoformat()}
        if self.auto_reply:
            data["auto_reply"] = True
        return data


def absences_from_json(raw: object) -> tuple[Absence, ...]:
    """The stored list; entries that do not read (hand-edited, hostile) are skipped."""
    if not isinstance(raw, list):
        return ()
    found: list[Absence] = []
    for entry in raw:
        if not isinstance(entry, Mapping):
            continue
        try:
            start = datetime.fromisoformat(str(entry.get("from")))
            until = datetime.fromisoformat(str(entry.get("until")))
        except ValueError:
            continue
        if start.tzinfo is None or until.tzinfo is None or until <= start:
            continue
        found.append(Absence(start, until, entry.get("auto_reply") is True))
    return tuple(sorted(found))


def away_at(absences: Iterable[Absence], moment: datetime) -> Absence | None:
    """The absence `moment` falls in, if any."""
    return next((a for a in absences if a.covers(moment)), None)


def next_absence(absences: Iterable[Absence], moment: datetime) -> Absence | None:
    """The absence in force at `moment` or the next one planned."""
    ahead = [a for a in absences if a.until > moment]
    return min(ahead, default=None)


def set_absence(
    absences: Sequence[Absence],
    start: datetime,
    until: datetime,
    now: datetime,
    *,
    auto_reply: bool = False,
) -> tuple[Absence, ...]:
    """Plan an absence. Planned (future or current) ones it overlaps are replaced; past ones
    are kept (they still shape past due times) unless older than KEEP_PAST."""
    if until <= now:
        raise SaidValueError(Said("that absence is already over"))
    if until <= start:
        raise SaidValueError(Said("an absence must end after it starts"))
    kept = [
        a
        for a in absences
        if a.until > now - KEEP_PAST and not (a.start < until and start < a.until and a.until > now)
    ]
    # A current absence overlapped by the new one ends where the new one starts.
    kept += [
        Absence(a.start, start, a.auto_reply)
        for a in absences
        if a.start < start < a.until and a.until > now and a.start < now
    ]
    return tuple(sorted({*kept, Absence(start, until, auto_reply)}))


def clear_absence(absences: Sequence[Absence], now: datetime) -> tuple[Absence, ...]:
    """Back now: a current absence ends at `now`, planned ones are dropped, past ones kept."""
    kept: list[Absence] = []
    for a in absences:
        if a.until <= now:
            if a.until > now - KEEP_PAST:
                kept.append(a)
        elif a.start < now:
            kept.append(Absence(a.start, now, a.auto_reply))
    return tuple(sorted(kept))


def pauses(absences: Iterable[Absence]) -> tuple[tuple[datetime, datetime], ...]:
    return tuple((a.start, a.until) for a in absences)
