"""The app's code as an installed copy has it: compiled to bytecode.

pip compiles every module when it installs Ippo, so a user's first click never waits for
Python to compile the list's code. A development checkout run with PYTHONDONTWRITEBYTECODE
(as tests/run.sh and many shells set it) compiles those modules again in every process, which
a bench would count as the app's stall or start-up. Each bench calls this first.
"""

from __future__ import annotations

import compileall
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def compile_like_installed() -> None:
    if not compileall.compile_dir(REPO / "trayapp", quiet=1):
        raise SystemExit("bench: trayapp/ did not compile")
