"""trayapp.policy: the clock settings as config.json keeps them (absences, quiet hours), read
back by the watch service and the commands; `ippo quiet` and `ippo away` in-process."""

from __future__ import annotations

from datetime import time, timedelta
from pathlib import Path

import pytest

from trayapp.cli import main
from trayapp.clock import now as clock_now
from trayapp.config import ConfigStore
from trayapp.core.model import AccountConfig
from trayapp.policy import ClockPolicy, end_absence, save_absence


def test_quiet_hours_commands(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    args = ["--config-dir", str(tmp_path)]
    assert main([*args, "quiet", "set", "22:00-07:30"]) == 0
    assert ClockPolicy(ConfigStore(tmp_path)).quiet_hours() == (time(22, 0), time(7, 30))
    assert main([*args, "quiet", "set", "22:00"]) == 1
    assert "ippo: not quiet hours" in capsys.readouterr().err
    assert main([*args, "quiet", "clear"]) == 0
    assert ClockPolicy(ConfigStore(tmp_path)).quiet_hours() is None


def test_absences_are_read_back_and_pause_every_account(tmp_path: Path) -> None:
    config = ConfigStore(tmp_path)
    policy = ClockPolicy(config)
    now = clock_now()
    save_absence(config, now, now + timedelta(days=2), now)
    [absence] = policy.absences()
    assert policy.away_at(now + timedelta(hours=1)) == absence
    schedule = policy.schedule(AccountConfig("shop", "shop@example.jp", "imap.example.jp"))
    assert schedule.pauses == ((absence.start, absence.until),)
    assert policy.holds().away_until(now + timedelta(hours=1)) == absence.until
    assert end_absence(config, now + timedelta(hours=1))
    assert policy.away_at(now + timedelta(hours=2)) is None
    assert not end_absence(config, now + timedelta(hours=3))
    # A hand-broken entry is skipped, never fatal.
    config.update_settings(away=[{"from": "yesterday"}, "x"])
    assert policy.absences() == ()


@pytest.mark.parametrize(
    ("option", "value", "message"),
    [
        ("--timezone", "Mars/Base", "ippo: --timezone: unknown time zone 'Mars/Base'"),
        ("--holidays", "zz", "ippo: --holidays: no public holidays known for 'zz'"),
        ("--days-off", "2026-13-01", "ippo: --days-off: not a date"),
        ("--working-hours", "mon-fri 9-18", "ippo: --working-hours: not a time range"),
    ],
)
def test_account_add_refuses_bad_schedule_options_before_anything_else(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], option: str, value: str, message: str
) -> None:
    args = ["--config-dir", str(tmp_path), "account", "add", "--name", "shop"]
    args += ["--email", "shop@example.jp", "--imap-host", "imap.example.jp", option, value]
    assert main([*args, "--password-stdin"]) == 1
    assert capsys.readouterr().err.startswith(message)
    assert ConfigStore(tmp_path).load_accounts() == []
