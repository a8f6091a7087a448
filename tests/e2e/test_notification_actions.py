"""Notifications you can act on, end to end: `python -m trayapp` under Xvfb with trayer, dunst
on a private D-Bus session (markup on, its context menu driven by a scripted dmenu), every
Notifications call recorded by dbus-monitor, the keyring holding the password, the real
Dovecot.

What must hold (issue 10):
- the Notify call carries the actions, and the hostile sender and subject (<a href>, <img>,
  <b>) arrive escaped in the body (dunst announces body-markup);
- the next stage replaces the bubble (replaces_id = the first bubble's id);
- "Send first word" chosen in dunst's own context menu opens the acknowledgement dialog for
  that inquiry (the app's log names it; screenshots in English and Japanese);
- marking an inquiry answered from another IMAP client (a plain imapclient session STOREing
  \\Answered) closes its bubble (CloseNotification with its id on the bus);
- no notify-send or gdbus process starts while the app runs, through a burst of 50 inquiries
  (wrappers of those names first on PATH log every start, and /proc is polled meanwhile);
- the list shows the hostile text as text (screenshot);
- quitting (SIGTERM) closes every bubble of Ippo still on screen (CloseNotification for each):
  their buttons would do nothing once the app is gone.
Screenshots go to artifacts/e2e/ for a look.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import subprocess
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.e2e.app_runs import ROOT, add_account, ippo, running_app
from tests.e2e.app_runs import wait_until as wait
from tests.support.desktop_session import DUNSTRC, Desktop, NotifyCalls, start_desktop
from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.mailcorpus import english_inquiry, make_message, new_message_id
from tests.support.plain_notifications import PlainNotificationServer

pytestmark = [pytest.mark.integration, pytest.mark.gui, pytest.mark.slow]

ARTIFACTS = ROOT / "artifacts" / "e2e"

HOSTILE_NAME = "<a href='https://evil.example/'>Boss</a> <b>URGENT</b>"
HOSTILE_SUBJECT = "<img src=https://tracker.example/p.gif> <b>Invoice</b> overdue"

DMENU = """#!/bin/sh
# dunst's context menu: it writes one line per action; answer with the line asked for.
cat > "{base}/menu.txt"
grep -m1 -F -- "$(cat "{base}/choose")" "{base}/menu.txt"
"""

WRAPPER = """#!/bin/sh
echo "$0 $*" >> "{log}"
exit 0
"""


@pytest.fixture
def desk() -> Iterator[Desktop]:
    """trayer, and dunst with markup on and a scripted dmenu for its context menu."""
    with start_desktop(notifications=False) as desktop:
        script = desktop.base / "dmenu.sh"
        script.write_text(DMENU.format(base=desktop.base), encoding="utf-8")
        script.chmod(0o755)
        config = DUNSTRC.replace("    markup = no\n", "    markup = full\n")
        config = config.replace("[global]\n", f'[global]\n    dmenu = "{script}"\n', 1)
        desktop.start_dunst(config)
        yield desktop


def pending_id(desk: Desktop, config: Path, message_id: str) -> str:
    listed = ippo(desk, config, "pending", "--json")
    for entry in json.loads(listed.stdout):
        if entry["message_id"] == message_id:
            return str(entry["id"])
    raise AssertionError(f"{message_id} not pending:\n{listed.stdout}{listed.stderr}")


def replaces_id(call: str) -> int:
    match = re.search(r"^\s*uint32 (\d+)", call, re.M)
    assert match, call
    return int(match.group(1))


def live_ids(calls: NotifyCalls) -> list[int]:
    return calls.notify_ids()


def choose_in_context_menu(desk: Desktop, label: str) -> None:
    (desk.base / "choose").write_text(label, encoding="utf-8")
    subprocess.run(["dunstctl", "context"], env=desk.env(), check=True, timeout=10)


class ProcessWatch:
    """Polls /proc for notify-send or gdbus processes descended from one process (the app)
    while it runs (the machine may run other programs' at the same time)."""

    NAMES = ("notify-send", "gdbus")

    def __init__(self, root: int) -> None:
        self.root = root
        self.seen: set[str] = set()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> ProcessWatch:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join(5)

    @staticmethod
    def _parent(pid: int) -> int:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return 0
        return int(stat.rpartition(")")[2].split()[1])

    def _descends_from_root(self, pid: int) -> bool:
        for _ in range(64):
            if pid == self.root:
                return True
            if pid <= 1:
                return False
            pid = self._parent(pid)
        return False

    def _run(self) -> None:
        while not self._stop.is_set():
            for entry in os.listdir("/proc"):
                if not entry.isdigit():
                    continue
                try:
                    comm = Path(f"/proc/{entry}/comm").read_text().strip()
                except OSError:
                    continue
                if comm in self.NAMES and self._descends_from_root(int(entry)):
                    self.seen.add(f"{entry}:{comm}")
            time.sleep(0.005)


def inquiry_from(name: str, subject: str, user: DovecotUser, message_id: str) -> bytes:
    return make_message(
        from_addr="customer@example.test",
        from_header=f'"{name}" <customer@example.test>'.encode(),
        to=user.email,
        subject=subject,
        message_id=message_id,
        body="Hello,\r\n\r\nPlease send the invoice again.\r\n",
    )


def test_act_on_notifications_replace_withdraw_and_never_markup(
    desk: Desktop, dovecot: DovecotServer, tmp_path: Path
) -> None:
    calls = desk.notifications
    assert calls is not None
    user = dovecot.add_user()
    now = dt.datetime.now(dt.UTC)
    # 1 h 45 s before the 24 h promise breaks: the warning stage now, urgent in 45 s.
    hostile_mid = new_message_id()
    dovecot.append(
        user,
        "INBOX",
        inquiry_from(HOSTILE_NAME, HOSTILE_SUBJECT, user, hostile_mid),
        internaldate=now - dt.timedelta(hours=23) + dt.timedelta(seconds=45),
    )
    config = tmp_path / "config"
    add_account(desk, dovecot, user, config)
    hostile_id = pending_id(desk, config, hostile_mid)

    wrappers = tmp_path / "bin"
    wrappers.mkdir()
    started = tmp_path / "process-starts.log"
    for name in ProcessWatch.NAMES:
        wrapper = wrappers / name
        wrapper.write_text(WRAPPER.format(log=started), encoding="utf-8")
        wrapper.chmod(0o755)
    path = f"{wrappers}:{desk.env()['PATH']}"
    app_log = config / "ippo.log"
    env = {"LANG": "en_US.UTF-8", "LANGUAGE": "en", "PATH": path}
    with running_app(desk, config, "app.log", **env) as app, ProcessWatch(app.pid) as watch:
        desk.wait_for_tray_icon("ippo")
        # --- the warning: actions, urgency normal, mail text escaped
        wait(lambda: calls.count() >= 1, "the warning notification")
        first_call = calls.calls()[0]
        for key, label in (
            ("default", "Open list"),
            ("ippo-ack", "Send first word"),
            ("ippo-snooze", "Snooze 1 h"),
        ):
            assert f'string "{key}"' in first_call and f'string "{label}"' in first_call
        assert "&lt;a href='https://evil.example/'&gt;Boss&lt;/a&gt;" in first_call
        assert "&lt;b&gt;URGENT&lt;/b&gt;" in first_call
        assert "&lt;img src=https://tracker.example/p.gif&gt;" in first_call
        assert "<a href" not in first_call and "<img" not in first_call
        assert "<b>" not in first_call
        assert re.search(r'string "urgency"\s*variant\s*byte 1', first_call)
        assert replaces_id(first_call) == 0
        wait(lambda: len(calls.notify_ids()) >= 1, "the warning's id")
        first_id = calls.notify_ids()[0]
        time.sleep(0.7)
        desk.screenshot(ARTIFACTS / "notification-actions-warning-en.png")

        # --- the urgent stage replaces that bubble
        wait(lambda: calls.count() >= 2, "the urgent notification", timeout=90)
        second_call = calls.calls()[1]
        assert "Reply within 59m" in second_call or "Reply within 1h" in second_call
        assert replaces_id(second_call) == first_id
        wait(lambda: len(calls.notify_ids()) >= 2, "the urgent notification's id")
        assert calls.notify_ids()[1] == first_id
        time.sleep(0.7)
        desk.screenshot(ARTIFACTS / "notification-actions-urgent-en.png")

        # --- "Send first word" from dunst's context menu: the dialog for that inquiry
        choose_in_context_menu(desk, "Send first word")
        desk.wait_for_window("Quick acknowledgement")
        log = app_log.read_text(encoding="utf-8")
        assert f"notification action ippo-ack for {hostile_id}" in log, log[-2000:]
        menu = (desk.base / "menu.txt").read_text(encoding="utf-8")
        assert "Snooze 1 h" in menu and "Open list" in menu, menu
        time.sleep(0.7)
        desk.screenshot(ARTIFACTS / "notification-ack-dialog-en.png")
        # The bubble acted on is closed.
        wait(lambda: first_id in calls.closes(), "the acted-on bubble to close")

        # --- a new inquiry, then answered from another mail client: its bubble goes
        other_mid = new_message_id()
        other_uid = dovecot.append(
            user,
            "INBOX",
            english_inquiry(to=user.email, message_id=other_mid),
            internaldate=dt.datetime.now(dt.UTC) - dt.timedelta(hours=21),
        )
        wait(lambda: calls.count() >= 3, "the new inquiry's notification")
        third_call = calls.calls()[2]
        assert "Jane Miller" in third_call and replaces_id(third_call) == 0
        wait(lambda: len(calls.notify_ids()) >= 3, "its id")
        third_id = calls.notify_ids()[2]
        assert third_id not in calls.closes()
        with dovecot.session(user) as phone:
            phone.select_folder("INBOX")
            phone.add_flags([other_uid], [b"\\Answered"])
        wait(lambda: third_id in calls.closes(), "CloseNotification for the answered one")

        # --- a burst of 50 inquiries: notifications, and no helper process at all
        before = calls.count()
        received = dt.datetime.now(dt.UTC) - dt.timedelta(hours=21)
        with dovecot.session(user) as client:
            for n in range(50):
                client.append(
                    "INBOX",
                    english_inquiry(
                        to=user.email,
                        from_addr=f"buyer{n}@example.test",
                        from_name=f"Buyer {n}",
                        subject=f"--wait order {n}",
                    ),
                    msg_time=received,
                )
        wait(lambda: "50 inquiries" in calls.text() or calls.count() > before, "the burst")
        time.sleep(3.0)  # the rest of the burst's notifications
        burst = calls.calls()[before:]
        assert burst, calls.text()[-3000:]
        told = "".join(burst)
        assert "inquiries need a reply" in told and "Buyer " in told, told[-3000:]

        # --- the list shows the hostile text as text
        second = ippo(desk, config, LANG="en_US.UTF-8", LANGUAGE="en", PATH=path)
        assert second.returncode == 0, second.stdout + second.stderr
        desk.wait_for_window("Ippo — waiting for a reply")
        time.sleep(0.7)
        desk.screenshot(ARTIFACTS / "pending-list-hostile-en.png")
        # What is still on screen when the app quits (below): shown, not closed since.
        closed = {n for n, _reason in calls.closed_signals()}
        on_screen = set(calls.notify_ids()) - set(calls.closes()) - closed
        assert on_screen, calls.text()[-3000:]  # the burst's bubbles at least

    # --- quitting (SIGTERM, exit 0) takes Ippo's bubbles off the screen: their buttons
    # would do nothing once the app is gone. (One that expires meanwhile needs no call; the
    # burst's bubbles, a few seconds old, expire only after dunst's 60 s.)
    def all_taken_off() -> bool:
        expired = {n for n, reason in calls.closed_signals() if reason in (1, 2)}
        return on_screen - expired <= set(calls.closes())

    wait(all_taken_off, "CloseNotification for each bubble left at quit", timeout=10)
    assert not started.exists(), started.read_text(encoding="utf-8")
    assert watch.seen == set()
    print(
        f"burst of 50: {len(burst)} Notify call(s); notify-send/gdbus starts: 0 (wrappers),"
        f" 0 (/proc); Notify calls in the whole run: {calls.count()},"
        f" CloseNotification: {len(calls.closes())}"
    )


def test_japanese_actions_through_dunst(
    desk: Desktop, dovecot: DovecotServer, tmp_path: Path
) -> None:
    calls = desk.notifications
    assert calls is not None
    user = dovecot.add_user()
    mid = new_message_id()
    dovecot.append(
        user,
        "INBOX",
        inquiry_from("髙橋 一郎", "【お問い合わせ】在庫について", user, mid),
        internaldate=dt.datetime.now(dt.UTC) - dt.timedelta(hours=21),
    )
    config = tmp_path / "config"
    add_account(desk, dovecot, user, config)
    item_id = pending_id(desk, config, mid)
    with running_app(desk, config, "app-ja.log", LANG="ja_JP.UTF-8", LANGUAGE="ja"):
        desk.wait_for_tray_icon("ippo")
        wait(lambda: calls.count() >= 1, "the notification")
        call = calls.calls()[0]
        assert "あと2時間で返信期限" in call, call
        assert 'string "一報を送る"' in call and 'string "1時間後に再通知"' in call
        time.sleep(0.7)
        desk.screenshot(ARTIFACTS / "notification-actions-ja.png")
        choose_in_context_menu(desk, "一報を送る")
        desk.wait_for_window("一報")
        log = (config / "ippo.log").read_text(encoding="utf-8")
        assert f"notification action ippo-ack for {item_id}" in log
        time.sleep(0.7)
        desk.screenshot(ARTIFACTS / "notification-ack-dialog-ja.png")


def test_a_server_without_actions_gets_a_plain_useful_notification(
    dovecot: DovecotServer, tmp_path: Path
) -> None:
    """The real app and a notification server that announces neither actions nor
    body-markup: no buttons it cannot show, the text as written, and still who and what."""
    with (
        start_desktop(notifications=False) as plain_desk,
        PlainNotificationServer(plain_desk.bus_address) as server,
    ):
        user = dovecot.add_user()
        dovecot.append(
            user,
            "INBOX",
            inquiry_from("<b>Ken</b> & Co", "見積もり <img src=x>", user, new_message_id()),
            internaldate=dt.datetime.now(dt.UTC) - dt.timedelta(hours=21),
        )
        config = tmp_path / "config"
        add_account(plain_desk, dovecot, user, config)
        with running_app(plain_desk, config, "app-plain.log", LANG="en_US.UTF-8", LANGUAGE="en"):
            plain_desk.wait_for_tray_icon("ippo")
            wait(lambda: server.calls, "the notification")
            _app, replaces, _icon, summary, body, actions, hints, _expire = server.calls[0]
            assert summary == "Reply within 2h" and replaces == 0
            assert actions == []
            assert body == "<b>Ken</b> & Co <customer@example.test>\n見積もり <img src=x>"
            assert hints["urgency"] == ("y", 1)
