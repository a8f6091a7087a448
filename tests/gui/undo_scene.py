"""Run under a real X display: the pending list just after "Answered (D)" with its undo bar,
the "Recently set aside" list, or the ignored senders, in the given language; prints 'shown',
then waits to be screenshotted. The writes go to a StateStore in a temporary folder.

    python -m tests.gui.undo_scene undo|set-aside|ignored LANG
"""

from __future__ import annotations

import sys
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from PySide6.QtCore import QTimer
from PySide6.QtWidgets import QApplication

from trayapp.core.model import AccountHealth, HealthState
from trayapp.store.db import StateStore
from trayapp.ui.i18n import LanguageSwitcher
from trayapp.ui.ignored_senders import IgnoredSendersDialog
from trayapp.ui.pending_window import PendingWindow
from trayapp.ui.set_aside_dialog import SetAsideDialog
from trayapp.ui.set_aside_log import SetAsideLog
from trayapp.ui.tasks import TaskRunner

from .helpers import sample_items


def main() -> int:
    scene, language = sys.argv[1], sys.argv[2]
    app = QApplication(sys.argv[:1])
    LanguageSwitcher(app).apply(language)
    folder = tempfile.TemporaryDirectory()
    store = StateStore(Path(folder.name))
    tasks = TaskRunner("scene-store")
    log = SetAsideLog(store, tasks, lambda: None, lambda error: print(error, flush=True))
    now = datetime.now(UTC)
    items = sample_items(now)
    window = PendingWindow(clock=lambda: datetime.now(UTC))
    log.set_aside_made.connect(window.hide_set_aside)
    log.put_back_made.connect(window.show_put_back)
    window.undo_requested.connect(lambda entry: log.put_back(entry) if entry else log.undo_last())
    window.set_items(items)
    window.set_health({"shop": AccountHealth(HealthState.CONNECTED)})
    window.move(40, 40)
    window.show()
    by_id = {i.id: i for i in items}
    shown: list[object] = [window]
    if scene == "undo":
        window.select_item("urgent")
        log.set_aside("answered", by_id["urgent"])  # what D does
    elif scene == "set-aside":
        log.set_aside("answered", by_id["urgent"])
        log.set_aside("not_inquiry", by_id["calm"])
        log.set_aside("ignore_sender", by_id["overdue"])
        dialog = SetAsideDialog(log, tasks=tasks)
        dialog.move(520, 40)
        dialog.show()
        shown.append(dialog)
    else:
        store.ignore_sender("shop", "offers@spam.example")
        store.ignore_sender("shop", "news@letters.example.jp")
        store.ignore_sender("support", "noreply-ish@example.com")

        def load() -> list[tuple[str, str]]:
            return [(n, a) for n in ("shop", "support") for a in sorted(store.ignored_senders(n))]

        ignored = IgnoredSendersDialog(load, store.unignore_sender, tasks=tasks)
        ignored.move(520, 40)
        ignored.show()
        shown.append(ignored)

    def shown_now() -> None:
        if window.undo_bar.isVisible():
            print("bar=" + window.undo_bar.label.toolTip(), flush=True)
        print("shown", flush=True)

    QTimer.singleShot(1200, shown_now)
    QTimer.singleShot(60_000, app.quit)
    code = app.exec()
    tasks.close(wait=2.0)
    store.close()
    folder.cleanup()
    return code


if __name__ == "__main__":
    sys.exit(main())
