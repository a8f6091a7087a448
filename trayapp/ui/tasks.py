"""Blocking work off the GUI thread, results back on it (in the spirit of Electrum's TaskThread).

    tasks = TaskRunner("ippo-keyring")          # built by the composition root, passed in
    tasks.submit(lambda: secrets.get_password(name), on_done=show, on_error=complain,
                 owner=dialog)

One worker thread per runner runs the jobs in the order they were submitted (so a store write
and the refresh after it stay in order); `on_done(result)` / `on_error(exception)` run on the
GUI thread. A task with an `owner` is cancelled when the owner is destroyed, and when a
QDialog owner closes (accept, reject, the window's X): a dialog closed early is never handed a
result. `Task.cancel()` drops one; it also sets the task's `stop` event, which a long job (a
browser sign-in) watches to end at once. When the runner itself is deleted, results still in
flight are dropped too.

The worker emits through a relay object created on the worker thread itself: the thread never
touches the runner, so a runner deleted mid-job cannot crash the worker, and Qt drops the
queued delivery of a receiver that is gone. The one connection between relay and runner is
cut by whichever ends first (`_Link`), so the two are never destroyed while connected: the
runner deleted on the GUI thread at the moment its worker ended and deleted the relay made
PySide read a half-destroyed object (the rare segfault of tests/gui, about 1 run in 6 of
test_tasks.py).

A job, its result and its error are let go on the GUI thread, never on the worker: a job's
closure may hold the last reference to a Qt object (a controller with a timer), and one
destroyed on the worker thread left a dangling timer that crashed the GUI thread. So the
worker hands them over in one list, which the GUI thread empties when it delivers it; where
the runner is gone before that, the worker keeps the list rather than let go of it there.
"""

from __future__ import annotations

import logging
import queue
import threading
from collections.abc import Callable
from typing import Any, Generic, TypeVar

from PySide6.QtCore import QMetaObject, QObject, Qt, Signal, Slot
from PySide6.QtWidgets import QDialog

log = logging.getLogger(__name__)

T = TypeVar("T")


class Task(Generic[T]):
    """One submitted job. `cancel()` (GUI thread) drops its result; the job itself still runs."""

    def __init__(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], None] | None,
        on_error: Callable[[BaseException], None] | None,
        stop: threading.Event | None = None,
    ) -> None:
        self.job = job
        self.on_done = on_done
        self.on_error = on_error
        self.cancelled = False
        self.finished = False
        self._stop = stop  # made on first use: most jobs never look (a burst of 2,000 writes)
        # The owner's signals that cancel this task: let go once it is delivered, so a
        # long-lived owner (a controller running a job every few minutes) gathers none.
        self.links: list[QMetaObject.Connection] = []

    @property
    def stop(self) -> threading.Event:
        """The event `cancel()` sets (GUI thread)."""
        if self._stop is None:
            self._stop = threading.Event()
            if self.cancelled:
                self._stop.set()
        return self._stop

    def cancel(self) -> None:
        self.cancelled = True
        if self._stop is not None:
            self._stop.set()


class _Relay(QObject):
    """Lives on the worker thread; its signal is queued to the runner on the GUI thread."""

    done = Signal(object)  # [task, ok, result or exception], emptied on the GUI thread


class _Link:
    """The relay→runner connection, cut once, under a lock, by the side that ends first."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self._connection: QMetaObject.Connection | None = None
        self.runner_gone = False

    def hold(self, connection: QMetaObject.Connection) -> None:
        with self.lock:
            self._connection = connection

    def cut(self, runner_gone: bool = False) -> None:
        with self.lock:
            self.runner_gone = self.runner_gone or runner_gone
            if self._connection is not None:
                QObject.disconnect(self._connection)
                self._connection = None


# Hand-overs whose runner was destroyed before it took them: kept, never let go of on a
# worker thread (see the module's docstring). Only a runner deleted mid-job adds one.
_UNCLAIMED: list[list[Any]] = []


class TaskRunner(QObject):
    """Runs blocking jobs on one worker thread, in order; delivers on the GUI thread."""

    def __init__(self, name: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._name = name
        self._jobs: queue.SimpleQueue[Task[Any] | None] = queue.SimpleQueue()
        self._thread: threading.Thread | None = None
        self._outstanding: set[Task[Any]] = set()
        self._closed = False
        # Started now, not at the first submit: a click never waits for a thread to start.
        self._start()

    def submit(
        self,
        job: Callable[[], T],
        on_done: Callable[[T], None] | None = None,
        on_error: Callable[[BaseException], None] | None = None,
        *,
        owner: QObject | None = None,
        stop: threading.Event | None = None,
    ) -> Task[T]:
        """Queue `job`; never blocks. Without `on_error` a failure is logged. `owner`: the
        window the result is for (see above). `stop`: the event `cancel()` sets (the job
        holds it, so it can end early); by default one of the task's own."""
        task: Task[T] = Task(job, on_done, on_error, stop)
        if self._closed:
            task.cancel()
            return task
        if owner is not None:
            task.links.append(owner.destroyed.connect(lambda *_: task.cancel()))
            if isinstance(owner, QDialog):
                task.links.append(owner.finished.connect(lambda *_: task.cancel()))
        self._outstanding.add(task)
        self._jobs.put(task)
        return task

    def _start(self) -> None:
        ready = threading.Event()
        made: list[_Relay] = []
        link = _Link()
        # The thread gets no reference to the runner: it may be deleted (with its dialog)
        # while a job runs, and must never be deleted from the worker's side.
        self._thread = threading.Thread(
            target=_work, args=(self._jobs, made, ready, link), name=self._name, daemon=True
        )
        self._thread.start()
        ready.wait()  # the relay exists (a thread start); connected before any job is queued
        link.hold(made[0].done.connect(self._deliver, Qt.ConnectionType.QueuedConnection))
        # Emitted first thing in the runner's destructor, before Qt tears its connections.
        self.destroyed.connect(lambda *_: link.cut(runner_gone=True))

    def busy(self) -> bool:
        """A job submitted here has not been delivered yet."""
        return any(not t.cancelled for t in self._outstanding)

    def cancel_all(self) -> None:
        for task in self._outstanding:
            task.cancel()

    def close(self, wait: float = 0.0) -> bool:
        """Drop every pending delivery; the worker ends once the jobs already submitted have
        run. `wait` > 0 (at exit, after the event loop: a store about to be closed) waits that
        long for them. True when the worker has ended (or never started)."""
        self.cancel_all()
        if not self._closed:
            self._closed = True
            self._jobs.put(None)
        thread = self._thread
        if thread is None:
            return True
        if wait > 0:
            thread.join(wait)
        return not thread.is_alive()

    # -- GUI thread

    @Slot(object)
    def _deliver(self, outcome: list[Any]) -> None:
        task, ok, value = outcome
        outcome.clear()  # what the worker handed over is now held here only
        self._outstanding.discard(task)
        task.finished = True
        for link in task.links:
            QObject.disconnect(link)  # (False, harmlessly, when the owner is gone)
        task.links.clear()
        if task.cancelled:
            return
        try:
            if ok:
                if task.on_done is not None:
                    task.on_done(value)
            elif task.on_error is not None:
                assert isinstance(value, BaseException)
                task.on_error(value)
            else:
                error = value if isinstance(value, BaseException) else None
                log.error("%s: a background job failed", self._name, exc_info=error)
        except Exception:
            log.exception("%s: a result handler failed", self._name)


def _work(
    jobs: queue.SimpleQueue[Task[Any] | None],
    made: list[_Relay],
    ready: threading.Event,
    link: _Link,
) -> None:
    """The worker thread: runs every job in order, reports through a relay of its own."""
    relay = _Relay()  # belongs to this thread, and is deleted on it
    made.append(relay)
    ready.set()
    while True:
        task = jobs.get()
        if task is None:
            break
        # A cancelled task still runs (a store write must not be lost); only its result is
        # dropped.
        try:
            outcome: list[Any] = [task, True, task.job()]
        except BaseException as error:  # delivered to on_error, as is
            outcome = [task, False, error]
        del task  # from here on only `outcome` holds the job (see the module's docstring)
        relay.done.emit(outcome)
        with link.lock:  # a runner being destroyed waits: its queued delivery still holds it
            if link.runner_gone and outcome:
                _UNCLAIMED.append(outcome)
            del outcome
    link.cut()  # then the relay goes alone (see the module's docstring)
    made.clear()
    del relay


__all__ = ["Task", "TaskRunner"]
