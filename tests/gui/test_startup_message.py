"""When the app cannot start, its message says why as a plain sentence in the UI language:
a hand-broken config.json names the account and the field (in Japanese too), and a state
folder that cannot be written is a sentence, not Python's words."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import QApplication
from pytestqt.qtbot import QtBot

from trayapp.config import ConfigStore
from trayapp.store.db import StateStore
from trayapp.ui.startup import EXIT_UNUSABLE, Startup

from .helpers import speaking

BROKEN = """{"version": 1, "accounts": [
 {"name": "shop", "email": "s@example.jp", "imap_host": "imap.example.jp",
  "window_hours": -24, "folders": []}
]}"""


def failed_start(build: Callable[[], None]) -> str:
    """Start with `build` (which raises) and return the text of the message shown."""
    startup = Startup(QApplication.instance(), build)  # type: ignore[arg-type]
    startup._ready()  # the tray is there: build now (begin() waits for a tray first)
    box = startup._box
    assert box is not None and box.isVisible() and startup.status == EXIT_UNUSABLE
    text = box.text()
    box.hide()  # not closed: closing the message quits the application
    box.deleteLater()
    return text


def test_a_broken_config_is_named_in_the_ui_language(qtbot: QtBot, tmp_path: Path) -> None:
    (tmp_path / "config.json").write_text(BROKEN)
    with speaking("ja"):
        text = failed_start(lambda: ConfigStore(tmp_path).load_accounts() and None)
    assert text.startswith("Ippo を起動できませんでした：")
    assert "アカウント 'shop' の window_hours は、0 より大きく 8784 以下の数にしてください" in text
    assert "\nアカウント 'shop' の folders は、フォルダーを1つ以上" in text  # a problem a line
    assert "must" not in text
    with speaking("en"):
        text = failed_start(lambda: ConfigStore(tmp_path).load_accounts() and None)
    assert text.startswith("Ippo could not start: ")
    assert "account 'shop': window_hours must be a number above 0" in text


def test_a_state_folder_that_cannot_be_written_is_a_sentence(qtbot: QtBot, tmp_path: Path) -> None:
    from tests.support.small_disk import remount_read_only, small_disk

    with small_disk(tmp_path / "disk") as folder:
        remount_read_only(folder)
        with speaking("ja"):
            japanese = failed_start(lambda: StateStore(folder) and None)
        with speaking("en"):
            english = failed_start(lambda: StateStore(folder) and None)
    assert "書き込めません" in japanese and "権限を確認してください" in japanese
    assert "read-only" not in japanese
    assert "Ippo cannot write to its folder (read-only or someone else's)" in english
    for text in (japanese, english):
        assert "Error" not in text and "[Errno" not in text
