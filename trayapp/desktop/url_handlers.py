"""Whether the desktop has a program for a kind of link (mailto:, https:), so "Open in mail"
can say so instead of failing silently: on Linux, Qt hands the link to xdg-open in the
background and reports success even when nothing can open it.

Reads the XDG MIME association files (mimeapps.list, defaults.list, mimeinfo.cache): small
files, no subprocess, safe on the GUI thread. Elsewhere (Windows, macOS) the system's own
call reports a missing handler, so the answer is None: unknown, just try.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Callable, Mapping
from pathlib import Path

_FILES = ("mimeapps.list", "defaults.list", "mimeinfo.cache")


def _association_files(env: Mapping[str, str]) -> list[Path]:
    home = Path(env.get("HOME", "~")).expanduser()
    config_home = Path(env.get("XDG_CONFIG_HOME") or home / ".config")
    data_home = Path(env.get("XDG_DATA_HOME") or home / ".local" / "share")
    config_dirs = [Path(p) for p in (env.get("XDG_CONFIG_DIRS") or "/etc/xdg").split(":") if p]
    data_dirs = [
        Path(p) for p in (env.get("XDG_DATA_DIRS") or "/usr/local/share:/usr/share").split(":") if p
    ]
    files = [config_home / "mimeapps.list", *(d / "mimeapps.list" for d in config_dirs)]
    for directory in (data_home, *data_dirs):
        files += [directory / "applications" / name for name in _FILES]
    return files


def has_handler(
    scheme: str,
    env: Mapping[str, str] | None = None,
    read: Callable[[Path], str] | None = None,
    platform: str = sys.platform,
) -> bool | None:
    """True when some application is associated with `scheme` links, False when none is,
    None when this platform cannot tell."""
    if not platform.startswith("linux"):
        return None
    env = os.environ if env is None else env
    read = read or _read
    wanted = f"x-scheme-handler/{scheme.lower()}="
    for path in _association_files(env):
        section = ""
        for line in read(path).splitlines():
            line = line.strip()
            if line.startswith("["):
                section = line
            elif (
                section != "[Removed Associations]"
                and line.lower().startswith(wanted)
                and line.split("=", 1)[1].strip(" ;")
            ):
                return True
    return False


def _read(path: Path) -> str:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return ""
