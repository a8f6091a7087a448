"""The "Recently set aside" list, each with "Put back" (long after the undo bar is gone): what
was marked answered, not an inquiry or ignored in this session, newest first; then what was
dismissed before and is still in an inbox (asked of the watch service on the dialog's own
TaskRunner when it opens)."""

from __future__ import annotations

import logging
from collections.abc import Callable

from PySide6.QtCore import QSize, Qt
from PySide6.QtWidgets import QListWidgetItem, QWidget

from trayapp.core.model import Inquiry
from trayapp.store.set_aside import SetAside
from trayapp.ui.list_dialog import ListDialog
from trayapp.ui.set_aside_log import SetAsideLog
from trayapp.ui.tasks import TaskRunner
from trayapp.ui.undo_bar import set_aside_text

log = logging.getLogger(__name__)

ENTRY_ROLE = Qt.ItemDataRole.UserRole + 1


class SetAsideDialog(ListDialog):
    """Follows the log: an entry put back (here, by Ctrl+Z or the bar) leaves the list."""

    def __init__(
        self,
        log: SetAsideLog,
        earlier: Callable[[], list[tuple[Inquiry, str]]] | None = None,
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner,
    ) -> None:
        """`tasks`: the app's runner for waits on the service (closed early, the dialog gets
        no late answer: it owns the task)."""
        super().__init__("SetAsideDialog", "setAsideList", "putBack", parent)
        self._log = log
        self.tasks = tasks
        self.earlier_loaded = earlier is None
        self.put_back_button = self.action_button
        self.put_back_button.clicked.connect(self.put_back_selected)
        self.list.itemDoubleClicked.connect(lambda _item: self.put_back_selected())
        log.changed.connect(self.reload)
        self.resize(480, 360)
        self._retranslate()
        if earlier is not None:
            self.tasks.submit(
                earlier, on_done=self._add_earlier, on_error=self._no_earlier, owner=self
            )

    def _add_earlier(self, found: list[tuple[Inquiry, str]]) -> None:
        self.earlier_loaded = True
        self._log.add_earlier(found)  # its `changed` reloads this list

    def _no_earlier(self, error: BaseException) -> None:
        log.warning("could not list earlier dismissals: %s", error)
        self.earlier_loaded = True
        self._update_action()

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
        self._update_action(known=self.earlier_loaded)

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
                "What you marked as answered or not an inquiry (while the message is still"
                " in the inbox), and the senders you ignored since Ippo started. Put back an"
                " item to list it again."
            )
        )
        self.empty.setText(self.tr("Nothing was set aside."))
        self.put_back_button.setText(self.tr("Put back"))
        self.reload()


__all__ = ["SetAsideDialog"]
