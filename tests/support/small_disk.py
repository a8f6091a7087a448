"""Real disk trouble for tests: a tiny tmpfs (disk full) or a read-only one, mounted over a
folder of the test's own. Needs root or password-less sudo (tests/run.sh runs as root or with
sudo); the mount is always undone."""

from __future__ import annotations

import contextlib
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path


def _run(*command: str) -> None:
    prefix = [] if os.geteuid() == 0 else ["sudo", "-n"]
    subprocess.run([*prefix, *command], check=True, capture_output=True, timeout=30)


@contextlib.contextmanager
def small_disk(path: Path, *, size_kb: int = 64) -> Iterator[Path]:
    """`path` becomes a `size_kb` tmpfs owned by this user: writes past it fail with ENOSPC."""
    path.mkdir(parents=True, exist_ok=True)
    _run("mount", "-t", "tmpfs", "-o", f"size={size_kb}k,mode=0700", "tmpfs", str(path))
    try:
        _run("chown", f"{os.getuid()}:{os.getgid()}", str(path))
        yield path
    finally:
        _run("umount", "-l", str(path))


def remount_read_only(path: Path) -> None:
    """Turn a `small_disk` read-only (EROFS for everyone, root included)."""
    _run("mount", "-o", "remount,ro", str(path))


def fill(path: Path) -> None:
    """Fill the file system under `path` to the last byte."""
    with contextlib.suppress(OSError), open(path / ".filler", "wb") as handle:
        while True:
            handle.write(b"\0" * 4096)
            handle.flush()
