"""Start-at-login backends.

Linux: the entry is checked by the real `desktop-file-validate` and launched by GLib's real
desktop-entry launcher (`gio launch`, Debian libglib2.0-bin) to prove the Exec quoting
round-trips awkward paths. macOS: the LaunchAgent is parsed back with plistlib (launchd
itself cannot run here). Windows: winreg cannot run here either, so the Run-key backend is
tested through its RegistryAccess seam plus the exact value string it stores.
"""

from __future__ import annotations

import json
import os
import plistlib
import shutil
import stat
import subprocess
import sys
import time
from pathlib import Path

import pytest

from trayapp.desktop.autostart import (
    APP_ID,
    LaunchAgentAutostart,
    RegistryAccess,
    WindowsRunAutostart,
    XdgAutostart,
    autostart_for_platform,
    desktop_exec_line,
    launch_command,
    windows_run_value,
)

AWKWARD_ARGS = [
    "--config-dir",
    "/home/user/My Mail/ippo config",  # space
    'q"uote',
    "50%",  # field-code character
    "$HOME",  # not to be expanded
    "back\\slash",
    "it's",
    "",
    "一報 ü",
]


def _validate(path: Path) -> None:
    result = subprocess.run(
        ["desktop-file-validate", str(path)], capture_output=True, text=True, check=False
    )
    # It prints hints/warnings/errors and exits 1 on errors; warnings matter to us too.
    assert result.returncode == 0 and result.stdout.strip() == "", result.stdout + result.stderr


# --- Linux ---------------------------------------------------------------------------------


def test_xdg_entry_is_written_where_desktops_look_and_validates(tmp_path: Path) -> None:
    backend = XdgAutostart(config_home=tmp_path)
    assert not backend.is_enabled()

    backend.enable(["/opt/ippo/ippo"])

    assert backend.path == tmp_path / "autostart" / f"{APP_ID}.desktop"
    assert backend.is_enabled()
    _validate(backend.path)
    text = backend.path.read_text(encoding="utf-8")
    assert "\nExec=/opt/ippo/ippo\n" in text
    assert "\nName[ja]=" in text


def test_xdg_default_location_follows_xdg_config_home(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "cfg"))
    assert XdgAutostart().path == tmp_path / "cfg" / "autostart" / f"{APP_ID}.desktop"
    # A relative XDG_CONFIG_HOME is invalid per the spec and ignored.
    monkeypatch.setenv("XDG_CONFIG_HOME", "relative/dir")
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    assert XdgAutostart().path == tmp_path / "home" / ".config" / "autostart" / f"{APP_ID}.desktop"


def test_xdg_awkward_arguments_validate_and_round_trip_through_glib(tmp_path: Path) -> None:
    gio = shutil.which("gio")
    assert gio, "gio (Debian libglib2.0-bin) is needed to launch the entry for real"
    out = tmp_path / "argv.json"
    dumper = tmp_path / "dir with space" / "dump argv.py"
    dumper.parent.mkdir()
    dumper.write_text("import json, sys\nopen(sys.argv[1], 'w').write(json.dumps(sys.argv[2:]))\n")
    backend = XdgAutostart(config_home=tmp_path / "cfg")
    backend.enable([sys.executable, str(dumper), str(out), *AWKWARD_ARGS])
    _validate(backend.path)

    env = {k: v for k, v in os.environ.items() if k != "DBUS_SESSION_BUS_ADDRESS"}
    subprocess.run([gio, "launch", str(backend.path)], check=True, timeout=20, env=env)
    deadline = time.monotonic() + 20
    while not out.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    time.sleep(0.1)  # the child may still be writing
    assert json.loads(out.read_text()) == AWKWARD_ARGS


def test_xdg_disable_removes_and_tolerates_absent(tmp_path: Path) -> None:
    backend = XdgAutostart(config_home=tmp_path)
    backend.enable(["/opt/ippo/ippo"])
    backend.disable()
    assert not backend.path.exists()
    assert not backend.is_enabled()
    backend.disable()  # no entry: still fine


@pytest.mark.parametrize(
    "line", ["Hidden=true", "X-GNOME-Autostart-enabled=false", "X-GNOME-Autostart-enabled=False"]
)
def test_xdg_entry_switched_off_by_the_desktop_counts_as_disabled(
    tmp_path: Path, line: str
) -> None:
    backend = XdgAutostart(config_home=tmp_path)
    backend.enable(["/opt/ippo/ippo"])
    text = backend.path.read_text(encoding="utf-8").replace("X-GNOME-Autostart-enabled=true\n", "")
    backend.path.write_text(text + line + "\n", encoding="utf-8")
    assert not backend.is_enabled()


def test_desktop_exec_line_quoting_rules() -> None:
    assert desktop_exec_line(["/usr/bin/ippo"]) == "/usr/bin/ippo"
    assert desktop_exec_line(["/a b/ippo", "x"]) == '"/a b/ippo" x'
    assert desktop_exec_line(["ippo", "100%"]) == "ippo 100%%"
    # `\` inside quotes is `\\` by the quoting rule, then doubled again by string escaping.
    assert desktop_exec_line(["ippo", "a\\b"]) == '"ippo" "a\\\\\\\\b"'.replace('"ippo"', "ippo")
    with pytest.raises(ValueError):
        desktop_exec_line([])
    with pytest.raises(ValueError):
        desktop_exec_line(["ippo", "two\nlines"])


# --- macOS ---------------------------------------------------------------------------------


def test_launch_agent_plist_has_the_keys_launchd_needs(tmp_path: Path) -> None:
    backend = LaunchAgentAutostart(agents_dir=tmp_path / "LaunchAgents")
    assert not backend.is_enabled()
    command = ["/Applications/Ippo.app/Contents/MacOS/Ippo", "--config-dir", "/Users/a b/x"]

    backend.enable(command)

    assert backend.path == tmp_path / "LaunchAgents" / f"{APP_ID}.plist"
    agent = plistlib.loads(backend.path.read_bytes())
    assert agent["Label"] == APP_ID
    assert agent["ProgramArguments"] == command  # argv as is: launchd does no shell parsing
    assert agent["RunAtLoad"] is True
    assert agent["KeepAlive"] is False
    assert agent["LimitLoadToSessionType"] == "Aqua"
    assert backend.path.read_bytes().startswith(b'<?xml version="1.0" encoding="UTF-8"?>')
    assert backend.is_enabled()

    backend.disable()
    assert not backend.path.exists() and not backend.is_enabled()


def test_launch_agent_with_disabled_key_or_garbage_is_not_enabled(tmp_path: Path) -> None:
    backend = LaunchAgentAutostart(agents_dir=tmp_path)
    backend.enable(["/x/Ippo"])
    agent = plistlib.loads(backend.path.read_bytes())
    agent["Disabled"] = True
    backend.path.write_bytes(plistlib.dumps(agent))
    assert not backend.is_enabled()
    backend.path.write_bytes(b"not a plist")
    assert not backend.is_enabled()


# --- Windows (pure part; winreg itself cannot run on Linux) ---------------------------------


class DictRegistry(RegistryAccess):
    def __init__(self) -> None:
        self.values: dict[str, str] = {}

    def read(self, name: str) -> str | None:
        return self.values.get(name)

    def write(self, name: str, value: str) -> None:
        self.values[name] = value

    def delete(self, name: str) -> None:
        self.values.pop(name, None)


def test_windows_run_value_quotes_the_program_and_arguments() -> None:
    exe = r"C:\Users\Taro Yamada\AppData\Local\Programs\Ippo\Ippo.exe"
    assert windows_run_value([exe]) == f'"{exe}"'
    assert (
        windows_run_value([exe, "--config-dir", r"D:\My Data\ippo"])
        == f'"{exe}" --config-dir "D:\\My Data\\ippo"'
    )
    # The same string an Inno Setup [Registry] entry writes: "{app}\Ippo.exe"
    assert windows_run_value([r"C:\Ippo\Ippo.exe"]) == '"C:\\Ippo\\Ippo.exe"'


def test_windows_backend_writes_reads_and_deletes_its_value() -> None:
    registry = DictRegistry()
    registry.values["OneDrive"] = '"C:\\OneDrive.exe" /background'
    backend = WindowsRunAutostart(registry)
    assert not backend.is_enabled()
    backend.enable([r"C:\Ippo\Ippo.exe"])
    assert registry.values["Ippo"] == '"C:\\Ippo\\Ippo.exe"'
    assert backend.is_enabled()
    backend.disable()
    assert "Ippo" not in registry.values
    assert "OneDrive" in registry.values  # never touches other programs' values
    backend.disable()


# --- command and platform choice -----------------------------------------------------------


def test_launch_command_frozen_bundle_is_its_own_executable() -> None:
    cmd = launch_command(["--x"], executable="/opt/ippo/ippo", frozen=True, platform="linux")
    assert cmd == ["/opt/ippo/ippo", "--x"]


def test_launch_command_pip_install_prefers_the_envs_ippo_script(tmp_path: Path) -> None:
    python = tmp_path / "bin" / "python"
    python.parent.mkdir()
    python.touch()
    assert launch_command(executable=str(python), frozen=False, platform="linux") == [
        str(python),
        "-m",
        "trayapp",
    ]
    script = tmp_path / "bin" / "ippo"
    script.write_text("#!/bin/sh\n")
    script.chmod(script.stat().st_mode | stat.S_IXUSR)
    assert launch_command(["--demo"], executable=str(python), frozen=False, platform="linux") == [
        str(script),
        "--demo",
    ]


def test_launch_command_on_windows_uses_pythonw_to_avoid_a_console(tmp_path: Path) -> None:
    python = tmp_path / "python.exe"
    assert launch_command(executable=str(python), frozen=False, platform="win32") == [
        str(python),
        "-m",
        "trayapp",
    ]
    (tmp_path / "pythonw.exe").touch()
    assert launch_command(executable=str(python), frozen=False, platform="win32")[0] == str(
        tmp_path / "pythonw.exe"
    )


def test_this_environment_command_really_starts_ippo() -> None:
    # The command for this very venv must reach the CLI: `--version` proves it without Qt.
    result = subprocess.run(
        [*launch_command(frozen=False), "--version"],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    from trayapp import __version__

    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"ippo {__version__}"


def test_backend_choice_by_platform(tmp_path: Path) -> None:
    linux = autostart_for_platform("linux", home=tmp_path)
    assert isinstance(linux, XdgAutostart)
    assert linux.path == tmp_path / ".config" / "autostart" / f"{APP_ID}.desktop"
    mac = autostart_for_platform("darwin", home=tmp_path)
    assert isinstance(mac, LaunchAgentAutostart)
    assert mac.path == tmp_path / "Library" / "LaunchAgents" / f"{APP_ID}.plist"
    assert isinstance(autostart_for_platform("freebsd14", home=tmp_path), XdgAutostart)
    # "win32" needs winreg, which only exists on Windows: not testable here.
