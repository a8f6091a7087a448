"""`ippo snooze ID WHEN` / `ippo snooze ID off`: one item's notifications wait until WHEN.
Its deadline, its place in the list and the badge do not change.

WHEN: 1h, 30m, 13:00, this-afternoon, tomorrow (09:00), tomorrow-morning, or a time such as
2026-12-10T09:00. Exit 0; 1 for an unknown ID or a time that does not read; 2 when the
config or the state file cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from trayapp.cli_i18n import _, error_text


def register(subparsers: Any) -> None:
    snooze = subparsers.add_parser(
        "snooze",
        help="hold one item's notifications until a later time (its deadline stays)",
        description="Its notifications wait until WHEN; its deadline, its place in the list "
        "and the badge do not change. WHEN: 1h, 30m, 13:00, this-afternoon, tomorrow (09:00), "
        "or a time such as 2026-12-10T09:00; off ends the snooze.",
    )
    snooze.add_argument("id", metavar="ID", help="the item's id from `ippo pending --json`")
    snooze.add_argument(
        "when", metavar="WHEN", help="1h, 30m, 13:00, this-afternoon, tomorrow, ... or off"
    )
    snooze.set_defaults(handler=run)


def _fail(message: str, status: int) -> int:
    print(f"ippo: {message}", file=sys.stderr)
    return status


def run(args: argparse.Namespace) -> int:
    from trayapp.clock import now as clock_now
    from trayapp.config import ConfigError, ConfigStore, resolve_config_dir
    from trayapp.core.when import parse_when
    from trayapp.store.db import StateStore, StoreError

    now = clock_now()
    off = args.when.strip().lower() in ("off", "none", "clear")
    until = None
    if not off:
        try:
            until = parse_when(args.when, now)
        except ValueError as error:
            return _fail(error_text(error), 1)
        if until <= now:
            return _fail(_("must lie in the future: {spec!r}").format(spec=args.when), 1)
    try:
        config_dir = resolve_config_dir(getattr(args, "config_dir", None))
        accounts = [a.name for a in ConfigStore(config_dir).load_accounts()]
        with StateStore(config_dir) as store:
            found = [
                (name, item)
                for name in accounts
                for item in store.items(name)
                if item.id == args.id
            ]
            if not found:
                return _fail(
                    _("no waiting item {id!r} (see `ippo pending --json`)").format(id=args.id), 1
                )
            name, item = found[0]
            if until is None:
                store.unsnooze(name, item.id)
            else:
                store.snooze(name, item.id, until)
    except (ConfigError, StoreError, OSError) as error:
        return _fail(error_text(error), 2)
    if until is None:
        print(_("{id}: notifications back on").format(id=item.id))
    else:
        print(
            _("{id}: notifications wait until {until}; the deadline stays {due}").format(
                id=item.id,
                until=f"{until:%Y-%m-%d %H:%M}",
                due=f"{item.deadline.astimezone(now.tzinfo):%Y-%m-%d %H:%M}",
            )
        )
    return 0
