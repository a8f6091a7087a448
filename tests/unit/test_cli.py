"""`ippo`'s dispatch: the tray app path parses only the global options (the command modules
stay out of the long-running GUI process); everything else gets the full parser."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from trayapp.cli import tray_app_args

REPO = Path(__file__).resolve().parents[2]


def test_no_command_is_the_tray_app_with_its_options() -> None:
    args = tray_app_args([])
    assert args is not None and args.command is None and not args.demo
    args = tray_app_args(["--config-dir", "/tmp/x", "--demo"])
    assert args is not None and args.config_dir == "/tmp/x" and args.demo


@pytest.mark.parametrize(
    "argv",
    [["pending"], ["--config-dir", "/tmp/x", "pending"], ["--help"], ["-h"], ["--version"],
     ["--config-dir"], ["--no-such-option"]],
)  # fmt: skip
def test_commands_help_version_and_errors_go_to_the_full_parser(argv: list[str]) -> None:
    assert tray_app_args(argv) is None


def _ippo(*argv: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "trayapp", *argv],
        capture_output=True, text=True, timeout=60, cwd=REPO, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip


def test_help_still_lists_every_command() -> None:
    done = _ippo("--help")
    assert done.returncode == 0
    for command in ("account", "pending", "ack", "watch", "--config-dir", "--demo"):
        assert command in done.stdout, command
    assert _ippo("--version").stdout.startswith("ippo ")
    missing = _ippo("--config-dir")
    assert missing.returncode == 2 and "expected one argument" in missing.stderr
    # the full usage
    assert "{account,pending,ack,watch,report,away,snooze,quiet}" in missing.stderr


def test_the_tray_app_path_imports_no_command_module(tmp_path: Path) -> None:
    code = (
        "import sys\n"
        "import trayapp.app\n"
        "trayapp.app.run_gui = lambda args: print('gui', args.config_dir) or 0\n"
        "from trayapp.cli import main\n"
        "code = main(['--config-dir', sys.argv[1]])\n"
        "print(sorted(m for m in sys.modules if m.startswith('trayapp.commands')))\n"
        "sys.exit(code)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, str(tmp_path)],
        capture_output=True, text=True, timeout=60, cwd=REPO, check=False,
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [f"gui {tmp_path}", "[]"]


@pytest.mark.parametrize("hours", ["1e400", "inf", "nan", "-5", "0"])
def test_account_add_refuses_hours_that_are_no_number_of_hours(
    hours: str, capsys: pytest.CaptureFixture[str]
) -> None:
    from trayapp.cli import build_parser

    argv = ["account", "add", "--name", "x", "--email", "a@x.jp", "--imap-host", "h"]
    argv.append("--password-stdin")
    assert build_parser().parse_args([*argv, "--window-hours", "24"]).window_hours == 24.0
    with pytest.raises(SystemExit) as caught:
        build_parser().parse_args([*argv, "--window-hours", hours])
    assert caught.value.code == 2
    assert "argument --window-hours" in capsys.readouterr().err


def test_a_command_builds_only_its_own_parser(tmp_path: Path) -> None:
    """`ippo pending` (a status bar runs it often) imports no other command's module."""
    code = (
        "import sys\n"
        "from trayapp.cli import build_parser\n"
        "args = build_parser(sys.argv[1:]).parse_args(sys.argv[1:])\n"
        "print(args.command)\n"
        "print(sorted(m for m in sys.modules if m.startswith('trayapp.commands.')))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code, "--config-dir", str(tmp_path), "pending", "--json"],
        capture_output=True, text=True, timeout=60, cwd=REPO, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == ["pending", "['trayapp.commands.pending']"]
    # An unknown word still gets the full parser and its usage, with every command.
    wrong = _ippo("pendng")
    every = "{account,pending,ack,watch,report,away,snooze,quiet}"
    assert wrong.returncode == 2 and every in wrong.stderr
