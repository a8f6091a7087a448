"""The tray app's composition root: builds every service, passes each one in through its
constructor, and starts the event loop. Nothing here decides what waits (core/ does), talks to
a server (mail/ does), paints (ui/ does) or turns snapshots into views (ui/controller.py does).

    run_gui(args)   `ippo` / `ippo --demo` with no command: the whole desktop app.
    build_app(...)  every real part, built and passed in; tests give a fake WatchSource.

Start-up (QApplication, the wait for the panel's tray) lives in ui/startup.py, the POSIX
signal wake-up in ui/signal_wakeup.py, "Open in mail" targets in mail/webmail.py.
"""

from __future__ import annotations

# First: PySide6 without its import hook's source scan (memory_tricks.py says why).
from trayapp import memory_tricks

memory_tricks.drop_pyside_import_hook()

# isort: split

import argparse
import faulthandler
import logging
import os
import time
from collections.abc import Callable, Iterable, Sequence
from datetime import datetime, timedelta
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from PySide6.QtCore import QFileSystemWatcher, QObject, QTimer, QUrl, Signal
from PySide6.QtGui import QSessionManager

from trayapp.config import ConfigError, ConfigStore, resolve_config_dir
from trayapp.core.summary import leads_by_account
from trayapp.desktop.autostart import Autostart
from trayapp.desktop.notify import (
    CallableBackend,
    NotificationBackend,
    NotificationScheduler,
    Notifier,
)
from trayapp.desktop.secrets import SecretStore
from trayapp.mail.watcher import SystemClock
from trayapp.mail.webmail import mail_target, provider_of
from trayapp.resources_paths import app_icon_png
from trayapp.ui.bridge import WatchBridge
from trayapp.ui.controller import IppoApp, WatchControl, local_now
from trayapp.ui.i18n import LanguageSwitcher, notification_texts, resolve_language
from trayapp.ui.ledger import MemoryLedger
from trayapp.ui.notification_actions import NotificationActions, platform_backends
from trayapp.ui.signal_wakeup import SignalWakeup
from trayapp.ui.single_instance import SingleInstance
from trayapp.ui.startup import (
    EXIT_OK,
    EXIT_UNUSABLE,
    WINDOW_ICON_MAX_PX,
    Startup,
    app_icon,
    make_application,
    stderr,
)
from trayapp.ui.tasks import TaskRunner
from trayapp.ui.timers import WakeTimer
from trayapp.ui.tray import TrayController

if TYPE_CHECKING:
    from trayapp.ui.first_run import LoginTest
    from trayapp.ui.pending_window import PendingWindow

log = logging.getLogger(__name__)

CRASH_LOG = "crash.log"  # native crashes (faulthandler) land here, beside ippo.log
# Tests only: the name of a file holding an ISO instant. The app's wall clock then starts at
# that instant and runs on from it; writing another instant moves it (as a wake-up does).
TEST_CLOCK_ENV = "IPPO_TEST_CLOCK"


class SetClock(QObject):
    """The wall clock a test sets through a file ($IPPO_TEST_CLOCK): the instant written there
    plus the (monotonic) time since it was read. `moved` is emitted on the GUI thread after the
    file named another instant. Read from any thread (one tuple, swapped whole)."""

    moved = Signal()

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path
        self._base = (self._read() or datetime.now().astimezone(), time.monotonic())
        # The file is replaced, not written in place: watch its folder as well.
        self._watcher = QFileSystemWatcher([str(path.parent), str(path)], self)
        self._watcher.directoryChanged.connect(self._changed)
        self._watcher.fileChanged.connect(self._changed)

    def _read(self) -> datetime | None:
        try:
            instant = datetime.fromisoformat(self.path.read_text(encoding="utf-8").strip())
        except (OSError, ValueError):
            return None  # half written: the next change brings the whole instant
        return instant if instant.tzinfo is not None else None

    def _changed(self, _path: str) -> None:
        if str(self.path) not in self._watcher.files() and self.path.exists():
            self._watcher.addPath(str(self.path))
        instant = self._read()
        if instant is not None and instant != self._base[0]:  # not another file's change
            self._base = (instant, time.monotonic())
            self.moved.emit()

    def now(self) -> datetime:
        instant, read_at = self._base
        return instant + timedelta(seconds=time.monotonic() - read_at)


def test_clock_from_environment() -> SetClock | None:
    name = os.environ.get(TEST_CLOCK_ENV)
    return SetClock(Path(name)) if name else None


class _WallClock(SystemClock):
    """The watchers' clock with the app's wall time (their waits stay real)."""

    def __init__(self, now: Callable[[], datetime]) -> None:
        self._now = now

    def now(self) -> datetime:
        return self._now()


def enable_crash_log(config_dir: Path) -> TextIO | None:
    """A crash is a bug: on a native fault (SIGSEGV, SIGABRT ...) every thread's Python stack
    is written to crash.log in the config folder, where a bug report can find it."""
    try:
        stream = (config_dir / CRASH_LOG).open("a", encoding="utf-8")
    except OSError as error:
        log.warning("no crash log: %s", error)
        return None
    faulthandler.enable(file=stream, all_threads=True)
    return stream


def run_gui(args: argparse.Namespace) -> int:
    """`ippo` without a command: the tray app. Returns the process exit status."""
    memory_tricks.limit_malloc_arenas()  # before Qt and the watchers start their threads
    demo_server = None
    secrets: SecretStore
    if getattr(args, "demo", False):
        from trayapp.demo import DemoServer, DemoUnavailable

        demo_server = DemoServer()
        try:
            demo_account = demo_server.start()
        except DemoUnavailable as error:
            demo_server.stop()
            stderr(str(error))
            return EXIT_UNUSABLE
        config_dir = demo_server.config_dir
        ConfigStore(config_dir).save_accounts([demo_account])
        secrets = demo_server.secrets
    else:
        try:
            config_dir = resolve_config_dir(getattr(args, "config_dir", None))
        except (ConfigError, OSError) as error:  # said in the command line's language
            from trayapp.cli_i18n import error_text

            stderr(error_text(error))
            return EXIT_UNUSABLE
        from trayapp.desktop.secrets import KeyringSecretStore

        # In this process; every call runs on a TaskRunner or a watcher, never the GUI thread.
        secrets = KeyringSecretStore()
    try:
        return _run(args, config_dir, secrets, demo=demo_server is not None)
    finally:
        if demo_server is not None:
            demo_server.stop()


def _run(args: argparse.Namespace, config_dir: Path, secrets: SecretStore, *, demo: bool) -> int:
    from trayapp.desktop.single_instance import instance_name
    from trayapp.logs import setup_logging

    try:
        setup_logging(config_dir, verbose=bool(getattr(args, "verbose", False)))
    except OSError as error:
        stderr(f"cannot write the log file: {error}")
    crash_log = enable_crash_log(config_dir)
    qapp = make_application()
    single = SingleInstance(instance_name(config_dir))
    if not single.acquire():
        # The running one was asked to show its list; that is all a second start does.
        print("Ippo is already running; its list is shown.", flush=True)
        return EXIT_OK
    languages = LanguageSwitcher(qapp)
    config = ConfigStore(config_dir)
    try:
        language = config.app_settings().language
    except ConfigError as error:
        language = None
        log.error("%s", error)
    languages.apply(resolve_language(language))

    startup_holder: list[Startup] = []

    def quit_app(_signal: int = 0) -> None:
        if startup_holder:
            startup_holder[0].stop()
        qapp.quit()

    wakeup = SignalWakeup(quit_app)
    launch_args: list[str] = []
    if getattr(args, "config_dir", None):
        launch_args = ["--config-dir", str(config_dir)]

    set_clock = test_clock_from_environment()

    def build() -> IppoApp:
        app = build_app(
            config=config,
            secrets=secrets,
            languages=languages,
            demo=demo,
            launch_args=launch_args,
            clock=set_clock.now if set_clock is not None else local_now,
        )
        # Once start() has run (Startup starts what build returns): start-up is done.
        QTimer.singleShot(0, memory_tricks.freeze_start_up_objects)
        single.show_requested.connect(lambda: app.show_list(None))
        app.tray.quit_requested.connect(lambda: app.request_quit(qapp.quit))
        if set_clock is not None:
            set_clock.moved.connect(partial(_clock_moved, app))
        return app

    startup = Startup(qapp, build)
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
        if crash_log is not None:
            faulthandler.disable()
            crash_log.close()
    log.info("exited")
    return startup.status


def build_app(
    *,
    config: ConfigStore,
    secrets: SecretStore,
    languages: LanguageSwitcher | None,
    demo: bool = False,
    launch_args: Sequence[str] = (),
    service: WatchControl | None = None,
    notification_backends: Iterable[NotificationBackend] | None = None,
    autostart: Autostart | None = None,
    clock: Callable[[], datetime] = local_now,
    check_login: LoginTest | None = None,
    open_url: Callable[[QUrl], bool] | None = None,
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
    if service is None:
        service = WatchService(
            accounts,
            password_source(secrets, missing_hint="remove the inbox and add it again"),
            store,
            merge_acknowledgements=partial(with_acknowledgements, store),
            policy=ClockPolicy(config),
            auto_replier=AutoReplier(store, secrets, clock),  # off unless an absence asks
            clock=_WallClock(clock),
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
    # The GUI's store writes, in order, off the GUI thread: the notification ledger's and the
    # user's (IppoApp's dismissals).
    store_tasks = TaskRunner("ippo-store")
    ledger = MemoryLedger(store, store_tasks.submit)
    # Pruned with the table: the service's snapshot says when and up to where.
    bridge.snapshotChanged.connect(lambda s: ledger.prune_notifications(s.notified_before))
    scheduler = NotificationScheduler(
        notifier,
        ledger,
        arm_timer=notify_timer.arm,
        clock=clock,
        leads=leads_by_account(accounts),
        texts=notification_texts(),
    )
    try:  # settings.server_limits bound sending too (send_seconds: one overall deadline)
        send_limits = config.server_limits()
    except ConfigError as error:
        log.warning("%s; sending with the default limits", error)
        send_limits = None
    ack_service = AcknowledgeService(store, secrets, limits=send_limits)
    templates = load_templates([config.directory / "templates"])
    if autostart is None and not demo:
        autostart = autostart_for_platform()
    keyring_check = None if demo else secrets.check_available
    from trayapp.ui.record_controller import RecordController

    record = RecordController(
        config.directory,
        config.load_accounts,
        secrets,
        lambda: languages.language if languages is not None else "en",
        clock,
        TaskRunner("ippo-record"),  # a long job of its own: it holds up nothing else
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
        tasks=store_tasks,
        slow_tasks=TaskRunner("ippo-keyring"),  # the keyring and resumes: may take seconds
        # The dialogs' logins, SMTP tests, saves and browser sign-ins, one after another.
        account_tasks=TaskRunner("ippo-accounts"),
        # Acknowledgements, each up to its send deadline: never behind a login test.
        send_tasks=TaskRunner("ippo-send"),
        notification_actions=actions,
        record=record,
    )
    if store.recovery_report is not None:  # a damaged state file was moved aside: say so once
        from trayapp.cli_i18n import catalog_for, recovery_line

        shown = resolve_language(config.settings.get("language"))
        text = recovery_line(store.recovery_report, catalog_for("ja" if shown == "ja" else "en"))
        app._show_message("Ippo", text)  # the name: the same in every language
    return app


def _clock_moved(app: IppoApp) -> None:
    """The test clock jumped: look at the time again at once, as the timers would after a
    wake-up (the service's recompute follows as a snapshot)."""
    app.scheduler.check()
    app.update_summary()
    app.bridge.refresh()
    log.info("test clock moved to %s", app.clock().isoformat(timespec="seconds"))


def _pending_window(clock: Callable[[], datetime]) -> PendingWindow:
    from trayapp.ui.pending_window import PendingWindow  # on first use

    return PendingWindow(clock=clock)


__all__ = [
    "WINDOW_ICON_MAX_PX",
    "IppoApp",
    "SignalWakeup",
    "app_icon",
    "build_app",
    "mail_target",
    "make_application",
    "provider_of",
    "run_gui",
]
