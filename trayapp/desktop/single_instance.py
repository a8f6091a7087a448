"""Single instance: the Qt-free half (who we are, where the socket lives, who is knocking).

The socket itself is in trayapp/ui/single_instance.py, driven by the GUI's event loop (no
listener thread, no blocking read on the GUI thread): an AF_UNIX socket on Linux/macOS (plain
Python: QtNetwork would cost the tray app ~3 MB resident), Qt's QLocalServer (a named pipe)
on Windows.

Where: the user's runtime folder (XDG_RUNTIME_DIR, private to the user by the spec), never a
predictable name in the shared /tmp, where another user could squat it first. Without
XDG_RUNTIME_DIR: `<tmp>/ippo-<uid>`, created 0700 and used only while it is ours and private;
otherwise a folder in the user's own cache. Who: both ends check the peer's user id
(SO_PEERCRED on Linux, LOCAL_PEERCRED on macOS) and talk only to the same user.
"""

from __future__ import annotations

import contextlib
import getpass
import hashlib
import logging
import os
import socket
import stat
import struct
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

log = logging.getLogger(__name__)

SHOW_LIST = b"show-list\n"
ACK = b"ok\n"
RUNTIME_ENV = "XDG_RUNTIME_DIR"
_UNIX_PATH_MAX = 100  # sun_path is 104 bytes on macOS, 108 on Linux: keep a margin


def instance_name(config_dir: str | os.PathLike[str]) -> str:
    """A local-socket name unique per user and config folder (so `--config-dir` and
    `--demo` runs are separate instances), short enough for AF_UNIX paths."""
    try:
        user = getpass.getuser()
    except (KeyError, OSError):
        user = str(os.getuid()) if hasattr(os, "getuid") else "user"
    folder = str(Path(config_dir).expanduser().resolve())
    digest = hashlib.sha256(f"{user}\0{folder}".encode()).hexdigest()[:16]
    return f"ippo-{digest}"


def is_private_dir(path: Path) -> bool:
    """A real folder (not a link) owned by this user that nobody else may enter or write."""
    try:
        info = os.lstat(path)
    except OSError:
        return False
    return (
        stat.S_ISDIR(info.st_mode)
        and info.st_uid == os.getuid()
        and not info.st_mode & (stat.S_IRWXG | stat.S_IRWXO)
    )


def _private_dir(path: Path) -> Path | None:
    """`path` created 0700 if missing; None unless it then is private (see is_private_dir)."""
    try:
        path.mkdir(mode=0o700, parents=False, exist_ok=True)
    except OSError:
        return None
    return path if is_private_dir(path) else None


def runtime_dir() -> Path:
    """The private folder for the instance socket (see the module doc)."""
    env = os.environ.get(RUNTIME_ENV)
    if env and Path(env).is_absolute() and (found := _private_dir(Path(env))) is not None:
        return found
    uid = os.getuid()
    if (found := _private_dir(Path(tempfile.gettempdir()) / f"ippo-{uid}")) is not None:
        return found
    cache = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    with contextlib.suppress(OSError):
        cache.mkdir(mode=0o700, parents=True, exist_ok=True)
    found = _private_dir(cache / f"ippo-run-{uid}")
    if found is not None and len(str(found)) + 30 < _UNIX_PATH_MAX:
        return found
    # Nothing private could be had (a squatted /tmp name and no usable home): a fresh folder
    # of our own. A later start will not find this instance, but this one starts.
    return Path(tempfile.mkdtemp(prefix=f"ippo-{uid}-"))


def socket_path(name: str) -> Path:
    return runtime_dir() / name


def acquire(
    knock: Callable[[], str], listen: Callable[[], bool], remove: Callable[[], object], where: str
) -> bool:
    """The start-up decision both socket kinds make: True when we are the first instance.

    `knock` says 'answered' (a running instance will show its list: we are second),
    'absent' (nobody there: listen) or 'silent' (a listener that is not ours or never
    answers). Two knocks at most, then whatever sits at the address is removed and taken
    over: nothing there can stop a start for longer than two bounded waits."""
    for _attempt in range(2):
        state = knock()
        if state == "answered":
            return False
        if state == "absent" and listen():
            return True
    log.warning("%s: no answer from the socket there; taking it over", where)
    remove()
    return listen()


def peer_uid(sock: socket.socket) -> int | None:
    """The user id of the process at the other end of a connected AF_UNIX socket; None
    where the OS does not say."""
    if sys.platform.startswith("linux"):
        creds = sock.getsockopt(socket.SOL_SOCKET, socket.SO_PEERCRED, struct.calcsize("3i"))
        _pid, uid, _gid = struct.unpack("3i", creds)
        return int(uid)
    if sys.platform == "darwin":
        local_peercred = 0x001  # <sys/un.h>: struct xucred { u_int version; uid_t uid; ... }
        raw = sock.getsockopt(0, local_peercred, 76)
        _version, uid = struct.unpack_from("Ii", raw)
        return int(uid)
    return None


def same_user(sock: socket.socket) -> bool:
    """Whether the peer runs as this user (True where the OS cannot tell: then the folder's
    permissions are the only guard, as before)."""
    try:
        uid = peer_uid(sock)
    except OSError:
        return False
    return uid is None or uid == os.getuid()
