"""The pending list: everything that waits, most urgent first, with a live countdown.

It is fed through `set_items` / `set_health` / `set_leads` and reports the user's actions
as signals carrying item ids; it never reaches into workers or the store. Every text from
mail (sender, subject, preview) goes through plain-text labels: no HTML is ever rendered and
nothing remote is loaded.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QPoint, QRect, QSize, Qt, QTimer, Signal
from PySide6.QtGui import (
    QFont,
    QGuiApplication,
    QHideEvent,
    QKeyEvent,
    QKeySequence,
    QPainter,
    QPaintEvent,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from trayapp.core.durations import format_duration
from trayapp.core.model import AccountHealth, Inquiry, ItemState, Stage
from trayapp.core.safetext import MAX_KEPT, display_line
from trayapp.core.stages import item_stage
from trayapp.core.summary import DEFAULT_LEADS, StageLeads
from trayapp.ui.badge import FILL, INK
from trayapp.ui.i18n import describe_health, duration_words

ITEM_ID_ROLE = Qt.ItemDataRole.UserRole + 1
PREVIEW_CHARS = 240


def _plain(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


def one_line(text: str) -> str:
    """Collapse whitespace (previews and broken headers can carry newlines and tabs); no
    controls, bidi or zero-width characters (core.safetext); a bounded length."""
    return display_line(text, MAX_KEPT)


class ElidedLabel(QLabel):
    """One line of plain text, elided at the right when it does not fit."""

    def __init__(self, text: str = "", parent: QWidget | None = None) -> None:
        super().__init__(parent)
        _plain(self)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(10)
        self.setText(text)

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        metrics = self.fontMetrics()
        rect = self.contentsRect()
        text = metrics.elidedText(self.text(), Qt.TextElideMode.ElideRight, rect.width())
        painter.setPen(self.palette().color(self.foregroundRole()))
        painter.drawText(rect, int(self.alignment() | Qt.AlignmentFlag.AlignVCenter), text)
        painter.end()

    def minimumSizeHint(self) -> QSize:
        return QSize(10, self.fontMetrics().height())


class ItemRow(QWidget):
    """One inquiry: countdown pill | sender · account / subject / preview."""

    def __init__(self, item: Inquiry, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.item = item
        self.countdown = _plain(QLabel())
        self.countdown.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.countdown.setMinimumWidth(self.fontMetrics().horizontalAdvance("00h 00m late") + 16)
        self.countdown.setSizePolicy(QSizePolicy.Policy.Fixed, QSizePolicy.Policy.Fixed)
        self.sender_label = ElidedLabel(one_line(item.sender or item.sender_addr))
        bold = QFont(self.sender_label.font())
        bold.setBold(True)
        self.sender_label.setFont(bold)
        self.account = _plain(QLabel(item.account))
        self.account.setStyleSheet("color: palette(mid);")
        self.subject = ElidedLabel(one_line(item.subject))
        self.preview = ElidedLabel(one_line(item.preview)[:PREVIEW_CHARS])
        self.preview.setStyleSheet("color: palette(mid);")
        self.preview.setVisible(bool(item.preview.strip()))

        head = QHBoxLayout()
        head.setContentsMargins(0, 0, 0, 0)
        head.addWidget(self.sender_label, 1)
        head.addWidget(self.account, 0)
        text = QVBoxLayout()
        text.setContentsMargins(0, 0, 0, 0)
        text.setSpacing(1)
        text.addLayout(head)
        text.addWidget(self.subject)
        text.addWidget(self.preview)
        self.unsent = _plain(QLabel())  # an acknowledgement that failed: "not sent -- send now?"
        self.unsent.setObjectName("unsentAck")
        self.unsent.setStyleSheet("color: #B71C1C; font-weight: bold;")
        self.unsent.setToolTip(one_line(item.unsent_ack.reason) if item.unsent_ack else "")
        self.unsent.hide()
        text.addWidget(self.unsent)
        row = QHBoxLayout(self)
        row.setContentsMargins(6, 5, 8, 5)
        row.setSpacing(10)
        row.addWidget(self.countdown, 0, Qt.AlignmentFlag.AlignTop)
        row.addLayout(text, 1)

    def set_subject_placeholder(self, text: str) -> None:
        if not self.item.subject.strip():
            self.subject.setText(text)

    def show_countdown(self, text: str, stage: Stage, due_text: str) -> None:
        self.countdown.setText(text)
        self.countdown.setToolTip(due_text)
        fill, ink = FILL[stage.value], INK[stage.value]
        self.countdown.setStyleSheet(
            f"background: {fill.name()}; color: {ink.name()}; border-radius: 4px;"
            " font-weight: bold; padding: 2px 4px;"
        )


ACTION_KEYS = {
    Qt.Key.Key_Return: "acknowledge",
    Qt.Key.Key_Enter: "acknowledge",
    Qt.Key.Key_A: "acknowledge",
    Qt.Key.Key_D: "answered",
    Qt.Key.Key_N: "not_inquiry",
    Qt.Key.Key_I: "ignore_sender",
    Qt.Key.Key_O: "open",
}


class PendingList(QListWidget):
    """Keys act on the current item while the list has focus: Enter (on every platform; Qt's
    item activation differs on macOS) and single letters, which would otherwise start
    QListWidget's type-ahead search."""

    key_action = Signal(str)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        action = ACTION_KEYS.get(Qt.Key(event.key()))
        plain = not event.modifiers() & ~Qt.KeyboardModifier.KeypadModifier
        if action is not None and plain:
            self.key_action.emit(action)
            event.accept()
            return
        super().keyPressEvent(event)


class PendingWindow(QWidget):
    """The list of waiting and acknowledged inquiries. Signals carry the item id."""

    acknowledge_requested = Signal(str)
    mark_answered_requested = Signal(str)  # answered another way (phone …) or promise kept
    not_inquiry_requested = Signal(str)  # dismiss this message only
    ignore_sender_requested = Signal(str, str)  # account name, sender address
    open_in_mail_requested = Signal(str)

    def __init__(
        self,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("PendingWindow")
        self._clock = clock
        self._items: list[Inquiry] = []
        self._health: dict[str, AccountHealth] = {}
        self._leads: dict[str, StageLeads] = {}
        self._rows: dict[str, ItemRow] = {}

        self.banner = _plain(QLabel())
        self.banner.setObjectName("notCoveredBanner")
        self.banner.setWordWrap(True)
        self.banner.setStyleSheet(
            "background: #B71C1C; color: white; font-weight: bold; padding: 6px 8px;"
            " border-radius: 4px;"
        )
        self.banner.hide()
        self.list = PendingList()
        self.list.setObjectName("pendingList")
        self.list.setSelectionMode(QListWidget.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QListWidget.ScrollMode.ScrollPerPixel)
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.setFrameShape(QFrame.Shape.NoFrame)
        self.empty = _plain(QLabel())
        self.empty.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty.setStyleSheet("color: palette(mid); padding: 24px;")

        self.ack_button = QPushButton()
        self.answered_button = QPushButton()
        self.not_inquiry_button = QPushButton()
        self.open_button = QPushButton()
        self.not_inquiry_menu = QMenu(self)
        self.dismiss_action = self.not_inquiry_menu.addAction("")
        self.ignore_action = self.not_inquiry_menu.addAction("")
        self.not_inquiry_button.setMenu(self.not_inquiry_menu)
        self.ack_button.setDefault(True)

        actions = QHBoxLayout()
        for button in (
            self.ack_button,
            self.answered_button,
            self.not_inquiry_button,
            self.open_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.banner)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        layout.addLayout(actions)

        self.ack_button.clicked.connect(self.acknowledge_current)
        self.answered_button.clicked.connect(self.mark_current_answered)
        self.dismiss_action.triggered.connect(self.dismiss_current)
        self.ignore_action.triggered.connect(self.ignore_current_sender)
        self.open_button.clicked.connect(self.open_current)
        self.list.key_action.connect(self._on_key_action)
        self.list.itemDoubleClicked.connect(lambda _item: self.acknowledge_current())
        self.list.currentItemChanged.connect(lambda *_: self._update_buttons())
        self.list.customContextMenuRequested.connect(self._context_menu)

        self._key_slots: dict[str, Callable[[], None]] = {
            "acknowledge": self.acknowledge_current,
            "answered": self.mark_current_answered,
            "not_inquiry": self.dismiss_current,
            "ignore_sender": self.ignore_current_sender,
            "open": self.open_current,
        }
        # Escape hides the window wherever the focus is.
        self._escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self._escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._escape.activated.connect(self.hide)

        # One timer for the whole list, at minute boundaries, only while visible.
        self._tick = QTimer(self)
        self._tick.setSingleShot(True)
        self._tick.setTimerType(Qt.TimerType.CoarseTimer)
        self._tick.timeout.connect(self._on_tick)

        self.resize(460, 520)
        self._retranslate()
        self._rebuild()

    # ------------------------------------------------------------------ data in

    def set_items(self, items: Sequence[Inquiry]) -> None:
        self._items = list(items)
        self._rebuild()

    def set_health(self, health: Mapping[str, AccountHealth]) -> None:
        self._health = dict(health)
        self._update_banner()

    def set_leads(self, leads: Mapping[str, StageLeads]) -> None:
        self._leads = dict(leads)
        self.refresh_countdowns()

    def item(self, item_id: str) -> Inquiry | None:
        return next((i for i in self._items if i.id == item_id), None)

    def current_item(self) -> Inquiry | None:
        current = self.list.currentItem()
        if current is None:
            return None
        item_id = current.data(ITEM_ID_ROLE)
        return self.item(item_id) if isinstance(item_id, str) else None

    def select_item(self, item_id: str) -> bool:
        for row in range(self.list.count()):
            if self.list.item(row).data(ITEM_ID_ROLE) == item_id:
                self.list.setCurrentRow(row)
                return True
        return False

    # ------------------------------------------------------------------ actions out

    def acknowledge_current(self) -> None:
        item = self.current_item()
        if item is not None and item.state is ItemState.WAITING:
            self.acknowledge_requested.emit(item.id)

    def mark_current_answered(self) -> None:
        item = self.current_item()
        if item is not None:
            self.mark_answered_requested.emit(item.id)

    def dismiss_current(self) -> None:
        item = self.current_item()
        if item is not None:
            self.not_inquiry_requested.emit(item.id)

    def ignore_current_sender(self) -> None:
        item = self.current_item()
        if item is not None and item.sender_addr:
            self.ignore_sender_requested.emit(item.account, item.sender_addr)

    def open_current(self) -> None:
        item = self.current_item()
        if item is not None:
            self.open_in_mail_requested.emit(item.id)

    # ------------------------------------------------------------------ showing

    def show_near(self, anchor: QRect | None = None) -> None:
        """Show beside the tray icon's rectangle (or the screen's corner), raised and focused."""
        screen = QGuiApplication.screenAt(anchor.center()) if anchor else None
        screen = screen or QGuiApplication.primaryScreen()
        area = screen.availableGeometry() if screen is not None else QRect(0, 0, 1280, 800)
        size = self.size()
        if anchor is not None and anchor.isValid():
            x = anchor.center().x() - size.width() // 2
            below = anchor.bottom() + 4
            y = (
                below
                if below + size.height() <= area.bottom()
                else anchor.top() - size.height() - 4
            )
        else:
            x = area.right() - size.width() - 12
            y = area.bottom() - size.height() - 12
        x = max(area.left(), min(x, area.right() - size.width()))
        y = max(area.top(), min(y, area.bottom() - size.height()))
        self.move(x, y)
        self.show()
        self.raise_()
        self.activateWindow()
        self.list.setFocus()
        if self.list.currentRow() < 0:
            self._select_first()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        self.refresh_countdowns()

    def hideEvent(self, event: QHideEvent) -> None:
        self._tick.stop()  # nothing to tick for while nobody looks
        super().hideEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
            self._rebuild()
        super().changeEvent(event)

    # ------------------------------------------------------------------ internals

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("Ippo — waiting for a reply"))
        self.ack_button.setText(self.tr("Send first reply (A)"))
        self.ack_button.setToolTip(
            self.tr("Acknowledge: send a short reply saying when the full answer comes (Enter)")
        )
        self.answered_button.setText(self.tr("Answered (D)"))
        self.answered_button.setToolTip(
            self.tr("Mark as answered (by phone, in person, from another app)")
        )
        self.not_inquiry_button.setText(self.tr("Not an inquiry"))
        self.dismiss_action.setText(self.tr("Not an inquiry: this message (N)"))
        self.ignore_action.setText(self.tr("Always ignore this sender (I)"))
        self.open_button.setText(self.tr("Open in mail (O)"))
        self.empty.setText(self.tr("Nothing waits for a reply."))
        self._update_banner()

    def _stage(self, item: Inquiry, now: datetime) -> Stage:
        lead = self._leads.get(item.account, DEFAULT_LEADS)
        return item_stage(item, now, lead.warning, lead.urgent)

    def _ordered(self, now: datetime) -> tuple[list[Inquiry], list[Inquiry]]:
        def key(i: Inquiry) -> tuple[int, datetime, str, int]:
            return (-self._stage(i, now).rank, i.deadline, i.account, i.uid)

        waiting = sorted((i for i in self._items if i.state is ItemState.WAITING), key=key)
        acked = sorted((i for i in self._items if i.state is ItemState.ACKNOWLEDGED), key=key)
        return waiting, acked

    def _rebuild(self) -> None:
        now = self._clock()
        current = self.current_item()
        keep = current.id if current is not None else None
        self.list.clear()
        self._rows = {}
        waiting, acked = self._ordered(now)
        if waiting:
            self._add_header(self.tr("Waiting for a reply (%n)", "", len(waiting)))
            for item in waiting:
                self._add_row(item)
        if acked:
            self._add_header(self.tr("Acknowledged — promised answer (%n)", "", len(acked)))
            for item in acked:
                self._add_row(item)
        has_items = bool(self._items)
        self.list.setVisible(has_items)
        self.empty.setVisible(not has_items)
        if keep is None or not self.select_item(keep):
            self._select_first()
        self.refresh_countdowns()
        self._update_buttons()

    def _add_header(self, text: str) -> None:
        header = QListWidgetItem(self.list)
        header.setFlags(Qt.ItemFlag.NoItemFlags)
        label = _plain(QLabel(text))
        label.setStyleSheet("font-weight: bold; padding: 6px 4px 2px 4px;")
        header.setSizeHint(label.sizeHint())
        self.list.setItemWidget(header, label)

    def _add_row(self, item: Inquiry) -> None:
        entry = QListWidgetItem(self.list)
        entry.setData(ITEM_ID_ROLE, item.id)
        row = ItemRow(item)
        row.set_subject_placeholder(self.tr("(no subject)"))
        if item.unsent_ack is not None:
            row.unsent.setText(self.tr("Not sent — send now? (A)"))
            row.unsent.show()
        # Screen readers and keyboard users get the whole row as the item's text.
        entry.setData(
            Qt.ItemDataRole.AccessibleTextRole,
            f"{one_line(item.sender)} — {one_line(item.subject)} — {item.account}",
        )
        entry.setSizeHint(row.sizeHint())
        self.list.setItemWidget(entry, row)
        self._rows[item.id] = row

    def _select_first(self) -> None:
        for row in range(self.list.count()):
            if self.list.item(row).flags() & Qt.ItemFlag.ItemIsSelectable:
                self.list.setCurrentRow(row)
                return

    def refresh_countdowns(self) -> None:
        now = self._clock()
        for row in self._rows.values():
            item = row.item
            left = item.deadline - now
            amount = format_duration(left, duration_words(), fine=True)
            if left <= timedelta(0):
                text = self.tr("%1 late").replace("%1", amount)
            else:
                text = self.tr("%1 left").replace("%1", amount)
            local_due = item.deadline.astimezone().strftime("%Y-%m-%d %H:%M")
            if item.state is ItemState.ACKNOWLEDGED:
                due = self.tr("Promised answer by %1").replace("%1", local_due)
            else:
                due = self.tr("Reply due by %1").replace("%1", local_due)
            row.show_countdown(text, self._stage(item, now), due)
        self._arm_tick(now)

    def _arm_tick(self, now: datetime) -> None:
        if not self.isVisible() or not self._rows:
            self._tick.stop()
            return
        into_minute = now.second * 1000 + now.microsecond // 1000
        self._tick.start(60_000 - into_minute + 20)

    def _on_key_action(self, action: str) -> None:
        self._key_slots[action]()

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() == Qt.Key.Key_Escape:
            self.hide()
            return
        super().keyPressEvent(event)

    def _on_tick(self) -> None:
        self.refresh_countdowns()

    def _update_banner(self) -> None:
        lines = [
            self.tr("Not covered: %1 — %2")
            .replace("%1", name)
            .replace("%2", describe_health(health))
            for name, health in sorted(self._health.items())
            if not health.covered
        ]
        self.banner.setText("\n".join(lines))
        self.banner.setVisible(bool(lines))

    def _update_buttons(self) -> None:
        item = self.current_item()
        has = item is not None
        self.ack_button.setEnabled(has and item is not None and item.state is ItemState.WAITING)
        self.answered_button.setEnabled(has)
        self.not_inquiry_button.setEnabled(has)
        self.open_button.setEnabled(has)
        if item is not None and item.state is ItemState.ACKNOWLEDGED:
            self.answered_button.setText(self.tr("Done (D)"))
        else:
            self.answered_button.setText(self.tr("Answered (D)"))

    def _context_menu(self, pos: QPoint) -> None:
        clicked = self.list.itemAt(pos)
        if clicked is not None and clicked.flags() & Qt.ItemFlag.ItemIsSelectable:
            self.list.setCurrentItem(clicked)
        item = self.current_item()
        if item is None:
            return
        menu = QMenu(self)
        if item.state is ItemState.WAITING:
            menu.addAction(self.ack_button.text(), self.acknowledge_current)
        menu.addAction(self.answered_button.text(), self.mark_current_answered)
        menu.addAction(self.dismiss_action.text(), self.dismiss_current)
        menu.addAction(self.ignore_action.text(), self.ignore_current_sender)
        menu.addAction(self.open_button.text(), self.open_current)
        menu.exec(self.list.viewport().mapToGlobal(pos))
