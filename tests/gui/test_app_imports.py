"""The tray app's process imports Qt without PySide's per-import source scan (a memory cost
measured by bench/bench_app_memory.py), and Qt still works after it."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

PROBE = """
import builtins, linecache
import trayapp.app
assert builtins.__import__.__name__ != "__feature_import__", builtins.__import__
before = len(linecache.cache)
import email.mime.multipart, http.client, xml.dom.minidom  # not imported by the app
assert len(linecache.cache) == before, sorted(linecache.cache)[-5:]
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(["probe"])
label = QLabel("ok")
assert label.text() == "ok"
print("ok")
"""


def test_modules_imported_after_qt_are_not_kept_as_source() -> None:
    done = subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=REPO,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin"},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "ok"
