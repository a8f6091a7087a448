"""Start at login, one backend per OS: an XDG autostart entry (Linux and other freedesktop
systems), the HKCU Run key (Windows) or a per-user LaunchAgent (macOS).

No Qt here: settings and first run call `autostart_for_platform().enable(launch_command())`.
Every backend takes its location through the constructor so tests write to tmp dirs.
"""

from __future__ import annotations

import os
import subprocess
import sys
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, ClassVar, Literal

from trayapp.core.said import Said, SaidError
from trayapp.disk import disk_problem

# One reverse-DNS id for the desktop file, AppStream, the macOS bundle and the LaunchAgent.
APP_ID = "io.github.ippo.Ippo"
APP_NAME = "Ippo"
# HKCU\...\Run value name: what Task Manager's "Startup apps" shows.
WINDOWS_RUN_KEY = r"Software\Microsoft\Windows\CurrentVersion\Run"
WINDOWS_RUN_VALUE = APP_NAME


class AutostartError(SaidError, RuntimeError):
    """The login entry could not be written or removed: a sentence for the user, in English
    (str) or their language (text(catalog)); what the OS said goes to it as a plain phrase."""

    # (what was done, whether the entry is a file) -> the sentence (trayapp/cli_ja.py has them)
    SAID: ClassVar[Mapping[tuple[str, bool], str]] = {
        ("write", True): "cannot write the login entry {path}: {problem}",
        ("write", False): "cannot write the login entry: {problem}",
        ("remove", True): "cannot remove the login entry {path}: {problem}",
        ("remove", False): "cannot remove the login entry: {problem}",
    }

    @classmethod
    def of(
        cls, doing: Literal["write", "remove"], error: OSError, path: Path | None = None
    ) -> AutostartError:
        problem = Said(disk_problem(error))
        return cls(Said(cls.SAID[doing, path is not None], path=path, problem=problem))


class Autostart(ABC):
    """Whether Ippo starts when the user logs in."""

    @abstractmethod
    def is_enabled(self) -> bool: ...

    @abstractmethod
    def enable(self, command: Sequence[str]) -> None:
        """Start `command` (argv, first item an absolute program path) at every login."""

    @abstractmethod
    def disable(self) -> None:
        """Remove the entry; no error when there is none."""


def launch_command(
    extra_args: Sequence[str] = (),
    *,
    executable: str | None = None,
    frozen: bool | None = None,
    platform: str | None = None,
) -> list[str]:
    """The argv that starts this same installation of Ippo again.

    Frozen bundle (PyInstaller): the bundle's own executable. pip install: the `ippo`
    script of this interpreter's environment when it is there (what the user would type),
    else `python -m trayapp`; on Windows `pythonw.exe` so no console window opens at login.
    """
    executable = executable if executable is not None else sys.executable
    frozen = frozen if frozen is not None else bool(getattr(sys, "frozen", False))
    platform = platform if platform is not None else sys.platform
    if frozen:
        return [executable, *extra_args]
    bin_dir = Path(executable).parent
    if platform == "win32":
        pythonw = bin_dir / "pythonw.exe"
        runner = str(pythonw) if pythonw.exists() else executable
        return [runner, "-m", "trayapp", *extra_args]
    script = bin_dir / "ippo"
    if script.is_file() and os.access(script, os.X_OK):
        return [str(script), *extra_args]
    return [executable, "-m", "trayapp", *extra_args]


# --- Linux / freedesktop -------------------------------------------------------------------


def _xdg_config_home() -> Path:
    configured = os.environ.get("XDG_CONFIG_HOME", "")
    # The spec says a relative value is invalid and must be ignored.
    if configured and os.path.isabs(configured):
        return Path(configured)
    return Path.home() / ".config"


_EXEC_RESERVED = set(" \t\n\"'\\><~|&;$*?#()`")


def desktop_exec_line(command: Sequence[str]) -> str:
    """Quote argv for a desktop file's Exec key (Desktop Entry spec, "The Exec key").

    Two layers: arguments with reserved characters go in double quotes with `"`, `` ` ``,
    `$` and `\\` backslash-escaped; then the whole value gets the general string escaping,
    which doubles every backslash. A literal `%` is written `%%` (field codes).
    """
    if not command:
        raise ValueError("empty command")
    if any("\n" in arg or "\r" in arg for arg in command):
        raise ValueError("a line break cannot be part of an Exec argument")
    parts: list[str] = []
    for arg in command:
        if arg == "" or any(ch in _EXEC_RESERVED for ch in arg):
            inner = "".join("\\" + ch if ch in '"`$\\' else ch for ch in arg)
            arg = f'"{inner}"'
        parts.append(arg.replace("%", "%%"))
    line = " ".join(parts)
    return line.replace("\\", "\\\\")


class XdgAutostart(Autostart):
    """`$XDG_CONFIG_HOME/autostart/<app id>.desktop`, read by GNOME, KDE, Xfce, LXQt, ..."""

    def __init__(self, config_home: Path | None = None, app_id: str = APP_ID) -> None:
        self.path = (config_home or _xdg_config_home()) / "autostart" / f"{app_id}.desktop"
        self._app_id = app_id

    def is_enabled(self) -> bool:
        try:
            text = self.path.read_text(encoding="utf-8")
        except OSError:
            return False
        entry = _desktop_entry_group(text)
        # Desktops disable an entry (rather than deleting it) with Hidden or the GNOME key.
        if entry.get("Hidden", "false").strip().lower() == "true":
            return False
        return entry.get("X-GNOME-Autostart-enabled", "true").strip().lower() != "false"

    def render(self, command: Sequence[str]) -> str:
        return (
            "[Desktop Entry]\n"
            "Type=Application\n"
            f"Name={APP_NAME}\n"
            "Name[ja]=一報 (Ippo)\n"
            "Comment=Keep your reply-within-24-hours promise on every inbox\n"
            "Comment[ja]=「24時間以内に返信」の約束を守るためのトレイアプリ\n"
            f"Exec={desktop_exec_line(command)}\n"
            f"Icon={self._app_id}\n"
            "Terminal=false\n"
            "Categories=Network;Email;\n"
            "X-GNOME-Autostart-enabled=true\n"
            # Give the panel's tray a moment to exist before the icon registers.
            "X-GNOME-Autostart-Delay=5\n"
        )

    def enable(self, command: Sequence[str]) -> None:
        _write_atomically(self.path, self.render(command).encode("utf-8"))

    def disable(self) -> None:
        _remove(self.path)


def _desktop_entry_group(text: str) -> dict[str, str]:
    values: dict[str, str] = {}
    in_entry = False
    for raw in text.splitlines():
        line = raw.strip()
        if line.startswith("["):
            in_entry = line == "[Desktop Entry]"
        elif in_entry and "=" in line and not line.startswith("#"):
            key, _, value = line.partition("=")
            values[key.strip()] = value
    return values


# --- macOS ---------------------------------------------------------------------------------


class LaunchAgentAutostart(Autostart):
    """`~/Library/LaunchAgents/<app id>.plist` with RunAtLoad: launchd starts it at login."""

    def __init__(self, agents_dir: Path | None = None, label: str = APP_ID) -> None:
        self.path = (agents_dir or Path.home() / "Library" / "LaunchAgents") / f"{label}.plist"
        self.label = label

    def render(self, command: Sequence[str]) -> bytes:
        if not command:
            raise ValueError("empty command")
        agent: dict[str, Any] = {
            "Label": self.label,
            "ProgramArguments": list(command),
            "RunAtLoad": True,
            # Only in a graphical login, not over ssh; and no relaunch after Quit.
            "LimitLoadToSessionType": "Aqua",
            "KeepAlive": False,
            "ProcessType": "Interactive",
            # macOS 13+ shows the app's name and icon in Login Items instead of "unknown".
            "AssociatedBundleIdentifiers": [self.label],
        }
        import plistlib  # here: macOS only, and it loads the XML parser (~0.6 MB resident)

        return plistlib.dumps(agent, fmt=plistlib.FMT_XML, sort_keys=True)

    def is_enabled(self) -> bool:
        import plistlib  # here: macOS only (see render)

        try:
            agent = plistlib.loads(self.path.read_bytes())
        except (OSError, plistlib.InvalidFileException, ValueError):
            return False
        return bool(agent.get("RunAtLoad")) and not agent.get("Disabled", False)

    def enable(self, command: Sequence[str]) -> None:
        _write_atomically(self.path, self.render(command))

    def disable(self) -> None:
        _remove(self.path)


# --- Windows -------------------------------------------------------------------------------


def windows_run_value(command: Sequence[str]) -> str:
    """The REG_SZ stored under the Run key: a command line in the MSVC quoting rules."""
    if not command:
        raise ValueError("empty command")
    # list2cmdline only quotes paths with spaces; quote the program always, as Windows
    # otherwise tries "C:\Program" for an unquoted path that later gains a space.
    program, *args = command
    line = f'"{program}"'
    return f"{line} {subprocess.list2cmdline(args)}" if args else line


class RegistryAccess(ABC):
    """The three Run-key operations, so the Windows backend's logic runs anywhere."""

    @abstractmethod
    def read(self, name: str) -> str | None: ...

    @abstractmethod
    def write(self, name: str, value: str) -> None: ...

    @abstractmethod
    def delete(self, name: str) -> None: ...


class WinregRunKey(RegistryAccess):
    """HKEY_CURRENT_USER Run key via the stdlib winreg (Windows only)."""

    def __init__(self, key_path: str = WINDOWS_RUN_KEY) -> None:
        import winreg  # type: ignore[import-not-found,unused-ignore]

        self._winreg: Any = winreg
        self._key_path = key_path

    def read(self, name: str) -> str | None:
        winreg = self._winreg
        try:
            with winreg.OpenKey(winreg.HKEY_CURRENT_USER, self._key_path) as key:
                value, _kind = winreg.QueryValueEx(key, name)
        except FileNotFoundError:
            return None
        return str(value)

    def write(self, name: str, value: str) -> None:
        winreg = self._winreg
        with winreg.CreateKeyEx(
            winreg.HKEY_CURRENT_USER, self._key_path, 0, winreg.KEY_SET_VALUE
        ) as key:
            winreg.SetValueEx(key, name, 0, winreg.REG_SZ, value)

    def delete(self, name: str) -> None:
        winreg = self._winreg
        try:
            with winreg.OpenKey(
                winreg.HKEY_CURRENT_USER, self._key_path, 0, winreg.KEY_SET_VALUE
            ) as key:
                winreg.DeleteValue(key, name)
        except FileNotFoundError:
            pass


class WindowsRunAutostart(Autostart):
    """A value named "Ippo" under HKCU\\...\\CurrentVersion\\Run (the installer's task too)."""

    def __init__(
        self, registry: RegistryAccess | None = None, value_name: str = WINDOWS_RUN_VALUE
    ) -> None:
        self._registry = registry if registry is not None else WinregRunKey()
        self._name = value_name

    def is_enabled(self) -> bool:
        return bool(self._registry.read(self._name))

    def enable(self, command: Sequence[str]) -> None:
        try:
            self._registry.write(self._name, windows_run_value(command))
        except OSError as exc:
            raise AutostartError.of("write", exc) from exc

    def disable(self) -> None:
        try:
            self._registry.delete(self._name)
        except OSError as exc:
            raise AutostartError.of("remove", exc) from exc


# --- choice and helpers --------------------------------------------------------------------


def autostart_for_platform(platform: str | None = None, *, home: Path | None = None) -> Autostart:
    """The backend for this OS. `home` relocates the per-user files (tests, portable use)."""
    platform = platform if platform is not None else sys.platform
    if platform == "win32":
        return WindowsRunAutostart()
    if platform == "darwin":
        return LaunchAgentAutostart(home / "Library" / "LaunchAgents" if home else None)
    return XdgAutostart(home / ".config" if home else None)


def _write_atomically(path: Path, data: bytes) -> None:
    tmp = path.with_name(f".{path.name}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise AutostartError.of("write", exc, path) from exc


def _remove(path: Path) -> None:
    try:
        path.unlink(missing_ok=True)
    except OSError as exc:
        raise AutostartError.of("remove", exc, path) from exc
