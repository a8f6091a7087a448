"""Every Qt widget that shows mail text shows it as text: a sender and subject carrying
<a href>, <img src> and <b> are shown as written (plain text format), never rendered, in the
pending list and the acknowledgement dialog; the tray tooltip (which Qt may read as rich text
and cannot be told otherwise) gets look-alikes. An audit over every QLabel, so a label added
later without Qt.PlainText fails here."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QLabel, QWidget
from pytestqt.qtbot import QtBot

from trayapp.core.model import AccountConfig, AccountHealth, HealthState
from trayapp.core.summary import summarize
from trayapp.mail.acknowledge import AcknowledgeService, load_templates
from trayapp.store.db import StateStore
from trayapp.ui.ack_dialog import AckDialog
from trayapp.ui.pending_window import PendingWindow
from trayapp.ui.tasks import TaskRunner
from trayapp.ui.tray import TrayController

from .helpers import NOW, Clock, inquiry

SENDER = '"<a href=https://evil.example/>Boss</a>" <boss@example.com>'
SUBJECT = "<img src=https://tracker.example/p.gif> <b>至急</b> お見積り"
MARKERS = ("<a href", "<img", "<b>")


def mail_labels(root: QWidget) -> list[QLabel]:
    """The labels under `root` showing any of the hostile mail text."""
    return [
        label
        for label in root.findChildren(QLabel)
        if any(marker in label.text() for marker in MARKERS)
    ]


def assert_plain(labels: list[QLabel]) -> None:
    assert labels, "no label shows the mail text"
    rich = [lbl.text() for lbl in labels if lbl.textFormat() != Qt.TextFormat.PlainText]
    assert rich == [], rich


def test_pending_list_and_ack_dialog_show_mail_text_as_text(
    tasks: TaskRunner, qtbot: QtBot, tmp_path: Path
) -> None:
    item = inquiry("h1", timedelta(hours=2), SENDER, SUBJECT, preview="<b>本文</b>")
    window = PendingWindow(clock=Clock(NOW))
    qtbot.addWidget(window)
    window.set_items([item])
    window.set_health({"shop": AccountHealth(HealthState.CONNECTED)})
    # The list has no label for mail text at all: its delegate draws the rows' strings with
    # QPainter.drawText, which never interprets markup; the strings are the mail's, as written.
    assert mail_labels(window) == []
    [row] = [r for r in window.model.rows() if r.item is not None]
    assert (row.sender, row.subject, row.preview) == (SENDER, SUBJECT, "<b>本文</b>")

    account = AccountConfig(name="shop", email="shop@example.test", imap_host="imap.invalid")
    with StateStore(tmp_path) as store:
        dialog = AckDialog(
            account,
            item,
            load_templates(),
            AcknowledgeService(store, None),
            Clock(NOW),
            tasks=tasks,
        )
        qtbot.addWidget(dialog)
        labels = mail_labels(dialog)
        assert_plain(labels)
        assert {lbl.text() for lbl in labels} >= {SENDER, SUBJECT}


def test_tray_tooltip_gets_look_alikes(qtbot: QtBot) -> None:
    tray = TrayController()
    item = inquiry("h1", timedelta(hours=2), SENDER, SUBJECT)
    tray.set_summary(summarize([item], {"shop": AccountHealth(HealthState.CONNECTED)}, NOW))
    tip = tray.toolTip()
    assert "Boss" in tip and "至急" in tip
    assert "<" not in tip and ">" not in tip
