"""Away end to end: `python -m trayapp` under Xvfb with trayer and dunst (every Notify call
recorded), the real Dovecot, the app's wall clock set by the test ($IPPO_TEST_CLOCK).

The user is away Tuesday 09:00 to Thursday 09:00 (Asia/Tokyo; written the way `ippo away set`
writes it). Alice wrote on Monday 10:00 (23 h of her 24 counted when the absence began), Bob
on Wednesday 15:00, while away. On Wednesday afternoon the badge shows the away look, the
menu and the tooltip say until when, and nothing is notified although Alice's hour is short;
at 09:00 on Thursday the list opens by itself with both, Alice's clock runs again (one hour
left: her urgent notification goes out) and Bob is due as if he had written at 09:00.
Screenshots (artifacts/e2e/away-*.png): the badge, the menu, the tooltip, the list on return
and the notification that follows, in English and Japanese.
"""

from __future__ import annotations

import datetime as dt
import subprocess
import time
from pathlib import Path
from zoneinfo import ZoneInfo

import pytest

from tests.e2e.app_runs import (
    ARTIFACTS,
    AppClock,
    add_account,
    append_inquiry,
    running_app,
    screenshot_icon,
    wait_until,
)
from tests.support.desktop_session import Desktop
from tests.support.dovecot import DovecotServer
from trayapp.config import ConfigStore
from trayapp.policy import save_absence

pytestmark = [pytest.mark.integration, pytest.mark.gui, pytest.mark.slow]

TOKYO = ZoneInfo("Asia/Tokyo")
AWAY_FROM = dt.datetime(2026, 11, 24, 9, 0, tzinfo=TOKYO)  # Tuesday
BACK = dt.datetime(2026, 11, 26, 9, 0, tzinfo=TOKYO)  # Thursday
ARRIVALS = {
    "Alice Martin": AWAY_FROM - dt.timedelta(hours=23),  # Monday 10:00
    "Bob Tanaka": dt.datetime(2026, 11, 25, 15, 0, tzinfo=TOKYO),  # Wednesday, while away
}
WORDS = {
    "en": {
        "list": "Ippo — waiting for a reply",
        "urgent": "Reply within 59m",
    },
    "ja": {
        "list": "Ippo — 返信待ち",
        "urgent": "59分",
    },
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_away_pauses_holds_and_opens_the_list_on_return(
    desktop: Desktop, dovecot: DovecotServer, tmp_path: Path, language: str
) -> None:
    calls = desktop.notifications
    assert calls is not None
    words = WORDS[language]
    user = dovecot.add_user()
    for name, arrived in ARRIVALS.items():
        append_inquiry(dovecot, user, name, arrived)
    config = tmp_path / "config"
    add_account(desktop, dovecot, user, config)
    wednesday = dt.datetime(2026, 11, 25, 16, 0, tzinfo=TOKYO)
    save_absence(ConfigStore(config), AWAY_FROM, BACK, now=AWAY_FROM - dt.timedelta(days=1))
    log = config / "ippo.log"
    clock = AppClock(tmp_path / "clock", wednesday, log)
    locale = "ja_JP.UTF-8" if language == "ja" else "en_US.UTF-8"
    env = {
        "LANG": locale,
        "LANGUAGE": language,
        "TZ": "Asia/Tokyo",
        **clock.env,
    }
    with running_app(desktop, config, "app.log", **env):
        icon = desktop.wait_for_tray_icon("ippo")
        wait_until(lambda: "connected" in log.read_text(errors="replace"), "connected")
        clock.move_to(wednesday + dt.timedelta(minutes=5))  # a look after the scan: still away
        time.sleep(0.5)
        screenshot_icon(desktop, icon, f"away-badge-{language}")
        # The tooltip (hovering the icon) and the menu say until when.
        desktop.x("xdotool", "mousemove", "--window", icon, "8", "8")
        time.sleep(2.0)
        desktop.screenshot(ARTIFACTS / f"away-tooltip-{language}.png")
        desktop.x("xdotool", "mousemove", "--window", icon, "8", "8", "click", "3")
        time.sleep(1.0)
        desktop.screenshot(ARTIFACTS / f"away-menu-{language}.png")
        desktop.x("xdotool", "key", "Escape")
        assert calls.count() == 0, calls.text()  # Alice has an hour left, but notes wait
        # Back: the list opens with both, and Alice's clock runs again.
        clock.move_to(BACK + dt.timedelta(seconds=30))
        desktop.wait_for_window(words["list"])
        first = calls.wait_for(1)[0]
        assert "Alice Martin" in first and words["urgent"] in first, first
        time.sleep(0.7)
        desktop.screenshot(ARTIFACTS / f"away-return-notification-{language}.png")
        subprocess.run(["dunstctl", "close-all"], env=desktop.env(), check=True, timeout=10)
        time.sleep(0.5)
        desktop.screenshot(ARTIFACTS / f"away-return-list-{language}.png")
