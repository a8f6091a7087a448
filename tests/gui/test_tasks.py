"""TaskRunner: blocking jobs run off the GUI thread, in order; results come back on it; a
runner deleted with its dialog (or a cancelled task) delivers nothing and crashes nothing."""

from __future__ import annotations

import threading

import pytest
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QWidget
from pytestqt.qtbot import QtBot

from trayapp.ui.tasks import TaskRunner

pytestmark = pytest.mark.gui


def test_jobs_run_off_the_gui_thread_in_order_and_results_arrive_on_it(qtbot: QtBot) -> None:
    runner = TaskRunner("test-tasks")
    ran_on: list[threading.Thread] = []
    delivered: list[tuple[int, bool]] = []

    def job(n: int) -> int:
        ran_on.append(threading.current_thread())
        return n

    for n in range(5):
        runner.submit(
            lambda n=n: job(n),
            on_done=lambda r: delivered.append(
                (r, threading.current_thread() is threading.main_thread())
            ),
        )
    assert runner.busy()
    qtbot.waitUntil(lambda: len(delivered) == 5)
    assert delivered == [(n, True) for n in range(5)]
    assert all(t is not threading.main_thread() for t in ran_on)
    assert len({t.ident for t in ran_on}) == 1  # one worker, in submission order
    assert not runner.busy()
    runner.close()


def test_a_failure_reaches_on_error_as_the_exception(qtbot: QtBot) -> None:
    runner = TaskRunner("test-tasks")
    errors: list[BaseException] = []

    def fail() -> None:
        raise ValueError("the keyring is locked")

    runner.submit(
        fail, on_done=lambda _r: errors.append(AssertionError("done")), on_error=errors.append
    )
    qtbot.waitUntil(lambda: bool(errors))
    assert isinstance(errors[0], ValueError) and str(errors[0]) == "the keyring is locked"
    runner.close()


def test_a_dialog_closed_early_gets_no_result(qtbot: QtBot) -> None:
    dialog = QWidget()
    runner = TaskRunner("test-tasks", dialog)
    release = threading.Event()
    finished = threading.Event()
    delivered: list[object] = []

    def slow() -> str:
        release.wait(10)
        finished.set()
        return "late"

    runner.submit(slow, on_done=delivered.append)
    destroyed: list[bool] = []
    runner.destroyed.connect(lambda *_: destroyed.append(True))
    dialog.deleteLater()  # closed while the job still runs
    qtbot.waitUntil(lambda: bool(destroyed))
    release.set()
    assert finished.wait(5)
    qtbot.wait(50)  # the queued delivery (if any) would have run by now
    assert delivered == []


def test_a_cancelled_task_delivers_nothing_and_later_ones_still_do(qtbot: QtBot) -> None:
    runner = TaskRunner("test-tasks")
    gate = threading.Event()
    delivered: list[str] = []
    first = runner.submit(lambda: gate.wait(10) and "first", on_done=delivered.append)
    runner.submit(lambda: "second", on_done=delivered.append)
    first.cancel()
    gate.set()
    qtbot.waitUntil(lambda: delivered == ["second"])
    runner.close()
    closed = runner.submit(lambda: "after close", on_done=delivered.append)
    assert closed.cancelled


def test_closing_still_runs_what_was_submitted(qtbot: QtBot) -> None:
    """A dismissal submitted just before exit is written: close drops results, not jobs."""
    runner = TaskRunner("test-tasks")
    gate = threading.Event()
    written: list[str] = []
    runner.submit(lambda: gate.wait(10))
    runner.submit(lambda: written.append("dismissal"))
    gate.set()
    assert runner.close(wait=5)
    assert written == ["dismissal"]


@pytest.mark.parametrize("how", ["closed", "deleted"])
def test_a_task_owned_by_a_dialog_is_dropped_when_the_dialog_goes(qtbot: QtBot, how: str) -> None:
    """The runner outlives the dialog (the app's): the owner's close or deletion cancels the
    delivery, and its stop event tells the job; other owners' results still arrive."""
    runner = TaskRunner("test-tasks")
    dialog = QDialog()
    gate = threading.Event()
    delivered: list[str] = []
    task = runner.submit(lambda: gate.wait(10) and "late", on_done=delivered.append, owner=dialog)
    other = QDialog()
    qtbot.addWidget(other)
    runner.submit(lambda: "other", on_done=delivered.append, owner=other)
    if how == "closed":
        dialog.show()
        dialog.reject()
    else:
        dialog.deleteLater()
        qtbot.waitUntil(lambda: task.cancelled)
    assert task.cancelled and task.stop.is_set()
    gate.set()
    qtbot.waitUntil(lambda: delivered == ["other"])
    runner.close()


def test_a_long_lived_owner_gathers_no_connections(qtbot: QtBot) -> None:
    """A controller that runs a job every few minutes: each delivered task lets go of the
    owner's signal, so nothing piles up over days."""
    runner = TaskRunner("test-tasks")
    owner = QDialog()
    qtbot.addWidget(owner)
    delivered: list[int] = []
    tasks = [runner.submit(lambda n=n: n, on_done=delivered.append, owner=owner) for n in range(20)]
    qtbot.waitUntil(lambda: len(delivered) == 20)
    assert all(t.links == [] for t in tasks)
    assert owner.receivers("2destroyed(QObject*)") <= 1  # (Qt's own, if any)
    assert owner.receivers("2finished(int)") == 0
    runner.close()


def test_what_a_job_holds_is_let_go_on_the_gui_thread(qtbot: QtBot) -> None:
    """A job's closure may hold the last reference to a Qt object (the record controller and
    its timer): it must be destroyed on the GUI thread, never on the worker (a timer left
    behind by an object destroyed there crashed the GUI thread)."""
    runner = TaskRunner("test-tasks")
    destroyed_on: list[threading.Thread] = []
    done: list[object] = []

    def destroyed(*_args: object) -> None:
        destroyed_on.append(threading.current_thread())

    for n in range(10):
        holder = QObject()  # owned by Python alone: the job's closure is its last holder
        holder.destroyed.connect(destroyed)
        runner.submit(lambda holder=holder, n=n: n, on_done=done.append)  # type: ignore[misc]
        del holder
        qtbot.waitUntil(lambda n=n: len(done) == n + 1)  # type: ignore[misc]
    assert runner.close(wait=5)  # the worker has moved on from the last job, and ended
    qtbot.waitUntil(lambda: len(destroyed_on) == 10)
    assert {t.name for t in destroyed_on} == {threading.main_thread().name}
