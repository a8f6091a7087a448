"""Quitting stops the reminders, so the tray's Quit asks once -- with "don't ask again"."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QCoreApplication, Qt
from PySide6.QtWidgets import QCheckBox, QMessageBox


def quit_confirmation(decided: Callable[[bool, bool], None]) -> QMessageBox:
    """A non-modal question; `decided(quit, dont_ask_again)` runs once it is answered.
    (Non-modal: a nested event loop would keep SIGTERM from ending the app.)"""
    box = QMessageBox(
        QMessageBox.Icon.Question,
        QCoreApplication.translate("QuitConfirmation", "Quit Ippo?"),
        QCoreApplication.translate(
            "QuitConfirmation",
            "While Ippo is closed, nobody watches your inboxes: no reminder comes before a"
            " reply is due. Quit anyway?",
        ),
    )
    box.setObjectName("QuitConfirmation")
    box.setTextFormat(Qt.TextFormat.PlainText)
    quit_button = box.addButton(
        QCoreApplication.translate("QuitConfirmation", "Quit"), QMessageBox.ButtonRole.AcceptRole
    )
    stay = box.addButton(
        QCoreApplication.translate("QuitConfirmation", "Keep running"),
        QMessageBox.ButtonRole.RejectRole,
    )
    box.setDefaultButton(stay)
    box.setEscapeButton(stay)
    dont_ask = QCheckBox(QCoreApplication.translate("QuitConfirmation", "Don't ask again"))
    box.setCheckBox(dont_ask)
    box.finished.connect(
        lambda _result: decided(box.clickedButton() is quit_button, dont_ask.isChecked())
    )
    return box
