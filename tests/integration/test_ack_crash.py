"""Killing `ippo ack` for real (SIGKILL) at every point between "recorded" and "filed", then
running it again: exactly one acknowledgement reaches the customer, never two, never none
without a visible reason."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from datetime import datetime
from pathlib import Path

import pytest

from tests.support import mailcorpus
from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.keyring_session import KeyringSession
from tests.support.smtp_server import SmtpServer
from trayapp.core.headers import parse_headers
from trayapp.mail.acknowledge import PAUSE_ENV
from trayapp.store.db import StateStore

pytestmark = [pytest.mark.integration, pytest.mark.slow]

REPO = Path(__file__).resolve().parents[2]


class Cli:
    def __init__(self, config_dir: Path, env: dict[str, str]) -> None:
        self.config_dir = config_dir
        self.env = {**env, "PYTHONPATH": str(REPO), "PYTHONUNBUFFERED": "1"}
        self.env.pop(PAUSE_ENV, None)

    def args(self, *args: str) -> list[str]:
        return [sys.executable, "-m", "trayapp", "--config-dir", str(self.config_dir), *args]

    def run(
        self, *args: str, stdin: str = "", timeout: float = 60
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            self.args(*args),
            input=stdin,
            capture_output=True,
            text=True,
            env=self.env,
            timeout=timeout,
            cwd=REPO,
        )

    def run_until_paused(self, point: str, *args: str) -> subprocess.Popen[str]:
        """Start `ippo ARGS`, wait until it stops at `point`, and return it (still running)."""
        proc = subprocess.Popen(
            self.args(*args),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env={**self.env, PAUSE_ENV: point},
            cwd=REPO,
        )
        assert proc.stderr is not None
        deadline = time.monotonic() + 60
        seen: list[str] = []
        while time.monotonic() < deadline:
            line = proc.stderr.readline()
            if not line:
                break
            seen.append(line)
            if line.strip() == f"IPPO-PAUSED {point}":
                return proc
        proc.kill()
        out, err = proc.communicate()
        raise AssertionError(f"never paused at {point}: {''.join(seen)}{err}{out}")


def kill_for_real(proc: subprocess.Popen[str]) -> None:
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait(timeout=10)
    assert proc.returncode == -signal.SIGKILL


def message_ids(dovecot: DovecotServer, user: DovecotUser, folder: str) -> list[str | None]:
    with dovecot.session(user) as c:
        if not c.folder_exists(folder):
            return []
        c.select_folder(folder, readonly=True)
        uids = c.search(["ALL"])
        data = c.fetch(uids, ["BODY.PEEK[HEADER]"]) if uids else {}
    return [parse_headers(d[b"BODY[HEADER]"]).message_id for _, d in sorted(data.items())]


@pytest.fixture
def setup(
    tmp_path: Path, dovecot: DovecotServer, smtp_server: SmtpServer, keyring_session: KeyringSession
) -> tuple[Cli, DovecotUser, DovecotUser, str]:
    """An account added through `ippo account add`, one Japanese inquiry waiting, its id."""
    shop, customer = dovecot.add_user(), dovecot.add_user()
    smtp_server.add_user(shop.username, shop.password)
    cli = Cli(tmp_path / "config", keyring_session.subprocess_env())
    added = cli.run(
        "account",
        "add",
        "--name",
        shop.username,
        "--email",
        shop.email,
        "--imap-host",
        dovecot.host,
        "--imap-port",
        str(dovecot.imaps_port),
        "--username",
        shop.username,
        "--ca-file",
        dovecot.ca_file,
        "--smtp-host",
        smtp_server.host,
        "--smtp-port",
        str(smtp_server.port),
        "--smtp-security",
        "ssl",
        "--password-stdin",
        stdin=shop.password + "\n",
    )
    assert added.returncode == 0, added.stderr
    dovecot.deliver(
        shop,
        mailcorpus.japanese_iso2022jp_inquiry(from_addr=customer.email, to=shop.email),
        sender=customer.email,
    )
    pending = cli.run("pending", "--json")
    assert pending.returncode == 0, pending.stderr
    [item] = json.loads(pending.stdout)
    return cli, shop, customer, item["id"]


def assert_exactly_one(
    dovecot: DovecotServer, shop: DovecotUser, customer: DovecotUser, smtp: SmtpServer
) -> str:
    delivered = message_ids(dovecot, customer, "INBOX")
    assert len(delivered) == 1, delivered
    assert len(smtp.accepted) == 1
    assert delivered[0] is not None
    return delivered[0]


def assert_filed(dovecot: DovecotServer, shop: DovecotUser, message_id: str) -> None:
    assert message_ids(dovecot, shop, "Sent") == [message_id]  # one copy, not two
    assert set(dovecot.flags(shop, "INBOX").values()) == {frozenset({"\\Answered"})}


@pytest.mark.parametrize("point", ["recorded", "sent", "appended"])
def test_killed_at_a_certain_point_restart_completes_exactly_once(
    point: str,
    setup: tuple[Cli, DovecotUser, DovecotUser, str],
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
) -> None:
    cli, shop, customer, item_id = setup
    proc = cli.run_until_paused(point, "ack", item_id, "--promise", "2d")
    kill_for_real(proc)
    expected = 0 if point == "recorded" else 1
    assert len(message_ids(dovecot, customer, "INBOX")) == expected

    again = cli.run("ack", item_id)
    assert again.returncode == 0, again.stderr
    assert "Message-ID" in again.stdout
    message_id = assert_exactly_one(dovecot, shop, customer, smtp_server)
    assert_filed(dovecot, shop, message_id)
    with StateStore(cli.config_dir) as store:
        records = store.acks()
    record = records[-1]
    assert record.message_id == message_id and record.state == "filed"
    if point == "recorded":
        # Never handed over: not sent as it was (stale promise) but reported, and the user's
        # command sent a new one in its place; the old entry can never be sent any more.
        assert "was not sent" in again.stderr and "this new one" in again.stderr
        assert [r.state for r in records] == ["failed", "filed"]
        assert "replaced by" in (records[0].error or "")
        assert records[0].attempted_at is not None
    else:
        assert len(records) == 1

    # `ippo pending --json` lists it as acknowledged, with the promise it made.
    pending = cli.run("pending", "--json")
    assert pending.returncode == 0, pending.stderr
    [item] = json.loads(pending.stdout)
    assert item["id"] == item_id and item["state"] == "acknowledged"
    assert record.promise_due_at is not None
    assert datetime.fromisoformat(item["promise_due_at"]) == record.promise_due_at

    # And once more: nothing new is sent.
    third = cli.run("ack", item_id)
    assert third.returncode == 0 or "already acknowledged" in third.stderr
    assert_exactly_one(dovecot, shop, customer, smtp_server)


def test_killed_after_the_server_accepted_it_is_never_sent_twice(
    setup: tuple[Cli, DovecotUser, DovecotUser, str],
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
) -> None:
    cli, shop, customer, item_id = setup
    kill_for_real(cli.run_until_paused("accepted", "ack", item_id))
    assert_exactly_one(dovecot, shop, customer, smtp_server)

    again = cli.run("ack", item_id)
    # The journal cannot know the server's answer and no copy is filed yet: it says so.
    assert again.returncode == 1
    assert "may or may not have gone out" in again.stderr
    assert_exactly_one(dovecot, shop, customer, smtp_server)
    with StateStore(cli.config_dir) as store:
        [record] = store.acks()
    # Claimed seconds ago: perhaps still in flight, so nothing is changed or resent.
    assert record.state == "recorded" and record.attempted_at is not None


def test_killed_while_handing_it_over_reports_and_retry_sends_once(
    setup: tuple[Cli, DovecotUser, DovecotUser, str],
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
) -> None:
    cli, shop, customer, item_id = setup
    # Killed after the claim, before the final "." of DATA: the server drops the message.
    kill_for_real(cli.run_until_paused("claimed", "ack", item_id))
    time.sleep(0.5)
    assert message_ids(dovecot, customer, "INBOX") == [] and smtp_server.accepted == []

    again = cli.run("ack", item_id)
    assert again.returncode == 1
    assert "may or may not have gone out" in again.stderr  # visible, not silent
    assert smtp_server.accepted == []

    retry = cli.run("ack", item_id, "--retry")
    assert retry.returncode == 0, retry.stderr
    message_id = assert_exactly_one(dovecot, shop, customer, smtp_server)
    assert_filed(dovecot, shop, message_id)


def test_two_commands_at_once_send_one(
    setup: tuple[Cli, DovecotUser, DovecotUser, str],
    dovecot: DovecotServer,
    smtp_server: SmtpServer,
) -> None:
    cli, _shop, customer, item_id = setup
    first = cli.run_until_paused("claimed", "ack", item_id)  # holds the claim, mid-DATA
    try:
        second = cli.run("ack", item_id)
        assert second.returncode == 1
        assert "being sent right now" in second.stderr
    finally:
        kill_for_real(first)
    assert smtp_server.accepted == [] and message_ids(dovecot, customer, "INBOX") == []


def test_dry_run_prints_the_message_and_sends_nothing(
    setup: tuple[Cli, DovecotUser, DovecotUser, str], smtp_server: SmtpServer
) -> None:
    cli, _shop, customer, item_id = setup
    dry = cli.run("ack", item_id, "--dry-run", "--promise", "2025-01-01T12:00")
    assert dry.returncode == 2 and "future" in dry.stderr  # a promise in the past is refused
    dry = cli.run("ack", item_id, "--dry-run", "--template", "checking", "--promise", "2d")
    assert dry.returncode == 0, dry.stderr
    assert "Dry run: nothing sent" in dry.stdout
    assert f"To: {customer.email}" in dry.stdout
    assert "Subject: Re: " + mailcorpus.JA_SUBJECT in dry.stdout
    assert "髙橋 一郎様" in dry.stdout and "ただいま確認を進めております" in dry.stdout
    unknown = cli.run("ack", item_id, "--dry-run", "--template", "nope")
    assert unknown.returncode == 2 and "no template named 'nope'" in unknown.stderr
    assert smtp_server.accepted == []
    with StateStore(cli.config_dir) as store:
        assert store.acks() == []
