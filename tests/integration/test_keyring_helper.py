"""HelperSecretStore (the tray app's keyring, one short-lived child process per call) against
a real gnome-keyring on a private D-Bus session: the same secrets and refusals as
KeyringSecretStore, reads batched, and the calling process never loads the keyring stack."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.keyring_session import KeyringSession
from trayapp.desktop.secrets import (
    SERVICE,
    HelperSecretStore,
    KeyringSecretStore,
    KeyringUnavailable,
    forget_account,
)

pytestmark = pytest.mark.integration


class FakeClock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_round_trip_through_the_helper(secret_env: KeyringSession) -> None:
    store = HelperSecretStore()
    store.check_available()
    store.set_password("shop", "pässwörd-秘密 with spaces")
    store.set_password("shop", "smtp-only", kind="smtp")
    # Read back over D-Bus, bypassing the code under test.
    stored = secret_env.stored_secrets(SERVICE)
    assert stored["shop:imap"] == "pässwörd-秘密 with spaces"
    assert stored["shop:smtp"] == "smtp-only"
    assert store.get_password("shop") == "pässwörd-秘密 with spaces"
    assert store.get_password("shop", kind="smtp") == "smtp-only"
    assert store.get_password("nobody") is None
    store.set_password("shop", "changed")
    assert store.get_password("shop") == "changed"
    forget_account(store, "shop")
    assert store.get_password("shop") is None
    assert "shop:imap" not in secret_env.stored_secrets(SERVICE)
    with pytest.raises(ValueError):
        store.set_password("shop", "")
    with pytest.raises(ValueError):
        store.get_password("")


def test_reads_are_batched_and_kept_only_briefly(secret_env: KeyringSession) -> None:
    direct = KeyringSecretStore()
    for name in ("a", "b", "c"):
        direct.set_password(f"batch-{name}", f"pw-{name}")
    clock = FakeClock()
    store = HelperSecretStore(fresh_for=60.0, clock=clock)
    store.expect(["batch-a", "batch-b", "batch-c"])
    assert store.get_password("batch-a") == "pw-a"
    assert store.children == 1
    assert store.get_password("batch-b") == "pw-b"
    assert store.get_password("batch-c") == "pw-c"
    assert store.children == 1  # one child read all three
    # A reconnect asks again: read afresh (a password changed meanwhile is picked up), and
    # the others are read along for their own reconnects.
    direct.set_password("batch-b", "pw-b2")
    assert store.get_password("batch-b") == "pw-b2"
    assert store.children == 2
    clock.now += 61  # not used within the minute: forgotten, read again
    assert store.get_password("batch-a") == "pw-a"
    assert store.children == 3
    for name in ("a", "b", "c"):
        forget_account(direct, f"batch-{name}")


def test_no_keyring_and_a_locked_one_are_refused(
    no_secret_env: KeyringSession,
) -> None:
    store = HelperSecretStore()
    with pytest.raises(KeyringUnavailable) as caught:
        store.check_available()
    assert str(caught.value) == KeyringUnavailable.NO_BACKEND
    with pytest.raises(KeyringUnavailable):
        store.get_password("shop")


def test_locked_keyring_is_refused(locked_secret_env: KeyringSession) -> None:
    with pytest.raises(KeyringUnavailable) as caught:
        HelperSecretStore().get_password("shop")
    assert str(caught.value) == KeyringUnavailable.LOCKED


def test_a_broken_helper_is_a_clear_failure() -> None:
    store = HelperSecretStore([sys.executable, "-c", "print('not json')"])
    with pytest.raises(KeyringUnavailable) as caught:
        store.get_password("shop")
    assert "did not answer" in str(caught.value)


def test_the_tray_app_process_never_loads_the_keyring(secret_env: KeyringSession) -> None:
    KeyringSecretStore().set_password("loaded", "pw-loaded")
    code = (
        "import sys\n"
        "from trayapp.cli import build_parser\n"
        "build_parser()\n"
        "import trayapp.app\n"
        "from trayapp.desktop.secrets import HelperSecretStore\n"
        "assert HelperSecretStore().get_password('loaded') == 'pw-loaded'\n"
        "heavy = [m for m in ('keyring', 'secretstorage', 'jeepney', 'cryptography')"
        " if m in sys.modules]\n"
        "assert not heavy, heavy\n"
        "print('ok')\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=secret_env.subprocess_env(QT_QPA_PLATFORM="offscreen"),
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
    forget_account(KeyringSecretStore(), "loaded")


def test_the_helper_never_imports_from_the_working_folder(
    secret_env: KeyringSession, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `trayapp/desktop/secrets.py` planted where Ippo is started must not run: `python -c`
    alone puts the working folder first on sys.path, and the helper sees every password."""
    KeyringSecretStore().set_password("planted", "pw-planted")
    marker = tmp_path / "planted-code-ran"
    planted = tmp_path / "trayapp" / "desktop"
    planted.mkdir(parents=True)
    (tmp_path / "trayapp" / "__init__.py").write_text("")
    (planted / "__init__.py").write_text("")
    (planted / "secrets.py").write_text(
        "import pathlib, sys\n"
        f"pathlib.Path({str(marker)!r}).write_text('stolen')\n"
        "def serve_helper():\n"
        '    sys.stdout.write(\'{"values": ["forged"]}\')\n'
    )
    monkeypatch.chdir(tmp_path)
    try:
        assert HelperSecretStore().get_password("planted") == "pw-planted"
        assert not marker.exists()
    finally:
        forget_account(KeyringSecretStore(), "planted")


def test_a_refresh_token_is_always_read_fresh(secret_env: KeyringSession) -> None:
    """Another Ippo process may rotate an OAuth refresh token at any moment; an old copy
    handed out from the batch cache would make the provider revoke the whole sign-in."""
    helper = HelperSecretStore()
    other = KeyringSecretStore()
    other.set_password("oa", "imap-unused")
    other.set_password("oa", "refresh-1", kind="oauth2-refresh")
    other.set_password("pw", "password")
    assert helper.get_password("oa", "oauth2-refresh") == "refresh-1"
    assert helper.get_password("pw") == "password"  # a batch read: others come along
    other.set_password("oa", "refresh-2", kind="oauth2-refresh")  # `ippo pending` rotated it
    assert helper.get_password("oa", "oauth2-refresh") == "refresh-2"
    forget_account(other, "oa")
    forget_account(other, "pw")
