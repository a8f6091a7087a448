"""A private desktop for the GUI tests: Xvfb on a free display, a private D-Bus session bus,
and optionally dunst (a real notification daemon) and trayer (a real XEmbed tray host).

Nothing is shared with the machine's own session or with other test runs: the display is
picked by Xvfb itself (-displayfd) and the bus lives in a temporary directory.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class DesktopSession:
    display: str
    bus_address: str
    base: Path
    processes: list[subprocess.Popen[bytes]] = field(default_factory=list)

    @property
    def env(self) -> dict[str, str]:
        env = dict(os.environ)
        env.update(
            DISPLAY=self.display,
            DBUS_SESSION_BUS_ADDRESS=self.bus_address,
            XDG_RUNTIME_DIR=str(self.base / "runtime"),
            QT_QPA_PLATFORM="xcb",
            HOME=str(self.base / "home"),
        )
        env.pop("WAYLAND_DISPLAY", None)
        return env

    def bus_names(self) -> str:
        result = subprocess.run(
            [
                "gdbus",
                "call",
                "--session",
                "--dest",
                "org.freedesktop.DBus",
                "--object-path",
                "/org/freedesktop/DBus",
                "--method",
                "org.freedesktop.DBus.ListNames",
            ],
            env=self.env,
            capture_output=True,
            text=True,
            timeout=10,
            check=False,
        )
        return result.stdout

    def wait_for_name(self, name: str, timeout: float = 15.0) -> None:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if f"'{name}'" in self.bus_names():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{name} did not appear on the test session bus")

    def start(self, argv: list[str], log: str) -> subprocess.Popen[bytes]:
        out = open(self.base / log, "wb")  # noqa: SIM115 - lives as long as the process
        proc = subprocess.Popen(argv, env=self.env, stdout=out, stderr=subprocess.STDOUT)
        self.processes.append(proc)
        return proc

    def start_dunst(self) -> None:
        config = self.base / "dunstrc"
        config.write_text(
            '[global]\n    font = DejaVu Sans 10\n    geometry = "420x5-10+30"\n'
            "    width = 420\n    origin = top-right\n    offset = 10x30\n"
            "    markup = no\n"
        )
        self.start(["dunst", "-config", str(config)], "dunst.log")
        self.wait_for_name("org.freedesktop.Notifications")

    def start_trayer(self) -> None:
        self.start(
            [
                "trayer",
                "--edge",
                "top",
                "--align",
                "right",
                "--widthtype",
                "pixel",
                "--width",
                "160",
                "--height",
                "28",
                "--tint",
                "0x303030",
                "--transparent",
                "true",
                "--alpha",
                "0",
                "--SetDockType",
                "true",
            ],
            "trayer.log",
        )
        deadline = time.monotonic() + 15
        while time.monotonic() < deadline:
            owner = subprocess.run(
                ["xdotool", "search", "--class", "trayer"],
                env=self.env,
                capture_output=True,
                check=False,
            )
            if owner.stdout.strip():
                return
            time.sleep(0.1)
        raise RuntimeError("trayer did not start")

    def screenshot(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        subprocess.run(
            ["import", "-window", "root", str(path)], env=self.env, check=True, timeout=30
        )


@contextlib.contextmanager
def desktop_session(width: int = 1024, height: int = 640) -> Iterator[DesktopSession]:
    base = Path(tempfile.mkdtemp(prefix="ippo-desktop-"))
    (base / "runtime").mkdir(mode=0o700)
    (base / "home").mkdir()
    processes: list[subprocess.Popen[bytes]] = []
    try:
        read_fd, write_fd = os.pipe()
        xvfb = subprocess.Popen(
            [
                "Xvfb",
                "-displayfd",
                str(write_fd),
                "-screen",
                "0",
                f"{width}x{height}x24",
                "-nolisten",
                "tcp",
            ],
            pass_fds=(write_fd,),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(xvfb)
        os.close(write_fd)
        with os.fdopen(read_fd) as reader:
            number = reader.readline().strip()
        if not number:
            raise RuntimeError("Xvfb did not report a display")
        bus = subprocess.Popen(
            [
                "dbus-daemon",
                "--session",
                "--nofork",
                "--print-address=1",
                f"--address=unix:path={base / 'bus'}",
            ],
            stdout=subprocess.PIPE,
            stderr=subprocess.DEVNULL,
        )
        processes.append(bus)
        assert bus.stdout is not None
        address = bus.stdout.readline().decode().strip()
        session = DesktopSession(f":{number}", address, base, processes)
        yield session
    finally:
        for proc in reversed(processes):
            if proc.poll() is None:
                proc.terminate()
                try:
                    proc.wait(5)
                except subprocess.TimeoutExpired:
                    proc.kill()
                    proc.wait()
        shutil.rmtree(base, ignore_errors=True)
