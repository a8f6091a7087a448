"""Passwords live only in the OS keyring. No keyring, a locked one or an insecure one: refuse.

Ippo never falls back to a file. When the keyring cannot be used it raises KeyringUnavailable,
whose str() is one line the CLI and the GUI show as is.

    KeyringSecretStore  the keyring, in this process (the CLI).
    HelperSecretStore   the same, each call run in a short-lived child process (the tray app:
                        keyring, secretstorage, jeepney and cryptography cost ~12 MB resident,
                        and a process that stays up all day needs them a few times a day).

`keyring` is imported only when a secret is really read or written, so importing this module
(every CLI command does) stays cheap.
"""

from __future__ import annotations

import contextlib
import json
import logging
import os
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, Protocol

if TYPE_CHECKING:
    from keyring.backend import KeyringBackend

log = logging.getLogger(__name__)

SERVICE = "ippo"
# Every kind an account may have; forget_account deletes all. "oauth2-refresh": the refresh
# token of an account that signs in with OAuth (trayapp.oauth.tokens).
SECRET_KINDS = ("imap", "smtp", "oauth2-refresh")

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

    @classmethod
    def failed(cls, error: BaseException) -> KeyringUnavailable:
        return cls(f"the OS keyring did not answer ({type(error).__name__}); try again later")


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


class KeyringSecretStore:
    """SecretStore on the `keyring` library: service "ippo", username "<account>:<kind>".

    Pass `backend` to use a specific keyring backend (tests of the refusal logic); by default the
    one keyring picks for this process is used. The backend is checked on first use, not in the
    constructor, so building the store never fails; every operation may raise KeyringUnavailable.
    """

    def __init__(self, backend: KeyringBackend | None = None) -> None:
        self._given = backend
        self._checked: KeyringBackend | None = None

    def _backend(self) -> KeyringBackend:
        if self._checked is not None:
            return self._checked
        import keyring

        try:
            backend = self._given if self._given is not None else keyring.get_keyring()
        except Exception as error:  # a forced backend that cannot load
            raise KeyringUnavailable(KeyringUnavailable.NO_BACKEND) from error
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
        Secret Service, which keyring selects all the same)."""
        self.get_password("(availability probe)", "probe")

    def get_password(self, account: str, kind: str = "imap") -> str | None:
        backend = self._backend()
        with _keyring_failures():
            value: str | None = backend.get_password(SERVICE, self._username(account, kind))
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


# --------------------------------------------------------------------------- helper process

PROBE_KEY = ("(availability probe)", "probe")
# The helper sees every password: it must never import from the folder Ippo was started in.
# `-P` keeps the working directory off sys.path (PYTHONPATH and the user's site-packages stay,
# so a source checkout or a `pip --user` install still works); the code also drops the empty
# entry itself first, for interpreters that ignore -P (a frozen bundle's `ippo -c`).
HELPER_CODE = (
    "import sys; sys.path[:] = [p for p in sys.path if p not in ('', '.')]; "
    "from trayapp.desktop.secrets import serve_helper; serve_helper()"
)
HELPER_TIMEOUT = 300.0  # the keyring may ask the user to unlock it: give them time
FRESH_FOR = 60.0  # seconds a password read alongside another one may be handed out
# Never read alongside others nor kept: a refresh token is rotated by whichever Ippo process
# renews it, and handing out an old one makes the provider revoke the whole sign-in.
NEVER_CACHED = frozenset({"oauth2-refresh"})


def helper_command() -> list[str]:
    """`python -P -c ...`; in a bundle sys.executable is the app, which acts as the bundle's
    Python for `-c` (installers/ippo_entry.py; a bundle never puts the working folder on
    sys.path, and HELPER_CODE drops it anyway)."""
    if getattr(sys, "frozen", False):
        return [sys.executable, "-c", HELPER_CODE]
    return [sys.executable, "-P", "-c", HELPER_CODE]


def _helper_env() -> dict[str, str]:
    env = dict(os.environ)
    if not getattr(sys, "frozen", False):
        # A source checkout run as `python -m trayapp` from elsewhere: the child finds the
        # same package.
        root = str(Path(__file__).resolve().parents[2])
        env["PYTHONPATH"] = os.pathsep.join(p for p in (root, env.get("PYTHONPATH")) if p)
    return env


class HelperSecretStore:
    """SecretStore whose every keyring call runs in a short-lived child process
    (`serve_helper`), so the long-running tray app never loads the keyring stack.

    Passwords travel only through the child's stdin/stdout pipes (never argv or the
    environment); the child uses KeyringSecretStore, with its refusal of insecure backends,
    over the same D-Bus session. A read asks for every password read before in one child
    (after a wake-up all accounts reconnect at once: one process, not ten); the others are
    kept for `fresh_for` seconds for their own reconnect, then forgotten. `expect()` names
    the accounts about to connect, so the first start is one child too.
    """

    def __init__(
        self,
        command: Sequence[str] | None = None,
        *,
        fresh_for: float = FRESH_FOR,
        timeout: float = HELPER_TIMEOUT,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self._command = list(command) if command is not None else helper_command()
        self._fresh_for = fresh_for
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._known: set[tuple[str, str]] = set()
        self._cache: dict[tuple[str, str], tuple[float, str | None]] = {}
        self.children = 0  # child processes run so far (tests, the benchmark)

    def expect(self, accounts: Iterable[str], kind: str = "imap") -> None:
        """These accounts' passwords will be asked for soon: read them together."""
        keys = {(a, kind) for a in accounts if a}
        with self._lock:
            self._known.update(keys)

    def get_password(self, account: str, kind: str = "imap") -> str | None:
        key = (account, kind)
        KeyringSecretStore._username(account, kind)  # ValueError for an empty name
        if kind in NEVER_CACHED:
            with self._lock:  # read alone, now: another process may have just replaced it
                reply = self._call({"op": "get", "keys": [list(key)]})
                value: str | None = reply["values"][0]
                return value
        with self._lock:
            now = self._clock()
            for stale in [k for k, (at, _v) in self._cache.items() if now - at > self._fresh_for]:
                del self._cache[stale]
            cached = self._cache.pop(key, None)
            if cached is not None:
                return cached[1]
            self._known.add(key)
            keys = sorted(self._known)
            reply = self._call({"op": "get", "keys": [list(k) for k in keys]})
            values: dict[tuple[str, str], str | None] = dict(
                zip(keys, reply["values"], strict=True)
            )
            now = self._clock()
            self._cache = {k: (now, v) for k, v in values.items() if k != key}
            return values[key]

    def set_password(self, account: str, password: str, kind: str = "imap") -> None:
        if not password:
            raise ValueError("refusing to store an empty password")
        KeyringSecretStore._username(account, kind)
        with self._lock:
            self._cache.pop((account, kind), None)
            self._call({"op": "set", "key": [account, kind], "password": password})

    def delete_password(self, account: str, kind: str = "imap") -> None:
        KeyringSecretStore._username(account, kind)
        with self._lock:
            self._cache.pop((account, kind), None)
            self._known.discard((account, kind))
            self._call({"op": "delete", "key": [account, kind]})

    def check_available(self) -> None:
        with self._lock:
            self._call({"op": "get", "keys": [list(PROBE_KEY)]})

    def _call(self, request: dict[str, Any]) -> dict[str, Any]:
        self.children += 1
        try:
            done = subprocess.run(
                self._command,
                input=json.dumps(request).encode(),
                capture_output=True,
                env=_helper_env(),
                timeout=self._timeout,
                check=False,
            )
        except (OSError, subprocess.SubprocessError) as error:
            raise KeyringUnavailable.failed(error) from error
        try:
            reply: dict[str, Any] = json.loads(done.stdout.decode("utf-8"))
        except ValueError as error:
            log.warning(
                "keyring helper exited %s: %s",
                done.returncode,
                done.stderr.decode("utf-8", "replace").strip()[-500:],
            )
            raise KeyringUnavailable.failed(error) from error
        problem = reply.get("error")
        if problem == "value":
            raise ValueError(str(reply.get("message", "")))
        if problem is not None:
            raise KeyringUnavailable(str(reply.get("message") or problem))
        return reply


def serve_helper() -> None:
    """The child's side of HelperSecretStore: one JSON request on stdin, one JSON reply on
    stdout. Anything a keyring backend prints goes to stderr, never into the reply."""
    reply_to = sys.stdout
    sys.stdout = sys.stderr
    store = KeyringSecretStore()
    reply: dict[str, Any]
    try:
        request = json.loads(sys.stdin.buffer.read().decode("utf-8"))
        op = request.get("op")
        if op == "get":
            reply = {"values": [store.get_password(a, k) for a, k in request["keys"]]}
        elif op == "set":
            account, kind = request["key"]
            store.set_password(account, request["password"], kind)
            reply = {}
        elif op == "delete":
            account, kind = request["key"]
            store.delete_password(account, kind)
            reply = {}
        else:
            reply = {"error": "failed", "message": f"unknown request {op!r}"}
    except KeyringUnavailable as error:
        reply = {"error": "unavailable", "message": str(error)}
    except ValueError as error:
        reply = {"error": "value", "message": str(error)}
    except Exception as error:
        reply = {"error": "failed", "message": str(KeyringUnavailable.failed(error))}
    reply_to.write(json.dumps(reply))
    reply_to.flush()
