"""The tray app imports its windows and dialogs when first opened, not at start."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

LAZY = """
import sys
import trayapp.app
lazy = ("trayapp.ui.ack_dialog", "trayapp.ui.first_run", "trayapp.ui.pending_window",
        "trayapp.ui.settings_dialog", "trayapp.commands", "plistlib")
print(sorted(m for m in lazy if m in sys.modules))
"""


def test_windows_dialogs_and_unused_modules_are_not_imported_up_front() -> None:
    """The app imports its windows when first opened (tests/gui/test_app.py opens them), not
    at start: a tray app spends most days with none open (bench/bench_app_memory.py)."""
    done = subprocess.run(
        [sys.executable, "-c", LAZY],
        cwd=REPO,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "[]"


def test_window_icon_stops_at_128_px(qapp: object) -> None:
    from trayapp.app import WINDOW_ICON_MAX_PX, app_icon

    sizes = [s.width() for s in app_icon().availableSizes()]
    assert sizes and max(sizes) == WINDOW_ICON_MAX_PX == 128 and min(sizes) == 16
