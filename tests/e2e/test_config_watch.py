"""An inbox added (and then removed) with `ippo account ...` while the real app runs reaches it
without a restart (ui/config_watch.py): the app, on a test desktop, watches the new inbox on
the real Dovecot -- its inquiry is notified -- and stops watching it when it is removed."""

from __future__ import annotations

import datetime as dt
import time
from pathlib import Path

import pytest

from tests.e2e.app_runs import ARTIFACTS, add_account, ippo, running_app
from tests.e2e.test_tray_app import wait_for_log
from tests.support.desktop_session import Desktop
from tests.support.dovecot import DovecotServer
from tests.support.mailcorpus import EN_CUSTOMER_NAME, english_inquiry

pytestmark = [pytest.mark.integration, pytest.mark.gui, pytest.mark.slow]


def test_an_inbox_added_with_the_cli_is_watched_by_the_running_app(
    desktop: Desktop, dovecot: DovecotServer, tmp_path: Path
) -> None:
    config = tmp_path / "config"
    first, second = dovecot.add_user(), dovecot.add_user()
    now = dt.datetime.now(dt.UTC)
    dovecot.append(  # 21 h old: inside the 4 h warning lead of a 24 h promise
        second,
        "INBOX",
        english_inquiry(to=second.email, date=now - dt.timedelta(hours=21)),
        internaldate=now - dt.timedelta(hours=21),
    )
    add_account(desktop, dovecot, first, config, name="first")
    notifications = desktop.notifications
    assert notifications is not None
    app_log = config / "ippo.log"
    with running_app(desktop, config, "watch-config.log", LANG="en_US.UTF-8", LANGUAGE="en"):
        desktop.wait_for_tray_icon("ippo")
        wait_for_log(app_log, r"first: connected")
        assert notifications.count() == 0

        add_account(desktop, dovecot, second, config, name="second")
        text = wait_for_log(app_log, r"second: connected")
        assert "config.json changed: applying the accounts" in text
        calls = notifications.wait_for(1)
        assert EN_CUSTOMER_NAME in calls[0], calls[0]

        removed = ippo(desktop, config, "account", "remove", "second")
        assert removed.returncode == 0, removed.stderr
        wait_for_log(app_log, r"config.json changed: applying the accounts", count=2)
    log_text = app_log.read_text(encoding="utf-8")
    assert log_text.count("second: connected") == 1


def test_a_password_changed_on_the_server_is_told_once_and_fixed_from_the_cli(
    desktop: Desktop, dovecot: DovecotServer, tmp_path: Path
) -> None:
    """The real app, in Japanese: the server changes the password and drops the connection;
    the failing inbox raises exactly one notification (read off D-Bus) while Ippo keeps
    retrying, with the fix action; `ippo account set --password-stdin` (tested, then stored)
    reaches the running app, which connects again."""
    config = tmp_path / "config"
    user = dovecot.add_user()
    add_account(desktop, dovecot, user, config, name="shop")
    notifications = desktop.notifications
    assert notifications is not None
    before = notifications.count()
    app_log = config / "ippo.log"
    with running_app(desktop, config, "password-fail.log", LANG="ja_JP.UTF-8", LANGUAGE="ja"):
        desktop.wait_for_tray_icon("ippo")
        wait_for_log(app_log, r"shop: connected")
        new_password = "changed on the server 3Hv"
        dovecot.set_password(user, new_password)
        dovecot.restart()  # drops the IDLE connection: the next login is refused
        calls = notifications.wait_for(before + 1, timeout=60)
        told = calls[before]
        assert "「shop」を見守れていません" in told, told
        assert "ippo-fix:shop" in told and "新しいパスワードを入力" in told, told
        assert "AUTHENTICATIONFAILED" not in told and "b'" not in told
        time.sleep(0.7)  # dunst draws the bubble: a picture of it for a person to look at
        desktop.screenshot(ARTIFACTS / "failure-notification-ja.png")
        wait_for_log(app_log, r"shop: (retrying|error)", count=2, timeout=60)
        assert notifications.count() == before + 1, notifications.text()[-3000:]

        changed = ippo(
            desktop, config, "account", "set", "shop", "--password-stdin", stdin=new_password + "\n"
        )
        assert changed.returncode == 0, changed.stderr
        wait_for_log(app_log, r"shop: connected", count=2, timeout=60)
    assert notifications.count() == before + 1
