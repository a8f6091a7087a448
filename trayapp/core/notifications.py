"""Which stage notifications are due now, and when the next one will be. Pure.

A notification is keyed by (item id, stage, deadline): each stage of each deadline is told at
most once, ever (the ledger is the SQLite store, so a restart does not repeat it). Including
the deadline means an acknowledged item's new promise gets its own warning/urgent/overdue.
Only the item's *current* stage is told: an app started when an item is already overdue says
"overdue" once, not warning, urgent and overdue in a burst.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Protocol

from trayapp.core.durations import ENGLISH as ENGLISH_DURATIONS
from trayapp.core.durations import DurationWords, format_duration
from trayapp.core.model import Inquiry, Stage
from trayapp.core.stages import item_next_stage_change, item_stage
from trayapp.core.summary import DEFAULT_LEADS, StageLeads


class NotifiedLedger(Protocol):
    """What the scheduler needs from the state store (trayapp.store.db.StateStore)."""

    def was_notified(self, item_id: str, stage: Stage, deadline: datetime) -> bool: ...

    def mark_notified(self, item_id: str, stage: Stage, deadline: datetime) -> object: ...


@dataclass(frozen=True)
class StageAlert:
    item: Inquiry
    stage: Stage
    deadline: datetime
    time_left: timedelta  # negative once overdue


def _leads(item: Inquiry, leads: Mapping[str, StageLeads], default: StageLeads) -> StageLeads:
    return leads.get(item.account, default)


def due_alerts(
    items: Iterable[Inquiry],
    already_notified: Callable[[str, Stage, datetime], bool],
    now: datetime,
    leads: Mapping[str, StageLeads] | None = None,
    default_leads: StageLeads = DEFAULT_LEADS,
) -> list[StageAlert]:
    """The alerts to send now, most urgent first."""
    per_account = leads or {}
    alerts: list[StageAlert] = []
    for item in items:
        lead = _leads(item, per_account, default_leads)
        stage = item_stage(item, now, lead.warning, lead.urgent)
        if stage is Stage.CALM or already_notified(item.id, stage, item.deadline):
            continue
        alerts.append(StageAlert(item, stage, item.deadline, item.deadline - now))
    alerts.sort(key=lambda a: (-a.stage.rank, a.deadline, a.item.account, a.item.uid))
    return alerts


def next_wakeup(
    items: Iterable[Inquiry],
    now: datetime,
    leads: Mapping[str, StageLeads] | None = None,
    default_leads: StageLeads = DEFAULT_LEADS,
) -> datetime | None:
    """The next moment any item enters a new stage (the one timer is set for exactly that)."""
    per_account = leads or {}
    moments = []
    for item in items:
        lead = _leads(item, per_account, default_leads)
        moment = item_next_stage_change(item, now, lead.warning, lead.urgent)
        if moment is not None:
            moments.append(moment)
    return min(moments, default=None)


@dataclass(frozen=True)
class NotificationTexts:
    """Format strings; the UI passes translated ones."""

    single_due: str = "{sender}: reply within {left}"
    single_overdue: str = "{sender}: reply overdue by {left}"
    group_title: str = "{count} inquiries need a reply"
    line_due: str = "{sender} — {left} left"
    line_overdue: str = "{sender} — {left} overdue"
    more: str = "…and {count} more"
    no_subject: str = "(no subject)"
    duration: DurationWords = ENGLISH_DURATIONS


ENGLISH_NOTIFICATIONS = NotificationTexts()


@dataclass(frozen=True)
class NotificationText:
    title: str
    message: str


def defang(text: str) -> str:
    """Mail text shown where a notification server or toolkit may read markup (notification
    bodies, tray tooltips): markup characters become look-alikes, so a subject can never turn
    into HTML, an image load or a link."""
    return text.replace("<", "‹").replace(">", "›").replace("&", "＆")


def _display_sender(item: Inquiry) -> str:
    return defang(item.sender or item.sender_addr)


def compose(
    alerts: Sequence[StageAlert],
    texts: NotificationTexts = ENGLISH_NOTIFICATIONS,
    max_lines: int = 4,
) -> NotificationText:
    """One notification for every alert due at once: several are grouped, never a flood."""
    if not alerts:
        raise ValueError("nothing to notify")
    if len(alerts) == 1:
        alert = alerts[0]
        overdue = alert.time_left <= timedelta(0)
        template = texts.single_overdue if overdue else texts.single_due
        left = format_duration(alert.time_left, texts.duration)
        title = template.format(sender=_display_sender(alert.item), left=left)
        return NotificationText(title, defang(alert.item.subject) or texts.no_subject)
    lines = []
    for alert in alerts[:max_lines]:
        overdue = alert.time_left <= timedelta(0)
        template = texts.line_overdue if overdue else texts.line_due
        left = format_duration(alert.time_left, texts.duration)
        lines.append(template.format(sender=_display_sender(alert.item), left=left))
    if len(alerts) > max_lines:
        lines.append(texts.more.format(count=len(alerts) - max_lines))
    return NotificationText(texts.group_title.format(count=len(alerts)), "\n".join(lines))
