"""The pending list's rows as a Qt item model, updated in place, and the delegate that paints them.

The window computes what each row shows (`Row`: an item's countdown, stage and due text, or a
section header) and hands the whole ordered list to `PendingModel.update`, which compares it
with what the view has by key and tells the view only what changed: rows removed, rows
inserted, rows moved, rows whose text changed. A snapshot that changes one item repaints one
row; the minute tick repaints the rows whose countdown text changed. No widget per row: one
delegate paints every row from the model's data, so 1,000 rows cost no more to keep than
their Python values.

Mail text (sender, subject, preview) is only ever drawn with QPainter.drawText: plain text,
no HTML is interpreted and nothing remote is loaded.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from PySide6.QtCore import (
    QAbstractListModel,
    QModelIndex,
    QPersistentModelIndex,
    QRect,
    QSize,
    Qt,
)
from PySide6.QtGui import QColor, QFont, QFontMetrics, QPainter, QPalette
from PySide6.QtWidgets import QStyle, QStyledItemDelegate, QStyleOptionViewItem

from trayapp.core.model import Inquiry, Stage
from trayapp.core.safetext import MAX_KEPT, display_line
from trayapp.ui.badge import FILL, INK
from trayapp.ui.i18n import plain_reason

ItemIndex = QModelIndex | QPersistentModelIndex

ROW_ROLE = Qt.ItemDataRole.UserRole + 1  # the whole Row
ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 2  # the item id, None on a header
COUNTDOWN_ROLE = Qt.ItemDataRole.UserRole + 3  # '2h 05m late', '42m left'

PREVIEW_CHARS = 240
UNSENT_INK = "#B71C1C"  # the "not sent" line: the not-covered banner's red


def one_line(text: str) -> str:
    """Collapse whitespace (previews and broken headers can carry newlines and tabs); no
    controls, bidi or zero-width characters (core.safetext); a bounded length."""
    return display_line(text, MAX_KEPT)


@dataclass(frozen=True, slots=True)
class Row:
    """One line of the list: an inquiry (item set) or a section header (item None)."""

    key: str
    item: Inquiry | None = None
    header: str = ""
    countdown: str = ""
    stage: Stage = Stage.CALM
    due_template: str = ""  # 'Reply due by %1' / 'Promised answer by %1', translated
    placeholder: str = ""  # shown for an empty subject
    unsent: str = ""  # an acknowledgement that failed: "Not sent — send now? (A)"

    @property
    def due_text(self) -> str:
        """The tooltip: when the reply (or the promised answer) is due, in local time. Made
        when asked (strftime for every row of every update would cost more than the rest)."""
        if self.item is None or not self.due_template:
            return ""
        local_due = self.item.deadline.astimezone().strftime("%Y-%m-%d %H:%M")
        return self.due_template.replace("%1", local_due)

    @property
    def sender(self) -> str:
        return one_line(self.item.sender or self.item.sender_addr) if self.item else ""

    @property
    def subject(self) -> str:
        if self.item is None:
            return ""
        return one_line(self.item.subject) or self.placeholder

    @property
    def preview(self) -> str:
        return one_line(self.item.preview)[:PREVIEW_CHARS] if self.item else ""


class PendingModel(QAbstractListModel):
    """Rows in display order. `update(rows)` applies the difference, nothing more."""

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._rows: list[Row] = []

    # -- the model interface

    def rowCount(self, parent: ItemIndex = QModelIndex()) -> int:  # noqa: B008 (Qt's default)
        return 0 if parent.isValid() else len(self._rows)

    def data(self, index: ItemIndex, role: int = Qt.ItemDataRole.DisplayRole) -> Any:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        row = self._rows[index.row()]
        if role == ROW_ROLE:
            return row
        if role == ITEM_ID_ROLE:
            return row.item.id if row.item is not None else None
        if role == COUNTDOWN_ROLE:
            return row.countdown
        if role == Qt.ItemDataRole.DisplayRole:
            return row.header if row.item is None else row.subject
        if role == Qt.ItemDataRole.ToolTipRole:
            reason = row.item.unsent_ack.reason if row.item and row.item.unsent_ack else ""
            # The earlier failure in the UI language, a plain sentence (never a Python repr).
            said = one_line(plain_reason(reason)) if reason else ""
            return "\n".join(t for t in (row.due_text, said) if t) or None
        if role == Qt.ItemDataRole.AccessibleTextRole:
            if row.item is None:
                return row.header
            parts = (one_line(row.item.sender), one_line(row.item.subject), row.item.account)
            return " — ".join(
                (*parts, row.countdown, row.unsent) if row.unsent else (*parts, row.countdown)
            )
        return None

    def flags(self, index: ItemIndex) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        if self._rows[index.row()].item is None:
            return Qt.ItemFlag.NoItemFlags  # headers: not selectable, skipped by the arrows
        return Qt.ItemFlag.ItemIsEnabled | Qt.ItemFlag.ItemIsSelectable

    # -- reading

    def rows(self) -> list[Row]:
        return list(self._rows)

    def row_of(self, key: str) -> int:
        for number, row in enumerate(self._rows):
            if row.key == key:
                return number
        return -1

    # -- the one way in

    def update(self, rows: list[Row]) -> None:
        """Make the model hold `rows` (keys unique), telling the view each step."""
        wanted = {r.key for r in rows}
        # 1. Removed rows, bottom up, contiguous runs at once.
        number = len(self._rows) - 1
        while number >= 0:
            if self._rows[number].key in wanted:
                number -= 1
                continue
            last = number
            while number - 1 >= 0 and self._rows[number - 1].key not in wanted:
                number -= 1
            self.beginRemoveRows(QModelIndex(), number, last)
            del self._rows[number : last + 1]
            self.endRemoveRows()
            number -= 1
        # 2. Walk the wanted order: keep, move up from below, or insert. Positions above the
        # one being placed never change again, so the changed rows can be told at the end.
        if not self._rows and rows:
            self.beginInsertRows(QModelIndex(), 0, len(rows) - 1)
            self._rows = list(rows)
            self.endInsertRows()
            return
        had = {r.key for r in self._rows}
        changed: list[int] = []
        for target, row in enumerate(rows):
            if target < len(self._rows) and self._rows[target].key == row.key:
                if self._rows[target] is not row and self._rows[target] != row:
                    self._rows[target] = row
                    changed.append(target)
                continue
            if row.key in had:
                source = next(
                    n for n in range(target + 1, len(self._rows)) if self._rows[n].key == row.key
                )
                self.beginMoveRows(QModelIndex(), source, source, QModelIndex(), target)
                moved = self._rows.pop(source)
                self._rows.insert(target, moved)
                self.endMoveRows()
                if moved != row:
                    self._rows[target] = row
                    changed.append(target)
            else:
                # A run of new rows goes in at once (a burst of mail is one insertion).
                end = target + 1
                while end < len(rows) and rows[end].key not in had:
                    end += 1
                self.beginInsertRows(QModelIndex(), target, end - 1)
                self._rows[target:target] = rows[target:end]
                self.endInsertRows()
        # 3. Changed contents, one signal per run of neighbouring rows.
        start = previous = -2
        for number in [*changed, -2]:
            if number == previous + 1:
                previous = number
                continue
            if start >= 0:
                self.dataChanged.emit(self.index(start), self.index(previous))
            start = previous = number


class RowDelegate(QStyledItemDelegate):
    """Paints a row: countdown pill | sender (bold) · account / subject / preview (muted)."""

    MARGIN_LEFT, MARGIN_TOP, MARGIN_RIGHT, MARGIN_BOTTOM = 6, 5, 8, 5
    GAP = 10
    PILL_TEXT = "00h 00m late"  # the widest countdown in most languages

    def __init__(self, parent: Any = None) -> None:
        super().__init__(parent)
        self._sizes: dict[int, QSize] = {}  # by kind of row, for the view's font

    def forget_sizes(self) -> None:
        """The view's font or style changed: measure again."""
        self._sizes.clear()

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        normal = QFont(option.font)
        bold = QFont(normal)
        bold.setBold(True)
        return normal, bold

    def _pill_width(self, bold: QFont, countdown: str) -> int:
        metrics = QFontMetrics(bold)
        return (
            max(metrics.horizontalAdvance(self.PILL_TEXT), metrics.horizontalAdvance(countdown))
            + 16
        )

    def sizeHint(self, option: QStyleOptionViewItem, index: ItemIndex) -> QSize:
        # Asked for every row when the view lays out: one answer per kind of row (the window
        # calls forget_sizes when the font changes).
        row = index.data(ROW_ROLE)
        kind = 0
        if isinstance(row, Row) and row.item is not None:
            kind = 2 + bool(row.preview.strip()) + bool(row.unsent)
        size = self._sizes.get(kind)
        if size is None:
            normal, bold = self._fonts(option)
            line = QFontMetrics(normal).height()
            if kind == 0:
                size = QSize(200, QFontMetrics(bold).height() + 8)
            else:
                lines = kind  # subject and sender, then a preview and a "not sent" line
                size = QSize(200, self.MARGIN_TOP + self.MARGIN_BOTTOM + lines * line + lines - 1)
            self._sizes[kind] = size
        return size

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: ItemIndex) -> None:
        row = index.data(ROW_ROLE)
        if not isinstance(row, Row):
            return
        rect = QRect(option.rect)
        palette: QPalette = option.palette
        normal, bold = self._fonts(option)
        painter.save()
        try:
            if row.item is None:
                painter.setFont(bold)
                # A header is not selectable, so Qt hands it the disabled (grey) colours.
                painter.setPen(
                    palette.color(QPalette.ColorGroup.Active, QPalette.ColorRole.WindowText)
                )
                text_rect = rect.adjusted(4, 6, -4, -2)
                elided = QFontMetrics(bold).elidedText(
                    row.header, Qt.TextElideMode.ElideRight, text_rect.width()
                )
                painter.drawText(text_rect, int(Qt.AlignmentFlag.AlignLeft), elided)
                return
            self._paint_item(painter, option, row, rect, palette, normal, bold)
        finally:
            painter.restore()

    def _paint_item(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        row: Row,
        rect: QRect,
        palette: QPalette,
        normal: QFont,
        bold: QFont,
    ) -> None:
        widget = option.widget
        style = widget.style() if widget is not None else None
        if style is not None:  # the selection and hover background of the platform
            style.drawPrimitive(
                QStyle.PrimitiveElement.PE_PanelItemViewItem, option, painter, widget
            )
        selected = bool(option.state & QStyle.StateFlag.State_Selected)
        text_color = palette.color(
            QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        )
        muted = QColor(text_color) if selected else palette.color(QPalette.ColorRole.Mid)
        inner = rect.adjusted(
            self.MARGIN_LEFT, self.MARGIN_TOP, -self.MARGIN_RIGHT, -self.MARGIN_BOTTOM
        )
        bold_metrics = QFontMetrics(bold)
        metrics = QFontMetrics(normal)
        line = metrics.height()

        # The countdown pill, coloured by stage.
        pill = QRect(
            inner.left(),
            inner.top(),
            self._pill_width(bold, row.countdown),
            bold_metrics.height() + 4,
        )
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(FILL[row.stage.value])
        painter.drawRoundedRect(pill, 4, 4)
        painter.setFont(bold)
        painter.setPen(INK[row.stage.value])
        painter.drawText(pill, int(Qt.AlignmentFlag.AlignCenter), row.countdown)

        # Sender · account, subject, preview.
        left = pill.right() + self.GAP
        width = max(10, inner.right() - left)
        assert row.item is not None
        account = row.item.account
        account_width = metrics.horizontalAdvance(account)
        painter.setFont(normal)
        painter.setPen(muted)
        painter.drawText(
            QRect(inner.right() - account_width, inner.top(), account_width, line),
            int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
            account,
        )
        painter.setFont(bold)
        painter.setPen(text_color)
        sender_width = max(10, width - account_width - 6)
        painter.drawText(
            QRect(left, inner.top(), sender_width, line),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            bold_metrics.elidedText(row.sender, Qt.TextElideMode.ElideRight, sender_width),
        )
        painter.setFont(normal)
        top = inner.top() + line + 1
        painter.drawText(
            QRect(left, top, width, line),
            int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
            metrics.elidedText(row.subject, Qt.TextElideMode.ElideRight, width),
        )
        preview = row.preview
        if preview.strip():
            top += line + 1
            painter.setPen(muted)
            painter.drawText(
                QRect(left, top, width, line),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                metrics.elidedText(preview, Qt.TextElideMode.ElideRight, width),
            )
        if row.unsent:
            top += line + 1
            painter.setFont(bold)
            painter.setPen(text_color if selected else QColor(UNSENT_INK))
            painter.drawText(
                QRect(left, top, width, line),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                bold_metrics.elidedText(row.unsent, Qt.TextElideMode.ElideRight, width),
            )


__all__ = [
    "COUNTDOWN_ROLE",
    "ITEM_ID_ROLE",
    "ROW_ROLE",
    "PendingModel",
    "Row",
    "RowDelegate",
    "one_line",
]
