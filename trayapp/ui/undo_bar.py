"""The bar under the list that says what was just set aside, with an Undo button, for a few
seconds (Ctrl+Z undoes it too, and later the "Recently set aside" list puts it back).

The subject is mail text: shown as plain text, elided to one line.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QEvent, Qt, QTimer, Signal
from PySide6.QtGui import QResizeEvent
from PySide6.QtWidgets import QFrame, QHBoxLayout, QLabel, QPushButton, QWidget

from trayapp.store.set_aside import SetAside

SHOWN_MS = 8_000  # long enough to read it and reach the button


def set_aside_text(entry: SetAside) -> str:
    """One line naming what happened to which item (the bar and the list say it alike)."""
    translate = QCoreApplication.translate
    subject = entry.item.subject or translate("SetAside", "(no subject)")
    if entry.kind == "ignore_sender":
        return translate("SetAside", "Ignoring %1 from now on").replace("%1", entry.address)
    if entry.kind == "answered":
        return translate("SetAside", "Marked as answered: “%1”").replace("%1", subject)
    return translate("SetAside", "Not an inquiry: “%1”").replace("%1", subject)


class UndoBar(QFrame):
    """Shows one entry at a time; `undo_clicked(entry)` when its button is pressed."""

    undo_clicked = Signal(object)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("undoBar")
        self.setStyleSheet(
            "#undoBar { background: #323232; border-radius: 4px; }"
            " #undoBar QLabel { color: white; padding: 2px 4px; }"
        )
        self.entry: SetAside | None = None
        self.label = QLabel()
        self.label.setTextFormat(Qt.TextFormat.PlainText)
        self.label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
        self.label.setMinimumWidth(40)
        self.button = QPushButton()
        self.button.setObjectName("undoButton")
        self.button.setFocusPolicy(Qt.FocusPolicy.NoFocus)  # the list keeps the keys
        layout = QHBoxLayout(self)
        layout.setContentsMargins(8, 4, 4, 4)
        layout.addWidget(self.label, 1)
        layout.addWidget(self.button)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self.hide)
        self.button.clicked.connect(self._undo)
        self._text = ""
        self._retranslate()
        self.hide()

    def show_set_aside(self, entry: SetAside) -> None:
        self.entry = entry
        self._show(set_aside_text(entry), undo=True)

    def show_put_back(self, entry: SetAside) -> None:
        """Says the item came back (after Ctrl+Z or "Put back"), without a button."""
        if self.entry is entry:
            self.entry = None
        subject = entry.item.subject or self.tr("(no subject)")
        self._show(self.tr("Put back: “%1”").replace("%1", subject), undo=False)

    def _show(self, text: str, *, undo: bool) -> None:
        self._text = text
        self.button.setVisible(undo)
        self._elide()
        self.label.setToolTip(text)
        self.show()
        self.timer.start(SHOWN_MS)

    def _undo(self) -> None:
        entry = self.entry
        self.entry = None
        self.hide()
        if entry is not None:
            self.undo_clicked.emit(entry)

    def _elide(self) -> None:
        width = max(40, self.label.width() - 8)
        one_line = " ".join(self._text.split())
        metrics = self.label.fontMetrics()
        self.label.setText(metrics.elidedText(one_line, Qt.TextElideMode.ElideRight, width))

    def resizeEvent(self, event: QResizeEvent) -> None:
        super().resizeEvent(event)
        self._elide()

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        self.button.setText(self.tr("Undo"))
        self.button.setToolTip(self.tr("Put it back on the list (Ctrl+Z)"))


__all__ = ["SHOWN_MS", "UndoBar", "set_aside_text"]
