"""A process that opens the state file the moment it is told to (a line on stdin), then
writes and reads it once: several of these started together are several first starts of Ippo
at the same instant, without the seconds of import time that would spread them apart.

Prints one line per recovery (as `ippo` would say it) and "ok" when the store worked."""

from __future__ import annotations

import sys
from pathlib import Path

from trayapp.store.db import StateStore


def main(folder: str) -> int:
    sys.stdin.readline()  # the starting gun
    with StateStore(Path(folder), on_recovery=lambda r: print(r.english())) as store:
        store.dismiss("shop", "item-1", "answered")
        store.items("shop")
        assert "item-1" in store.dismissed_ids("shop")
    print("ok")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
