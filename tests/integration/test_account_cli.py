"""`ippo account add | list | remove` run as a real process, against the real Dovecot and a real
gnome-keyring on a private D-Bus session bus."""

from __future__ import annotations

import base64
import json
import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.dovecot import DovecotServer, DovecotUser, free_port
from tests.support.keyring_session import KeyringSession

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]
# Spaces inside are part of the password: only the line end may be stripped from stdin.
PASSWORD = "Ippo s3cret-Zq9 xY"


def ippo(
    session: KeyringSession, config_dir: Path, *args: str, password: str | None = None
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), *args],
        input=None if password is None else password + "\n",
        capture_output=True,
        text=True,
        cwd=REPO,
        env=session.subprocess_env(),
        timeout=120,
    )


def add_args(dovecot: DovecotServer, user: DovecotUser, name: str, *extra: str) -> list[str]:
    return [
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
    ]


def assert_one_line_error(result: subprocess.CompletedProcess[str]) -> str:
    assert result.returncode == 1, result
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("ippo: "), result.stderr
    assert "Traceback" not in result.stderr
    return lines[0]


def saved_accounts(config_dir: Path) -> list[str]:
    path = config_dir / "config.json"
    if not path.exists():
        return []
    return [a["name"] for a in json.loads(path.read_text())["accounts"]]


def assert_password_nowhere(config_dir: Path, password: str) -> list[str]:
    """No file in the config folder holds the password (plain, UTF-16 or base64)."""
    needles = [password.encode(), password.encode("utf-16-le"), base64.b64encode(password.encode())]
    checked = []
    for path in sorted(config_dir.rglob("*")):
        if path.is_file():
            data = path.read_bytes()
            for needle in needles:
                assert needle not in data, f"the password is in {path}"
            checked.append(path.name)
    return checked


@pytest.fixture
def user(dovecot: DovecotServer) -> DovecotUser:
    return dovecot.add_user(password=PASSWORD)


@pytest.fixture
def config_dir(tmp_path: Path) -> Path:
    return tmp_path / "ippo-config"  # does not exist yet: ippo creates it


def test_add_tests_login_then_keeps_password_only_in_the_keyring(
    dovecot: DovecotServer, user: DovecotUser, keyring_session: KeyringSession, config_dir: Path
) -> None:
    name = f"shop-{user.username}"
    result = ippo(
        keyring_session,
        config_dir,
        *add_args(dovecot, user, name, "--window-hours", "12", "--lookback-days", "3"),
        password=PASSWORD,
    )
    assert result.returncode == 0, result.stderr
    assert name in result.stdout

    assert keyring_session.stored_secrets()[f"{name}:imap"] == PASSWORD

    listed = ippo(keyring_session, config_dir, "account", "list", "--json")
    assert listed.returncode == 0, listed.stderr
    [account] = json.loads(listed.stdout)
    assert account["name"] == name and account["email"] == user.email
    assert account["imap_port"] == dovecot.imaps_port and account["imap_security"] == "ssl"
    assert account["window_hours"] == 12 and account["lookback_days"] == 3
    assert account["ca_file"] == str(Path(dovecot.ca_file).resolve())
    assert not any("pass" in key.lower() for key in account)

    text = ippo(keyring_session, config_dir, "account", "list")
    assert text.returncode == 0 and name in text.stdout and user.email in text.stdout

    # Use the account for real (fills the state database and the log), then search every file.
    dovecot.deliver(user, b"From: Customer <c@example.org>\r\nSubject: hello\r\n\r\nHi\r\n")
    pending = ippo(keyring_session, config_dir, "pending", "--json")
    assert pending.returncode == 0, pending.stderr
    assert [item["subject"] for item in json.loads(pending.stdout)] == ["hello"]

    checked = assert_password_nowhere(config_dir, PASSWORD)
    assert {"config.json", "state.sqlite3", "ippo.log"} <= set(checked)
    assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    for path in config_dir.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path
    assert PASSWORD not in result.stdout + result.stderr + pending.stdout + pending.stderr


def test_starttls_and_smtp_options_are_saved(
    dovecot: DovecotServer, user: DovecotUser, keyring_session: KeyringSession, config_dir: Path
) -> None:
    name = f"tls-{user.username}"
    args = add_args(dovecot, user, name, "--imap-security", "starttls")
    args[args.index("--imap-port") + 1] = str(dovecot.imap_port)
    args[-1:-1] = ["--smtp-host", "smtp.example.test", "--smtp-security", "starttls"]
    args[-1:-1] = ["--smtp-username", "mailer", "--skip-smtp-test"]  # no such server
    result = ippo(keyring_session, config_dir, *args, password=PASSWORD)
    assert result.returncode == 0, result.stderr
    [account] = json.loads(ippo(keyring_session, config_dir, "account", "list", "--json").stdout)
    assert account["imap_security"] == "starttls" and account["imap_port"] == dovecot.imap_port
    assert account["smtp_host"] == "smtp.example.test"
    assert account["smtp_port"] == 587 and account["smtp_security"] == "starttls"
    assert account["smtp_username"] == "mailer"


@pytest.mark.parametrize(
    "problem", ["wrong-password", "closed-port", "untrusted-certificate", "unknown-host"]
)
def test_a_failing_login_saves_nothing(
    dovecot: DovecotServer,
    user: DovecotUser,
    keyring_session: KeyringSession,
    config_dir: Path,
    problem: str,
) -> None:
    name = f"bad-{problem}-{user.username}"
    args = add_args(dovecot, user, name)
    password = PASSWORD
    if problem == "wrong-password":
        password = "not the password"
    elif problem == "closed-port":
        args[args.index("--imap-port") + 1] = str(free_port(dovecot.host))
    elif problem == "untrusted-certificate":
        at = args.index("--ca-file")
        del args[at : at + 2]
    else:
        args[args.index("--imap-host") + 1] = "no-such-host.invalid"
    result = ippo(keyring_session, config_dir, *args, password=password)
    line = assert_one_line_error(result)
    assert password not in line
    assert saved_accounts(config_dir) == []
    assert f"{name}:imap" not in keyring_session.stored_secrets()
    if config_dir.exists():
        assert_password_nowhere(config_dir, password)


def test_wrong_password_message_says_so(
    dovecot: DovecotServer, user: DovecotUser, keyring_session: KeyringSession, config_dir: Path
) -> None:
    result = ippo(keyring_session, config_dir, *add_args(dovecot, user, "x"), password="nope nope")
    line = assert_one_line_error(result)
    assert dovecot.host in line
    assert any(word in line.lower() for word in ("password", "authentication", "login"))


@pytest.mark.parametrize("which", ["no-keyring", "locked-keyring"])
def test_no_usable_keyring_saves_nothing(
    dovecot: DovecotServer,
    user: DovecotUser,
    no_keyring_session: KeyringSession,
    locked_keyring_session: KeyringSession,
    config_dir: Path,
    which: str,
) -> None:
    session = no_keyring_session if which == "no-keyring" else locked_keyring_session
    result = ippo(session, config_dir, *add_args(dovecot, user, "shop"), password=PASSWORD)
    line = assert_one_line_error(result)
    assert "keyring" in line and "nothing was saved" in line
    assert saved_accounts(config_dir) == []
    if config_dir.exists():
        assert_password_nowhere(config_dir, PASSWORD)
    # nothing anywhere on disk in the session's home either (no plaintext fallback file)
    for path in session.base.rglob("*"):
        if path.is_file() and not path.is_socket():
            assert PASSWORD.encode() not in path.read_bytes(), path


def test_a_locked_keyring_is_a_japanese_sentence_in_japanese(
    locked_keyring_session: KeyringSession, config_dir: Path
) -> None:
    """`account remove` and `pending` said the keyring's English words inside a Japanese
    line; now the plain sentence of core.failures in the command line's language."""
    from trayapp.config import ConfigStore
    from trayapp.core.model import AccountConfig

    ConfigStore(config_dir).add_account(
        AccountConfig(name="shop", email="shop@example.jp", imap_host="127.0.0.1", imap_port=1)
    )
    env = locked_keyring_session.subprocess_env(IPPO_LANGUAGE="ja")
    said = {}
    for command in (("account", "remove", "shop"), ("pending",)):
        done = subprocess.run(
            [sys.executable, "-m", "trayapp", "--config-dir", str(config_dir), *command],
            capture_output=True,
            text=True,
            cwd=REPO,
            env=env,
            timeout=120,
        )
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        said[command[0]] = done.stderr.splitlines()[0]
    locked = "OSのキーリングが使えません（ロック中か未導入）。ロックを解除してから"
    assert said["account"].startswith("ippo: " + locked), said
    assert said["account"].endswith("（アカウントは削除していません）"), said
    assert said["pending"].startswith("ippo: account 'shop': " + locked), said
    assert saved_accounts(config_dir) == ["shop"]


def test_duplicate_name_is_refused_and_the_first_stays(
    dovecot: DovecotServer, user: DovecotUser, keyring_session: KeyringSession, config_dir: Path
) -> None:
    name = f"dup-{user.username}"
    first = ippo(keyring_session, config_dir, *add_args(dovecot, user, name), password=PASSWORD)
    assert first.returncode == 0, first.stderr
    before = (config_dir / "config.json").read_bytes()
    again = ippo(keyring_session, config_dir, *add_args(dovecot, user, name), password="other")
    assert "already exists" in assert_one_line_error(again)
    assert (config_dir / "config.json").read_bytes() == before
    assert keyring_session.stored_secrets()[f"{name}:imap"] == PASSWORD


def test_remove_deletes_the_keyring_entries_and_the_state(
    dovecot: DovecotServer, user: DovecotUser, keyring_session: KeyringSession, config_dir: Path
) -> None:
    keep = dovecot.add_user(password=PASSWORD + "2")
    name, other = f"rm-{user.username}", f"keep-{keep.username}"
    for who, account_name, password in ((user, name, PASSWORD), (keep, other, PASSWORD + "2")):
        result = ippo(
            keyring_session, config_dir, *add_args(dovecot, who, account_name), password=password
        )
        assert result.returncode == 0, result.stderr
    # an SMTP secret set later (e.g. in the settings) goes too
    smtp_set = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys; from trayapp.desktop.secrets import KeyringSecretStore; "
            "KeyringSecretStore().set_password(sys.argv[1], 'smtp-pw', kind='smtp')",
            name,
        ],
        env=keyring_session.subprocess_env(),
        cwd=REPO,
        check=True,
        timeout=60,
    )
    assert smtp_set.returncode == 0
    ippo(keyring_session, config_dir, "pending", "--json")  # leaves state for both
    secrets = keyring_session.stored_secrets()
    assert {f"{name}:imap", f"{name}:smtp", f"{other}:imap"} <= set(secrets)

    removed = ippo(keyring_session, config_dir, "account", "remove", name)
    assert removed.returncode == 0, removed.stderr
    secrets = keyring_session.stored_secrets()
    assert f"{name}:imap" not in secrets and f"{name}:smtp" not in secrets
    assert secrets[f"{other}:imap"] == PASSWORD + "2"
    assert saved_accounts(config_dir) == [other]

    from trayapp.store import StateStore

    with StateStore(config_dir) as store:
        assert store.last_scan_at(name) is None
        assert store.last_scan_at(other) is not None

    missing = ippo(keyring_session, config_dir, "account", "remove", name)
    assert "no account named" in assert_one_line_error(missing)


def test_list_without_accounts_and_with_a_broken_config(
    keyring_session: KeyringSession, config_dir: Path
) -> None:
    empty = ippo(keyring_session, config_dir, "account", "list", "--json")
    assert empty.returncode == 0 and json.loads(empty.stdout) == []
    assert stat.S_IMODE(config_dir.stat().st_mode) == 0o700
    (config_dir / "config.json").write_text("{ broken")
    broken = ippo(keyring_session, config_dir, "account", "list")
    assert "not valid JSON" in assert_one_line_error(broken)


def test_config_dir_from_the_environment(keyring_session: KeyringSession, tmp_path: Path) -> None:
    target = tmp_path / "from-env"
    result = subprocess.run(
        [sys.executable, "-m", "trayapp", "account", "list", "--json"],
        capture_output=True,
        text=True,
        cwd=REPO,
        env=keyring_session.subprocess_env(IPPO_CONFIG_DIR=str(target)),
        timeout=60,
    )
    assert result.returncode == 0, result.stderr
    assert target.is_dir() and (target / "ippo.log").exists()
    assert os.stat(target).st_mode & 0o077 == 0
