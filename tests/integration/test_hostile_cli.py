"""The hostile corpus (tests/hostile) delivered into a real Dovecot and acknowledged through the
real SMTP server, with the real `ippo pending` and `ippo ack` in subprocesses:

- `ippo pending` prints one line per item, never a forged one, and no control character;
- `ippo ack` sends only to where a person would (300 addresses or a stranger's domain need
  --to, exit 2 otherwise), and every reply carries exactly Ippo's headers in both charset modes;
- an acknowledgement that failed (the keyring was locked) is not sent at the next start, shows
  as not sent, and goes out once, with a new promise, when the user sends it.
"""

from __future__ import annotations

import email
import json
import subprocess
import sys
from dataclasses import replace
from email import policy
from pathlib import Path
from typing import Any

import pytest

from tests import hostile
from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.keyring_session import KeyringSession
from tests.support.smtp_server import SmtpServer
from trayapp.config import ConfigStore
from trayapp.desktop.secrets import KeyringSecretStore
from trayapp.mail.acknowledge import AcknowledgeService, Replaced
from trayapp.store.db import StateStore

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
CONTROL = [chr(c) for c in (*range(0x00, 0x09), *range(0x0B, 0x20), *range(0x7F, 0xA0))]
INVISIBLE = ["\u202e", "\u2066", "\u200b", "\u200d", "\u2060", "\ufeff", "\u2028", "\u2029"]


class Cli:
    def __init__(self, config_dir: Path, env: dict[str, str]) -> None:
        self.config_dir = config_dir
        self.env = {**env, "PYTHONPATH": str(REPO)}

    def run(
        self, *args: str, stdin: str = "", env: dict[str, str] | None = None
    ) -> subprocess.CompletedProcess[str]:
        done = subprocess.run(
            [sys.executable, "-m", "trayapp", "--config-dir", str(self.config_dir), *args],
            input=stdin.encode(),
            capture_output=True,
            env={**(env or self.env), "PYTHONPATH": str(REPO)},
            cwd=REPO,
            timeout=120,
        )
        # Decoded here, strictly and without newline translation: what was printed, exactly.
        return subprocess.CompletedProcess(
            done.args, done.returncode, done.stdout.decode(), done.stderr.decode()
        )


@pytest.fixture
def shop(
    tmp_path: Path, dovecot: DovecotServer, smtp_server: SmtpServer, keyring_session: KeyringSession
) -> tuple[Cli, DovecotUser]:
    """An account added through `ippo account add`, with every hostile sample delivered."""
    user = dovecot.add_user()
    smtp_server.add_user(user.username, user.password)
    cli = Cli(tmp_path / "config", keyring_session.subprocess_env())
    added = cli.run(
        "account", "add", "--name", "shop", "--email", user.email,
        "--imap-host", dovecot.host, "--imap-port", str(dovecot.imaps_port),
        "--username", user.username, "--ca-file", dovecot.ca_file,
        "--smtp-host", smtp_server.host, "--smtp-port", str(smtp_server.port),
        "--smtp-security", "ssl", "--password-stdin",
        stdin=user.password + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    for mail in hostile.load():
        dovecot.deliver(user, mail.raw, sender="bounce@customer.example")
    return cli, user


def pending_items(cli: Cli) -> list[dict[str, Any]]:
    done = cli.run("pending", "--json")
    assert done.returncode == 0, done.stderr
    items: list[dict[str, Any]] = json.loads(done.stdout)
    return items


def sample_of(item: dict[str, Any]) -> str:
    """The corpus sample an item came from (by its Message-ID; the shared one is ambiguous)."""
    for mail in hostile.load():
        if f"<{item['message_id']}>".encode() in mail.header_block:
            return mail.name
    raise AssertionError(item["message_id"])


def test_pending_prints_one_clean_line_per_item(shop: tuple[Cli, DovecotUser]) -> None:
    cli, _user = shop
    items = pending_items(cli)
    assert len(items) >= len(hostile.load()) - 1  # (one may share a Message-ID; issue 9.6)
    text = cli.run("pending")
    assert text.returncode == 0, text.stderr
    lines = text.stdout.split("\n")
    assert lines[-1] == "" and "\r" not in text.stdout
    lines = lines[:-1]
    # Exactly one line per item, whatever a subject or name decoded to; no terminal escape,
    # no bidi override, no line separator a terminal or a script would split on.
    assert len(lines) == len(items), lines
    assert len(text.stdout.splitlines()) == len(items)
    for line in lines:
        assert line.startswith(("due in", "overdue")), line[:120]
        assert not any(c in line for c in CONTROL + INVISIBLE), repr(line[:200])
        assert len(line) < 500
    for item in items:
        for key in ("sender", "subject"):
            assert not any(c in item[key] for c in CONTROL + INVISIBLE), repr(item[key][:200])
        assert len(item["subject"]) <= 1000
    by_subject = {sample_of(i): i["subject"] for i in items}
    assert by_subject["crlf-subject-utf8"] == "x Bcc: evil@attacker.example"
    assert by_subject["bidi-subject-name"] == "Invoice gpj.exe"


@pytest.mark.parametrize("charset", ["utf-8", "iso-2022-jp"])
def test_ack_sends_only_our_headers_and_only_where_a_person_would(
    charset: str, shop: tuple[Cli, DovecotUser], smtp_server: SmtpServer
) -> None:
    cli, user = shop
    config = ConfigStore(cli.config_dir)
    [account] = config.load_accounts()
    config.save_accounts([replace(account, reply_charset=charset)])  # type: ignore[arg-type]
    items = pending_items(cli)
    for item in items:
        name = sample_of(item)
        before = len(smtp_server.accepted)
        done = cli.run("ack", item["id"], "--promise", "2d")
        if name in hostile.NEEDS_CONFIRMATION:
            # Refused: one sentence, exit 2, nothing sent or recorded.
            assert done.returncode == 2, (name, done.stderr)
            assert done.stderr.count("\n") == 1 and "--to ADDRESS" in done.stderr
            assert len(smtp_server.accepted) == before
            with StateStore(cli.config_dir) as store:
                assert store.acks(item_id=item["id"]) == []
            # --to must be one of the inquiry's own addresses ...
            stranger = cli.run("ack", item["id"], "--to", "someone@elsewhere.example")
            assert stranger.returncode == 2 and "not an address of this inquiry" in stranger.stderr
            # ... and then the reply goes there and nowhere else.
            target = (
                "victim000@victims0.example"
                if name == "reply-to-300"
                else ("collector@attacker.example")
            )
            done = cli.run("ack", item["id"], "--promise", "2d", "--to", target)
            assert done.returncode == 0, (name, done.stderr)
            assert smtp_server.accepted[-1].rcpt_tos == [target]
        else:
            assert done.returncode == 0, (name, done.stderr)
        assert len(smtp_server.accepted) == before + 1, name
        sent = smtp_server.accepted[-1]
        assert len(sent.rcpt_tos) == 1, (name, len(sent.rcpt_tos))
        assert hostile.only_our_headers(sent.data), (name, hostile.header_names(sent.data))
        parsed = email.message_from_bytes(sent.data, policy=policy.default)
        assert parsed.get_content_charset() in (charset, "us-ascii"), name
        assert all(len(line) <= 998 for line in sent.data.split(b"\r\n")), name
        subject = done.stdout.split("Subject: ", 1)[1].split("\n", 1)[0]
        assert subject.startswith("Re:") and len(subject) <= 200, (name, subject[:80])
        assert sent.mail_from == user.email


def test_a_failed_acknowledgement_is_not_sent_later_without_the_user(
    shop: tuple[Cli, DovecotUser],
    smtp_server: SmtpServer,
    locked_keyring_session: KeyringSession,
    secret_env: KeyringSession,
) -> None:
    """The issue's report: the keyring was locked when the user sent it; the next start sent
    it on its own, with the old promise date."""
    cli, _user = shop
    item = next(i for i in pending_items(cli) if sample_of(i) == "option-subject-wait")
    locked = {**locked_keyring_session.subprocess_env(), "PYTHONPATH": str(REPO)}
    failed = cli.run("ack", item["id"], "--promise", "1d", env=locked)
    assert failed.returncode != 0 and smtp_server.accepted == []

    # The next start (the tray app's resume), with the keyring unlocked again: nothing goes out.
    [account] = ConfigStore(cli.config_dir).load_accounts()
    with StateStore(cli.config_dir) as store:
        AcknowledgeService(store, KeyringSecretStore()).resume_unfinished(account)
        [record] = store.acks()
    assert smtp_server.accepted == []
    assert record.state == "failed" and record.attempted_at is None

    # The list says so: not sent, with the reason; the text line tells how to send it.
    [listed] = [i for i in pending_items(cli) if i["id"] == item["id"]]
    assert listed["state"] == "waiting"
    assert listed["unsent_ack"]["message_id"] == record.message_id
    assert listed["unsent_ack"]["in_doubt"] is False and listed["unsent_ack"]["reason"]
    text = cli.run("pending").stdout
    assert f"[not sent: send it with `ippo ack {item['id']}`]" in text

    # The user sends it now: once, with a promise made now, and the old entry is retired.
    sent = cli.run("ack", item["id"], "--promise", "2d")
    assert sent.returncode == 0, sent.stderr
    assert "was not sent" in sent.stderr and "replaces it" in sent.stderr
    assert len(smtp_server.accepted) == 1
    with StateStore(cli.config_dir) as store:
        old, new = store.acks()
    assert old.message_id == record.message_id and old.state == "failed"
    assert new.state == "filed" and new.promise_due_at is not None
    assert record.promise_due_at is not None and new.promise_due_at > record.promise_due_at
    assert new.created_at > record.created_at
    assert email.message_from_bytes(smtp_server.accepted[0].data)["Message-ID"] == (
        f"<{new.message_id}>"
    )
    # The replaced entry can never go out, not even by a forced retry from another window.
    with StateStore(cli.config_dir) as store:
        service = AcknowledgeService(store, KeyringSecretStore())
        with pytest.raises(Replaced, match="replaced by"):
            service.resume(account, old.message_id, force=True)
        assert service.resume_unfinished(account) == []
    assert len(smtp_server.accepted) == 1
