"""Small form pieces the dialogs share: a security choice, a port, a status line, and the
labels of form rows set in one go (each dialog names them again on a language change)."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Literal

from PySide6.QtCore import QEvent, QObject, Qt
from PySide6.QtWidgets import QComboBox, QFormLayout, QLabel, QLineEdit, QSpinBox, QWidget

FormLabels = Iterable[tuple[QFormLayout, QWidget, str]]
ERROR_STYLE = "color: #B71C1C; font-weight: bold;"


def security_box(name: str = "") -> QComboBox:
    """SSL/TLS or STARTTLS; currentData() is "ssl" or "starttls"."""
    box = QComboBox()
    box.setObjectName(name)
    box.addItem("SSL/TLS", "ssl")
    box.addItem("STARTTLS", "starttls")
    return box


def chosen_security(box: QComboBox) -> Literal["ssl", "starttls"]:
    return "starttls" if box.currentData() == "starttls" else "ssl"


def port_box(name: str = "") -> QSpinBox:
    box = QSpinBox()
    box.setObjectName(name)
    box.setRange(1, 65535)
    return box


def password_field() -> QLineEdit:
    field = QLineEdit()
    field.setObjectName("password")
    field.setEchoMode(QLineEdit.EchoMode.Password)
    return field


def set_row_labels(rows: FormLabels) -> None:
    """Each (form, field, text): the label of that field's row reads `text`."""
    for form, field, text in rows:
        label = form.labelForField(field)
        if isinstance(label, QLabel):
            label.setText(text)


class StatusLine(QLabel):
    """One wrapped line of plain text under a form: progress, or (red) what went wrong."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("status")
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)  # a server's words are never markup

    def say(self, text: str, error: bool = False) -> None:
        self.setText(text)
        self.setStyleSheet(ERROR_STYLE if error else "")


class _LanguageChange(QObject):
    def __init__(self, widget: QWidget, retranslate: Callable[[], None]) -> None:
        super().__init__(widget)
        self._retranslate = retranslate
        widget.installEventFilter(self)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.LanguageChange:
            self._retranslate()
        return False


def on_language_change(widget: QWidget, retranslate: Callable[[], None]) -> None:
    """Call `retranslate()` whenever the UI language of `widget` changes."""
    _LanguageChange(widget, retranslate)


__all__ = [
    "StatusLine",
    "chosen_security",
    "on_language_change",
    "password_field",
    "port_box",
    "security_box",
    "set_row_labels",
]
