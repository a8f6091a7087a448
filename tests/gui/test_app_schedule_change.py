"""A schedule changed while the app runs reaches the badge and the list at once: no new mail,
no reconnect. The real composition root (build_app) with the real WatchService on the real
Dovecot, the app's clock set by the test; the change made once in the settings and once with
`ippo account set` (a real subprocess writing config.json)."""

from __future__ import annotations

import dataclasses
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest
from pytestqt.qtbot import QtBot

from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.ippo_cli import run_ippo
from tests.support.mailcorpus import make_message, new_message_id
from trayapp.app import IppoApp, build_app
from trayapp.config import ConfigStore
from trayapp.core.model import AccountConfig, HealthState
from trayapp.demo import MemorySecretStore
from trayapp.desktop.autostart import XdgAutostart
from trayapp.mail.service import WatchSnapshot

from .helpers import Clock
from .test_app import Recorder

pytestmark = [pytest.mark.gui, pytest.mark.integration]

TOKYO = ZoneInfo("Asia/Tokyo")
ARRIVED = datetime(2026, 11, 27, 17, 0, tzinfo=TOKYO)  # a Friday, an hour before closing
NOW = ARRIVED + timedelta(minutes=30)


def logins(dovecot: DovecotServer, user: DovecotUser) -> int:
    return dovecot.log_path.read_text(errors="replace").count(f"Login: user=<{user.username}>")


def start_app(
    dovecot: DovecotServer, folder: Path, arrived: datetime, now: datetime, **schedule: object
) -> tuple[IppoApp, AccountConfig, DovecotUser]:
    """The app on a new Dovecot user whose one inquiry reached the server at `arrived`, its
    clock at `now`, the account on Tokyo time with a 9-hour window and `schedule`."""
    user = dovecot.add_user()
    raw = make_message(
        from_addr="tanaka@example.jp",
        to=user.email,
        subject="見積もりのお願い",
        message_id=new_message_id(),
        date=arrived,
    )
    dovecot.append(user, "INBOX", raw, internaldate=arrived)
    account = dovecot.account(user, window_hours=9.0, timezone="Asia/Tokyo", **schedule)
    config = ConfigStore(folder / "config")
    config.save_accounts([account])
    secrets = MemorySecretStore()
    secrets.set_password(account.name, user.password)
    app = build_app(
        config=config,
        secrets=secrets,
        languages=None,
        notification_backends=[Recorder()],
        autostart=XdgAutostart(folder / "xdg-config"),
        clock=Clock(now),
    )
    app.start()
    return app, account, user


def badge_of(app: IppoApp) -> str:
    spec = app.tray.current_badge()
    return f"{spec.kind} {spec.text}" if spec is not None else ""


@pytest.fixture
def running(
    dovecot: DovecotServer, tmp_path: Path, qtbot: QtBot
) -> Iterator[tuple[IppoApp, AccountConfig, DovecotUser]]:
    app, account, user = start_app(dovecot, tmp_path, ARRIVED, NOW)
    yield app, account, user
    app.shutdown()


def test_a_new_schedule_moves_the_due_time_at_once(
    running: tuple[IppoApp, AccountConfig, DovecotUser],
    dovecot: DovecotServer,
    qtbot: QtBot,
) -> None:
    app, account, user = running
    seen: list[WatchSnapshot] = []
    app.bridge.snapshotChanged.connect(seen.append)

    def badge() -> str:
        return badge_of(app)

    # Around the clock: due 9 h after it arrived, Saturday 02:00 (8 h 30 min left).
    qtbot.waitUntil(lambda: badge() == "calm 8h", timeout=30_000)
    app.show_list()
    [item] = [i for s in seen[-1:] for i in s.items]
    assert app.pending.item(item.id) is not None
    assert item.due_at == ARRIVED + timedelta(hours=9)
    connected_logins = logins(dovecot, user)
    since = len(seen)

    # In the settings: Mon-Fri 9-18. One hour counts on Friday, eight on Monday: 17:00.
    app.open_settings()
    dialog = app.settings_dialog
    assert dialog is not None
    weekdays = dataclasses.replace(account, working_hours="mon-fri 09:00-18:00")
    dialog.account_settings_changed.emit(weekdays)
    monday = datetime(2026, 11, 30, 17, 0, tzinfo=TOKYO)
    qtbot.waitUntil(lambda: badge() == "calm 2d", timeout=10_000)
    listed = app.pending.item(item.id)
    assert listed is not None and listed.due_at == monday

    # With the command line while the app runs: mornings only. Monday, Tuesday and Wednesday
    # 9-12 make the nine hours: Wednesday 12:00.
    env = {**os.environ, "IPPO_LANGUAGE": "en"}
    done = run_ippo(
        env, app.config.directory, "account", "set", account.name, "--working-hours",
        "mon-fri 09:00-12:00",
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    wednesday = datetime(2026, 12, 2, 12, 0, tzinfo=TOKYO)
    qtbot.waitUntil(lambda: badge() == "calm 4d", timeout=10_000)
    listed = app.pending.item(item.id)
    assert listed is not None and listed.due_at == wednesday

    # Decided again from the mail already known: the inbox stayed connected, no new login.
    assert all(s.health[account.name].state is HealthState.CONNECTED for s in seen[since:])
    assert logins(dovecot, user) == connected_logins


# Friday 9 October 2026, 19:30 in Tokyo, after closing. Monday the 12th is Sports Day
# (スポーツの日, a "Happy Monday" holiday); Tuesday and Wednesday are working days. A past date:
# Dovecot replaces an INTERNALDATE in the future with the time of the APPEND.
FRIDAY_EVENING = datetime(2026, 10, 9, 19, 30, tzinfo=TOKYO)
OFFICE = "mon-fri 09:00-18:00"


@pytest.mark.parametrize(
    ("schedule", "due", "badge"),
    [
        ({"working_hours": OFFICE}, datetime(2026, 10, 12, 18, 0, tzinfo=TOKYO), "calm 2d"),
        (
            {"working_hours": OFFICE, "holidays": "jp"},
            datetime(2026, 10, 13, 18, 0, tzinfo=TOKYO),
            "calm 3d",
        ),
        (
            {"working_hours": OFFICE, "holidays": "jp", "days_off": ("2026-10-13",)},
            datetime(2026, 10, 14, 18, 0, tzinfo=TOKYO),
            "calm 4d",
        ),
    ],
    ids=["monday", "national-holiday-tuesday", "holiday-and-day-off-wednesday"],
)
def test_a_friday_evening_inquiry_is_due_on_the_next_working_days(
    dovecot: DovecotServer,
    tmp_path: Path,
    qtbot: QtBot,
    schedule: dict[str, object],
    due: datetime,
    badge: str,
) -> None:
    """Mon-Fri 9-18 and a 9-hour window: nothing counts on Friday evening or the weekend, so
    the reply is due at Monday's closing; Tuesday's when Monday is a national holiday (with
    the Japanese calendar chosen); Wednesday's when the user also took Tuesday off. Seen in
    the badge, the list row and its tooltip of the app whose clock says Friday 20:00."""
    app, _account, _user = start_app(
        dovecot, tmp_path, FRIDAY_EVENING, FRIDAY_EVENING + timedelta(minutes=30), **schedule
    )
    try:
        qtbot.waitUntil(lambda: badge_of(app) == badge, timeout=30_000)
        app.show_list()
        rows = [r for r in app.pending.model.rows() if r.item is not None]
        assert len(rows) == 1
        [row] = rows
        assert row.item is not None and row.item.due_at == due
        assert row.due_text == f"Reply due by {due.astimezone():%Y-%m-%d %H:%M}"
    finally:
        app.shutdown()
