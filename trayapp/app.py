"""The tray app's composition root: builds every service, passes each one in through its
constructor, and wires the signals. Nothing here decides what waits (core/ does), talks to a
server (mail/ does) or paints (ui/ does).

    run_gui(args)   `ippo` / `ippo --demo` with no command: the whole desktop app.
    IppoApp         the wiring between the pieces; tests build it with a fake WatchSource.

Threads: the watchers and the WatchService dispatcher report through WatchBridge, whose
signals arrive on the GUI thread; keyring checks, login tests and acknowledgement resumes run
on short-lived worker threads that hand results back through queued signals. No timer polls:
the badge and the notifications each arm one single-shot WakeTimer for the next moment
something changes.
"""

from __future__ import annotations

import argparse
import contextlib
import ctypes
import gc
import logging
import os
import signal
import socket
import sys
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol, cast
from urllib.parse import quote

# First: PySide6 without the import hook that keeps every later module's source in memory.
import trayapp.ui.pyside_import  # noqa: F401

# isort: split

from PySide6.QtCore import (
    QCoreApplication,
    QEvent,
    QObject,
    QRect,
    QSocketNotifier,
    Qt,
    QTimer,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices, QIcon, QSessionManager
from PySide6.QtWidgets import QApplication, QDialog, QMessageBox

from trayapp.clock import now as local_now  # one clock for the GUI, the CLI and promises
from trayapp.config import ConfigError, ConfigStore, resolve_config_dir
from trayapp.core.failures import explain_failure
from trayapp.core.model import AccountConfig, AccountHealth, HealthState, Inquiry, ItemState
from trayapp.core.notifications import ACTION_ACK, ACTION_SNOOZE
from trayapp.core.summary import StageLeads, leads_by_account, summarize
from trayapp.core.templates import ReplyTemplate
from trayapp.desktop.autostart import APP_ID, Autostart, AutostartError, launch_command
from trayapp.desktop.notify import (
    CallableBackend,
    NotificationBackend,
    NotificationScheduler,
    NotificationUnavailable,
    Notifier,
)
from trayapp.desktop.url_handlers import has_handler
from trayapp.mail.presets import PRESETS, ProviderPreset, preset_for_email
from trayapp.mail.service import WatchSnapshot
from trayapp.resources_paths import app_icon_files, app_icon_png
from trayapp.ui.away import HoldsController
from trayapp.ui.bridge import WatchBridge, WatchSource
from trayapp.ui.i18n import LanguageSwitcher, notification_texts, resolve_language, ui_language
from trayapp.ui.messages import no_keyring_message, no_tray_message, system_tray_available
from trayapp.ui.notification_actions import NotificationActions, platform_backends
from trayapp.ui.single_instance import SingleInstance
from trayapp.ui.timers import WakeTimer
from trayapp.ui.tray import TrayController

if TYPE_CHECKING:
    # The windows and dialogs are imported where they are first opened: a tray app spends
    # most days with none of them open, and their modules cost ~2 MB resident.
    from trayapp.core.model import OAuthSettings
    from trayapp.core.oauth import ProviderKind, TokenSet
    from trayapp.store.db import StateStore
    from trayapp.ui.ack_dialog import AckDialog, AckSender
    from trayapp.ui.first_run import AddInboxDialog, LoginTest
    from trayapp.ui.pending_window import PendingWindow
    from trayapp.ui.record_controller import RecordController
    from trayapp.ui.settings_dialog import SettingsDialog
    from trayapp.ui.sign_in_again import SignInAgain

log = logging.getLogger(__name__)

EXIT_OK = 0
EXIT_NO_TRAY = 1
EXIT_UNUSABLE = 2

# The panel's tray may start after us at login (autostart races the panel): wait this long
# for it before saying there is none.
TRAY_WAIT_SECONDS = 15.0
TRAY_WAIT_ENV = "IPPO_TRAY_WAIT"  # seconds; tests of the no-tray message shorten the wait
TRAY_POLL_MS = 250
# Monotonic timers stand still while the machine sleeps: the badge timer never waits longer,
# so the countdown is right again soon after a wake even when no mail arrives.
SUMMARY_MAX_WAIT = timedelta(minutes=30)
LIST_KEEP_MS = 60_000  # a hidden list is kept this long (reopening it soon is instant)
TRIM_AFTER_MS = 15_000  # quiet time after changes before freed memory is handed back
STOP_TIMEOUT = 2.0  # per watcher, all in parallel: well inside the 10 s a session gives us
NOTIFICATION_SNOOZE = timedelta(hours=1)  # "Snooze 1 h" on a notification


M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)
MALLOC_ARENAS = 2


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> None:
    """Cap glibc's malloc arenas before any thread starts. By default every thread that
    allocates gets its own arena (up to 8 per core), each keeping its freed pages: with a
    watcher thread per account that is about 1 MB resident for nothing. The watchers are
    idle nearly all the time, so sharing two arenas costs no measurable speed. A no-op
    where there is no glibc."""
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).mallopt(M_ARENA_MAX, arenas)


def release_memory() -> None:
    """Collect garbage and hand freed heap pages back to the system. glibc keeps freed
    memory for reuse, and after the start-up scans (or a closed list) that is megabytes the
    app will not need again soon. A no-op where there is no glibc."""
    gc.collect()
    if sys.platform.startswith("linux"):
        # musl or another libc has no malloc_trim: nothing to hand back then.
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None).malloc_trim(0)


# --------------------------------------------------------------------------- small interfaces


class WatchControl(WatchSource, Protocol):
    """What the app needs of mail.service.WatchService beyond the bridge's part."""

    def start(self) -> None: ...

    def stop(self, timeout: float = 2.0) -> bool: ...


class Secrets(Protocol):
    """desktop.secrets.KeyringSecretStore, or the demo's in-memory store."""

    def get_password(self, account: str, kind: str = "imap") -> str | None: ...

    def set_password(self, account: str, password: str, kind: str = "imap") -> None: ...

    def delete_password(self, account: str, kind: str = "imap") -> None: ...


if TYPE_CHECKING:  # a type only (its base lives in the lazily imported ui.ack_dialog)

    class AckService(AckSender, Protocol):
        """What the app needs of mail.acknowledge.AcknowledgeService."""

        def resume_unfinished(self, account: AccountConfig) -> list[Any]: ...

        def mark_done(self, message_id: str) -> None: ...


# --------------------------------------------------------------------------- open in mail

# Webmail of the providers in mail/presets.py. Gmail can open the very message: its search
# takes `rfc822msgid:` and the account can be picked by address in the path.
WEBMAIL: Mapping[str, str] = {
    "icloud": "https://www.icloud.com/mail/",
    "outlook": "https://outlook.live.com/mail/0/inbox",
    "yahoo_japan": "https://mail.yahoo.co.jp/",
    "yahoo": "https://mail.yahoo.com/",
    "fastmail": "https://app.fastmail.com/mail/Inbox/",
}


def provider_of(account: AccountConfig) -> ProviderPreset | None:
    """The preset an account uses: by IMAP host first (a custom domain on Gmail is Gmail),
    then by the address's domain."""
    host = account.imap_host.strip().lower()
    for preset in PRESETS:
        if preset.imap_host and "{" not in preset.imap_host and preset.imap_host == host:
            return preset
    return preset_for_email(account.email)


def mail_target(account: AccountConfig, item: Inquiry) -> str:
    """Where "Open in mail" goes, as a URL.

    A desktop mail client cannot be asked, portably, to open one message by its Message-ID,
    and a mailto: link cannot quote the message. So: at a provider with webmail, its webmail
    (Gmail: the message itself, found by Message-ID, in the right account); elsewhere a
    mailto: reply draft in the system's mail client -- to the Reply-To (or the sender), with
    "Re: <subject>" and In-Reply-To/References, which clients that honour RFC 6068 header
    fields use to thread it (others ignore them and still address the reply right)."""
    preset = provider_of(account)
    if preset is not None and preset.key == "gmail":
        base = f"https://mail.google.com/mail/u/{quote(account.email, safe='@')}/"
        if item.message_id:
            return base + "#search/" + quote(f"rfc822msgid:{item.message_id}", safe="")
        return base + "#inbox"
    if preset is not None and preset.key in WEBMAIL:
        return WEBMAIL[preset.key]
    to = ",".join(item.reply_to) or item.sender_addr
    subject = item.subject.strip()
    if subject and not subject.lower().startswith("re:"):
        subject = f"Re: {subject}"
    fields = [f"subject={quote(subject, safe='')}"] if subject else []
    if item.message_id:
        msgid = f"<{item.message_id}>"
        refs = " ".join(f"<{r}>" for r in (*item.references, item.message_id))
        fields.append(f"In-Reply-To={quote(msgid, safe='')}")
        fields.append(f"References={quote(refs, safe='')}")
    query = "&".join(fields)
    return f"mailto:{quote(to, safe='@,')}" + (f"?{query}" if query else "")


# --------------------------------------------------------------------------- worker results


class _Outcome(QObject):
    """Carries results of worker threads to the GUI thread (queued: it lives there)."""

    keyring_checked = Signal(str)  # '' = usable, else the one-line reason
    acks_resumed = Signal()


# --------------------------------------------------------------------------- the wiring


class IppoApp(QObject):
    """Wires the pieces. Everything is passed in; `start()` shows the tray and starts the
    watchers, `shutdown()` stops them and closes the store (idempotent)."""

    def __init__(
        self,
        *,
        config: ConfigStore,
        secrets: Secrets,
        store: StateStore,
        service: WatchControl,
        bridge: WatchBridge,
        tray: TrayController,
        make_pending: Callable[[], PendingWindow],
        scheduler: NotificationScheduler,
        notify_timer: WakeTimer,
        summary_timer: WakeTimer,
        ack_service: AckService,
        templates: Sequence[ReplyTemplate],
        languages: LanguageSwitcher | None,
        autostart: Autostart | None,
        launch_args: Sequence[str] = (),
        clock: Callable[[], datetime] = local_now,
        check_login: LoginTest | None = None,
        open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl,
        keyring_check: Callable[[], None] | None = None,
        demo: bool = False,
        notification_actions: NotificationActions | None = None,
        snooze_notifications: Callable[[str, datetime], None] | None = None,
        record: RecordController | None = None,
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.config = config
        self.secrets = secrets
        self.store = store
        self.service = service
        self.bridge = bridge
        self.tray = tray
        self._make_pending = make_pending
        self._pending: PendingWindow | None = None
        self.scheduler = scheduler
        self.notify_timer = notify_timer
        self.summary_timer = summary_timer
        self.ack_service = ack_service
        self.templates = list(templates)
        self.languages = languages
        self.autostart = autostart
        self.launch_args = list(launch_args)
        self.clock = clock
        self.check_login = check_login or _default_check_login
        self.check_sending: LoginTest = _default_check_sending  # a new inbox's SMTP login
        self.open_url = open_url
        self.url_handler_known: Callable[[str], bool | None] = has_handler
        self.password_dialogs: list[QDialog] = []
        self.keyring_check = keyring_check
        self.demo = demo
        # "Snooze 1 h" on a notification: the item snooze of the clock (issue 13) plugs in
        # here; without it, the scheduler holds that inquiry's notifications in memory.
        self.snooze_notifications = snooze_notifications or self._snooze_kept
        self.notification_actions = notification_actions
        self.accounts: list[AccountConfig] = config.load_accounts()
        self.leads: dict[str, StageLeads] = leads_by_account(self.accounts)
        self.add_dialog: AddInboxDialog | None = None
        self.settings_dialog: SettingsDialog | None = None
        self.ack_dialogs: dict[str, AckDialog] = {}
        self.messages: list[QMessageBox] = []  # kept alive while shown
        self._outcome = _Outcome(self)
        self._live: set[str] = set()  # accounts connected (scanned live) during this run
        self._started = False
        self._stopped = False

        bridge.itemsChanged.connect(self._on_items)
        bridge.healthChanged.connect(self._on_health)
        bridge.snapshotChanged.connect(self._on_snapshot)
        notify_timer.fired.connect(scheduler.check)
        summary_timer.fired.connect(self.update_summary)

        tray.open_list_requested.connect(self.show_list)
        tray.add_inbox_requested.connect(self.open_add_inbox)
        tray.settings_requested.connect(self.open_settings)
        tray.fix_requested.connect(self.fix_account)
        tray.start_at_login_changed.connect(self.set_start_at_login)
        self.holds = HoldsController(  # away, snooze
            config, store, bridge.refresh, clock, self, on_return=self.show_list
        )
        tray.away_requested.connect(lambda: self.holds.open_away(tray.away_until))
        self.sign_in_again = self._make_sign_in_again()

        scheduler.set_leads(self.leads)
        scheduler.set_overdue_stays(self._overdue_stays_setting())
        if notification_actions is not None:
            notification_actions.invoked.connect(self.on_notification_action)
        # The list is built when first shown and let go a while after it is hidden: a tray
        # app spends its day with the list closed, and its rows (fonts, layouts) cost more
        # memory than everything else on screen.
        self._release_list = QTimer(self)
        self._release_list.setSingleShot(True)
        self._release_list.setInterval(LIST_KEEP_MS)
        self._release_list.timeout.connect(self._drop_list_if_hidden)
        # After a burst of changes (start-up scans, new mail) give freed memory back.
        self._trim = QTimer(self)
        self._trim.setSingleShot(True)
        self._trim.setInterval(TRIM_AFTER_MS)
        self._trim.timeout.connect(release_memory)

        self._outcome.keyring_checked.connect(self._on_keyring_checked)
        self._outcome.acks_resumed.connect(bridge.refresh)
        self.record = record
        if record is not None:  # the trust record (issue 14): menu entry, tooltip line
            tray.record_requested.connect(record.show_window)
            record.line_changed.connect(lambda: tray.set_record_line(record.tooltip_line))
            record.line_changed.connect(self._trim.start)  # a history read frees a lot
            bridge.snapshotChanged.connect(record.mail_changed)
        # An inbox that stops being watched is told once, with its fix (ui/failure_notice).
        from trayapp.ui.failure_notice import FailureNotices

        self.failure_notices = FailureNotices(scheduler.notifier.notify, ui_language)
        # An inbox added or changed with `ippo account ...` while the app runs (ui/config_watch).
        from trayapp.ui.config_watch import ConfigWatch

        self.config_watch = ConfigWatch(
            config.path,
            load=config.load_accounts,
            current=lambda: self.accounts,
            accounts_changed=self._accounts_changed,
            same_accounts=self._retry_not_covered,
            parent=self,
        )

    # ---------------------------------------------------------------- lifecycle

    def start(self) -> None:
        if self._started:
            return
        self._started = True
        self.tray.set_start_at_login(self._start_at_login_setting())
        self.update_summary()
        self.tray.show()  # before any dialog: the icon is there even during first run
        self.service.start()
        self.config_watch.start()
        self._default_autostart()
        if not self.accounts:
            self.open_add_inbox()
        if self.keyring_check is not None:
            self._run_in_thread("ippo-keyring-check", self._check_keyring)
        self._resume_acknowledgements()
        if self.record is not None:
            self.record.start()
        log.info("started with %d inbox(es)", len(self.accounts))

    def shutdown(self) -> None:
        """Stop the watchers, close the store and the windows. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        log.info("shutting down")
        self.notify_timer.arm(None)
        self.summary_timer.arm(None)
        self.config_watch.stop()
        self.bridge.close()
        if self.record is not None:
            self.record.stop()
        stopped = self.service.stop(STOP_TIMEOUT)
        if not stopped:
            log.warning("a watcher did not stop in time; leaving it to exit with the process")
        for dialog in list(self.ack_dialogs.values()):
            dialog.close()
        self._release_list.stop()
        self._trim.stop()
        for widget in (self.add_dialog, self.settings_dialog, self._pending, *self.messages):
            if widget is not None:
                widget.close()
        self.tray.hide()
        with contextlib.suppress(Exception):
            self.store.close()

    # ---------------------------------------------------------------- what the watchers say

    def _on_items(self, items: list[Inquiry]) -> None:
        if self._pending is not None:
            self._pending.set_items(items)
        self._update_notifications()

    def _on_health(self, name: str, health: AccountHealth) -> None:
        self.sign_in_again.update(self.bridge.health)
        self.failure_notices.health_changed(name, health)
        if self._pending is not None:
            self._pending.set_health(self.bridge.health)
        if health.state is HealthState.CONNECTED and name not in self._live:
            self._live.add(name)
            self._update_notifications()

    def _update_notifications(self) -> None:
        """Only what a live scan of this run confirmed is notified: the last known list from
        the store may hold items answered from the phone while Ippo was off, and a warning
        about those would be wrong. (The badge shows them at once, marked not covered.)"""
        snapshot = self.bridge.snapshot
        if snapshot is not None:  # a snoozed item or an absence must be known before telling
            self.scheduler.set_holds(snapshot.holds, recheck=False)
        self.scheduler.update([i for i in self.bridge.items if i.account in self._live])

    def _on_snapshot(self, snapshot: WatchSnapshot) -> None:
        self.scheduler.set_holds(snapshot.holds)  # snoozes, absences, quiet hours
        self.update_summary()
        self._trim.start()

    def update_summary(self) -> None:
        """Badge and tooltip from the latest picture; one timer for the next change."""
        snapshot = self.bridge.snapshot
        items = snapshot.items if snapshot is not None else ()
        health: Mapping[str, AccountHealth] = (
            snapshot.health
            if snapshot is not None
            else {a.name: AccountHealth(HealthState.CONNECTING) for a in self.accounts}
        )
        now = self.clock()
        away = snapshot.holds.away_until(now) if snapshot is not None else None
        summary = summarize(
            items, health, now, self.leads, no_inbox=not self.accounts, away_until=away
        )
        self.holds.note_away(away)
        self.tray.set_summary(summary)
        upcoming = summary.next_change_at()
        self.summary_timer.arm(None if upcoming is None else min(upcoming - now, SUMMARY_MAX_WAIT))

    # ---------------------------------------------------------------- the list

    @property
    def pending(self) -> PendingWindow:
        """The pending list, built (and filled with the latest picture) on first use."""
        if self._pending is None:
            window = self._make_pending()
            window.acknowledge_requested.connect(self.acknowledge)
            window.mark_answered_requested.connect(self.mark_answered)
            window.not_inquiry_requested.connect(self.not_an_inquiry)
            window.ignore_sender_requested.connect(self.ignore_sender)
            window.open_in_mail_requested.connect(self.open_in_mail)
            window.snooze_requested.connect(self.holds.snooze)
            window.installEventFilter(self)
            window.set_leads(self.leads)
            window.set_items(self.bridge.items)
            window.set_health(self.bridge.health)
            self._pending = window
        return self._pending

    def has_list(self) -> bool:
        return self._pending is not None

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self._pending:
            if event.type() == QEvent.Type.Hide:
                self._release_list.start()
            elif event.type() == QEvent.Type.Show:
                self._release_list.stop()
        return super().eventFilter(watched, event)

    def _drop_list_if_hidden(self) -> None:
        window = self._pending
        if window is None or window.isVisible():
            return
        self._pending = None
        window.removeEventFilter(self)
        window.deleteLater()
        self._trim.start()

    def show_list(self, anchor: QRect | None = None) -> None:
        if anchor is None or not anchor.isValid():
            geometry = self.tray.geometry()
            anchor = geometry if geometry.isValid() else None
        # Placement uses the window's size: make it the size it will really have (the button
        # row is wider than the default width in some languages), so it stays on screen.
        self.pending.ensurePolished()
        self.pending.resize(self.pending.size().expandedTo(self.pending.minimumSizeHint()))
        self.pending.show_near(anchor)

    def _item(self, item_id: str) -> Inquiry | None:
        return next((i for i in self.bridge.items if i.id == item_id), None)

    def _account(self, name: str) -> AccountConfig | None:
        return next((a for a in self.accounts if a.name == name), None)

    def acknowledge(self, item_id: str) -> None:
        item = self._item(item_id)
        account = self._account(item.account) if item is not None else None
        if item is None or account is None:
            return
        open_dialog = self.ack_dialogs.get(item_id)
        if open_dialog is not None:
            open_dialog.show()
            open_dialog.raise_()
            open_dialog.activateWindow()
            return
        from trayapp.ui.ack_dialog import AckDialog  # on first use (see TYPE_CHECKING above)

        dialog = AckDialog(account, item, self.templates, self.ack_service, self.clock)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sent.connect(lambda _result: self.bridge.refresh())
        dialog.rejected.connect(self.bridge.refresh)  # closed after a failure: "not sent"
        dialog.destroyed.connect(lambda *_: self.ack_dialogs.pop(item_id, None))
        self.ack_dialogs[item_id] = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def mark_answered(self, item_id: str) -> None:
        """Answered another way (phone, another app), or -- for an acknowledged item -- the
        promise is kept: it leaves the list and is never counted again."""
        item = self._item(item_id)
        if item is None:
            return
        if not self._saved(lambda: self.store.dismiss(item.account, item.id, "answered")):
            return
        if item.state is ItemState.ACKNOWLEDGED:
            for record in self.store.acks(item.account, item_id=item.id):
                if record.state in ("sent", "filed"):
                    self.ack_service.mark_done(record.message_id)
        self.bridge.refresh()

    def not_an_inquiry(self, item_id: str) -> None:
        item = self._item(item_id)
        if item is None:
            return
        if self._saved(lambda: self.store.dismiss(item.account, item.id, "not_inquiry")):
            self.bridge.refresh()

    def ignore_sender(self, account: str, address: str) -> None:
        if not address.strip():
            return
        if self._saved(lambda: self.store.ignore_sender(account, address)):
            self.bridge.refresh()

    def _saved(self, write: Callable[[], None]) -> bool:
        """Run one write of the user's decision; a full disk or read-only folder is said in
        a message (nothing was changed), never a traceback on the console."""
        from trayapp.store.db import StoreError

        try:
            write()
        except StoreError as error:
            self._show_message(self.tr("Ippo"), str(error))
            return False
        return True

    def open_in_mail(self, item_id: str) -> None:
        item = self._item(item_id)
        account = self._account(item.account) if item is not None else None
        if item is None or account is None:
            return
        url = mail_target(account, item)
        log.info(
            "opening %s for an item of %s", url.split("?", 1)[0].split("#", 1)[0], account.name
        )
        where = self.tr("The inquiry is in the inbox of %1 (%2): “%3” from %4.")
        where = (
            where.replace("%1", account.name)
            .replace("%2", account.email)
            .replace("%3", item.subject or "—")
            .replace("%4", item.sender_addr or item.sender)
        )
        scheme = url.split(":", 1)[0]
        # Qt reports success on Linux even when nothing can open the link: ask first.
        if self.url_handler_known(scheme) is False or not self.open_url(QUrl(url)):
            text = (
                self.tr("No mail program is set up on this computer, so nothing was opened.")
                if scheme == "mailto"
                else self.tr("No web browser is set up on this computer, so nothing was opened.")
            )
            self._show_message(self.tr("Ippo"), f"{text}\n\n{where}")
        elif scheme == "mailto":
            # Say what happened: a mail program cannot be asked to show one given message.
            self._show_info(
                self.tr("Ippo"),
                self.tr(
                    "A reply draft opened in your mail program (mail programs cannot be asked"
                    " to show one particular message)."
                )
                + f"\n\n{where}",
            )

    def _snooze_kept(self, item_id: str, until: datetime) -> None:
        """Held at once in memory, and kept in the store (a restart remembers it)."""
        self.scheduler.snooze(item_id, until)
        item = self._item(item_id)
        if item is not None:
            self.holds.snooze_until(item.account, item_id, until)

    def on_notification_action(self, key: str, item_ids: list[str]) -> None:
        """The person acted on a notification: "Send first word" opens the acknowledgement
        (the list, for a group), "Snooze 1 h" holds its notifications, a click opens the list
        at the inquiry."""
        log.info("notification action %s for %s", key, ",".join(item_ids))
        from trayapp.ui.failure_notice import fix_action_account

        broken = fix_action_account(key)
        if broken is not None:
            self.fix_account(broken)
            return
        known = [i for i in item_ids if self._item(i) is not None]
        if key == ACTION_ACK and len(known) == 1 and len(item_ids) == 1:
            self.acknowledge(known[0])
        elif key == ACTION_SNOOZE:
            until = self.clock() + NOTIFICATION_SNOOZE
            for item_id in item_ids:
                self.snooze_notifications(item_id, until)
        else:
            self.show_list(None)
            if known:
                self.pending.select_item(known[0])

    # ---------------------------------------------------------------- inboxes

    def open_add_inbox(self) -> None:
        if self.add_dialog is not None:
            self.add_dialog.show()
            self.add_dialog.raise_()
            self.add_dialog.activateWindow()
            return
        from trayapp.ui.first_run import AddInboxDialog  # on first use (see TYPE_CHECKING)

        dialog = AddInboxDialog(
            test_login=self._test_new_inbox,
            save=self._save_new_account,
            existing_names=[a.name for a in self.accounts],
            oauth_sign_in=self.oauth_sign_in,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.account_added.connect(self._on_account_added)
        dialog.destroyed.connect(lambda *_: setattr(self, "add_dialog", None))
        self.add_dialog = dialog
        hint = dialog.sizeHint()
        dialog.resize(max(hint.width(), 520), hint.height())
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _test_new_inbox(self, account: AccountConfig, password: str) -> None:
        # Worker thread (the add dialog's): the inbox, then sending when a server is given
        # (clearing the SMTP server saves the inbox without it).
        self.check_login(account, password)
        if account.smtp_host:
            self.check_sending(account, password)

    def _make_sign_in_again(self) -> SignInAgain:
        """OAuth accounts whose sign-in was revoked: notified once, a tray menu entry, the
        browser sign-in on a worker thread, then the watcher retried (no restart)."""
        from trayapp.ui.sign_in_again import SignInAgain

        controller = SignInAgain(
            accounts=lambda: self.accounts,
            sign_in=lambda *args: self.oauth_sign_in(*args),
            test_login=lambda account, token: self.check_login(account, token),
            store_secret=self.secrets.set_password,
            retry=self.bridge.retryNow,
            notify=self._notify_about_account,
            parent=self,
        )
        return controller

    def _notify_about_account(self, account: str, title: str, message: str) -> None:
        from trayapp.core.notifications import NotificationText

        try:  # tagged: a later notice about the same inbox replaces this one
            self.scheduler.notifier.notify(
                NotificationText(title, message, tag=f"account:{account}")
            )
        except NotificationUnavailable as error:
            log.warning("could not notify about %s: %s", account, error)

    def _save_new_account(self, account: AccountConfig, password: str) -> None:
        # Worker thread (the dialog's): keyring first, so a config entry never lacks its
        # password; a failing config write takes the password back out. An OAuth account's
        # secret is its refresh token.
        kind = "oauth2-refresh" if account.auth is not None else "imap"
        self.secrets.set_password(account.name, password, kind)
        try:
            self.config.add_account(account)
        except ConfigError:
            with contextlib.suppress(Exception):
                self.secrets.delete_password(account.name, kind)
            raise
        self.store.restore_account(account.name, account.email)  # what a remove kept

    def oauth_sign_in(
        self,
        provider: str,
        issuer: str | None,
        client_id: str | None,
        email: str,
        cancel: threading.Event,
    ) -> tuple[OAuthSettings, TokenSet]:
        """A browser sign-in (worker thread: the dialogs call it there). Tests replace it."""
        from trayapp.core.oauth import OAuthError
        from trayapp.oauth.signin import browser_sign_in, open_in_browser

        def show(url: str) -> None:
            if not open_in_browser(url):
                raise OAuthError("no web browser could be opened on this computer")

        return browser_sign_in(
            cast("ProviderKind", provider),
            show,
            issuer=issuer,
            client_id=client_id,
            email=email,
            settings=self.config.settings,
            cancel=cancel,
        )

    def _on_account_added(self, account: AccountConfig) -> None:
        log.info("inbox %s added", account.name)
        self._accounts_changed()
        self._default_autostart()

    def _accounts_changed(self) -> None:
        self.accounts = self.config.load_accounts()
        self.leads = leads_by_account(self.accounts)
        if self._pending is not None:
            self._pending.set_leads(self.leads)
        self.scheduler.set_leads(self.leads)
        self.bridge.set_accounts(self.accounts)
        if self.settings_dialog is not None:
            self.settings_dialog.set_accounts(self.accounts)
        self.update_summary()

    def _retry_not_covered(self) -> None:
        """config.json changed but not its accounts (say, a password set with the command
        line): an inbox that is not watched tries again now."""
        for name, health in self.bridge.health.items():
            if not health.covered:
                self.bridge.retryNow(name)

    def open_settings(self) -> None:
        if self.settings_dialog is not None:
            self.settings_dialog.show()
            self.settings_dialog.raise_()
            self.settings_dialog.activateWindow()
            return
        language = self.config.settings.get("language") or "system"
        from trayapp.ui.settings_dialog import SettingsDialog  # on first use (TYPE_CHECKING)

        dialog = SettingsDialog(
            self.accounts,
            language=str(language),
            start_at_login=self._start_at_login_setting(),
            quiet_hours=self.config.settings.get("quiet_hours"),
            overdue_stays=self._overdue_stays_setting(),
        )
        dialog.quiet_hours_changed.connect(self.holds.set_quiet_hours)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.account_settings_changed.connect(self._on_account_edited)
        dialog.language_changed.connect(self.set_language)
        dialog.start_at_login_changed.connect(self.set_start_at_login)
        dialog.overdue_stays_changed.connect(self.set_overdue_stays)
        dialog.add_inbox_requested.connect(self.open_add_inbox)
        dialog.remove_account_requested.connect(self.remove_account)
        dialog.edit_login_requested.connect(self.edit_login)
        dialog.destroyed.connect(lambda *_: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        dialog.show()
        dialog.raise_()
        dialog.activateWindow()

    def _on_account_edited(self, account: AccountConfig) -> None:
        try:
            self.config.update_account(account)
        except ConfigError as error:
            self._show_message(self.tr("Ippo"), str(error))
            return
        self._accounts_changed()

    def edit_login(self, name: str) -> None:
        """The settings' "Server and sign-in…": address, servers, password, tested first."""
        account = self._account(name)
        if account is None:
            return
        from trayapp.ui.account_editor import open_account_editor  # on first use

        open_account_editor(self, account)

    def remove_account(self, name: str) -> None:
        parent = self.settings_dialog
        answer = QMessageBox.question(
            parent,
            self.tr("Remove inbox"),
            self.tr(
                "Stop watching %1? Its password is deleted from the keyring. What you decided"
                " about its mail (answered, not an inquiry, ignored senders, promises) is kept"
                " for 30 days: adding the same address again brings it back. The mailbox"
                " itself is not changed."
            ).replace("%1", name),
        )
        if answer != QMessageBox.StandardButton.Yes:
            return
        removed = self._account(name)
        self.config.remove_account(name)
        try:
            from trayapp.desktop.secrets import forget_account

            forget_account(self.secrets, name)  # type: ignore[arg-type]
        except Exception as error:  # the keyring may be locked: say so, the rest is done
            log.warning("could not delete the password of %s: %s", name, error)
        self._accounts_changed()
        if removed is not None:  # kept for a while: adding the address again brings it back
            self.store.hold_account(name, removed.email)

    # ---------------------------------------------------------------- settings

    def set_language(self, setting: str) -> None:
        """'system', 'en' or 'ja' from the settings; saved, then applied at once."""
        self.config.update_settings(language=None if setting == "system" else setting)
        self.apply_language()

    def apply_language(self) -> None:
        if self.languages is not None:
            self.languages.apply(resolve_language(self.config.settings.get("language")))
        self.tray.retranslate()
        self.scheduler.set_texts(notification_texts())
        self.update_summary()

    def _overdue_stays_setting(self) -> bool:
        value = self.config.settings.get("overdue_stays")
        return True if value is None else bool(value)

    def set_overdue_stays(self, enabled: bool) -> None:
        """Overdue notifications stay on screen until the person acts (the default)."""
        self.config.update_settings(overdue_stays=enabled)
        self.scheduler.set_overdue_stays(enabled)

    def _start_at_login_setting(self) -> bool:
        if self.autostart is None:
            return False
        value = self.config.settings.get("autostart")
        return bool(value) if value is not None else bool(self.accounts)

    def set_start_at_login(self, enabled: bool) -> None:
        if self.autostart is None:  # the demo never registers itself
            self.tray.set_start_at_login(False)
            return
        try:
            if enabled:
                self.autostart.enable(launch_command(self.launch_args))
            else:
                self.autostart.disable()
        except AutostartError as error:
            self._show_message(self.tr("Ippo"), str(error))
            self.tray.set_start_at_login(self.autostart.is_enabled())
            return
        self.config.update_settings(autostart=enabled)
        self.tray.set_start_at_login(enabled)
        if self.settings_dialog is not None:
            self.settings_dialog.autostart.setChecked(enabled)

    def _default_autostart(self) -> None:
        """On by default once there is an inbox, until the user decides otherwise."""
        if self.autostart is None or not self.accounts:
            return
        if self.config.settings.get("autostart") is None:
            self.set_start_at_login(True)

    # ---------------------------------------------------------------- keyring, acks

    def _check_keyring(self) -> None:
        assert self.keyring_check is not None
        try:
            self.keyring_check()
        except Exception as error:
            self._outcome.keyring_checked.emit(str(error) or type(error).__name__)
        else:
            self._outcome.keyring_checked.emit("")

    def _on_keyring_checked(self, problem: str) -> None:
        if not problem or self._stopped:
            return
        log.warning("keyring unusable: %s", problem)
        box = no_keyring_message(problem)
        box.setObjectName("noKeyringMessage")
        self._keep_shown(box)

    def _resume_acknowledgements(self) -> None:
        """Finish what a crash or a lost connection left half done (off the GUI thread)."""
        pending_acks = self.store.acks(states=("recorded", "sent"))
        names = {r.account for r in pending_acks}
        accounts = [a for a in self.accounts if a.name in names]
        if not accounts:
            return

        def work() -> None:
            for account in accounts:
                try:
                    self.ack_service.resume_unfinished(account)
                except Exception:
                    log.exception("%s: could not resume acknowledgements", account.name)
            self._outcome.acks_resumed.emit()

        self._run_in_thread("ippo-ack-resume", work)

    @staticmethod
    def _run_in_thread(name: str, work: Callable[[], None]) -> None:
        threading.Thread(target=work, name=name, daemon=True).start()

    # ---------------------------------------------------------------- messages

    def _show_message(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Warning, title, text, QMessageBox.StandardButton.Close)
        box.setTextFormat(Qt.TextFormat.PlainText)
        self._keep_shown(box)

    def _show_info(self, title: str, text: str) -> None:
        box = QMessageBox(QMessageBox.Icon.Information, title, text, QMessageBox.StandardButton.Ok)
        box.setTextFormat(Qt.TextFormat.PlainText)
        self._keep_shown(box)

    def fix_account(self, name: str) -> None:
        """One click from "not watched" to the fix: a refused password asks for the new one
        (tested, then stored), a passing trouble retries now, anything else opens the
        settings at that inbox. (The list banner's button is meant to call this too.)"""
        account = self._account(name)
        if account is None:
            return
        health = self.bridge.health.get(name)
        reason = health.reason if health is not None else ""
        fix = explain_failure(reason, ui_language()).fix if reason else "wait"
        if account.auth is not None and fix in ("signin", "password"):
            # An OAuth account has no password: a refused or revoked sign-in is fixed by
            # signing in again in the browser; then the account resumes.
            self.sign_in_again.start(name)
        elif fix == "password":
            from trayapp.ui.password_dialog import NewPasswordDialog  # on first use

            dialog = NewPasswordDialog(account, reason, self.check_login, self._store_password)
            dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            dialog.password_saved.connect(self.service.retry_now)
            self.password_dialogs.append(dialog)
            dialog.destroyed.connect(
                lambda *_: self.password_dialogs.remove(dialog)
                if dialog in self.password_dialogs
                else None
            )
            dialog.show()
            dialog.raise_()
            dialog.activateWindow()
        elif fix == "wait":
            self.service.retry_now(name)
        else:
            self.open_settings()
            if self.settings_dialog is not None:
                self.settings_dialog.select_account(name)

    def _store_password(self, name: str, password: str) -> None:
        # Worker thread (the dialog's): the keyring may block.
        self.secrets.set_password(name, password)

    def request_quit(self, quit_now: Callable[[], None]) -> None:
        """Quit, after asking once (quitting stops the reminders) unless told not to ask."""
        if self.config.settings.get("confirm_quit") is False:
            quit_now()
            return
        from trayapp.ui.quit_confirm import quit_confirmation  # on first use

        def decided(quit_it: bool, dont_ask: bool) -> None:
            if quit_it and dont_ask:
                self.config.update_settings(confirm_quit=False)
            if quit_it:
                quit_now()

        self._keep_shown(quit_confirmation(decided))

    def _keep_shown(self, box: QMessageBox) -> None:
        # Non-modal: a nested event loop would keep Quit and SIGTERM from ending the app.
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.messages.append(box)
        box.destroyed.connect(
            lambda *_: self.messages.remove(box) if box in self.messages else None
        )
        box.show()


def _default_check_login(account: AccountConfig, password: str) -> None:
    from trayapp.mail.imap import check_login

    check_login(account, password)


def _default_check_sending(account: AccountConfig, password: str) -> None:
    from trayapp.mail.smtp import check_smtp_login

    check_smtp_login(account, password)


# --------------------------------------------------------------------------- signals


class SignalWakeup(QObject):
    """SIGTERM/SIGINT/SIGHUP end the app cleanly. Python runs its signal handlers only when
    the interpreter gets control, and Qt's loop may sleep in C for hours: the C-level handler
    writes to a socket (signal.set_wakeup_fd) that a QSocketNotifier watches, so the loop
    wakes and the Python handler runs at once -- no polling timer."""

    def __init__(self, on_signal: Callable[[int], None], parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._on_signal = on_signal
        self._reader, self._writer = socket.socketpair()
        self._reader.setblocking(False)
        self._writer.setblocking(False)
        self._previous_fd = signal.set_wakeup_fd(self._writer.fileno(), warn_on_full_buffer=False)
        self._notifier = QSocketNotifier(self._reader.fileno(), QSocketNotifier.Type.Read, self)
        self._notifier.activated.connect(self._drain)
        self._previous: dict[int, Any] = {}
        for number in self.signals():
            self._previous[number] = signal.signal(number, self._handle)

    @staticmethod
    def signals() -> list[int]:
        names = ("SIGINT", "SIGTERM", "SIGHUP")
        return [int(getattr(signal, n)) for n in names if hasattr(signal, n)]

    def _handle(self, number: int, _frame: object) -> None:
        log.info("signal %d: quitting", number)
        self._on_signal(number)

    def _drain(self) -> None:
        with contextlib.suppress(OSError):
            while self._reader.recv(64):
                pass

    def close(self) -> None:
        for number, handler in self._previous.items():
            with contextlib.suppress(Exception):
                signal.signal(number, handler)
        with contextlib.suppress(ValueError):
            signal.set_wakeup_fd(self._previous_fd)
        self._notifier.setEnabled(False)
        self._reader.close()
        self._writer.close()


# --------------------------------------------------------------------------- run


WINDOW_ICON_MAX_PX = 128


def app_icon() -> QIcon:
    # PNGs only: the SVG would load Qt's SVG icon engine (~1.3 MB resident all day) for
    # sizes the shipped PNGs already cover. And up to 128 px: as the window icon, the 256 and
    # 512 px sizes cost ~1.2 MB resident all day (bench/bench_app_memory.py; decoded, that is
    # their size in pixels); docks and task switchers take their large icon from the installed
    # .desktop entry's theme icon (setDesktopFileName), not from the window.
    icon = QIcon()
    for path in app_icon_files():
        size = path.stem.rsplit("-", 1)[-1]
        if path.suffix.lower() == ".png" and size.isdigit() and int(size) <= WINDOW_ICON_MAX_PX:
            icon.addFile(str(path))
    return icon


def make_application() -> QApplication:
    existing = QApplication.instance()
    if isinstance(existing, QApplication):
        return existing
    # argv[0] "ippo" gives the X11 windows (and the XEmbed tray icon) WM_CLASS "ippo", "Ippo";
    # the desktop file name lets Wayland and the portals match the installed .desktop entry.
    app = QApplication(["ippo"])
    app.setApplicationName("Ippo")  # no display name: Qt would append it to every title
    app.setDesktopFileName(APP_ID)
    app.setQuitOnLastWindowClosed(False)  # closing the list or a dialog never quits
    icon = app_icon()
    if not icon.isNull():
        app.setWindowIcon(icon)
    return app


def tray_wait_seconds() -> float:
    try:
        return max(0.0, float(os.environ.get(TRAY_WAIT_ENV, TRAY_WAIT_SECONDS)))
    except ValueError:
        return TRAY_WAIT_SECONDS


def _stderr(message: str) -> None:
    sys.stderr.write(f"ippo: {message}\n")
    sys.stderr.flush()


class _Startup(QObject):
    """Waits (inside the event loop, so signals still work) for the tray host, then builds
    the app; or shows why it cannot run."""

    def __init__(self, qapp: QApplication, build: Callable[[], IppoApp | None]) -> None:
        super().__init__()
        self._qapp = qapp
        self._build = build
        self.app: IppoApp | None = None
        self.status = EXIT_OK
        self._waited = 0.0
        self._wait_limit = tray_wait_seconds()
        self._timer = QTimer(self)
        self._timer.setInterval(TRAY_POLL_MS)
        self._timer.timeout.connect(self._poll)
        self._box: QMessageBox | None = None

    def begin(self) -> None:
        if system_tray_available():
            self._ready()
        else:
            log.info("no system tray yet; waiting up to %.0f s", self._wait_limit)
            self._timer.start()

    def _poll(self) -> None:
        self._waited += TRAY_POLL_MS / 1000
        if system_tray_available():
            self._timer.stop()
            self._ready()
        elif self._waited >= self._wait_limit:
            self._timer.stop()
            log.error("no system tray after %.0f s", self._wait_limit)
            _stderr("no system tray is available on this desktop")
            self.status = EXIT_NO_TRAY
            box = no_tray_message()
            box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
            box.finished.connect(lambda _r: self._qapp.quit())
            self._box = box
            box.show()

    def _ready(self) -> None:
        try:
            self.app = self._build()
        except Exception as error:
            log.exception("could not start")
            self.status = EXIT_UNUSABLE
            box = QMessageBox(
                QMessageBox.Icon.Critical,
                "Ippo",
                QCoreApplication.translate("Startup", "Ippo could not start: %1").replace(
                    "%1", str(error)
                ),
                QMessageBox.StandardButton.Close,
            )
            box.setTextFormat(Qt.TextFormat.PlainText)
            box.finished.connect(lambda _r: self._qapp.quit())
            self._box = box
            box.show()
            return
        if self.app is not None:
            self.app.start()

    def stop(self) -> None:
        self._timer.stop()
        if self._box is not None:
            self._box.close()


def run_gui(args: argparse.Namespace) -> int:
    """`ippo` without a command: the tray app. Returns the process exit status."""
    limit_malloc_arenas()  # before Qt and the watchers start their threads
    demo_server = None
    secrets: Secrets
    if getattr(args, "demo", False):
        from trayapp.demo import DemoServer, DemoUnavailable

        demo_server = DemoServer()
        try:
            demo_account = demo_server.start()
        except DemoUnavailable as error:
            demo_server.stop()
            _stderr(str(error))
            return EXIT_UNUSABLE
        config_dir = demo_server.config_dir
        ConfigStore(config_dir).save_accounts([demo_account])
        secrets = demo_server.secrets
    else:
        try:
            config_dir = resolve_config_dir(getattr(args, "config_dir", None))
        except OSError as error:
            _stderr(f"cannot use the config folder: {error}")
            return EXIT_UNUSABLE
        from trayapp.desktop.secrets import HelperSecretStore

        # The keyring stack (~12 MB resident) lives in short-lived child processes, not in
        # an app that stays up all day and reads a password a few times a day.
        secrets = HelperSecretStore()
    try:
        return _run(args, config_dir, secrets, demo=demo_server is not None)
    finally:
        if demo_server is not None:
            demo_server.stop()


def _run(args: argparse.Namespace, config_dir: Path, secrets: Secrets, *, demo: bool) -> int:
    from trayapp.desktop.single_instance import instance_name
    from trayapp.logs import setup_logging

    try:
        setup_logging(config_dir, verbose=bool(getattr(args, "verbose", False)))
    except OSError as error:
        _stderr(f"cannot write the log file: {error}")
    qapp = make_application()
    single = SingleInstance(instance_name(config_dir))
    if not single.acquire():
        # The running one was asked to show its list; that is all a second start does.
        print("Ippo is already running; its list is shown.", flush=True)
        return EXIT_OK
    languages = LanguageSwitcher(qapp)
    config = ConfigStore(config_dir)
    try:
        language = config.settings.get("language")
    except ConfigError as error:
        language = None
        log.error("%s", error)
    languages.apply(resolve_language(language))

    startup_holder: list[_Startup] = []

    def quit_app(_signal: int = 0) -> None:
        if startup_holder:
            startup_holder[0].stop()
        qapp.quit()

    wakeup = SignalWakeup(quit_app)
    launch_args: list[str] = []
    if getattr(args, "config_dir", None):
        launch_args = ["--config-dir", str(config_dir)]

    def build() -> IppoApp:
        app = build_app(
            config=config,
            secrets=secrets,
            languages=languages,
            demo=demo,
            launch_args=launch_args,
        )
        single.show_requested.connect(lambda: app.show_list(None))
        app.tray.quit_requested.connect(lambda: app.request_quit(qapp.quit))
        return app

    startup = _Startup(qapp, build)
    startup_holder.append(startup)

    def session_ending(manager: QSessionManager) -> None:
        # Autostart starts us at the next login; the session must not restore a second copy.
        manager.setRestartHint(QSessionManager.RestartHint.RestartNever)
        log.info("session ends")

    qapp.commitDataRequest.connect(session_ending)
    qapp.aboutToQuit.connect(lambda: startup.app.shutdown() if startup.app else None)
    QTimer.singleShot(0, startup.begin)
    try:
        qapp.exec()
    finally:
        if startup.app is not None:
            startup.app.shutdown()
        single.close()
        wakeup.close()
    log.info("exited")
    return startup.status


def _pending_window(clock: Callable[[], datetime]) -> PendingWindow:
    from trayapp.ui.pending_window import PendingWindow  # on first use (see TYPE_CHECKING)

    return PendingWindow(clock=clock)


def build_app(
    *,
    config: ConfigStore,
    secrets: Secrets,
    languages: LanguageSwitcher | None,
    demo: bool = False,
    launch_args: Sequence[str] = (),
    service: WatchControl | None = None,
    notification_backends: Iterable[NotificationBackend] | None = None,
    autostart: Autostart | None = None,
    clock: Callable[[], datetime] = local_now,
    check_login: LoginTest | None = None,
    open_url: Callable[[QUrl], bool] = QDesktopServices.openUrl,
) -> IppoApp:
    """Every real part, built here and passed in. `service`, `notification_backends` and
    `autostart` may be given (tests); by default the real ones for this platform."""
    from trayapp.desktop.autostart import autostart_for_platform
    from trayapp.mail.acknowledge import (
        AcknowledgeService,
        load_templates,
        with_acknowledgements,
    )
    from trayapp.mail.autoreply import AutoReplier
    from trayapp.mail.service import WatchService, password_source
    from trayapp.policy import ClockPolicy
    from trayapp.store.db import StateStore

    store = StateStore(config.directory)
    accounts = config.load_accounts()
    expect = getattr(secrets, "expect", None)
    if expect is not None:  # every account connects at start: one keyring read for all
        expect([a.name for a in accounts])
    if service is None:
        service = WatchService(
            accounts,
            password_source(secrets, missing_hint="remove the inbox and add it again"),
            store,
            merge_acknowledgements=partial(with_acknowledgements, store),
            policy=ClockPolicy(config),
            auto_replier=AutoReplier(store, secrets, clock),  # off unless an absence asks
        )
    bridge = WatchBridge(service)
    tray = TrayController()
    actions = NotificationActions()
    if notification_backends is None:
        icon = app_icon_png(64)
        notification_backends = platform_backends(actions, str(icon) if icon else "")
    # The tray's own balloon is the last resort, where no notification service answers.
    notifier = Notifier([*notification_backends, CallableBackend("tray", tray.show_notification)])
    notify_timer = WakeTimer()
    summary_timer = WakeTimer()
    scheduler = NotificationScheduler(
        notifier,
        store,
        arm_timer=notify_timer.arm,
        clock=clock,
        leads=leads_by_account(accounts),
        texts=notification_texts(),
    )
    ack_service = AcknowledgeService(store, secrets)
    templates = load_templates([config.directory / "templates"])
    if autostart is None and not demo:
        autostart = autostart_for_platform()
    keyring_check = None if demo else getattr(secrets, "check_available", None)
    from trayapp.ui.record_controller import RecordController

    record = RecordController(
        config.directory,
        config.load_accounts,
        secrets,
        lambda: languages.language if languages is not None else "en",
        clock,
    )
    app = IppoApp(
        config=config,
        secrets=secrets,
        store=store,
        service=service,
        bridge=bridge,
        tray=tray,
        make_pending=lambda: _pending_window(clock),
        scheduler=scheduler,
        notify_timer=notify_timer,
        summary_timer=summary_timer,
        ack_service=ack_service,
        templates=templates,
        languages=languages,
        autostart=None if demo else autostart,
        launch_args=launch_args,
        clock=clock,
        check_login=check_login,
        open_url=open_url,
        keyring_check=keyring_check,
        demo=demo,
        notification_actions=actions,
        record=record,
    )
    if store.recovery_report is not None:  # a damaged state file was moved aside: say so once
        from trayapp.cli_i18n import catalog_for, recovery_line

        shown = resolve_language(config.settings.get("language"))
        text = recovery_line(store.recovery_report, catalog_for("ja" if shown == "ja" else "en"))
        app._show_message("Ippo", text)  # the name: the same in every language
    return app


__all__ = [
    "IppoApp",
    "SignalWakeup",
    "build_app",
    "mail_target",
    "make_application",
    "run_gui",
]
