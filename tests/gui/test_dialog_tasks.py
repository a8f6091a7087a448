"""A dialog closed while its login test runs (on the app's TaskRunner, against the real
Dovecot) is never handed the result: nothing more is saved, nothing is delivered to the dead
window, no error is logged and Qt warns of nothing."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import replace

import pytest
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDialog
from pytestqt.qtbot import QtBot

from tests.support.dovecot import DovecotServer, DovecotUser
from trayapp.core.model import AccountConfig
from trayapp.mail.imap import check_login
from trayapp.ui.account_editor import AccountEditor
from trayapp.ui.first_run import AddInboxDialog
from trayapp.ui.password_dialog import NewPasswordDialog
from trayapp.ui.tasks import TaskRunner

pytestmark = [pytest.mark.gui, pytest.mark.integration]


class Gate:
    """A login that waits until the test lets it go (then logs in to the real server)."""

    def __init__(self) -> None:
        self.entered = threading.Event()
        self.release = threading.Event()
        self.logged_in = threading.Event()

    def login(self, account: AccountConfig, password: str) -> None:
        self.entered.set()
        assert self.release.wait(20)
        check_login(account, password)
        self.logged_in.set()


def _add_inbox(
    tasks: TaskRunner, gate: Gate, saved: list[object], user: DovecotUser, dovecot: DovecotServer
) -> tuple[QDialog, Callable[[], None]]:
    dialog = AddInboxDialog(test_login=gate.login, save=lambda a, p: saved.append(a), tasks=tasks)
    dialog.email.setText(user.email)
    dialog.password.setText(user.password)
    dialog.imap_host.setText(dovecot.host)
    dialog.imap_port.setValue(dovecot.imaps_port)
    dialog.username.setText(user.username)
    dialog.ca_file.setText(dovecot.ca_file)
    dialog.smtp_host.clear()
    return dialog, dialog.start_test


def _account_editor(
    tasks: TaskRunner, gate: Gate, saved: list[object], user: DovecotUser, dovecot: DovecotServer
) -> tuple[QDialog, Callable[[], None]]:
    account = replace(dovecot.account(user), name="shop")

    def save(old: AccountConfig, new: AccountConfig, password: str | None, smtp: bool) -> None:
        gate.login(new, password or user.password)
        saved.append(new)

    editor = AccountEditor(account, save, tasks)
    editor.password.setText(user.password)
    return editor, editor.start_save


def _new_password(
    tasks: TaskRunner, gate: Gate, saved: list[object], user: DovecotUser, dovecot: DovecotServer
) -> tuple[QDialog, Callable[[], None]]:
    account = replace(dovecot.account(user), name="shop")
    dialog = NewPasswordDialog(account, "", gate.login, lambda n, p: saved.append(n), tasks)
    dialog.password.setText(user.password)
    return dialog, dialog.start_test


def _delivered_everything_before(tasks: TaskRunner, qtbot: QtBot) -> None:
    """The runner is in order: once a later job's result is here, an earlier one's delivery
    (had it not been dropped) has run too."""
    marker: list[bool] = []
    tasks.submit(lambda: True, on_done=marker.append)
    qtbot.waitUntil(lambda: marker == [True], timeout=20_000)


@pytest.mark.parametrize("make", [_add_inbox, _account_editor, _new_password])
@pytest.mark.parametrize("how", ["cancel", "window closed"])
def test_a_dialog_closed_during_its_login_test_gets_no_result(
    qtbot: QtBot,
    qtlog: object,
    caplog: pytest.LogCaptureFixture,
    tasks: TaskRunner,
    dovecot: DovecotServer,
    make: Callable[..., tuple[QDialog, Callable[[], None]]],
    how: str,
) -> None:
    user = dovecot.add_user()
    gate = Gate()
    saved: list[object] = []
    dialog, start = make(tasks, gate, saved, user, dovecot)
    dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
    dialog.show()
    destroyed: list[bool] = []
    dialog.destroyed.connect(lambda *_: destroyed.append(True))
    caplog.set_level(logging.WARNING)

    start()
    assert gate.entered.wait(20)  # the login test is under way on the worker
    records = qtlog.records  # type: ignore[attr-defined]
    shown = len(records)  # (showing a window offscreen has its own notes)
    if how == "cancel":
        dialog.reject()
    else:
        dialog.close()
    qtbot.waitUntil(lambda: bool(destroyed), timeout=5000)  # the window is gone
    del dialog
    gate.release.set()  # the login now goes through against the real server
    assert gate.logged_in.wait(20)
    _delivered_everything_before(tasks, qtbot)

    if make is _account_editor:
        assert len(saved) == 1  # its save is the login itself: already under way, finished
    else:
        assert saved == []  # stopped before the save step began
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []
    after = qtlog.records[shown:]  # type: ignore[attr-defined]
    assert [m.message for m in after if m.type.name in ("QtWarningMsg", "QtCriticalMsg")] == []


def test_a_login_finished_after_cancel_is_never_saved(
    qtbot: QtBot, tasks: TaskRunner, dovecot: DovecotServer
) -> None:
    """Cancel pressed while the login is tested: the login passes, and still nothing is kept
    (the save step is never begun)."""
    user = dovecot.add_user()
    gate = Gate()
    saved: list[object] = []
    dialog, start = _add_inbox(tasks, gate, saved, user, dovecot)
    qtbot.addWidget(dialog)
    added: list[object] = []
    dialog.account_added.connect(added.append)  # type: ignore[attr-defined]
    start()
    assert gate.entered.wait(20)
    dialog.reject()
    assert not dialog.is_busy()  # type: ignore[attr-defined]
    gate.release.set()
    assert gate.logged_in.wait(20)
    _delivered_everything_before(tasks, qtbot)
    assert saved == [] and added == []
