"""The working-hours clock and "answered from any of my addresses", end to end: `ippo account
add/set` and `ippo pending --json` as real processes against the real Dovecot and keyring, and
the WatchService across two accounts. The clock is controlled through INTERNALDATE (APPEND
with a chosen arrival time): due times depend only on it and the account's schedule."""

from __future__ import annotations

import json
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import holidays
import pytest

from tests.support import mailcorpus
from tests.support.dovecot import DovecotServer, DovecotUser
from trayapp.config import ConfigStore
from trayapp.mail.service import WatchService, WatchSnapshot
from trayapp.mail.watcher import WatchTimings
from trayapp.store.db import StateStore

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
TOKYO = ZoneInfo("Asia/Tokyo")
JP = holidays.country_holidays("JP", years=range(2024, 2031))
OFFICE = ["--timezone", "Asia/Tokyo", "--working-hours", "mon-fri 09:00-18:00"]


def ippo(env: dict[str, str], config_dir: Path, *args: str, stdin: str | None = None) -> Any:
    return subprocess.run(
        [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), *args],
        input=stdin,
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO,
        timeout=120,
    )


def add(
    env: dict[str, str],
    config_dir: Path,
    dovecot: DovecotServer,
    user: DovecotUser,
    name: str,
    *extra: str,
) -> None:
    done = ippo(
        env,
        config_dir,
        "account",
        "add",
        "--name",
        name,
        "--email",
        user.email,
        "--imap-host",
        dovecot.host,
        "--imap-port",
        str(dovecot.imaps_port),
        "--username",
        user.username,
        "--ca-file",
        dovecot.ca_file,
        *extra,
        "--password-stdin",
        stdin=user.password + "\n",
    )
    assert done.returncode == 0, done.stderr


def pending(env: dict[str, str], config_dir: Path) -> list[dict[str, Any]]:
    done = ippo(env, config_dir, "pending", "--json")
    assert done.returncode == 0, done.stderr
    items: list[dict[str, Any]] = json.loads(done.stdout)
    return items


@pytest.fixture
def env(keyring_session: Any) -> dict[str, str]:
    merged: dict[str, str] = keyring_session.subprocess_env()
    merged.pop("IPPO_CONFIG_DIR", None)
    return merged


def last_friday(monday_is_holiday: bool) -> date:
    """The latest past Friday whose Monday is (or is not) a Japanese holiday, and whose
    Tuesday and Wednesday are working days (so the expected day is unambiguous)."""
    day = datetime.now(TOKYO).date() - timedelta(days=7)
    while not (
        day.weekday() == 4
        and (day + timedelta(days=3) in JP) is monday_is_holiday
        and day + timedelta(days=4) not in JP
        and day + timedelta(days=5) not in JP
    ):
        day -= timedelta(days=1)
    return day


def evening(day: date) -> datetime:
    return datetime(day.year, day.month, day.day, 19, 30, tzinfo=TOKYO)


def lookback(day: date) -> str:
    return str((datetime.now(TOKYO).date() - day).days + 3)


def test_friday_evening_is_due_monday_holiday_tuesday_day_off_skipped(
    env: dict[str, str], tmp_path: Path, dovecot: DovecotServer
) -> None:
    plain, long_weekend = last_friday(False), last_friday(True)
    days_back = lookback(min(plain, long_weekend))
    config_dir = tmp_path / "config"
    shop, office, day_off = dovecot.add_user(), dovecot.add_user(), dovecot.add_user()
    common = [*OFFICE, "--window-hours", "9", "--lookback-days", days_back]
    add(env, config_dir, dovecot, shop, "shop", *common, "--holidays", "jp")
    add(env, config_dir, dovecot, office, "office", *common)  # no holiday calendar
    monday = plain + timedelta(days=3)
    add(env, config_dir, dovecot, day_off, "dayoff", *common, "--days-off", monday.isoformat())
    for user in (shop, office, day_off):
        for friday in (plain, long_weekend):
            dovecot.append(
                user,
                "INBOX",
                mailcorpus.english_inquiry(
                    to=user.email, message_id=f"{friday}-{user.username}@cust.test"
                ),
                internaldate=evening(friday),
            )

    def due(items: list[dict[str, Any]], account: str, friday: date) -> datetime:
        [item] = [
            i for i in items if i["account"] == account and i["message_id"].startswith(str(friday))
        ]
        assert datetime.fromisoformat(item["received_at"]) == evening(friday)
        return datetime.fromisoformat(item["due_at"])

    def at_six(day: date) -> datetime:
        return datetime(day.year, day.month, day.day, 18, 0, tzinfo=TOKYO)

    items = pending(env, config_dir)
    # Mon-Fri 9-18, 9 working hours: a Friday-evening inquiry is due Monday 18:00 ...
    assert due(items, "shop", plain) == at_six(plain + timedelta(days=3))
    # ... Tuesday when Monday is a national holiday (and the calendar is chosen) ...
    assert due(items, "shop", long_weekend) == at_six(long_weekend + timedelta(days=4))
    assert due(items, "office", long_weekend) == at_six(long_weekend + timedelta(days=3))
    # ... and a day off is skipped.
    assert due(items, "dayoff", plain) == at_six(plain + timedelta(days=4))

    # `account set --working-hours always` goes back to around the clock, keeping what the
    # user decided (a dismissal here).
    [dismissed] = [i for i in items if i["account"] == "office" and i["id"] != ""][:1]
    with StateStore(config_dir) as store:
        store.dismiss("office", dismissed["id"], "not_inquiry")
        store.ignore_sender("office", "spam@example.test")
    done = ippo(env, config_dir, "account", "set", "office", "--working-hours", "always")
    assert done.returncode == 0, done.stderr
    assert "working_hours" in done.stdout
    items = pending(env, config_dir)
    office_items = [i for i in items if i["account"] == "office"]
    assert [i["id"] for i in office_items if i["id"] == dismissed["id"]] == []
    for item in office_items:
        received = datetime.fromisoformat(item["received_at"])
        assert datetime.fromisoformat(item["due_at"]) == received + timedelta(hours=9)
    with StateStore(config_dir) as store:
        assert dismissed["id"] in store.dismissed_ids("office")
        assert "spam@example.test" in store.ignored_senders("office")
    account = ConfigStore(config_dir).get_account("office")
    assert account is not None and account.working_hours == "always"
    assert account.timezone == "Asia/Tokyo" and account.lookback_days == int(days_back)


def test_account_set_tests_a_changed_login_before_saving(
    env: dict[str, str], tmp_path: Path, dovecot: DovecotServer
) -> None:
    config_dir = tmp_path / "config"
    user = dovecot.add_user()
    add(env, config_dir, dovecot, user, "shop")
    before = ConfigStore(config_dir).get_account("shop")
    # A wrong password is refused and nothing changes, not even the other options given.
    done = ippo(
        env,
        config_dir,
        "account",
        "set",
        "shop",
        "--window-hours",
        "48",
        "--password-stdin",
        stdin="wrong\n",
    )
    assert done.returncode == 1
    assert done.stderr.startswith("ippo: ") and "nothing was saved" in done.stderr
    assert ConfigStore(config_dir).get_account("shop") == before
    # A server that is not there: refused too.
    done = ippo(env, config_dir, "account", "set", "shop", "--imap-port", "1")
    assert done.returncode == 1 and ConfigStore(config_dir).get_account("shop") == before
    # Bad schedule text: a one-line message, exit 1.
    done = ippo(env, config_dir, "account", "set", "shop", "--working-hours", "mon-fri 9-18")
    assert done.returncode == 1 and "--working-hours" in done.stderr
    # The password changed on the server, then in Ippo: tested, saved, state kept.
    with StateStore(config_dir) as store:
        store.dismiss("shop", "abc123", "answered")
    user = dovecot.set_password(user, "n3w pass-Word")
    done = ippo(
        env, config_dir, "account", "set", "shop", "--password-stdin", stdin="n3w pass-Word\n"
    )
    assert done.returncode == 0, done.stderr
    assert pending(env, config_dir) == []  # logs in with the new password
    with StateStore(config_dir) as store:
        assert "abc123" in store.dismissed_ids("shop")


def test_inquiry_to_shop_answered_from_the_personal_accounts_sent_disappears(
    env: dict[str, str], tmp_path: Path, dovecot: DovecotServer
) -> None:
    config_dir = tmp_path / "config"
    shop, personal = dovecot.add_user(), dovecot.add_user()
    add(env, config_dir, dovecot, shop, "shop")
    add(env, config_dir, dovecot, personal, "personal")
    dovecot.append(personal, "Sent", mailcorpus.our_reply(from_addr=personal.email))
    inquiry_id = mailcorpus.new_message_id()
    dovecot.deliver(shop, mailcorpus.english_inquiry(to=shop.email, message_id=inquiry_id))
    assert [i["message_id"] for i in pending(env, config_dir)] == [inquiry_id]
    # Answered from the personal address (its own Sent folder), not from shop@.
    dovecot.append(
        personal,
        "Sent",
        mailcorpus.our_reply(from_addr=personal.email, in_reply_to=inquiry_id),
        flags=[b"\\Seen"],
    )
    assert pending(env, config_dir) == []


class Snapshots:
    def __init__(self) -> None:
        self.last: WatchSnapshot | None = None
        self.cond = threading.Condition()

    def __call__(self, snapshot: WatchSnapshot) -> None:
        with self.cond:
            self.last = snapshot
            self.cond.notify_all()

    def wait_for(self, predicate: Callable[[WatchSnapshot], bool], timeout: float) -> None:
        deadline = time.monotonic() + timeout
        with self.cond:
            while self.last is None or not predicate(self.last):
                left = deadline - time.monotonic()
                assert left > 0, f"timed out: {self.last}"
                self.cond.wait(left)


@pytest.fixture
def running() -> Iterator[list[WatchService]]:
    services: list[WatchService] = []
    yield services
    for service in services:
        assert service.stop(2.0)


def test_watch_service_answer_from_another_accounts_sent(
    dovecot: DovecotServer, running: list[WatchService]
) -> None:
    shop, personal = dovecot.add_user(), dovecot.add_user()
    dovecot.append(personal, "Sent", mailcorpus.our_reply(from_addr=personal.email))
    accounts = [dovecot.account(shop), dovecot.account(personal)]
    passwords = {a.name: u.password for a, u in zip(accounts, (shop, personal), strict=True)}
    timings = WatchTimings(keepalive=1.0, sent_interval=0.5, response_timeout=5.0)
    service = WatchService(accounts, lambda a: passwords[a.name], timings=timings)
    running.append(service)
    seen = Snapshots()
    service.subscribe(seen)
    service.start()
    seen.wait_for(lambda s: s.covered, 30)
    inquiry_id = mailcorpus.new_message_id()
    dovecot.deliver(shop, mailcorpus.english_inquiry(to=shop.email, message_id=inquiry_id))
    seen.wait_for(lambda s: [i.message_id for i in s.items] == [inquiry_id], 10)
    dovecot.append(
        personal, "Sent", mailcorpus.our_reply(from_addr=personal.email, in_reply_to=inquiry_id)
    )
    seen.wait_for(lambda s: not s.items, 10)
