"""`ippo report` end to end: a real subprocess on a fresh configuration, real Dovecot with a
seeded 12-week history whose figures are known by construction, real Secret Service.

The history (Asia/Tokyo, every inquiry on a weekday of a past week, window 24 h):

8 weeks ago   shop  A1 Mon 10:00, replied from shop's Sent (In-Reply-To) after 2 h
              shop  A2 Mon 11:00, replied with References only after 5 h
              shop  A5 Mon 12:00, replied from SUPPORT's Sent after 30 h (late)
              shop  a newsletter and an auto-reply (never counted)
5 weeks ago   shop  B1 Tue 09:00, acknowledged after 1 h (journal only, no Sent copy), promise
                    48 h after that; the full answer (naming only the acknowledgement) came
                    20 h after arrival: kept
              supp. B2 Tue 10:00, acknowledged after 3 h (journal and a Sent copy), promise
                    24 h after that; full answer after 40 h: broken
              supp. B3 Wed 10:00, never answered (overdue)
              shop  a no-reply notification and our own mail (never counted)
2 weeks ago   shop  C1 Thu 15:00, marked answered after 4 h
              shop  C2 Thu 16:00, replied after 20 h
              shop  C3 Thu 17:00 (subject `--wait`), replied after 25 h (late)
this week     shop  D1 one hour ago, not answered yet (not due)
"""

from __future__ import annotations

import csv
import io
import json
import os
import pty
import select
import subprocess
import sys
import time
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.integration.test_pending_cli import add_account, ippo
from tests.support import mailcorpus as corpus
from tests.support.dovecot import DovecotServer, DovecotUser
from trayapp.core.model import MessageFacts, MessageHeaders
from trayapp.core.pending import item_id
from trayapp.store.db import StateStore

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
TOKYO = ZoneInfo("Asia/Tokyo")
H = timedelta(hours=1)


@pytest.fixture
def env(keyring_session: Any) -> dict[str, str]:
    merged: dict[str, str] = keyring_session.subprocess_env()
    merged.pop("IPPO_CONFIG_DIR", None)
    merged["TZ"] = "Asia/Tokyo"
    merged["LANG"] = "C.UTF-8"
    return merged


def monday(weeks_ago: int, now: datetime) -> datetime:
    today = now.astimezone(TOKYO).date()
    start = today - timedelta(days=today.weekday()) - timedelta(weeks=weeks_ago)
    return datetime(start.year, start.month, start.day, tzinfo=TOKYO)


def monday_of(moment: datetime) -> date:
    day = moment.astimezone(TOKYO).date()
    return day - timedelta(days=day.weekday())


def inquiry(mid: str, to: str, at: datetime, subject: str = corpus.EN_SUBJECT) -> bytes:
    return corpus.english_inquiry(to=to, message_id=mid, subject=subject, date=at)


def the_item_id(account: str, mid: str) -> str:
    facts = MessageFacts("INBOX", 1, 1, datetime.now(TOKYO), frozenset(), MessageHeaders(mid))
    return item_id(account, facts)


class History:
    """The seeded mailboxes and what they must give."""

    def __init__(self, dovecot: DovecotServer, shop: DovecotUser, support: DovecotUser) -> None:
        self.dovecot, self.shop, self.support = dovecot, shop, support
        self.now = datetime.now(TOKYO)

    def inbox(self, user: DovecotUser, raw: bytes, at: datetime) -> None:
        self.dovecot.append(user, "INBOX", raw, internaldate=at)

    def sent(self, user: DovecotUser, raw: bytes, at: datetime) -> None:
        self.dovecot.append(user, "Sent", raw, flags=["\\Seen"], internaldate=at)

    def seed(self, config_dir: Path) -> None:
        shop, support = self.shop, self.support
        w8, w5, w2 = monday(8, self.now), monday(5, self.now), monday(2, self.now)
        self.weeks = {8: w8.date(), 5: w5.date(), 2: w2.date()}
        # 8 weeks ago
        a1, a2, a5 = w8 + 10 * H, w8 + 11 * H, w8 + 12 * H
        self.inbox(shop, inquiry("a1@cust.test", shop.email, a1), a1)
        self.inbox(shop, inquiry("a2@cust.test", shop.email, a2), a2)
        self.inbox(shop, inquiry("a5@cust.test", shop.email, a5), a5)
        self.inbox(shop, corpus.newsletter(to=shop.email), a1 + H)
        auto = corpus.make_message(
            to=shop.email,
            subject="Re: your order",
            extra_headers=[("Auto-Submitted", "auto-replied")],
        )
        self.inbox(shop, auto, a1 + 2 * H)
        self.sent(
            shop, corpus.our_reply(from_addr=shop.email, in_reply_to="a1@cust.test"), a1 + 2 * H
        )
        self.sent(
            shop,
            corpus.our_reply_references_only(
                from_addr=shop.email, references=["older@cust.test", "a2@cust.test"]
            ),
            a2 + 5 * H,
        )
        self.sent(
            support,
            corpus.our_reply(from_addr=support.email, in_reply_to="a5@cust.test"),
            a5 + 30 * H,
        )
        # 5 weeks ago
        b1, b2, b3 = w5 + 33 * H, w5 + 34 * H, w5 + 58 * H
        self.inbox(shop, inquiry("b1@cust.test", shop.email, b1), b1)
        self.inbox(support, inquiry("b2@cust.test", support.email, b2), b2)
        self.inbox(support, inquiry("b3@cust.test", support.email, b3), b3)
        self.inbox(shop, corpus.noreply_notification(to=shop.email), b1 + H)
        self.inbox(shop, corpus.message_from_self(from_addr=shop.email, to=shop.email), b1 + 2 * H)
        self.sent(
            shop,
            corpus.our_reply(
                from_addr=shop.email,
                in_reply_to="ack-b1@shop.test",
                references=["ack-b1@shop.test"],
            ),
            b1 + 20 * H,
        )
        self.sent(
            support,
            corpus.our_reply(
                from_addr=support.email,
                message_id="ack-b2@support.test",
                in_reply_to="b2@cust.test",
            ),
            b2 + 3 * H,
        )
        self.sent(
            support,
            corpus.our_reply(from_addr=support.email, in_reply_to="b2@cust.test"),
            b2 + 40 * H,
        )
        with StateStore(config_dir) as store:
            for account, mid, ack_mid, at, due in (
                ("shop", "b1@cust.test", "ack-b1@shop.test", b1 + H, b1 + 49 * H),
                ("support", "b2@cust.test", "ack-b2@support.test", b2 + 3 * H, b2 + 27 * H),
            ):
                store.record_ack(
                    item_id=the_item_id(account, mid),
                    account=account,
                    message_id=ack_mid,
                    recipients=["jane.miller@example.test"],
                    subject="Re: " + corpus.EN_SUBJECT,
                    raw=b"(the acknowledgement)",
                    promise_due_at=due,
                    inquiry_message_id=mid,
                    now=at,
                )
                assert store.claim_ack_send(ack_mid, now=at)
                store.set_ack_state(ack_mid, "filed", now=at + timedelta(seconds=2))
        # 2 weeks ago
        c1, c2, c3 = w2 + 87 * H, w2 + 88 * H, w2 + 89 * H
        self.inbox(shop, inquiry("c1@cust.test", shop.email, c1), c1)
        self.inbox(shop, inquiry("c2@cust.test", shop.email, c2), c2)
        self.inbox(shop, inquiry("c3@cust.test", shop.email, c3, subject="--wait"), c3)
        self.sent(
            shop, corpus.our_reply(from_addr=shop.email, in_reply_to="c2@cust.test"), c2 + 20 * H
        )
        self.sent(
            shop, corpus.our_reply(from_addr=shop.email, in_reply_to="c3@cust.test"), c3 + 25 * H
        )
        with StateStore(config_dir) as store:
            store.dismiss("shop", the_item_id("shop", "c1@cust.test"), "answered", at=c1 + 4 * H)
        # this week
        self.d1 = self.now - H
        self.inbox(shop, inquiry("d1@cust.test", shop.email, self.d1), self.d1)


@pytest.fixture
def history(env: dict[str, str], tmp_path: Path, dovecot: DovecotServer) -> tuple[Path, History]:
    config_dir = tmp_path / "config"
    shop, support = dovecot.add_user(), dovecot.add_user()
    add_account(env, config_dir, dovecot, shop, "shop")
    add_account(env, config_dir, dovecot, support, "support", security="starttls")
    seeded = History(dovecot, shop, support)
    seeded.seed(config_dir)
    return config_dir, seeded


def report(env: dict[str, str], config_dir: Path, *args: str) -> dict[str, Any]:
    done = ippo(env, config_dir, "report", *args)
    assert done.returncode == 0, done.stderr
    assert done.stderr == ""  # no progress bar when stderr is not a terminal
    data: dict[str, Any] = json.loads(done.stdout)
    return data


def week(data: dict[str, Any], start: date) -> dict[str, Any]:
    (found,) = [w for w in data["weeks"] if w["week_start"] == start.isoformat()]
    return found


def test_report_json_gives_the_figures_known_by_construction(
    env: dict[str, str], history: tuple[Path, History]
) -> None:
    config_dir, seeded = history
    data = report(env, config_dir, "--json")

    assert len(data["weeks"]) == 12
    this_monday = monday_of(seeded.now)
    assert data["weeks"][-1]["week_start"] == this_monday.isoformat()
    assert data["weeks"][0]["week_start"] == (this_monday - timedelta(weeks=11)).isoformat()

    w8 = week(data, seeded.weeks[8])
    assert (w8["inquiries"], w8["answered_within_window"], w8["overdue"]) == (3, 2, 1)
    assert w8["median_first_reply_seconds"] == 5 * 3600  # of 2 h, 5 h, 30 h
    assert w8["p90_first_reply_seconds"] == 30 * 3600
    assert w8["accounts"]["shop"]["inquiries"] == 3
    assert w8["accounts"]["support"]["inquiries"] == 0

    w5 = week(data, seeded.weeks[5])
    assert (w5["inquiries"], w5["answered_within_window"], w5["overdue"]) == (3, 2, 1)
    assert w5["median_first_reply_seconds"] == (1 * 3600 + 3 * 3600) // 2
    assert (w5["promises_made"], w5["promises_kept"], w5["promises_broken"]) == (2, 1, 1)
    assert w5["accounts"]["support"]["overdue"] == 1

    w2 = week(data, seeded.weeks[2])
    assert (w2["inquiries"], w2["answered_within_window"], w2["overdue"]) == (3, 2, 1)
    assert w2["median_first_reply_seconds"] == 20 * 3600  # of 4 h (marked), 20 h, 25 h

    current = week(data, monday_of(seeded.d1))
    assert (current["inquiries"], current["overdue"], current["still_open"]) == (1, 0, 1)
    assert current["median_first_reply_seconds"] is None

    others = [
        w for w in data["weeks"]
        if w["week_start"] not in {*(d.isoformat() for d in seeded.weeks.values()),
                                   monday_of(seeded.d1).isoformat()}
    ]  # fmt: skip
    assert all(w["inquiries"] == 0 and w["median_first_reply_seconds"] is None for w in others)

    total = data["total"]
    assert (total["inquiries"], total["answered_within_window"], total["overdue"]) == (10, 6, 3)
    # 1, 2, 3, 4, 5, 20, 25, 30 h: the mean of the middle two
    assert total["median_first_reply_seconds"] == (4 * 3600 + 5 * 3600) // 2
    assert (total["promises_made"], total["promises_kept"]) == (2, 1)
    assert total["accounts"]["shop"]["inquiries"] == 8
    assert total["accounts"]["support"]["inquiries"] == 2
    b3_waited = (seeded.now - (monday(5, seeded.now) + 58 * H)).total_seconds()
    assert b3_waited - 1 <= total["longest_wait_seconds"] <= b3_waited + 600  # B3, still unanswered

    # One account; and a second run (incremental) gives the same figures.
    support = report(env, config_dir, "--json", "--account", "support")
    assert support["account"] == "support"
    assert (support["total"]["inquiries"], support["total"]["overdue"]) == (2, 1)
    again = report(env, config_dir, "--json")["total"]

    def steady(figures: dict[str, Any]) -> dict[str, Any]:  # B3's wait grows with the clock
        return {k: v for k, v in figures.items() if k not in ("longest_wait_seconds", "accounts")}

    assert steady(again) == steady(total)
    assert steady(again["accounts"]["shop"]) == steady(total["accounts"]["shop"])


def test_report_stays_current_with_new_replies_and_flags(
    env: dict[str, str], history: tuple[Path, History]
) -> None:
    config_dir, seeded = history
    first = report(env, config_dir, "--json", "--weeks", "6")
    assert len(first["weeks"]) == 6
    assert first["total"]["inquiries"] == 7  # B1-B3, C1-C3 and D1
    # B3 is answered today (very late) from support; D1 gets \Answered in another mail client.
    seeded.sent(
        seeded.support,
        corpus.our_reply(from_addr=seeded.support.email, in_reply_to="b3@cust.test"),
        seeded.now,
    )
    with seeded.dovecot.session(seeded.shop) as client:
        client.select_folder("INBOX")
        uids = client.search(["HEADER", "Message-ID", "d1@cust.test"])
        client.add_flags(uids, ["\\Answered"])
    after = report(env, config_dir, "--json", "--weeks", "6")
    w5 = week(after, seeded.weeks[5])
    assert w5["overdue"] == 1 and w5["answered_late"] == 1 and w5["unanswered_overdue"] == 0
    current = week(after, monday_of(seeded.d1))
    assert current["answered_within_window"] == 1 and current["still_open"] == 0


def test_report_table_csv_and_the_progress_bar_on_a_terminal(
    env: dict[str, str], history: tuple[Path, History]
) -> None:
    config_dir, seeded = history
    # A terminal: the bar is drawn on stderr while the history is built.
    primary, secondary = pty.openpty()
    process = subprocess.Popen(
        [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), "report"],
        stdout=subprocess.PIPE,
        stderr=secondary,
        env={**env, "LANG": "ja_JP.UTF-8"},
        cwd=REPO,
    )
    os.close(secondary)
    drawn = b""
    deadline = time.monotonic() + 120
    while time.monotonic() < deadline:
        ready, _, _ = select.select([primary], [], [], 1)
        if ready:
            try:
                chunk = os.read(primary, 4096)
            except OSError:
                break
            if not chunk:
                break
            drawn += chunk
        elif process.poll() is not None:
            break
    table = process.communicate(timeout=60)[0].decode()
    os.close(primary)
    assert process.returncode == 0
    assert "履歴を読み込み中 [" in drawn.decode() and "/" in drawn.decode()
    assert "問い合わせ" in table and "合計" in table
    assert "\n月 " in table and seeded.now.strftime("%Y-%m") in table  # the months
    assert "\n今週の問い合わせ1件はまだ返信期限前です\n" in table
    assert seeded.weeks[8].isoformat() in table

    done = ippo(env, config_dir, "report", "--csv", "--weeks", "9")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO(done.stdout)))
    week8 = [r for r in rows if r["period"] == "week" and r["start"] == seeded.weeks[8].isoformat()]
    assert [(r["account"], r["inquiries"], r["overdue"]) for r in week8] == [
        ("", "3", "1"),
        ("shop", "3", "1"),
        ("support", "0", "0"),
    ]
    (total,) = [r for r in rows if r["period"] == "total" and r["account"] == ""]
    assert total["inquiries"] == "10" and total["median_first_reply_seconds"] == str(
        4 * 3600 + 1800
    )

    unknown = ippo(env, config_dir, "report", "--account", "nobody")
    assert unknown.returncode == 2 and "nobody" in unknown.stderr
    both = ippo(env, config_dir, "report", "--weeks", "2", "--since", "2026-01-01")
    assert both.returncode == 2 and "not allowed with" in both.stderr

    # --since: from the week holding that day (a Wednesday of the week of A1 to A5).
    since = report(
        env, config_dir, "--json", "--since", (seeded.weeks[8] + timedelta(days=2)).isoformat()
    )
    assert since["weeks"][0]["week_start"] == seeded.weeks[8].isoformat()
    assert len(since["weeks"]) == 9 and since["total"]["inquiries"] == 10
    assert since["months"][0]["month_start"] == seeded.weeks[8].replace(day=1).isoformat()
    assert since["months"][0]["counted_from"] == seeded.weeks[8].isoformat()


def test_deadlines_run_on_the_accounts_working_hours(
    env: dict[str, str], tmp_path: Path, dovecot: DovecotServer
) -> None:
    from dataclasses import replace

    from trayapp.config import ConfigStore

    config_dir = tmp_path / "config"
    office = dovecot.add_user()
    add_account(env, config_dir, dovecot, office, "office")
    config = ConfigStore(config_dir)
    (account,) = config.load_accounts()
    config.update_account(
        replace(account, working_hours="mon-fri 09:00-18:00", timezone="Asia/Tokyo")
    )
    now = datetime.now(TOKYO)
    friday_5pm = monday(2, now) + timedelta(days=4, hours=17)
    seeded = History(dovecot, office, office)
    seeded.inbox(office, inquiry("fri@cust.test", office.email, friday_5pm), friday_5pm)
    # Monday 10:00: 65 hours later, but only 2 working hours (Friday 17-18, Monday 9-10).
    seeded.sent(
        office,
        corpus.our_reply(from_addr=office.email, in_reply_to="fri@cust.test"),
        friday_5pm + timedelta(days=2, hours=17),
    )
    data = report(env, config_dir, "--json", "--weeks", "3")
    w = week(data, monday(2, now).date())
    assert (w["inquiries"], w["answered_within_window"], w["overdue"]) == (1, 1, 0)
    assert w["median_first_reply_seconds"] == 65 * 3600  # the wait itself is wall-clock time


def test_an_account_that_cannot_be_read_is_named_and_the_rest_reported(
    env: dict[str, str], history: tuple[Path, History]
) -> None:
    config_dir, seeded = history
    report(env, config_dir, "--json")  # built while both could be read
    seeded.dovecot.set_password(seeded.support, "changed-on-the-server")
    done = ippo(env, config_dir, "report", "--json")
    assert done.returncode == 1
    assert done.stderr.startswith("ippo: account 'support': ")
    data = json.loads(done.stdout)  # what was stored before still counts
    assert data["total"]["inquiries"] == 10
    assert data["total"]["accounts"]["support"]["inquiries"] == 2
