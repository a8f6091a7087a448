"""The senders whose mail never counts ("Always ignore this sender"), per inbox, to take off
that list. Reached from the pending list's "More" menu and from the settings.

Reading and removing run on the dialog's own TaskRunner (the store may wait on its lock);
closing the dialog drops what is still on its way. A removal asks the service to recompute,
so the sender's waiting mail is listed again with the next snapshot.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QListWidgetItem, QWidget

from trayapp.ui.i18n import error_sentence
from trayapp.ui.list_dialog import ListDialog
from trayapp.ui.tasks import TaskRunner

SENDER_ROLE = Qt.ItemDataRole.UserRole + 1

IgnoredList = list[tuple[str, str]]  # (account, address), sorted


class IgnoredSendersDialog(ListDialog):
    """`load()` and `remove(account, address)` block (worker thread); `removed(account,
    address)` is emitted once a removal is written."""

    removed = Signal(str, str)

    def __init__(
        self,
        load: Callable[[], IgnoredList],
        remove: Callable[[str, str], None],
        parent: QWidget | None = None,
        *,
        tasks: TaskRunner,
    ) -> None:
        """`tasks`: the app's runner for the store (the dialog owns its tasks, not it)."""
        super().__init__("IgnoredSendersDialog", "ignoredList", "removeIgnored", parent)
        self._load = load
        self._remove = remove
        self.tasks = tasks
        self.problem = QLabel()
        self.problem.setTextFormat(Qt.TextFormat.PlainText)
        self.problem.setWordWrap(True)
        self.problem.setStyleSheet("color: #B71C1C;")
        self.problem.hide()
        self.main_layout.insertWidget(self.main_layout.indexOf(self.buttons), self.problem)
        self.remove_button = self.action_button
        self.remove_button.clicked.connect(self.remove_selected)
        self.loaded = False
        self.resize(420, 340)
        self._retranslate()
        self._show([])
        self.reload()

    def reload(self) -> None:
        self.tasks.submit(self._load, on_done=self._loaded, on_error=self._failed, owner=self)

    def senders(self) -> IgnoredList:
        return [self.list.item(n).data(SENDER_ROLE) for n in range(self.list.count())]

    def remove_selected(self) -> None:
        row = self.list.currentItem()
        if row is None:
            return
        account, address = row.data(SENDER_ROLE)
        self.list.takeItem(self.list.row(row))  # gone at once; written on the worker
        self._update_action(known=self.loaded)
        remove = self._remove

        def done(_: object) -> None:
            self.removed.emit(account, address)

        self.tasks.submit(
            lambda: remove(account, address), on_done=done, on_error=self._failed, owner=self
        )

    def _loaded(self, senders: IgnoredList) -> None:
        self.loaded = True
        self._show(senders)

    def _show(self, senders: IgnoredList) -> None:
        self.list.clear()
        for account, address in senders:
            row = QListWidgetItem(f"{address}  ({account})")
            row.setData(SENDER_ROLE, (account, address))
            self.list.addItem(row)
        if self.list.count():
            self.list.setCurrentRow(0)
        self._update_action(known=self.loaded)

    def _failed(self, error: BaseException) -> None:
        self.problem.setText(error_sentence(error))
        self.problem.show()
        self.reload()

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Ignored senders"))
        self.intro.setText(
            self.tr(
                "Mail from these senders never counts as an inquiry. Remove one to count"
                " its mail again."
            )
        )
        self.empty.setText(self.tr("No sender is ignored."))
        self.remove_button.setText(self.tr("Remove from list"))


__all__ = ["IgnoredSendersDialog"]
