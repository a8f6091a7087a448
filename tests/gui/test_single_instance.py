"""Single instance across real processes: the second start asks the first to show its list.

Both implementations run here: the AF_UNIX one (Linux/macOS) and Qt's QLocalServer one
(Windows; it works on Linux too), each against itself and against the other (they share the
socket path, so a mixed pair must still find each other)."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import stat
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import pytest
from PySide6.QtCore import QCoreApplication

from trayapp.desktop.single_instance import (
    instance_name,
    is_private_dir,
    runtime_dir,
    socket_path,
)
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


SILENT_LISTENER = """
import socket, sys, time
server = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
server.bind(sys.argv[1])
server.listen(8)
print("ready", flush=True)
held = []
end = time.monotonic() + 30
while time.monotonic() < end:
    server.settimeout(0.2)
    try:
        held.append(server.accept()[0])  # accept, read nothing, answer nothing
    except OSError:
        pass
"""


def _as_nobody() -> list[str]:
    """A command prefix running as user nobody (the tests run as root or with sudo)."""
    prefix = ["setpriv", "--reuid=65534", "--regid=65534", "--clear-groups"]
    return prefix if os.geteuid() == 0 else ["sudo", "-n", *prefix]


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_listener_that_never_answers_cannot_stop_a_start(
    qapp: QCoreApplication, tmp_path: Path, kind: str
) -> None:
    """A hung instance or a squatter that accepts and never answers: after a bounded wait
    the new start takes the socket over (before: "already running", autostart did nothing)."""
    name = instance_name(tmp_path)
    path = socket_path(name)
    squatter = subprocess.Popen(
        [sys.executable, "-c", SILENT_LISTENER, str(path)], stdout=subprocess.PIPE, text=True
    )
    try:
        assert squatter.stdout is not None and squatter.stdout.readline().strip() == "ready"
        guard = KINDS[kind](name)
        assert guard.acquire(timeout_ms=300) is True
        # And the taken-over socket is ours: the next start finds us.
        shown: list[bool] = []
        guard.show_requested.connect(lambda: shown.append(True))
        later = subprocess.Popen(
            [sys.executable, "-c", FIRST_INSTANCE, name, "quit", kind],
            stdout=subprocess.PIPE,
            text=True,
            cwd=Path(__file__).resolve().parents[2],
            env={**os.environ, "QT_QPA_PLATFORM": "offscreen"},
        )
        deadline = time.monotonic() + 20
        while later.poll() is None and time.monotonic() < deadline:
            qapp.processEvents()
            time.sleep(0.01)
        qapp.processEvents()
        assert later.wait(5) == 3 and shown == [True]
        guard.close()
    finally:
        squatter.kill()
        squatter.wait()


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_foreign_file_or_another_users_socket_cannot_stop_a_start(
    qapp: QCoreApplication, tmp_path: Path, kind: str
) -> None:
    name = instance_name(tmp_path)
    path = socket_path(name)
    path.write_text("not a socket")
    guard = KINDS[kind](name)
    assert guard.acquire(timeout_ms=300) is True
    guard.close()
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as foreign:
        foreign.bind(str(path))
        foreign.listen(1)
        os.chown(path, 65534, 65534)  # as if another user had put it there
        guard = KINDS[kind](name)
        assert guard.acquire(timeout_ms=300) is True
        guard.close()


def test_the_socket_lives_in_a_private_runtime_folder(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    runtime = tmp_path / "run"
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    assert runtime_dir() == runtime  # created when missing...
    assert stat.S_IMODE(runtime.stat().st_mode) == 0o700  # ...private
    assert socket_path("ippo-x").parent == runtime
    # No runtime folder: <tmp>/ippo-<uid>, unless someone else got that name first.
    monkeypatch.delenv("XDG_RUNTIME_DIR")
    shared_tmp = tmp_path / "tmp"
    shared_tmp.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(shared_tmp))
    cache = Path(tempfile.mkdtemp(prefix="c", dir="/tmp"))  # short, as AF_UNIX paths must be
    monkeypatch.setenv("XDG_CACHE_HOME", str(cache))
    mine = shared_tmp / f"ippo-{os.getuid()}"
    assert runtime_dir() == mine and is_private_dir(mine)
    mine.rmdir()
    mine.mkdir(mode=0o777)
    os.chmod(mine, 0o777)  # squatted: anyone may write there
    try:
        chosen = runtime_dir()
        assert chosen != mine and is_private_dir(chosen)
        assert chosen.parent == cache
    finally:
        shutil.rmtree(cache)


@pytest.mark.parametrize("kind", list(KINDS))
def test_a_knock_from_another_user_is_refused(
    qapp: QCoreApplication, tmp_path: Path, kind: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Even where the folder's permissions fail (opened up by hand), the peer's user id is
    checked (SO_PEERCRED): another user cannot make the list show or learn we run."""
    # Outside pytest's private tmp_path, so that the other user can reach it at all.
    runtime = Path(tempfile.mkdtemp(prefix="r", dir="/tmp"))
    monkeypatch.setenv("XDG_RUNTIME_DIR", str(runtime))
    name = instance_name(tmp_path)
    guard = KINDS[kind](name)
    assert guard.acquire(timeout_ms=300)
    shown: list[bool] = []
    guard.show_requested.connect(lambda: shown.append(True))
    path = socket_path(name)
    for opened in (runtime, path):
        os.chmod(opened, 0o777)
    knock = (
        "import socket, sys\n"
        "s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)\n"
        "s.settimeout(5)\n"
        "s.connect(sys.argv[1])\n"
        "s.sendall(b'show-list\\n')\n"
        "print(repr(s.recv(16)), flush=True)\n"
    )
    try:
        other = subprocess.Popen(
            # The system's Python: the test's own may sit where that user cannot go.
            [*_as_nobody(), "/usr/bin/python3", "-c", knock, str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            cwd="/",
        )
        deadline = time.monotonic() + 20
        while other.poll() is None and time.monotonic() < deadline:
            qapp.processEvents()
            time.sleep(0.01)
        out, err = other.communicate(timeout=5)
        assert "b'ok\\n'" not in out, err
        assert "Permission denied" not in err  # it really reached the socket
        assert shown == []
    finally:
        guard.close()
        shutil.rmtree(runtime)
