"""What went wrong reaches people as a plain sentence in the UI language, never Python's words
or an exception's raw English text: a login entry that cannot be written, a keyring that
refuses the new password (a full disk under the running app: tests/gui/test_app.py). Real
parts: the XDG autostart on a read-only tmpfs, gnome-keyring (locked) on a private bus."""

from __future__ import annotations

from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from tests.support.keyring_session import KeyringSession
from tests.support.small_disk import remount_read_only, small_disk
from trayapp.desktop.autostart import XdgAutostart
from trayapp.desktop.secrets import KeyringSecretStore
from trayapp.ui.password_dialog import NewPasswordDialog
from trayapp.ui.tasks import TaskRunner

from .helpers import speaking
from .test_app import SHOP, Harness

pytestmark = [pytest.mark.gui]

LOCKED_JA = "OSのキーリングが使えません（ロック中か未導入）。"


@pytest.mark.parametrize("language", ["ja", "en"])
def test_a_login_entry_that_cannot_be_written_is_a_sentence(
    tmp_path: Path, qtbot: QtBot, language: str
) -> None:
    harness = Harness(tmp_path, [SHOP])
    try:
        with small_disk(tmp_path / "xdg", size_kb=64) as folder, speaking(language):
            remount_read_only(folder)
            harness.app.autostart = XdgAutostart(folder)
            harness.app.set_start_at_login(True)
            said = harness.app.messages[-1].text()
    finally:
        harness.app.shutdown()
    entry = folder / "autostart" / "io.github.ippo.Ippo.desktop"
    if language == "ja":
        assert said.startswith(f"ログイン時の起動の設定（{entry}）を書き込めません: "), said
        assert said.endswith(
            "フォルダーが読み取り専用か、他のユーザーのものです。権限を確認してください"
        )
    else:
        assert said == (
            f"cannot write the login entry {entry}: the folder is read-only or not yours; "
            "check its permissions"
        )
    assert "Errno" not in said and "Read-only file system" not in said


def test_a_password_the_keyring_refuses_is_said_in_japanese(
    qtbot: QtBot, locked_secret_env: KeyringSession, tasks: TaskRunner
) -> None:
    store = KeyringSecretStore()
    with speaking("ja"):
        dialog = NewPasswordDialog(
            SHOP,
            "",
            lambda account, password: None,
            lambda name, p: store.set_password(name, p),
            tasks,
        )
        qtbot.addWidget(dialog)
        dialog.password.setText("new secret")
        dialog.save_button.click()
        qtbot.waitUntil(lambda: dialog.save_button.isEnabled(), timeout=10_000)
        said = dialog.status.text()
    assert said.startswith("ログインはできましたが、パスワードを保存できませんでした：" + LOCKED_JA)
    assert "keyring" not in said  # was the keyring's English words


def test_a_schedule_that_does_not_read_is_said_in_japanese(qtbot: QtBot) -> None:
    """The settings' working hours, days off and time zone: the parser's problem in the UI
    language (it was English inside the Japanese dialog)."""
    from trayapp.ui.schedule_editor import ScheduleEditor

    with speaking("ja"):
        editor = ScheduleEditor("ja")
        qtbot.addWidget(editor)
        editor.load(SHOP)
        editor.working_hours.setText("mon-fri 9-18")
        hours = editor.problem()
        preview = editor.preview.text()
        editor.working_hours.setText("mon-fri 09:00-18:00")
        editor.days_off.setText("2027-02-30")
        days_off = editor.problem()
    assert (
        hours
        == preview
        == "'mon-fri 9-18' の '9-18' は時間の範囲として読めません（例: 09:00-18:00）"
    )
    assert days_off == (
        "'2027-02-30' の '2027-02-30' は日付として読めません（2026-12-29 の形で書いてください）"
    )
