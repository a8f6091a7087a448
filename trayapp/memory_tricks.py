"""The process-level settings the tray app keeps to stay within its budgets (three for
memory, one for GUI stalls), in one place: IPPO_PLAIN_PROCESS=1 turns them all off (to measure
without them, or should one ever misbehave).

Without them the app with 10 inboxes was 1.99x a bare PySide6 tray (bench/bench_app_memory.py,
goal 1.75x); what remains of the old tricks (the list thrown away after 60 s, freed memory
handed back by timer, the keyring in helper processes) is gone for good.

    restart_without_thread_caches()  glibc keeps, in every thread, a cache of up to 7 freed
        blocks of each size up to 1 KiB (tcache), given back only when the thread ends. The
        watcher threads (one per inbox) live as long as the app: after 2,000 deliveries
        dismissed their caches held ~1.3 MiB for good, and RSS stayed +5.4 MiB above its
        baseline (goal: within 5; bench/bench_dismiss_memory.py, 2026-12-03). The cache can
        only be switched off when a process starts (GLIBC_TUNABLES), so the tray app starts
        itself once more with it off (exec: the same process id, nothing else runs yet);
        +4.1 MiB then. The programs Ippo starts (browser, notify-send) get the
        environment as it was. Called by cli.main before anything else is loaded.
    drop_pyside_import_hook()  PySide6 replaces builtins.__import__ with a hook that reads the
        whole source of every module imported after Qt (bookkeeping for `from __feature__
        import snake_case`, which Ippo never uses); the sources stay in linecache (~7 MB), and
        every import the interpreter makes later (datetime.strftime imports `time` each call)
        pays the scan. The interpreter's own import, kept by PySide as __orig_import__, comes
        back; PySide then installs its lighter lazy-type hook. Must run right after PySide6 is
        first imported: trayapp/app.py calls it before its own imports.
    limit_malloc_arenas()  glibc gives every thread that allocates its own malloc arena (up
        to 8 per core), each keeping its freed pages: with a watcher thread per inbox that is
        about 1 MB each for nothing. Two shared arenas cost no measurable speed for threads
        that are idle nearly all the time. Before any thread starts (run_gui calls it first).
    freeze_start_up_objects()  the objects start-up made are frozen out of the cyclic
        collector's full collections (gc.freeze), which took ~20-25 ms each, mostly walking
        them: with them frozen, a full collection walks what came later (the mail).

Not here, on purpose: malloc_trim or a full collection after a burst. After 2,000 deliveries
dismissed, what stays is the pymalloc arenas (1 MiB each) the burst needed, each pinned by a
few objects that outlive it (the tuples CPython keeps on its free lists among them); heaptrack
found only ~0.5 MiB of malloc's memory still held, the rest of glibc's growth was the thread
caches above. malloc_trim(0) then gives back ~0.5 MiB, gc.collect() nothing: fragmentation,
not a heap top. What brought it down is holding less per waiting message, so a burst needs
fewer arenas in the first place.
"""

from __future__ import annotations

import builtins
import contextlib
import ctypes
import gc
import os
import sys

SWITCH_ENV = "IPPO_PLAIN_PROCESS"
TUNABLES_ENV = "GLIBC_TUNABLES"
NO_THREAD_CACHE = "glibc.malloc.tcache_count=0"
# Set for the restarted process only: what GLIBC_TUNABLES was before ("" when unset).
RESTARTED_ENV = "IPPO_RESTARTED_TUNABLES"
FEATURE_HOOK = "__feature_import__"
M_ARENA_MAX = -8  # glibc's mallopt parameter number (malloc.h)
MALLOC_ARENAS = 2


def enabled() -> bool:
    return os.environ.get(SWITCH_ENV, "") not in ("1", "yes", "true")


def _glibc() -> bool:
    """Whether this process runs on glibc with per-thread caches (2.26 and later)."""
    if not sys.platform.startswith("linux"):
        return False
    try:
        name, version = os.confstr("CS_GNU_LIBC_VERSION").split()  # type: ignore[union-attr]
        major, minor = (int(part) for part in version.split(".")[:2])
    except (ValueError, OSError, AttributeError):
        return False  # musl and others: no such setting
    return name == "glibc" and (major, minor) >= (2, 26)


def _command_line() -> list[str]:
    """The command that started this process, to start it once more. Its first word is
    sys.executable, not the name it was started by (a bare `python` would be looked up on
    PATH again by the new interpreter, and could be another one, outside the venv)."""
    if getattr(sys, "frozen", False):  # a bundle: its own program is the interpreter
        return [sys.executable, *sys.argv[1:]]
    return [sys.executable, *sys.orig_argv[1:]]


def restart_without_thread_caches() -> None:
    """Replace this process by itself started with glibc's thread caches off (returns when
    that is done already, switched off, or not glibc). In the restarted process the
    environment is put back as it was, for the programs it starts."""
    if RESTARTED_ENV in os.environ:
        before = os.environ.pop(RESTARTED_ENV)
        if before:
            os.environ[TUNABLES_ENV] = before
        else:
            os.environ.pop(TUNABLES_ENV, None)
        return
    if not enabled() or not _glibc():
        return
    before = os.environ.get(TUNABLES_ENV, "")
    if NO_THREAD_CACHE in before.split(":"):
        return
    env = dict(os.environ)
    env[RESTARTED_ENV] = before
    env[TUNABLES_ENV] = f"{before}:{NO_THREAD_CACHE}" if before else NO_THREAD_CACHE
    argv = _command_line()
    for stream in (sys.stdout, sys.stderr):
        with contextlib.suppress(OSError, ValueError, AttributeError):
            stream.flush()  # what was printed must not be lost with the old process
    try:
        os.execve(argv[0], argv, env)
    except OSError:
        return  # cannot restart: run as we are, with the caches


def drop_pyside_import_hook() -> bool:
    """Restore the interpreter's import if PySide's feature hook is the one in place (never
    someone else's hook). True when it was dropped. Imports PySide6 (which installs it)."""
    import PySide6.QtCore  # noqa: F401  (installs the hook taken out here)

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


__all__ = [
    "SWITCH_ENV",
    "drop_pyside_import_hook",
    "enabled",
    "freeze_start_up_objects",
    "limit_malloc_arenas",
    "restart_without_thread_caches",
]
