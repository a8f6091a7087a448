"""`ippo watch` end to end: a real subprocess with the real Secret Service, against the real
Dovecot, with a TCP proxy that drops or freezes the connection on demand."""

from __future__ import annotations

import json
import queue
import re
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.support import mailcorpus
from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.tcp_proxy import TcpProxy

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
Line = dict[str, Any]


class WatchProcess:
    """`ippo watch` running; every stdout line parsed as JSON with the moment it arrived."""

    def __init__(self, env: dict[str, str], config_dir: Path, *args: str) -> None:
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), "watch", *args],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            env=env,
            cwd=REPO,
        )
        self.lines: list[tuple[float, Line]] = []
        self._new: queue.Queue[None] = queue.Queue()
        self._cond = threading.Condition()
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    def _read(self) -> None:
        assert self.proc.stdout is not None
        for raw in self.proc.stdout:
            line = json.loads(raw.decode("utf-8"))  # every line must be one JSON object
            with self._cond:
                self.lines.append((time.monotonic(), line))
                self._cond.notify_all()

    def wait_for(self, predicate: Callable[[Line], bool], timeout: float, what: str) -> Line:
        """The first line from now on (or the latest one already there) that matches."""
        deadline = time.monotonic() + timeout
        with self._cond:
            seen = max(0, len(self.lines) - 1)
            while True:
                for _, line in self.lines[seen:]:
                    if predicate(line):
                        return line
                seen = len(self.lines)
                left = deadline - time.monotonic()
                if left <= 0 or self.proc.poll() is not None:
                    last = self.lines[-1][1] if self.lines else None
                    raise AssertionError(f"no line with {what} within {timeout}s; last: {last}")
                self._cond.wait(min(left, 0.2))

    def arrival_of(self, line: Line) -> float:
        with self._cond:
            return next(t for t, seen in self.lines if seen is line)

    def stop(self, sig: int = signal.SIGINT) -> float:
        """Signal it and return how long it took to exit (asserting exit status 0)."""
        started = time.monotonic()
        self.proc.send_signal(sig)
        code = self.proc.wait(timeout=10)
        took = time.monotonic() - started
        assert self.proc.stderr is not None
        stderr = self.proc.stderr.read().decode(errors="replace")
        assert code == 0, f"exit {code}: {stderr}"
        assert "Traceback" not in stderr, stderr
        return took

    def kill(self) -> None:
        if self.proc.poll() is None:
            self.proc.kill()
            self.proc.wait(timeout=5)


@pytest.fixture
def env(keyring_session: Any) -> dict[str, str]:
    merged: dict[str, str] = keyring_session.subprocess_env()
    merged.pop("IPPO_CONFIG_DIR", None)
    return merged


@pytest.fixture
def watch(env: dict[str, str], tmp_path: Path) -> Iterator[Callable[..., WatchProcess]]:
    running: list[WatchProcess] = []

    def start(*args: str) -> WatchProcess:
        process = WatchProcess(env, tmp_path / "config", *args)
        running.append(process)
        return process

    yield start
    for process in running:
        process.kill()


def add_account(
    env: dict[str, str],
    config_dir: Path,
    dovecot: DovecotServer,
    user: DovecotUser,
    *,
    host: str | None = None,
    port: int | None = None,
) -> str:
    done = subprocess.run(
        [
            sys.executable,
            "-m",
            "trayapp",
            "--config-dir",
            str(config_dir),
            "account",
            "add",
            "--name",
            user.username,
            "--email",
            user.email,
            "--imap-host",
            host or dovecot.host,
            "--imap-port",
            str(port or dovecot.imaps_port),
            "--username",
            user.username,
            "--ca-file",
            dovecot.ca_file,
            "--password-stdin",
        ],
        input=user.password + "\n",
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    return user.username


def pending_json(env: dict[str, str], config_dir: Path) -> list[Line]:
    done = subprocess.run(
        [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), "pending", "--json"],
        capture_output=True,
        text=True,
        encoding="utf-8",
        env=env,
        cwd=REPO,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr
    result: list[Line] = json.loads(done.stdout)
    return result


def state_of(line: Line, account: str) -> str:
    return str(line["accounts"][account]["state"])


def ids(line: Line) -> list[str | None]:
    return [p["message_id"] for p in line["pending"]]


def auth_failures(server: DovecotServer, user: DovecotUser) -> int:
    pattern = re.compile(rf"auth failed.*user=<{re.escape(user.username)}>", re.IGNORECASE)
    text = server.log_path.read_text(errors="replace")
    return sum(1 for line in text.splitlines() if pattern.search(line))


# --------------------------------------------------------------------------- tests


def test_watch_follows_delivery_sent_reply_and_answered_flag(
    dovecot: DovecotServer,
    env: dict[str, str],
    tmp_path: Path,
    watch: Callable[..., WatchProcess],
) -> None:
    user = dovecot.add_user()
    config = tmp_path / "config"
    name = add_account(env, config, dovecot, user)
    dovecot.append(user, "Sent", mailcorpus.our_reply(from_addr=user.email), flags=[b"\\Seen"])
    w = watch("--sent-interval", "1")

    first = w.wait_for(lambda _: True, 30, "a first line")
    assert set(first) >= {"at", "pending", "accounts", "next_due_at"}
    w.wait_for(lambda ln: state_of(ln, name) == "connected", 30, "connected")

    ja_id, en_id = mailcorpus.new_message_id(), mailcorpus.new_message_id()
    delivered = time.monotonic()
    dovecot.deliver(user, mailcorpus.japanese_iso2022jp_inquiry(to=user.email, message_id=ja_id))
    line = w.wait_for(lambda ln: ids(ln) == [ja_id], 5, "the delivered inquiry")
    delay = w.arrival_of(line) - delivered
    # Dovecot itself pushes ~0.5 s after delivery (bench_watch measures the floor); the
    # bound leaves room for a loaded CI machine.
    assert delay < 2.0, f"{delay:.2f}s from LMTP delivery to the watch line"
    item = line["pending"][0]
    assert item["subject"] == mailcorpus.JA_SUBJECT
    assert item["sender"] == f"{mailcorpus.JA_CUSTOMER_NAME} <takahashi@example.test>"
    assert line["next_due_at"] == item["due_at"]
    received = datetime.fromisoformat(item["received_at"])
    assert abs((received - datetime.now(UTC)).total_seconds()) < 30
    assert datetime.fromisoformat(item["due_at"]) - received == timedelta(hours=24)

    dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email, message_id=en_id))
    line = w.wait_for(lambda ln: len(ln["pending"]) == 2, 5, "two waiting")
    # The very same objects `ippo pending --json` prints.
    assert line["pending"] == pending_json(env, config)

    # A reply written on another device lands in Sent (References only): the inquiry leaves.
    dovecot.append(
        user,
        "Sent",
        mailcorpus.our_reply_references_only(from_addr=user.email, references=[ja_id]),
        flags=[b"\\Seen"],
    )
    w.wait_for(lambda ln: ids(ln) == [en_id], 5, "the Sent reply removing the first")

    # Another client sets \Answered on the second.
    with dovecot.session(user) as other:
        other.select_folder("INBOX")
        other.add_flags(other.search(["HEADER", "Message-ID", en_id]), [b"\\Answered"])
    flagged = time.monotonic()
    line = w.wait_for(lambda ln: ln["pending"] == [], 5, "\\Answered removing the second")
    assert w.arrival_of(line) - flagged < 2.0
    assert line["next_due_at"] is None

    took = w.stop(signal.SIGINT)
    assert took < 3.0, f"took {took:.1f}s to exit"


def test_watch_goes_retrying_then_connected_across_a_dovecot_restart(
    dovecot_factory: Callable[..., DovecotServer],
    env: dict[str, str],
    tmp_path: Path,
    watch: Callable[..., WatchProcess],
) -> None:
    server = dovecot_factory()
    user = server.add_user()
    name = add_account(env, tmp_path / "config", server, user)
    before, during = mailcorpus.new_message_id(), mailcorpus.new_message_id()
    server.deliver(user, mailcorpus.english_inquiry(to=user.email, message_id=before))
    w = watch()
    w.wait_for(lambda ln: state_of(ln, name) == "connected" and ids(ln) == [before], 30, "scan")

    server.stop()
    line = w.wait_for(lambda ln: state_of(ln, name) == "retrying", 30, "retrying")
    health = line["accounts"][name]
    assert health["next_try_at"] and health["text"].startswith("retrying (next try at")
    assert ids(line) == [before]  # the last known list stays, marked not covered
    assert line["covered"] is False

    server.start()
    server.deliver(user, mailcorpus.shift_jis_inquiry(to=user.email, message_id=during))
    line = w.wait_for(
        lambda ln: state_of(ln, name) == "connected" and len(ln["pending"]) == 2, 20, "back"
    )
    assert sorted(ids(line)) == sorted([before, during])  # nothing lost, nothing twice
    w.stop(signal.SIGTERM)


@pytest.mark.parametrize("cut", ["drop", "freeze"])
def test_watch_recovers_from_a_cut_connection(
    cut: str,
    dovecot: DovecotServer,
    env: dict[str, str],
    tmp_path: Path,
    watch: Callable[..., WatchProcess],
) -> None:
    user = dovecot.add_user()
    proxy = TcpProxy(dovecot.host, dovecot.imaps_port)
    try:
        name = add_account(
            env, tmp_path / "config", dovecot, user, host="127.0.0.1", port=proxy.port
        )
        keepalive, timeout = 3.0, 2.0
        w = watch("--keepalive", str(keepalive), "--timeout", str(timeout))
        w.wait_for(lambda ln: state_of(ln, name) == "connected", 30, "connected")
        cut_at = time.monotonic()
        if cut == "drop":
            proxy.drop()
        else:
            proxy.freeze()
        line = w.wait_for(lambda ln: state_of(ln, name) != "connected", 15, "noticing the cut")
        noticed = w.arrival_of(line) - cut_at
        assert noticed <= keepalive + timeout + 1.0, f"noticed after {noticed:.1f}s"
        if cut == "freeze":
            proxy.thaw()
        message_id = mailcorpus.new_message_id()
        dovecot.deliver(user, mailcorpus.english_inquiry(to=user.email, message_id=message_id))
        w.wait_for(
            lambda ln: state_of(ln, name) == "connected" and ids(ln) == [message_id],
            20,
            "recovered with the new mail",
        )
        w.stop()
    finally:
        proxy.close()


def test_watch_wrong_password_is_an_error_and_does_not_hammer_the_server(
    dovecot: DovecotServer,
    env: dict[str, str],
    tmp_path: Path,
    watch: Callable[..., WatchProcess],
) -> None:
    user = dovecot.add_user()
    good = dovecot.add_user()
    config = tmp_path / "config"
    name = add_account(env, config, dovecot, user)
    other = add_account(env, config, dovecot, good)
    dovecot.set_password(user, "changed-on-the-server")  # the keyring now holds a stale one
    w = watch("--keepalive", "1", "--timeout", "1")
    line = w.wait_for(lambda ln: state_of(ln, name) == "error", 15, "error")
    assert "login failed" in line["accounts"][name]["text"]
    w.wait_for(lambda ln: state_of(ln, other) == "connected", 30, "the other account connected")
    time.sleep(8.0)  # a retrying watcher would have tried 3-4 times by now (1 s, 2 s, 4 s)
    assert auth_failures(dovecot, user) == 1
    states = {state_of(ln, name) for _, ln in w.lines}
    assert "retrying" not in states and "error" in states
    # The other account is not held up: its mail still arrives live.
    dovecot.deliver(good, mailcorpus.english_inquiry(to=good.email))
    w.wait_for(lambda ln: len(ln["pending"]) == 1, 5, "the good account's mail")
    w.stop()


def test_watch_waybar_lines(
    dovecot: DovecotServer,
    env: dict[str, str],
    tmp_path: Path,
    watch: Callable[..., WatchProcess],
) -> None:
    user = dovecot.add_user()
    add_account(env, tmp_path / "config", dovecot, user)
    # Arrived 21 h ago: 3 h left of the 24 h window, inside the 4 h warning lead.
    dovecot.append(
        user,
        "INBOX",
        mailcorpus.english_inquiry(to=user.email),
        internaldate=datetime.now(UTC) - timedelta(hours=21),
    )
    w = watch("--format", "waybar", "--heartbeat", "1")
    line = w.wait_for(lambda ln: ln.get("class") == "warning", 30, "warning class")
    assert set(line) == {"text", "tooltip", "class"}
    # The first line comes while the inbox is still connecting: never the red error class.
    classes = [ln.get("class") for _at, ln in w.lines]
    assert classes[0] == "connecting" and "error" not in classes, classes
    assert re.fullmatch(r"1 · 2h5\dm", line["text"]), line["text"]
    assert "Jane Miller" in line["tooltip"]
    # The heartbeat: lines keep coming while nothing changes.
    count = len(w.lines)
    time.sleep(2.5)
    assert len(w.lines) >= count + 2
    w.stop()


def test_watch_waybar_shows_error_when_an_inbox_is_not_covered(
    dovecot: DovecotServer,
    env: dict[str, str],
    tmp_path: Path,
    watch: Callable[..., WatchProcess],
) -> None:
    user = dovecot.add_user()
    add_account(env, tmp_path / "config", dovecot, user)
    dovecot.set_password(user, "no-longer-this")
    w = watch("--format", "waybar")
    line = w.wait_for(lambda ln: ln.get("class") == "error", 15, "error class")
    assert "NOT covered" in line["tooltip"]
    w.stop(signal.SIGTERM)
