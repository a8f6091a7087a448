"""The Record window and its background job against a real Dovecot: the job runs on its own
thread (never the GUI's), reports progress, and its result reaches the window and the
tooltip line."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from pytestqt.qtbot import QtBot

from tests.support import mailcorpus as corpus
from tests.support.dovecot import DovecotServer
from trayapp.config import ConfigStore
from trayapp.ui.record_controller import RecordController, compute_view
from trayapp.ui.tasks import TaskRunner

pytestmark = [pytest.mark.gui, pytest.mark.integration]


class Passwords:
    def __init__(self, passwords: dict[str, str]) -> None:
        self._passwords = passwords

    def get_password(self, account: str, kind: str = "imap") -> str | None:
        return self._passwords.get(account)


def test_the_record_is_built_in_the_background_and_shown(
    qtbot: QtBot, tmp_path: Path, dovecot: DovecotServer, tasks: TaskRunner
) -> None:
    user = dovecot.add_user()
    account = dovecot.account(user, name="shop", window_hours=24.0)
    config = ConfigStore(tmp_path)
    config.add_account(account)
    now = datetime.now().astimezone()
    # Three inquiries this week (two answered: after 1 h and 3 h), and a newsletter, all in the
    # past (the server stores a future arrival as "now"). In the first hours of a week the
    # record's clock is set to the end of the last one, so the mail and the replies share it.
    monday = now.replace(hour=0, minute=0, second=0, microsecond=0) - timedelta(days=now.weekday())
    start = now - timedelta(hours=3, minutes=10)
    if start < monday:
        now = monday - timedelta(minutes=1)
        start = now - timedelta(hours=3, minutes=10)
    for n, reply_after in enumerate((1.0, 3.0, None)):
        arrival = start + timedelta(minutes=n)
        mid = f"rw{n}@cust.test"
        dovecot.append(user, "INBOX", corpus.english_inquiry(message_id=mid), internaldate=arrival)
        if reply_after is not None:
            dovecot.append(
                user,
                "Sent",
                corpus.our_reply(from_addr=user.email, in_reply_to=mid),
                internaldate=arrival + timedelta(hours=reply_after),
            )
    dovecot.append(user, "INBOX", corpus.newsletter(), internaldate=start)

    threads: list[threading.Thread] = []
    progress: list[tuple[int, int]] = []

    def compute(*args: Any, **kwargs: Any) -> Any:
        threads.append(threading.current_thread())
        return compute_view(*args, **kwargs)

    controller = RecordController(
        tmp_path,
        config.load_accounts,
        Passwords({"shop": user.password}),
        lambda: "en",
        lambda: now,
        tasks,
        start_delay_ms=3_600_000,
        compute=compute,
    )
    controller._progressed.connect(lambda done, total: progress.append((done, total)))
    controller.start()
    controller.show_window()
    # show_window returned at once: the job is still under way, off the GUI thread.
    assert controller.running and controller.view is None
    qtbot.waitUntil(lambda: controller.view is not None, timeout=60_000)
    assert threads and threads[0] is not threading.main_thread()
    assert progress and progress[-1][0] == progress[-1][1] > 0
    window = controller._window
    assert window is not None and window.isVisible()
    sentence = "2 of 2 answered within 24 h; median 2 h (1 more not due yet)"
    assert window.headline.text() == sentence
    assert controller.tooltip_line() == sentence
    assert window.slowest.rowCount() == 3
    assert not window.progress.isVisible()
    controller.stop()


def test_hostile_subjects_are_shown_plain(qtbot: QtBot) -> None:
    from trayapp.core.history import InquiryRecord
    from trayapp.core.record import Figures, Period, RecordView
    from trayapp.ui.record_window import RecordWindow

    now = datetime.now().astimezone()
    record = InquiryRecord(
        account="shop",
        item_id="x",
        message_id="x@y",
        sender="<b>Eve</b> <eve@x.test>",
        subject="--wait \u202egnp.exe\u200b <img src=x>",
        received_at=now - timedelta(hours=30),
        due_at=now - timedelta(hours=6),
        first_reply_at=None,
        first_reply_via=None,
    )
    window = RecordWindow(lambda: "en")
    qtbot.addWidget(window)
    window.set_view(
        RecordView(weeks=[Period(now.date(), Figures())], window_hours=24, slowest=[record],
                   computed_at=now)
    )  # fmt: skip
    subject = window.slowest.item(0, 4).text()
    assert subject == "--wait gnp.exe ‹img src=x›"
    assert window.slowest.item(0, 3).text() == "‹b›Eve‹/b› ‹eve@x.test›"
    assert window.slowest.item(0, 0).text() == "1 d 6 h (no reply yet)"
