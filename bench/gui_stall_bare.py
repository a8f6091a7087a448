"""bench_gui_stall.py's baseline: a bare PySide6 tray icon with the same heartbeat.

python bench/gui_stall_bare.py ICON.png     (then commands on stdin: mark, stall, quit)
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bare_tray import make_bare_tray
from gui_heartbeat import Commands, Heartbeat


def main() -> int:
    app, _tray, _menu = make_bare_tray(sys.argv[1])
    beat = Heartbeat()

    def mark() -> str:
        beat.mark()
        return "ok"

    commands = Commands(
        {
            "mark": mark,
            "stall": lambda: f"stall {beat.worst_ms():.1f}",
            "ping": lambda: "pong",
            "quit": lambda: app.quit() or "bye",
        }
    )
    code = app.exec()
    del commands
    return code


if __name__ == "__main__":
    sys.exit(main())
