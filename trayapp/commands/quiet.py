"""`ippo quiet set START-END` (e.g. 22:00-07:30), `ippo quiet clear`, `ippo quiet` (show).

Inside quiet hours notifications are held and delivered as one summary when they end; at
their start one warning lists what will pass its deadline before they end. Deadlines and the
badge do not change. Exit 0; 1 for a range that does not read; 2 when the config cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from trayapp.cli_i18n import _, error_text


def register(subparsers: Any) -> None:
    quiet = subparsers.add_parser(
        "quiet",
        help="hold notifications during quiet hours (set, clear)",
        description="Quiet hours: notifications wait and come as one summary when they end; "
        "one warning at their start lists what will pass its deadline before they end.",
    )
    quiet.set_defaults(handler=run_show)
    commands = quiet.add_subparsers(dest="quiet_command", metavar="{set,clear}")
    set_cmd = commands.add_parser("set", help="quiet hours, e.g. 22:00-07:30 (system time zone)")
    set_cmd.add_argument("hours", metavar="START-END")
    set_cmd.set_defaults(handler=run_set)
    clear = commands.add_parser("clear", help="no quiet hours")
    clear.set_defaults(handler=run_clear)


def _fail(message: str, status: int) -> int:
    print(f"ippo: {message}", file=sys.stderr)
    return status


def _save(args: argparse.Namespace, value: str | None) -> int:
    from trayapp.config import ConfigError, ConfigStore, resolve_config_dir
    from trayapp.policy import QUIET_SETTING

    try:
        config = ConfigStore(resolve_config_dir(getattr(args, "config_dir", None)))
        config.update_settings(**{QUIET_SETTING: value})
    except (ConfigError, OSError) as error:
        return _fail(error_text(error), 2)
    return 0


def run_set(args: argparse.Namespace) -> int:
    from trayapp.core.quiet import format_quiet_hours, parse_quiet_hours

    try:
        text = format_quiet_hours(parse_quiet_hours(args.hours))
    except ValueError as error:
        return _fail(error_text(error), 1)
    status = _save(args, text)
    if status == 0:
        print(_("quiet hours {hours}").format(hours=text))
    return status


def run_clear(args: argparse.Namespace) -> int:
    status = _save(args, None)
    if status == 0:
        print(_("no quiet hours"))
    return status


def run_show(args: argparse.Namespace) -> int:
    from trayapp.config import ConfigError, ConfigStore, resolve_config_dir
    from trayapp.core.quiet import format_quiet_hours
    from trayapp.policy import ClockPolicy

    try:
        config = ConfigStore(resolve_config_dir(getattr(args, "config_dir", None)))
        quiet = ClockPolicy(config).quiet_hours()
    except (ConfigError, OSError) as error:
        return _fail(error_text(error), 2)
    if quiet:
        print(_("quiet hours {hours}").format(hours=format_quiet_hours(quiet)))
    else:
        print(_("no quiet hours"))
    return 0
