"""The config folder and the accounts file in it (non-secret settings only).

`config.json` is meant to be read by people: indented, keys in a stable order, a version
field. It is replaced atomically (temp file + fsync + rename), readable by the user only, and
never holds a password -- passwords are in the OS keyring (trayapp.desktop.secrets).
"""

from __future__ import annotations

import contextlib
import dataclasses
import json
import logging
import math
import os
import tempfile
import threading
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

import platformdirs

from trayapp.core.model import AccountConfig, OAuthSettings
from trayapp.core.said import Said, SaidError, Translate
from trayapp.disk import disk_problem
from trayapp.file_lock import exclusive_lock

log = logging.getLogger(__name__)

CONFIG_ENV = "IPPO_CONFIG_DIR"
CONFIG_FILE = "config.json"
CONFIG_VERSION = 1
DIR_MODE = 0o700
FILE_MODE = 0o600

# Settings the app reads later (GUI); unknown ones are kept as they are.
DEFAULT_SETTINGS: dict[str, Any] = {
    "language": None,  # None: follow the system locale; "ja" or "en"
    "autostart": None,  # None: not decided yet (turned on after the first account is added)
    "confirm_quit": True,  # ask before quitting (it stops the reminders); False: "don't ask"
}

LANGUAGES = ("ja", "en")


@dataclasses.dataclass(frozen=True)
class AppSettings:
    """The app's own settings, typed. A value a hand edit broke reads as its default."""

    language: str | None = None  # "ja" or "en"; None: follow the system locale
    autostart: bool | None = None  # None: not decided yet (on after the first account)

    @classmethod
    def from_raw(cls, raw: dict[str, Any]) -> AppSettings:
        language = raw.get("language")
        autostart = raw.get("autostart")
        return cls(
            language=language if language in LANGUAGES else None,
            autostart=autostart if isinstance(autostart, bool) else None,
        )


_ACCOUNT_FIELDS = tuple(f.name for f in dataclasses.fields(AccountConfig))
_TUPLE_FIELDS = frozenset({"folders", "aliases", "days_off"})
_INT_FIELDS = frozenset({"imap_port", "lookback_days"})
_OPTIONAL_INT_FIELDS = frozenset({"smtp_port"})
_OPTIONAL_FIELDS = frozenset(
    {"username", "ca_file", "sent_folder", "smtp_host", "smtp_port", "smtp_username"}
    | {"timezone", "holidays"}  # the working-hours clock (core.schedule)
)
_FLOAT_FIELDS = frozenset({"window_hours", "warning_hours", "urgent_hours"})


class ConfigError(SaidError):
    """The config file cannot be used. str() is a one-line message for people (English);
    text(catalog) says the same in the catalog's language (trayapp.cli_i18n.catalog_for)."""

    def __init__(self, *problems: Said | str, file: Path | None = None) -> None:
        self.problems = tuple(p if isinstance(p, Said) else Said(p) for p in problems)
        self.file = file
        Exception.__init__(self, self.text())

    def text(self, translate: Translate | None = None, *, lines: bool = False) -> str:
        """One line (the command line, logs); with `lines`, the file then one problem a line
        (a dialog)."""
        said = dict.fromkeys(p.text(translate) if translate else p.text() for p in self.problems)
        if lines:
            return "\n".join([f"{self.file}:", *said] if self.file else said)
        return (f"{self.file}: " if self.file else "") + "; ".join(said)


HOURS_MAX = 24.0 * 366  # a window or lead time longer than a year is a typo


def _finite(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


def _number_in(low: float, high: float, *, low_open: bool = False) -> Callable[[Any], Said | None]:
    rule = Said(
        "must be a number above {low} and at most {high}"
        if low_open
        else "must be a number at least {low} and at most {high}",
        low=f"{low:g}",
        high=f"{high:g}",
    )

    def check(value: Any) -> Said | None:
        if not _finite(value) or value < low or (low_open and value == low) or value > high:
            return rule
        return None

    return check


def _whole_in(low: int, high: int) -> Callable[[Any], Said | None]:
    rule = Said("must be a whole number from {low} to {high}", low=low, high=high)

    def check(value: Any) -> Said | None:
        if not _finite(value) or value != int(value) or not low <= value <= high:
            return rule
        return None

    return check


def _folder_list(value: Any) -> Said | None:
    if not value or not all(v.strip() for v in value):
        return Said("must list at least one folder, and no empty name")
    return None


def _names_a_server(value: Any) -> Said | None:
    return None if value.strip() else Said("must name the IMAP server")


# What each account field may hold once its type is right: one rule per field, so a new
# field adds one line. A problem is reported as "account 'x': <field> <rule>".
FIELD_RULES: dict[str, Callable[[Any], Said | None]] = {
    "imap_port": _whole_in(1, 65535),
    "smtp_port": _whole_in(1, 65535),
    "window_hours": _number_in(0, HOURS_MAX, low_open=True),
    "warning_hours": _number_in(0, HOURS_MAX),
    "urgent_hours": _number_in(0, HOURS_MAX),
    "lookback_days": _whole_in(1, 3650),
    "folders": _folder_list,
    "imap_host": _names_a_server,
}


def resolve_config_dir(cli_value: str | None) -> Path:
    """--config-dir, else $IPPO_CONFIG_DIR, else the platform's user config dir; created 0700.

    An existing folder keeps its permissions (it may be one the user chose on purpose); the
    files Ippo writes in it are 0600 either way.
    """
    raw = cli_value or os.environ.get(CONFIG_ENV) or platformdirs.user_config_dir("ippo")
    path = Path(raw).expanduser().absolute()
    if not path.is_dir():
        try:
            path.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
            os.chmod(path, DIR_MODE)  # mkdir's mode is filtered by the umask
        except OSError as error:
            raise ConfigError(
                Said("cannot create {path}: {problem}", path=path, problem=_disk(error))
            ) from None
    return path


def _disk(error: OSError) -> Said:
    return Said(disk_problem(error))  # its fixed sentences are in the catalog


def _field_problem(name: str, key: str, rule: Said, value: Any) -> Said:
    return Said(
        "account {name!r}: {field} {rule} (not {value!r})",
        name=name,
        field=key,
        rule=rule,
        value=value,
    )


def atomic_write(path: Path, data: bytes, mode: int = FILE_MODE) -> None:
    """Replace `path` with `data` so that a crash leaves either the old or the new file."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode) if hasattr(os, "fchmod") else os.chmod(tmp, mode)
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        with contextlib.suppress(OSError):
            os.unlink(tmp)
        raise
    _fsync_dir(path.parent)


def _fsync_dir(path: Path) -> None:
    # Makes the rename itself durable on POSIX; directories cannot be opened on Windows.
    if os.name != "posix":
        return
    fd = os.open(path, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def _is_secret_key(key: str) -> bool:
    lowered = key.lower()
    return any(word in lowered for word in ("password", "passwd", "secret", "token"))


def account_to_dict(account: AccountConfig) -> dict[str, Any]:
    """The JSON form of an account, keys in AccountConfig's field order."""
    out: dict[str, Any] = {}
    for name in _ACCOUNT_FIELDS:
        value = getattr(account, name)
        if name == "auth":
            if value is not None:  # password accounts keep the file as it was
                out[name] = _auth_to_dict(value)
            continue
        out[name] = list(value) if name in _TUPLE_FIELDS else value
    return out


def _auth_to_dict(auth: OAuthSettings) -> dict[str, Any]:
    return {
        "method": "oauth2",
        "provider": auth.provider,
        "issuer": auth.issuer,
        "client_id": auth.client_id,
        "scopes": list(auth.scopes),
    }


def _auth_from_dict(name: str, raw: Any) -> OAuthSettings | None:
    """The `auth` block of an account; None (or absent) means a password account."""
    if raw is None:
        return None
    bad = ConfigError(Said("account {name!r} in the config file has a bad 'auth' block", name=name))
    if not isinstance(raw, dict) or raw.get("method", "oauth2") != "oauth2":
        raise bad
    provider, client_id = raw.get("provider"), raw.get("client_id")
    issuer, scopes = raw.get("issuer"), raw.get("scopes", [])
    if provider not in ("google", "microsoft", "oidc") or not isinstance(client_id, str):
        raise bad
    if issuer is not None and not isinstance(issuer, str):
        raise bad
    if provider == "oidc" and not issuer:
        raise ConfigError(
            Said("account {name!r}: an OpenID Connect sign-in needs an 'issuer'", name=name)
        )
    if not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes):
        raise bad
    return OAuthSettings(provider, client_id, issuer, tuple(scopes))


def account_from_dict(raw: Mapping[str, Any]) -> AccountConfig:
    """Build an AccountConfig from its JSON form. Unknown keys are ignored; wrong types raise
    ConfigError naming the field."""
    name = raw.get("name")
    if not isinstance(name, str) or not name:
        raise ConfigError("an account in the config file has no name")
    values: dict[str, Any] = {}
    problems: list[Said] = []
    for key in _ACCOUNT_FIELDS:
        if key not in raw:
            continue
        value = raw[key]
        if key == "auth":
            values[key] = _auth_from_dict(name, value)
            continue
        if value is None:
            if key in _OPTIONAL_FIELDS:
                values[key] = None
            continue  # null elsewhere means "the default"
        try:
            if key in _TUPLE_FIELDS:
                if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                    raise TypeError
                values[key] = tuple(value)
            elif key in _INT_FIELDS or key in _OPTIONAL_INT_FIELDS or key in _FLOAT_FIELDS:
                if isinstance(value, bool) or not isinstance(value, int | float):
                    raise TypeError
                problem = FIELD_RULES[key](value) if key in FIELD_RULES else None
                if problem is not None:
                    problems.append(_field_problem(name, key, problem, value))
                    continue
                values[key] = float(value) if key in _FLOAT_FIELDS else int(value)
            else:
                if not isinstance(value, str):
                    raise TypeError
                values[key] = value
            if key in FIELD_RULES and key in values:
                problem = FIELD_RULES[key](values[key])
                if problem is not None:
                    problems.append(_field_problem(name, key, problem, value))
        except (TypeError, ValueError, OverflowError):
            problems.append(
                Said(
                    "account {name!r}: {field} has a bad value: {value!r}",
                    name=name,
                    field=key,
                    value=value,
                )
            )
    if problems:
        raise ConfigError(*problems)
    if "email" not in values or "imap_host" not in values:
        raise ConfigError(
            Said("account {name!r} in the config file lacks email or imap_host", name=name)
        )
    for key, choices in _CHOICES.items():
        if key in values and values[key] not in choices:
            raise ConfigError(
                Said(
                    "account {name!r}: {field} must be {first!r} or {second!r}",
                    name=name,
                    field=key,
                    first=choices[0],
                    second=choices[1],
                )
            )
    _check_schedule(name, values)
    return AccountConfig(**values)


_CHOICES = {
    "imap_security": ("ssl", "starttls"),
    "smtp_security": ("ssl", "starttls"),
    "reply_charset": ("utf-8", "iso-2022-jp"),
}


def _check_schedule(name: str, values: Mapping[str, Any]) -> None:
    """The working-hours clock's fields must read (core.schedule), or the account is refused
    with a message naming the field -- never silently counted around the clock."""
    from trayapp.core.schedule import ScheduleError, check_schedule_fields

    try:
        check_schedule_fields(
            timezone=values.get("timezone"),
            working_hours=values.get("working_hours", "always"),
            holidays=values.get("holidays"),
            days_off=values.get("days_off", ()),
        )
    except ScheduleError as error:
        raise ConfigError(
            Said(
                "account {name!r}: {field}: {problem}",
                name=name,
                field=error.field,
                problem=error.detail,
            )
            if error.field
            else Said("account {name!r}: {problem}", name=name, problem=str(error))
        ) from None


class ConfigStore:
    """Accounts and settings in `<dir>/config.json`.

    Every change is a read-modify-write of the whole file under a lock (a thread lock plus an
    advisory file lock where the OS has one), so the CLI and the tray app can both change it.
    Keys this version does not know, at the top level and inside accounts, are kept as they
    are; a password-like key is dropped on load and never written.
    """

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)
        self.path = self.directory / CONFIG_FILE
        self._lock = threading.RLock()

    # -- reading ------------------------------------------------------------------------------

    def _read_raw(self) -> dict[str, Any]:
        try:
            text = self.path.read_text(encoding="utf-8")
        except FileNotFoundError:
            return {"version": CONFIG_VERSION, "accounts": [], "settings": {}}
        try:
            raw = json.loads(text)
        except json.JSONDecodeError as error:
            raise ConfigError(
                Said(
                    "{path} is not valid JSON (line {line}): fix or move it away",
                    path=self.path,
                    line=error.lineno,
                )
            ) from None
        if not isinstance(raw, dict):
            raise ConfigError(Said("{path} does not hold a JSON object", path=self.path))
        version = raw.get("version", CONFIG_VERSION)
        if not isinstance(version, int) or version > CONFIG_VERSION:
            raise ConfigError(
                Said(
                    "{path} was written by a newer Ippo (version {version}); upgrade Ippo",
                    path=self.path,
                    version=version,
                )
            )
        accounts = raw.get("accounts", [])
        if not isinstance(accounts, list) or not all(isinstance(a, dict) for a in accounts):
            raise ConfigError("'accounts' must be a list of objects", file=self.path)
        for account in accounts:
            for key in [k for k in account if _is_secret_key(k)]:
                log.warning(
                    "ignoring a %r field in %s: passwords belong in the keyring", key, self.path
                )
                del account[key]
        settings = raw.get("settings", {})
        if not isinstance(settings, dict):
            raise ConfigError("'settings' must be an object", file=self.path)
        raw["accounts"] = accounts
        raw["settings"] = settings
        return raw

    def load_accounts(self) -> list[AccountConfig]:
        """Every account, validated: ConfigError names each problem with its account and
        field (all of them at once, so one edit fixes the file)."""
        with self._lock:
            raw_accounts = self._read_raw()["accounts"]
        accounts: list[AccountConfig] = []
        problems: list[Said] = []
        for raw in raw_accounts:
            try:
                accounts.append(account_from_dict(raw))
            except ConfigError as error:
                problems.extend(error.problems)
        seen: set[str] = set()
        for account in accounts:
            if account.name in seen:
                problems.append(Said("account {name!r}: the name is used twice", name=account.name))
            seen.add(account.name)
        if problems:
            raise ConfigError(*problems, file=self.path)
        return accounts

    def get_account(self, name: str) -> AccountConfig | None:
        for account in self.load_accounts():
            if account.name == name:
                return account
        return None

    def server_limits(self) -> Any:
        """settings.server_limits as a mail.transport.ServerLimits; ConfigError when bad."""
        from trayapp.mail.transport import ServerLimits

        try:
            return ServerLimits.from_settings(self.settings.get("server_limits"))
        except ValueError as error:
            raise ConfigError(str(error), file=self.path) from None

    @property
    def settings(self) -> dict[str, Any]:
        """A copy of the settings, defaults filled in."""
        with self._lock:
            return {**DEFAULT_SETTINGS, **self._read_raw()["settings"]}

    def app_settings(self) -> AppSettings:
        """The settings, typed (ConfigError when the file cannot be read)."""
        return AppSettings.from_raw(self.settings)

    # -- writing ------------------------------------------------------------------------------

    @contextlib.contextmanager
    def _editing(self) -> Iterator[dict[str, Any]]:
        """Yield the raw config to change in place; write it back if no exception."""
        with self._lock, self._file_lock():
            raw = self._read_raw()
            yield raw
            self._write_raw(raw)

    @contextlib.contextmanager
    def _file_lock(self) -> Iterator[None]:
        with contextlib.ExitStack() as held:
            try:
                self.directory.mkdir(mode=DIR_MODE, parents=True, exist_ok=True)
                held.enter_context(exclusive_lock(self.directory / ".config.lock"))
            except OSError as error:
                raise self._cannot_save(error) from None
            yield

    def _write_raw(self, raw: dict[str, Any]) -> None:
        ordered: dict[str, Any] = {
            "version": CONFIG_VERSION,
            "accounts": raw["accounts"],
            "settings": raw["settings"],
        }
        for key, value in raw.items():
            if key not in ordered:
                ordered[key] = value
        _assert_no_secret(ordered)
        data = json.dumps(ordered, indent=2, ensure_ascii=False) + "\n"
        try:
            atomic_write(self.path, data.encode("utf-8"))
        except OSError as error:
            raise self._cannot_save(error) from None

    def _cannot_save(self, error: OSError) -> ConfigError:
        return ConfigError(
            Said("cannot save {path}: {problem}", path=self.path, problem=_disk(error))
        )

    def save_accounts(self, accounts: list[AccountConfig]) -> None:
        """Replace the account list (in the given order), keeping unknown keys per account."""
        names = [a.name for a in accounts]
        if len(set(names)) != len(names):
            raise ConfigError("two accounts have the same name")
        with self._editing() as raw:
            old = {a.get("name"): a for a in raw["accounts"]}
            new: list[dict[str, Any]] = []
            for account in accounts:
                known = account_to_dict(account)
                extra = {k: v for k, v in old.get(account.name, {}).items() if k not in known}
                new.append({**known, **extra})
            raw["accounts"] = new

    def add_account(self, account: AccountConfig) -> None:
        """Append an account; ConfigError if the name is taken."""
        with self._lock:
            accounts = self.load_accounts()
            if any(a.name == account.name for a in accounts):
                raise ConfigError(
                    Said("an account named {name!r} already exists", name=account.name)
                )
            self.save_accounts([*accounts, account])

    def update_account(self, account: AccountConfig) -> None:
        """Replace the account of the same name; ConfigError if there is none."""
        with self._lock:
            accounts = self.load_accounts()
            if not any(a.name == account.name for a in accounts):
                raise ConfigError(Said("no account named {name!r}", name=account.name))
            self.save_accounts([account if a.name == account.name else a for a in accounts])

    def remove_account(self, name: str) -> bool:
        """Remove the account; False if there was none of that name."""
        with self._lock:
            accounts = self.load_accounts()
            kept = [a for a in accounts if a.name != name]
            if len(kept) == len(accounts):
                return False
            self.save_accounts(kept)
            return True

    @contextlib.contextmanager
    def editing_settings(self) -> Iterator[dict[str, Any]]:
        """Read-modify-write the settings under the config lock (no other writer between the
        read and the write: the CLI and the app may both change them)."""
        with self._editing() as raw:
            yield raw["settings"]
            for key in raw["settings"]:
                if _is_secret_key(key):
                    raise ValueError(f"refusing to write {key!r} to the config file")

    def update_settings(self, **values: Any) -> None:
        """Set settings (None values are stored as null, meaning 'default')."""
        for key in values:
            if _is_secret_key(key):
                raise ValueError(f"refusing to write {key!r} to the config file")
        with self._editing() as raw:
            raw["settings"].update(values)


def _assert_no_secret(value: Any, where: str = "config") -> None:
    """Defence in depth: a password-like key must never reach the file."""
    if isinstance(value, dict):
        for key, inner in value.items():
            if isinstance(key, str) and _is_secret_key(key):
                raise ValueError(f"refusing to write {where}.{key} to the config file")
            _assert_no_secret(inner, f"{where}.{key}")
    elif isinstance(value, list):
        for inner in value:
            _assert_no_secret(inner, where)
