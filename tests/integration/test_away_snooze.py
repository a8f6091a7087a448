"""Away and snooze against the real Dovecot: `ippo away set/clear` pause and resume deadlines in
`ippo pending --json`; a snoozed item's notifications wait while its deadline and the badge do
not (WatchService + the notification scheduler, with a clock the test moves)."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support import mailcorpus
from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.ippo_cli import add_test_account, run_ippo
from tests.support.smtp_server import SmtpServer
from trayapp.config import ConfigStore
from trayapp.core.model import Stage
from trayapp.core.summary import summarize
from trayapp.desktop.notify import CallableBackend, NotificationScheduler, Notifier
from trayapp.mail.service import WatchService, WatchSnapshot
from trayapp.mail.watcher import WatchTimings
from trayapp.policy import ClockPolicy
from trayapp.store.db import StateStore

pytestmark = pytest.mark.integration

H = timedelta(hours=1)
REPO = Path(__file__).resolve().parents[2]


def due_by_message(cli_env: dict[str, str], config_dir: Path) -> dict[str, datetime]:
    done = run_ippo(cli_env, config_dir, "pending", "--json")
    assert done.returncode == 0, done.stderr
    return {i["message_id"]: datetime.fromisoformat(i["due_at"]) for i in json.loads(done.stdout)}


def test_away_pauses_deadlines_and_clear_resumes_them(
    cli_env: dict[str, str], tmp_path: Path, dovecot: DovecotServer
) -> None:
    config_dir = tmp_path / "config"
    user = dovecot.add_user()
    add_test_account(cli_env, config_dir, dovecot, user, "shop")
    now = datetime.now(UTC).replace(microsecond=0)
    before, during = now - 3 * H, now - 30 * 60 * timedelta(seconds=1)
    for message_id, arrival in (("before@cust.test", before), ("during@cust.test", during)):
        dovecot.append(
            user,
            "INBOX",
            mailcorpus.english_inquiry(to=user.email, message_id=message_id),
            internaldate=arrival,
        )
    assert due_by_message(cli_env, config_dir) == {
        "before@cust.test": before + 24 * H,
        "during@cust.test": during + 24 * H,
    }
    leave, back = now - H, now + 5 * H
    done = run_ippo(
        cli_env, config_dir, "away", "set", back.isoformat(), "--from", leave.isoformat()
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("away from ")
    assert run_ippo(cli_env, config_dir, "away").stdout.startswith("away until ")
    due = due_by_message(cli_env, config_dir)
    # Arrived before: the six hours away do not count. Arrived while away: due as if it had
    # arrived when the absence ends.
    assert due["before@cust.test"] == before + 24 * H + (back - leave)
    assert due["during@cust.test"] == back + 24 * H
    # Back early: the absence ends now, so only the hour and a bit already away stays paused.
    done = run_ippo(cli_env, config_dir, "away", "clear")
    assert done.returncode == 0 and "cleared" in done.stdout
    cleared_at = datetime.now(UTC)
    due = due_by_message(cli_env, config_dir)
    paused = due["before@cust.test"] - (before + 24 * H)
    assert H <= paused <= cleared_at - leave
    assert due["during@cust.test"] - (during + 24 * H) == paused - (during - leave)
    assert run_ippo(cli_env, config_dir, "away").stdout.strip() == "not away"
    # A time that does not read: exit 1, one line.
    bad = run_ippo(cli_env, config_dir, "away", "set", "--wait")
    assert bad.returncode != 0 and bad.stderr.startswith(("ippo: ", "usage:"))
    bad = run_ippo(cli_env, config_dir, "away", "set", "someday")
    assert bad.returncode == 1 and bad.stderr.startswith("ippo: not a time")


class MovedClock:
    def __init__(self) -> None:
        self.offset = timedelta(0)

    def __call__(self) -> datetime:
        return datetime.now(UTC) + self.offset


def test_snooze_delays_only_notifications(
    cli_env: dict[str, str], tmp_path: Path, dovecot: DovecotServer
) -> None:
    config_dir = tmp_path / "config"
    user = dovecot.add_user()
    add_test_account(cli_env, config_dir, dovecot, user, "shop")
    arrival = datetime.now(UTC).replace(microsecond=0) - 21 * H
    # Both already in the warning stage (due in 3 h, the warning lead is 4 h).
    for message_id in ("snoozed@cust.test", "other@cust.test"):
        dovecot.append(
            user,
            "INBOX",
            mailcorpus.english_inquiry(to=user.email, message_id=message_id),
            internaldate=arrival,
        )
    listed = json.loads(run_ippo(cli_env, config_dir, "pending", "--json").stdout)
    ids = {i["message_id"]: i["id"] for i in listed}
    done = run_ippo(cli_env, config_dir, "snooze", ids["snoozed@cust.test"], "1h")
    assert done.returncode == 0, done.stderr
    assert "the deadline stays" in done.stdout
    assert run_ippo(cli_env, config_dir, "snooze", "nosuchitem", "1h").returncode == 1

    told: list[tuple[str, str]] = []
    store = StateStore(config_dir)
    clock = MovedClock()
    scheduler = NotificationScheduler(
        Notifier([CallableBackend("record", lambda t, m: told.append((t, m)))]),
        store,
        arm_timer=lambda delay: None,
        clock=clock,
    )
    lock = threading.Lock()
    latest: list[WatchSnapshot] = []

    def on_snapshot(snapshot: WatchSnapshot) -> None:
        with lock:  # as the app does: holds first, then the items
            scheduler.set_holds(snapshot.holds)
            scheduler.update(list(snapshot.items))
            latest.append(snapshot)

    config = ConfigStore(config_dir)
    service = WatchService(
        config.load_accounts(),
        lambda account: user.password,
        store,
        timings=WatchTimings(keepalive=1.0, response_timeout=5.0),
        policy=ClockPolicy(config),
    )
    service.subscribe(on_snapshot)
    service.start()
    try:
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            with lock:
                if latest and len(latest[-1].items) == 2 and told:
                    break
            time.sleep(0.1)
        with lock:
            snapshot = latest[-1]
            assert len(snapshot.items) == 2, snapshot
            # Only the other item was told; the snoozed one waits.
            assert len(told) == 1 and "within" in told[0][0], told
            assert ids["snoozed@cust.test"] in snapshot.holds.snoozed
            # Its deadline and the badge did not move.
            by_id = {i.id: i for i in snapshot.items}
            assert by_id[ids["snoozed@cust.test"]].due_at == arrival + 24 * H
            summary = summarize(snapshot.items, snapshot.health, clock())
            assert summary.counts[Stage.WARNING] == 2
            # An hour later the snooze is over: its warning is told then, once.
            clock.offset = H + timedelta(minutes=1)
            scheduler.check()
            assert len(told) == 2, told
            assert store.was_notified(
                ids["snoozed@cust.test"], Stage.WARNING, by_id[ids["snoozed@cust.test"]].due_at
            )
            scheduler.check()
            assert len(told) == 2
    finally:
        assert service.stop(2.0)
        store.close()


def shop_with_smtp(
    cli_env: dict[str, str], config_dir: Path, dovecot: DovecotServer, smtp_server: SmtpServer
) -> DovecotUser:
    """An account `shop` that can send (the test SMTP server delivers into Dovecot)."""
    shop = dovecot.add_user()
    smtp_server.add_user(shop.username, shop.password)
    smtp = ["--smtp-host", smtp_server.host, "--smtp-port", str(smtp_server.port)]
    add_test_account(cli_env, config_dir, dovecot, shop, "shop", *smtp)
    return shop


def inbox_headers(dovecot: DovecotServer, user: DovecotUser) -> list[bytes]:
    """The header of every message in the user's INBOX (looked at read-only)."""
    with dovecot.session(user) as client:
        client.select_folder("INBOX", readonly=True)
        uids = client.search(["ALL"])
        data = client.fetch(uids, ["BODY.PEEK[HEADER]"]) if uids else {}
    return [d[b"BODY[HEADER]"] for _, d in sorted(data.items())]


def test_back_from_away_one_batch_first_word_each_exactly_once(
    cli_env: dict[str, str], tmp_path: Path, dovecot: DovecotServer, smtp_server: SmtpServer
) -> None:
    config_dir = tmp_path / "config"
    shop = shop_with_smtp(cli_env, config_dir, dovecot, smtp_server)
    now = datetime.now(UTC)
    done = run_ippo(
        cli_env, config_dir, "away", "set", (now + H).isoformat(), "--from", (now - H).isoformat()
    )
    assert done.returncode == 0, done.stderr
    customers = [dovecot.add_user(), dovecot.add_user()]
    for customer in customers:
        dovecot.deliver(
            shop,
            mailcorpus.english_inquiry(from_addr=customer.email, to=shop.email),
            sender=customer.email,
        )
    assert run_ippo(cli_env, config_dir, "away", "clear").returncode == 0
    ids = [i["id"] for i in json.loads(run_ippo(cli_env, config_dir, "pending", "--json").stdout)]
    assert len(ids) == 2
    # One command, a first word to each; the same id twice is still one.
    done = run_ippo(cli_env, config_dir, "ack", *ids, ids[0], "--promise", "2d")
    assert done.returncode == 0, done.stderr
    assert done.stdout.count("Sent acknowledgement") == 2
    assert len(smtp_server.accepted) == 2
    assert [len(inbox_headers(dovecot, c)) for c in customers] == [1, 1]
    # Again: nothing new goes out.
    run_ippo(cli_env, config_dir, "ack", *ids, "--promise", "2d")
    assert len(smtp_server.accepted) == 2


def test_automatic_first_word_while_away_once_per_sender_never_to_lists(
    cli_env: dict[str, str], tmp_path: Path, dovecot: DovecotServer, smtp_server: SmtpServer
) -> None:
    config_dir = tmp_path / "config"
    shop = shop_with_smtp(cli_env, config_dir, dovecot, smtp_server)
    now = datetime.now(UTC)
    done = run_ippo(cli_env, config_dir, "away", "set", (now + 48 * H).isoformat(), "--auto-reply")
    assert done.returncode == 0 and "automatic first word on" in done.stdout, done.stderr
    alice, bob, carol = dovecot.add_user(), dovecot.add_user(), dovecot.add_user()
    for customer, subject in ((alice, "Order 1"), (alice, "Order 2"), (bob, "見積もり")):
        dovecot.deliver(
            shop,
            mailcorpus.english_inquiry(from_addr=customer.email, to=shop.email, subject=subject),
            sender=customer.email,
        )
    # A newsletter is not an inquiry: its sender never gets an automatic word.
    dovecot.deliver(shop, mailcorpus.newsletter(from_addr=carol.email, to=shop.email))

    def watch_until(count: int, patience: float = 30.0) -> None:
        watch = subprocess.Popen(
            [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), "watch", "--json"],
            env=cli_env,
            cwd=REPO,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        try:
            deadline = time.monotonic() + patience
            while len(smtp_server.accepted) < count and time.monotonic() < deadline:
                time.sleep(0.2)
            time.sleep(2.0)  # room for a wrong extra one to show up
        finally:
            watch.terminate()
            watch.wait(10)

    watch_until(2)
    # One to each sender (Alice wrote twice), none for the newsletter, none to ourselves.
    assert sorted(r for a in smtp_server.accepted for r in a.rcpt_tos) == sorted(
        [alice.email, bob.email]
    )
    for customer in (alice, bob):
        [header] = inbox_headers(dovecot, customer)
        assert b"Auto-Submitted: auto-replied" in header
    # Nothing is filed or flagged: the inquiries still wait for the real answer.
    items = json.loads(run_ippo(cli_env, config_dir, "pending", "--json").stdout)
    assert len(items) == 3
    assert inbox_headers(dovecot, carol) == []
    # A second watcher (a restart) sends nothing more.
    watch_until(3, patience=6.0)
    assert len(smtp_server.accepted) == 2


def test_a_time_that_does_not_read_is_said_in_japanese(tmp_path: Path) -> None:
    """away, snooze and quiet hours refuse what was typed with a sentence in the command
    line's language (it was the parser's English words)."""
    import os

    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "IPPO_"))}
    env["IPPO_LANGUAGE"] = "ja"
    for command, said in (
        (("away", "set", "someday"), "'someday' は日時として読めません（2026-12-10、"),
        (("away", "set", "2020-01-01"), "その不在の期間はもう終わっています"),
        (("snooze", "x", "25:00"), "'25:00' は時刻として読めません"),
        (("snooze", "x", "0m"), "未来の時刻を指定してください: '0m'"),
        (("quiet", "set", "22:00"), "'22:00' は通知を控える時間として読めません"),
    ):
        done = run_ippo(env, tmp_path, *command)
        assert done.returncode in (1, 2) and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.startswith(f"ippo: {said}") and "not " not in done.stderr
