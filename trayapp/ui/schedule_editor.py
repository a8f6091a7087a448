"""One account's working-hours clock in the settings: time zone, working hours, public holidays,
days off, and a one-line preview ("a message arriving now is due Thu 12:00").

Edits a copy; the settings dialog asks `apply_to(account)` and `problem()`. The preview is
computed by core.schedule (pure); nothing here reads a file or the network."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QComboBox, QFormLayout, QGroupBox, QLabel, QLineEdit, QWidget

from trayapp.clock import now as clock_now
from trayapp.clock import system_zone, system_zone_name
from trayapp.core.model import AccountConfig
from trayapp.core.promise import promise_phrase
from trayapp.core.schedule import (
    ALWAYS,
    ScheduleError,
    check_schedule_fields,
    due_at,
    format_days_off,
    format_working_hours,
    make_schedule,
    parse_days_off,
    parse_working_hours,
)
from trayapp.ui.forms import on_language_change, set_row_labels
from trayapp.ui.i18n import error_sentence

# Offered in the lists; any other IANA zone or holidays-package country code can be typed.
COMMON_ZONES = (
    "Asia/Tokyo",
    "UTC",
    "Asia/Seoul",
    "Asia/Shanghai",
    "Asia/Singapore",
    "Australia/Sydney",
    "Europe/London",
    "Europe/Berlin",
    "Europe/Paris",
    "America/New_York",
    "America/Chicago",
    "America/Los_Angeles",
)
COMMON_COUNTRIES = ("jp", "us", "gb", "de", "fr", "kr", "cn", "sg", "au", "ca")


class ScheduleEditor(QGroupBox):
    """Signal changed(): any field was edited (the dialog then stores and validates)."""

    changed = Signal()

    def __init__(
        self,
        language: str = "en",
        clock: Callable[[], datetime] = clock_now,
        parent: QWidget | None = None,
        titled: bool = True,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("ScheduleEditor")
        self._titled = titled
        self.setFlat(not titled)  # in a tab named for it: no frame, no title of its own
        self._language = language
        self._clock = clock
        self._window = timedelta(hours=24)
        self.timezone = QComboBox()
        self.timezone.setObjectName("timezone")
        self.timezone.setEditable(True)
        self.timezone.addItem("", None)  # the system's, text set in _retranslate
        for zone in COMMON_ZONES:
            self.timezone.addItem(zone, zone)
        self.working_hours = QLineEdit()
        self.working_hours.setObjectName("working_hours")
        self.working_hours.setPlaceholderText("mon-fri 09:00-18:00")
        self.working_hours.setMinimumWidth(340)  # two ranges and a Saturday stay readable
        self.holidays = QComboBox()
        self.holidays.setObjectName("holidays")
        self.holidays.setEditable(True)
        self.holidays.addItem("", None)
        for code in COMMON_COUNTRIES:
            self.holidays.addItem(code, code)
        self.days_off = QLineEdit()
        self.days_off.setObjectName("days_off")
        self.days_off.setPlaceholderText("2026-12-29..2027-01-03, 2027-05-06")
        self.preview = QLabel()
        self.preview.setObjectName("schedule_preview")
        self.preview.setWordWrap(False)  # one line; wrapped text was clipped in the form
        self.form = QFormLayout(self)
        for field in (self.timezone, self.working_hours, self.holidays, self.days_off):
            self.form.addRow(QLabel(), field)
        self.form.addRow(self.preview)
        self.timezone.currentTextChanged.connect(lambda _t: self._edited())
        self.working_hours.textChanged.connect(lambda _t: self._edited())
        self.holidays.currentTextChanged.connect(lambda _t: self._edited())
        self.days_off.textChanged.connect(lambda _t: self._edited())
        self._loading = False
        self._retranslate()
        on_language_change(self, self._retranslate)

    # -------------------------------------------------------------- in and out

    def load(self, account: AccountConfig) -> None:
        self._loading = True
        self._window = account.window
        index = self.timezone.findData(account.timezone) if account.timezone else 0
        if index >= 0:
            self.timezone.setCurrentIndex(index)
        else:
            self.timezone.setEditText(account.timezone or "")
        hours = account.working_hours
        self.working_hours.setText("" if hours == ALWAYS else hours)
        index = self.holidays.findData(account.holidays) if account.holidays else 0
        if index >= 0:
            self.holidays.setCurrentIndex(index)
        else:
            self.holidays.setEditText(account.holidays or "")
        self.days_off.setText(", ".join(account.days_off))
        self._loading = False
        self._update_preview()

    def set_window(self, window: timedelta) -> None:
        self._window = window
        self._update_preview()

    def _zone_text(self) -> str | None:
        index = self.timezone.currentIndex()
        text = self.timezone.currentText().strip()
        if index == 0 and text == self.timezone.itemText(0):
            return None
        return text or None

    def _country_text(self) -> str | None:
        index = self.holidays.currentIndex()
        text = self.holidays.currentText().strip()
        if index == 0 and text == self.holidays.itemText(0):
            return None
        code = text.split(" ", 1)[0].lower()
        return code or None

    def fields(self) -> dict[str, Any]:
        """The account fields as typed (raises ScheduleError when one does not read)."""
        hours = self.working_hours.text().strip() or ALWAYS
        fields: dict[str, Any] = {
            "timezone": self._zone_text(),
            "working_hours": format_working_hours(parse_working_hours(hours)),
            "holidays": self._country_text(),
            "days_off": format_days_off(parse_days_off(self.days_off.text())),
        }
        check_schedule_fields(
            timezone=self._zone_text(),
            working_hours=hours,
            holidays=self._country_text(),
            days_off=self.days_off.text(),
        )
        return fields

    def apply_to(self, account: AccountConfig) -> AccountConfig:
        """`account` with the schedule as typed; unchanged when the text does not read."""
        try:
            return dataclasses.replace(account, **self.fields())
        except ScheduleError:
            return account

    def problem(self) -> str | None:
        try:
            self.fields()
        except ScheduleError as error:
            return error_sentence(error)
        return None

    # -------------------------------------------------------------- preview

    def _edited(self) -> None:
        if self._loading:
            return
        self._update_preview()
        self.changed.emit()

    def _update_preview(self) -> None:
        try:
            fields = self.fields()
        except ScheduleError as error:
            self.preview.setText(error_sentence(error))
            return
        zone_name = fields["timezone"]
        zone = ZoneInfo(zone_name) if zone_name else system_zone()
        schedule = make_schedule(
            zone, fields["working_hours"], fields["holidays"], fields["days_off"]
        )
        now = self._clock().astimezone(zone)
        due = due_at(now, self._window, schedule).astimezone(zone)
        phrase = promise_phrase(due, "ja" if self._language == "ja" else "en", now)
        self.preview.setText(self.tr("A message arriving now is due %1").replace("%1", phrase))

    # -------------------------------------------------------------- text

    def _retranslate(self) -> None:
        self.setTitle(self.tr("Working hours") if self._titled else "")
        system = system_zone_name() or self.tr("unknown")
        self.timezone.setItemText(0, self.tr("System (%1)").replace("%1", system))
        self.holidays.setItemText(0, self.tr("No public holidays"))
        self.working_hours.setToolTip(
            self.tr(
                "Empty or 'always': around the clock. Several ranges: "
                "mon-fri 09:00-12:00,13:00-18:00; sat 10:00-14:00"
            )
        )
        set_row_labels(
            (self.form, field, text)
            for field, text in (
                (self.timezone, self.tr("Time zone")),
                (self.working_hours, self.tr("Working hours")),
                (self.holidays, self.tr("Public holidays of")),
                (self.days_off, self.tr("Days off")),
            )
        )
        self._update_preview()
