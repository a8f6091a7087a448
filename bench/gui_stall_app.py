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
    quit

    python bench/gui_stall_app.py CONFIG_DIR
"""

from __future__ import annotations

import gc
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from gui_heartbeat import Commands, Heartbeat, reply  # noqa: E402
from PySide6.QtCore import QEvent, QObject, QTimer  # noqa: E402

from trayapp import memory_tricks  # noqa: E402
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


def main() -> int:
    config_dir = Path(sys.argv[1])
    memory_tricks.limit_malloc_arenas()  # the process as run_gui sets it up
    setup_logging(config_dir, verbose=False)
    qapp = make_application()
    languages = LanguageSwitcher(qapp)
    languages.apply("en")
    config = ConfigStore(config_dir)
    app = build_app(config=config, secrets=KeyringSecretStore(), languages=languages)
    app.start()
    beat = Heartbeat()
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
            old = app.pending
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
