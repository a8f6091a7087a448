"""Broken local state through the real command line: a damaged state file is moved aside with
one message, a read-only or full config folder is a sentence and a non-zero exit, never a
traceback."""

from __future__ import annotations

import os
import subprocess
from pathlib import Path

import pytest

from tests.support.ippo_cli import run_ippo
from tests.support.keyring_session import KeyringSession
from tests.support.small_disk import fill, remount_read_only, small_disk
from trayapp.config import ConfigStore
from trayapp.core.model import AccountConfig
from trayapp.store.db import StateStore

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


def test_the_recovery_line_speaks_japanese_under_a_japanese_locale(tmp_path: Path) -> None:
    (tmp_path / "state.sqlite3").write_bytes(b"")
    env = {**os.environ, "IPPO_LANGUAGE": "ja"}
    done = ippo(tmp_path, "pending", env=env)
    assert "state.sqlite3 が壊れていたため（the file is empty）" in done.stderr
    assert "に退避して新しく作り直しました" in done.stderr
