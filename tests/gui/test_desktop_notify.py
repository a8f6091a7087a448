"""Notifications through a real notification daemon (dunst) on a private D-Bus session: the
Notify call's actions, escaping and urgency, replacing and withdrawing a bubble, actions
invoked through dunst itself, the fallback when no daemon answers (or one that cannot
start), a server without actions (a small scripted one on the test bus), and the
scheduler's never-twice promise across a restart (with the real SQLite state store)."""

from __future__ import annotations

import contextlib
import re
import socket
import subprocess
import threading
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.support.desktop_session import DUNSTRC, Desktop, NotifyCalls, start_desktop
from tests.support.plain_notifications import PlainNotificationServer
from trayapp.core.model import Stage
from trayapp.core.notifications import compose, due_alerts
from trayapp.desktop.notify import CallableBackend, NotificationScheduler, Notifier
from trayapp.store.db import StateStore
from trayapp.ui.dbus_notifier import DBusNotifier, SessionBus

from .helpers import NOW, Clock, inquiry

pytestmark = [pytest.mark.gui, pytest.mark.integration]

HOSTILE_SENDER = '"<a href=https://evil.example/>Boss</a> <b>URGENT</b>" <boss@example.com>'
HOSTILE_SUBJECT = "<img src=https://tracker.example/p.gif> 至急 & <b>now</b>"


@pytest.fixture
def session(monkeypatch: pytest.MonkeyPatch) -> Iterator[Desktop]:
    """Xvfb and a private bus (activating nothing); each test starts dunst itself or not."""
    with start_desktop(keyring="absent", tray=False, notifications=False) as desk:
        env = desk.env()
        for name in ("DISPLAY", "DBUS_SESSION_BUS_ADDRESS", "XDG_RUNTIME_DIR"):
            monkeypatch.setenv(name, env[name])
        yield desk


class Actions:
    def __init__(self) -> None:
        self.seen: list[tuple[str, tuple[str, ...]]] = []

    def __call__(self, key: str, items: tuple[str, ...]) -> None:
        self.seen.append((key, items))


def notify_args(call: str) -> list[str]:
    """The argument lines of one dbus-monitor Notify block (without the header line)."""
    return call.splitlines()[1:]


def wait_calls(qtbot: QtBot, calls: NotifyCalls, count: int) -> list[str]:
    """The Notify calls once there are `count` (Qt's loop runs meanwhile: it sends them)."""
    qtbot.waitUntil(lambda: calls.count() >= count, timeout=20_000)
    return calls.calls()


def replaces_id(call: str) -> int:
    match = re.search(r"^\s*uint32 (\d+)", call, re.M)
    assert match, call
    return int(match.group(1))


def note_for(ident: str, left: timedelta, sender: str = "Alice Martin <alice@example.com>",
             subject: str = "Refund?", uid: int = 1) -> Any:  # fmt: skip
    item = inquiry(ident, left, sender, subject, uid=uid)
    return compose(due_alerts([item], lambda *_: False, NOW)), item


DMENU = """#!/bin/sh
# dunst's context menu: dunst writes one line per action; pick the one asked for.
cat > "{base}/menu.txt"
grep -m1 -F -- "$(cat "{base}/choose")" "{base}/menu.txt"
"""


def dunst_with_menu(desk: Desktop, markup: str = "full") -> tuple[NotifyCalls, Path]:
    """dunst whose context menu runs a scripted dmenu: it answers with the first menu line
    containing the text in <base>/choose."""
    script = desk.base / "dmenu.sh"
    script.write_text(DMENU.format(base=desk.base), encoding="utf-8")
    script.chmod(0o755)
    config = DUNSTRC.replace("    markup = no\n", f"    markup = {markup}\n")
    config = config.replace("[global]\n", f'[global]\n    dmenu = "{script}"\n', 1)
    return desk.start_dunst(config), desk.base / "choose"


def test_notify_carries_actions_urgency_and_escaped_mail_text(
    session: Desktop, qtbot: QtBot
) -> None:
    calls, _choose = dunst_with_menu(session, markup="full")
    actions = Actions()
    fallback: list[tuple[str, str]] = []
    dbus = DBusNotifier(actions)
    notifier = Notifier([dbus, CallableBackend("tray", lambda t, m: fallback.append((t, m)))])
    note, _item = note_for("h1", timedelta(hours=2), HOSTILE_SENDER, HOSTILE_SUBJECT)
    assert notifier.notify(note) == "dbus"
    text = wait_calls(qtbot, calls, 1)[0]
    assert "Reply within 2h" in text
    # dunst (markup = full) announces body-markup: every markup character of mail text
    # is escaped.
    assert "&lt;a href=https://evil.example/&gt;Boss&lt;/a&gt;" in text
    assert "&lt;img src=https://tracker.example/p.gif&gt; 至急 &amp; &lt;b&gt;now&lt;/b&gt;" in text
    assert "<a href" not in text and "<img" not in text and "<b>" not in text
    for key, label in (("default", "Open list"), ("ippo-ack", "Send first word"),
                       ("ippo-snooze", "Snooze 1 h")):  # fmt: skip
        assert f'string "{key}"\n' in text and f'string "{label}"' in text, text
    assert re.search(r'string "urgency"\s*variant\s*byte 1', text), text
    assert "capabilities" not in fallback
    assert fallback == []
    qtbot.wait(500)
    assert dbus.capabilities is not None and "actions" in dbus.capabilities
    dbus.close()


def test_without_body_markup_the_text_goes_as_written(session: Desktop, qtbot: QtBot) -> None:
    calls = session.start_dunst()  # markup = no: dunst does not announce body-markup
    dbus = DBusNotifier(Actions())
    Notifier([dbus]).notify(note_for("m1", timedelta(hours=2), HOSTILE_SENDER, "<b>x</b>")[0])
    text = wait_calls(qtbot, calls, 1)[0]
    assert dbus.capabilities is not None and "body-markup" not in dbus.capabilities
    assert "<a href=https://evil.example/>Boss</a>" in text and "<b>x</b>" in text
    dbus.close()


def test_overdue_is_critical_and_stays_unless_switched_off(session: Desktop, qtbot: QtBot) -> None:
    calls = session.start_dunst()
    dbus = DBusNotifier(Actions())
    notifier = Notifier([dbus])
    overdue, _ = note_for("o1", -timedelta(minutes=30))
    notifier.notify(overdue)
    text = wait_calls(qtbot, calls, 1)[0]
    assert "Reply overdue by 30m" in text
    assert re.search(r'string "urgency"\s*variant\s*byte 2', text), text
    assert re.search(r"int32 0\s*$", text.strip()), text  # expire_timeout 0: never
    notifier.overdue_stays = False
    other, _ = note_for("o2", -timedelta(minutes=40), "Bob <b@example.com>", uid=2)
    notifier.notify(other)
    text = wait_calls(qtbot, calls, 2)[1]
    assert re.search(r'string "urgency"\s*variant\s*byte 1', text), text
    assert re.search(r"int32 -1\s*$", text.strip()), text
    dbus.close()


def test_next_stage_replaces_and_an_answered_inquiry_is_withdrawn(
    session: Desktop, qtbot: QtBot
) -> None:
    calls = session.start_dunst()
    dbus = DBusNotifier(Actions())
    notifier = Notifier([dbus])
    warning, item = note_for("r1", timedelta(hours=3))
    # (Another sender: dunst folds identical bubbles into one by itself.)
    other, other_item = note_for("r2", timedelta(hours=3, minutes=30), "Bob <b@example.com>", uid=2)
    notifier.notify(warning)
    notifier.notify(other)
    wait_calls(qtbot, calls, 2)
    qtbot.waitUntil(lambda: len(dbus.live_ids()) == 2, timeout=10_000)
    first, second = calls.notify_ids()
    assert sorted(dbus.live_ids()) == sorted([first, second])
    assert first != second
    assert replaces_id(calls.calls()[0]) == 0 and replaces_id(calls.calls()[1]) == 0
    # An hour later the same inquiry is urgent: the bubble is replaced, not stacked.
    urgent = compose(due_alerts([item], lambda *_: False, NOW + timedelta(hours=2, minutes=30)))
    notifier.notify(urgent)
    third = wait_calls(qtbot, calls, 3)[2]
    assert replaces_id(third) == first
    qtbot.waitUntil(lambda: len(calls.notify_ids()) == 3, timeout=10_000)
    assert calls.notify_ids()[2] == first
    # r1 answered elsewhere: the next snapshot holds only r2; r1's bubble is closed, r2's not.
    notifier.withdraw({"r2": other_item.deadline})
    qtbot.waitUntil(lambda: calls.closes() == [first], timeout=10_000)
    # r2 acknowledged: its deadline is now the promise -- the warning no longer holds.
    notifier.withdraw({"r2": other_item.deadline + timedelta(days=1)})
    qtbot.waitUntil(lambda: calls.closes() == [first, second], timeout=10_000)
    dbus.close()


def dunstctl(desk: Desktop, *args: str) -> None:
    subprocess.run(["dunstctl", *args], env=desk.env(), check=True, timeout=10)


def test_actions_invoked_through_dunst_reach_the_app(session: Desktop, qtbot: QtBot) -> None:
    calls, choose = dunst_with_menu(session)
    actions = Actions()
    dbus = DBusNotifier(actions)
    notifier = Notifier([dbus])
    note, _ = note_for("a1", timedelta(hours=2))
    notifier.notify(note)
    wait_calls(qtbot, calls, 1)
    qtbot.waitUntil(lambda: len(dbus.live_ids()) == 1, timeout=10_000)
    # "Send first word" from dunst's own context menu (dmenu scripted to pick it).
    choose.write_text("Send first word", encoding="utf-8")
    dunstctl(session, "context")
    qtbot.waitUntil(lambda: actions.seen == [("ippo-ack", ("a1",))], timeout=10_000)
    first = calls.notify_ids()[0]
    qtbot.waitUntil(lambda: calls.closes() == [first], timeout=10_000)  # acted on: gone
    menu = (session.base / "menu.txt").read_text(encoding="utf-8")
    assert "Snooze 1 h" in menu and "Open list" in menu, menu
    # The click (dunstctl action: the default action of the newest bubble).
    again, _ = note_for("a2", timedelta(hours=2, minutes=10), "Bob <b@example.com>", uid=2)
    notifier.notify(again)
    wait_calls(qtbot, calls, 2)
    qtbot.waitUntil(lambda: len(calls.notify_ids()) == 2, timeout=10_000)
    qtbot.waitUntil(lambda: dbus.live_ids() == calls.notify_ids()[1:], timeout=10_000)
    qtbot.wait(500)  # dunst draws it before it can act on it
    dunstctl(session, "action", "0")
    qtbot.waitUntil(lambda: ("default", ("a2",)) in actions.seen, timeout=10_000)
    dbus.close()


def test_without_a_daemon_the_tray_message_is_used(session: Desktop, qtbot: QtBot) -> None:
    fallback: list[tuple[str, str]] = []
    dbus = DBusNotifier(Actions())
    notifier = Notifier([dbus, CallableBackend("tray", lambda t, m: fallback.append((t, m)))])
    note, _ = note_for("n1", timedelta(hours=2), HOSTILE_SENDER, HOSTILE_SUBJECT)
    notifier.notify(note)  # taken; the bus says "no such service" a moment later
    qtbot.waitUntil(lambda: len(fallback) == 1, timeout=10_000)
    title, message = fallback[0]
    assert title == "Reply within 2h"
    assert "<" not in message and ">" not in message  # the balloon may guess rich text
    assert "tracker.example" in message
    # From now on the chain moves on at once.
    assert notifier.notify(note) == "tray"
    dbus.close()


def test_a_daemon_started_after_the_app_is_used_from_then_on(
    session: Desktop, qtbot: QtBot
) -> None:
    # At login Ippo may start before the desktop's notification daemon.
    fallback: list[tuple[str, str]] = []
    dbus = DBusNotifier(Actions())
    notifier = Notifier([dbus, CallableBackend("tray", lambda t, m: fallback.append((t, m)))])
    notifier.notify(note_for("l1", timedelta(hours=2))[0])
    qtbot.waitUntil(lambda: len(fallback) == 1, timeout=10_000)
    calls = session.start_dunst()
    assert notifier.notify(note_for("l2", timedelta(hours=2), "Bob <b@example.com>")[0]) == "tray"
    qtbot.waitUntil(lambda: dbus.capabilities is not None and "actions" in dbus.capabilities)
    assert notifier.notify(note_for("l3", timedelta(hours=2), "Eve <e@example.com>")[0]) == "dbus"
    assert "Eve" in wait_calls(qtbot, calls, 1)[0]
    dbus.close()


def test_a_daemon_that_cannot_start_sends_to_the_tray(session: Desktop, qtbot: QtBot) -> None:
    # Debian's dunst is D-Bus activatable (its own service file), but this bus cannot start
    # it (no display in the bus's environment): the error reply sends it to the tray.
    session.make_activatable(Path("/usr/share/dbus-1/services/org.knopwob.dunst.service"))
    fallback: list[tuple[str, str]] = []
    dbus = DBusNotifier(Actions())
    notifier = Notifier([dbus, CallableBackend("tray", lambda t, m: fallback.append((t, m)))])
    note, _ = note_for("s1", timedelta(hours=2))
    notifier.notify(note)
    qtbot.waitUntil(lambda: len(fallback) == 1, timeout=40_000)
    assert fallback[0][0] == "Reply within 2h"
    dbus.close()


def test_a_server_without_actions_gets_a_plain_useful_notification(
    session: Desktop, qtbot: QtBot
) -> None:
    with PlainNotificationServer(session.bus_address) as server:
        dbus = DBusNotifier(Actions())
        notifier = Notifier([dbus])
        note, _ = note_for("p1", timedelta(hours=2), HOSTILE_SENDER, "見積もり <b>至急</b>")
        assert notifier.notify(note) == "dbus"
        qtbot.waitUntil(lambda: len(server.calls) == 1, timeout=10_000)
        app, replaces, _icon, summary, body, actions, hints, _expire = server.calls[0]
        assert (app, replaces, summary) == ("Ippo", 0, "Reply within 2h")
        assert actions == []  # no buttons the server cannot show
        # No body-markup: the text goes as written (the server shows it as text).
        assert body == f"{HOSTILE_SENDER}\n見積もり <b>至急</b>"
        assert hints["urgency"] == ("y", 1)
        dbus.close()


def test_each_stage_is_notified_once_even_across_a_restart(
    session: Desktop, tmp_path: Path, qtbot: QtBot
) -> None:
    calls = session.start_dunst()
    clock = Clock(NOW)
    armed: list[timedelta | None] = []
    # A message 21 h old in a 24 h window: 3 h left, inside the 4 h warning lead.
    item = inquiry("w1", timedelta(hours=3), "Alice Martin <alice@example.com>", "Refund?")

    def run_app_once() -> NotificationScheduler:
        store = StateStore(tmp_path / "state.sqlite3")
        dbus = DBusNotifier(Actions())
        scheduler = NotificationScheduler(
            Notifier([dbus]), store, armed.append, clock, max_wait=timedelta(days=1)
        )
        scheduler.update([item])
        qtbot.wait(300)
        dbus.close()
        store.close()
        return scheduler

    run_app_once()
    text = wait_calls(qtbot, calls, 1)[0]
    assert "Reply within 3h" in text
    assert "Alice Martin <alice@example.com>" in text
    assert "Refund?" in text
    # The one timer is set for the exact start of the urgent stage (1 h before due).
    assert armed[-1] == timedelta(hours=2)
    # Restart: nothing new is due, so nothing is sent again.
    run_app_once()
    qtbot.wait(1000)
    assert calls.count() == 1
    # Two hours later the urgent stage begins: one new notification, then none again.
    clock.now = NOW + timedelta(hours=2, seconds=1)
    run_app_once()
    text = wait_calls(qtbot, calls, 2)[1]
    assert "Reply within 59m" in text
    run_app_once()
    qtbot.wait(1000)
    assert calls.count() == 2
    with StateStore(tmp_path / "state.sqlite3") as store:
        assert store.was_notified("w1", Stage.WARNING, item.deadline)
        assert store.was_notified("w1", Stage.URGENT, item.deadline)
        assert not store.was_notified("w1", Stage.OVERDUE, item.deadline)


def test_several_due_at_once_are_grouped(session: Desktop, tmp_path: Path, qtbot: QtBot) -> None:
    calls = session.start_dunst()
    items = [
        inquiry(f"g{n}", timedelta(minutes=20 * n), f"Customer {n} <c{n}@example.com>", uid=n)
        for n in range(1, 6)
    ]
    dbus = DBusNotifier(Actions())
    with StateStore(tmp_path / "state.sqlite3") as store:
        scheduler = NotificationScheduler(Notifier([dbus]), store, lambda d: None, Clock(NOW))
        sent = scheduler.update(items)
    assert sent is not None and sent.title == "5 inquiries need a reply"
    text = wait_calls(qtbot, calls, 1)[0]
    qtbot.wait(1000)
    assert calls.count() == 1
    assert "5 inquiries need a reply" in text
    dbus.close()


class BrokenBus:
    """A 'session bus' on a unix socket that hangs up at once, or accepts and never says a
    word (bounded: the socket closes when the test ends)."""

    def __init__(self, path: Path, *, silent: bool) -> None:
        self.path = path
        self.silent = silent
        self._server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        self._server.bind(str(path))
        self._server.listen(1)
        self._held: list[socket.socket] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        with contextlib.suppress(OSError):
            conn, _ = self._server.accept()
            if self.silent:
                self._held.append(conn)
            else:
                conn.close()

    def close(self) -> None:
        for conn in self._held:
            conn.close()
        self._server.close()


@pytest.mark.parametrize("silent", [False, True], ids=["hangs-up", "never-answers"])
def test_a_broken_bus_sends_notifications_to_the_tray(
    tmp_path: Path, qtbot: QtBot, silent: bool
) -> None:
    bus = BrokenBus(tmp_path / "bus", silent=silent)
    try:
        fallback: list[tuple[str, str]] = []
        session_bus = SessionBus(f"unix:path={bus.path}", ready_timeout_ms=500)
        dbus = DBusNotifier(Actions(), bus=session_bus)
        notifier = Notifier([dbus, CallableBackend("tray", lambda t, m: fallback.append((t, m)))])
        notifier.notify(note_for("b1", timedelta(hours=2))[0])
        qtbot.waitUntil(lambda: len(fallback) == 1, timeout=5_000)
        assert fallback[0][0] == "Reply within 2h"
        assert notifier.notify(note_for("b2", timedelta(hours=2))[0]) == "tray"
        dbus.close()
    finally:
        bus.close()


def test_mail_text_that_looks_like_options_is_only_text(session: Desktop, qtbot: QtBot) -> None:
    """Issue 9: `Subject: --wait` once blocked the GUI thread (notify-send took it for its
    option) and `From: "-w"` made it fail while the warning counted as delivered. Through
    D-Bus they are the bubble's words, and the bubble is shown."""
    calls = session.start_dunst()
    fallback: list[tuple[str, str]] = []
    notifier = Notifier(
        [DBusNotifier(Actions()), CallableBackend("tray", lambda t, m: fallback.append((t, m)))]
    )
    note, _item = note_for("opt", timedelta(hours=2), '"-w" <opt1@customer.example>', "--wait")
    assert notifier.notify(note) == "dbus"  # returns at once: nothing waits on a bubble
    text = wait_calls(qtbot, calls, 1)[0]
    assert "--wait" in text and "-w" in text
    assert fallback == []
