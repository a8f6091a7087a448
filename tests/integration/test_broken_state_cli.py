"""Broken local state through the real command line: a damaged state file is moved aside with
one message, a read-only or full config folder is a sentence and a non-zero exit, never a
traceback."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.support.ippo_cli import REPO, run_ippo
from tests.support.keyring_session import KeyringSession
from tests.support.small_disk import fill, remount_read_only, small_disk
from trayapp.config import ConfigStore
from trayapp.core.model import AccountConfig
from trayapp.store.db import SCHEMA_VERSION, StateStore

pytestmark = pytest.mark.integration


def ippo(
    config_dir: Path, *args: str, env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    return run_ippo(dict(os.environ) if env is None else env, config_dir, *args)


def test_pending_moves_a_damaged_state_file_aside_and_says_so_once(tmp_path: Path) -> None:
    with StateStore(tmp_path) as store:
        store.dismiss("shop", "kept-dismissal", "answered")
    db = tmp_path / "state.sqlite3"
    db.write_bytes(db.read_bytes()[:100] + b"\xa5" * 8000)
    done = ippo(tmp_path, "pending")
    assert done.returncode == 0, done.stderr
    lines = done.stderr.splitlines()
    assert len(lines) == 1 and lines[0].startswith("ippo: state.sqlite3 was damaged")
    assert "moved aside to state.sqlite3.broken-" in lines[0]
    assert "No accounts yet" in done.stdout
    again = ippo(tmp_path, "pending")
    assert again.returncode == 0 and again.stderr == ""


def test_a_zero_length_state_file_is_not_silently_new(tmp_path: Path) -> None:
    (tmp_path / "state.sqlite3").write_bytes(b"")
    done = ippo(tmp_path, "pending")
    assert "ippo: state.sqlite3 was damaged (the file is empty)" in done.stderr
    assert list(tmp_path.glob("state.sqlite3.broken-*"))


def test_read_only_and_full_config_folders_are_sentences(
    tmp_path: Path, secret_env: KeyringSession
) -> None:
    env = secret_env.subprocess_env()
    account = AccountConfig(name="shop", email="shop@example.jp", imap_host="imap.example.jp")
    with small_disk(tmp_path / "disk", size_kb=256) as folder:
        ConfigStore(folder).add_account(account)
        StateStore(folder).close()
        fill(folder)
        full = ippo(folder, "account", "remove", "shop", env=env)
        assert full.returncode != 0
        assert "the disk is full" in full.stderr and "Traceback" not in full.stderr
        (folder / ".filler").unlink()
        remount_read_only(folder)
        read_only = ippo(folder, "account", "remove", "shop", env=env)
        assert read_only.returncode != 0
        assert "read-only" in read_only.stderr and "Traceback" not in read_only.stderr
        nested = ippo(folder / "new" / "config", "pending", env=env)
        assert nested.returncode == 2
        assert "cannot create" in nested.stderr and "Traceback" not in nested.stderr
        # the tray app too (it ended in a traceback), in the command line's language
        tray = ippo(folder / "new" / "config", env={**env, "IPPO_LANGUAGE": "ja"})
        assert tray.returncode == 2 and "Traceback" not in tray.stderr, tray.stderr
        assert tray.stderr.startswith(f"ippo: {folder / 'new' / 'config'} を作れません: ")
        assert "読み取り専用" in tray.stderr


def test_the_recovery_line_speaks_japanese_under_a_japanese_locale(tmp_path: Path) -> None:
    (tmp_path / "state.sqlite3").write_bytes(b"")
    env = {**os.environ, "IPPO_LANGUAGE": "ja"}
    done = ippo(tmp_path, "pending", env=env)
    assert "state.sqlite3 が壊れていたため（ファイルが空でした）" in done.stderr
    assert "に退避して新しく作り直しました" in done.stderr


# NaN, 1e400, a negative window, an empty folder list and a name used twice, by hand.
HOSTILE_CONFIG = """{"version": 1, "accounts": [
 {"name": "shop", "email": "s@example.jp", "imap_host": "imap.example.jp",
  "window_hours": NaN, "folders": []},
 {"name": "desk", "email": "d@example.jp", "imap_host": "imap.example.jp",
  "urgent_hours": 1e400, "warning_hours": -2},
 {"name": "help", "email": "h@example.jp", "imap_host": "imap.example.jp"},
 {"name": "help", "email": "i@example.jp", "imap_host": "imap.example.jp"}
]}"""


def language_env(**language: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LC_", "LANG", "IPPO_"))}
    return {**env, **language}


@pytest.mark.parametrize(
    "language",
    [{"IPPO_LANGUAGE": "ja"}, {"LANG": "ja_JP.UTF-8"}],
    ids=["IPPO_LANGUAGE", "locale"],
)
def test_a_hand_broken_config_is_named_in_japanese(
    tmp_path: Path, language: dict[str, str]
) -> None:
    (tmp_path / "config.json").write_text(HOSTILE_CONFIG)
    for command in (("pending",), ("account", "list"), ("ack", "x")):
        done = ippo(tmp_path, *command, env=language_env(**language))
        assert done.returncode == 2 if command[0] != "account" else done.returncode == 1
        lines = done.stderr.splitlines()
        assert len(lines) == 1 and "Traceback" not in done.stderr, done.stderr
        said = lines[0]
        assert said.startswith(f"ippo: {tmp_path / 'config.json'}: "), said
        for sentence in (
            "アカウント 'shop' の window_hours は、0 より大きく 8784 以下の数にしてください"
            "（いまの値: nan）",
            "アカウント 'shop' の folders は、フォルダーを1つ以上、空でない名前で挙げてください",
            "アカウント 'desk' の urgent_hours は、0 以上 8784 以下の数にしてください"
            "（いまの値: inf）",
            "アカウント 'desk' の warning_hours は、0 以上 8784 以下の数にしてください"
            "（いまの値: -2）",
            "アカウント名 'help' が2回使われています",
        ):
            assert sentence in said, said
        assert "must" not in said and "account '" not in said
    english = ippo(tmp_path, "pending", env=language_env(LANG="en_US.UTF-8"))
    assert english.returncode == 2 and "Traceback" not in english.stderr
    assert "account 'shop': window_hours must be a number above 0 and at most 8784 (not nan)" in (
        english.stderr
    )
    assert "account 'help': the name is used twice" in english.stderr
    assert "アカウント" not in english.stderr


def test_a_schedule_option_that_does_not_read_is_said_in_japanese(tmp_path: Path) -> None:
    ConfigStore(tmp_path).add_account(
        AccountConfig(name="shop", email="shop@example.jp", imap_host="imap.example.jp")
    )
    env = language_env(IPPO_LANGUAGE="ja")
    for option, value, said in (
        ("--timezone", "Mars/Olympus", "'Mars/Olympus' というタイムゾーンはありません"),
        ("--working-hours", "mon-fri 9-18", "'mon-fri 9-18' の '9-18' は時間の範囲として"),
        ("--holidays", "zz", "'zz' の祝日は分かりません（jp や us のような国コードで"),
    ):
        done = ippo(tmp_path, "account", "set", "shop", option, value, env=env)
        assert done.returncode == 1 and "Traceback" not in done.stderr, done.stderr
        assert done.stderr.startswith(f"ippo: {option}: {said}"), done.stderr


FIRST_START_ROUNDS = 8
FIRST_START_PROCESSES = 4


def open_at_once(folder: Path, processes: int) -> list[str]:
    """Start `processes` processes that open the state file in `folder` (tests.support.
    open_state), release them together, and return what each printed; each must end well."""
    runs = [
        subprocess.Popen(
            [sys.executable, "-m", "tests.support.open_state", str(folder)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd=REPO,
        )
        for _ in range(processes)
    ]
    for run in runs:  # one line each, at once: they start opening as soon as they are loaded
        assert run.stdin is not None
        run.stdin.write("go\n")
        run.stdin.flush()
    printed = []
    for run in runs:
        out, err = run.communicate(timeout=120)
        assert (run.returncode, err) == (0, ""), err
        assert out.endswith("ok\n"), out
        printed.append(out)
    return printed


def test_first_starts_at_once_never_take_each_others_new_file_for_a_damaged_one(
    tmp_path: Path,
) -> None:
    """Several processes opening a state file that does not exist yet, released at the same
    instant: each sees either no file or one that another has fully created -- never its
    half-created, still empty file (which used to be moved aside as "damaged" and then end in
    "no such table")."""
    for round_ in range(FIRST_START_ROUNDS):
        folder = tmp_path / f"round-{round_}"
        folder.mkdir()
        printed = open_at_once(folder, FIRST_START_PROCESSES)
        assert printed == ["ok\n"] * FIRST_START_PROCESSES, f"round {round_}"
        assert not list(folder.glob("state.sqlite3.broken-*")), f"round {round_}"
        with StateStore(folder) as store:
            assert store.schema_version() == SCHEMA_VERSION
            assert store.dismissed_ids("shop") == {"item-1"}  # no process wrote to a lost file


def test_an_empty_file_from_before_is_reported_once_when_processes_start_at_once(
    tmp_path: Path,
) -> None:
    (tmp_path / "state.sqlite3").write_bytes(b"")
    printed = open_at_once(tmp_path, FIRST_START_PROCESSES)
    told = [out for out in printed if "was damaged (the file is empty)" in out]
    assert len(told) == 1, printed
    assert len(list(tmp_path.glob("state.sqlite3.broken-*"))) == 1
    with StateStore(tmp_path) as store:
        assert store.recovery is None
        assert store.dismissed_ids("shop") == {"item-1"}
