"""The one clock of the app: the system's time zone as a real zone, and `now()` in it.

The GUI, the command line, the watchers and promises all ask here, so a promise made in the
tray and one made with `ippo ack` name the same instant across a DST change (a fixed UTC
offset taken at start-up would be an hour off after it).
"""

from __future__ import annotations

import contextlib
import os
import time
from datetime import datetime, tzinfo
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


def zone_named(name: str) -> ZoneInfo:
    """An IANA zone by name (`Asia/Tokyo`). ValueError for an unknown or malformed name."""
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError, OSError):
        raise ValueError(f"unknown time zone: {name!r} (use a name like Asia/Tokyo)") from None


def system_zone_name() -> str | None:
    """The system's zone as an IANA name ($TZ, then /etc/localtime's link), if it has one."""
    names = [os.environ.get("TZ", "").lstrip(":")]
    try:
        link = os.readlink("/etc/localtime")
        names.append(link.split("zoneinfo/", 1)[1] if "zoneinfo/" in link else "")
    except OSError:
        pass
    with contextlib.suppress(OSError, UnicodeDecodeError):
        names.append(Path("/etc/timezone").read_text(encoding="ascii").strip())
    for name in names:
        if name:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError, OSError):
                continue
            return name
    return None


_CACHE_SECONDS = 60.0  # the zone can change (a trip) but not every second: look once a minute
_cached: tuple[float, str | None] | None = None


def _cached_zone_name() -> str | None:
    global _cached
    stamp = time.monotonic()
    if _cached is None or stamp - _cached[0] > _CACHE_SECONDS:
        _cached = (stamp, system_zone_name())
    return _cached[1]


def system_zone() -> tzinfo:
    """The user's time zone, as a real zone (DST-aware) when it can be named; else the
    current fixed offset (the best the OS tells)."""
    name = _cached_zone_name()
    if name is not None:
        return ZoneInfo(name)
    zone = datetime.now().astimezone().tzinfo
    assert zone is not None
    return zone


def zone_or_system(name: str | None) -> tzinfo:
    """An account's zone: its own when set (and valid), else the system's."""
    if name:
        try:
            return zone_named(name)
        except ValueError:
            pass
    return system_zone()


def now() -> datetime:
    """Now, timezone-aware, in the system's zone."""
    return datetime.now(system_zone())
