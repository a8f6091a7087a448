"""The "Recently set aside" list: what was marked answered, not an inquiry or ignored in this
session, newest first, each with "Put back" (long after the undo bar is gone)."""

from __future__ import annotations

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QListWidgetItem, QWidget

from trayapp.store.set_aside import SetAside
from trayapp.ui.list_dialog import ListDialog
from trayapp.ui.set_aside_log import SetAsideLog
from trayapp.ui.undo_bar import set_aside_text

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


class SetAsideDialog(ListDialog):
    """Follows the log: an entry put back (here, by Ctrl+Z or the bar) leaves the list."""

    def __init__(self, log: SetAsideLog, parent: QWidget | None = None) -> None:
        super().__init__("SetAsideDialog", "setAsideList", "putBack", parent)
        self._log = log
        self.put_back_button = self.action_button
        self.put_back_button.clicked.connect(self.put_back_selected)
        self.list.itemDoubleClicked.connect(lambda _item: self.put_back_selected())
        log.changed.connect(self.reload)
        self.resize(480, 360)
        self._retranslate()

    def reload(self) -> None:
        chosen = self.selected()
        self.list.clear()
        for entry in self._log.entries():
            sender = entry.item.sender_addr or entry.item.sender
            row = QListWidgetItem(f"{set_aside_text(entry)}\n{entry.account} · {sender}")
            row.setData(ENTRY_ROLE, entry)
            row.setToolTip(entry.item.subject)
            row.setSizeHint(QSize(0, self.list.fontMetrics().lineSpacing() * 2 + 10))
            self.list.addItem(row)
            if entry is chosen:
                self.list.setCurrentItem(row)
        if self.list.currentRow() < 0 and self.list.count():
            self.list.setCurrentRow(0)
        self._update_action()

    def selected(self) -> SetAside | None:
        row = self.list.currentItem()
        entry = row.data(ENTRY_ROLE) if row is not None else None
        return entry if isinstance(entry, SetAside) else None

    def put_back_selected(self) -> None:
        entry = self.selected()
        if entry is not None:
            self._log.put_back(entry)  # the log's `changed` reloads this list

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Recently set aside"))
        self.intro.setText(
            self.tr(
                "What you marked as answered, not an inquiry or ignored since Ippo started."
                " Put back an item to list it again."
            )
        )
        self.empty.setText(self.tr("Nothing was set aside."))
        self.put_back_button.setText(self.tr("Put back"))
        self.reload()


__all__ = ["SetAsideDialog"]
