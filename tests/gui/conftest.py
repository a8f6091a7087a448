"""GUI tests run offscreen unless a display is chosen explicitly (e.g. under Xvfb)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

if TYPE_CHECKING:
    from trayapp.ui.tasks import TaskRunner


@pytest.fixture
def tasks(qapp: object) -> Iterator[TaskRunner]:
    """The TaskRunner a dialog is given (in the app: one the composition root builds)."""
    from trayapp.ui.tasks import TaskRunner

    runner = TaskRunner("test-dialog-tasks")
    yield runner
    runner.close()
