"""The desktop app's controller: snapshots in, views out; the user's intents out, as commands.

    IppoApp   turns each WatchSnapshot into the tray's badge, the list and the notifications,
              and each click into a command: a store write or a keyring call on a TaskRunner,
              then `refresh` to the service. It never waits: the next snapshot is the answer.

Threads: the watchers and the WatchService dispatcher report through WatchBridge, whose
signal arrives on the GUI thread. Blocking work runs on the TaskRunners the composition root
passes in: `tasks` for the store (in order, so a dismissal is written before the refresh that
reads it; the ignored-senders list too), `slow_tasks` for the keyring, acknowledgement resumes
and other waits that may take seconds, `account_tasks` for the dialogs' logins, SMTP tests,
saves and browser sign-ins, and `send_tasks` for the acknowledgement dialogs' sends. No dialog
makes a runner of its own; one closed early gets no result (the task's owner). No timer
polls: the badge and the notifications each arm one single-shot WakeTimer.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import Future
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any, Protocol, cast

from PySide6.QtCore import QObject, QRect, Qt, QUrl
from PySide6.QtWidgets import QDialog, QMessageBox, QWidget

from trayapp.clock import now as local_now  # one clock for the GUI, the CLI and promises
from trayapp.config import ConfigError, ConfigStore
from trayapp.core.failures import explain_failure
from trayapp.core.model import AccountConfig, AccountHealth, HealthState, Inquiry
from trayapp.core.notifications import ACTION_ACK, ACTION_SNOOZE
from trayapp.core.promise import AckState
from trayapp.core.summary import StageLeads, leads_by_account, summarize
from trayapp.core.templates import ReplyTemplate
from trayapp.desktop.autostart import Autostart, AutostartError, launch_command
from trayapp.desktop.notify import NotificationScheduler, NotificationUnavailable
from trayapp.desktop.secrets import SecretStore
from trayapp.desktop.url_handlers import has_handler
from trayapp.mail.service import WatchSnapshot
from trayapp.mail.webmail import mail_target
from trayapp.ui.bridge import WatchBridge, WatchSource
from trayapp.ui.i18n import (
    LanguageSwitcher,
    error_sentence,
    notification_texts,
    resolve_language,
    ui_language,
)
from trayapp.ui.messages import no_keyring_message
from trayapp.ui.notification_actions import NotificationActions
from trayapp.ui.set_aside_log import SetAsideLog
from trayapp.ui.tasks import TaskRunner
from trayapp.ui.timers import WakeTimer
from trayapp.ui.tray import TrayController

if TYPE_CHECKING:
    # The windows and dialogs are imported where they are first opened: a tray app spends
    # most days with none of them open.
    from trayapp.core.model import OAuthSettings
    from trayapp.core.oauth import ProviderKind, TokenSet
    from trayapp.store.db import StateStore
    from trayapp.store.set_aside import SetAside
    from trayapp.ui.ack_dialog import AckDialog, AckSender
    from trayapp.ui.first_run import AddInboxDialog, LoginTest
    from trayapp.ui.pending_window import PendingWindow
    from trayapp.ui.record_controller import RecordController
    from trayapp.ui.settings_dialog import SettingsDialog
    from trayapp.ui.sign_in_again import SignInAgain

log = logging.getLogger(__name__)

# Monotonic timers stand still while the machine sleeps: the badge timer never waits longer,
# so the countdown is right again soon after a wake even when no mail arrives.
SUMMARY_MAX_WAIT = timedelta(minutes=30)
STOP_TIMEOUT = 2.0  # per watcher, all in parallel: well inside the 10 s a session gives us
NOTIFICATION_SNOOZE = timedelta(hours=1)  # "Snooze 1 h" on a notification


class WatchControl(WatchSource, Protocol):
    """What the app needs of mail.service.WatchService beyond the bridge's part."""

    def start(self) -> None: ...

    def stop(self, timeout: float = 2.0) -> bool: ...

    def dismissed_items(self) -> Future[list[tuple[Inquiry, str]]]: ...


if TYPE_CHECKING:  # a type only (its base lives in the lazily imported ui.ack_dialog)

    class AckService(AckSender, Protocol):
        """What the app needs of mail.acknowledge.AcknowledgeService."""

        def resume_unfinished(self, account: AccountConfig) -> list[Any]: ...

        def mark_done(self, message_id: str) -> None: ...


def _default_check_login(account: AccountConfig, password: str) -> None:
    from trayapp.mail.imap import check_login

    check_login(account, password)


def _default_check_sending(account: AccountConfig, password: str) -> None:
    from trayapp.mail.smtp import check_smtp_login

    check_smtp_login(account, password)


def _bring_forward(widget: Any) -> None:
    widget.show()
    widget.raise_()
    widget.activateWindow()


def _keep_while_open(widget: QWidget, kept: list[Any]) -> None:
    """`widget` lives in `kept` until it is closed (and deleted): nothing else holds it."""
    widget.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    kept.append(widget)
    widget.destroyed.connect(lambda *_: kept.remove(widget) if widget in kept else None)


class IppoApp(QObject):
    """Wires the pieces. Everything is passed in; `start()` shows the tray and starts the
    watchers, `shutdown()` stops them and closes the store (idempotent)."""

    def __init__(
        self,
        *,
        config: ConfigStore,
        secrets: SecretStore,
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
        open_url: Callable[[QUrl], bool] | None = None,
        keyring_check: Callable[[], None] | None = None,
        demo: bool = False,
        tasks: TaskRunner,
        slow_tasks: TaskRunner,
        account_tasks: TaskRunner,
        send_tasks: TaskRunner,
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
        self._list_stale = False  # the hidden list missed snapshots; caught up when shown
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
        if open_url is None:
            from PySide6.QtGui import QDesktopServices

            open_url = QDesktopServices.openUrl
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
        self.tasks = tasks  # store writes, in order
        self.slow_tasks = slow_tasks  # keyring, resumes (may be slow)
        self.account_tasks = account_tasks  # the dialogs' logins, tests, saves, sign-ins
        self.send_tasks = send_tasks  # the acknowledgement dialogs' sends
        for runner in (tasks, slow_tasks, account_tasks, send_tasks):
            runner.setParent(self)
        # D, N and I, written on the store's runner, and put back from there (ui/set_aside_log).
        self.set_aside_log = SetAsideLog(
            store, self.tasks, service.refresh, self._on_write_failed, self
        )
        self.set_aside_dialog: QDialog | None = None
        self.ignored_dialog: QDialog | None = None
        self._notified: tuple[Inquiry, ...] | None = None
        self._started = False
        self._stopped = False

        bridge.snapshotChanged.connect(self._on_snapshot)
        bridge.healthChanged.connect(self._on_health)
        notify_timer.fired.connect(scheduler.check)
        summary_timer.fired.connect(self.update_summary)

        tray.open_list_requested.connect(self.show_list)
        tray.add_inbox_requested.connect(self.open_add_inbox)
        tray.settings_requested.connect(self.open_settings)
        tray.fix_requested.connect(self.fix_account)
        tray.start_at_login_changed.connect(self.set_start_at_login)
        from trayapp.ui.away import HoldsController

        self.holds = HoldsController(  # away, snooze, quiet hours (issue 13)
            config, store, self._write_then_refresh, clock, self, on_return=self.show_list
        )
        tray.away_requested.connect(lambda: self.holds.open_away(tray.away_until))
        self.sign_in_again = self._make_sign_in_again()

        scheduler.set_leads(self.leads)
        scheduler.set_overdue_stays(self._overdue_stays_setting())
        if notification_actions is not None:
            notification_actions.invoked.connect(self.on_notification_action)
        self.record = record
        if record is not None:  # the trust record (issue 14): menu entry, tooltip line
            tray.record_requested.connect(record.show_window)
            record.line_changed.connect(lambda: tray.set_record_line(record.tooltip_line))
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
            self.slow_tasks.submit(self.keyring_check, on_error=self._on_keyring_problem)
        self._resume_acknowledgements()
        if self.record is not None:
            self.record.start()
        # The list is what a click on the tray opens. Its code, and the Qt enums it touches
        # first, take ~40 ms to load on a slow CPU: paid here, at start-up, not on the first
        # click (bench_gui_stall); it costs ~3 MiB for the session (bench_app_memory).
        import trayapp.ui.pending_window  # noqa: F401

        log.info("started with %d inbox(es)", len(self.accounts))

    def shutdown(self) -> None:
        """Stop the watchers, close the store and the windows. Safe to call twice."""
        if self._stopped:
            return
        self._stopped = True
        log.info("shutting down")
        self.slow_tasks.close()
        self.account_tasks.close()  # a browser sign-in still waiting ends now
        self.send_tasks.close()  # a send on its way ends by its deadline; its journal says
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
        for widget in (
            self.add_dialog,
            self.settings_dialog,
            self.set_aside_dialog,
            self.ignored_dialog,
            self._pending,
            *self.messages,
        ):
            if widget is not None:
                widget.close()
        self.tray.hide()
        self.scheduler.notifier.close()  # Ippo's bubbles leave the screen with it
        # What the user decided is written before the store closes (a few writes at most).
        if not self.tasks.close(wait=STOP_TIMEOUT):
            log.warning("store writes still running at exit")
        with contextlib.suppress(Exception):
            self.store.close()

    # ---------------------------------------------------------------- snapshots -> views

    def _on_snapshot(self, snapshot: WatchSnapshot) -> None:
        # Snoozes, absences and quiet hours must be known before anything is told.
        self.scheduler.set_holds(snapshot.holds)
        self.update_summary()
        window = self._pending
        if window is not None:
            if window.isVisible():
                self._fill_list(window, snapshot)
            else:
                self._list_stale = True  # nobody looks: caught up when shown
        # Only what a live scan of this run confirmed is notified: the last known list from
        # the store may hold items answered from the phone while Ippo was off, and a warning
        # about those would be wrong. (The badge shows them at once, marked not covered.)
        live = snapshot.live_items
        if live != self._notified:
            self._notified = live
            self.scheduler.update(list(live))

    def _on_health(self, name: str, health: AccountHealth) -> None:
        self.sign_in_again.update(self.bridge.health)
        self.failure_notices.health_changed(name, health)

    def _fill_list(self, window: PendingWindow, snapshot: WatchSnapshot | None) -> None:
        self._list_stale = False
        window.set_leads(self.leads)
        window.set_health(self._health(snapshot))
        window.set_items(list(snapshot.items) if snapshot is not None else [])

    def _health(self, snapshot: WatchSnapshot | None) -> Mapping[str, AccountHealth]:
        if snapshot is not None:
            return snapshot.health
        return {a.name: AccountHealth(HealthState.CONNECTING) for a in self.accounts}

    def update_summary(self) -> None:
        """Badge and tooltip from the latest picture; one timer for the next change."""
        snapshot = self.bridge.snapshot
        items = snapshot.items if snapshot is not None else ()
        now = self.clock()
        away = snapshot.holds.away_until(now) if snapshot is not None else None
        summary = summarize(
            items,
            self._health(snapshot),
            now,
            self.leads,
            no_inbox=not self.accounts,
            away_until=away,
        )
        self.holds.note_away(away)
        self.tray.set_summary(summary)
        upcoming = summary.next_change_at()
        self.summary_timer.arm(None if upcoming is None else min(upcoming - now, SUMMARY_MAX_WAIT))

    # ---------------------------------------------------------------- the list

    @property
    def pending(self) -> PendingWindow:
        """The pending list, built on first use and kept (its rows are a model: cheap)."""
        if self._pending is None:
            window = self._make_pending()
            window.acknowledge_requested.connect(self.acknowledge)
            window.mark_answered_requested.connect(self.mark_answered)
            window.not_inquiry_requested.connect(self.not_an_inquiry)
            window.ignore_sender_requested.connect(self.ignore_sender)
            window.open_in_mail_requested.connect(self.open_in_mail)
            window.snooze_requested.connect(self.holds.snooze)
            window.fix_requested.connect(self.fix_account)
            window.undo_requested.connect(self.undo)
            window.set_aside_list_requested.connect(self.open_set_aside)
            window.ignored_senders_requested.connect(self.open_ignored_senders)
            self.set_aside_log.set_aside_made.connect(window.hide_set_aside)
            self.set_aside_log.put_back_made.connect(window.show_put_back)
            self._pending = window
            self._fill_list(window, self.bridge.snapshot)
        elif self._list_stale:
            self._fill_list(self._pending, self.bridge.snapshot)
        return self._pending

    def has_list(self) -> bool:
        return self._pending is not None

    def show_list(self, anchor: QRect | None = None) -> None:
        if anchor is None or not anchor.isValid():
            geometry = self.tray.geometry()
            anchor = geometry if geometry.isValid() else None
        self.pending.show_near(anchor)  # caught up with the latest snapshot if it was hidden

    def _item(self, item_id: str) -> Inquiry | None:
        snapshot = self.bridge.snapshot
        items = snapshot.items if snapshot is not None else ()
        return next((i for i in items if i.id == item_id), None)

    def _account(self, name: str) -> AccountConfig | None:
        return next((a for a in self.accounts if a.name == name), None)

    def _item_and_account(self, item_id: str) -> tuple[Inquiry, AccountConfig] | None:
        """The listed inquiry and its inbox, or None when either is gone."""
        item = self._item(item_id)
        account = self._account(item.account) if item is not None else None
        return (item, account) if item is not None and account is not None else None

    # ---------------------------------------------------------------- intents -> commands

    def acknowledge(self, item_id: str) -> None:
        found = self._item_and_account(item_id)
        if found is None:
            return
        item, account = found
        open_dialog = self.ack_dialogs.get(item_id)
        if open_dialog is not None:
            _bring_forward(open_dialog)
            return
        from trayapp.ui.ack_dialog import AckDialog  # on first use (see TYPE_CHECKING above)

        dialog = AckDialog(
            account, item, self.templates, self.ack_service, self.clock, tasks=self.send_tasks
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sent.connect(lambda _result: self.bridge.refresh())
        dialog.rejected.connect(self.bridge.refresh)  # closed after a failure: "not sent"
        dialog.destroyed.connect(lambda *_: self.ack_dialogs.pop(item_id, None))
        self.ack_dialogs[item_id] = dialog
        _bring_forward(dialog)

    def mark_answered(self, item_id: str) -> None:
        """Answered another way (phone, another app), or -- for an acknowledged item -- the
        promise is kept: it leaves the list and is never counted again (until put back)."""
        item = self._item(item_id)
        if item is not None:
            self.set_aside_log.set_aside("answered", item)

    def not_an_inquiry(self, item_id: str) -> None:
        item = self._item(item_id)
        if item is not None:
            self.set_aside_log.set_aside("not_inquiry", item)

    def ignore_sender(self, account: str, address: str) -> None:
        address = address.strip().lower()
        if not address:
            return
        shown = self._pending.current_item() if self._pending is not None else None
        snapshot = self.bridge.snapshot
        candidates = [shown] if shown is not None else []
        candidates += list(snapshot.items) if snapshot is not None else []
        item = next(
            (
                i
                for i in candidates
                if i.account == account and i.sender_addr.strip().lower() == address
            ),
            None,
        )
        if item is not None:  # always so from the list; the entry names the sender's item
            self.set_aside_log.set_aside("ignore_sender", item)

    def undo(self, entry: SetAside | None = None) -> None:
        """The undo bar's button (that entry) or Ctrl+Z (the newest still set aside)."""
        if entry is None:
            self.set_aside_log.undo_last()
        else:
            self.set_aside_log.put_back(entry)

    def _write_then_refresh(self, write: Callable[[], object]) -> None:
        """A store write off the GUI thread (away, snooze, quiet hours), then the service
        recomputes (queued, never awaited); the next snapshot shows it."""
        refresh = self.service.refresh

        def job() -> None:
            try:
                write()
            finally:
                refresh()

        self.tasks.submit(job, on_error=self._on_write_failed)

    def open_set_aside(self) -> None:
        """ "Recently set aside": put back what the undo bar no longer offers."""
        if self.set_aside_dialog is None:
            from trayapp.ui.set_aside_dialog import SetAsideDialog  # on first use

            service = self.service

            def earlier() -> list[tuple[Inquiry, str]]:  # a worker waits, not the GUI
                return service.dismissed_items().result(timeout=30)

            dialog = SetAsideDialog(self.set_aside_log, earlier, tasks=self.slow_tasks)
            self.set_aside_dialog = self._keep_dialog(dialog, "set_aside_dialog")
        _bring_forward(self.set_aside_dialog)

    def open_ignored_senders(self) -> None:
        """The senders "Always ignore this sender" set, to take off that list."""
        if self.ignored_dialog is None:
            from trayapp.ui.ignored_senders import IgnoredSendersDialog  # on first use

            store, refresh, names = (
                self.store,
                self.service.refresh,
                [a.name for a in self.accounts],
            )

            def load() -> list[tuple[str, str]]:
                return [(n, a) for n in names for a in sorted(store.ignored_senders(n))]

            def remove(account: str, address: str) -> None:
                try:
                    store.unignore_sender(account, address)
                finally:
                    refresh()

            dialog = IgnoredSendersDialog(load, remove, tasks=self.tasks)
            dialog.removed.connect(self.set_aside_log.sender_unignored)
            self.ignored_dialog = self._keep_dialog(dialog, "ignored_dialog")
        _bring_forward(self.ignored_dialog)

    def _keep_dialog(self, dialog: QDialog, attribute: str) -> QDialog:
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.destroyed.connect(lambda *_: setattr(self, attribute, None))
        return dialog

    def _on_write_failed(self, error: BaseException) -> None:
        log.error("could not save the change: %s", error)
        self._show_message(self.tr("Ippo"), error_sentence(error))

    def open_in_mail(self, item_id: str) -> None:
        found = self._item_and_account(item_id)
        if found is None:
            return
        item, account = found
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
            _bring_forward(self.add_dialog)
            return
        from trayapp.ui.first_run import AddInboxDialog  # on first use (see TYPE_CHECKING)

        dialog = AddInboxDialog(
            test_login=lambda account, password: self.check_login(account, password),
            save=self._save_new_account,
            existing_names=[a.name for a in self.accounts],
            oauth_sign_in=self.oauth_sign_in,
            tasks=self.account_tasks,
            test_sending=lambda account, password: self.check_sending(account, password),
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.account_added.connect(self._on_account_added)
        dialog.destroyed.connect(lambda *_: setattr(self, "add_dialog", None))
        self.add_dialog = dialog
        hint = dialog.sizeHint()
        dialog.resize(max(hint.width(), 520), hint.height())
        _bring_forward(dialog)

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
            tasks=self.account_tasks,
            parent=self,
        )
        return controller

    def _notify_about_account(self, account: str, title: str, message: str) -> None:
        # A revoked sign-in (ui/sign_in_again.py): its action signs in again (fix_account).
        from trayapp.ui.failure_notice import sign_in_again_notice

        try:
            self.scheduler.notifier.notify(sign_in_again_notice(account, title, message))
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

    def _accounts_changed(self, forget: Iterable[str] = ()) -> None:
        self.accounts = self.config.load_accounts()
        self.leads = leads_by_account(self.accounts)
        if self._pending is not None:
            if self._pending.isVisible():
                self._pending.set_leads(self.leads)
            else:
                self._list_stale = True  # caught up when shown
        self.scheduler.set_leads(self.leads)
        self.bridge.set_accounts(self.accounts, forget=forget)
        if self.settings_dialog is not None:
            self.settings_dialog.set_accounts(self.accounts)
        self.update_summary()

    def _retry_not_covered(self) -> None:
        """config.json changed but not its accounts (say, a password set with the command
        line): an inbox that is not watched tries again now. An absence or quiet hours set
        with the command line are applied at once (due times, badge, notifications)."""
        for name, health in self.bridge.health.items():
            if not health.covered:
                self.bridge.retryNow(name)
        self.bridge.refresh()

    def open_settings(self) -> None:
        if self.settings_dialog is not None:
            _bring_forward(self.settings_dialog)
            return
        language = self.config.app_settings().language or "system"
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
        dialog.ignored_senders_requested.connect(self.open_ignored_senders)
        dialog.destroyed.connect(lambda *_: setattr(self, "settings_dialog", None))
        self.settings_dialog = dialog
        _bring_forward(dialog)

    def _on_account_edited(self, account: AccountConfig) -> None:
        try:
            self.config.update_account(account)
        except ConfigError as error:
            self._show_message(self.tr("Ippo"), error_sentence(error))
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
        self.forget_account(name)

    def forget_account(self, name: str) -> None:
        """Stop watching `name`: the watcher stops in the background (a frozen server cannot
        hold anyone up), the service puts its stored state aside (kept 30 days under the
        address) once it no longer watches it, and its passwords leave the keyring on the
        keyring's worker."""
        self.config.remove_account(name)
        self._accounts_changed(forget=[name])
        secrets = self.secrets

        def delete_passwords() -> None:
            from trayapp.desktop.secrets import forget_account

            forget_account(secrets, name)

        def complain(error: BaseException) -> None:
            # The keyring may be locked: the rest is done; say so in the log.
            log.warning("could not delete the password of %s: %s", name, error)

        self.slow_tasks.submit(delete_passwords, on_error=complain)

    # ---------------------------------------------------------------- settings

    def set_language(self, setting: str) -> None:
        """'system', 'en' or 'ja' from the settings; saved, then applied at once."""
        self.config.update_settings(language=None if setting == "system" else setting)
        self.apply_language()

    def apply_language(self) -> None:
        if self.languages is not None:
            self.languages.apply(resolve_language(self.config.app_settings().language))
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
        value = self.config.app_settings().autostart
        return value if value is not None else bool(self.accounts)

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
            self._show_message(self.tr("Ippo"), error_sentence(error))
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
        if self.config.app_settings().autostart is None:
            self.set_start_at_login(True)

    # ---------------------------------------------------------------- keyring, acks

    def _on_keyring_problem(self, error: BaseException) -> None:
        problem = error_sentence(error)
        if self._stopped:
            return
        log.warning("keyring unusable: %s", problem)
        box = no_keyring_message(problem)
        box.setObjectName("noKeyringMessage")
        self._keep_shown(box)

    def _resume_acknowledgements(self) -> None:
        """Finish what a crash or a lost connection left half done (off the GUI thread)."""
        store, acks, accounts = self.store, self.ack_service, list(self.accounts)

        def work() -> bool:
            names = {r.account for r in store.acks(states=(AckState.RECORDED, AckState.SENT))}
            resumed = [a for a in accounts if a.name in names]
            for account in resumed:
                try:
                    acks.resume_unfinished(account)
                except Exception:
                    log.exception("%s: could not resume acknowledgements", account.name)
            return bool(resumed)

        def done(resumed: bool) -> None:
            if resumed:
                self.bridge.refresh()

        self.slow_tasks.submit(work, on_done=done)

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
        settings at that inbox. The list banner's button calls it too."""
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

            dialog = NewPasswordDialog(
                account, reason, self.check_login, self._store_password, self.account_tasks
            )
            dialog.password_saved.connect(self.service.retry_now)
            self.show_login_dialog(dialog)
        elif fix == "wait":
            self.service.retry_now(name)
        else:
            self.open_settings()
            if self.settings_dialog is not None:
                self.settings_dialog.select_account(name)

    def show_login_dialog(self, dialog: QDialog) -> None:
        """A new-password dialog or an account editor: kept while open, brought forward."""
        _keep_while_open(dialog, self.password_dialogs)
        _bring_forward(dialog)

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
        _keep_while_open(box, self.messages)
        box.show()


__all__ = ["SUMMARY_MAX_WAIT", "IppoApp", "WatchControl", "local_now"]
