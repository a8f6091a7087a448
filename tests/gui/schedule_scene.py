"""Run as a script under a real X display with a tray host: the settings dialog with a working-
hours schedule, the away dialog, and the tray in the away state with its menu open; prints
'shown' and waits to be screenshotted.

    python -m tests.gui.schedule_scene LANG
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime, timedelta

from PySide6.QtCore import QPoint, QTimer
from PySide6.QtWidgets import QApplication

from trayapp.clock import now as clock_now
from trayapp.core.model import AccountConfig, AccountHealth, HealthState
from trayapp.core.summary import summarize
from trayapp.ui.away import AwayDialog
from trayapp.ui.i18n import LanguageSwitcher
from trayapp.ui.settings_dialog import SettingsDialog
from trayapp.ui.tray import TrayController

from .helpers import sample_items

ACCOUNTS = [
    AccountConfig(
        "shop",
        "shop@example.jp",
        "imap.example.jp",
        window_hours=9,
        timezone="Asia/Tokyo",
        working_hours="mon-fri 09:00-12:00,13:00-18:00; sat 10:00-14:00",
        holidays="jp",
        days_off=("2026-12-29..2027-01-03", "2027-05-06"),
    ),
    AccountConfig("support", "support@example.jp", "imap.example.jp"),
]


def main() -> int:
    language = sys.argv[1] if len(sys.argv) > 1 else "en"
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    LanguageSwitcher(app).apply(language)
    now = datetime.now(UTC)
    away_until = (clock_now() + timedelta(days=3)).replace(hour=9, minute=0, second=0)
    tray = TrayController(dark_panel=True)
    health = {"shop": AccountHealth(HealthState.CONNECTED)}
    tray.set_summary(summarize(sample_items(now), health, now, away_until=away_until))
    tray.show()
    settings = SettingsDialog(ACCOUNTS, language=language)
    settings.account_tabs.setCurrentWidget(settings.schedule)  # the working-hours tab
    settings.move(20, 40)
    away = AwayDialog(clock_now(), away_until)
    away.move(560, 60)

    def show() -> None:
        settings.show()
        away.show()
        # The tray menu in the away state, and the tooltip text for the log.
        menu = tray.contextMenu()
        menu.popup(QPoint(600, 420))
        print(f"tooltip={tray.toolTip()!r}", flush=True)
        print(f"preview={settings.schedule.preview.text()!r}", flush=True)
        print(f"settings_height={settings.height()}", flush=True)
        QTimer.singleShot(800, lambda: print("shown", flush=True))

    QTimer.singleShot(1500, show)
    QTimer.singleShot(60_000, app.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
