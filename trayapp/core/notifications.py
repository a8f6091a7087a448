"""Which stage notifications are due now, and when the next one will be. Pure.

A notification is keyed by (item id, stage, deadline): each stage of each deadline is told at
most once, ever (the ledger is the SQLite store, so a restart does not repeat it). Including
the deadline means an acknowledged item's new promise gets its own warning/urgent/overdue.
Only the item's *current* stage is told: an app started when an item is already overdue says
"overdue" once, not warning, urgent and overdue in a burst.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta, tzinfo
from typing import Protocol

from trayapp.core.away import Absence, away_at
from trayapp.core.durations import ENGLISH as ENGLISH_DURATIONS
from trayapp.core.durations import DurationWords, format_duration
from trayapp.core.model import Inquiry, Stage
from trayapp.core.quiet import QuietHours, next_quiet_period, quiet_period_at
from trayapp.core.safetext import SENDER_CHARS, SUBJECT_CHARS, display_line
from trayapp.core.stages import (
    in_utc,
    item_stage_and_next_change,
)
from trayapp.core.summary import DEFAULT_LEADS, StageLeads


class NotifiedLedger(Protocol):
    """What the scheduler needs from the state store (trayapp.store.db.StateStore)."""

    def was_notified(self, item_id: str, stage: Stage, deadline: datetime) -> bool: ...

    def mark_notified(self, item_id: str, stage: Stage, deadline: datetime) -> object: ...


@dataclass(frozen=True, slots=True)
class StageAlert:
    item: Inquiry
    stage: Stage
    deadline: datetime
    time_left: timedelta  # negative once overdue


def _look(
    items: Iterable[Inquiry],
    now: datetime,
    leads: Mapping[str, StageLeads] | None,
    default_leads: StageLeads,
) -> tuple[list[tuple[Inquiry, Stage]], datetime | None]:
    """One look at every item (1,000 on the GUI thread per snapshot): the items past calm
    with their stage now, and the next moment any item enters a new stage."""
    per_account = leads or {}
    at = in_utc(now)
    staged: list[tuple[Inquiry, Stage]] = []
    earliest: datetime | None = None
    for item in items:
        lead = per_account.get(item.account, default_leads)
        stage, change = item_stage_and_next_change(item, at, lead.warning, lead.urgent)
        if change is not None and (earliest is None or change < earliest):
            earliest = change
        if stage is not Stage.CALM:
            staged.append((item, stage))
    return staged, earliest


def _alerts(
    staged: Iterable[tuple[Inquiry, Stage]],
    already_notified: Callable[[str, Stage, datetime], bool],
    now: datetime,
) -> list[StageAlert]:
    alerts = [
        StageAlert(item, stage, item.deadline, item.deadline - now)
        for item, stage in staged
        if not already_notified(item.id, stage, item.deadline)
    ]
    alerts.sort(key=lambda a: (-a.stage.rank, a.deadline, a.item.account, a.item.uid))
    return alerts


def due_alerts(
    items: Iterable[Inquiry],
    already_notified: Callable[[str, Stage, datetime], bool],
    now: datetime,
    leads: Mapping[str, StageLeads] | None = None,
    default_leads: StageLeads = DEFAULT_LEADS,
) -> list[StageAlert]:
    """The alerts to send now, most urgent first."""
    return _alerts(_look(items, now, leads, default_leads)[0], already_notified, now)


def next_wakeup(
    items: Iterable[Inquiry],
    now: datetime,
    leads: Mapping[str, StageLeads] | None = None,
    default_leads: StageLeads = DEFAULT_LEADS,
) -> datetime | None:
    """The next moment any item enters a new stage (the one timer is set for exactly that)."""
    return _look(items, now, leads, default_leads)[1]


@dataclass(frozen=True)
class NotificationTexts:
    """Format strings; the UI passes translated ones. Titles carry no mail text (a sender
    cannot style or forge a title); senders and subjects go in the body, where each delivery
    backend renders them as text for its target (see trayapp.desktop.notify)."""

    single_due: str = "Reply within {left}"
    single_overdue: str = "Reply overdue by {left}"
    single_body: str = "{sender}\n{subject}"
    group_title: str = "{count} inquiries need a reply"
    line_due: str = "{sender} — {left} left"
    line_overdue: str = "{sender} — {left} overdue"
    more: str = "…and {count} more"
    no_subject: str = "(no subject)"
    duration: DurationWords = ENGLISH_DURATIONS
    # Actions offered where the notification server supports them.
    open_action: str = "Open list"
    ack_action: str = "Send first word"
    snooze_action: str = "Snooze 1 h"
    quiet_warning: str = "{count} inquiries will pass their deadline tonight"


ENGLISH_NOTIFICATIONS = NotificationTexts()

# Action keys (what the server reports back in ActionInvoked); "default" is the click.
ACTION_OPEN = "default"
ACTION_ACK = "ippo-ack"
ACTION_SNOOZE = "ippo-snooze"


@dataclass(frozen=True)
class NotificationText:
    """One notification to deliver. `title` is ours alone; `message` holds mail text (sender,
    subject) as it is, so every backend must render it as text for its target: escaped where
    the server reads markup, look-alikes where a toolkit might guess rich text.

    `covers` is what it tells: (item id, deadline) per inquiry; `key` is what it replaces
    (the same inquiry's earlier stage, or the earlier group)."""

    title: str
    message: str
    covers: tuple[tuple[str, datetime], ...] = ()
    overdue: bool = False  # at least one covered inquiry is overdue
    actions: tuple[tuple[str, str], ...] = ()  # (key, label), the default action first
    resident: bool = False  # stays until the person acts (set at delivery from the settings)
    tag: str = ""  # what it replaces when it tells no inquiry (e.g. "account:shop")

    @property
    def item_ids(self) -> tuple[str, ...]:
        return tuple(item_id for item_id, _deadline in self.covers)

    @property
    def key(self) -> str:
        if self.tag:
            return self.tag
        return f"item:{self.covers[0][0]}" if len(self.covers) == 1 else "group"


def defang(text: str) -> str:
    """Mail text shown where a notification server or toolkit may read markup and cannot be
    told not to (tray tooltips, the tray's own balloon): markup characters become
    look-alikes, so a subject can never turn into HTML, an image load or a link."""
    return text.replace("<", "‹").replace(">", "›").replace("&", "＆")


def escape_markup(text: str) -> str:
    """Mail text for a notification body the server reads as markup (the `body-markup`
    capability): every markup character escaped, so it shows exactly as written."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _display_sender(item: Inquiry) -> str:
    return display_line(item.sender or item.sender_addr, SENDER_CHARS)


def compose(
    alerts: Sequence[StageAlert],
    texts: NotificationTexts = ENGLISH_NOTIFICATIONS,
    max_lines: int = 4,
) -> NotificationText:
    """One notification for every alert due at once: several are grouped, never a flood."""
    if not alerts:
        raise ValueError("nothing to notify")
    covers = tuple((a.item.id, a.deadline) for a in alerts)
    overdue = any(a.time_left <= timedelta(0) for a in alerts)
    actions = (
        (ACTION_OPEN, texts.open_action),
        (ACTION_ACK, texts.ack_action),
        (ACTION_SNOOZE, texts.snooze_action),
    )
    if len(alerts) == 1:
        alert = alerts[0]
        template = texts.single_overdue if overdue else texts.single_due
        title = template.format(left=format_duration(alert.time_left, texts.duration))
        subject = display_line(alert.item.subject, SUBJECT_CHARS)
        body = texts.single_body.format(
            sender=_display_sender(alert.item), subject=subject or texts.no_subject
        )
        return NotificationText(title, body, covers, overdue, actions)
    lines = []
    for alert in alerts[:max_lines]:
        late = alert.time_left <= timedelta(0)
        template = texts.line_overdue if late else texts.line_due
        left = format_duration(alert.time_left, texts.duration)
        lines.append(template.format(sender=_display_sender(alert.item), left=left))
    if len(alerts) > max_lines:
        lines.append(texts.more.format(count=len(alerts) - max_lines))
    title = texts.group_title.format(count=len(alerts))
    return NotificationText(title, "\n".join(lines), covers, overdue, actions)


# --- holds: snooze, away, quiet hours ------------------------------------------------------------

QUIET_WARNING_KEY = "quiet-hours"  # the ledger key of the warning at the start of quiet hours
QUIET_WARNING_GRACE = timedelta(minutes=15)  # later than this into quiet hours: stay quiet


@dataclass(frozen=True)
class Holds:
    """What makes notifications wait. The badge and the deadlines never wait for these (an
    absence pauses deadlines through core.schedule, not here)."""

    snoozed: Mapping[str, datetime] = field(default_factory=dict)  # item id -> until
    absences: tuple[Absence, ...] = ()
    quiet_hours: QuietHours | None = None
    zone: tzinfo = UTC  # the user's zone, for quiet hours

    def away_until(self, now: datetime) -> datetime | None:
        absence = away_at(self.absences, now)
        return absence.until if absence is not None else None


@dataclass(frozen=True)
class NotificationPlan:
    alerts: list[StageAlert]  # to tell now, as one notification
    quiet_warning: list[Inquiry]  # at quiet hours' start: what passes its deadline before they end
    quiet_start: datetime | None  # the quiet period the warning is for (its ledger key)
    held_until: datetime | None  # notifications wait until then (away or quiet hours)
    wake_at: datetime | None  # when to look again


def plan_notifications(
    items: Sequence[Inquiry],
    already_notified: Callable[[str, Stage, datetime], bool],
    now: datetime,
    leads: Mapping[str, StageLeads] | None = None,
    default_leads: StageLeads = DEFAULT_LEADS,
    holds: Holds | None = None,
) -> NotificationPlan:
    """What to tell now and when to look again, holds considered.

    Away or inside quiet hours nothing is told; when they end the alerts that are due then
    (each item's current stage, never told before) go out as one summary. At the start of
    quiet hours one warning lists what will pass its deadline before they end. A snoozed
    item is not told until its snooze ends (its deadline and the badge do not change)."""
    holds = holds or Holds()
    staged, stage_wake = _look(items, now, leads, default_leads)
    wakes: list[datetime] = []
    if stage_wake is not None:
        wakes.append(stage_wake)
    wakes += [until for until in holds.snoozed.values() if until > now]
    wakes += [a.start for a in holds.absences if a.start > now]
    quiet = quiet_period_at(now, holds.quiet_hours, holds.zone)
    upcoming = next_quiet_period(now, holds.quiet_hours, holds.zone)
    if upcoming is not None and upcoming[0] > now:
        wakes.append(upcoming[0])
    away_until = holds.away_until(now)
    held_until: datetime | None = None
    if away_until is not None:
        held_until = away_until
    if quiet is not None:
        held_until = max(held_until or quiet[1], quiet[1])
    if held_until is not None:
        wakes.append(held_until)
    wake_at = min(wakes, default=None)

    warning: list[Inquiry] = []
    if (
        quiet is not None
        and away_until is None
        and now < quiet[0] + QUIET_WARNING_GRACE
        and not already_notified(QUIET_WARNING_KEY, Stage.WARNING, quiet[0])
    ):
        warning = sorted(
            (i for i in items if now < i.deadline <= quiet[1]), key=lambda i: i.deadline
        )
    if held_until is not None:
        return NotificationPlan([], warning, quiet[0] if quiet else None, held_until, wake_at)
    snoozed = {ident for ident, until in holds.snoozed.items() if until > now}
    told = (pair for pair in staged if pair[0].id not in snoozed)
    return NotificationPlan(_alerts(told, already_notified, now), [], None, None, wake_at)


def compose_quiet_warning(
    items: Sequence[Inquiry],
    now: datetime,
    texts: NotificationTexts = ENGLISH_NOTIFICATIONS,
    max_lines: int = 4,
) -> NotificationText:
    """'2 inquiries will pass their deadline tonight', one line each."""
    lines = [
        texts.line_due.format(
            sender=_display_sender(item), left=format_duration(item.deadline - now, texts.duration)
        )
        for item in items[:max_lines]
    ]
    if len(items) > max_lines:
        lines.append(texts.more.format(count=len(items) - max_lines))
    title = texts.quiet_warning.format(count=len(items))
    actions = ((ACTION_OPEN, texts.open_action),)
    return NotificationText(title, "\n".join(lines), actions=actions, tag="quiet-hours")
