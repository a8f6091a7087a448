"""Issue 9: code in the folder Ippo is started from never runs with the user's passwords. The
keyring helper was once started with `python -c`, which puts the working directory first on
sys.path, so a planted `trayapp/desktop/secrets.py` there ran and saw every password. Now
the installed entry point runs, and the keyring is used in-process."""

from __future__ import annotations

import socket
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.keyring_session import KeyringSession
from trayapp.config import ConfigStore
from trayapp.core.model import AccountConfig
from trayapp.desktop.secrets import KeyringSecretStore, forget_account

pytestmark = pytest.mark.integration


def test_a_package_planted_in_the_working_folder_never_runs(
    tmp_path: Path, secret_env: KeyringSession
) -> None:
    marker = tmp_path / "planted-code-ran"
    where = tmp_path / "downloads"
    planted = where / "trayapp" / "desktop"
    planted.mkdir(parents=True)
    code = f"open({str(marker)!r}, 'a').write(__name__ + '\\n')\n"
    for name in (
        "trayapp/__init__.py",
        "trayapp/desktop/__init__.py",
        "trayapp/desktop/secrets.py",
    ):
        (where / name).write_text(code)
    (where / "keyring.py").write_text(code)  # and the keyring package's name, too
    with socket.socket() as probe:  # a port nobody listens on: the scan fails after the keyring
        probe.bind(("127.0.0.1", 0))
        port = int(probe.getsockname()[1])
    config_dir = tmp_path / "config"
    account = AccountConfig(
        name="planted", email="shop@example.test", imap_host="127.0.0.1", imap_port=port
    )
    ConfigStore(config_dir).add_account(account)
    KeyringSecretStore().set_password(account.name, "secret-pw")
    entry_point = Path(sys.executable).parent / "ippo"  # what ~/.local/bin/ippo links to
    try:
        done = subprocess.run(
            [str(entry_point), "--config-dir", str(config_dir), "pending"],
            cwd=where,
            capture_output=True,
            text=True,
            env=secret_env.subprocess_env(),
            timeout=120,
        )
    finally:
        forget_account(KeyringSecretStore(), account.name)
    assert done.returncode == 1, done.stderr  # the keyring answered; the server did not
    assert "no password" not in done.stderr and "Traceback" not in done.stderr
    assert not marker.exists(), marker.read_text()
