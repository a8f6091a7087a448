"""One advisory lock across processes: a lock file beside what it guards, held with flock.

The tray app, `ippo watch`, `ippo pending` and `ippo ack` run side by side; where they must
take turns (writing config.json, renewing a sign-in, creating or repairing the state file)
they lock the same small file. Closing the file releases the lock, also when a process dies.
Where there is no flock (Windows) there is no cross-process lock: callers keep their own
in-process lock."""

from __future__ import annotations

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

LOCK_FILE_MODE = 0o600


@contextlib.contextmanager
def exclusive_lock(path: Path) -> Iterator[None]:
    """Hold an exclusive lock on `path` (created 0600 when missing) for the `with` block.
    OSError when the lock file can be neither created nor opened."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    try:
        fd = os.open(path, os.O_RDWR | os.O_CREAT, LOCK_FILE_MODE)
    except OSError:
        if not path.exists():
            raise
        fd = os.open(path, os.O_RDONLY)  # a read-only folder: flock needs no write access
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)  # closing releases the lock
