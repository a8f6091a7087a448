"""A whole private desktop for the GUI and end-to-end tests (the one helper for both): Xvfb
on a free display, a private D-Bus session bus (with the real gnome-keyring on it, from
keyring_session.py), trayer as the XEmbed tray host and dunst as the notification daemon,
with every Notify call on the bus recorded by dbus-monitor.

Loaded as a pytest plugin (tests/conftest.py). Nothing is shared with the machine's session
or with other runs: Xvfb picks its own display (-displayfd), the bus and HOME/XDG_* live in a
fresh temporary folder, and the bus activates no services (so nothing starts behind our back).

    with start_desktop() as desk:                  # or the `desktop` fixture
        app = desk.start([sys.executable, "-m", "trayapp", "--config-dir", d], "app.log")
        desk.wait_for_tray_icon("ippo")
        desk.notifications.wait_for(1)
        desk.screenshot(path)

Every part is optional: start_desktop(keyring="absent", tray=False, notifications=False) is a
bare Xvfb + bus; desk.start_trayer() / desk.start_dunst() add the parts later, and
desk.make_activatable(service_file) lets the bus activate a service (which then runs without a
display, i.e. fails to start).
"""

from __future__ import annotations

import contextlib
import os
import re
import signal
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import pytest

from tests.support.keyring_session import KeyringSession, Mode, start_keyring_session

_START_TIMEOUT = 45.0
T = TypeVar("T")

DUNSTRC = """\
[global]
    font = Noto Sans CJK JP 11
    width = 460
    height = 200
    origin = top-right
    offset = 12x40
    markup = no
    format = "<b>%s</b>\\n%b"
    frame_width = 2
    frame_color = "#5B8DEF"
    padding = 10
    horizontal_padding = 12
    icon_position = left
    max_icon_size = 48
    word_wrap = yes
[urgency_low]
    background = "#202124"
    foreground = "#ffffff"
    timeout = 60
[urgency_normal]
    background = "#202124"
    foreground = "#ffffff"
    timeout = 60
[urgency_critical]
    background = "#202124"
    foreground = "#ffffff"
    timeout = 60
"""


class NotifyCalls:
    """Every org.freedesktop.Notifications.Notify method call on the bus, as dbus-monitor
    prints it (the arguments -- app name, replaces_id, icon, summary, body, actions, hints --
    each on its own line). `closes()` and `replies()` read the rest of the traffic: the
    monitor records every method call, reply and signal of the Notifications interface."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def text(self) -> str:
        try:
            return self.path.read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def calls(self) -> list[str]:
        """One block of text per Notify call."""
        return [
            b
            for b in self.blocks()
            if b.startswith("method call") and "member=Notify" in b.splitlines()[0]
        ]

    def count(self) -> int:
        return len(self.calls())

    def blocks(self) -> list[str]:
        """Every message dbus-monitor printed, one block of text each."""
        parts = re.split(r"(?m)^(?=(?:method call|method return|signal|error) )", self.text())
        return [p for p in parts if p.strip()]

    def closes(self) -> list[int]:
        """The ids passed to CloseNotification, in order."""
        found = []
        for block in self.blocks():
            if block.startswith("method call") and "member=CloseNotification" in block:
                match = re.search(r"uint32 (\d+)", block)
                if match:
                    found.append(int(match.group(1)))
        return found

    def closed_signals(self) -> list[tuple[int, int]]:
        """(id, reason) of each NotificationClosed signal, in order. Reasons: 1 expired,
        2 dismissed by the user, 3 closed by a CloseNotification call, 4 other."""
        found = []
        for block in self.blocks():
            head = block.splitlines()[0]
            if block.startswith("signal") and "member=NotificationClosed" in head:
                values = re.findall(r"uint32 (\d+)", block)
                if len(values) >= 2:
                    found.append((int(values[0]), int(values[1])))
        return found

    def notify_ids(self) -> list[int]:
        """The ids the server returned for the Notify calls, in order (the uint32 of each
        method return answering a Notify call's serial)."""
        serials: dict[str, int] = {}
        ids = []
        for block in self.blocks():
            head = block.splitlines()[0]
            if block.startswith("method call") and "member=Notify" in head:
                sender = re.search(r"sender=(\S+)", head)
                serial = re.search(r"serial=(\d+)", head)
                if sender and serial:
                    serials[f"{sender.group(1)}/{serial.group(1)}"] = len(serials)
            elif block.startswith("method return"):
                dest = re.search(r"destination=(\S+)", head)
                reply = re.search(r"reply_serial=(\d+)", head)
                value = re.search(r"uint32 (\d+)", block)
                if dest and reply and value and f"{dest.group(1)}/{reply.group(1)}" in serials:
                    ids.append(int(value.group(1)))
        return ids

    def wait_for(self, count: int, timeout: float = 30.0) -> list[str]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            calls = self.calls()
            if len(calls) >= count:
                return calls
            time.sleep(0.1)
        raise AssertionError(f"expected {count} Notify call(s) within {timeout}s:\n{self.text()}")


@dataclass
class Desktop:
    base: Path
    display: str
    bus: KeyringSession
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)
    notifications: NotifyCalls | None = None
    trayer_panel: str | None = None
    _logs: dict[int, str] = field(default_factory=dict)  # pid -> log file name

    # ---- environment

    def env(self, **extra: str) -> dict[str, str]:
        """os.environ pointed at this desktop: display, bus, HOME and XDG dirs, X11 Qt."""
        settings = {
            "DISPLAY": self.display,
            "QT_QPA_PLATFORM": "xcb",
            "LANG": os.environ.get("LANG", "C.UTF-8"),
            "PYTHONUNBUFFERED": "1",
        }
        env = self.bus.subprocess_env(**{**settings, **extra})
        env.pop("WAYLAND_DISPLAY", None)
        env.pop("QT_QPA_PLATFORMTHEME", None)
        return env

    @property
    def bus_address(self) -> str:
        return self.bus.bus_address

    def start(
        self,
        argv: list[str],
        log: str,
        *,
        env: dict[str, str] | None = None,
        cwd: Path | None = None,
    ) -> subprocess.Popen[bytes]:
        out = (self.base / log).open("ab")
        try:
            proc = subprocess.Popen(
                argv,
                env=env or self.env(),
                cwd=cwd,
                stdin=subprocess.DEVNULL,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        finally:
            out.close()  # the child holds its own copy
        self.processes.append(proc)
        self._logs[proc.pid] = log
        return proc

    def describe_processes(self, lines: int = 30) -> str:
        """Each started program's exit status and the end of its log (for failure messages)."""
        parts = []
        for proc in self.processes:
            log = self._logs.get(proc.pid, "")
            tail = "\n".join(self.log(log).splitlines()[-lines:]) if log else ""
            parts.append(f"--- pid {proc.pid} {proc.args!r} exit={proc.poll()} log={log}\n{tail}")
        return "\n".join(parts)

    def log(self, name: str) -> str:
        try:
            return (self.base / name).read_text(encoding="utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def x(self, *argv: str, timeout: float = 10.0) -> str:
        """Run an X11 tool (xwininfo, xprop, xdotool) on this display; its stdout."""
        result = subprocess.run(
            list(argv), env=self.env(), capture_output=True, text=True, timeout=timeout, check=False
        )
        return result.stdout

    # ---- parts

    def start_dunst(self, dunstrc: str = DUNSTRC) -> NotifyCalls:
        config = self.base / "dunstrc"
        config.write_text(dunstrc, encoding="utf-8")
        self.start(["dunst", "-config", str(config)], "dunst.log")
        self._wait_for_name("org.freedesktop.Notifications")
        monitor_log = "notify-calls.txt"
        self.start(
            [
                "dbus-monitor",
                "--address",
                self.bus_address,
                "type='method_call',interface='org.freedesktop.Notifications'",
                "type='signal',interface='org.freedesktop.Notifications'",
                # Replies carry no interface: every reply (the Notify ids among them).
                "type='method_return'",
            ],
            monitor_log,
        )
        self.notifications = NotifyCalls(self.base / monitor_log)
        # dbus-monitor prints a NameAcquired/NameLost pair once it is a monitor.
        _wait(lambda: "NameLost" in self.log(monitor_log), "dbus-monitor did not attach")
        return self.notifications

    def wait_for_display(self) -> None:
        """Until an X client can open the display. Xvfb reports its number once it listens,
        yet trayer once exited with "cannot open display" right after (the server running,
        its log empty): every later part starts only after a client got in."""

        said = ""  # what xdpyinfo said last, for the error

        def answers() -> bool:
            nonlocal said
            probe = subprocess.run(
                ["xdpyinfo", "-display", self.display],
                env=self.env(), capture_output=True, text=True, timeout=10, check=False,
            )  # fmt: skip
            said = probe.stderr.strip()
            return probe.returncode == 0

        try:
            _wait(answers, f"display {self.display} never answered")
        except RuntimeError as error:
            try:  # which X servers listen (ss is iproute2's: not on every machine)
                sockets = subprocess.run(
                    ["ss", "-xlp"], capture_output=True, text=True, timeout=10, check=False
                ).stdout
            except OSError as missing:
                sockets = f"X11-unix: ss not run ({missing})"
            x11 = "\n".join(line for line in sockets.splitlines() if "X11-unix" in line)
            raise RuntimeError(f"{error}: xdpyinfo said {said!r}; X sockets:\n{x11}") from error

    def start_trayer(self) -> str:
        trayer = self.start(
            [
                "trayer",
                "--edge", "top",
                "--align", "right",
                "--widthtype", "request",
                "--height", "32",
                "--SetDockType", "true",
                "--transparent", "false",
                "--tint", "0x2b2b2b",
            ],
            "trayer.log",
        )  # fmt: skip

        def panel() -> str | None:
            for line in self.x("xwininfo", "-root", "-tree").splitlines():
                if '("panel" "trayer")' in line:
                    return line.split()[0]
            return None

        def panel_or_exit() -> str | None:
            if trayer.poll() is not None:
                raise RuntimeError(f"trayer exited ({trayer.returncode}): {self.log('trayer.log')}")
            return panel()

        self.trayer_panel = _wait(panel_or_exit, "trayer did not start")
        # The panel window comes before trayer owns the tray selection; an app started in
        # between finds no tray. Wait for the owner, as a tray client would see it.
        _wait(lambda: _tray_selection_owned(self.display), "trayer owns no tray selection")
        return self.trayer_panel

    def make_activatable(self, service_file: Path) -> None:
        """Let the bus activate a D-Bus service (e.g. Debian's dunst .service file). The bus
        starts it in the bus's own environment, which has no DISPLAY: a graphical daemon
        activated this way fails to start, like a broken install."""
        target = self.bus.base / "dbus-services" / service_file.name
        target.write_text(service_file.read_text(encoding="utf-8"), encoding="utf-8")
        subprocess.run(
            ["dbus-send", "--bus=" + self.bus_address, "--print-reply",
             "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
             "org.freedesktop.DBus.ReloadConfig"],
            capture_output=True, text=True, timeout=5, check=True,
        )  # fmt: skip

    def _wait_for_name(self, name: str) -> None:
        def owned() -> bool:
            result = subprocess.run(
                ["dbus-send", "--bus=" + self.bus_address, "--print-reply",
                 "--dest=org.freedesktop.DBus", "/org/freedesktop/DBus",
                 "org.freedesktop.DBus.NameHasOwner", f"string:{name}"],
                capture_output=True, text=True, timeout=5, check=False,
            )  # fmt: skip
            return "boolean true" in result.stdout

        _wait(owned, f"{name} did not appear on the bus")

    # ---- looking at it

    def tray_icons(self) -> str:
        """xwininfo's tree under trayer's panel: every embedded icon window with its class."""
        assert self.trayer_panel is not None, "start_trayer() first"
        return self.x("xwininfo", "-tree", "-id", self.trayer_panel)

    def wait_for_tray_icon(self, wm_instance: str, timeout: float = 30.0) -> str:
        """The window id of an icon of `wm_instance` embedded in trayer."""
        pattern = re.compile(rf'^\s*(0x[0-9a-f]+) .*\("{re.escape(wm_instance)}" ', re.I | re.M)

        def found() -> str | None:
            match = pattern.search(self.tray_icons())
            return match.group(1) if match else None

        try:
            return _wait(found, f"no tray icon of {wm_instance!r} in trayer", timeout)
        except RuntimeError as error:
            raise RuntimeError(f"{error}\n{self.describe_processes()}") from None

    def windows(self, name: str) -> list[str]:
        """Ids of visible top-level windows whose title matches `name` (a regex)."""
        return self.x("xdotool", "search", "--onlyvisible", "--name", name).split()

    def wait_for_window(self, name: str, timeout: float = 20.0) -> str:
        def first() -> str | None:
            found = self.windows(name)
            return found[0] if found else None

        return _wait(first, f"no window {name!r}", timeout)

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["import", "-window", "root", str(path)], env=self.env(), check=True, timeout=30
        )
        return path


def _tray_selection_owned(display: str) -> bool:
    """Whether some window owns _NET_SYSTEM_TRAY_S0 on `display` (libX11 through ctypes)."""
    import ctypes
    import ctypes.util

    xlib = ctypes.CDLL(ctypes.util.find_library("X11") or "libX11.so.6")
    xlib.XOpenDisplay.restype = ctypes.c_void_p
    xlib.XOpenDisplay.argtypes = [ctypes.c_char_p]
    xlib.XInternAtom.restype = ctypes.c_ulong
    xlib.XInternAtom.argtypes = [ctypes.c_void_p, ctypes.c_char_p, ctypes.c_int]
    xlib.XGetSelectionOwner.restype = ctypes.c_ulong
    xlib.XGetSelectionOwner.argtypes = [ctypes.c_void_p, ctypes.c_ulong]
    xlib.XCloseDisplay.argtypes = [ctypes.c_void_p]
    handle = xlib.XOpenDisplay(display.encode())
    if not handle:
        return False
    try:
        atom = xlib.XInternAtom(handle, b"_NET_SYSTEM_TRAY_S0", 0)
        return bool(xlib.XGetSelectionOwner(handle, atom))
    finally:
        xlib.XCloseDisplay(handle)


def _wait(check: Callable[[], T | None], message: str, timeout: float = _START_TIMEOUT) -> T:
    deadline = time.monotonic() + timeout
    while True:
        value = check()
        if value:
            return value
        if time.monotonic() > deadline:
            raise RuntimeError(message)
        time.sleep(0.1)


def _stop(proc: subprocess.Popen[bytes]) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGTERM)
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=5)


@contextlib.contextmanager
def start_desktop(
    *,
    keyring: Mode = "unlocked",
    tray: bool = True,
    notifications: bool = True,
    width: int = 1280,
    height: int = 800,
) -> Iterator[Desktop]:
    """Xvfb + a private bus (+ gnome-keyring unless keyring='absent') [+ trayer] [+ dunst]."""
    with start_keyring_session(keyring) as bus:
        base = bus.base / "desktop"
        base.mkdir()
        read_fd, write_fd = os.pipe()
        xvfb_log = base / "xvfb.log"
        with xvfb_log.open("wb") as log:
            xvfb = subprocess.Popen(
                ["Xvfb", "-displayfd", str(write_fd), "-screen", "0", f"{width}x{height}x24",
                 "-nolisten", "tcp", "-dpi", "96"],
                pass_fds=(write_fd,), stdout=subprocess.DEVNULL, stderr=log,
            )  # fmt: skip
        os.close(write_fd)
        desk: Desktop | None = None
        try:
            with os.fdopen(read_fd) as reader:
                number = reader.readline().strip()
            if not number:
                raise RuntimeError("Xvfb did not report a display")
            desk = Desktop(base=base, display=f":{number}", bus=bus)
            desk.wait_for_display()
            if tray:
                try:
                    desk.start_trayer()
                except RuntimeError as error:
                    # Say how the X server was then (once trayer could not open its display
                    # right after Xvfb announced it; the cause was not recorded).
                    state = "running" if xvfb.poll() is None else f"exited ({xvfb.returncode})"
                    tail = xvfb_log.read_text(errors="replace")[-2000:]
                    raise RuntimeError(
                        f"{error}\nXvfb :{number} {state}; its log:\n{tail}"
                    ) from error
            if notifications:
                desk.start_dunst()
            yield desk
        finally:
            for proc in reversed(desk.processes if desk else []):
                _stop(proc)
            _stop(xvfb)


@pytest.fixture
def desktop() -> Iterator[Desktop]:
    """A private desktop with an unlocked keyring, trayer and dunst (Notify calls recorded)."""
    with start_desktop() as desk:
        yield desk


@pytest.fixture
def bare_desktop() -> Iterator[Desktop]:
    """Xvfb and a bus with no keyring, no tray host and no notification daemon."""
    with start_desktop(keyring="absent", tray=False, notifications=False) as desk:
        yield desk
