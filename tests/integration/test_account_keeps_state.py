"""Nothing the user decided and no promise is lost by changing an inbox: a remove followed by an
add of the same address (under the same or another name), or a password changed on the server
and then in Ippo (`ippo account set --password-stdin`). Real Dovecot, real SMTP, real keyring,
every step a real `ippo` process."""

from __future__ import annotations

import email
import json
import subprocess
import sys
from email import policy
from pathlib import Path
from typing import Any

import pytest

from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.keyring_session import KeyringSession
from tests.support.smtp_server import SmtpServer
from trayapp.store.db import StateStore

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


class Shop:
    """One shop's inbox driven through the command line."""

    def __init__(
        self,
        config_dir: Path,
        session: KeyringSession,
        dovecot: DovecotServer,
        smtp: SmtpServer,
        user: DovecotUser,
    ) -> None:
        self.config_dir, self.session, self.dovecot = config_dir, session, dovecot
        self.smtp, self.user = smtp, user

    def run(self, *args: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [sys.executable, "-m", "trayapp", "--config-dir", str(self.config_dir), *args],
            input=stdin,
            capture_output=True,
            text=True,
            cwd=REPO,
            env=self.session.subprocess_env(),
            timeout=120,
        )

    def add(self, name: str) -> subprocess.CompletedProcess[str]:
        return self.run(
            *("account", "add", "--name", name, "--email", self.user.email),
            *("--imap-host", self.dovecot.host, "--imap-port", str(self.dovecot.imaps_port)),
            *("--username", self.user.username, "--ca-file", self.dovecot.ca_file),
            *("--smtp-host", self.smtp.host, "--smtp-port", str(self.smtp.port)),
            *("--smtp-security", "ssl", "--password-stdin"),
            stdin=self.user.password + "\n",
        )

    def pending(self) -> list[dict[str, Any]]:
        result = self.run("pending", "--json")
        assert result.returncode == 0, result.stderr
        return list(json.loads(result.stdout))

    def view(self) -> dict[str, tuple[str, str, str | None]]:
        """subject -> (account, state, promise) of what `ippo pending --json` lists."""
        return {
            i["subject"]: (i["account"], i["state"], i.get("promise_due_at"))
            for i in self.pending()
        }


def inquiry(sender: str, to: str, subject: str, message_id: str) -> bytes:
    return (
        f"From: {sender}\r\nTo: {to}\r\nSubject: {subject}\r\nMessage-ID: <{message_id}>\r\n"
        f"Date: Tue, 01 Dec 2026 09:00:00 +0900\r\n\r\nCould you tell me more?\r\n"
    ).encode()


@pytest.fixture
def decided(
    tmp_path: Path, dovecot: DovecotServer, smtp_server: SmtpServer, keyring_session: KeyringSession
) -> tuple[Shop, dict[str, tuple[str, str, str | None]]]:
    """An inbox added with the CLI, where the user acknowledged one inquiry (a promise),
    dismissed another and ignored a sender; what `pending --json` shows then."""
    user = dovecot.add_user()
    smtp_server.add_user(user.username, user.password)
    shop = Shop(tmp_path / "config", keyring_session, dovecot, smtp_server, user)
    added = shop.add("shop")
    assert added.returncode == 0, added.stderr
    mails = {
        "acknowledge me": "customer@example.org",
        "dismiss me": "other@example.org",
        "from a pest": "pest@example.org",
        "still waiting": "fourth@example.org",
    }
    for number, (subject, sender) in enumerate(mails.items()):
        raw = inquiry(sender, user.email, subject, f"keep-{number}@example.org")
        dovecot.deliver(user, raw, sender=sender)
    ids = {i["subject"]: i["id"] for i in shop.pending()}
    assert set(ids) == set(mails)
    acked = shop.run("ack", ids["acknowledge me"], "--promise", "2d")
    assert acked.returncode == 0, acked.stderr
    with StateStore(shop.config_dir) as store:  # what the app's D and I do
        store.dismiss("shop", ids["dismiss me"], "not_inquiry")
        store.ignore_sender("shop", "pest@example.org")
    before = shop.view()
    assert set(before) == {"acknowledge me", "still waiting"}
    assert before["acknowledge me"][1] == "acknowledged" and before["acknowledge me"][2]
    return shop, before


def renamed(view: dict[str, tuple[str, str, str | None]], name: str) -> dict[str, Any]:
    return {subject: (name, *rest) for subject, (_, *rest) in view.items()}


@pytest.mark.parametrize("new_name", ["shop", "お店"])
def test_remove_then_add_the_same_address_keeps_every_decision(
    decided: tuple[Shop, dict[str, tuple[str, str, str | None]]], new_name: str
) -> None:
    shop, before = decided
    removed = shop.run("account", "remove", "shop")
    assert removed.returncode == 0, removed.stderr
    assert shop.run("account", "list", "--json").stdout.strip() == "[]"

    again = shop.add(new_name)
    assert again.returncode == 0, again.stderr
    assert shop.view() == renamed(before, new_name)
    with StateStore(shop.config_dir) as store:
        assert store.ignored_senders(new_name) == {"pest@example.org"}
        assert list(store.dismissals(new_name).values()) == ["not_inquiry"]


def test_another_address_does_not_get_the_kept_state(
    decided: tuple[Shop, dict[str, tuple[str, str, str | None]]], dovecot: DovecotServer
) -> None:
    shop, _before = decided
    assert shop.run("account", "remove", "shop").returncode == 0
    other_user = dovecot.add_user()
    shop.smtp.add_user(other_user.username, other_user.password)
    other = Shop(shop.config_dir, shop.session, dovecot, shop.smtp, other_user)
    assert other.add("shop").returncode == 0
    with StateStore(shop.config_dir) as store:
        assert store.ignored_senders("shop") == set()
        assert store.dismissals("shop") == {}
        assert store.acks("shop") == []


def test_a_password_changed_on_the_server_then_in_ippo_keeps_every_decision(
    decided: tuple[Shop, dict[str, tuple[str, str, str | None]]], dovecot: DovecotServer
) -> None:
    shop, before = decided
    new_password = "changed on the server 7Kq"
    dovecot.set_password(shop.user, new_password)
    shop.smtp.add_user(shop.user.username, new_password)  # one password for both, as usual
    failing = shop.run("pending", "--json")
    assert failing.returncode == 1

    refused = shop.run("account", "set", "shop", "--password-stdin", stdin="still wrong\n")
    assert refused.returncode == 1 and "nothing was saved" in refused.stderr
    assert shop.session.stored_secrets()["shop:imap"] == shop.user.password

    changed = shop.run("account", "set", "shop", "--password-stdin", stdin=new_password + "\n")
    assert changed.returncode == 0, changed.stderr
    assert shop.session.stored_secrets()["shop:imap"] == new_password
    assert shop.view() == before


def test_the_smtp_login_is_tested_when_the_inbox_is_added(
    tmp_path: Path, dovecot: DovecotServer, smtp_server: SmtpServer, keyring_session: KeyringSession
) -> None:
    """The SMTP server is asked too: a refused SMTP login saves nothing and says why in a plain
    sentence; --skip-smtp-test saves anyway; once the server knows the login, add works."""
    user = dovecot.add_user()
    shop = Shop(tmp_path / "config", keyring_session, dovecot, smtp_server, user)
    name = f"smtp-{user.username}"  # the keyring session is shared by the tests
    refused = shop.add(name)  # the SMTP server does not know this login yet
    assert refused.returncode == 1
    [line] = refused.stderr.strip().splitlines()
    assert line.startswith("ippo: the inbox works, but sending through")
    assert "--skip-smtp-test" in line and "Traceback" not in line and "b'" not in line
    assert shop.run("account", "list", "--json").stdout.strip() == "[]"
    assert f"{name}:imap" not in keyring_session.stored_secrets()

    skipped = shop.run(
        *("account", "add", "--name", f"skipped-{user.username}", "--email", user.email),
        *("--imap-host", dovecot.host, "--imap-port", str(dovecot.imaps_port)),
        *("--username", user.username, "--ca-file", dovecot.ca_file),
        *("--smtp-host", smtp_server.host, "--smtp-port", str(smtp_server.port)),
        *("--skip-smtp-test", "--password-stdin"),
        stdin=user.password + "\n",
    )
    assert skipped.returncode == 0, skipped.stderr

    smtp_server.add_user(user.username, user.password)
    added = shop.add(name)
    assert added.returncode == 0, added.stderr


def test_the_name_shown_to_customers_and_the_signatures_are_set_from_the_cli(
    decided: tuple[Shop, dict[str, tuple[str, str, str | None]]],
) -> None:
    """`ippo account set` edits what customers see, in place: the next first word (a real
    `ippo ack` through the real SMTP server) carries the name in From and the signature of
    its language; nothing the user decided is touched."""
    shop, before = decided
    changed = shop.run(
        *("account", "set", "shop", "--display-name", "Ippo Shop, Suzuki"),
        *("--signature-ja", "一報商店 鈴木", "--signature-en", "--\nIppo Shop\nSuzuki"),
    )
    assert changed.returncode == 0, changed.stderr
    account = json.loads(shop.run("account", "list", "--json").stdout)[0]
    assert account["display_name"] == "Ippo Shop, Suzuki"
    assert account["signature_en"] == "--\nIppo Shop\nSuzuki"
    assert shop.view() == before

    [waiting] = [i["id"] for i in shop.pending() if i["subject"] == "still waiting"]
    sent = shop.run("ack", waiting, "--promise", "2d")
    assert sent.returncode == 0, sent.stderr
    message = email.message_from_bytes(shop.smtp.accepted[-1].data, policy=policy.default)
    assert message["From"].addresses[0].display_name == "Ippo Shop, Suzuki"
    assert message["From"].addresses[0].addr_spec == shop.user.email
    body = message.get_content().replace("\r\n", "\n").rstrip()
    assert body.endswith("--\nIppo Shop\nSuzuki") and "一報商店" not in body

    cleared = shop.run("account", "set", "shop", "--display-name", "", "--signature-en", "")
    assert cleared.returncode == 0, cleared.stderr
    account = json.loads(shop.run("account", "list", "--json").stdout)[0]
    assert account["display_name"] == "" and account["signature_en"] == ""
