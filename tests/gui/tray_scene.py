"""Run as a script under a real X display with a tray host: shows the tray badge, the pending
list and a tray message, prints what the platform reported, then waits to be screenshotted.

    python -m tests.gui.tray_scene LANG  (prints 'tray-available=…', 'shown', then sleeps)
"""

from __future__ import annotations

import sys
from datetime import UTC, datetime

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from trayapp.core.model import AccountHealth, HealthState
from trayapp.core.summary import summarize
from trayapp.ui.i18n import LanguageSwitcher
from trayapp.ui.pending_window import PendingWindow
from trayapp.ui.tray import TrayController

from .helpers import sample_items


def main() -> int:
    language = sys.argv[1] if len(sys.argv) > 1 else "en"
    app = QApplication(sys.argv[:1])
    app.setQuitOnLastWindowClosed(False)
    LanguageSwitcher(app).apply(language)
    now = datetime.now(UTC)
    items = sample_items(now)
    health = {
        "shop": AccountHealth(HealthState.CONNECTED),
        "support": AccountHealth(HealthState.CONNECTED),
    }
    tray = TrayController(dark_panel=True)
    tray.set_summary(summarize(items, health, now))
    tray.show()
    window = PendingWindow(clock=lambda: datetime.now(UTC))
    window.set_items(items)
    window.set_health(health)

    def show() -> None:
        print(f"tray-available={TrayController.isSystemTrayAvailable()}", flush=True)
        print(f"tray-visible={tray.isVisible()}", flush=True)
        window.show_near(tray.geometry())
        QTimer.singleShot(800, lambda: print("shown", flush=True))

    QTimer.singleShot(1500, show)
    QTimer.singleShot(60_000, app.quit)
    return app.exec()


if __name__ == "__main__":
    sys.exit(main())
