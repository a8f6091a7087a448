"""Single instance: the Qt-free half (who we are and what we say).

The socket itself is in trayapp/ui/single_instance.py, driven by the GUI's event loop (no
listener thread): an AF_UNIX socket on Linux/macOS (plain Python: QtNetwork would cost the
tray app ~3 MB resident), Qt's QLocalServer (a named pipe) on Windows.
"""

from __future__ import annotations

import getpass
import hashlib
import os
from pathlib import Path

SHOW_LIST = b"show-list\n"
ACK = b"ok\n"


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
