"""A real Secret Service for the tests: gnome-keyring on a private D-Bus session bus.

Loaded as a pytest plugin (tests/conftest.py). Everything lives in a fresh temporary directory
(HOME, XDG_*, the bus socket), so several test runs at once never share a keyring, and the
developer's own keyring is never touched. Works as root in a container without a display: the
bus is started with its own config that activates NO services (otherwise the system's
org.freedesktop.secrets.service file would start a second gnome-keyring behind our back, and
the "no keyring" case could not exist).

Three shapes, each started by `start_keyring_session(mode)`:
  "unlocked" -- gnome-keyring with a login keyring unlocked by a throwaway password;
  "locked"   -- the same, then locked; with no prompter on the bus nothing can unlock it, so
                keyring's SecretService backend raises KeyringLocked (the known trap);
  "empty"    -- gnome-keyring with no login keyring at all and nothing to create one with
                (keyring raises InitError: "prompt dismissed");
  "absent"   -- a bus with no Secret Service at all; keyring falls back to its fail backend.

Fixtures:
  keyring_session         (session) the unlocked one; `.env` holds the variables to give to a
                          subprocess (`{**os.environ, **keyring_session.env}`), `.subprocess_env()`
                          returns that merged dict.
  locked_keyring_session  (session) the locked one.
  no_keyring_session      (session) the absent one.
  secret_env / locked_secret_env / no_secret_env  (function) apply the matching env to
                          os.environ (monkeypatch) and reset keyring's cached backend, so
                          in-process `keyring` / KeyringSecretStore use that session.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

import pytest

Mode = Literal["unlocked", "locked", "empty", "absent"]

THROWAWAY_PASSWORD = "ippo-test-login-keyring"
_SECRETS_NAME = "org.freedesktop.secrets"
_START_TIMEOUT = 15.0

_BUS_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>session</type>
  <keep_umask/>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <!-- an empty service dir: nothing is ever auto-activated on this bus -->
  <servicedir>{servicedir}</servicedir>
  <policy context="default">
    <allow send_destination="*" eavesdrop="true"/>
    <allow eavesdrop="true"/>
    <allow own="*"/>
  </policy>
</busconfig>
"""


@dataclass
class KeyringSession:
    """One private session bus (and keyring daemon, unless mode is 'absent')."""

    mode: Mode
    base: Path
    env: dict[str, str]  # only the variables that point at this session
    _processes: list[subprocess.Popen[bytes]] = field(default_factory=list, repr=False)

    @property
    def bus_address(self) -> str:
        return self.env["DBUS_SESSION_BUS_ADDRESS"]

    @property
    def log_path(self) -> Path:
        return self.base / "keyring-daemon.log"

    def subprocess_env(self, **extra: str) -> dict[str, str]:
        """os.environ with this session's variables (and `extra`) on top, minus anything that
        could point keyring elsewhere."""
        merged = {
            k: v
            for k, v in os.environ.items()
            if k not in ("PYTHON_KEYRING_BACKEND", "GNOME_KEYRING_CONTROL")
        }
        merged.update(self.env)
        merged.update(extra)
        return merged

    def stored_secrets(self, service: str = "ippo") -> dict[str, str]:
        """Every secret of `service` in this keyring, by username (read over D-Bus directly,
        not through the code under test)."""
        import secretstorage
        from jeepney.io.blocking import open_dbus_connection

        with contextlib.closing(open_dbus_connection(bus=self.bus_address)) as conn:
            try:
                collection = secretstorage.get_default_collection(conn)
                found: dict[str, str] = {}
                for item in collection.search_items({"service": service}):
                    username = item.get_attributes().get("username", "")
                    found[username] = item.get_secret().decode()
            except secretstorage.exceptions.SecretServiceNotAvailableException as error:
                # The daemon went away mid-call: say how it ended and what it last logged.
                raise RuntimeError(f"{error}\n{self.describe_daemon()}") from error
            return found

    def describe_daemon(self) -> str:
        """The bus's and the keyring daemon's state and the end of their log."""
        states = ", ".join(f"{p.args[0]} exit={p.poll()}" for p in self._processes)
        try:
            tail = self.log_path.read_text(errors="replace").splitlines()[-30:]
        except OSError:
            tail = []
        return f"{states}\n--- keyring-daemon.log:\n" + "\n".join(tail)


def _free_env(base: Path) -> dict[str, str]:
    dirs = {
        "HOME": base / "home",
        "XDG_DATA_HOME": base / "data",
        "XDG_CONFIG_HOME": base / "config",
        "XDG_CACHE_HOME": base / "cache",
        "XDG_STATE_HOME": base / "state",
        "XDG_RUNTIME_DIR": base / "run",
    }
    for path in dirs.values():
        path.mkdir(mode=0o700)
    return {k: str(v) for k, v in dirs.items()}


def _child_env(session_env: dict[str, str]) -> dict[str, str]:
    env = {
        k: v
        for k, v in os.environ.items()
        if not k.startswith(("DBUS_", "XDG_", "GNOME_KEYRING")) and k != "DISPLAY"
    }
    env.update(session_env)
    return env


def _wait_for_name(address: str, name: str, proc: subprocess.Popen[bytes]) -> None:
    from jeepney import DBusAddress, new_method_call
    from jeepney.io.blocking import open_dbus_connection

    bus = DBusAddress(
        "/org/freedesktop/DBus", bus_name="org.freedesktop.DBus", interface="org.freedesktop.DBus"
    )
    deadline = time.monotonic() + _START_TIMEOUT
    with contextlib.closing(open_dbus_connection(bus=address)) as conn:
        while time.monotonic() < deadline:
            reply = conn.send_and_get_reply(new_method_call(bus, "NameHasOwner", "s", (name,)))
            if reply.body[0]:
                return
            if proc.poll() is not None:
                raise RuntimeError(f"gnome-keyring-daemon exited early ({proc.returncode})")
            time.sleep(0.02)
    raise RuntimeError(f"{name} did not appear on the private bus within {_START_TIMEOUT}s")


def _login_collection_locked(address: str) -> bool:
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    with contextlib.closing(open_dbus_connection(bus=address)) as conn:
        return bool(secretstorage.get_default_collection(conn).is_locked())


def _lock_login_collection(address: str) -> None:
    import secretstorage
    from jeepney.io.blocking import open_dbus_connection

    with contextlib.closing(open_dbus_connection(bus=address)) as conn:
        secretstorage.get_default_collection(conn).lock()


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextlib.contextmanager
def start_keyring_session(mode: Mode = "unlocked") -> Iterator[KeyringSession]:
    """Start a private bus (+ gnome-keyring unless 'absent'); stop both and delete the dir after."""
    # A short path: the bus socket must fit in sun_path (108 bytes).
    base = Path(tempfile.mkdtemp(prefix="ippo-kr-"))
    processes: list[subprocess.Popen[bytes]] = []
    stack = contextlib.ExitStack()
    try:
        session_env = _free_env(base)
        servicedir = base / "dbus-services"
        servicedir.mkdir()
        config = base / "bus.conf"
        config.write_text(_BUS_CONFIG.format(socket=base / "run" / "bus", servicedir=servicedir))
        log = stack.enter_context((base / "keyring-daemon.log").open("wb"))
        bus = subprocess.Popen(
            ["dbus-daemon", "--config-file", str(config), "--nofork", "--print-address=1"],
            stdout=subprocess.PIPE,
            stderr=log,
            env=_child_env(session_env),
            start_new_session=True,
        )
        processes.append(bus)
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()
        bus.stdout.close()
        if not address:
            raise RuntimeError(f"dbus-daemon gave no address; see {base / 'keyring-daemon.log'}")
        session_env["DBUS_SESSION_BUS_ADDRESS"] = address

        if mode != "absent":
            daemon_args = ["gnome-keyring-daemon", "--foreground", "--components=secrets"]
            if mode != "empty":
                daemon_args.append("--unlock")
            daemon = subprocess.Popen(
                daemon_args,
                stdin=subprocess.PIPE,
                stdout=subprocess.DEVNULL,
                stderr=log,
                env=_child_env(session_env),
                start_new_session=True,
            )
            processes.append(daemon)
            assert daemon.stdin is not None
            # --unlock reads the login keyring's password from stdin (and creates it if new).
            if mode != "empty":
                daemon.stdin.write(THROWAWAY_PASSWORD.encode())
            daemon.stdin.close()
            _wait_for_name(address, _SECRETS_NAME, daemon)
            deadline = time.monotonic() + _START_TIMEOUT
            while mode != "empty" and _login_collection_locked(address):
                if time.monotonic() > deadline:
                    raise RuntimeError("the test login keyring did not unlock")
                time.sleep(0.02)
            if mode == "locked":
                _lock_login_collection(address)
                assert _login_collection_locked(address)
        stack.close()
        yield KeyringSession(mode=mode, base=base, env=session_env, _processes=processes)
    finally:
        stack.close()
        for proc in reversed(processes):
            _stop(proc)
        shutil.rmtree(base, ignore_errors=True)


def _apply(session: KeyringSession, monkeypatch: pytest.MonkeyPatch) -> KeyringSession:
    import keyring.backend
    import keyring.core

    for name in ("PYTHON_KEYRING_BACKEND", "GNOME_KEYRING_CONTROL"):
        monkeypatch.delenv(name, raising=False)
    for name, value in session.env.items():
        monkeypatch.setenv(name, value)
    # keyring caches the backend it picked (and the list of viable ones) for the process;
    # forget both so this test sees this session, and restore the old choice afterwards.
    monkeypatch.setattr(keyring.core, "_keyring_backend", None)
    monkeypatch.setattr(keyring.backend, "_limit", None, raising=False)
    forget_keyring_choice()
    return session


def forget_keyring_choice() -> None:
    """Make keyring look for viable backends again on next use (it caches the list once)."""
    import keyring.backend

    vars(keyring.backend.get_all_keyring).pop("saved_result", None)


@pytest.fixture(scope="session")
def keyring_session() -> Iterator[KeyringSession]:
    with start_keyring_session("unlocked") as session:
        yield session


@pytest.fixture(scope="session")
def locked_keyring_session() -> Iterator[KeyringSession]:
    with start_keyring_session("locked") as session:
        yield session


@pytest.fixture(scope="session")
def no_keyring_session() -> Iterator[KeyringSession]:
    with start_keyring_session("absent") as session:
        yield session


@pytest.fixture
def secret_env(
    keyring_session: KeyringSession, monkeypatch: pytest.MonkeyPatch
) -> Iterator[KeyringSession]:
    yield _apply(keyring_session, monkeypatch)
    forget_keyring_choice()


@pytest.fixture
def locked_secret_env(
    locked_keyring_session: KeyringSession, monkeypatch: pytest.MonkeyPatch
) -> Iterator[KeyringSession]:
    yield _apply(locked_keyring_session, monkeypatch)
    forget_keyring_choice()


@pytest.fixture
def no_secret_env(
    no_keyring_session: KeyringSession, monkeypatch: pytest.MonkeyPatch
) -> Iterator[KeyringSession]:
    yield _apply(no_keyring_session, monkeypatch)
    forget_keyring_choice()
