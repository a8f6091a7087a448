"""`ippo account set NAME [any add option] [--password-stdin]`, the working-hours options
that `add` and `set` share (--timezone, --working-hours, --holidays, --days-off) and what
customers see (--display-name, --signature, --signature-ja, --signature-en).

`set` edits an account in place: the state Ippo keeps under the account's name (dismissals,
ignored senders, acknowledgements and their promises) is untouched, so nothing the user
decided is lost. A changed login (server, port, security, user name, CA, password) is tested
against the server before anything is saved; a new password goes into the keyring first.
"""

from __future__ import annotations

import argparse
import dataclasses
import logging
from pathlib import Path
from typing import Any

from trayapp.cli_i18n import current
from trayapp.core.model import AccountConfig
from trayapp.core.schedule import (
    ALWAYS,
    ScheduleError,
    check_schedule_fields,
    format_days_off,
    format_working_hours,
    parse_days_off,
    parse_working_hours,
)

log = logging.getLogger(__name__)

# Fields whose change needs the login tested again.
LOGIN_FIELDS = ("email", "imap_host", "imap_port", "imap_security", "username", "ca_file")
# Fields whose change needs the SMTP login tested again.
SMTP_FIELDS = ("smtp_host", "smtp_port", "smtp_security", "smtp_username")
# `add` options whose dest is an AccountConfig field of the same name.
SIMPLE_FIELDS = (
    "email",
    "imap_host",
    "imap_port",
    "imap_security",
    "username",
    "window_hours",
    "lookback_days",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
)
OPTIONAL_TEXT = frozenset({"username", "smtp_host", "smtp_username"})


def add_schedule_options(parser: argparse.ArgumentParser) -> None:
    """The working-hours clock's options (core.schedule), for `add` (and so for `set`)."""
    group = parser.add_argument_group(
        "working hours",
        "The response window counts only working time: inside the working hours, on working "
        "days (not the chosen country's public holidays, not your days off), in the "
        "account's time zone.",
    )
    group.add_argument(
        "--timezone",
        metavar="ZONE",
        help="IANA time zone such as Asia/Tokyo (default: the system's; 'system' resets)",
    )
    group.add_argument(
        "--working-hours",
        metavar="HOURS",
        help="e.g. 'mon-fri 09:00-18:00' or 'mon-fri 09:00-12:00,13:00-18:00; sat 10:00-14:00';"
        " 'always' (the default) counts around the clock",
    )
    group.add_argument(
        "--holidays",
        metavar="COUNTRY",
        help="skip this country's public holidays: jp, us, de, ... ('none' for none)",
    )
    group.add_argument(
        "--days-off",
        metavar="DATES",
        help="your own days off: 2026-12-29..2027-01-03,2027-05-06 ('none' for none)",
    )


def schedule_changes(args: argparse.Namespace) -> dict[str, Any]:
    """The AccountConfig fields the schedule options ask for (only those given).
    ValueError with a message for people when one does not read."""
    changes: dict[str, Any] = {}
    timezone = getattr(args, "timezone", None)
    if timezone is not None:
        changes["timezone"] = None if timezone.strip().lower() in ("", "system") else timezone
    hours = getattr(args, "working_hours", None)
    if hours is not None:
        try:
            changes["working_hours"] = format_working_hours(parse_working_hours(hours))
        except ScheduleError as error:
            raise ValueError(f"--working-hours: {error.text(current())}") from None
    holidays = getattr(args, "holidays", None)
    if holidays is not None:
        code = holidays.strip().lower()
        changes["holidays"] = None if code in ("", "none") else code
    days_off = getattr(args, "days_off", None)
    if days_off is not None:
        try:
            changes["days_off"] = format_days_off(parse_days_off(days_off))
        except ScheduleError as error:
            raise ValueError(f"--days-off: {error.text(current())}") from None
    try:
        check_schedule_fields(
            timezone=changes.get("timezone"),
            working_hours=changes.get("working_hours", ALWAYS),
            holidays=changes.get("holidays"),
            days_off=changes.get("days_off", ()),
        )
    except ScheduleError as error:
        # the field -> the option the user typed ("--timezone: unknown …")
        option = "--" + error.field.replace("_", "-")
        raise ValueError(f"{option}: {error.detail.text(current())}") from None
    return changes


# What customers see in a reply: `add` options whose dest is an AccountConfig field.
REPLY_LOOK_FIELDS = ("display_name", "signature", "signature_ja", "signature_en")


def reply_look_changes(args: argparse.Namespace) -> dict[str, Any]:
    """The name shown in From and the signatures the options ask for (only those given).
    A signature keeps its lines as typed; only whitespace at its ends goes."""
    given = vars(args)
    return {
        name: str(given[name]).strip()
        for name in REPLY_LOOK_FIELDS
        if name in given and given[name] is not None
    }


def mirror_options(
    source: argparse.ArgumentParser, target: argparse.ArgumentParser, skip: set[str]
) -> None:
    """Give `target` every option of `source` (but `skip`), optional and absent unless given:
    `set` takes exactly what `add` takes, whatever `add` learns later."""
    for action in source._actions:
        if not action.option_strings or set(action.option_strings) & skip:
            continue
        kwargs: dict[str, Any] = {
            "dest": action.dest,
            "help": action.help,
            "default": argparse.SUPPRESS,
        }
        if action.nargs == 0:
            kwargs["action"] = "store_true"
        else:
            kwargs.update(type=action.type, choices=action.choices, metavar=action.metavar)
        target.add_argument(*action.option_strings, **kwargs)


def edited_account(
    old: AccountConfig, args: argparse.Namespace, default_ports: dict[str, dict[str, int]]
) -> AccountConfig:
    """`old` with the options given in `args` applied. ValueError for a bad value."""
    given = vars(args)
    changes: dict[str, Any] = {}
    for name in SIMPLE_FIELDS:
        if name in given and given[name] is not None:
            value = given[name]
            if isinstance(value, str):
                value = value.strip()
                if name in OPTIONAL_TEXT and not value:
                    value = None
            changes[name] = value
    if "email" in changes and "@" not in str(changes["email"]):
        raise ValueError(f"--email does not look like an address: {changes['email']}")
    if "ca_file" in given and given["ca_file"] is not None:
        if not given["ca_file"].strip():
            changes["ca_file"] = None
        else:
            ca_path = Path(given["ca_file"]).expanduser()
            if not ca_path.is_file():
                raise ValueError(f"--ca-file {given['ca_file']}: no such file")
            changes["ca_file"] = str(ca_path.resolve())
    # A new security with no port given: the new security's usual port, if the old port was
    # the old security's usual one.
    for kind, port_field, security_field in (
        ("imap", "imap_port", "imap_security"),
        ("smtp", "smtp_port", "smtp_security"),
    ):
        ports = default_ports[kind]
        new_security = changes.get(security_field, getattr(old, security_field))
        if port_field not in changes and security_field in changes:
            old_port = getattr(old, port_field)
            if old_port in (None, ports[getattr(old, security_field)]):
                changes[port_field] = ports[new_security]
    if changes.get("smtp_host") and old.smtp_port is None and "smtp_port" not in changes:
        changes["smtp_port"] = default_ports["smtp"][
            changes.get("smtp_security", old.smtp_security)
        ]
    changes.update(reply_look_changes(args))
    changes.update(schedule_changes(args))
    return dataclasses.replace(old, **changes)


def login_changed(old: AccountConfig, new: AccountConfig) -> bool:
    return any(getattr(old, f) != getattr(new, f) for f in LOGIN_FIELDS)


def describe_changes(old: AccountConfig, new: AccountConfig) -> list[str]:
    return [
        f"{f.name}: {getattr(old, f.name)!r} -> {getattr(new, f.name)!r}"
        for f in dataclasses.fields(AccountConfig)
        if getattr(old, f.name) != getattr(new, f.name)
    ]


def describe_schedule(account: AccountConfig) -> str:
    """'' around the clock, else '  mon-fri 09:00-18:00 Asia/Tokyo, holidays jp, 2 days off'."""
    parts = [] if account.working_hours == ALWAYS else [account.working_hours]
    if account.timezone:
        parts.append(account.timezone)
    if account.holidays:
        parts.append(f"holidays {account.holidays}")
    if account.days_off:
        parts.append(f"days off {','.join(account.days_off)}")
    return f"  {' '.join(parts)}" if parts else ""
