"""Running the real app in the end-to-end tests: `ippo` commands and the tray app on a test
desktop's session, from the checkout (`python -m trayapp`), and an account on the test
Dovecot added the way a user would (`ippo account add --password-stdin`)."""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

from tests.support.desktop_session import Desktop
from tests.support.dovecot import DovecotServer, DovecotUser

ROOT = Path(__file__).resolve().parents[2]
APP = [sys.executable, "-m", "trayapp"]


def ippo(
    desk: Desktop, config: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run an `ippo` command on this desktop's session; the finished process."""
    return subprocess.run(
        [*APP, "--config-dir", str(config), *args],
        cwd=ROOT,
        env=desk.env(**env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def start_app(desk: Desktop, config: Path, log: str, **env: str) -> subprocess.Popen[bytes]:
    return desk.start([*APP, "--config-dir", str(config)], log, env=desk.env(**env), cwd=ROOT)


@contextlib.contextmanager
def running_app(
    desk: Desktop, config: Path, log: str, quit_within: float = 15.0, **env: str
) -> Iterator[subprocess.Popen[bytes]]:
    """The tray app for the block; SIGTERM after it, and it must exit 0."""
    app = start_app(desk, config, log, **env)
    try:
        yield app
    finally:
        app.send_signal(signal.SIGTERM)
        status = app.wait(timeout=quit_within)
    assert status == 0, desk.log(log)[-3000:]


def add_account(
    desk: Desktop, dovecot: DovecotServer, user: DovecotUser, config: Path, name: str = "shop"
) -> None:
    """`ippo account add` for the user's Dovecot account; its password goes to the keyring."""
    account = dovecot.account(user)
    added = ippo(
        desk,
        config,
        "account", "add",
        "--name", name,
        "--email", account.email,
        "--imap-host", account.imap_host,
        "--imap-port", str(account.imap_port),
        "--imap-security", account.imap_security,
        "--username", user.username,
        "--ca-file", str(account.ca_file),
        "--password-stdin",
        stdin=user.password + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr
