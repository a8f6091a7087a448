"""Importing the tray app loads none of its windows and dialogs: they are imported when first
opened (the pending list when the app starts: IppoApp.start, so the first click does not wait
for it); and its process imports Qt without PySide's per-import source scan
(trayapp/memory_tricks.py) unless IPPO_PLAIN_PROCESS=1 says not to."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]


def _probe(code: str, plain: str) -> str:
    """What `code` prints, run in a fresh interpreter with IPPO_PLAIN_PROCESS=`plain`."""
    done = subprocess.run(
        [sys.executable, "-c", code],
        cwd=REPO,
        env={"QT_QPA_PLATFORM": "offscreen", "PATH": "/usr/bin:/bin", "IPPO_PLAIN_PROCESS": plain},
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip()


PROBE = """
import builtins, linecache
import trayapp.app
dropped = builtins.__import__.__name__ != "__feature_import__"
before = len(linecache.cache)
import email.mime.multipart, http.client, xml.dom.minidom  # not imported by the app
kept = len(linecache.cache) - before
from PySide6.QtWidgets import QApplication, QLabel
app = QApplication(["probe"])
assert QLabel("ok").text() == "ok"
print(dropped, kept)
"""


@pytest.mark.parametrize(("plain", "expected"), [("", "True 0"), ("1", "False")])
def test_modules_imported_after_qt_are_not_kept_as_source(plain: str, expected: str) -> None:
    assert _probe(PROBE, plain).startswith(expected)


LAZY = """
import sys
import trayapp.app
lazy = ("trayapp.ui.ack_dialog", "trayapp.ui.first_run", "trayapp.ui.pending_window",
        "trayapp.ui.settings_dialog", "trayapp.commands", "plistlib")
print(sorted(m for m in lazy if m in sys.modules))
"""


def test_windows_dialogs_and_unused_modules_are_not_imported_up_front() -> None:
    """The app imports its dialogs when first opened (tests/gui/test_app.py opens them), not
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


FREEZE = """
import gc, weakref
import trayapp.app  # start-up's modules, Qt among them
from trayapp import memory_tricks
class Node: pass
a, b = Node(), Node()
a.other, b.other = b, a  # start-up garbage in a cycle: collected, not frozen
gone = weakref.ref(a)
del a, b
done = memory_tricks.freeze_start_up_objects()
print(done, gc.get_freeze_count() > 10_000, gone() is None)
"""


@pytest.mark.parametrize(("plain", "expected"), [("", "True True True"), ("1", "False False")])
def test_start_up_objects_are_frozen_out_of_full_collections(plain: str, expected: str) -> None:
    """What start-up made stays out of every later full collection (gc.freeze), the
    garbage it left collected first; IPPO_PLAIN_PROCESS=1 leaves the collector as it is."""
    assert _probe(FREEZE, plain).startswith(expected)
