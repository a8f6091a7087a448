"""The GUI's notification ledger: answers from memory, writes through to the real store."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pytest
from pytestqt.qtbot import QtBot

from trayapp.core.model import Stage
from trayapp.store import StateStore
from trayapp.ui.ledger import MemoryLedger
from trayapp.ui.tasks import TaskRunner

pytestmark = pytest.mark.gui

DEADLINE = datetime(2024, 6, 3, 18, 0, tzinfo=timezone(timedelta(hours=9)))


def test_marks_are_remembered_at_once_and_reach_the_store(tmp_path: Path, qtbot: QtBot) -> None:
    store = StateStore(tmp_path)
    runner = TaskRunner("test-ledger")
    try:
        store.mark_notified("before", Stage.URGENT, DEADLINE)
        ledger = MemoryLedger(store, runner.submit)
        assert ledger.was_notified("before", Stage.URGENT, DEADLINE.astimezone(UTC))
        assert not ledger.was_notified("new", Stage.WARNING, DEADLINE)
        assert ledger.mark_notified("new", Stage.WARNING, DEADLINE) is True
        assert ledger.mark_notified("new", Stage.WARNING, DEADLINE) is False  # once
        assert ledger.was_notified("new", Stage.WARNING, DEADLINE)
        assert runner.close(wait=5)
        assert store.was_notified("new", Stage.WARNING, DEADLINE)
        # A new start reads what the last one marked.
        assert MemoryLedger(store, runner.submit).was_notified("new", Stage.WARNING, DEADLINE)
    finally:
        store.close()
