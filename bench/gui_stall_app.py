"""bench_gui_stall.py's subject: the real tray app (trayapp.app.build_app: the real
WatchService, keyring, store, notifications) with a heartbeat on its GUI thread, driven by
line commands on stdin:

    mark | stall | items | connected      the heartbeat window; what the app shows
    gc                                    the longest garbage collection since mark
    open                                  build a fresh list and show it; answers
                                          "painted MS" once its rows were first painted
    show | hide                           the kept list
    answered K | not_inquiry K            the user's click on the first K waiting items
    remove NAME                           remove an inbox (after the confirmation)
    heap                                  Python's live blocks and the most common types
    mem                                   where the resident memory is: smaps_rollup (anon,
                                          file), glibc's heap (mallinfo2: in use, free kept),
                                          pymalloc arenas, traced Python memory
    why                                   with IPPO_BENCH_SAMPLE=1: where the GUI thread's
                                          Python stack was during the worst stall since
                                          mark (a sampling thread, every millisecond)
    profile on|off [NAME]                 cProfile of the GUI thread (to $IPPO_BENCH_PROFILE,
                                          or to the directory's NAME.txt when it is one)
    trim                                  diagnosis: glibc's malloc_trim(0), then `mem`
    pools                                 pymalloc's size classes with 8 pools or more
    collect                               diagnosis: a full gc.collect() (it also empties
                                          the interpreter's free lists), then `mem`
    small                                 small objects by kind, grown since the first `small`
    modules                               the modules imported since the last `modules`
    record                                "record V R": V 1 once the weekly record was computed,
                                          R 1 while a computation runs
    top                                   with IPPO_BENCH_TRACEMALLOC=N: what Python allocated
                                          since the first `top` (tracemalloc, N frames deep,
                                          the 30 with the most blocks)
    quit

    python bench/gui_stall_app.py CONFIG_DIR
"""

from __future__ import annotations

import collections
import cProfile
import ctypes
import gc
import io
import os
import pstats
import sys
import threading
import time
import tracemalloc
import types
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from trayapp import memory_tricks  # noqa: E402

memory_tricks.restart_without_thread_caches()  # the process as cli.main starts the app

# isort: split

from gui_heartbeat import Commands, Heartbeat, reply  # noqa: E402
from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402

from trayapp.app import build_app, make_application  # noqa: E402
from trayapp.config import ConfigStore  # noqa: E402
from trayapp.core.model import HealthState, ItemState  # noqa: E402
from trayapp.desktop.secrets import KeyringSecretStore  # noqa: E402
from trayapp.logs import setup_logging  # noqa: E402
from trayapp.ui.i18n import LanguageSwitcher  # noqa: E402


class FirstPaint(QObject):
    """Answers 'painted MS' after the watched widget's first paint since `started`."""

    def __init__(self, started: float) -> None:
        super().__init__()
        self._started = started
        self._done = False

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if event.type() == QEvent.Type.Paint and not self._done:
            self._done = True
            started = self._started
            # After this paint event is handled: the next turn of the loop.
            QTimer.singleShot(
                0, lambda: reply(f"painted {(time.perf_counter() - started) * 1000:.1f}")
            )
        return False


class GcPauses:
    """The longest garbage collection since `mark` (any thread's: it holds the GIL)."""

    def __init__(self) -> None:
        self.worst = 0.0
        self._started = 0.0
        gc.callbacks.append(self._note)

    def _note(self, phase: str, _info: dict[str, int]) -> None:
        if phase == "start":
            self._started = time.perf_counter()
        else:
            self.worst = max(self.worst, (time.perf_counter() - self._started) * 1000)


class MallInfo2(ctypes.Structure):
    _fields_ = [
        (name, ctypes.c_size_t)
        for name in (
            "arena", "ordblks", "smblks", "hblks", "hblkhd", "usmblks", "fsmblks",
            "uordblks", "fordblks", "keepcost",
        )
    ]  # fmt: skip


def pymalloc_stats() -> str:
    """sys._debugmallocstats' text (the C code prints it to stderr)."""
    read_fd, write_fd = os.pipe()
    saved = os.dup(2)
    os.dup2(write_fd, 2)
    try:
        sys._debugmallocstats()
    finally:
        os.dup2(saved, 2)
        os.close(saved)
        os.close(write_fd)
    with open(read_fd, encoding="utf-8", errors="replace") as f:
        return f.read()


def pool_report() -> str:
    """pymalloc's size classes with 8 pools or more: size, pools, blocks in use, free blocks
    (many pools with few blocks in use: the objects that keep arenas alive)."""
    rows = []
    for line in pymalloc_stats().splitlines():
        parts = line.split()
        if len(parts) == 5 and all(p.isdigit() for p in parts) and int(parts[2]) >= 8:
            rows.append(f"{parts[1]}B:{parts[2]}p/{parts[3]}u/{parts[4]}f")
    return "pools " + " ".join(rows)


class SmallObjects:
    """Objects of pymalloc's busiest size classes reachable from the collector's objects
    (through untracked containers too), by kind, as a change since the first call: what a
    burst left behind."""

    HAS_GC = 1 << 14  # Py_TPFLAGS_HAVE_GC: the object has a 16-byte GC header in front

    def __init__(self) -> None:
        self._first: Counter[str] | None = None

    def __call__(self) -> str:
        gc.collect()
        seen: set[int] = set()
        kinds: Counter[str] = Counter()
        todo = list(gc.get_objects())
        while todo:
            obj = todo.pop()
            if id(obj) in seen:
                continue
            seen.add(id(obj))
            has_gc = bool(type(obj).__flags__ & self.HAS_GC)
            if has_gc:
                todo.extend(gc.get_referents(obj))
            size = (sys.getsizeof(obj) + (16 if has_gc else 0) + 15) // 16 * 16
            if size not in (48, 64, 80, 96, 112):
                continue
            kind = type(obj).__name__
            if isinstance(obj, str):
                kind = f"str{len(obj)}"
            elif isinstance(obj, tuple):
                kind = "tuple(" + ",".join(type(o).__name__ for o in obj) + ")"
            kinds[f"{size}:{kind}"] += 1
        del seen, todo
        if self._first is None:
            self._first = kinds
            return "small first"
        grown = (kinds - self._first).most_common(14)
        return "small " + " ".join(f"{k}={n}" for k, n in grown)


def memory_report() -> str:
    """Where the resident memory is (diagnosis only: glibc's mallinfo2, pymalloc's stats)."""
    rollup = {}
    with open(f"/proc/{os.getpid()}/smaps_rollup") as f:
        for line in f:
            parts = line.split()
            if len(parts) == 3 and parts[2] == "kB":
                rollup[parts[0].rstrip(":")] = int(parts[1])
    libc = ctypes.CDLL(None)
    libc.mallinfo2.restype = MallInfo2
    info = libc.mallinfo2()
    stats = pymalloc_stats()  # pymalloc's arena count, from its own statistics
    arenas = next(
        (
            line.split("=")[-1].strip()
            for line in stats.splitlines()
            if "arenas allocated current" in line
        ),
        "?",
    )
    traced = tracemalloc.get_traced_memory()[0] // 1024 if tracemalloc.is_tracing() else -1
    try:  # SQLite's own count of what it holds (page caches, prepared statements)
        sqlite = ctypes.CDLL("libsqlite3.so.0")
        sqlite.sqlite3_memory_used.restype = ctypes.c_int64
        sqlite_kib = sqlite.sqlite3_memory_used() // 1024
    except (OSError, AttributeError):
        sqlite_kib = -1
    mib = 1024
    return (
        f"mem rss={rollup.get('Rss', 0) / mib:.1f} anon={rollup.get('Anonymous', 0) / mib:.1f}"
        f" file={(rollup.get('Rss', 0) - rollup.get('Anonymous', 0)) / mib:.1f}"
        f" heap_arena={info.arena / 2**20:.1f} heap_used={info.uordblks / 2**20:.1f}"
        f" heap_free={info.fordblks / 2**20:.1f} heap_top_free={info.keepcost / 2**20:.1f}"
        f" mmapped={info.hblkhd / 2**20:.1f} pymalloc_arenas={arenas} traced_kib={traced}"
        f" sqlite_kib={sqlite_kib}"
    )


class GuiProfile:
    """cProfile of the GUI thread between `profile on` and `profile off` (the top lines by
    own time go to the file named in IPPO_BENCH_PROFILE, or stderr)."""

    def __init__(self) -> None:
        self._profile: cProfile.Profile | None = None

    def __call__(self, switch: str, name: str = "") -> str:
        if switch == "on":
            self._profile = cProfile.Profile()
            self._profile.enable()
            return "profile on"
        profile, self._profile = self._profile, None
        if profile is None:
            return "profile off"
        profile.disable()
        out = io.StringIO()
        stats = pstats.Stats(profile, stream=out)
        stats.sort_stats("tottime").print_stats(25)
        stats.sort_stats("cumulative").print_stats(40)
        target = os.environ.get("IPPO_BENCH_PROFILE")
        if target and name and os.path.isdir(target):
            target = os.path.join(target, f"{name}.txt")
        if target:
            with open(target, "a", encoding="utf-8") as f:
                f.write(out.getvalue())
        else:
            print(out.getvalue(), file=sys.stderr)
        return "profile off"


def _where(frame: types.FrameType) -> str:
    return f"{frame.f_code.co_filename.rsplit('/', 2)[-1]}:{frame.f_code.co_name}"


class StackSampler:
    """Where the GUI thread was, sampled every millisecond by a daemon thread (it must take
    the GIL to look, so it perturbs what it measures a little: diagnosis only)."""

    def __init__(self) -> None:
        self._gui = threading.get_ident()
        self._samples: collections.deque[tuple[float, tuple[str, ...]]] = collections.deque(
            maxlen=200_000
        )
        threading.Thread(target=self._run, name="stack-sampler", daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(0.001)
            frames = sys._current_frames()
            stack: list[str] = []
            frame = frames.get(self._gui)
            while frame is not None and len(stack) < 40:
                stack.append(_where(frame))
                frame = frame.f_back
            # The other threads' innermost three frames (who else was running).
            for ident, other in frames.items():
                if ident not in (self._gui, threading.get_ident()):
                    inner = [other, other.f_back, other.f_back.f_back if other.f_back else None]
                    stack.append("other:" + "<".join(_where(f) for f in inner if f is not None))
            self._samples.append((time.perf_counter(), tuple(stack)))

    def report(self, window: tuple[float, float]) -> str:
        start, end = window
        inside = [stack for at, stack in list(self._samples) if start <= at <= end]
        if not inside:
            return "why none"
        # Each function counted once per sample it is on the stack in: the share of the stall.
        counts: Counter[str] = Counter()
        for stack in inside:
            counts.update(set(stack))
        top = " | ".join(f"{name} {n}" for name, n in counts.most_common(60))
        return f"why {len(inside)} samples over {(end - start) * 1000:.0f} ms: {top}"


class TraceDiff:
    """What Python allocated since the first call (tracemalloc, by line)."""

    def __init__(self) -> None:
        self._first: tracemalloc.Snapshot | None = None

    def __call__(self) -> str:
        if not tracemalloc.is_tracing():
            return "top off"
        gc.collect()
        snap = tracemalloc.take_snapshot().filter_traces(
            [tracemalloc.Filter(False, tracemalloc.__file__)]
        )
        if self._first is None:
            self._first = snap
            return "top first"
        # The most objects first: a few thousand small ones can pin more arenas than a big one.
        # With IPPO_BENCH_TRACEMALLOC=N > 1, each line names its N innermost calls.
        # Then the most bytes: what holds the heap (a grown dict or list is one object).
        diff = snap.compare_to(self._first, "traceback")
        by_count = sorted(diff, key=lambda s: -s.count_diff)[:30]
        by_size = sorted(diff, key=lambda s: -s.size_diff)[:20]
        return "top " + " | ".join(
            "<".join(f"{f.filename.rsplit('/', 1)[-1]}:{f.lineno}" for f in s.traceback)
            + f" {s.size_diff / 1024:+.0f}KiB {s.count_diff:+d}"
            for s in (*by_count, *by_size)
        )


class NewModules:
    """The modules imported since the last call (code a burst loads for the first time)."""

    def __init__(self) -> None:
        self._known = set(sys.modules)

    def __call__(self) -> str:
        new = sorted(set(sys.modules) - self._known)
        self._known.update(new)
        return f"modules {len(new)} {' '.join(new)}"


def main() -> int:
    frames = int(os.environ.get("IPPO_BENCH_TRACEMALLOC") or 0)
    if frames:
        tracemalloc.start(frames)
    config_dir = Path(sys.argv[1])
    memory_tricks.limit_malloc_arenas()  # the process as run_gui sets it up
    setup_logging(config_dir, verbose=False)
    qapp = make_application()
    languages = LanguageSwitcher(qapp)
    languages.apply("en")
    config = ConfigStore(config_dir)
    app = build_app(config=config, secrets=KeyringSecretStore(), languages=languages)
    app.start()
    memory_tricks.freeze_start_up_objects()  # as run_gui does once start-up is done
    beat = Heartbeat()
    sampler = StackSampler() if os.environ.get("IPPO_BENCH_SAMPLE") else None
    pauses = GcPauses()
    painters: list[FirstPaint] = []

    def mark() -> str:
        beat.mark()
        pauses.worst = 0.0
        return "ok"

    def connected() -> str:
        snapshot = app.bridge.snapshot
        health = snapshot.health.values() if snapshot is not None else ()
        return f"connected {sum(h.state is HealthState.CONNECTED for h in health)}"

    def show(fresh: bool) -> None:
        started = time.perf_counter()
        if fresh and app.has_list():
            # Not `app.pending`: that would first catch the old, hidden list up (a fill the
            # user never waits for), inside the measured window.
            old = app._pending
            assert old is not None
            app._pending = None  # the next show builds a new list (the worst case)
            old.close()
            old.deleteLater()
        painter = FirstPaint(started)
        painters[:] = [painter]
        window = app.pending
        target = window.list.viewport() if window.list.isVisibleTo(window) else window
        target.installEventFilter(painter)
        app.show_list()

    def hide() -> str:
        if app.has_list():
            app.pending.hide()
        return "ok"

    def act(kind: str, count: str) -> str:
        waiting = [i for i in app.bridge.items if i.state is ItemState.WAITING][: int(count)]
        for item in waiting:
            if kind == "answered":
                app.mark_answered(item.id)
            else:
                app.not_an_inquiry(item.id)
        return f"ok {len(waiting)}"

    def heap() -> str:
        # What Python itself still holds (tells retained objects from allocator high water).
        objects = gc.get_objects()
        counts = Counter(type(o).__name__ for o in objects)
        top = ",".join(f"{name}={n}" for name, n in counts.most_common(8))
        # The commonest list shapes (length, first element's type): who keeps many of them.
        shapes = Counter(
            f"{len(o)}x{type(o[0]).__name__ if o else '-'}" for o in objects if type(o) is list
        )
        lists = ",".join(f"{shape}={n}" for shape, n in shapes.most_common(4))
        return f"heap {sys.getallocatedblocks()} {top} lists:{lists}"

    def quit_app() -> str:
        QTimer.singleShot(0, qapp.quit)
        return "bye"

    commands = Commands(
        {
            "mark": mark,
            "stall": lambda: f"stall {beat.worst_ms():.1f}",
            "gc": lambda: f"gc {pauses.worst:.1f}",
            "items": lambda: f"items {len(app.bridge.items)}",
            "connected": connected,
            "open": lambda: show(True),
            "show": lambda: show(False),
            "hide": hide,
            "answered": lambda k: act("answered", k),
            "not_inquiry": lambda k: act("not_inquiry", k),
            "remove": lambda name: app.forget_account(name) or "ok",
            "heap": heap,
            "mem": memory_report,
            "top": TraceDiff(),
            "modules": NewModules(),
            "pools": pool_report,
            "collect": lambda: f"collect {gc.collect()} {memory_report()}",
            "small": SmallObjects(),
            "record": lambda: (
                f"record {int(app.record is not None and app.record.view is not None)}"
                f" {int(app.record is not None and app.record.running)}"
            ),
            "profile": GuiProfile(),
            "why": lambda: sampler.report(beat.worst_window) if sampler else "why off",
            "trim": lambda: f"trim {ctypes.CDLL(None).malloc_trim(0)} {memory_report()}",
            "ping": lambda: "pong",
            "quit": quit_app,
        }
    )
    try:
        return qapp.exec()
    finally:
        app.shutdown()
        del commands


if __name__ == "__main__":
    sys.exit(main())
