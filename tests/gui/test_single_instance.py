"""Single instance across real processes: the second start asks the first to show its list.

Both implementations run here: the AF_UNIX one (Linux/macOS) and Qt's QLocalServer one
(Windows; it works on Linux too), each against itself and against the other (they share the
socket path, so a mixed pair must still find each other)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from trayapp.desktop.single_instance import instance_name
from trayapp.ui.single_instance import SingleInstance, UnixSingleInstance
from trayapp.ui.single_instance_qt import QtLocalSingleInstance

pytestmark = pytest.mark.gui

FIRST_INSTANCE = """
import sys
from PySide6.QtCore import QCoreApplication, QTimer
if sys.argv[3] == "qt":
    from trayapp.ui.single_instance_qt import QtLocalSingleInstance as SingleInstance
else:
    from trayapp.ui.single_instance import UnixSingleInstance as SingleInstance
app = QCoreApplication([])
guard = SingleInstance(sys.argv[1])
if not guard.acquire():
    print("not-first", flush=True)
    sys.exit(3)
def shown():
    print("shown", flush=True)
    if sys.argv[2] == "quit":
        QTimer.singleShot(0, app.quit)
guard.show_requested.connect(shown)
print("ready", flush=True)
QTimer.singleShot(20000, app.quit)
app.exec()
"""


Kind = type[UnixSingleInstance] | type[QtLocalSingleInstance]
KINDS: dict[str, Kind] = {"unix": UnixSingleInstance, "qt": QtLocalSingleInstance}
PAIRS = [(a, b) for a in KINDS for b in KINDS]  # (this process, the other process)


def _start_first(name: str, then: str, kind: str) -> subprocess.Popen[str]:
    proc = subprocess.Popen(
        [sys.executable, "-c", FIRST_INSTANCE, name, then, kind],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert proc.stdout is not None
    assert proc.stdout.readline().strip() == "ready"
    return proc


def test_names_are_per_user_and_config_folder(tmp_path: Path) -> None:
    a, b = instance_name(tmp_path / "a"), instance_name(tmp_path / "b")
    assert a != b and a == instance_name(tmp_path / "a" / ".." / "a")
    assert len(a) < 40 and a.startswith("ippo-")


def test_this_platform_uses_the_unix_socket_outside_windows() -> None:
    expected = QtLocalSingleInstance if sys.platform == "win32" else UnixSingleInstance
    assert SingleInstance is expected


def test_the_app_process_does_not_load_qtnetwork() -> None:
    code = "import sys, trayapp.app; print('PySide6.QtNetwork' in sys.modules)"
    done = subprocess.run(
        [sys.executable, "-c", code],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        check=True,
    )
    assert done.stdout.strip() == str(sys.platform == "win32")


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
def test_second_start_asks_the_first_to_show_its_list(
    qapp: QCoreApplication, tmp_path: Path, mine: str, theirs: str
) -> None:
    name = instance_name(tmp_path)
    first = _start_first(name, "quit", theirs)
    SingleInstance = KINDS[mine]
    try:
        second = SingleInstance(name)
        assert second.acquire() is False  # another instance answered: this one exits
        assert first.stdout is not None
        assert first.stdout.readline().strip() == "shown"
        assert first.wait(10) == 0
        # The first one is gone: now we are the first instance.
        third = SingleInstance(name)
        assert third.acquire() is True
        third.close()
    finally:
        first.kill()
        first.wait()


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
def test_a_socket_left_by_a_crash_does_not_block_the_next_start(
    qapp: QCoreApplication, tmp_path: Path, mine: str, theirs: str
) -> None:
    name = instance_name(tmp_path)
    SingleInstance = KINDS[mine]
    crashed = _start_first(name, "stay", theirs)
    crashed.send_signal(signal.SIGKILL)
    crashed.wait()
    fresh = SingleInstance(name)
    assert fresh.acquire() is True
    # And it serves the next start in turn (our event loop answers while the child waits).
    later = subprocess.Popen(
        [sys.executable, "-c", FIRST_INSTANCE, name, "quit", theirs],
        stdout=subprocess.PIPE,
        text=True,
        cwd=Path(__file__).resolve().parents[2],
        env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    shown: list[bool] = []
    fresh.show_requested.connect(lambda: shown.append(True))
    deadline = time.monotonic() + 20
    while later.poll() is None and time.monotonic() < deadline:
        qapp.processEvents()
        time.sleep(0.01)
    qapp.processEvents()
    assert later.stdout is not None
    assert later.stdout.read().strip() == "not-first"
    assert later.wait(5) == 3
    assert shown == [True]
    fresh.close()


@pytest.mark.parametrize(("mine", "theirs"), PAIRS)
def test_a_busy_first_instance_keeps_its_socket(
    qapp: QCoreApplication, tmp_path: Path, mine: str, theirs: str
) -> None:
    """A first instance whose event loop is blocked for a moment does not answer; the second
    start must then exit rather than take over the socket and run twice."""
    name = instance_name(tmp_path)
    SingleInstance = KINDS[mine]
    first = SingleInstance(name)
    assert first.acquire()
    try:
        # We do not pump our event loop: to the knocking process we look busy.
        knock = subprocess.run(
            [sys.executable, "-c", FIRST_INSTANCE, name, "quit", theirs],
            capture_output=True,
            text=True,
            timeout=30,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
            check=False,
        )
        assert knock.stdout.strip() == "not-first"
        assert SingleInstance(name).ask_running_instance(timeout_ms=50) is False
        qapp.processEvents()
    finally:
        first.close()
