"""The `ippo` command. Non-GUI commands never import PySide6 (scripts and status bars use them)."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence

from trayapp import __version__


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="ippo", description="Keep your 'reply within 24 hours' promise on every inbox."
    )
    parser.add_argument("--version", action="version", version=f"ippo {__version__}")
    parser.add_argument(
        "--config-dir",
        help="where accounts and state live (default: $IPPO_CONFIG_DIR or the user config dir)",
    )
    parser.add_argument("--demo", action="store_true", help="start the tray app on sample data")
    sub = parser.add_subparsers(dest="command")

    from trayapp.commands import account as account_cmd
    from trayapp.commands import ack as ack_cmd
    from trayapp.commands import pending as pending_cmd
    from trayapp.commands import watch as watch_cmd

    account_cmd.register(sub)
    pending_cmd.register(sub)
    ack_cmd.register(sub)
    watch_cmd.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    handler = getattr(args, "handler", None)
    if handler is None:
        # No command: the tray app. Imported only here so CLI commands stay Qt-free.
        from trayapp.app import run_gui

        return run_gui(args)
    result: int = handler(args)
    return result


if __name__ == "__main__":
    sys.exit(main())
