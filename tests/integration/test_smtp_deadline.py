"""A dripping SMTP server (tests/support/scripted_smtp.py: one byte every few seconds, which
no read timeout ever trips) cannot hang an acknowledgement: one overall deadline covers the
DNS lookup, connect, EHLO, STARTTLS, AUTH and DATA; Ctrl-C ends `ippo ack` at once; and the
journal stays honest -- "not sent" before the message was handed over, "may have been sent"
after, and never sent twice."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest

from tests.support.ippo_cli import REPO
from tests.support.keyring_session import KeyringSession
from tests.support.scripted_smtp import DripFrom, ScriptedSmtpServer, SmtpScript, scripted_smtp
from trayapp.config import ConfigStore
from trayapp.core.model import AccountConfig, Inquiry
from trayapp.desktop.secrets import KeyringSecretStore, forget_account
from trayapp.mail.smtp import OutcomeUnknown, send_message
from trayapp.mail.transport import ServerLimits, ServerTooSlow
from trayapp.store.db import StateStore

pytestmark = pytest.mark.integration

DEADLINE = 3  # seconds: settings.server_limits.send_seconds in these tests
DRIP = 2.0  # seconds between two bytes: far inside any read timeout


def account_for(server: object, **changes: object) -> AccountConfig:
    return AccountConfig(
        name=str(changes.pop("name", "shop")),
        email="shop@example.test",
        imap_host="127.0.0.1",
        imap_port=closed_port(),  # Sent cannot be checked: nothing is ever sent twice anyway
        imap_security="ssl",
        **server.account_fields(),  # type: ignore[attr-defined]
        **changes,  # type: ignore[arg-type]
    )


def closed_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def waiting_inquiry(account: str) -> Inquiry:
    received = datetime.now(UTC) - timedelta(hours=2)
    return Inquiry(
        id=f"{account}-item",
        account=account,
        folder="INBOX",
        uidvalidity=7,
        uid=1,
        message_id="question@customer.example",
        sender="Customer <customer@customer.example>",
        sender_addr="customer@customer.example",
        subject="Question about my order",
        received_at=received,
        due_at=received + timedelta(hours=24),
        preview="Hello, where is my order?",
    )


def prepare(config_dir: Path, account: AccountConfig, send_seconds: float) -> str:
    """A config with `account`, its password in the keyring and one waiting inquiry."""
    config = ConfigStore(config_dir)
    config.add_account(account)
    config.update_settings(server_limits={"send_seconds": send_seconds})
    KeyringSecretStore().set_password(account.name, "pw")
    inquiry = waiting_inquiry(account.name)
    with StateStore(config_dir) as store:
        store.record_scan(account.name, [inquiry], datetime.now(UTC))
    return inquiry.id


def start_ack(env: dict[str, str], config_dir: Path, item: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), "ack", item],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
        cwd=REPO,
    )


def finish(proc: subprocess.Popen[str], within: float) -> tuple[int, str]:
    """The exit status and stderr; the test fails (not hangs) when it takes past `within`."""
    try:
        _out, err = proc.communicate(timeout=within)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.communicate()
        pytest.fail(f"ippo ack still ran after {within} s")
    return proc.returncode, err


def journal(config_dir: Path, item: str) -> list[tuple[str, bool, str]]:
    """(state, claimed, error) of each acknowledgement of `item`."""
    with StateStore(config_dir) as store:
        return [
            (a.state.value, a.attempted_at is not None, a.error or "")
            for a in store.acks(item_id=item)
        ]


@pytest.fixture
def config_dir(tmp_path: Path) -> Iterator[Path]:
    folder = tmp_path / "config"
    folder.mkdir()
    yield folder


def ack_against(
    tmp_path: Path, config_dir: Path, env: dict[str, str], drip_from: DripFrom, name: str
) -> tuple[int, str, str, int]:
    """`ippo ack` against a server dripping from `drip_from`: (exit, stderr, item, messages)."""
    script = SmtpScript(drip_from=drip_from, drip_interval=DRIP, lifetime=40)
    with scripted_smtp(tmp_path / "smtp", script) as server:
        account = account_for(server, name=name)
        item = prepare(config_dir, account, DEADLINE)
        try:
            code, err = finish(start_ack(env, config_dir, item), within=40)
        finally:
            forget_account(KeyringSecretStore(), account.name)
        return code, err, item, server.messages


def send_one(server: ScriptedSmtpServer) -> str:
    return send_message(
        account_for(server),
        "pw",
        "shop@example.test",
        ["customer@customer.example"],
        b"Subject: hi\r\n\r\nhello\r\n",
        limits=ServerLimits(send_seconds=DEADLINE),
    )


def test_send_message_ends_at_its_deadline_and_names_the_server(tmp_path: Path) -> None:
    script = SmtpScript(drip_from="ehlo", drip_interval=DRIP, lifetime=30)
    with scripted_smtp(tmp_path, script) as server:
        with pytest.raises(ServerTooSlow) as caught:
            send_one(server)
        assert server.messages == 0
    assert f"within {DEADLINE} s" in str(caught.value)
    assert f"{server.host}:{server.port}" in str(caught.value)


def test_a_deadline_after_the_message_was_handed_over_is_an_unknown_outcome(
    tmp_path: Path,
) -> None:
    script = SmtpScript(drip_from="accepted", drip_interval=DRIP, lifetime=30)
    with scripted_smtp(tmp_path, script) as server:
        with pytest.raises(OutcomeUnknown) as caught:
            send_one(server)
        assert server.messages == 1
    assert "may have been sent" in str(caught.value)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_ack_against_a_server_dripping_before_data_ends_and_says_not_sent(
    tmp_path: Path, config_dir: Path, secret_env: KeyringSession, language: str
) -> None:
    env = {**secret_env.subprocess_env(), "IPPO_LANGUAGE": language}
    code, err, item, messages = ack_against(tmp_path, config_dir, env, "data", f"drip{language}")
    assert code == 1, err
    assert "Traceback" not in err and "ServerTooSlow" not in err and "b'" not in err
    if language == "ja":  # a plain sentence, then the server's own words for support
        assert "ippo: 一報は送信されていません: 127.0.0.1 の応答が遅すぎる" in err
    else:
        assert "ippo: acknowledgement not sent: The server 127.0.0.1 answered too slowly" in err
    assert f"within {DEADLINE} s" in err
    assert messages == 0
    [(state, claimed, _error)] = journal(config_dir, item)
    assert (state, claimed) == ("failed", False)  # never handed over: certainly not sent


def test_ack_whose_acceptance_drips_is_unknown_and_never_sent_twice(
    tmp_path: Path, config_dir: Path, secret_env: KeyringSession
) -> None:
    env = secret_env.subprocess_env()
    script = SmtpScript(drip_from="accepted", drip_interval=DRIP, lifetime=40)
    with scripted_smtp(tmp_path / "smtp", script) as server:
        account = account_for(server, name="dripaccept")
        item = prepare(config_dir, account, DEADLINE)
        try:
            code, err = finish(start_ack(env, config_dir, item), within=40)
            assert code == 1, err
            assert "may have been sent" in err and "--retry" in err
            [(state, claimed, error)] = journal(config_dir, item)
            assert (state, claimed) == ("failed", True) and "may have been sent" in error
            again, err_again = finish(start_ack(env, config_dir, item), within=40)
        finally:
            forget_account(KeyringSecretStore(), account.name)
        assert server.messages == 1  # the second run looked for it; it did not send again
    assert again == 1 and "Traceback" not in err_again
    assert [(s, c) for s, c, _e in journal(config_dir, item)] == [("failed", True)]


@pytest.mark.parametrize(
    ("stop", "status"), [(signal.SIGINT, 130), (signal.SIGTERM, 143)], ids=["ctrl-c", "sigterm"]
)
@pytest.mark.parametrize("drip_from", ["greeting", "auth"])
def test_ctrl_c_ends_ack_at_once_while_a_server_drips(
    tmp_path: Path,
    config_dir: Path,
    secret_env: KeyringSession,
    drip_from: DripFrom,
    stop: signal.Signals,
    status: int,
) -> None:
    """Ctrl-C, and SIGTERM (a session ending, `kill`), end `ippo ack` within 2 s while the
    server drips: 130 / 143, one "ippo: interrupted", no traceback, the journal "not sent"."""
    env = secret_env.subprocess_env()
    script = SmtpScript(drip_from=drip_from, drip_interval=DRIP, lifetime=60)
    with scripted_smtp(tmp_path / "smtp", script) as server:
        account = account_for(server, name=f"int{drip_from}")
        item = prepare(config_dir, account, 300)  # only the signal can end it early
        try:
            proc = start_ack(env, config_dir, item)
            for _ in range(300):  # until the server is dripping (or 30 s)
                if server.connections and (drip_from == "greeting" or server.count("AUTH")):
                    break
                time.sleep(0.1)
            time.sleep(DRIP / 2)  # well inside a dripped answer
            proc.send_signal(stop)
            code, err = finish(proc, within=2 + 3)  # 2 s, and slack for a loaded machine
        finally:
            forget_account(KeyringSecretStore(), account.name)
        assert server.messages == 0
    assert code == status, err
    assert err.count("ippo: interrupted") == 1 and "Traceback" not in err, err
    [(state, claimed, error)] = journal(config_dir, item)
    assert (state, claimed) == ("failed", False) and "before it was sent" in error


class StalledDns:
    """A DNS server on a loopback address that reads every question and never answers."""

    def __init__(self, address: str) -> None:
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self.sock.bind((address, 53))
        self.sock.settimeout(0.2)
        self.questions = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._listen, daemon=True)
        self._thread.start()

    def _listen(self) -> None:
        while not self._stop.is_set():
            try:
                self.sock.recvfrom(4096)
            except TimeoutError:
                continue
            except OSError:
                return
            self.questions += 1

    def close(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self.sock.close()


def test_the_dns_lookup_counts_inside_the_send_deadline(
    tmp_path: Path, config_dir: Path, secret_env: KeyringSession
) -> None:
    """`ippo ack` in its own mount namespace whose /etc/resolv.conf names a DNS server that
    never answers (the resolver would wait 30 s): the deadline ends it, not the resolver."""
    assert os.geteuid() == 0, "tests/run.sh runs the tests as root (mount namespaces)"
    dns = StalledDns("127.0.0.77")
    resolv = tmp_path / "resolv.conf"
    resolv.write_text("nameserver 127.0.0.77\noptions timeout:30 attempts:1\n")
    env = secret_env.subprocess_env()
    script = SmtpScript(lifetime=30)
    try:
        with scripted_smtp(tmp_path / "smtp", script) as server:
            account = replace(account_for(server, name="slowdns"), smtp_host="smtp.stalled.test")
            item = prepare(config_dir, account, DEADLINE)
            command = [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir)]
            try:
                proc = subprocess.Popen(
                    [
                        "unshare",
                        "--mount",
                        "sh",
                        "-c",
                        'mount --bind "$0" /etc/resolv.conf && exec "$@"',
                        str(resolv),
                        *command,
                        "ack",
                        item,
                    ],
                    stdout=subprocess.PIPE,
                    stderr=subprocess.PIPE,
                    text=True,
                    env=env,
                    cwd=REPO,
                )
                code, err = finish(proc, within=20)  # the resolver alone would take 30 s
            finally:
                forget_account(KeyringSecretStore(), account.name)
    finally:
        dns.close()
    assert dns.questions >= 1  # the lookup really went to the stalled server
    assert code == 1, err
    assert f"within {DEADLINE} s" in err and "Traceback" not in err
    [(state, claimed, _error)] = journal(config_dir, item)
    assert (state, claimed) == ("failed", False)
