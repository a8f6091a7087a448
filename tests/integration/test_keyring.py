"""KeyringSecretStore against a real gnome-keyring on a private D-Bus session bus, and its
refusals: no Secret Service, a locked one, and file-backed backends."""

from __future__ import annotations

import subprocess
import sys
from typing import cast

import keyring
import pytest
from keyring.backend import KeyringBackend
from keyring.backends import chainer, fail, null

from tests.support.keyring_session import (
    KeyringSession,
    forget_keyring_choice,
    start_keyring_session,
)
from trayapp.desktop.secrets import (
    SERVICE,
    KeyringSecretStore,
    KeyringUnavailable,
    forget_account,
    refuse_insecure,
)

pytestmark = pytest.mark.integration


def test_round_trip_lands_in_the_real_secret_service(secret_env: KeyringSession) -> None:
    store = KeyringSecretStore()
    store.check_available()
    store.set_password("shop", "pässwörd-秘密 with spaces")
    store.set_password("shop", "smtp-only", kind="smtp")
    assert store.get_password("shop") == "pässwörd-秘密 with spaces"
    assert store.get_password("shop", kind="smtp") == "smtp-only"
    assert store.get_password("other") is None
    # Read back over D-Bus, bypassing the code under test: service "ippo", username account:kind.
    stored = secret_env.stored_secrets(SERVICE)
    assert stored["shop:imap"] == "pässwörd-秘密 with spaces"
    assert stored["shop:smtp"] == "smtp-only"

    store.set_password("shop", "changed")
    assert store.get_password("shop") == "changed"

    forget_account(store, "shop")
    assert store.get_password("shop") is None
    assert "shop:imap" not in secret_env.stored_secrets(SERVICE)
    assert "shop:smtp" not in secret_env.stored_secrets(SERVICE)
    store.delete_password("shop")  # deleting what is gone is fine


def test_secret_is_visible_to_another_process(secret_env: KeyringSession) -> None:
    KeyringSecretStore().set_password("cross", "from-the-test")
    code = "import keyring; print(keyring.get_password('ippo', 'cross:imap'))"
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=secret_env.subprocess_env(),
        capture_output=True,
        text=True,
        timeout=30,
        check=True,
    )
    assert result.stdout.strip() == "from-the-test"
    KeyringSecretStore().delete_password("cross")


def test_no_secret_service_is_refused(no_secret_env: KeyringSession) -> None:
    store = KeyringSecretStore()
    with pytest.raises(KeyringUnavailable) as caught:
        store.set_password("shop", "secret")
    assert str(caught.value) == KeyringUnavailable.NO_BACKEND
    assert "\n" not in str(caught.value)
    with pytest.raises(KeyringUnavailable):
        store.get_password("shop")
    with pytest.raises(KeyringUnavailable):
        store.check_available()
    # keyring itself picked its fail backend on this bus, which is what we refuse
    assert isinstance(keyring.get_keyring(), fail.Keyring)


def test_locked_secret_service_is_refused(locked_secret_env: KeyringSession) -> None:
    # keyring selects SecretService although it is locked (the known trap) ...
    assert type(keyring.get_keyring()).__module__ == "keyring.backends.SecretService"
    store = KeyringSecretStore()
    # ... and we turn its KeyringLocked into one clear refusal, for reads and writes alike.
    with pytest.raises(KeyringUnavailable) as caught:
        store.set_password("shop", "secret")
    assert str(caught.value) == KeyringUnavailable.LOCKED
    with pytest.raises(KeyringUnavailable):
        store.get_password("shop")
    with pytest.raises(KeyringUnavailable):
        store.check_available()
    assert locked_secret_env.mode == "locked"


def test_keyring_without_a_login_collection_is_refused(
    keyring_session: KeyringSession, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A daemon that runs but has no collection and no prompter to create one (InitError).
    Started while the session-wide keyring runs: separate dirs and buses, no interference."""
    import keyring.core

    with start_keyring_session("empty") as session:
        assert session.base != keyring_session.base
        assert session.bus_address != keyring_session.bus_address
        for name, value in session.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(keyring.core, "_keyring_backend", None)
        forget_keyring_choice()
        try:
            with pytest.raises(KeyringUnavailable) as caught:
                KeyringSecretStore().set_password("x", "y")
            assert str(caught.value) == KeyringUnavailable.LOCKED
        finally:
            forget_keyring_choice()
    assert not session.base.exists()  # torn down, directory deleted


def test_a_keyring_that_stops_answering_is_a_plain_sentence(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The session bus (and with it the keyring daemon) goes away after Ippo found and checked
    the keyring: what people read is a sentence in their language, never Python's class name
    (it was "the OS keyring did not answer (SecretServiceNotAvailableException)")."""
    import keyring.core

    from tests.support.keyring_session import _stop
    from trayapp.core.failures import explain_failure

    with start_keyring_session("unlocked") as session:
        for name, value in session.env.items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(keyring.core, "_keyring_backend", None)
        forget_keyring_choice()
        try:
            store = KeyringSecretStore()
            store.check_available()  # found and checked while the bus is there
            for process in session._processes:  # the bus first, then the daemon
                _stop(process)
            with pytest.raises(KeyringUnavailable) as caught:
                store.get_password("shop")
        finally:
            forget_keyring_choice()
    message = str(caught.value)
    assert message == KeyringUnavailable.DID_NOT_ANSWER
    for language, sentence in (
        ("en", "The system keyring did not answer. Try again in a moment."),
        ("ja", "OSのキーリングが応答しませんでした。少し待ってから、もう一度お試しください。"),
    ):
        failure = explain_failure(message, language)
        assert (failure.text, failure.fix, failure.with_detail()) == (sentence, "wait", sentence)


class PlaintextKeyring:
    """Shaped like keyrings.alt.file.PlaintextKeyring (priority 0.5), keeping data in memory.
    Deliberately not a KeyringBackend subclass: those register themselves with keyring's
    process-wide backend list and would be picked by the other tests."""

    priority = 0.5

    def __init__(self) -> None:
        self.data: dict[tuple[str, str], str] = {}

    def get_password(self, service: str, username: str) -> str | None:
        return self.data.get((service, username))

    def set_password(self, service: str, username: str, password: str) -> None:
        self.data[(service, username)] = password

    def delete_password(self, service: str, username: str) -> None:
        self.data.pop((service, username), None)


class LowPriorityVault(PlaintextKeyring):
    """Not named like a file keyring, but keyring itself does not recommend it (priority < 1)."""


class GoodVault(PlaintextKeyring):
    priority = 5


@pytest.mark.parametrize(
    "backend",
    [fail.Keyring(), null.Keyring(), PlaintextKeyring(), LowPriorityVault()],
    ids=["fail", "null", "plaintext", "low-priority"],
)
def test_insecure_or_missing_backends_are_refused_and_nothing_is_written(
    backend: object,
) -> None:
    store = KeyringSecretStore(cast(KeyringBackend, backend))
    with pytest.raises(KeyringUnavailable) as caught:
        store.set_password("shop", "secret")
    assert "\n" not in str(caught.value)
    if isinstance(backend, PlaintextKeyring):
        assert backend.data == {}


def test_a_secure_backend_is_used() -> None:
    backend = GoodVault()
    store = KeyringSecretStore(cast(KeyringBackend, backend))
    store.set_password("shop", "secret")
    assert backend.data == {(SERVICE, "shop:imap"): "secret"}
    assert store.get_password("shop") == "secret"


def test_a_chain_with_one_file_backend_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(
        chainer.ChainerBackend, "backends", [GoodVault(), PlaintextKeyring()], raising=False
    )
    with pytest.raises(KeyringUnavailable):
        refuse_insecure(chainer.ChainerBackend())
    monkeypatch.setattr(chainer.ChainerBackend, "backends", [GoodVault()], raising=False)
    refuse_insecure(chainer.ChainerBackend())  # an all-secure chain is fine


def test_refusal_messages_are_one_line() -> None:
    for message in (
        KeyringUnavailable.NO_BACKEND,
        KeyringUnavailable.LOCKED,
        str(KeyringUnavailable.insecure("keyrings.alt.file.PlaintextKeyring")),
        str(KeyringUnavailable.failed(OSError("boom"))),
    ):
        assert message and "\n" not in message


def test_a_password_is_read_without_importing_keyring(secret_env: KeyringSession) -> None:
    """Where keyring left to itself would use Secret Service, a read goes to it directly
    (jeepney, the same collection and attributes) and neither keyring nor secretstorage is
    imported: keyring's import and discovery were most of a status bar's `ippo pending`
    start-up, and secretstorage's encrypted session loads `cryptography` (~6 MB for the
    whole life of the tray app)."""
    KeyringSecretStore().set_password("direct", "秘密 read plainly")
    code = (
        "import sys; from trayapp.desktop.secrets import KeyringSecretStore as S; "
        "s = S(); s.check_available(); print(s.get_password('direct')); "
        "print(sorted({'keyring', 'secretstorage', 'cryptography'} & set(sys.modules))); "
        "print(s.get_password('nobody')); print('keyring' in sys.modules)"
    )
    result = subprocess.run(
        [sys.executable, "-c", code],
        env=secret_env.subprocess_env(PYTHONIOENCODING="utf-8"),
        capture_output=True,
        text=True,
        encoding="utf-8",
        timeout=30,
        check=True,
    )
    # Checked and found plainly without keyring; one that is not there asks keyring's choice.
    assert result.stdout.splitlines() == ["秘密 read plainly", "[]", "None", "True"]
    KeyringSecretStore().delete_password("direct")


def test_a_keyring_daemon_that_never_answers_is_an_error_not_a_hang() -> None:
    """Something holds Secret Service's name on the bus and never replies (a hung daemon):
    a read gives up after its deadline and says the keyring did not answer, instead of
    waiting for ever on a worker (or falling back to keyring, which has no deadline)."""
    from jeepney.bus_messages import message_bus
    from jeepney.io.blocking import Proxy, open_dbus_connection

    with start_keyring_session("absent") as session:
        address = session.env["DBUS_SESSION_BUS_ADDRESS"]
        with open_dbus_connection(bus=address) as silent:
            reply = Proxy(message_bus, silent).RequestName("org.freedesktop.secrets", 4)
            assert reply == (1,)  # the primary owner: calls to the name come here, unread
            code = (
                "import time; from trayapp.desktop import secrets; "
                "secrets.SECRET_SERVICE_TIMEOUT_S = 1.0; started = time.monotonic()\n"
                "try:\n    secrets.KeyringSecretStore().get_password('shop')\n"
                "except secrets.KeyringUnavailable as error:\n    print(error)\n"
                "print(round(time.monotonic() - started))"
            )
            result = subprocess.run(
                [sys.executable, "-c", code],
                env=session.subprocess_env(),
                capture_output=True,
                text=True,
                timeout=60,
                check=True,
            )
    message, seconds = result.stdout.splitlines()
    assert message == KeyringUnavailable.DID_NOT_ANSWER
    assert int(seconds) < 10
