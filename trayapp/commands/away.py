"""`ippo away set UNTIL [--from WHEN]`, `ippo away clear`, `ippo away` (show).

While away the promise clock stands still for every account (what arrives is due as if it
arrived when the absence ends) and notifications are held. A date alone means the start of
that day (`ippo away set 2026-12-10`: back on the morning of the 10th). Exit 0; 1 with
`ippo: <reason>` for a time that does not read; 2 when the config cannot be used.
"""

from __future__ import annotations

import argparse
import sys
from typing import Any

from trayapp.cli_i18n import _, error_text

EXIT_BAD_INPUT = 1
EXIT_UNUSABLE = 2


def register(subparsers: Any) -> None:
    away = subparsers.add_parser(
        "away",
        help="pause every deadline while you are away (set, clear)",
        description="While away, deadlines pause (what arrives is due as if it arrived when "
        "you are back) and notifications are held. Without a subcommand: show the absence.",
    )
    away.set_defaults(handler=run_show)
    commands = away.add_subparsers(dest="away_command", metavar="{set,clear}")
    set_cmd = commands.add_parser(
        "set",
        help="away until UNTIL",
        description="UNTIL and WHEN: 2026-12-10 (the start of that day), 2026-12-10T09:00, "
        "13:00, 3d, 12h, tomorrow; times without an offset are in the system's time zone.",
    )
    set_cmd.add_argument("until", metavar="UNTIL", help="when you are back")
    set_cmd.add_argument("--from", dest="start", metavar="WHEN", help="when you leave (now)")
    set_cmd.add_argument(
        "--auto-reply",
        action="store_true",
        help="answer each new sender once, automatically, that you are away (an RFC 3834 "
        "auto-reply; never to automated, list, bulk or own mail; needs the account's SMTP)",
    )
    set_cmd.set_defaults(handler=run_set)
    clear = commands.add_parser("clear", help="back now: end the absence (or drop a planned one)")
    clear.set_defaults(handler=run_clear)


def _fail(message: str, status: int) -> int:
    print(f"ippo: {message}", file=sys.stderr)
    return status


def _config(args: argparse.Namespace) -> Any:
    from trayapp.config import ConfigStore, resolve_config_dir

    return ConfigStore(resolve_config_dir(getattr(args, "config_dir", None)))


def _fmt(moment: Any) -> str:
    return f"{moment:%Y-%m-%d %H:%M %Z}".strip()


def run_set(args: argparse.Namespace) -> int:
    from trayapp.clock import now as clock_now
    from trayapp.config import ConfigError
    from trayapp.core.when import parse_when
    from trayapp.policy import save_absence

    now = clock_now()
    try:
        # Whole seconds: INTERNALDATE has no fractions, and mail arriving in the same second
        # as the command arrived during the absence.
        start = parse_when(args.start, now) if args.start else now.replace(microsecond=0)
        until = parse_when(args.until, now)
    except ValueError as error:
        return _fail(error_text(error), EXIT_BAD_INPUT)
    try:
        save_absence(_config(args), start, until, now, auto_reply=args.auto_reply)
    except ValueError as error:
        return _fail(error_text(error), EXIT_BAD_INPUT)
    except (ConfigError, OSError) as error:
        return _fail(error_text(error), EXIT_UNUSABLE)
    note = _(" (automatic first word on)") if args.auto_reply else ""
    print(_("away from {start} until {until}").format(start=_fmt(start), until=_fmt(until)) + note)
    return 0


def run_clear(args: argparse.Namespace) -> int:
    from trayapp.clock import now as clock_now
    from trayapp.config import ConfigError
    from trayapp.policy import end_absence

    try:
        had = end_absence(_config(args), clock_now())
    except (ConfigError, OSError) as error:
        return _fail(error_text(error), EXIT_UNUSABLE)
    print(_("back: the absence is cleared") if had else _("not away"))
    return 0


def run_show(args: argparse.Namespace) -> int:
    from trayapp.clock import now as clock_now
    from trayapp.config import ConfigError
    from trayapp.core.away import next_absence
    from trayapp.policy import ClockPolicy

    now = clock_now()
    try:
        absence = next_absence(ClockPolicy(_config(args)).absences(), now)
    except (ConfigError, OSError) as error:
        return _fail(error_text(error), EXIT_UNUSABLE)
    if absence is None:
        print(_("not away"))
    elif absence.start <= now:
        print(_("away until {until}").format(until=_fmt(absence.until)))
    else:
        print(
            _("away from {start} until {until}").format(
                start=_fmt(absence.start), until=_fmt(absence.until)
            )
        )
    return 0
