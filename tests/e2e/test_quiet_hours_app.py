"""Quiet hours end to end: `python -m trayapp` under Xvfb with trayer, dunst on a private D-Bus
session (every Notify call recorded by dbus-monitor), the account's password in the keyring,
the real Dovecot, and the app's wall clock set by the test ($IPPO_TEST_CLOCK: a file holding
an instant; writing another one moves the clock, as a wake-up would).

What must hold (issue 13, quiet hours 22:00-07:30 in Asia/Tokyo):
- before they begin, a warning goes out as usual (Alice, 1 h 40 min left at 21:50);
- at their start, one warning lists what passes its deadline before they end ("2 inquiries
  will pass their deadline tonight": Alice and Bob, not Carol, who is due at 10:00);
- inside them nothing is sent, although Alice and Bob go overdue and Carol reaches her warning
  stage: the app saw each of those moments (its log says so) before the clock reached 07:30;
- at their end, one summary of all three.
D-Bus keeps one sender's messages in order, so every Notify the app sent before its summary
is ahead of it in the monitor's record: the summary being the third call proves silence.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.app_runs import AppClock, add_account, append_inquiry, ippo, running_app
from tests.support.desktop_session import Desktop
from tests.support.dovecot import DovecotServer

pytestmark = [pytest.mark.integration, pytest.mark.gui, pytest.mark.slow]

TOKYO = ZoneInfo("Asia/Tokyo")
QUIET_START = dt.datetime(2026, 11, 25, 22, 0, tzinfo=TOKYO)  # a Wednesday night
QUIET_END = dt.datetime(2026, 11, 26, 7, 30, tzinfo=TOKYO)
# Each is due 24 h after it arrived (no schedule: the clock runs around the clock).
DUE = {
    "Alice Martin": QUIET_START + dt.timedelta(hours=1, minutes=30),  # 23:30, tonight
    "Bob Tanaka": QUIET_START + dt.timedelta(hours=4),  # 02:00, tonight
    "Carol Suzuki": QUIET_END + dt.timedelta(hours=2, minutes=30),  # 10:00, after the night
}


def test_quiet_hours_in_the_real_app_warn_hold_and_summarize(
    desktop: Desktop, dovecot: DovecotServer, tmp_path: Path
) -> None:
    calls = desktop.notifications
    assert calls is not None
    user = dovecot.add_user()
    for name, due in DUE.items():
        append_inquiry(dovecot, user, name, due - dt.timedelta(hours=24))
    config = tmp_path / "config"
    add_account(desktop, dovecot, user, config)
    quiet = ippo(desktop, config, "quiet", "set", "22:00-07:30", TZ="Asia/Tokyo")
    assert quiet.returncode == 0, quiet.stderr
    evening = QUIET_START - dt.timedelta(minutes=10)
    clock = AppClock(tmp_path / "clock", evening, config / "ippo.log")
    env = {"LANG": "en_US.UTF-8", "LANGUAGE": "en", "TZ": "Asia/Tokyo", **clock.env}
    with running_app(desktop, config, "app.log", **env):
        desktop.wait_for_tray_icon("ippo")
        # 21:50: Alice (1 h 40 min left) is in her warning stage: told as usual.
        first = calls.wait_for(1, timeout=60)[0]
        assert "Alice Martin" in first and "tonight" not in first, first
        # 22:00: one warning about the night, naming what passes its deadline before 07:30.
        clock.move_to(QUIET_START)
        warning = calls.wait_for(2)[1]
        assert "2 inquiries will pass their deadline tonight" in warning, warning
        assert "Alice Martin" in warning and "Bob Tanaka" in warning, warning
        assert "Carol Suzuki" not in warning, warning
        # Inside: Alice overdue (23:30), Bob overdue (02:00), Carol's warning stage (06:00).
        for moment in (
            QUIET_START + dt.timedelta(hours=1, minutes=45),
            QUIET_START + dt.timedelta(hours=5),
            QUIET_END - dt.timedelta(hours=1),
        ):
            clock.move_to(moment)
        # 07:30: one summary of all three; nothing was sent in between.
        clock.move_to(QUIET_END)
        every = calls.wait_for(3)
        assert len(every) == 3, calls.text()
        summary = every[2]
        assert "3 inquiries need a reply" in summary, summary
        for name in DUE:
            assert name in summary, summary
