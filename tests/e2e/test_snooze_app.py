"""Snooze end to end: `ippo snooze ID 1h` beside the running `python -m trayapp` (Xvfb, trayer,
dunst with every Notify call recorded, the real Dovecot), the app's wall clock set by the test.

Two inquiries arrived 21 h ago (due in 3 h: both in their warning stage). One is snoozed for
an hour: only the other is notified. An hour and a minute later the snoozed one is told, once,
and its text says its deadline did not move ("Reply within 1h": 1 h 58 min left).
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest

from tests.e2e.app_runs import AppClock, add_account, append_inquiry, ippo, running_app
from tests.support.desktop_session import Desktop
from tests.support.dovecot import DovecotServer

pytestmark = [pytest.mark.integration, pytest.mark.gui, pytest.mark.slow]


def test_snooze_holds_only_that_inquirys_notifications(
    desktop: Desktop, dovecot: DovecotServer, tmp_path: Path
) -> None:
    calls = desktop.notifications
    assert calls is not None
    user = dovecot.add_user()
    start = dt.datetime.now(dt.UTC).replace(microsecond=0)
    for name in ("Alice Martin", "Bob Tanaka"):
        append_inquiry(dovecot, user, name, start - dt.timedelta(hours=21))
    config = tmp_path / "config"
    add_account(desktop, dovecot, user, config)
    listed = ippo(desktop, config, "pending", "--json")
    assert listed.returncode == 0, listed.stderr
    [alice] = [i["id"] for i in json.loads(listed.stdout) if "Alice" in i["sender"]]
    snoozed = ippo(desktop, config, "snooze", alice, "1h")
    assert snoozed.returncode == 0, snoozed.stderr
    clock = AppClock(tmp_path / "clock", start, config / "ippo.log")
    env = {"LANG": "en_US.UTF-8", "LANGUAGE": "en", **clock.env}
    with running_app(desktop, config, "app.log", **env):
        desktop.wait_for_tray_icon("ippo")
        first = calls.wait_for(1)[0]
        assert "Bob Tanaka" in first and "Alice" not in first, first
        clock.move_to(start + dt.timedelta(minutes=30))  # still snoozed
        clock.move_to(start + dt.timedelta(hours=1, minutes=1))
        every = calls.wait_for(2)
        assert len(every) == 2, calls.text()
        # Told once the snooze is over, with its own deadline (due 3 h after `start`).
        assert "Alice Martin" in every[1] and "Reply within 1h" in every[1], every[1]
        assert "Bob" not in every[1], every[1]
