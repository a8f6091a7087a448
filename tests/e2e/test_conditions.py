"""The real app where something is missing, and the demo: clear messages instead of crashes,
and a clean exit on SIGTERM in every case.

- no keyring on the session: first run still shows the tray icon and the Add-inbox dialog,
  plus a message that says passwords need a keyring;
- no tray host at all: after a (shortened) wait, a message says so; the exit status is 1;
- installers/linux/smoke.sh passes against a source run (empty config, no keyring, no
  StatusNotifierWatcher, icon embedded in trayer, exit 0 within 10 s of SIGTERM);
- `ippo --demo`: badge and a grouped notification within a minute, nothing written to the
  user's config or keyring, its temporary folder gone after exit.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.support.desktop_session import start_desktop

pytestmark = [pytest.mark.integration, pytest.mark.gui, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"
APP = [sys.executable, "-m", "trayapp"]


def terminate(app: subprocess.Popen[bytes], within: float = 10.0) -> int:
    app.send_signal(signal.SIGTERM)
    return app.wait(timeout=within)


def test_no_keyring_first_run_says_so_and_still_shows_the_icon(tmp_path: Path) -> None:
    config = tmp_path / "config"
    with start_desktop(keyring="absent") as desk:
        app = desk.start([*APP, "--config-dir", str(config)], "app.log", cwd=ROOT)
        try:
            desk.wait_for_tray_icon("ippo")
            desk.wait_for_window("^Add inbox$")
            desk.wait_for_window("^Ippo$")  # the keyring message box
            time.sleep(0.5)
            desk.screenshot(ARTIFACTS / "no-keyring.png")
            assert "keyring unusable" in (config / "ippo.log").read_text(encoding="utf-8")
        finally:
            status = terminate(app)
        assert status == 0, desk.log("app.log")
    assert not (config / "config.json").exists()  # nothing half-saved


def test_no_tray_host_gives_a_message_not_a_crash(tmp_path: Path) -> None:
    config = tmp_path / "config"
    with start_desktop(keyring="absent", tray=False, notifications=False) as desk:
        app = desk.start(
            [*APP, "--config-dir", str(config)],
            "app.log",
            env=desk.env(IPPO_TRAY_WAIT="2"),
            cwd=ROOT,
        )
        try:
            window = desk.wait_for_window("^Ippo$")
            time.sleep(0.5)
            desk.screenshot(ARTIFACTS / "no-tray.png")
            assert app.poll() is None  # waiting for the user to read it
            # Closing the message (Escape) ends the app: it has nowhere to live.
            desk.x("xdotool", "windowactivate", "--sync", window)
            desk.x("xdotool", "key", "--window", window, "Escape")
            status = app.wait(timeout=10)
        finally:
            if app.poll() is None:
                terminate(app)
        assert status == 1, desk.log("app.log")
        assert "no system tray" in desk.log("app.log")


def test_linux_smoke_script_passes_against_a_source_run(tmp_path: Path) -> None:
    bundle = tmp_path / "bundle"
    bundle.mkdir()
    runner = bundle / "ippo"
    runner.write_text(f'#!/bin/sh\ncd "{ROOT}" && exec "{sys.executable}" -m trayapp "$@"\n')
    runner.chmod(0o755)
    env = {**os.environ, "SMOKE_TIMEOUT": "30", "ARTIFACTS_DIR": str(tmp_path / "smoke")}
    result = subprocess.run(
        ["bash", str(ROOT / "installers" / "linux" / "smoke.sh"), str(bundle)],
        env=env,
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "ok: tray icon registered with trayer" in result.stdout
    assert "ok: clean exit (status 0) on SIGTERM" in result.stdout


def test_demo_shows_badge_and_notification_without_touching_user_config(
    tmp_path: Path,
) -> None:
    temp = tmp_path / "tmp"
    temp.mkdir()
    with start_desktop(keyring="unlocked") as desk:
        env = desk.env(TMPDIR=str(temp), LANG="ja_JP.UTF-8", LANGUAGE="ja")
        home = Path(env["HOME"])
        started = time.monotonic()
        app = desk.start([*APP, "--demo"], "app.log", env=env, cwd=ROOT)
        try:
            desk.wait_for_tray_icon("ippo", timeout=60)
            assert desk.notifications is not None
            calls = desk.notifications.wait_for(1, timeout=60)
            assert time.monotonic() - started < 60
            # The demo's inquiries at warning, urgent and overdue: one grouped notification.
            assert "返信待ちの問い合わせが3件あります" in calls[0], calls[0]
            assert "髙橋 美咲" in calls[0] and "Daniel Park" in calls[0], calls[0]
            time.sleep(0.7)
            desk.screenshot(ARTIFACTS / "demo-notification-ja.png")
            assert list(temp.glob("ippo-demo-*"))  # the demo lives in a temp folder
        finally:
            status = terminate(app)
        assert status == 0, desk.log("app.log")
        assert desk.bus.stored_secrets() == {}  # the keyring was never written
        assert not (home / ".config" / "ippo").exists()
        assert not (Path(env["XDG_CONFIG_HOME"]) / "ippo").exists()
        assert not (Path(env["XDG_CONFIG_HOME"]) / "autostart").exists()
    assert not list(temp.glob("ippo-demo-*"))  # and it is gone
