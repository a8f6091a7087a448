"""The app's wiring (trayapp/app.py), with the real pieces except the watcher: a fake
WatchSource feeds snapshots the way WatchService does (from its own thread), and the test
checks what reaches the tray, the list, the notifier, the store, the config and autostart.

The store, config, acknowledgement service, widgets, timers, scheduler and XDG autostart are
the real ones, on tmp dirs; notifications go to a recording backend (the real daemon path is
proven in tests/e2e)."""

from __future__ import annotations

import os
import signal
import threading
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
from PySide6.QtCore import QUrl
from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from trayapp.app import IppoApp, SignalWakeup, build_app
from trayapp.config import ConfigStore
from trayapp.core.model import AccountConfig, AccountHealth, HealthState, Inquiry, ItemState
from trayapp.core.notifications import NotificationText
from trayapp.demo import MemorySecretStore
from trayapp.desktop.autostart import XdgAutostart
from trayapp.mail.service import WatchSnapshot
from trayapp.ui.ack_dialog import AckDialog
from trayapp.ui.first_run import AddInboxDialog
from trayapp.ui.i18n import LanguageSwitcher
from trayapp.ui.tasks import TaskRunner

from .helpers import Clock, inquiry, record_filed_promise, speaking

pytestmark = [pytest.mark.gui]

NOW = datetime(2024, 6, 3, 9, 0, 30, tzinfo=UTC)
SHOP = AccountConfig(
    name="shop", email="info@shop.example.jp", imap_host="mail.shop.example.jp", smtp_host="x"
)
CONNECTED = AccountHealth(HealthState.CONNECTED)


class FakeWatch:
    """A WatchService stand-in: same listener contract (first call at once, later calls from
    another thread), records what the app asks of it."""

    def __init__(self, accounts: Iterable[AccountConfig] = ()) -> None:
        self.accounts = list(accounts)
        self.listeners: list[Callable[[WatchSnapshot], None]] = []
        self.current = WatchSnapshot(NOW, (), {}, tuple(self.accounts), True)
        self.refreshes = 0
        self.retries: list[str | None] = []
        self.set_accounts_calls: list[list[AccountConfig]] = []
        self.forgotten: list[str] = []
        self.live: set[str] = set()
        self.dismissed: list[tuple[Inquiry, str]] = []  # what dismissed_items answers
        self.started = False
        self.stopped = False

    def subscribe(self, listener: Callable[[WatchSnapshot], None]) -> Callable[[], None]:
        self.listeners.append(listener)
        listener(self.current)
        return lambda: self.listeners.remove(listener) if listener in self.listeners else None

    def publish(
        self,
        items: list[Inquiry],
        health: dict[str, AccountHealth],
        notified_before: datetime | None = None,
    ) -> None:
        # Like the service: an account that connected once in this run is live from then on.
        self.live |= {n for n, h in health.items() if h.state is HealthState.CONNECTED}
        self.current = WatchSnapshot(
            NOW,
            tuple(items),
            health,
            tuple(self.accounts),
            True,
            live=frozenset(self.live),
            notified_before=notified_before,
        )
        worker = threading.Thread(target=lambda: [f(self.current) for f in self.listeners])
        worker.start()
        worker.join()

    def retry_now(self, account: str | None = None) -> None:
        self.retries.append(account)

    def refresh(self) -> None:
        self.refreshes += 1

    def set_accounts(
        self, accounts: Iterable[AccountConfig], *, forget: Iterable[str] = ()
    ) -> None:
        self.accounts = list(accounts)
        self.set_accounts_calls.append(list(self.accounts))
        self.forgotten.extend(forget)

    def dismissed_items(self) -> Future[list[tuple[Inquiry, str]]]:
        answer: Future[list[tuple[Inquiry, str]]] = Future()
        answer.set_result(list(self.dismissed))
        return answer

    def start(self) -> None:
        self.started = True

    def stop(self, timeout: float = 2.0) -> bool:
        self.stopped = True
        return True


class Recorder:
    """A notification backend that delivers to a list."""

    name = "recorder"

    def __init__(self) -> None:
        self.shown: list[tuple[str, str]] = []

    def show(self, note: NotificationText) -> None:
        self.shown.append((note.title, note.message))


class Harness:
    def __init__(self, tmp_path: Path, accounts: list[AccountConfig]) -> None:
        self.config = ConfigStore(tmp_path / "config")
        self.config.save_accounts(accounts)
        self.secrets = MemorySecretStore()
        self.watch = FakeWatch(accounts)
        self.notes = Recorder()
        self.opened: list[QUrl] = []
        self.logins: list[tuple[AccountConfig, str]] = []
        self.autostart = XdgAutostart(tmp_path / "xdg-config")
        self.clock = Clock(NOW)
        self.app: IppoApp = build_app(
            config=self.config,
            secrets=self.secrets,
            languages=None,
            service=self.watch,
            notification_backends=[self.notes],
            autostart=self.autostart,
            clock=self.clock,
            check_login=lambda account, password: self.logins.append((account, password)),
            open_url=self.open_url,
        )
        self.handlers: dict[str, bool | None] = {"mailto": True, "https": True}
        self.app.url_handler_known = lambda scheme: self.handlers.get(scheme)

    def open_url(self, url: QUrl) -> bool:
        self.opened.append(url)
        return True


@pytest.fixture
def harness(tmp_path: Path, qtbot: QtBot) -> Iterator[Harness]:
    h = Harness(tmp_path, [SHOP])
    yield h
    h.app.shutdown()


def test_snapshots_reach_tray_list_and_notifier(harness: Harness, qtbot: QtBot) -> None:
    app = harness.app
    app.start()
    assert harness.watch.started
    warning = inquiry("w1", timedelta(hours=3), "Jane Miller <jane@example.com>", "Order #4521")
    calm = inquiry("c1", timedelta(hours=14), uid=2)
    harness.watch.publish([warning, calm], {"shop": CONNECTED})
    qtbot.waitUntil(lambda: app.pending.item("w1") is not None)
    assert app.pending.item("c1") is not None
    badge = app.tray.current_badge()
    assert badge is not None and (badge.kind, badge.text) == ("warning", "3h")
    assert "Jane Miller" in app.tray.toolTip()
    # One notification for the warning stage, naming the sender; none for the calm item.
    assert len(harness.notes.shown) == 1
    title, body = harness.notes.shown[0]
    assert "Jane Miller" in body and "3h" in title
    # One timer for the badge: the next change is the text '3h' -> '2h' in exactly 1 s,
    # well before the urgent stage (2 h away); the notification timer waits for that stage.
    assert 0 <= app.summary_timer.remaining_ms() <= 1_100
    assert 0 < app.notify_timer.remaining_ms() <= 30 * 60 * 1000
    # The same picture again (a heartbeat) notifies nothing more.
    harness.watch.publish([warning, calm], {"shop": CONNECTED})
    qtbot.wait(50)
    assert len(harness.notes.shown) == 1


def test_the_notification_ledger_in_memory_is_pruned_with_the_table(
    harness: Harness, qtbot: QtBot
) -> None:
    """The service's prune says its cutoff in the snapshot; the GUI's ledger forgets the
    same records (here one whose item is still shown, so forgetting it shows: told again)."""
    app = harness.app
    app.start()
    warning = inquiry("w1", timedelta(hours=3), "Jane Miller <jane@example.com>", "Order #4521")
    harness.watch.publish([warning], {"shop": CONNECTED})
    qtbot.waitUntil(lambda: len(harness.notes.shown) == 1)
    calm = inquiry("c1", timedelta(hours=14), uid=2)
    before = warning.deadline  # not before it: the record is kept
    harness.watch.publish([warning, calm], {"shop": CONNECTED}, notified_before=before)
    qtbot.wait(50)
    assert len(harness.notes.shown) == 1
    after = warning.deadline + timedelta(seconds=1)
    harness.watch.publish([warning], {"shop": CONNECTED}, notified_before=after)
    qtbot.waitUntil(lambda: len(harness.notes.shown) == 2)


def test_an_account_not_covered_shows_in_badge_and_list(harness: Harness, qtbot: QtBot) -> None:
    app = harness.app
    app.start()
    failed = AccountHealth(HealthState.ERROR, "authentication failed")
    harness.watch.publish([inquiry("w1", timedelta(hours=3))], {"shop": failed})
    qtbot.waitUntil(lambda: app.pending.item("w1") is not None)
    badge = app.tray.current_badge()
    assert badge is not None and badge.kind == "error"
    assert "refused the user name or password" in app.tray.toolTip()  # a plain sentence
    assert not app.pending.banner.isHidden()
    assert "refused the user name or password" in app.pending.banner.text()


def test_acknowledge_opens_the_dialog_once(harness: Harness, qtbot: QtBot) -> None:
    app = harness.app
    app.start()
    item = inquiry("w1", timedelta(hours=3), "Jane Miller <jane@example.com>", "Order #4521")
    harness.watch.publish([item], {"shop": CONNECTED})
    qtbot.waitUntil(lambda: app.pending.item("w1") is not None)
    app.pending.select_item("w1")
    app.pending.ack_button.click()
    dialog = app.ack_dialogs["w1"]
    assert isinstance(dialog, AckDialog) and dialog.isVisible()
    assert dialog.inquiry == item and dialog.account == SHOP
    app.pending.acknowledge_requested.emit("w1")  # again: the same dialog comes forward
    assert list(app.ack_dialogs) == ["w1"] and app.ack_dialogs["w1"] is dialog
    dialog.close()
    qtbot.waitUntil(lambda: "w1" not in app.ack_dialogs)


def test_mark_answered_not_an_inquiry_and_ignore_sender(harness: Harness, qtbot: QtBot) -> None:
    app = harness.app
    app.start()
    items = [
        inquiry("a", timedelta(hours=3), "A <a@example.com>", uid=1),
        inquiry("b", timedelta(hours=5), "B <b@example.com>", uid=2),
        inquiry("c", timedelta(hours=6), "Spam Co <offers@spam.example>", uid=3),
    ]
    harness.watch.publish(items, {"shop": CONNECTED})
    qtbot.waitUntil(lambda: app.pending.item("c") is not None)
    app.pending.select_item("a")
    app.pending.answered_button.click()
    app.pending.select_item("b")
    app.pending.dismiss_action.trigger()
    app.pending.select_item("c")
    app.pending.ignore_action.trigger()
    # Written off the GUI thread, in order; the service recomputes after the writes (once
    # for writes made while the first was on its way: at least once, never more than three).
    qtbot.waitUntil(lambda: not app.tasks.busy() and harness.watch.refreshes >= 1)
    assert harness.watch.refreshes <= 3
    assert app.store.dismissals("shop") == {"a": "answered", "b": "not_inquiry"}
    assert app.store.ignored_senders("shop") == {"offers@spam.example"}


def test_marking_an_acknowledged_item_done_closes_its_promise(
    harness: Harness, qtbot: QtBot
) -> None:
    app = harness.app
    app.start()
    acked = inquiry(
        "k1", timedelta(hours=-2), state=ItemState.ACKNOWLEDGED, promise_left=timedelta(hours=20)
    )
    record_filed_promise(app.store, "k1", "ack-1@shop.example.jp")
    harness.watch.publish([acked], {"shop": CONNECTED})
    qtbot.waitUntil(lambda: app.pending.item("k1") is not None)
    app.pending.select_item("k1")
    assert app.pending.answered_button.text() == "Done (D)"
    app.pending.answered_button.click()

    def promise_kept() -> bool:
        record = app.store.ack("ack-1@shop.example.jp")
        return record is not None and record.state == "done"

    qtbot.waitUntil(promise_kept)
    assert app.store.dismissals("shop") == {"k1": "answered"}
    qtbot.waitUntil(lambda: harness.watch.refreshes >= 1)  # then the service recomputes


def _started_with_one_inquiry(harness: Harness, qtbot: QtBot) -> IppoApp:
    app = harness.app
    app.start()
    item = inquiry("w1", timedelta(hours=3), "Jane Miller <jane@example.com>", "Order #4521")
    harness.watch.publish([item], {"shop": CONNECTED})
    qtbot.waitUntil(lambda: app.pending.item("w1") is not None)
    return app


def test_open_in_mail_uses_a_reply_draft_for_a_custom_server(
    harness: Harness, qtbot: QtBot
) -> None:
    app = _started_with_one_inquiry(harness, qtbot)
    app.pending.select_item("w1")
    app.pending.open_button.click()
    assert [u.scheme() for u in harness.opened] == ["mailto"]
    url = urlsplit(bytes(harness.opened[0].toEncoded().data()).decode("ascii"))
    assert url.path == "jane@example.com"
    fields = parse_qs(url.query)
    assert fields["subject"] == ["Re: Order #4521"]
    assert fields["In-Reply-To"] == ["<w1@mail.example.jp>"]


def _shown_texts(app: IppoApp) -> list[str]:
    return [box.text() for box in app.messages if box.isVisible()]


def test_open_in_mail_says_what_it_did_and_never_fails_silently(
    harness: Harness, qtbot: QtBot
) -> None:
    app = _started_with_one_inquiry(harness, qtbot)
    app.open_in_mail("w1")
    [said] = _shown_texts(app)
    assert said.startswith("A reply draft opened in your mail program")
    assert "“Order #4521” from jane@example.com" in said and "info@shop.example.jp" in said
    for box in list(app.messages):
        box.close()
    qtbot.waitUntil(lambda: not _shown_texts(app))
    # No program for mailto: links: nothing is handed to the system, and the user is told.
    harness.handlers["mailto"] = False
    harness.opened.clear()
    app.open_in_mail("w1")
    assert harness.opened == []
    [said] = _shown_texts(app)
    assert said.startswith("No mail program is set up on this computer, so nothing was opened.")
    assert "Order #4521" in said


def test_a_refused_password_is_fixed_in_one_click_from_the_tray(
    harness: Harness, qtbot: QtBot
) -> None:
    from trayapp.ui.password_dialog import NewPasswordDialog

    app = harness.app
    app.start()
    refused = AccountHealth(
        HealthState.ERROR,
        "mail.shop.example.jp:993: login failed (wrong user name or password?): "
        "b'[AUTHENTICATIONFAILED] Authentication failed.'",
    )
    harness.watch.publish([inquiry("w1", timedelta(hours=3))], {"shop": refused})
    qtbot.waitUntil(lambda: any(a.text() == "Fix “shop”…" for a in app.tray.menu_actions()))
    next(a for a in app.tray.menu_actions() if a.text() == "Fix “shop”…").trigger()
    [dialog] = app.password_dialogs
    assert isinstance(dialog, NewPasswordDialog) and dialog.isVisible()
    assert "refused the user name or password" in dialog.reason.text()
    assert "b'" not in dialog.reason.text()
    dialog.password.setText("the new one")
    with qtbot.waitSignal(dialog.password_saved, timeout=5000):
        dialog.save_button.click()
    assert harness.logins[-1] == (SHOP, "the new one")  # tested before it is stored
    assert harness.secrets.get_password("shop") == "the new one"
    assert harness.watch.retries == ["shop"]  # and watched again at once
    harness.watch.publish([inquiry("w1", timedelta(hours=3))], {"shop": CONNECTED})
    qtbot.waitUntil(lambda: not any(a.text().startswith("Fix") for a in app.tray.menu_actions()))


def test_a_new_password_that_does_not_log_in_is_not_stored(
    tmp_path: Path, qtbot: QtBot, tasks: TaskRunner
) -> None:
    from trayapp.ui.password_dialog import NewPasswordDialog

    def refuse(account: AccountConfig, password: str) -> None:
        raise RuntimeError("login failed (wrong user name or password?): b'[AUTH] no'")

    stored: list[tuple[str, str]] = []
    dialog = NewPasswordDialog(SHOP, "", refuse, lambda n, p: stored.append((n, p)), tasks)
    qtbot.addWidget(dialog)
    dialog.password.setText("still wrong")
    dialog.save_button.click()
    qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=5000)
    assert stored == []
    assert dialog.status.text().startswith("Could not log in: The mail server refused")


def test_other_failures_lead_to_a_retry_or_the_settings(harness: Harness, qtbot: QtBot) -> None:
    app = harness.app
    app.start()
    harness.watch.publish([], {"shop": AccountHealth(HealthState.RETRYING, "x:993: timed out")})
    qtbot.waitUntil(lambda: harness.app.bridge.health.get("shop") is not None)
    app.fix_account("shop")
    assert harness.watch.retries == ["shop"] and app.settings_dialog is None
    refused = AccountHealth(HealthState.ERROR, "x:993: certificate not trusted (self-signed)")
    harness.watch.publish([], {"shop": refused})
    qtbot.waitUntil(lambda: harness.app.bridge.health["shop"].state is HealthState.ERROR)
    app.fix_account("shop")
    assert app.settings_dialog is not None and app.settings_dialog.isVisible()
    assert app.settings_dialog.account.currentData() == "shop"


def test_quit_asks_once_and_remembers_dont_ask_again(harness: Harness, qtbot: QtBot) -> None:
    from PySide6.QtWidgets import QMessageBox

    app = harness.app
    app.start()
    quits: list[int] = []

    def question() -> QMessageBox:
        return next(b for b in app.messages if b.objectName() == "QuitConfirmation")

    app.request_quit(lambda: quits.append(1))
    box = question()
    assert "no reminder comes" in box.text() and quits == []
    box.button(QMessageBox.StandardButton.NoButton)  # (custom buttons only)
    keep = next(b for b in box.buttons() if b.text() == "Keep running")
    keep.click()
    assert quits == [] and harness.config.settings["confirm_quit"] is True
    app.request_quit(lambda: quits.append(1))
    box = question()
    box.checkBox().setChecked(True)
    next(b for b in box.buttons() if b.text() == "Quit").click()
    assert quits == [1] and harness.config.settings["confirm_quit"] is False
    app.request_quit(lambda: quits.append(2))  # asked once: now it just quits
    assert quits == [1, 2]


def test_first_run_opens_add_inbox_and_turns_on_start_at_login(
    tmp_path: Path, qtbot: QtBot
) -> None:
    h = Harness(tmp_path, [])
    app = h.app
    try:
        app.start()
        dialog = app.add_dialog
        assert isinstance(dialog, AddInboxDialog) and dialog.isVisible()
        assert not h.autostart.is_enabled()  # nothing to watch yet: not started at login
        badge = app.tray.current_badge()
        assert badge is not None and badge.kind == "setup"  # not the calm check mark
        dialog.email.setText("info@shop.example.jp")
        dialog.password.setText("s3cret pass")
        dialog.imap_host.setText("mail.shop.example.jp")
        dialog.start_test()
        qtbot.waitUntil(lambda: app.add_dialog is None, timeout=5000)
        assert [a.email for a in h.config.load_accounts()] == ["info@shop.example.jp"]
        assert h.secrets.get_password("info@shop.example.jp") == "s3cret pass"
        assert h.logins and h.logins[0][1] == "s3cret pass"  # tested before saving
        assert [a.name for a in h.watch.set_accounts_calls[-1]] == ["info@shop.example.jp"]
        # The first inbox turns start-at-login on, and the tray's checkbox shows it.
        assert h.autostart.is_enabled()
        assert h.config.settings["autostart"] is True
        autostart_action = app.tray.menu_actions()[3]
        assert autostart_action.isChecked()
        # Switched off from the tray menu: the entry goes, and the choice is remembered.
        autostart_action.trigger()
        assert not h.autostart.is_enabled()
        assert h.config.settings["autostart"] is False
    finally:
        app.shutdown()


def test_settings_language_switches_tray_and_notifications(
    harness: Harness, qtbot: QtBot, qapp: QApplication
) -> None:
    app = harness.app
    app.languages = LanguageSwitcher(qapp)
    app.start()
    try:
        app.set_language("ja")
        assert harness.config.settings["language"] == "ja"
        assert app.tray.menu_actions()[-1].text() == "Ippo を終了"
        harness.watch.publish(
            [inquiry("w1", timedelta(hours=3), "Jane Miller <jane@example.com>")],
            {"shop": CONNECTED},
        )
        qtbot.waitUntil(lambda: len(harness.notes.shown) == 1)
        title, body = harness.notes.shown[0]
        assert "Jane Miller" in body and "Reply within" not in title  # Japanese text
        app.set_language("system")
        assert harness.config.settings["language"] is None
    finally:
        app.languages.apply("en")


def test_shutdown_stops_the_watchers_and_closes_the_store(harness: Harness) -> None:
    app = harness.app
    app.start()
    app.shutdown()
    assert harness.watch.stopped
    assert not harness.watch.listeners  # the bridge let go
    with pytest.raises(Exception, match="closed"):
        app.store.items()
    app.shutdown()  # twice is fine


def test_signal_handler_runs_while_qt_waits(qtbot: QtBot) -> None:
    received: list[int] = []
    previous = signal.getsignal(signal.SIGHUP)
    wakeup = SignalWakeup(received.append)
    try:
        os.kill(os.getpid(), signal.SIGHUP)
        qtbot.waitUntil(lambda: received == [signal.SIGHUP], timeout=2000)
    finally:
        wakeup.close()
    assert signal.getsignal(signal.SIGHUP) == previous


def test_list_is_built_on_demand_and_catches_up_when_shown_again(
    harness: Harness, qtbot: QtBot
) -> None:
    app = harness.app
    app.start()
    harness.watch.publish([inquiry("w1", timedelta(hours=3))], {"shop": CONNECTED})
    qtbot.waitUntil(lambda: len(harness.notes.shown) == 1)
    assert not app.has_list()  # nobody opened it: nothing built
    app.show_list()
    window = app.pending
    assert window.isVisible() and window.item("w1") is not None
    window.hide()
    # Hidden, the list is not updated (nobody looks); shown again it has the latest picture,
    # the same window, actions still wired.
    harness.watch.publish(
        [inquiry("w1", timedelta(hours=3)), inquiry("w2", timedelta(hours=5), uid=2)],
        {"shop": CONNECTED},
    )
    qtbot.waitUntil(lambda: len(app.bridge.items) == 2)
    assert window.item("w2") is None
    app.show_list()
    assert app.pending is window and window.item("w2") is not None
    window.select_item("w2")
    window.answered_button.click()
    qtbot.waitUntil(lambda: app.store.dismissals("shop") == {"w2": "answered"})


def test_last_known_items_are_not_notified_before_a_live_scan(
    harness: Harness, qtbot: QtBot
) -> None:
    app = harness.app
    app.start()
    item = inquiry("w1", timedelta(hours=3), "Jane Miller <jane@example.com>")
    connecting = AccountHealth(HealthState.CONNECTING)
    harness.watch.publish([item], {"shop": connecting})  # from the store, not yet confirmed
    qtbot.waitUntil(lambda: bool(app.bridge.items))
    qtbot.wait(50)
    assert harness.notes.shown == []
    badge = app.tray.current_badge()
    assert badge is not None and badge.kind == "error"  # shown, but marked not covered
    harness.watch.publish([item], {"shop": CONNECTED})  # the live scan confirms it
    qtbot.waitUntil(lambda: len(harness.notes.shown) == 1)
    assert "Jane Miller" in harness.notes.shown[0][1]


def test_settings_change_is_saved_and_restarts_the_account(harness: Harness, qtbot: QtBot) -> None:
    app = harness.app
    app.start()
    app.tray.menu_actions()[2].trigger()  # Settings…
    dialog = app.settings_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.warning_hours.setValue(6.0)
    assert dialog.apply()
    saved = harness.config.get_account("shop")
    assert saved is not None and saved.warning_hours == 6.0
    assert harness.watch.set_accounts_calls[-1][0].warning_hours == 6.0
    assert app.leads["shop"].warning == timedelta(hours=6)
    # A 21 h old message (3 h left) would be warned about either way; one 19 h old (5 h
    # left) only with the 6 h lead: the scheduler uses the new lead.
    harness.watch.publish([inquiry("w5", timedelta(hours=5))], {"shop": CONNECTED})
    qtbot.waitUntil(lambda: len(harness.notes.shown) == 1)
    dialog.close()
    qtbot.waitUntil(lambda: app.settings_dialog is None)


@pytest.mark.parametrize(
    ("language", "said"),
    [("en", "state.sqlite3 was damaged"), ("ja", "state.sqlite3 が壊れていたため")],
)
def test_a_damaged_state_file_is_said_once_in_the_app(
    tmp_path: Path, qtbot: QtBot, language: str, said: str
) -> None:
    config_dir = tmp_path / "config"
    config_dir.mkdir()
    ConfigStore(config_dir).update_settings(language=language)
    (config_dir / "state.sqlite3").write_bytes(b"garbage, not a database" * 300)
    h = Harness(tmp_path, [SHOP])
    try:
        [box] = h.app.messages
        assert said in box.text()
        assert "state.sqlite3.broken-" in box.text()
    finally:
        h.app.shutdown()
    again = Harness(tmp_path, [SHOP])
    try:
        assert again.app.messages == []
    finally:
        again.app.shutdown()


class BlockedKeyring(MemorySecretStore):
    """A keyring that does not answer until the test lets it (a locked or frozen keyring)."""

    def __init__(self) -> None:
        super().__init__()
        self.release = threading.Event()
        self.entered = threading.Event()

    def delete_password(self, account: str, kind: str = "imap") -> None:
        self.entered.set()
        self.release.wait(30)
        super().delete_password(account, kind)


def test_removing_an_inbox_never_waits_for_the_keyring(tmp_path: Path, qtbot: QtBot) -> None:
    h = Harness(tmp_path, [SHOP])
    keyring = BlockedKeyring()
    keyring.set_password("shop", "pw")
    h.app.secrets = keyring
    app = h.app
    try:
        app.start()
        app.forget_account("shop")
        # Back on the GUI thread while the keyring still holds the deletion: the inbox is
        # gone from the config and the service was told to stop it and forget its state.
        assert keyring.entered.wait(5) and not keyring.release.is_set()
        assert h.config.load_accounts() == []
        assert h.watch.set_accounts_calls[-1] == [] and h.watch.forgotten == ["shop"]
        keyring.release.set()
        qtbot.waitUntil(lambda: keyring.get_password("shop") is None)
    finally:
        keyring.release.set()
        app.shutdown()


def test_notification_actions_reach_the_app(harness: Harness, qtbot: QtBot) -> None:
    """What a notification's buttons do (the backends report them; the real daemon path is in
    tests/gui/test_desktop_notify.py and tests/e2e/test_notification_actions.py)."""
    app = harness.app
    app.start()
    first = inquiry("w1", timedelta(hours=3), "Jane Miller <jane@example.com>", "Order #4521")
    second = inquiry("w2", timedelta(hours=3, minutes=20), "Ken <ken@example.jp>", uid=2)
    harness.watch.publish([first, second], {"shop": CONNECTED})
    qtbot.waitUntil(lambda: len(harness.notes.shown) == 1)
    actions = app.notification_actions
    assert actions is not None
    # "Send first word" on a single inquiry's notification: its acknowledgement dialog.
    actions.report("ippo-ack", ("w2",))
    qtbot.waitUntil(lambda: "w2" in app.ack_dialogs)
    assert app.ack_dialogs["w2"].isVisible()
    # On a group: the list.
    actions.report("ippo-ack", ("w1", "w2"))
    qtbot.waitUntil(lambda: app.has_list() and app.pending.isVisible())
    app.pending.hide()
    # A click: the list, at that inquiry.
    actions.report("default", ("w2",))
    qtbot.waitUntil(lambda: app.pending.isVisible())
    current = app.pending.current_item()
    assert current is not None and current.id == "w2"
    # "Snooze 1 h" half an hour before w1 turns urgent: that stage waits for the snooze's end.
    harness.clock.now = NOW + timedelta(hours=1, minutes=30)
    actions.report("ippo-snooze", ("w1",))
    qtbot.wait(50)
    harness.clock.now = NOW + timedelta(hours=2, minutes=1)  # w1 urgent, snoozed
    app.scheduler.check()
    assert len(harness.notes.shown) == 1
    harness.clock.now = NOW + timedelta(hours=2, minutes=21)  # w2 urgent: told
    app.scheduler.check()
    assert [b.splitlines()[0] for _t, b in harness.notes.shown[1:]] == ["Ken <ken@example.jp>"]
    harness.clock.now = NOW + timedelta(hours=2, minutes=30)  # the snooze ran out
    app.scheduler.check()
    assert len(harness.notes.shown) == 3
    assert harness.notes.shown[-1][1].startswith("Jane Miller")
    app.scheduler.check()
    assert len(harness.notes.shown) == 3  # reminded once


def test_overdue_stays_is_a_setting(harness: Harness, qtbot: QtBot) -> None:
    app = harness.app
    app.start()
    late = inquiry("o1", -timedelta(minutes=5), "Jane Miller <jane@example.com>")
    notes: list[NotificationText] = []
    harness.notes.show = notes.append  # type: ignore[method-assign]
    harness.watch.publish([late], {"shop": CONNECTED})
    qtbot.waitUntil(lambda: len(notes) == 1)
    assert notes[0].overdue and notes[0].resident  # by default: stays until acted on
    app.open_settings()
    dialog = app.settings_dialog
    assert dialog is not None and dialog.overdue_stays.isChecked()
    dialog.overdue_stays.setChecked(False)
    assert dialog.apply()
    assert harness.config.settings["overdue_stays"] is False
    later = inquiry("o2", -timedelta(minutes=9), "Ken <ken@example.jp>", uid=2)
    harness.watch.publish([late, later], {"shop": CONNECTED})
    qtbot.waitUntil(lambda: len(notes) == 2)
    assert notes[1].overdue and not notes[1].resident
    dialog.close()


DISK_FULL = {
    "en": "The disk is full, so Ippo cannot save. Free some space, then try again.",
    "ja": "ディスクがいっぱいで保存できません。空き容量を作ってから、もう一度お試しください。",
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_a_full_disk_while_marking_is_said_not_a_traceback(
    tmp_path: Path, qtbot: QtBot, language: str
) -> None:
    """One plain sentence in the UI language, for the failed write and in the ignored-senders
    list (it was the store's English words: "cannot save to …: the disk is full; …")."""
    from tests.support.small_disk import fill, small_disk
    from trayapp.ui.ignored_senders import IgnoredSendersDialog

    with small_disk(tmp_path / "disk", size_kb=512) as folder, speaking(language):
        h = Harness(folder, [SHOP])
        try:
            app = h.app
            app.start()
            app.store.ignore_sender("shop", "offers@spam.example")
            h.watch.publish([inquiry("a", timedelta(hours=3), uid=1)], {"shop": CONNECTED})
            qtbot.waitUntil(lambda: app.pending.item("a") is not None)
            fill(folder)
            app.pending.select_item("a")
            app.pending.answered_button.click()
            # The write runs off the GUI thread; its failure comes back as one message.
            qtbot.waitUntil(lambda: len(app.messages) == 1, timeout=10000)
            [box] = app.messages
            assert box.text() == DISK_FULL[language]
            assert app.store.dismissals("shop") == {}
            assert app.pending.item("a") is not None  # nothing was set aside: the row is back
            assert [e.item.id for e in app.set_aside_log.entries()] == []

            app.open_ignored_senders()
            dialog = app.ignored_dialog
            assert isinstance(dialog, IgnoredSendersDialog)
            qtbot.waitUntil(lambda: dialog.senders() == [("shop", "offers@spam.example")])
            dialog.list.setCurrentRow(0)
            dialog.remove_selected()
            qtbot.waitUntil(lambda: dialog.problem.isVisibleTo(dialog), timeout=10000)
            assert dialog.problem.text() == DISK_FULL[language]

            app.open_settings()  # an account's settings changed there: config.json is full too
            assert app.settings_dialog is not None
            app.settings_dialog.account_settings_changed.emit(replace(SHOP, window_hours=12))
            assert len(app.messages) == 2
            config_json = folder / "config" / "config.json"
            said = {
                "en": f"cannot save {config_json}: the disk is full; free some space and try again",
                "ja": f"{config_json} を保存できません: ディスクがいっぱいです。"
                "空き容量を作ってから、もう一度お試しください",
            }
            assert app.messages[1].text() == said[language]
        finally:
            h.app.shutdown()


def test_record_menu_entry_opens_the_record_and_fills_the_tooltip(
    harness: Harness, qtbot: QtBot
) -> None:
    app = harness.app
    app.start()
    assert app.record is not None
    (action,) = [a for a in app.tray.menu_actions() if a.text() == "Record…"]
    action.trigger()
    window = app.record._window
    assert window is not None and window.isVisible()
    # The job runs in the background; this inbox has no password, so it says so and the
    # record shows what is stored (nothing yet).
    qtbot.waitUntil(lambda: app.record is not None and app.record.view is not None)
    assert "shop could not be read" in window.status.text()
    assert "no password" in window.status.text()
    assert app.tray.toolTip().splitlines()[-1] == "No inquiries this week yet"
