"""What the tray shows at a glance, computed from the waiting items and the accounts' health.

Pure: the tray icon, its tooltip, `ippo watch --format waybar` and the notifier all read the
same `Summary`, so they can never disagree about what is most urgent or who is not covered.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Literal

from trayapp.core.durations import ENGLISH as ENGLISH_DURATIONS
from trayapp.core.durations import DurationWords, format_duration
from trayapp.core.model import AccountConfig, AccountHealth, HealthState, Inquiry, ItemState, Stage
from trayapp.core.pending import sort_by_urgency
from trayapp.core.safetext import NAME_CHARS, display_line
from trayapp.core.stages import format_time_left, in_utc, item_stage_and_next_change

# "setup": no inbox is set up at all (nothing is watched; the fix is to add one).
# "away": the user is away (core.away): deadlines paused, notifications held.
BadgeKind = Literal["calm", "warning", "urgent", "overdue", "empty", "error", "setup", "away"]
# "connecting": an inbox is still being reached (right after start); not yet an error.
WaybarClass = Literal["ok", "warning", "urgent", "overdue", "error", "connecting"]


@dataclass(frozen=True)
class StageLeads:
    """How long before a deadline the warning and urgent stages begin."""

    warning: timedelta = timedelta(hours=4)
    urgent: timedelta = timedelta(hours=1)

    @classmethod
    def for_account(cls, account: AccountConfig) -> StageLeads:
        return cls(timedelta(hours=account.warning_hours), timedelta(hours=account.urgent_hours))


DEFAULT_LEADS = StageLeads()


def leads_by_account(accounts: Iterable[AccountConfig]) -> dict[str, StageLeads]:
    return {a.name: StageLeads.for_account(a) for a in accounts}


@dataclass(frozen=True)
class BadgeSpec:
    """Everything the badge renderer needs; nothing else.

    `text` is the countdown of the most urgent item ('3h', '45m', '-2h' once overdue) or ''
    when nothing waits. `kind` 'error' wins over every stage: an inbox that is not watched
    must be visible even while items wait, so the renderer still gets the countdown and the
    underlying `stage` (None when nothing waits). 'away' wins over the stages (not over
    'error' or 'setup'): the deadlines stand still, and the tooltip counts what waits.
    """

    text: str
    kind: BadgeKind
    stage: Stage | None = None


_BADGE_KIND: dict[Stage, BadgeKind] = {
    Stage.CALM: "calm",
    Stage.WARNING: "warning",
    Stage.URGENT: "urgent",
    Stage.OVERDUE: "overdue",
}
_WAYBAR_CLASS: dict[Stage, WaybarClass] = {
    Stage.CALM: "ok",
    Stage.WARNING: "warning",
    Stage.URGENT: "urgent",
    Stage.OVERDUE: "overdue",
}


@dataclass(frozen=True)
class TooltipTexts:
    """Format strings for the tooltip; the UI passes translated ones (core has no Qt)."""

    nothing_waits: str = "Nothing waits for a reply"
    # Said instead of "nothing waits" while an inbox is not watched: nobody knows that.
    nothing_known: str = "Nothing known to wait — not every inbox is watched"
    no_inbox: str = "No inbox is watched yet: add one from this menu"
    counts: str = (
        "{waiting} waiting: {overdue} overdue · {urgent} urgent · {warning} warning · {calm} calm"
    )
    acknowledged: str = "{count} acknowledged, promise pending"
    acknowledged_late: str = "{count} acknowledged, {late} of them past the promised time"
    next_due: str = "Next: {sender} — {subject} ({left} left)"
    next_overdue: str = "Overdue: {sender} — {subject} ({left} late)"
    not_covered: str = "NOT covered: {account} — {health}"
    no_subject: str = "(no subject)"
    duration: DurationWords = ENGLISH_DURATIONS
    away: str = "Away until {until}: deadlines paused, notifications held"


ENGLISH_TOOLTIP = TooltipTexts()


@dataclass(frozen=True)
class Summary:
    now: datetime
    items: tuple[Inquiry, ...]  # most urgent first
    stages: Mapping[str, Stage]  # item id -> stage now
    counts: Mapping[Stage, int]  # every item (waiting and acknowledged) by its stage now
    waiting_count: int
    acknowledged_count: int
    most_urgent: Inquiry | None
    time_left: timedelta | None  # of most_urgent; negative once overdue
    most_urgent_stage: Stage | None
    not_covered: tuple[tuple[str, AccountHealth], ...] = field(default=())  # by account name
    # The earliest next stage change of any item (one moment, not one per item: a burst of
    # 2,000 held 2,000 datetimes for the life of the snapshot).
    next_stage_change: datetime | None = None
    waiting_counts: Mapping[Stage, int] = field(default_factory=dict)  # waiting items only
    acknowledged_late: int = 0  # acknowledged items past their promised time
    no_inbox: bool = False  # no account is set up: nothing can be watched
    away_until: datetime | None = None  # the user is away (core.away) until then

    @property
    def total(self) -> int:
        return len(self.items)

    @property
    def covered(self) -> bool:
        return not self.not_covered and not self.no_inbox

    @property
    def only_connecting(self) -> bool:
        """Every inbox not covered is still being reached for the first time (no failure)."""
        return bool(self.not_covered) and all(
            h.state is HealthState.CONNECTING for _, h in self.not_covered
        )

    @property
    def badge(self) -> BadgeSpec:
        text = format_time_left(self.time_left) if self.time_left is not None else ""
        if self.not_covered:
            # Not watched: never the calm check mark.
            return BadgeSpec(text, "error", self.most_urgent_stage)
        if self.no_inbox:
            return BadgeSpec("", "setup", None)
        if self.away_until is not None:
            return BadgeSpec(text, "away", self.most_urgent_stage)
        if self.most_urgent_stage is None:
            return BadgeSpec("", "empty", None)
        return BadgeSpec(text, _BADGE_KIND[self.most_urgent_stage], self.most_urgent_stage)

    @property
    def waybar_class(self) -> WaybarClass:
        if self.not_covered and self.only_connecting:
            return "connecting"
        if self.not_covered or self.no_inbox:
            return "error"
        if self.most_urgent_stage is None:
            return "ok"
        return _WAYBAR_CLASS[self.most_urgent_stage]

    def tooltip_lines(
        self,
        texts: TooltipTexts = ENGLISH_TOOLTIP,
        describe_health: Callable[[AccountHealth], str] = AccountHealth.describe,
    ) -> list[str]:
        lines = [
            texts.not_covered.format(account=name, health=describe_health(health))
            for name, health in self.not_covered
        ]
        if self.no_inbox:
            lines.append(texts.no_inbox)
        if self.away_until is not None:
            lines.append(texts.away.format(until=f"{self.away_until:%Y-%m-%d %H:%M}"))
        if not self.items:
            if not self.no_inbox:
                lines.append(texts.nothing_waits if self.covered else texts.nothing_known)
            return lines
        # Waiting and acknowledged are counted apart, so the numbers add up to the list's.
        if self.waiting_count:
            lines.append(
                texts.counts.format(
                    waiting=self.waiting_count,
                    overdue=self.waiting_counts.get(Stage.OVERDUE, 0),
                    urgent=self.waiting_counts.get(Stage.URGENT, 0),
                    warning=self.waiting_counts.get(Stage.WARNING, 0),
                    calm=self.waiting_counts.get(Stage.CALM, 0),
                )
            )
        if self.acknowledged_count and self.acknowledged_late:
            lines.append(
                texts.acknowledged_late.format(
                    count=self.acknowledged_count, late=self.acknowledged_late
                )
            )
        elif self.acknowledged_count:
            lines.append(texts.acknowledged.format(count=self.acknowledged_count))
        item, left = self.most_urgent, self.time_left
        if item is not None and left is not None:
            template = texts.next_overdue if left <= timedelta(0) else texts.next_due
            lines.append(
                template.format(
                    sender=display_line(item.sender or item.sender_addr, NAME_CHARS),
                    subject=display_line(item.subject, NAME_CHARS) or texts.no_subject,
                    left=format_duration(left, texts.duration),
                )
            )
        return lines

    def next_change_at(self) -> datetime | None:
        """The next moment the badge text or any item's stage changes: the one timer the tray
        sets (no per-minute polling while the badge shows hours)."""
        moments = []
        if self.next_stage_change is not None and self.next_stage_change > self.now:
            moments.append(self.next_stage_change)
        if self.away_until is not None and self.away_until > self.now:
            moments.append(self.away_until)  # back: the tooltip and the menu change
        if self.time_left is not None:
            moments.append(self.now + next_text_change(self.time_left))
        return min(moments, default=None)

    def waybar(
        self,
        texts: TooltipTexts = ENGLISH_TOOLTIP,
        describe_health: Callable[[AccountHealth], str] = AccountHealth.describe,
    ) -> dict[str, str]:
        """Waybar custom-module JSON: `text` such as '3 · 2h14m' (3 waiting) or '3+1 · 2h14m'
        (and 1 acknowledged), `tooltip`, `class`. '!' marks an inbox not covered, '…' one
        still connecting."""
        mark = "…" if self.only_connecting else "!" if self.not_covered or self.no_inbox else ""
        if self.time_left is None:
            text = mark or "0"
        else:
            count = str(self.waiting_count)
            if self.acknowledged_count:
                count += f"+{self.acknowledged_count}"
            text = f"{count} · {format_hours_minutes(self.time_left)}"
            if mark:
                text = f"{mark} {text}"
        return {
            "text": text,
            "tooltip": "\n".join(self.tooltip_lines(texts, describe_health)),
            "class": self.waybar_class,
        }


def format_hours_minutes(left: timedelta) -> str:
    """Finer countdown for status bars: '2h14m', '45m', '-1h05m' once overdue."""
    seconds = int(left.total_seconds())
    sign = "-" if seconds < 0 else ""
    seconds = abs(seconds)
    hours, rest = divmod(seconds, 3600)
    minutes = rest // 60
    if not sign and not hours and not minutes and seconds:
        minutes = 1  # under a minute left still reads as time left
    if hours:
        return f"{sign}{hours}h{minutes:02d}m"
    return f"{sign}{minutes}m"


def next_text_change(left: timedelta) -> timedelta:
    """How long until `format_time_left(left)` reads differently, plus one second so a timer
    set for it never fires a hair early. (That format truncates toward zero.)"""
    margin = timedelta(seconds=1)
    seconds = left.total_seconds()
    if seconds > 0:
        unit = 86400 if seconds >= 48 * 3600 else 3600 if seconds >= 3600 else 60
        whole = int(seconds) // unit * unit
        if unit == 86400:
            whole = max(whole, 48 * 3600)  # below 48 h the text switches to hours
        whole = max(whole, 1)  # '1m' is shown until the last second
        return timedelta(seconds=seconds - whole) + margin
    late = -seconds
    if int(late) == 0:
        return timedelta(seconds=1 - late) + margin
    unit = 86400 if late >= 48 * 3600 else 3600 if late >= 3600 else 60
    following = (int(late) // unit + 1) * unit
    return timedelta(seconds=following - late) + margin


def summarize(
    items: Iterable[Inquiry],
    health: Mapping[str, AccountHealth],
    now: datetime,
    leads: Mapping[str, StageLeads] | None = None,
    default_leads: StageLeads = DEFAULT_LEADS,
    *,
    no_inbox: bool = False,
    away_until: datetime | None = None,
) -> Summary:
    """The glanceable state. `leads` is per account name; accounts without one use the default.
    `no_inbox`: no account is set up at all (the tray must not look calm)."""
    ordered = tuple(sort_by_urgency(items))
    at = in_utc(now)
    per_account = leads or {}
    stages: dict[str, Stage] = {}
    counts = dict.fromkeys(Stage, 0)
    waiting_counts = dict.fromkeys(Stage, 0)
    acknowledged_late = 0
    next_change: datetime | None = None
    for item in ordered:
        lead = per_account.get(item.account, default_leads)
        stage, change = item_stage_and_next_change(item, at, lead.warning, lead.urgent)
        stages[item.id] = stage
        counts[stage] += 1
        if item.state is ItemState.ACKNOWLEDGED:
            acknowledged_late += stage is Stage.OVERDUE
        else:
            waiting_counts[stage] += 1
        if change is not None and (next_change is None or change < next_change):
            next_change = change
    # Most urgent = highest stage, then earliest deadline: with per-account leads a later
    # deadline can already be urgent while an earlier one is only calm.
    most_urgent = min(
        ordered, key=lambda i: (-stages[i.id].rank, i.deadline, i.account, i.uid), default=None
    )
    not_covered = tuple(
        (name, state) for name, state in sorted(health.items()) if not state.covered
    )
    acknowledged = sum(1 for i in ordered if i.state is ItemState.ACKNOWLEDGED)
    return Summary(
        now=now,
        items=ordered,
        stages=stages,
        counts=counts,
        waiting_count=len(ordered) - acknowledged,
        acknowledged_count=acknowledged,
        most_urgent=most_urgent,
        time_left=(most_urgent.deadline - now) if most_urgent is not None else None,
        most_urgent_stage=stages[most_urgent.id] if most_urgent is not None else None,
        not_covered=not_covered,
        next_stage_change=next_change,
        waiting_counts=waiting_counts,
        acknowledged_late=acknowledged_late,
        no_inbox=no_inbox,
        away_until=away_until,
    )
