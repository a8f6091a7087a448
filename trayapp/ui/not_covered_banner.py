"""The red banner over the list: each inbox that is not watched, why (a plain sentence), and
one button that fixes it -- the same fix as the tray menu's "Fix “inbox”…" and the failure
notification (IppoApp.fix_account: a new password, signing in again, a retry now, or the
settings at that inbox)."""

from __future__ import annotations

import functools
from collections.abc import Mapping

from PySide6.QtCore import QEvent, Qt, Signal
from PySide6.QtWidgets import QFrame, QGridLayout, QLabel, QPushButton, QWidget

from trayapp.core.failures import explain_failure
from trayapp.core.model import AccountHealth, HealthState
from trayapp.ui.i18n import describe_health, ui_language


class NotCoveredBanner(QFrame):
    """`set_health` rebuilds the rows; `fix_requested(account)` when a Fix button is pressed."""

    fix_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("notCoveredBanner")
        self.setStyleSheet(
            "#notCoveredBanner { background: #B71C1C; border-radius: 4px; }"
            " #notCoveredBanner QLabel { color: white; font-weight: bold; }"
        )
        self._grid = QGridLayout(self)
        self._grid.setContentsMargins(8, 6, 6, 6)
        self._grid.setColumnStretch(0, 1)
        self._health: dict[str, AccountHealth] = {}
        self.labels: dict[str, QLabel] = {}
        self.fix_buttons: dict[str, QPushButton] = {}
        self.hide()

    def set_health(self, health: Mapping[str, AccountHealth]) -> None:
        self._health = dict(health)
        self._rebuild()

    def text(self) -> str:
        """What the banner says, one line per inbox (tests and screen readers)."""
        return "\n".join(self.labels[name].text() for name in sorted(self.labels))

    def _rebuild(self) -> None:
        while self._grid.count():
            taken = self._grid.takeAt(0)
            widget = taken.widget() if taken is not None else None
            if widget is not None:
                widget.deleteLater()
        self.labels.clear()
        self.fix_buttons.clear()
        broken = [(n, h) for n, h in sorted(self._health.items()) if not h.covered]
        for number, (name, health) in enumerate(broken):
            label = QLabel(
                self.tr("Not covered: %1 — %2")
                .replace("%1", name)
                .replace("%2", describe_health(health))
            )
            label.setTextFormat(Qt.TextFormat.PlainText)  # the reason may carry server text
            label.setWordWrap(True)
            self._grid.addWidget(label, number, 0)
            self.labels[name] = label
            text = self._fix_text(health)
            if text:
                button = QPushButton(text)
                button.setObjectName("fixAccount")
                button.clicked.connect(functools.partial(self.fix_requested.emit, name))
                self._grid.addWidget(button, number, 1, Qt.AlignmentFlag.AlignVCenter)
                self.fix_buttons[name] = button
        self.setVisible(bool(broken))

    def _fix_text(self, health: AccountHealth) -> str:
        """The button names what the fix does; none while merely connecting (nothing to fix)."""
        if health.state is HealthState.CONNECTING:
            return ""
        fix = explain_failure(health.reason, ui_language()).fix if health.reason else "wait"
        if fix == "password":
            return self.tr("Enter password…")
        if fix == "signin":
            return self.tr("Sign in again…")
        if fix == "wait":
            return self.tr("Try again now")
        return self.tr("Fix…")  # server settings (or anything else): the settings open there

    def changeEvent(self, event: QEvent) -> None:
        if event.type() == QEvent.Type.LanguageChange:
            self._rebuild()
        super().changeEvent(event)


__all__ = ["NotCoveredBanner"]
