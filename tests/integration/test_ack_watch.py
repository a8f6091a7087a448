"""After `ippo ack`, the item stays on the watch list as `acknowledged` with its own promise
countdown: `ippo watch` shows the same promise `ippo pending` does (one shared merge)."""

from __future__ import annotations

import json
import queue
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.integration.test_ack_crash import Cli, setup  # noqa: F401  (fixture)
from tests.support.dovecot import DovecotUser

pytestmark = [pytest.mark.integration, pytest.mark.slow]


def first_watch_line_with_items(cli: Cli, timeout: float = 30) -> dict[str, object]:
    """The first `ippo watch` line, once connected, that lists something; fails after
    `timeout` seconds with the last line seen."""
    proc = subprocess.Popen(
        cli.args("watch", "--json"),
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
        env=cli.env,
        cwd=Path(__file__).parents[2],
    )
    lines: queue.Queue[str] = queue.Queue()
    assert proc.stdout is not None
    reader = threading.Thread(target=lambda: [lines.put(x) for x in proc.stdout or ()])
    reader.start()
    last: dict[str, object] = {}
    deadline = time.monotonic() + timeout
    try:
        while (left := deadline - time.monotonic()) > 0:
            try:
                last = json.loads(lines.get(timeout=left))
            except queue.Empty:
                break
            accounts = last["accounts"]
            assert isinstance(accounts, dict)
            if last["pending"] and all(h["state"] == "connected" for h in accounts.values()):
                return last
        raise AssertionError(f"no connected line listing the item within {timeout}s: {last}")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
        reader.join(timeout=10)


def test_watch_shows_the_acknowledged_promise(
    setup: tuple[Cli, DovecotUser, DovecotUser, str],  # noqa: F811
) -> None:
    cli, _shop, _customer, item_id = setup
    sent = cli.run("ack", item_id, "--promise", "2d")
    assert sent.returncode == 0, sent.stderr

    pending = json.loads(cli.run("pending", "--json").stdout)
    snapshot = first_watch_line_with_items(cli)
    [watched] = snapshot["pending"]  # type: ignore[misc]
    assert watched["id"] == item_id
    assert watched["state"] == "acknowledged"
    assert watched["promise_due_at"] == pending[0]["promise_due_at"]
    assert watched["promise_due_at"] is not None
