"""The frame of a small list dialog: a line saying what the list is, the list (or a line
saying it is empty), one action on the selected row, and Close. Subclasses fill the list and
say the texts in `_retranslate` (called again when the language changes)."""

from __future__ import annotations

from PySide6.QtCore import QEvent, Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QPushButton,
    QVBoxLayout,
    QWidget,
)


class ListDialog(QDialog):
    def __init__(
        self, name: str, list_name: str, action_name: str, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName(name)
        self.intro = QLabel()
        self.intro.setWordWrap(True)
        self.list = QListWidget()
        self.list.setObjectName(list_name)
        self.empty = QLabel()
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.hide()
        self.action_button = QPushButton()
        self.action_button.setObjectName(action_name)
        self.buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close)
        self.buttons.addButton(self.action_button, QDialogButtonBox.ButtonRole.ActionRole)
        self.main_layout = QVBoxLayout(self)
        self.main_layout.addWidget(self.intro)
        self.main_layout.addWidget(self.list, 1)
        self.main_layout.addWidget(self.empty, 1)
        self.main_layout.addWidget(self.buttons)
        self.buttons.rejected.connect(self.close)
        self.list.currentRowChanged.connect(lambda _row: self._update_action())

    def _update_action(self, *, known: bool = True) -> None:
        """The list or the empty line (once the rows are `known`); the action needs a row."""
        has = bool(self.list.count())
        self.list.setVisible(has)
        self.empty.setVisible(not has and known)
        self.action_button.setEnabled(self.list.currentItem() is not None)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        super().changeEvent(event)

    def _retranslate(self) -> None:
        raise NotImplementedError


__all__ = ["ListDialog"]
