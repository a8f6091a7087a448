"""The real app, end to end: `python -m trayapp --config-dir D` under Xvfb with trayer as the
tray host and dunst as the notification daemon on a private D-Bus session (gnome-keyring on
it holding the password), against the real Dovecot.

What must hold: the tray icon is embedded in trayer; a message 21 h old (3 h before the 24 h
promise breaks, inside the 4 h warning lead) gets exactly one warning notification whose
Notify call names its sender; restarting the app does not repeat it; a second start shows the
running one's list and exits 0; SIGTERM exits 0; the autostart entry written after the first
account passes desktop-file-validate. Screenshots of the badge, the list (English and
Japanese) and the notification go to artifacts/e2e/ for a look.
"""

from __future__ import annotations

import datetime as dt
import json
import re
import signal
import subprocess
import time
from pathlib import Path

import pytest

from tests.e2e.app_runs import ROOT, add_account, ippo, screenshot_icon, start_app
from tests.support.desktop_session import Desktop
from tests.support.dovecot import DovecotServer
from tests.support.mailcorpus import (
    EN_CUSTOMER_NAME,
    english_inquiry,
    japanese_iso2022jp_inquiry,
    newsletter,
)

pytestmark = [pytest.mark.integration, pytest.mark.gui, pytest.mark.slow]

ARTIFACTS = ROOT / "artifacts" / "e2e"
QUIT_WITHIN = 10.0  # seconds after SIGTERM (what a session manager allows)


def terminate(app: subprocess.Popen[bytes]) -> tuple[int, float]:
    """SIGTERM; the exit status and how long it took."""
    started = time.monotonic()
    app.send_signal(signal.SIGTERM)
    status = app.wait(timeout=QUIT_WITHIN + 5)
    return status, time.monotonic() - started


def wait_for_log(path: Path, pattern: str, count: int = 1, timeout: float = 30.0) -> str:
    deadline = time.monotonic() + timeout
    text = ""
    while time.monotonic() < deadline:
        text = path.read_text(encoding="utf-8", errors="replace") if path.exists() else ""
        if len(re.findall(pattern, text)) >= count:
            return text
        time.sleep(0.1)
    raise AssertionError(f"{pattern!r} x{count} not in {path} within {timeout}s:\n{text}")


@pytest.fixture
def inbox(dovecot: DovecotServer, tmp_path: Path, desktop: Desktop) -> tuple[Path, str]:
    """A config dir with one account whose INBOX holds a 21 h old inquiry from a named
    sender, a Japanese one 10 h old and a newsletter; its password in the keyring (added the
    way a user would, with `ippo account add`)."""
    user = dovecot.add_user()
    now = dt.datetime.now(dt.UTC)
    dovecot.append(
        user,
        "INBOX",
        english_inquiry(to=user.email, date=now - dt.timedelta(hours=21)),
        internaldate=now - dt.timedelta(hours=21),
    )
    dovecot.append(
        user,
        "INBOX",
        japanese_iso2022jp_inquiry(to=user.email, date=now - dt.timedelta(hours=10)),
        internaldate=now - dt.timedelta(hours=10),
    )
    dovecot.append(
        user,
        "INBOX",
        newsletter(to=user.email, date=now - dt.timedelta(hours=5)),
        internaldate=now - dt.timedelta(hours=5),
    )
    config = tmp_path / "config"
    add_account(desktop, dovecot, user, config)
    assert desktop.bus.stored_secrets() == {"shop:imap": user.password}
    return config, user.email


def test_real_app_notifies_once_lists_and_quits_cleanly(
    desktop: Desktop, inbox: tuple[Path, str]
) -> None:
    config, _address = inbox
    notifications = desktop.notifications
    assert notifications is not None
    app_log = config / "ippo.log"

    # --- first start: icon in the tray, one warning notification naming the sender
    app = start_app(desktop, config, "app-1.log", LANG="en_US.UTF-8", LANGUAGE="en")
    try:
        icon = desktop.wait_for_tray_icon("ippo")
        wait_for_log(app_log, r"shop: connected")
        calls = notifications.wait_for(1)
        assert EN_CUSTOMER_NAME in calls[0], calls[0]
        assert "Reply within 2h" in calls[0], calls[0]  # 2 h 59 m left, shown truncated
        time.sleep(0.7)  # dunst draws it
        desktop.screenshot(ARTIFACTS / "notification-en.png")
        screenshot_icon(desktop, icon, "tray-badge-en")

        # A second start asks the running one to show its list, and leaves.
        second = ippo(desktop, config, LANG="en_US.UTF-8", LANGUAGE="en")
        assert second.returncode == 0, second.stdout + second.stderr
        assert "already running" in second.stdout
        desktop.wait_for_window("Ippo — waiting for a reply")
        time.sleep(0.7)
        desktop.screenshot(ARTIFACTS / "pending-list-en.png")
    finally:
        status, took = terminate(app)
    assert status == 0, desktop.log("app-1.log")
    assert took < QUIT_WITHIN
    assert "shutting down" in app_log.read_text(encoding="utf-8")

    # First account added: start at login is on, and the entry is a valid desktop file.
    entry = Path(desktop.env()["XDG_CONFIG_HOME"]) / "autostart" / "io.github.ippo.Ippo.desktop"
    assert entry.is_file()
    valid = subprocess.run(
        ["desktop-file-validate", str(entry)], capture_output=True, text=True, check=False
    )
    assert valid.returncode == 0 and not valid.stdout.strip(), valid.stdout + valid.stderr
    assert f"--config-dir {config}" in entry.read_text(encoding="utf-8")
    settings = json.loads((config / "config.json").read_text(encoding="utf-8"))["settings"]
    assert settings["autostart"] is True

    # --- restart (in Japanese): connected again, and the warning is NOT repeated
    app = start_app(desktop, config, "app-2.log", LANG="ja_JP.UTF-8", LANGUAGE="ja")
    try:
        desktop.wait_for_tray_icon("ippo")
        wait_for_log(app_log, r"shop: connected", count=2)
        time.sleep(3.0)  # time enough for a (wrong) repeat to reach the bus
        assert notifications.count() == 1, notifications.text()
        second = ippo(desktop, config, LANG="ja_JP.UTF-8", LANGUAGE="ja")
        assert second.returncode == 0, second.stdout + second.stderr
        desktop.wait_for_window("Ippo — 返信待ち")
        time.sleep(0.7)
        desktop.screenshot(ARTIFACTS / "pending-list-ja.png")
    finally:
        status, took = terminate(app)
    assert status == 0, desktop.log("app-2.log")
    assert took < QUIT_WITHIN
    assert notifications.count() == 1
