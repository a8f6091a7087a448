"""A spin box for a length of time in hours that reads like the UI language: '4時間',
'4時間30分', '45分' / '4h', '4h 30m' -- never '4.00 h'. Its value stays hours (a float), so
the settings keep their meaning; typing '4時間30分', '4.5' or '90分' all work."""

from __future__ import annotations

from PySide6.QtGui import QValidator
from PySide6.QtWidgets import QDoubleSpinBox, QWidget

from trayapp.core.durations import format_hours, parse_hours
from trayapp.ui.i18n import duration_words


class HoursSpinBox(QDoubleSpinBox):
    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setDecimals(4)  # minutes, internally; never shown

    def textFromValue(self, value: float) -> str:
        return format_hours(value, duration_words())

    def valueFromText(self, text: str) -> float:
        hours = parse_hours(self._strip(text))
        return self.value() if hours is None else hours

    def validate(self, text: str, pos: int) -> tuple[QValidator.State, str, int]:
        hours = parse_hours(self._strip(text))
        if hours is not None and self.minimum() <= hours <= self.maximum():
            return QValidator.State.Acceptable, text, pos
        return QValidator.State.Intermediate, text, pos

    def _strip(self, text: str) -> str:
        text = text.removeprefix(self.prefix()) if self.prefix() else text
        return text.removesuffix(self.suffix()) if self.suffix() else text
