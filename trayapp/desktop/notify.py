"""Desktop notifications: an ordered chain of backends, and the scheduler that decides when.

Backends are tried in order; each raises `NotificationUnavailable` with a reason when it
cannot deliver, and the next is tried (the shape of qutebrowser's notification adapters). A
backend that learns of a failure only later (an asynchronous D-Bus reply) hands the
notification on through the `fallback` the Notifier gives it.

    Linux:          ui.dbus_notifier.DBusNotifier (org.freedesktop.Notifications, no process)
    Windows, macOS: desktop.native_notify.DesktopNotifierBackend (desktop-notifier), then plyer
    everywhere:     the tray's own balloon, last, passed in as a plain callable (no Qt here)

Backends that keep notifications on screen (`LiveBackend`) also replace a notification's
earlier stage, withdraw one whose inquiry no longer waits, and report the person's actions.
"""

from __future__ import annotations

import dataclasses
import logging
import sys
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Generic, Protocol, runtime_checkable

from trayapp.core.live_notifications import Id, LiveNotifications
from trayapp.core.model import Inquiry, Stage
from trayapp.core.notifications import (
    ENGLISH_NOTIFICATIONS,
    QUIET_WARNING_KEY,
    Holds,
    NotificationText,
    NotificationTexts,
    NotifiedLedger,
    compose,
    compose_quiet_warning,
    defang,
    plan_notifications,
)
from trayapp.core.summary import DEFAULT_LEADS, StageLeads

log = logging.getLogger(__name__)

APP_NAME = "Ippo"

# What a notification's actions report: (action key, the inquiries it tells). Backends call
# it from whatever thread their library uses; the app's handler re-emits it on the GUI thread.
ActionHandler = Callable[[str, tuple[str, ...]], None]


class NotificationUnavailable(RuntimeError):
    """This backend cannot deliver here (missing library, no daemon, …)."""


class NotificationBackend(Protocol):
    name: str

    def show(self, note: NotificationText) -> None:
        """Deliver (or start delivering) or raise NotificationUnavailable."""


@runtime_checkable
class LiveBackend(Protocol):
    """A backend whose notifications stay on screen and can be taken back."""

    fallback: Callable[[NotificationText], None] | None

    def withdraw(self, waiting: Mapping[str, datetime]) -> None:
        """Close every live notification none of whose inquiries still waits as told."""

    def withdraw_items(self, item_ids: Iterable[str]) -> None:
        """Close the live notifications that tell any of these inquiries."""

    def close(self) -> None:
        """The app quits: let go of the connection (never waits)."""


class WithdrawsLive(Generic[Id]):
    """`withdraw` and `withdraw_items` for a backend that keeps its notifications on screen in
    `self._live` and closes one with `self._close(id)`."""

    _live: LiveNotifications[Id]

    def _close(self, notification_id: Id) -> None:
        raise NotImplementedError

    def withdraw(self, waiting: Mapping[str, datetime]) -> None:
        for notification_id in self._live.stale(waiting):
            self._close(notification_id)

    def withdraw_items(self, item_ids: Iterable[str]) -> None:
        for notification_id in self._live.covering(item_ids):
            self._close(notification_id)


class PlyerBackend:
    """Windows and macOS where desktop-notifier cannot run. Never on Linux: plyer runs
    `notify-send TITLE BODY` there (a process per notification, and a subject like `--wait`
    becomes an option); Ippo talks to the notification service itself."""

    name = "plyer"

    def __init__(self, app_name: str = APP_NAME, app_icon: str = "", timeout_s: int = 10) -> None:
        self._app_name = app_name
        self._app_icon = app_icon
        self._timeout_s = timeout_s

    def show(self, note: NotificationText) -> None:
        if sys.platform.startswith("linux"):
            raise NotificationUnavailable("plyer is not used on Linux (it runs notify-send)")
        try:
            from plyer import notification
        except ImportError as exc:  # pragma: no cover - plyer is a dependency
            raise NotificationUnavailable(f"plyer is not installed: {exc}") from exc
        try:
            notification.notify(
                title=note.title,
                message=defang(note.message),  # a balloon may guess rich text
                app_name=self._app_name,
                app_icon=self._app_icon,
                timeout=self._timeout_s,
            )
        except NotImplementedError as exc:
            raise NotificationUnavailable("plyer has no notification backend here") from exc
        except Exception as exc:  # plyer surfaces pyobjus, win32 errors as anything
            raise NotificationUnavailable(f"plyer failed: {exc!r}") from exc


class CallableBackend:
    """Any `show(title, message)` callable, e.g. the tray icon's showMessage. Mail text is
    defanged: the tray's balloon is a toolkit widget that may guess rich text."""

    def __init__(self, name: str, show: Callable[[str, str], None]) -> None:
        self.name = name
        self._show = show

    def show(self, note: NotificationText) -> None:
        try:
            self._show(note.title, defang(note.message))
        except NotificationUnavailable:
            raise
        except Exception as exc:
            raise NotificationUnavailable(f"{self.name} failed: {exc!r}") from exc


class Notifier:
    """Delivers through the first backend that can; remembers nothing itself."""

    def __init__(self, backends: Sequence[NotificationBackend], overdue_stays: bool = True) -> None:
        if not backends:
            raise ValueError("at least one notification backend is needed")
        self._backends = list(backends)
        self.overdue_stays = overdue_stays
        for index, backend in enumerate(self._backends):
            if isinstance(backend, LiveBackend):
                backend.fallback = self._fallback_after(index)

    def _fallback_after(self, index: int) -> Callable[[NotificationText], None]:
        def deliver(note: NotificationText) -> None:
            try:
                self._deliver(note, index + 1)
            except NotificationUnavailable as exc:
                log.warning("could not notify: %s", exc)

        return deliver

    def notify(self, note: NotificationText) -> str:
        """Returns the name of the backend that took it; raises when none could."""
        note = dataclasses.replace(note, resident=note.overdue and self.overdue_stays)
        return self._deliver(note, 0)

    def _deliver(self, note: NotificationText, start: int) -> str:
        reasons = []
        for backend in self._backends[start:]:
            try:
                backend.show(note)
            except NotificationUnavailable as exc:
                log.info("notification backend %s unavailable: %s", backend.name, exc)
                reasons.append(f"{backend.name}: {exc}")
                continue
            return backend.name
        raise NotificationUnavailable("no notification backend worked: " + "; ".join(reasons))

    def withdraw(self, waiting: Mapping[str, datetime]) -> None:
        for backend in self._backends:
            if isinstance(backend, LiveBackend):
                backend.withdraw(waiting)

    def withdraw_items(self, item_ids: Iterable[str]) -> None:
        ids = list(item_ids)
        for backend in self._backends:
            if isinstance(backend, LiveBackend):
                backend.withdraw_items(ids)

    def close(self) -> None:
        """The app quits: the live backends let go (D-Bus first takes Ippo's notifications
        off the screen: their buttons would do nothing once the app is gone)."""
        for backend in self._backends:
            if isinstance(backend, LiveBackend):
                backend.close()


# Monotonic timers stop while the machine sleeps; never wait longer than this, so a stage that
# began during sleep is told soon after wake even if nothing else happens (the watcher's
# reconnect after wake normally triggers a check much sooner).
MAX_WAIT = timedelta(minutes=30)


class NotificationScheduler:
    """Tells each stage of each deadline once, at the moment it begins.

    Qt-free: it does not own a timer. After every `update`/`check` it calls
    `arm_timer(delay)` with the time until the next stage change (None: nothing ahead), and
    the GUI runs one single-shot timer that calls `check()` when it fires.
    """

    def __init__(
        self,
        notifier: Notifier,
        ledger: NotifiedLedger,
        arm_timer: Callable[[timedelta | None], None],
        clock: Callable[[], datetime],
        leads: Mapping[str, StageLeads] | None = None,
        default_leads: StageLeads = DEFAULT_LEADS,
        texts: NotificationTexts = ENGLISH_NOTIFICATIONS,
        max_wait: timedelta = MAX_WAIT,
    ) -> None:
        self._max_wait = max_wait
        self._notifier = notifier
        self._ledger = ledger
        self._arm_timer = arm_timer
        self._clock = clock
        self._leads: Mapping[str, StageLeads] = dict(leads or {})
        self._default_leads = default_leads
        self._texts = texts
        self._items: list[Inquiry] = []
        self._holds = Holds()  # persisted snoozes, absences, quiet hours (core.notifications)
        self._snoozed: dict[str, datetime] = {}  # item id -> notifications held until
        self._reminders: set[str] = set()  # snooze over: tell the current stage once more

    def set_leads(self, leads: Mapping[str, StageLeads]) -> None:
        self._leads = dict(leads)
        self.check()

    def set_holds(self, holds: Holds, *, recheck: bool = True) -> None:
        """Snoozes, absences and quiet hours changed (from the watch service's snapshot).
        `recheck=False` when an `update` follows at once (the holds must be known first)."""
        if holds != self._holds:
            self._holds = holds
            if recheck:
                self.check()

    def set_texts(self, texts: NotificationTexts) -> None:
        self._texts = texts

    @property
    def notifier(self) -> Notifier:
        """The delivery chain, for notifications about something other than a deadline."""
        return self._notifier

    def set_overdue_stays(self, enabled: bool) -> None:
        """Whether an overdue notification stays on screen until the person acts."""
        self._notifier.overdue_stays = enabled

    def update(self, items: Sequence[Inquiry]) -> NotificationText | None:
        """The waiting set changed: withdraw what no longer waits, tell what is due now, and
        re-arm the timer."""
        self._items = list(items)
        self._notifier.withdraw({i.id: i.deadline for i in self._items})
        return self.check()

    def snooze(self, item_id: str, until: datetime) -> None:
        """Hold this inquiry's notifications until `until` (in memory: a restart forgets);
        then its current stage is told again, once. Its deadline and the badge do not change."""
        self._snoozed[item_id] = until
        self._reminders.discard(item_id)
        self._notifier.withdraw_items([item_id])
        self.check()

    def _told(self, now: datetime) -> Callable[[str, Stage, datetime], bool]:
        def told(item_id: str, stage: Stage, deadline: datetime) -> bool:
            until = self._snoozed.get(item_id)
            if until is not None and now < until:
                return True  # held: not told now, not marked
            if item_id in self._reminders:
                return False  # the snooze is over: remind once
            return self._ledger.was_notified(item_id, stage, deadline)

        return told

    def check(self) -> NotificationText | None:
        """Send what is due now (grouped into one notification); returns what was sent."""
        now = self._clock()
        for item_id, until in list(self._snoozed.items()):
            if now >= until:
                del self._snoozed[item_id]
                self._reminders.add(item_id)
        waiting = {i.id for i in self._items}
        self._reminders &= waiting
        for item_id in [k for k in self._snoozed if k not in waiting]:
            del self._snoozed[item_id]
        plan = plan_notifications(
            self._items, self._told(now), now, self._leads, self._default_leads, self._holds
        )
        alerts = plan.alerts
        sent: NotificationText | None = None
        if plan.quiet_warning and plan.quiet_start is not None:
            warning = compose_quiet_warning(plan.quiet_warning, now, self._texts)
            try:
                self._notifier.notify(warning)
            except NotificationUnavailable as exc:
                log.warning("could not notify: %s", exc)
            else:
                self._ledger.mark_notified(QUIET_WARNING_KEY, Stage.WARNING, plan.quiet_start)
                sent = warning
        if alerts:
            text = compose(alerts, self._texts)
            try:
                backend = self._notifier.notify(text)
            except NotificationUnavailable as exc:
                # Not marked: the tray badge still shows it, and the next check tries again.
                log.warning("could not notify: %s", exc)
            else:
                log.info("notified %d item(s) via %s", len(alerts), backend)
                for alert in alerts:
                    self._ledger.mark_notified(alert.item.id, alert.stage, alert.deadline)
                    self._reminders.discard(alert.item.id)
                sent = text
        wakes = [plan.wake_at, *self._snoozed.values()]
        wake = min((w for w in wakes if w is not None), default=None)
        if wake is None:
            self._arm_timer(None)
        else:
            self._arm_timer(max(timedelta(0), min(wake - now, self._max_wait)))
        return sent
