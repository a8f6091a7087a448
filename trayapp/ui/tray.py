"""The tray icon. Thin: it shows a Summary (badge + tooltip) and turns clicks and menu
choices into signals. No counting, no painting beyond calling render_badge, no I/O."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import QObject, QRect, Qt, Signal
from PySide6.QtGui import QAction, QGuiApplication, QIcon, QPixmap
from PySide6.QtWidgets import QMenu, QSystemTrayIcon

from trayapp.core.summary import BadgeSpec, Summary
from trayapp.ui.badge import render_badge
from trayapp.ui.i18n import defang, describe_health, tooltip_texts

ICON_SIZES = (16, 22, 24, 32, 48, 64)


def panel_is_dark() -> bool:
    """Best guess for the panel behind the icon: most panels are dark unless the desktop
    says it uses a light scheme."""
    scheme = QGuiApplication.styleHints().colorScheme()
    return scheme != Qt.ColorScheme.Light


def badge_icon(spec: BadgeSpec, dark_panel: bool) -> QIcon:
    icon = QIcon()
    for size in ICON_SIZES:
        icon.addPixmap(QPixmap.fromImage(render_badge(spec, size, dark_panel)))
    return icon


class TrayController(QSystemTrayIcon):
    """Signals: open_list_requested(QRect icon geometry), add_inbox_requested,
    settings_requested, start_at_login_changed(bool), quit_requested, fix_requested(account
    name: one click from "not watched" to the fix)."""

    open_list_requested = Signal(QRect)
    add_inbox_requested = Signal()
    settings_requested = Signal()
    record_requested = Signal()
    start_at_login_changed = Signal(bool)
    quit_requested = Signal()
    fix_requested = Signal(str)

    def __init__(self, dark_panel: bool | None = None, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._dark_panel = panel_is_dark() if dark_panel is None else dark_panel
        self._badge: BadgeSpec | None = None
        self._summary: Summary | None = None
        self._menu = QMenu()
        self._open_action = QAction(self._menu)
        self._record_action = QAction(self._menu)
        self._record_line: Callable[[], str] | None = None  # this week's record, in words
        self._add_action = QAction(self._menu)
        self._settings_action = QAction(self._menu)
        self._autostart_action = QAction(self._menu)
        self._autostart_action.setCheckable(True)
        self._quit_action = QAction(self._menu)
        self._menu.addAction(self._open_action)
        self._fix_actions: list[QAction] = []
        self._fix_anchor = self._menu.addSeparator()
        self._menu.addAction(self._add_action)
        self._menu.addAction(self._settings_action)
        self._menu.addAction(self._autostart_action)
        self._menu.addSeparator()
        self._menu.addAction(self._record_action)
        self._menu.addSeparator()
        self._menu.addAction(self._quit_action)
        self.setContextMenu(self._menu)

        self._open_action.triggered.connect(self._emit_open)
        self._add_action.triggered.connect(self.add_inbox_requested)
        self._settings_action.triggered.connect(self.settings_requested)
        self._record_action.triggered.connect(self.record_requested)
        self._autostart_action.toggled.connect(self.start_at_login_changed)
        self._quit_action.triggered.connect(self.quit_requested)
        self.activated.connect(self._on_activated)
        self.retranslate()
        self.set_badge(BadgeSpec("", "empty"))

    # -------------------------------------------------------------- state in

    def set_summary(self, summary: Summary) -> None:
        self._summary = summary
        self.set_badge(summary.badge)
        self.setToolTip(self._tooltip(summary))
        self._set_fix_actions([name for name, _health in summary.not_covered])

    def _set_fix_actions(self, names: list[str]) -> None:
        """A "Fix …" entry per inbox that is not watched (connecting ones too: one click
        retries at once)."""
        if [a.data() for a in self._fix_actions] == names:
            return
        for action in self._fix_actions:
            self._menu.removeAction(action)
            action.deleteLater()
        self._fix_actions = []
        for name in names:
            action = QAction(self.tr("Fix “%1”…").replace("%1", name), self._menu)
            action.setData(name)
            action.triggered.connect(lambda _checked=False, n=name: self.fix_requested.emit(n))
            self._menu.insertAction(self._fix_anchor, action)
            self._fix_actions.append(action)

    def set_badge(self, spec: BadgeSpec) -> None:
        if spec != self._badge:  # the icon changes rarely; re-rendering it is not free
            self._badge = spec
            self.setIcon(badge_icon(spec, self._dark_panel))

    def set_dark_panel(self, dark: bool) -> None:
        if dark != self._dark_panel:
            self._dark_panel = dark
            spec, self._badge = self._badge, None
            if spec is not None:
                self.set_badge(spec)

    def set_start_at_login(self, enabled: bool) -> None:
        """Reflect the setting without emitting start_at_login_changed."""
        blocked = self._autostart_action.blockSignals(True)
        self._autostart_action.setChecked(enabled)
        self._autostart_action.blockSignals(blocked)

    def current_badge(self) -> BadgeSpec | None:
        return self._badge

    def menu_actions(self) -> list[QAction]:
        return [a for a in self._menu.actions() if not a.isSeparator()]

    # -------------------------------------------------------------- notifications

    def show_notification(self, title: str, message: str) -> None:
        """The notifier's last fallback: the tray's own balloon. Raises when it cannot show."""
        if not self.isVisible() or not self.supportsMessages():
            raise RuntimeError("the tray icon cannot show messages here")
        self.showMessage(title, message, self.icon(), 15_000)

    # -------------------------------------------------------------- text

    def retranslate(self) -> None:
        self._open_action.setText(self.tr("Open list"))
        self._record_action.setText(self.tr("Record…"))
        self._add_action.setText(self.tr("Add inbox…"))
        self._settings_action.setText(self.tr("Settings…"))
        self._autostart_action.setText(self.tr("Start at login"))
        self._quit_action.setText(self.tr("Quit Ippo"))
        for action in self._fix_actions:
            action.setText(self.tr("Fix “%1”…").replace("%1", str(action.data())))
        if self._summary is not None:
            self.setToolTip(self._tooltip(self._summary))

    def _tooltip(self, summary: Summary) -> str:
        lines = [defang(line) for line in summary.tooltip_lines(tooltip_texts(), describe_health)]
        record = self._record_line() if self._record_line is not None else ""
        if record:
            lines.append(defang(record))
        return "\n".join(["Ippo", *lines])

    def set_record_line(self, line: Callable[[], str]) -> None:
        """This week's record in words, in the current language (ui/record_controller.py):
        the tooltip's last line."""
        self._record_line = line
        if self._summary is not None:
            self.setToolTip(self._tooltip(self._summary))

    # -------------------------------------------------------------- clicks

    def _emit_open(self) -> None:
        self.open_list_requested.emit(self.geometry())

    def _on_activated(self, reason: QSystemTrayIcon.ActivationReason) -> None:
        if reason in (
            QSystemTrayIcon.ActivationReason.Trigger,
            QSystemTrayIcon.ActivationReason.DoubleClick,
        ):
            self._emit_open()
