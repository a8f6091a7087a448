"""`ippo pending` end to end: a real subprocess, real Dovecot, real Secret Service."""

from __future__ import annotations

import json
import re
import subprocess
import sys
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import mailcorpus as corpus
from tests.support.dovecot import DovecotServer, DovecotUser, free_port
from tests.support.ippo_cli import run_ippo
from trayapp.config import ConfigStore
from trayapp.store.db import StateStore

ippo = run_ippo  # the shared `ippo` subprocess (tests/support/ippo_cli.py)

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
ISO_WITH_OFFSET = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?[+-]\d\d:\d\d$")


def add_account(
    env: dict[str, str],
    config_dir: Path,
    dovecot: DovecotServer,
    user: DovecotUser,
    name: str,
    security: str = "ssl",
) -> None:
    port = dovecot.imaps_port if security == "ssl" else dovecot.imap_port
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
        str(port),
        "--imap-security",
        security,
        "--username",
        user.username,
        "--ca-file",
        dovecot.ca_file,
        "--password-stdin",
        stdin=user.password + "\n",
    )
    assert done.returncode == 0, done.stderr


@pytest.fixture
def env(keyring_session: Any) -> dict[str, str]:
    merged: dict[str, str] = keyring_session.subprocess_env()
    merged.pop("IPPO_CONFIG_DIR", None)
    return merged


@pytest.fixture
def two_accounts(
    env: dict[str, str], tmp_path: Path, dovecot: DovecotServer
) -> tuple[Path, DovecotUser, DovecotUser]:
    config_dir = tmp_path / "config"
    shop, support = dovecot.add_user(), dovecot.add_user()
    add_account(env, config_dir, dovecot, shop, "shop")
    add_account(env, config_dir, dovecot, support, "support", security="starttls")
    now = datetime.now(UTC)
    # shop: one overdue Japanese inquiry, one answered in Sent, one newsletter.
    dovecot.append(
        shop,
        "INBOX",
        corpus.japanese_iso2022jp_inquiry(to=shop.email, message_id="ja-1@cust.test"),
        internaldate=now - timedelta(hours=26),
    )
    dovecot.deliver(shop, corpus.english_inquiry(to=shop.email, message_id="answered@cust.test"))
    dovecot.append(
        shop, "Sent", corpus.our_reply(from_addr=shop.email, in_reply_to="answered@cust.test")
    )
    dovecot.deliver(shop, corpus.newsletter(to=shop.email))
    # support: one fresh inquiry, one from three hours ago.
    dovecot.deliver(
        support, corpus.shift_jis_inquiry(to=support.email, message_id="sjis-1@cust.test")
    )
    dovecot.append(
        support,
        "INBOX",
        corpus.english_inquiry(to=support.email, message_id="en-1@cust.test"),
        internaldate=now - timedelta(hours=3),
    )
    return config_dir, shop, support


def test_pending_json_shape_order_and_stable_ids(
    env: dict[str, str], two_accounts: tuple[Path, DovecotUser, DovecotUser]
) -> None:
    config_dir, shop, support = two_accounts
    first = ippo(env, config_dir, "pending", "--json")
    assert first.returncode == 0, first.stderr  # overdue items are not an error
    assert first.stderr == ""
    items = json.loads(first.stdout)
    assert [(i["account"], i["message_id"]) for i in items] == [
        ("shop", "ja-1@cust.test"),  # overdue: most urgent first
        ("support", "en-1@cust.test"),
        ("support", "sjis-1@cust.test"),
    ]
    ja = items[0]
    assert ja["subject"] == corpus.JA_SUBJECT
    assert ja["sender"] == f"{corpus.JA_CUSTOMER_NAME} <takahashi@example.test>"
    assert ja["state"] == "waiting"
    assert items[2]["subject"] == corpus.SJIS_SUBJECT
    for item in items:
        assert {
            "id",
            "account",
            "message_id",
            "sender",
            "subject",
            "received_at",
            "due_at",
            "state",
        } <= set(item)
        assert re.fullmatch(r"[0-9a-f]{12}", item["id"])
        assert ISO_WITH_OFFSET.match(item["received_at"]), item["received_at"]
        assert ISO_WITH_OFFSET.match(item["due_at"]), item["due_at"]
        received = datetime.fromisoformat(item["received_at"])
        assert datetime.fromisoformat(item["due_at"]) - received == timedelta(hours=24)
    assert datetime.fromisoformat(ja["due_at"]) < datetime.now(UTC)

    second = ippo(env, config_dir, "pending", "--json")
    assert second.returncode == 0
    assert [i["id"] for i in json.loads(second.stdout)] == [i["id"] for i in items]

    # The waiting set is recorded in the state file, and no password is on disk.
    with StateStore(config_dir) as store:
        assert {i.id for i in store.items()} == {i["id"] for i in items}
        sync = store.sync_state("shop", "INBOX")
        assert sync is not None and sync.uidnext == 4
    for path in config_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            assert shop.password.encode() not in data and support.password.encode() not in data


def test_pending_human_output(
    env: dict[str, str], two_accounts: tuple[Path, DovecotUser, DovecotUser]
) -> None:
    config_dir, _shop, _support = two_accounts
    done = ippo(env, config_dir, "pending")
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert len(lines) == 3
    assert lines[0].startswith("overdue 2h")
    assert "shop" in lines[0] and corpus.JA_SUBJECT in lines[0]
    assert corpus.JA_CUSTOMER_NAME in lines[0]
    assert lines[1].startswith("due in 20h") and "support" in lines[1]
    assert lines[2].startswith("due in 23h") and corpus.SJIS_SUBJECT in lines[2]


def test_unreachable_account_and_missing_password(
    env: dict[str, str], two_accounts: tuple[Path, DovecotUser, DovecotUser], dovecot: DovecotServer
) -> None:
    config_dir, _shop, _support = two_accounts
    config = ConfigStore(config_dir)
    shop_account = config.get_account("shop")
    assert shop_account is not None
    dead_port = free_port(dovecot.host)
    # "shop" now points at a port nobody listens on; "ghost" has no keyring entry.
    config.update_account(replace(shop_account, imap_port=dead_port))
    config.add_account(replace(shop_account, name="ghost"))
    done = ippo(env, config_dir, "pending", "--json")
    assert done.returncode == 1
    errors = done.stderr.splitlines()
    # A plain sentence first, then the server's words (host:port: reason) for scripts.
    [shop] = [e for e in errors if e.startswith("ippo: account 'shop': ")]
    assert "refused the connection. Check the port" in shop
    assert shop.endswith(f"({dovecot.host}:{dead_port}: connection refused)")
    assert any(e.startswith("ippo: account 'ghost': no password in the OS keyring") for e in errors)
    # The reachable account is still listed.
    assert {i["account"] for i in json.loads(done.stdout)} == {"support"}


def test_wrong_password_is_reported(
    env: dict[str, str], two_accounts: tuple[Path, DovecotUser, DovecotUser], dovecot: DovecotServer
) -> None:
    config_dir, _shop, support = two_accounts
    dovecot.set_password(support, "changed-on-the-server")
    done = ippo(env, config_dir, "pending")
    assert done.returncode == 1
    assert "ippo: account 'support': " in done.stderr and "login failed" in done.stderr
    assert "changed-on-the-server" not in done.stderr
    assert "shop" in done.stdout


def test_no_accounts(env: dict[str, str], tmp_path: Path) -> None:
    done = ippo(env, tmp_path / "empty", "pending", "--json")
    assert done.returncode == 0 and json.loads(done.stdout) == []


def test_pending_never_imports_qt(
    env: dict[str, str], two_accounts: tuple[Path, DovecotUser, DovecotUser]
) -> None:
    config_dir, _shop, _support = two_accounts
    code = (
        "import sys, json, io, contextlib\n"
        "from trayapp.cli import main\n"
        f"rc = main(['--config-dir', {str(config_dir)!r}, 'pending', '--json'])\n"
        "prefixes = ('PySide6', 'shiboken', 'trayapp.ui')\n"
        "qt = sorted(m for m in sys.modules if m.startswith(prefixes))\n"
        "sys.stderr.write('MODULES ' + json.dumps({'rc': rc, 'qt': qt}) + '\\n')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    report = next(line for line in done.stderr.splitlines() if line.startswith("MODULES "))
    result = json.loads(report.removeprefix("MODULES "))
    assert result == {"rc": 0, "qt": []}
    assert len(json.loads(done.stdout)) == 3
