"""Ctrl-C and SIGTERM for commands that talk to servers: every connection is cut under its
blocked read (the work then ends in moments), `ippo: interrupted` is said once, and the exit
status is 130 (SIGINT) or 143 (SIGTERM), without a traceback."""

from __future__ import annotations

import signal
import sys
import threading
from collections.abc import Callable
from typing import Any

from trayapp.cli_i18n import _

Register = Callable[[Any], None]  # receives a trayapp.mail.transport.ConnectionGuard


def run_interruptible(body: Callable[[Register], int]) -> int:
    """body(register) with SIGINT and SIGTERM cutting every guard given to `register` (also
    one registered after the signal) and ending the command. A body that returns although
    a signal came (a server's failure caught on the way out) still exits as interrupted.

    The signal handler takes no lock: it runs between two bytecodes of whatever the main
    thread was doing, which may hold the very lock a guard's cut() needs (or the guard
    list's), and would wait for itself for ever. It wakes a helper thread that cuts."""
    guards: list[Any] = []
    lock = threading.Lock()
    interrupted: int | None = None
    wake = threading.Event()  # only the handler and the cutter touch it

    def cut_all() -> None:
        wake.wait()
        with lock:
            cutting = list(guards)
        for guard in cutting:
            guard.cut()

    def register(guard: Any) -> None:
        with lock:
            guards.append(guard)
            late = interrupted is not None
        if late:
            guard.cut()

    def on_signal(signum: int, frame: object) -> None:
        nonlocal interrupted
        interrupted = signum
        wake.set()
        raise KeyboardInterrupt

    previous = {}
    if threading.current_thread() is threading.main_thread():  # where Python allows it
        threading.Thread(target=cut_all, name="ippo-interrupt", daemon=True).start()
        previous = {sig: signal.signal(sig, on_signal) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        status = body(register)
    except KeyboardInterrupt:
        status = None
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
    if status is None or interrupted is not None:
        sys.stderr.write("ippo: " + _("interrupted") + "\n")
        sys.stderr.flush()
        return 128 + (interrupted or signal.SIGINT)
    return status
