"""The `ippo` command. Non-GUI commands never import PySide6 (scripts and status bars use them)."""

from __future__ import annotations

import argparse
import importlib
import sys
from collections.abc import Sequence

from trayapp import __version__


def add_global_options(parser: argparse.ArgumentParser) -> None:
    """The options that come before any command (the tray app takes only these)."""
    parser.add_argument(
        "--config-dir",
        help="where accounts and state live (default: $IPPO_CONFIG_DIR or the user config dir)",
    )
    parser.add_argument("--demo", action="store_true", help="start the tray app on sample data")


# Each command's module, imported only when that command runs (or for the full --help).
COMMANDS: dict[str, str] = {
    "account": "trayapp.commands.account",
    "pending": "trayapp.commands.pending",
    "ack": "trayapp.commands.ack",
    "watch": "trayapp.commands.watch",
    "report": "trayapp.commands.report",
    "away": "trayapp.commands.away",
    "snooze": "trayapp.commands.snooze",
    "quiet": "trayapp.commands.quiet",
}


def build_parser(argv: Sequence[str] | None = None) -> argparse.ArgumentParser:
    """The full parser; given `argv` naming a known command, only that command's subparser is
    built (the others' modules are not imported: a status bar runs `ippo pending` often)."""
    parser = argparse.ArgumentParser(
        prog="ippo", description="Keep your 'reply within 24 hours' promise on every inbox."
    )
    parser.add_argument("--version", action="version", version=f"ippo {__version__}")
    add_global_options(parser)
    sub = parser.add_subparsers(dest="command")
    chosen = _command_named(argv) if argv is not None else None
    for name in [chosen] if chosen is not None else list(COMMANDS):
        importlib.import_module(COMMANDS[name]).register(sub)
    from trayapp.cli_i18n import translate_parser

    translate_parser(parser)  # help texts in the user's language (trayapp/cli_ja.py)
    return parser


def _command_named(argv: Sequence[str]) -> str | None:
    """The command `argv` runs, when it is a known one (global options may come first)."""
    parser = argparse.ArgumentParser(prog="ippo", add_help=False, exit_on_error=False)
    add_global_options(parser)
    try:
        _args, rest = parser.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    if rest and rest[0] in COMMANDS:
        return rest[0]
    return None


def tray_app_args(argv: Sequence[str] | None = None) -> argparse.Namespace | None:
    """The arguments when they start the tray app (global options only, no command, no
    --help/--version); None otherwise. Then the full parser is not built: it imports every
    command module, which the tray app, up all day, would keep in memory for nothing."""
    parser = argparse.ArgumentParser(prog="ippo", add_help=False, exit_on_error=False)
    add_global_options(parser)
    parser.set_defaults(command=None)
    try:
        args, rest = parser.parse_known_args(argv)
    except argparse.ArgumentError:
        return None  # the full parser reports it, with the full usage
    return None if rest else args


def settings_language(argv: Sequence[str] | None = None) -> str | None:
    """The language chosen in Ippo's settings ('ja', 'en'), if any: the command line follows
    it as the tray app does. Reads config.json only if it exists (creates nothing)."""
    import os
    from pathlib import Path

    parser = argparse.ArgumentParser(add_help=False, exit_on_error=False)
    parser.add_argument("--config-dir")
    try:
        known, _rest = parser.parse_known_args(argv)
    except argparse.ArgumentError:
        return None
    from trayapp.config import CONFIG_ENV, ConfigError, ConfigStore

    raw = known.config_dir or os.environ.get(CONFIG_ENV)
    if not raw:
        import platformdirs

        raw = platformdirs.user_config_dir("ippo")
    try:
        language = ConfigStore(Path(raw).expanduser()).settings.get("language")
    except (ConfigError, OSError):
        return None
    return language if language in ("ja", "en") else None


def main(argv: Sequence[str] | None = None) -> int:
    args = tray_app_args(argv)
    if args is None:
        from trayapp.cli_i18n import use_language

        given = list(sys.argv[1:] if argv is None else argv)
        use_language(settings_language(given))
        args = build_parser(given).parse_args(given)
    handler = getattr(args, "handler", None)
    if handler is None:
        # No command: the tray app. Imported only here so CLI commands stay Qt-free.
        if argv is None:  # this process is the app (not a test calling main())
            from trayapp.memory_tricks import restart_without_thread_caches

            restart_without_thread_caches()
        from trayapp.app import run_gui

        return run_gui(args)
    result: int = handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
