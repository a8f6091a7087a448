"""Passwords live only in the OS keyring. No keyring, a locked one or an insecure one: refuse.

Ippo never falls back to a file. When the keyring cannot be used it raises KeyringUnavailable,
whose str() is one line the CLI and the GUI show as is.

    KeyringSecretStore  the keyring, in this process. The tray app calls it only from worker
                        threads (ui/tasks.py, the watchers): a slow or locked keyring never
                        holds up the GUI.

`keyring` is imported only when a secret is written, or read where Secret Service is not the
plain answer (see _read_secret_service), so importing this module (every CLI command does) and
reading a password (`ippo pending` from a status bar, the watchers) stay cheap.
"""

from __future__ import annotations

import contextlib
import logging
import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "ippo"
# Every kind an account may have; forget_account deletes all. "oauth2-refresh": the refresh
# token of an account that signs in with OAuth (trayapp.oauth.tokens).
SECRET_KINDS = ("imap", "smtp", "oauth2-refresh")

_SECRETS_BUS = "org.freedesktop.secrets"
_SECRETS_PATH = "/org/freedesktop/secrets"
_DEFAULT_COLLECTION = "/org/freedesktop/secrets/aliases/default"
# A keyring daemon that does not answer a plain read within this is not answering.
SECRET_SERVICE_TIMEOUT_S = 25.0

_INSECURE_NAME_PARTS = ("plaintext", "uncrypted", "insecure", "file", "null", "fail")


class KeyringUnavailable(Exception):
    """The OS keyring cannot keep a secret right now. str() is a one-line message for people."""

    NO_BACKEND = (
        "no secure keyring is available: Ippo keeps passwords only in the OS keyring "
        "(GNOME Keyring/KWallet via Secret Service, macOS Keychain, Windows Credential Manager)"
    )
    LOCKED = (
        "the OS keyring is locked or not set up: unlock it (log in to your desktop session "
        "or open your keyring app) and try again"
    )

    @classmethod
    def insecure(cls, backend_name: str) -> KeyringUnavailable:
        return cls(
            f"the keyring backend '{backend_name}' is not a secure OS keyring (it would keep "
            "passwords in a plain file); Ippo keeps passwords only in the OS keyring"
        )

    DID_NOT_ANSWER = "the OS keyring did not answer; try again later"

    @classmethod
    def failed(cls, error: BaseException) -> KeyringUnavailable:
        # What broke is for the log (support); people get the sentence.
        log.warning("the keyring failed: %s: %s", type(error).__name__, error)
        return cls(cls.DID_NOT_ANSWER)


class SecretStore(Protocol):
    """Where account passwords are kept. `kind` separates an account's secrets (imap, smtp)."""

    def get_password(self, account: str, kind: str = "imap") -> str | None: ...

    def set_password(self, account: str, password: str, kind: str = "imap") -> None: ...

    def delete_password(self, account: str, kind: str = "imap") -> None: ...

    def check_available(self) -> None:
        """Raise KeyringUnavailable unless a secret could be kept right now."""
        ...


def forget_account(store: SecretStore, account: str) -> None:
    """Delete every secret an account may have."""
    for kind in SECRET_KINDS:
        store.delete_password(account, kind)


def _backend_name(backend: KeyringBackend) -> str:
    cls = type(backend)
    return f"{cls.__module__}.{cls.__qualname__}"


def refuse_insecure(backend: KeyringBackend) -> None:
    """Raise KeyringUnavailable unless `backend` is a secure OS keyring.

    keyring's own rule is that priority >= 1 means "recommended"; the fail and null backends and
    keyrings.alt's file keyrings (PlaintextKeyring, EncryptedKeyring, ...) sit below that, but a
    PYTHON_KEYRING_BACKEND or keyringrc.cfg can force any of them, so the class is checked too.
    """
    from keyring.backends import chainer, fail, null

    if isinstance(backend, (fail.Keyring, null.Keyring)):
        raise KeyringUnavailable(KeyringUnavailable.NO_BACKEND)
    if isinstance(backend, chainer.ChainerBackend):
        members = list(backend.backends)
        if not members:
            raise KeyringUnavailable(KeyringUnavailable.NO_BACKEND)
        for member in members:  # the chainer reads from every member: all must be secure
            refuse_insecure(member)
        return
    cls = type(backend)
    name = _backend_name(backend)
    if cls.__module__.startswith("keyrings.alt") or any(
        part in cls.__name__.lower() for part in _INSECURE_NAME_PARTS
    ):
        raise KeyringUnavailable.insecure(name)
    try:
        priority = float(cls.priority)
    except Exception as error:  # a backend raises here when it is not viable right now
        log.info("keyring backend %s is not viable: %s", name, error)
        raise KeyringUnavailable(KeyringUnavailable.NO_BACKEND) from error
    if priority < 1:
        raise KeyringUnavailable.insecure(name)


def _keyring_left_to_itself() -> bool:
    """Whether keyring, on its own here, would keep secrets in Secret Service with its default
    settings: Linux, a D-Bus session, a desktop whose own wallet does not outrank it (KDE's
    KWallet may), and nothing configured (PYTHON_KEYRING_BACKEND, KEYRING_PROPERTY_*
    variables or a keyringrc.cfg are honoured through keyring's own path). Whether Secret
    Service answers is found out by asking it."""
    if not sys.platform.startswith("linux") or os.environ.get("PYTHON_KEYRING_BACKEND"):
        return False
    if not os.environ.get("DBUS_SESSION_BUS_ADDRESS"):
        return False
    if "KDE" in os.environ.get("XDG_CURRENT_DESKTOP", "").upper():
        return False
    if any(name.startswith("KEYRING_PROPERTY_") for name in os.environ):
        return False
    # keyring.util.platform_.config_root() on Linux, without importing keyring.
    config_home = os.environ.get("XDG_CONFIG_HOME") or str(Path.home() / ".config")
    return not (Path(config_home) / "python_keyring" / "keyringrc.cfg").exists()


class _NotPlain(Exception):
    """Secret Service needs more than a plain read (an unlock prompt): keyring's path does it."""


def _read_secret_service(username: str | None) -> str | None:
    """The secret keyring's Secret Service backend keeps under (SERVICE, username), read over
    the session bus with jeepney: the same default collection, the same attributes, without
    importing keyring (its import and backend discovery are most of a status-bar run's
    start-up) or secretstorage (whose encrypted session loads `cryptography`: ~6 MB of the
    tray app for the whole session; ~15 ms more imports in every `ippo pending`).

    The secret comes over the Secret Service "plain" session, as zalando/go-keyring reads it:
    the message goes from the keyring daemon to this process through the user's own session
    bus, where any process of the same user could also just ask the daemon for the secret, so
    the encrypted session protects against no one who could see it. Writes still go through
    keyring (and its encrypted session). Every call has a deadline: a daemon that hangs is
    an error, not a frozen worker.

    Raises when anything is not plain (a locked collection or item, no Secret Service):
    keyring's path then decides. `username` None: only whether the collection is unlocked."""
    from jeepney import DBusAddress, Message, Properties, new_method_call
    from jeepney.io.blocking import open_dbus_connection
    from jeepney.wrappers import unwrap_msg

    with open_dbus_connection(bus="SESSION") as bus:

        def ask(message: Message) -> Any:
            reply = bus.send_and_get_reply(message, timeout=SECRET_SERVICE_TIMEOUT_S)
            return unwrap_msg(reply)  # raises on an error reply

        def address(path: str, interface: str) -> DBusAddress:
            return DBusAddress(path, _SECRETS_BUS, f"org.freedesktop.Secret.{interface}")

        def is_locked(path: str, interface: str) -> bool:
            ((_signature, value),) = ask(Properties(address(path, interface)).get("Locked"))
            return bool(value)

        if is_locked(_DEFAULT_COLLECTION, "Collection"):
            raise _NotPlain
        if username is None:
            return None
        search = new_method_call(
            address(_DEFAULT_COLLECTION, "Collection"),
            "SearchItems",
            "a{ss}",
            ({"username": username, "service": SERVICE},),
        )
        (paths,) = ask(search)
        for path in paths:
            if is_locked(path, "Item"):
                raise _NotPlain
            # The session ends with the connection (the daemon ties it to this bus name).
            open_session = new_method_call(
                address(_SECRETS_PATH, "Service"), "OpenSession", "sv", ("plain", ("s", ""))
            )
            _output, session = ask(open_session)
            get_secret = new_method_call(address(path, "Item"), "GetSecret", "o", (session,))
            ((_session, _parameters, value, _content_type),) = ask(get_secret)
            return bytes(value).decode("utf-8")
    return None


def _secret_service_backend() -> KeyringBackend | None:
    """keyring's Secret Service backend, without keyring's discovery (which imports every
    backend it ships, ~40-60 ms of a status-bar run), where keyring left to itself would use
    it (_keyring_left_to_itself). None otherwise, or when Secret Service is not viable here:
    then keyring decides. (Where keyring would pick its chainer -- Secret Service and
    libsecret both viable -- the chainer writes to Secret Service and reads from it first:
    the same secrets.)"""
    if not _keyring_left_to_itself():
        return None
    try:
        from keyring.backends import SecretService

        if float(SecretService.Keyring.priority) < 1:  # raises when not viable
            return None
        return SecretService.Keyring()  # type: ignore[no-untyped-call]
    except Exception:
        return None


class KeyringSecretStore:
    """SecretStore on the `keyring` library: service "ippo", username "<account>:<kind>".

    Pass `backend` to use a specific keyring backend (tests of the refusal logic); by default the
    one keyring picks for this process is used. The backend is checked on first use, not in the
    constructor, so building the store never fails; every operation may raise KeyringUnavailable.
    """

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._given = backend
        self._checked: KeyringBackend | None = None
        self._quick = False  # the backend was found without keyring's discovery
        self._answered = False  # Secret Service answered a plain read in this process

    def _backend(self) -> KeyringBackend:
        if self._checked is not None:
            return self._checked
        import keyring

        try:
            quick = None if self._given is not None else _secret_service_backend()
            backend = self._given or quick or keyring.get_keyring()
        except Exception as error:  # a forced backend that cannot load
            raise KeyringUnavailable(KeyringUnavailable.NO_BACKEND) from error
        self._quick = quick is not None
        refuse_insecure(backend)
        # Failures are not remembered: the user may unlock or start the keyring later.
        self._checked = backend
        return backend

    @staticmethod
    def _username(account: str, kind: str) -> str:
        if not account:
            raise ValueError("account name is empty")
        return f"{account}:{kind}"

    def check_available(self) -> None:
        """Raise KeyringUnavailable unless a secret could be kept now (also catches a locked
        Secret Service, which keyring selects all the same). Where keyring would use Secret
        Service, its unlocked default collection is the answer, asked directly."""
        if self._given is None and _keyring_left_to_itself():
            try:
                self._read_plain(None)
                return
            except _NotPlain:  # locked, or not there: keyring's path says why
                pass
        self.get_password("(availability probe)", "probe")

    def _read_plain(self, username: str | None) -> str | None:
        """_read_secret_service; _NotPlain where keyring's path should decide. A keyring that
        answered before and now fails (its daemon or the bus went away) did not answer: that
        is said as such, not as "no keyring" from keyring's discovery."""
        try:
            found = _read_secret_service(username)
        except _NotPlain:
            raise
        except TimeoutError as error:
            # The daemon holds the name and does not answer: keyring's path (no deadlines of
            # its own) would only wait on it longer.
            raise KeyringUnavailable.failed(error) from error
        except Exception as error:
            if self._answered:
                raise KeyringUnavailable.failed(error) from error
            log.debug("Secret Service read the plain way failed: %r", error)
            raise _NotPlain from error
        self._answered = True
        return found

    def get_password(self, account: str, kind: str = "imap") -> str | None:
        username = self._username(account, kind)
        if self._given is None and _keyring_left_to_itself():
            try:
                found = self._read_plain(username)
            except _NotPlain:  # not plain, or not there: keyring's path decides
                pass
            else:
                if found is not None:
                    return found
        backend = self._backend()
        with _keyring_failures():
            value: str | None = backend.get_password(SERVICE, username)
        if value is None and self._given is None and self._quick:
            # Found the quick way, and not there: ask keyring's own choice too (a password
            # kept by a backend keyring would pick, e.g. libsecret's, is still found).
            import keyring

            with _keyring_failures():
                chosen = keyring.get_keyring()
                refuse_insecure(chosen)
                value = chosen.get_password(SERVICE, username)
        return value

    def set_password(self, account: str, password: str, kind: str = "imap") -> None:
        if not password:
            raise ValueError("refusing to store an empty password")
        backend = self._backend()
        with _keyring_failures():
            backend.set_password(SERVICE, self._username(account, kind), password)

    def delete_password(self, account: str, kind: str = "imap") -> None:
        """Delete the secret; deleting one that does not exist is not an error."""
        backend = self._backend()
        import keyring.errors

        with _keyring_failures(), contextlib.suppress(keyring.errors.PasswordDeleteError):
            backend.delete_password(SERVICE, self._username(account, kind))


@contextlib.contextmanager
def _keyring_failures() -> Iterator[None]:
    """keyring's many failures as one KeyringUnavailable with a message a person can act on;
    a ValueError (our own refusal of a bad name) passes through."""
    import keyring.errors

    try:
        yield
    except (keyring.errors.KeyringLocked, keyring.errors.InitError) as error:
        raise KeyringUnavailable(KeyringUnavailable.LOCKED) from error
    except keyring.errors.NoKeyringError as error:
        raise KeyringUnavailable(KeyringUnavailable.NO_BACKEND) from error
    except ValueError:
        raise
    except Exception as error:
        raise KeyringUnavailable.failed(error) from error
