"""'I'm away until …' from the tray menu, and snoozing one item from the list.

The dialog only picks a time; `HoldsController` hands the write of the absence (config.json
settings, through trayapp.policy) or the snooze (the state store) to the app's `write` (the
store's TaskRunner: the GUI thread never waits on a file lock or an fsync), which then asks the
watch service to recompute; its next snapshot carries the new holds to the badge, the tooltip
and the notifications."""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, time, timedelta
from typing import TYPE_CHECKING

from PySide6.QtCore import QDateTime, QObject, Qt, Signal
from PySide6.QtWidgets import (
    QCheckBox,
    QDateTimeEdit,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from trayapp.core.when import parse_when
from trayapp.ui.forms import on_language_change

if TYPE_CHECKING:
    from trayapp.config import ConfigStore
    from trayapp.store.db import StateStore

SNOOZE_CHOICES = ("1h", "this-afternoon", "tomorrow-morning")


def _qt_time(moment: datetime) -> QDateTime:
    """A wall-clock time as Qt shows it (the zone stays ours: the dialog gives it back)."""
    result = QDateTime.fromString(
        moment.replace(tzinfo=None, second=0, microsecond=0).isoformat(), Qt.DateFormat.ISODate
    )
    return result


class AwayDialog(QDialog):
    """Signals: away_chosen(datetime until, bool auto_reply), back_chosen()."""

    away_chosen = Signal(object, bool)
    back_chosen = Signal()

    def __init__(
        self, now: datetime, away_until: datetime | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.setObjectName("AwayDialog")
        self._zone = now.tzinfo
        self.explain = QLabel()
        self.explain.setWordWrap(True)
        self.until = QDateTimeEdit()
        self.until.setObjectName("away_until")
        self.until.setCalendarPopup(True)
        self.until.setDisplayFormat("yyyy-MM-dd HH:mm")
        default = away_until or datetime.combine(
            now.date() + timedelta(days=1), time(9, 0), tzinfo=now.tzinfo
        )
        self.until.setDateTime(_qt_time(default))
        self.until.setMinimumDateTime(_qt_time(now))
        self.auto_reply = QCheckBox()
        self.auto_reply.setObjectName("auto_reply")
        self.buttons = QDialogButtonBox()
        self.away_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.AcceptRole)
        self.back_button: QPushButton | None = None
        if away_until is not None:
            self.back_button = self.buttons.addButton("", QDialogButtonBox.ButtonRole.ResetRole)
            self.back_button.clicked.connect(self._back)
        self.buttons.addButton(QDialogButtonBox.StandardButton.Cancel)
        self.buttons.accepted.connect(self._away)
        self.buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.explain)
        layout.addWidget(self.until)
        layout.addWidget(self.auto_reply)
        layout.addWidget(self.buttons)
        self._away_until = away_until
        self._retranslate()
        on_language_change(self, self._retranslate)

    def chosen_until(self) -> datetime:
        naive = self.until.dateTime().toPython()
        assert isinstance(naive, datetime)
        return naive.replace(tzinfo=self._zone, second=0, microsecond=0)

    def _away(self) -> None:
        self.away_chosen.emit(self.chosen_until(), self.auto_reply.isChecked())
        self.accept()

    def _back(self) -> None:
        self.back_chosen.emit()
        self.accept()

    def _retranslate(self) -> None:
        self.setWindowTitle(self.tr("I'm away"))
        self.explain.setText(
            self.tr(
                "While you are away, deadlines pause (what arrives is due as if it arrived "
                "when you are back) and notifications wait. Back on:"
            )
        )
        self.away_button.setText(self.tr("Away until then"))
        self.auto_reply.setText(
            self.tr("Tell each new sender once that I am away (an automatic reply)")
        )
        if self.back_button is not None:
            self.back_button.setText(self.tr("I'm back now"))


class HoldsController(QObject):
    """The tray's away entry and the list's snooze entry, written off the GUI thread:
    `write(job)` runs the job on the store's TaskRunner, then the service recomputes."""

    def __init__(
        self,
        config: ConfigStore,
        store: StateStore,
        write: Callable[[Callable[[], object]], None],
        clock: Callable[[], datetime],
        parent: QObject | None = None,
        on_return: Callable[[], None] | None = None,
    ) -> None:
        super().__init__(parent)
        self._on_return = on_return
        self._was_away = False
        self._config = config
        self._store = store
        self._write = write
        self._clock = clock
        self.dialog: AwayDialog | None = None

    def note_away(self, away_until: datetime | None) -> None:
        """The summary's away state, each time it is shown: on return, open the list with
        what arrived meanwhile."""
        away = away_until is not None
        if self._was_away and not away and self._on_return is not None:
            self._on_return()
        self._was_away = away

    def open_away(self, away_until: datetime | None = None) -> None:
        if self.dialog is not None:
            self.dialog.raise_()
            self.dialog.activateWindow()
            return
        dialog = AwayDialog(self._clock(), away_until)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.away_chosen.connect(self.set_away)
        dialog.back_chosen.connect(self.back)
        dialog.destroyed.connect(lambda *_: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.show()

    def set_away(self, until: datetime, auto_reply: bool = False) -> None:
        from trayapp.policy import save_absence

        now = self._clock()
        start = now.replace(microsecond=0)  # INTERNALDATE has whole seconds
        self._write(lambda: save_absence(self._config, start, until, now, auto_reply=auto_reply))

    def back(self) -> None:
        from trayapp.policy import end_absence

        now = self._clock()
        self._write(lambda: end_absence(self._config, now))

    def set_quiet_hours(self, value: str | None) -> None:
        from trayapp.policy import QUIET_SETTING

        self._write(lambda: self._config.update_settings(**{QUIET_SETTING: value}))

    def snooze(self, account: str, item_id: str, spec: str) -> None:
        self.snooze_until(account, item_id, parse_when(spec, self._clock()))

    def snooze_until(self, account: str, item_id: str, until: datetime) -> None:
        self._write(lambda: self._store.snooze(account, item_id, until))
