"""Desktop notifications: an ordered chain of backends, and the scheduler that decides when.

Backends are tried in order; each raises `NotificationUnavailable` with a reason when it
cannot deliver, and the next is tried (the shape of qutebrowser's notification adapters).
plyer comes first (native: D-Bus on Linux, toast on Windows); the tray's own balloon is the
fallback, passed in as a plain callable so this module never imports Qt.
"""

from __future__ import annotations

import logging
import os
import shutil
import subprocess
import sys
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Protocol

from trayapp.core.model import Inquiry
from trayapp.core.notifications import (
    ENGLISH_NOTIFICATIONS,
    NotificationText,
    NotificationTexts,
    NotifiedLedger,
    compose,
    due_alerts,
    next_wakeup,
)
from trayapp.core.summary import DEFAULT_LEADS, StageLeads

log = logging.getLogger(__name__)

APP_NAME = "Ippo"


class NotificationUnavailable(RuntimeError):
    """This backend cannot deliver here (missing library, no daemon, …)."""


class NotificationBackend(Protocol):
    name: str

    def show(self, title: str, message: str) -> None:
        """Deliver or raise NotificationUnavailable."""


class PlyerBackend:
    name = "plyer"

    def __init__(self, app_name: str = APP_NAME, app_icon: str = "", timeout_s: int = 10) -> None:
        self._app_name = app_name
        self._app_icon = app_icon
        self._timeout_s = timeout_s

    def show(self, title: str, message: str) -> None:
        if sys.platform.startswith("linux"):
            # plyer's Linux path shells out to notify-send and ignores its exit status, so
            # "no notification daemon" would pass silently and the fallback never run.
            reason = linux_notification_service_missing()
            if reason:
                raise NotificationUnavailable(reason)
        try:
            from plyer import notification
        except ImportError as exc:  # pragma: no cover - plyer is a dependency
            raise NotificationUnavailable(f"plyer is not installed: {exc}") from exc
        try:
            notification.notify(
                title=title,
                message=message,
                app_name=self._app_name,
                app_icon=self._app_icon,
                timeout=self._timeout_s,
            )
        except NotImplementedError as exc:
            raise NotificationUnavailable("plyer has no notification backend here") from exc
        except Exception as exc:  # plyer surfaces D-Bus, pyobjus, win32 errors as anything
            raise NotificationUnavailable(f"plyer failed: {exc!r}") from exc


_NOTIFICATIONS_NAME = "org.freedesktop.Notifications"


def _dbus_names(method: str) -> str:
    result = subprocess.run(
        [
            "gdbus",
            "call",
            "--session",
            "--dest",
            "org.freedesktop.DBus",
            "--object-path",
            "/org/freedesktop/DBus",
            "--method",
            f"org.freedesktop.DBus.{method}",
        ],
        capture_output=True,
        text=True,
        timeout=5,
        check=False,
    )
    return result.stdout if result.returncode == 0 else ""


def linux_notification_service_missing() -> str:
    """Why a desktop notification cannot reach anyone on this session ('' when it can)."""
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS") and not os.environ.get("XDG_RUNTIME_DIR"):
        return "no D-Bus session"
    if shutil.which("notify-send") is None:
        try:
            import dbus  # noqa: F401
        except ImportError:
            return "neither notify-send nor dbus-python is installed (plyer needs one)"
    if shutil.which("gdbus") is None:
        return ""  # cannot check; trust plyer
    try:
        owned = _dbus_names("ListNames")
        activatable = "" if _NOTIFICATIONS_NAME in owned else _dbus_names("ListActivatableNames")
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot ask the session bus: {exc}"
    if f"'{_NOTIFICATIONS_NAME}'" in owned:
        return ""
    if f"'{_NOTIFICATIONS_NAME}'" not in activatable:
        return "no notification daemon on the session bus"
    # Only activatable: start it now, so a daemon that cannot start (no display, broken
    # install) is noticed here rather than swallowed by notify-send.
    try:
        started = subprocess.run(
            [
                "gdbus",
                "call",
                "--session",
                "--dest",
                "org.freedesktop.DBus",
                "--object-path",
                "/org/freedesktop/DBus",
                "--method",
                "org.freedesktop.DBus.StartServiceByName",
                _NOTIFICATIONS_NAME,
                "0",
            ],
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
    except (OSError, subprocess.TimeoutExpired) as exc:
        return f"cannot start the notification daemon: {exc}"
    if started.returncode != 0:
        return (
            "the notification daemon could not be started: "
            + (started.stderr.strip().splitlines() or ["unknown error"])[-1]
        )
    return ""


class CallableBackend:
    """Any `show(title, message)` callable, e.g. the tray icon's showMessage."""

    def __init__(self, name: str, show: Callable[[str, str], None]) -> None:
        self.name = name
        self._show = show

    def show(self, title: str, message: str) -> None:
        try:
            self._show(title, message)
        except NotificationUnavailable:
            raise
        except Exception as exc:
            raise NotificationUnavailable(f"{self.name} failed: {exc!r}") from exc


class Notifier:
    """Delivers through the first backend that can; remembers nothing."""

    def __init__(self, backends: Sequence[NotificationBackend]) -> None:
        if not backends:
            raise ValueError("at least one notification backend is needed")
        self._backends = list(backends)

    def notify(self, title: str, message: str) -> str:
        """Returns the name of the backend that delivered; raises when none could."""
        reasons = []
        for backend in self._backends:
            try:
                backend.show(title, message)
            except NotificationUnavailable as exc:
                log.info("notification backend %s unavailable: %s", backend.name, exc)
                reasons.append(f"{backend.name}: {exc}")
                continue
            return backend.name
        raise NotificationUnavailable("no notification backend worked: " + "; ".join(reasons))


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

    @property
    def notifier(self) -> Notifier:
        """The notifier, for the app's other one-off notices (an account to sign in again)."""
        return self._notifier

    def set_leads(self, leads: Mapping[str, StageLeads]) -> None:
        self._leads = dict(leads)
        self.check()

    def set_texts(self, texts: NotificationTexts) -> None:
        self._texts = texts

    def update(self, items: Sequence[Inquiry]) -> NotificationText | None:
        """The waiting set changed: tell what is due now and re-arm the timer."""
        self._items = list(items)
        return self.check()

    def check(self) -> NotificationText | None:
        """Send what is due now (grouped into one notification); returns what was sent."""
        now = self._clock()
        alerts = due_alerts(
            self._items, self._ledger.was_notified, now, self._leads, self._default_leads
        )
        sent: NotificationText | None = None
        if alerts:
            text = compose(alerts, self._texts)
            try:
                backend = self._notifier.notify(text.title, text.message)
            except NotificationUnavailable as exc:
                # Not marked: the tray badge still shows it, and the next check tries again.
                log.warning("could not notify: %s", exc)
            else:
                log.info("notified %d item(s) via %s", len(alerts), backend)
                for alert in alerts:
                    self._ledger.mark_notified(alert.item.id, alert.stage, alert.deadline)
                sent = text
        wake = next_wakeup(self._items, now, self._leads, self._default_leads)
        if wake is None:
            self._arm_timer(None)
        else:
            self._arm_timer(min(wake - now, self._max_wait))
        return sent
