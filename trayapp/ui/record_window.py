"""The Record window: the last 12 weeks as bars (share first-answered within the window) with
the median first-reply time as a line, this week in words, and the slowest recent inquiries.

Qt only; it shows a RecordView (computed off the GUI thread by ui/record_controller.py) and
the progress of a history build. Mail text is shown as plain text, with markup characters
defanged, never as rich text.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtCore import QEvent, QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPainterPath, QPaintEvent, QPen
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHeaderView,
    QLabel,
    QProgressBar,
    QSizePolicy,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from trayapp.core.record import Period, RecordView
from trayapp.core.record_text import Language, duration, share_text, week_sentence
from trayapp.core.safetext import display_line
from trayapp.ui.i18n import defang

GOOD = QColor("#2e7d32")
FAIR = QColor("#f9a825")
POOR = QColor("#c62828")
EMPTY = QColor("#bdbdbd")
LINE = QColor("#1565c0")
GRID = QColor(0, 0, 0, 40)


SHOWN_CHARS = 200


def shown(text: str) -> str:
    """Mail text as the table shows it: one plain line (core.safetext: no controls, bidi or
    invisible marks; capped), markup characters defanged."""
    return defang(display_line(text, SHOWN_CHARS))


def bar_color(share: float | None) -> QColor:
    if share is None:
        return EMPTY
    if share >= 0.9:
        return GOOD
    if share >= 0.7:
        return FAIR
    return POOR


class WeekChart(QWidget):
    """Bars: share within the window per week (left axis, 0-100 %). Line: the median
    first-reply time (right axis, hours). Painted by hand with QPainter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._weeks: Sequence[Period] = ()
        self._language: Language = "en"
        self.setMinimumSize(QSize(560, 240))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def set_weeks(self, weeks: Sequence[Period], language: Language) -> None:
        self._weeks = list(weeks)
        self._language = language
        self.update()

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        metrics = painter.fontMetrics()
        weeks = list(self._weeks)
        medians = [w.total.median_first_reply_seconds for w in weeks]
        top_hours = float(_nice_ceiling(max([1.0, *((m or 0) / 3600 for m in medians)])))
        hour_labels = [_hours_label(top_hours * step / 4, self._language) for step in range(5)]
        left = metrics.horizontalAdvance("100%") + 10
        right = max(metrics.horizontalAdvance(label) for label in hour_labels) + 12
        top, bottom = metrics.height() + 6, metrics.height() * 2 + 8
        plot = QRectF(left, top, self.width() - left - right, self.height() - top - bottom)
        if plot.width() <= 10 or plot.height() <= 10:
            return
        text_pen = QPen(self.palette().color(self.foregroundRole()))
        # Grid and the left axis (share).
        for step in range(0, 5):
            y = plot.bottom() - plot.height() * step / 4
            painter.setPen(QPen(GRID, 1))
            painter.drawLine(QPointF(plot.left(), y), QPointF(plot.right(), y))
            painter.setPen(text_pen)
            label = f"{step * 25}%"
            painter.drawText(
                QRectF(0, y - metrics.height() / 2, left - 6, metrics.height()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                label,
            )
        if not weeks:
            return
        slot = plot.width() / len(weeks)
        for index, week in enumerate(weeks):
            share = week.total.share_within_window
            x = plot.left() + slot * index + slot * 0.18
            width = slot * 0.64
            height = plot.height() * (share or 0.0)
            if share is None:
                height = 3.0  # nothing decided this week: a grey stub, not an empty gap
            painter.fillRect(QRectF(x, plot.bottom() - height, width, height), bar_color(share))
            painter.setPen(text_pen)
            label = f"{week.start.month}/{week.start.day}"
            painter.drawText(
                QRectF(plot.left() + slot * index, plot.bottom() + 4, slot, metrics.height()),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                label,
            )
            count = str(week.total.inquiries)
            painter.drawText(
                QRectF(
                    plot.left() + slot * index,
                    plot.bottom() + 4 + metrics.height(),
                    slot,
                    metrics.height(),
                ),
                int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                count,
            )
        # The median line (right axis, hours), broken where a week had no reply.
        painter.setPen(text_pen)
        for step in range(0, 5):
            y = plot.bottom() - plot.height() * step / 4
            painter.drawText(
                QRectF(plot.right() + 6, y - metrics.height() / 2, right, metrics.height()),
                int(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter),
                hour_labels[step],
            )
        path = QPainterPath()
        started = False
        points: list[QPointF] = []
        for index, median in enumerate(medians):
            if median is None:
                started = False
                continue
            point = QPointF(
                plot.left() + slot * (index + 0.5),
                plot.bottom() - plot.height() * min(1.0, median / 3600 / top_hours),
            )
            points.append(point)
            if started:
                path.lineTo(point)
            else:
                path.moveTo(point)
                started = True
        painter.setPen(QPen(LINE, 2.5))
        painter.drawPath(path)
        painter.setBrush(LINE)
        for point in points:
            painter.drawEllipse(point, 3.5, 3.5)
        painter.end()


def _hours_label(hours: float, language: Language) -> str:
    return f"{hours:g}h" if language == "en" else f"{hours:g}時間"


def _nice_ceiling(hours: float) -> int:
    for step in (4, 8, 12, 24, 48, 72, 96, 168):
        if hours <= step:
            return step
    return int(hours) + 1


class RecordWindow(QWidget):
    """The window. ``refresh_requested`` is not a signal: the controller passes a callable."""

    SLOWEST_COLUMNS = 5

    def __init__(
        self,
        language: Callable[[], str],
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self._language = language
        self._view: RecordView | None = None
        self.setObjectName("RecordWindow")
        layout = QVBoxLayout(self)
        self.headline = QLabel(self)
        self.headline.setTextFormat(Qt.TextFormat.PlainText)
        self.headline.setWordWrap(True)
        font = QFont(self.headline.font())
        font.setPointSizeF(font.pointSizeF() * 1.35)
        font.setBold(True)
        self.headline.setFont(font)
        self.detail = QLabel(self)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.detail.setWordWrap(True)
        self.chart_title = QLabel(self)
        self.chart = WeekChart(self)
        self.progress = QProgressBar(self)
        self.progress.setVisible(False)
        self.status = QLabel(self)
        self.status.setTextFormat(Qt.TextFormat.PlainText)
        self.status.setWordWrap(True)
        self.slowest_title = QLabel(self)
        self.slowest = QTableWidget(0, self.SLOWEST_COLUMNS, self)
        self.slowest.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.slowest.setSelectionMode(QAbstractItemView.SelectionMode.NoSelection)
        self.slowest.verticalHeader().setVisible(False)
        header = self.slowest.horizontalHeader()
        header.setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        header.setStretchLastSection(True)
        self.slowest.setMinimumHeight(150)
        for widget in (
            self.headline,
            self.detail,
            self.progress,
            self.status,
            self.chart_title,
            self.chart,
            self.slowest_title,
            self.slowest,
        ):
            layout.addWidget(widget)
        layout.setStretch(layout.indexOf(self.chart), 3)
        layout.setStretch(layout.indexOf(self.slowest), 2)
        self.resize(720, 620)
        self.retranslate()

    # -------------------------------------------------------------- state in

    def language(self) -> Language:
        return "ja" if self._language() == "ja" else "en"

    def set_view(self, view: RecordView) -> None:
        self._view = view
        self._fill()

    def set_progress(self, done: int, total: int) -> None:
        """A history build is under way (total 0: starting)."""
        self.progress.setVisible(True)
        self.progress.setRange(0, max(total, 0))
        self.progress.setValue(min(done, total) if total else 0)
        if total:
            self.status.setText(
                self.tr("Reading the history from your mailboxes… %1 of %2 messages")
                .replace("%1", str(done))
                .replace("%2", str(total))
            )
        else:
            self.status.setText(self.tr("Reading the history from your mailboxes…"))

    def set_idle(self) -> None:
        self.progress.setVisible(False)
        self._fill_status()

    # -------------------------------------------------------------- text

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self.retranslate()
        super().changeEvent(event)

    def retranslate(self) -> None:
        self.setWindowTitle(self.tr("Ippo — your reply record"))
        self.chart_title.setText(
            self.tr(
                "Last 12 weeks: bars show the share first answered within the window, "
                "the line the median time to the first reply; the number under each week is "
                "how many inquiries came."
            )
        )
        self.chart_title.setWordWrap(True)
        self.slowest_title.setText(self.tr("Slowest inquiries of the last four weeks"))
        self.slowest.setHorizontalHeaderLabels(
            [
                self.tr("Waited"),
                self.tr("Arrived"),
                self.tr("Inbox"),
                self.tr("From"),
                self.tr("Subject"),
            ]
        )
        self._fill()

    def _fill(self) -> None:
        view = self._view
        language = self.language()
        if view is None:
            self.headline.setText(self.tr("Your record is being prepared…"))
            self.detail.setText("")
            self.chart.set_weeks((), language)
            self.slowest.setRowCount(0)
            return
        week = view.this_week
        self.headline.setText(week_sentence(week, view.window_hours, language))
        parts = [
            self.tr("This week: %1 inquiries").replace("%1", str(week.inquiries)),
            self.tr("90% answered within %1").replace(
                "%1", duration(week.p90_first_reply_seconds, language)
            ),
            self.tr("longest wait %1").replace("%1", duration(week.longest_wait_seconds, language)),
            self.tr("overdue %1").replace("%1", str(week.overdue)),
        ]
        if week.promises_made:
            parts.append(
                self.tr("promises kept %1 of %2")
                .replace("%1", str(week.promises_kept))
                .replace("%2", str(week.promises_made))
            )
        last12 = _sum_shares(view.weeks)
        if last12 is not None:
            parts.append(self.tr("12 weeks: %1 within the window").replace("%1", last12))
        self.detail.setText(self.tr(" · ").join(parts))
        self.chart.set_weeks(view.weeks, language)
        self._fill_slowest(view, language)
        self._fill_status()

    def _fill_slowest(self, view: RecordView, language: Language) -> None:
        now = view.computed_at
        self.slowest.setRowCount(len(view.slowest))
        for row, record in enumerate(view.slowest):
            waited = record.wait_seconds(now) if now is not None else None
            text = duration(waited, language)
            if record.first_reply_at is None and record.first_reply_via is None:
                text = self.tr("%1 (no reply yet)").replace("%1", text)
            arrived = record.received_at.astimezone().strftime("%Y-%m-%d %H:%M")
            cells = [
                text,
                arrived,
                shown(record.account),
                shown(record.sender),
                shown(record.subject) or self.tr("(no subject)"),
            ]
            for column, value in enumerate(cells):
                item = QTableWidgetItem(value)
                if column == 0 and record.overdue(now or record.received_at):
                    item.setForeground(POOR)
                self.slowest.setItem(row, column, item)

    def _fill_status(self) -> None:
        if self.progress.isVisible():
            return
        view = self._view
        if view is None or view.computed_at is None:
            self.status.setText("")
            return
        text = self.tr("Updated %1 from the mail itself.").replace(
            "%1", view.computed_at.astimezone().strftime("%H:%M")
        )
        for name, reason in sorted(view.errors.items()):
            text += "\n" + self.tr("%1 could not be read: %2").replace("%1", name).replace(
                "%2", reason
            )
        self.status.setText(text)


def _sum_shares(weeks: Sequence[Period]) -> str | None:
    within = sum(w.total.answered_within_window for w in weeks)
    decided = sum(w.total.inquiries - w.total.still_open for w in weeks)
    return share_text(within / decided) if decided else None
