"""The process-level settings the tray app keeps to stay within its budgets (two for memory,
one for GUI stalls), in one place: IPPO_PLAIN_PROCESS=1 turns them all off (to measure
without them, or should one ever misbehave).

Without them the app with 10 inboxes was 1.99x a bare PySide6 tray (bench/bench_app_memory.py,
goal 1.75x); what remains of the old tricks (the list thrown away after 60 s, freed memory
handed back by timer, the keyring in helper processes) is gone for good.

    drop_pyside_import_hook()  PySide6 replaces builtins.__import__ with a hook that reads the
        whole source of every module imported after Qt (bookkeeping for `from __feature__
        import snake_case`, which Ippo never uses); the sources stay in linecache (~7 MB), and
        every import the interpreter makes later (datetime.strftime imports `time` each call)
        pays the scan. The interpreter's own import, kept by PySide as __orig_import__, comes
        back; PySide then installs its lighter lazy-type hook. Must run right after PySide6 is
        first imported: trayapp/app.py imports this module first.
    limit_malloc_arenas()  glibc gives every thread that allocates its own malloc arena (up
        to 8 per core), each keeping its freed pages: with a watcher thread per inbox that is
        about 1 MB each for nothing. Two shared arenas cost no measurable speed for threads
        that are idle nearly all the time. Before any thread starts (run_gui calls it first).
    freeze_start_up_objects()  the objects start-up made are frozen out of the cyclic
        collector's full collections (gc.freeze), which took ~20-25 ms each, mostly walking
        them: with them frozen, a full collection walks what came later (the mail).

Not here, on purpose: malloc_trim or a full collection after a burst. After 2,000 deliveries
dismissed RSS stays ~4.8 MiB above where it was (bench/bench_dismiss_memory.py, 2026-12-02,
fourth session; 15 MiB, then 7 MiB, before the app held less per message): the pymalloc
arenas (1 MiB each) the burst needed, each pinned by a few objects that outlive it (the
tuples CPython keeps on its free lists among them), and ~1.7 MiB of glibc's heap (SQLite's
page cache and the tables of dicts that grew). malloc_trim(0) gave back only 0.8-2.2 MiB,
PYTHONMALLOC=malloc was no better, and gc.collect() gave back nothing: fragmentation, not a
heap top. What brought it down is holding less per waiting message, so a burst needs fewer
arenas in the first place.
"""

from __future__ import annotations

import builtins
import contextlib
import ctypes
import gc
import os
import sys

import PySide6.QtCore  # noqa: F401  (installs the hook this module takes out again)

SWITCH_ENV = "IPPO_PLAIN_PROCESS"
FEATURE_HOOK = "__feature_import__"
M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)
MALLOC_ARENAS = 2


def enabled() -> bool:
    return os.environ.get(SWITCH_ENV, "") not in ("1", "yes", "true")


def drop_pyside_import_hook() -> bool:
    """Restore the interpreter's import if PySide's feature hook is the one in place (never
    someone else's hook). True when it was dropped."""
    original = getattr(builtins, "__orig_import__", None)
    current = builtins.__import__
    if not enabled() or original is None or current is original:
        return False
    if getattr(current, "__name__", "") != FEATURE_HOOK:
        return False
    builtins.__import__ = original
    return True


def limit_malloc_arenas(arenas: int = MALLOC_ARENAS) -> bool:
    """Cap glibc's malloc arenas (before any thread starts). A no-op without glibc."""
    if not enabled() or not sys.platform.startswith("linux"):
        return False
    with contextlib.suppress(OSError, AttributeError):
        return bool(ctypes.CDLL(None).mallopt(M_ARENA_MAX, arenas))
    return False


def freeze_start_up_objects() -> bool:
    """Collect once, then move every object alive (what start-up made: modules, functions,
    classes, Qt wrappers, ~190,000 that live as long as the process) out of the cyclic
    collector's sight (gc.freeze). They are never garbage, yet every full collection walked
    them all: ~20-25 ms on whichever thread allocated at that moment, the GUI thread's
    worst stall in bench_gui_stall whenever it landed there. Frozen objects are still freed
    by their reference counts; only cycles among them would stay, and the collection just
    before leaves none. Once, right after start-up (run_gui schedules it)."""
    if not enabled():
        return False
    gc.collect()
    gc.freeze()
    return True


drop_pyside_import_hook()


__all__ = [
    "SWITCH_ENV",
    "drop_pyside_import_hook",
    "enabled",
    "freeze_start_up_objects",
    "limit_malloc_arenas",
]
