"""The pending list: everything that waits, most urgent first, with a live countdown.

It is fed through `set_items` / `set_health` / `set_leads` and reports the user's actions
as signals carrying item ids; it never reaches into workers or the store. The rows are a Qt
model painted by one delegate (ui/pending_model.py): an update changes only the rows that
changed, so the list stays smooth at thousands of items. Every text from mail (sender,
subject, preview) is drawn as plain text: no HTML is ever rendered and nothing remote is
loaded.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta

from PySide6.QtCore import QEvent, QPoint, QRect, Qt, QTimer, Signal
from PySide6.QtGui import (
    QGuiApplication,
    QHideEvent,
    QKeyEvent,
    QKeySequence,
    QShortcut,
    QShowEvent,
)
from PySide6.QtWidgets import (
    QFrame,
    QHBoxLayout,
    QLabel,
    QListView,
    QMenu,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trayapp.core.durations import DurationWords, format_duration
from trayapp.core.model import AccountHealth, Inquiry, ItemState, Stage
from trayapp.core.stages import in_utc, item_stage
from trayapp.core.summary import DEFAULT_LEADS, StageLeads
from trayapp.store.set_aside import SetAside
from trayapp.ui.i18n import duration_words
from trayapp.ui.not_covered_banner import NotCoveredBanner
from trayapp.ui.pending_model import ITEM_ID_ROLE, PendingModel, Row, RowDelegate
from trayapp.ui.undo_bar import UndoBar


def _plain(label: QLabel) -> QLabel:
    label.setTextFormat(Qt.TextFormat.PlainText)
    label.setTextInteractionFlags(Qt.TextInteractionFlag.NoTextInteraction)
    return label


ACTION_KEYS = {
    Qt.Key.Key_Return: "acknowledge",
    Qt.Key.Key_Enter: "acknowledge",
    Qt.Key.Key_A: "acknowledge",
    Qt.Key.Key_D: "answered",
    Qt.Key.Key_N: "not_inquiry",
    Qt.Key.Key_I: "ignore_sender",
    Qt.Key.Key_O: "open",
}


class PendingList(QListView):
    """Keys act on the current item while the list has focus: Enter (on every platform; Qt's
    item activation differs on macOS) and single letters, which would otherwise start
    the view's type-ahead search."""

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
    snooze_requested = Signal(str, str, str)  # account, item id, when (core.when: 1h, …)
    fix_requested = Signal(str)  # the banner's button: fix this account (IppoApp.fix_account)
    undo_requested = Signal(object)  # a SetAside from the undo bar, or None (Ctrl+Z: the last)
    set_aside_list_requested = Signal()  # "Recently set aside…" (put back later)
    ignored_senders_requested = Signal()  # "Ignored senders…"

    def __init__(
        self,
        clock: Callable[[], datetime],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent, Qt.WindowType.Window)
        self.setObjectName("PendingWindow")
        self._clock = clock
        self._all_items: list[Inquiry] = []  # as the snapshot has them
        self._items: list[Inquiry] = []  # shown: without what was just set aside
        # Set aside here, not yet gone from the snapshots (the write and recompute follow).
        self._hidden_ids: set[str] = set()
        self._hidden_senders: set[tuple[str, str]] = set()  # (account, address)
        self._select_when_listed: str | None = None  # put back, selected when it returns
        self._health: dict[str, AccountHealth] = {}
        self._leads: dict[str, StageLeads] = {}
        self._by_id: dict[str, Inquiry] = {}
        self._rows_stale = False  # the items changed while hidden: the rows wait for a show
        self._built_minute: datetime | None = None  # the countdowns' minute
        # item id -> (item, stage, countdown shown, its Row) of the last rebuild
        self._row_cache: dict[str, tuple[Inquiry, Stage, tuple[bool, int, bool], Row]] = {}
        self.model = PendingModel(self)

        self.banner = NotCoveredBanner()
        self.banner.fix_requested.connect(self.fix_requested)
        self.undo_bar = UndoBar()
        self.undo_bar.undo_clicked.connect(self.undo_requested)
        self.list = PendingList()
        self.list.setObjectName("pendingList")
        self.list.setModel(self.model)
        self.delegate = RowDelegate(self.list)
        self.list.setItemDelegate(self.delegate)
        # Thousands of rows are laid out in batches between events, not in one go.
        self.list.setLayoutMode(QListView.LayoutMode.Batched)
        self.list.setBatchSize(100)
        self.list.setSelectionMode(QListView.SelectionMode.SingleSelection)
        self.list.setVerticalScrollMode(QListView.ScrollMode.ScrollPerPixel)
        self.list.setMouseTracking(True)  # hover highlight, as the platform draws it
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
        # What was set aside, to put back later; the senders never counted.
        self.more_button = QPushButton()  # like "Not an inquiry": its arrow drawn the same way
        self.more_button.setObjectName("moreButton")
        self.more_menu = QMenu(self)
        self.set_aside_action = self.more_menu.addAction("")
        self.ignored_action = self.more_menu.addAction("")
        self.more_button.setMenu(self.more_menu)
        self.set_aside_action.triggered.connect(self.set_aside_list_requested)
        self.ignored_action.triggered.connect(self.ignored_senders_requested)

        actions = QHBoxLayout()
        for button in (
            self.ack_button,
            self.answered_button,
            self.not_inquiry_button,
            self.open_button,
        ):
            actions.addWidget(button)
        actions.addStretch(1)
        actions.addWidget(self.more_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 8, 8, 8)
        layout.addWidget(self.banner)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.empty, 1)
        layout.addWidget(self.undo_bar)
        layout.addLayout(actions)

        self.ack_button.clicked.connect(self.acknowledge_current)
        self.answered_button.clicked.connect(self.mark_current_answered)
        self.dismiss_action.triggered.connect(self.dismiss_current)
        self.ignore_action.triggered.connect(self.ignore_current_sender)
        self.open_button.clicked.connect(self.open_current)
        self.list.key_action.connect(self._on_key_action)
        self.list.doubleClicked.connect(lambda _index: self.acknowledge_current())
        selection = self.list.selectionModel()
        selection.currentChanged.connect(lambda *_: self._update_buttons())
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
        # Ctrl+Z puts back the last thing set aside (the undo bar's button, from the keys).
        self._undo = QShortcut(QKeySequence(QKeySequence.StandardKey.Undo), self)
        self._undo.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self._undo.activated.connect(lambda: self.undo_requested.emit(None))

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
        self._all_items = list(items)
        # What the snapshots no longer list needs no hiding (a put back then waits for the
        # snapshot that lists it again).
        if self._hidden_ids:
            self._hidden_ids &= {i.id for i in self._all_items}
        if self._hidden_senders:
            self._hidden_senders &= {
                (i.account, i.sender_addr.strip().lower()) for i in self._all_items
            }
        self._show_items()

    def set_health(self, health: Mapping[str, AccountHealth]) -> None:
        self._health = dict(health)
        self.banner.set_health(self._health)

    def hide_set_aside(self, entry: SetAside) -> None:
        """D, N or I acted on an item: it leaves the list now (the selection moves to the row
        that takes its place), and the undo bar offers it back."""
        self._select_when_listed = None
        if entry.kind == "ignore_sender":
            self._hidden_senders.add((entry.account, entry.address))
        else:
            self._hidden_ids.add(entry.item.id)
        self._show_items(lazy=True)
        self.undo_bar.show_set_aside(entry)

    def show_put_back(self, entry: SetAside) -> None:
        """Undone: the item shows again (at once if the snapshot still lists it, else with the
        next snapshot)."""
        self._hidden_ids.discard(entry.item.id)
        self._hidden_senders.discard((entry.account, entry.address))
        self._show_items(lazy=True)
        if not self.select_item(entry.item.id):
            self._select_when_listed = entry.item.id
        self.undo_bar.show_put_back(entry)

    def _show_items(self, *, lazy: bool = False) -> None:
        hidden_ids, hidden_senders = self._hidden_ids, self._hidden_senders
        if hidden_senders:
            self._items = [
                i
                for i in self._all_items
                if i.id not in hidden_ids
                and (i.account, i.sender_addr.strip().lower()) not in hidden_senders
            ]
        else:  # the common case, on every click of a 1,000-item list: no address to fold
            self._items = [i for i in self._all_items if i.id not in hidden_ids]
        self._by_id = {i.id: i for i in self._items}
        if self.isVisible() or not lazy:
            self._rebuild()
        else:  # nobody looks (a 1,000-row rebuild per click): the rows are built when shown
            self._rows_stale = True

    def set_leads(self, leads: Mapping[str, StageLeads]) -> None:
        if leads == self._leads:
            return  # every snapshot hands them over; the rows are rebuilt once, by set_items
        self._leads = dict(leads)
        self.refresh_countdowns()

    def item(self, item_id: str) -> Inquiry | None:
        return self._by_id.get(item_id)

    def current_item(self) -> Inquiry | None:
        current = self.list.currentIndex()
        item_id = current.data(ITEM_ID_ROLE) if current.isValid() else None
        return self.item(item_id) if isinstance(item_id, str) else None

    def select_item(self, item_id: str) -> bool:
        number = self.model.row_of(item_id)
        if number < 0:
            return False
        self.list.setCurrentIndex(self.model.index(number))
        return True

    def row(self, item_id: str) -> Row | None:
        """What the list shows for an item (its countdown, stage, due text)."""
        number = self.model.row_of(item_id)
        return self.model.rows()[number] if number >= 0 else None

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
        # Place it at the size it will really have: the button row is wider than the default
        # width in some languages, and a window placed at the smaller size runs off the screen.
        self.ensurePolished()
        self.resize(self.size().expandedTo(self.minimumSizeHint()))
        # move() places the frame: count the window manager's border too, known once the native
        # window exists (on X11 only after its first showing; the window manager keeps the rest).
        self.winId()
        size = self.frameGeometry().size()
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
        if not self.list.currentIndex().isValid():
            self._select_first()

    def showEvent(self, event: QShowEvent) -> None:
        super().showEvent(event)
        now = self._clock()
        if self._rows_stale or self._built_minute != now.replace(second=0, microsecond=0):
            self._rebuild()  # set aside or put back while hidden, or time went by
        else:
            self._arm_tick(now)

    def hideEvent(self, event: QHideEvent) -> None:
        self._tick.stop()  # nothing to tick for while nobody looks
        super().hideEvent(event)

    def changeEvent(self, event: QEvent) -> None:
        if event.type() in (QEvent.Type.FontChange, QEvent.Type.StyleChange):
            self.delegate.forget_sizes()
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
        self.more_button.setText(self.tr("More"))
        self.set_aside_action.setText(self.tr("Recently set aside…"))
        self.ignored_action.setText(self.tr("Ignored senders…"))
        self.empty.setText(self.tr("Nothing waits for a reply."))
        # Row texts, looked up once per language rather than once per row.
        self._row_cache = {}  # the rows made in the language before
        self._late = self.tr("%1 late")
        self._left = self.tr("%1 left")
        self._promised = self.tr("Promised answer by %1")
        self._due = self.tr("Reply due by %1")
        self._unsent = self.tr("Not sent — send now? (A)")

    def _stage(self, item: Inquiry, now: datetime) -> Stage:
        lead = self._leads.get(item.account, DEFAULT_LEADS)
        return item_stage(item, now, lead.warning, lead.urgent)

    def _ordered(self, now: datetime) -> tuple[list[Inquiry], list[Inquiry], dict[str, Stage]]:
        stages = {i.id: self._stage(i, now) for i in self._items}

        def key(i: Inquiry) -> tuple[int, datetime, str, int]:
            return (-stages[i.id].rank, i.deadline, i.account, i.uid)

        waiting = sorted((i for i in self._items if i.state is ItemState.WAITING), key=key)
        acked = sorted((i for i in self._items if i.state is ItemState.ACKNOWLEDGED), key=key)
        return waiting, acked, stages

    def _rebuild(self) -> None:
        """The rows as they should look now, handed to the model (which applies only the
        difference); the selection follows its item, or -- when it left -- moves to the row
        that took its place (never back to the top: pressing D twice must not mark the most
        urgent inquiry)."""
        now = self._clock()
        self._rows_stale = False
        self._built_minute = now.replace(second=0, microsecond=0)
        index = self.list.currentIndex()  # read before the rows change
        current_id = index.data(ITEM_ID_ROLE) if index.isValid() else None
        current_row = index.row() if index.isValid() else -1
        self.model.update(self._rows_at(now))
        has_items = bool(self._items)
        self.list.setVisible(has_items)
        self.empty.setVisible(not has_items)
        returned = self._select_when_listed
        if returned is not None and self.select_item(returned):
            self._select_when_listed = None
        elif not (isinstance(current_id, str) and self.select_item(current_id)):
            self._select_near(current_row)
        self._update_buttons()
        self._arm_tick(now)

    def _rows_at(self, now: datetime) -> list[Row]:
        now = in_utc(now)  # compared with every item's times (core.stages.in_utc)
        waiting, acked, stages = self._ordered(now)
        words = duration_words()
        rows: list[Row] = []
        placeholder = self.tr("(no subject)")
        # A row whose item, stage and countdown minute are as last time is the same Row: a
        # snapshot of 1,000 items makes new rows for what changed only.
        previous, self._row_cache = self._row_cache, {}
        for key, header, items in (
            ("h:waiting", self.tr("Waiting for a reply (%n)", "", len(waiting)), waiting),
            ("h:acked", self.tr("Acknowledged — promised answer (%n)", "", len(acked)), acked),
        ):
            if not items:
                continue
            rows.append(Row(key, header=header))
            for item in items:
                stage = stages[item.id]
                left = item.deadline - now
                seconds = abs(int(left.total_seconds()))
                # What the text shows: format_duration(fine=True) counts whole minutes.
                shown = (left <= timedelta(0), seconds // 60, seconds == 0)
                cached = previous.get(item.id)
                if cached is not None and cached[0] is item and cached[1:3] == (stage, shown):
                    row = cached[3]
                else:
                    row = self._row(item, left, stage, placeholder, words)
                self._row_cache[item.id] = (item, stage, shown, row)
                rows.append(row)
        return rows

    def _row(
        self, item: Inquiry, left: timedelta, stage: Stage, placeholder: str, words: DurationWords
    ) -> Row:
        late = left <= timedelta(0)
        return Row(
            item.id,
            item=item,
            countdown=(self._late if late else self._left).replace(
                "%1", format_duration(left, words, fine=True)
            ),
            stage=stage,
            due_template=self._promised if item.state is ItemState.ACKNOWLEDGED else self._due,
            placeholder=placeholder,
            unsent=self._unsent if item.unsent_ack is not None else "",
        )

    def _select_first(self) -> None:
        self._select_near(0)

    def _select_near(self, number: int) -> None:
        """The first item at or after row `number` (headers skipped), else the last item."""
        rows = self.model.rows()
        start = max(number, 0)
        after = [n for n in range(start, len(rows)) if rows[n].item is not None]
        before = [n for n in range(min(start, len(rows))) if rows[n].item is not None]
        chosen = after[0] if after else (before[-1] if before else None)
        if chosen is not None:
            self.list.setCurrentIndex(self.model.index(chosen))

    def refresh_countdowns(self) -> None:
        """The minute tick: the model repaints the rows whose countdown text changed."""
        self._rebuild()

    def _arm_tick(self, now: datetime) -> None:
        if not self.isVisible() or not self._items:
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
        clicked = self.list.indexAt(pos)
        if clicked.isValid() and clicked.flags() & Qt.ItemFlag.ItemIsSelectable:
            self.list.setCurrentIndex(clicked)
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
        menu.addSeparator()
        menu.addAction(self.set_aside_action.text(), self.set_aside_list_requested.emit)
        menu.addAction(self.ignored_action.text(), self.ignored_senders_requested.emit)
        snooze = menu.addMenu(self.tr("Snooze notifications"))
        for spec, text in (
            ("1h", self.tr("For an hour")),
            ("this-afternoon", self.tr("Until this afternoon")),
            ("tomorrow-morning", self.tr("Until tomorrow morning")),
        ):
            snooze.addAction(
                text, functools.partial(self.snooze_requested.emit, item.account, item.id, spec)
            )
        menu.exec(self.list.viewport().mapToGlobal(pos))
