"""`ippo` as a real subprocess for integration tests: run a command, add an account on the
test Dovecot (the login is tested and the password goes into the test keyring)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from tests.support.dovecot import DovecotServer, DovecotUser

REPO = Path(__file__).resolve().parents[2]


def run_ippo(
    env: dict[str, str], config_dir: Path, *args: str, stdin: str | None = None
) -> subprocess.CompletedProcess[str]:
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


def add_test_account(
    env: dict[str, str],
    config_dir: Path,
    dovecot: DovecotServer,
    user: DovecotUser,
    name: str,
    *extra: str,
) -> None:
    """`ippo account add` for `user` over implicit TLS, with `extra` options; asserts exit 0."""
    done = run_ippo(
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
