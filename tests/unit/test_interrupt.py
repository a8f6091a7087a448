"""Ctrl-C for commands that talk to servers (trayapp/commands/interrupt.py)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]

# The signal comes while the command itself holds the lock the guard's cut() needs (a
# connection being attached or closed): the handler must not wait for it.
HELD_LOCK = """
import signal, threading
from trayapp.commands.interrupt import run_interruptible

class Guard:
    def __init__(self):
        self.lock = threading.Lock()
        self.cut_done = threading.Event()
    def cut(self):
        with self.lock:
            self.cut_done.set()

guard = Guard()

def body(register):
    register(guard)
    with guard.lock:
        signal.raise_signal(signal.SIGINT)
    return 0

status = run_interruptible(body)
print(status, guard.cut_done.wait(5))
"""


def test_a_signal_while_the_command_holds_a_guards_lock_ends_it_without_deadlock() -> None:
    done = subprocess.run(
        [sys.executable, "-c", HELD_LOCK],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=30,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.split() == ["130", "True"]
    assert done.stderr.strip() == "ippo: interrupted"
