"""Running the real app in the end-to-end tests: `ippo` commands and the tray app on a test
desktop's session, from the checkout (`python -m trayapp`), an account on the test Dovecot
added the way a user would (`ippo account add --password-stdin`), and the app's wall clock
set by the test (AppClock)."""

from __future__ import annotations

import contextlib
import datetime as dt
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path

from tests.support.desktop_session import Desktop
from tests.support.dovecot import DovecotServer, DovecotUser
from tests.support.mailcorpus import make_message, new_message_id

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "e2e"  # screenshots, for a look
APP = [sys.executable, "-m", "trayapp"]


def ippo(
    desk: Desktop, config: Path, *args: str, stdin: str | None = None, **env: str
) -> subprocess.CompletedProcess[str]:
    """Run an `ippo` command on this desktop's session; the finished process."""
    return subprocess.run(
        [*APP, "--config-dir", str(config), *args],
        cwd=ROOT,
        env=desk.env(**env),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def start_app(desk: Desktop, config: Path, log: str, **env: str) -> subprocess.Popen[bytes]:
    return desk.start([*APP, "--config-dir", str(config)], log, env=desk.env(**env), cwd=ROOT)


@contextlib.contextmanager
def running_app(
    desk: Desktop, config: Path, log: str, quit_within: float = 15.0, **env: str
) -> Iterator[subprocess.Popen[bytes]]:
    """The tray app for the block; SIGTERM after it, and it must exit 0."""
    app = start_app(desk, config, log, **env)
    try:
        yield app
    finally:
        app.send_signal(signal.SIGTERM)
        status = app.wait(timeout=quit_within)
    assert status == 0, desk.log(log)[-3000:]


def add_account(
    desk: Desktop, dovecot: DovecotServer, user: DovecotUser, config: Path, name: str = "shop"
) -> None:
    """`ippo account add` for the user's Dovecot account; its password goes to the keyring."""
    account = dovecot.account(user)
    added = ippo(
        desk,
        config,
        "account", "add",
        "--name", name,
        "--email", account.email,
        "--imap-host", account.imap_host,
        "--imap-port", str(account.imap_port),
        "--imap-security", account.imap_security,
        "--username", user.username,
        "--ca-file", str(account.ca_file),
        "--password-stdin",
        stdin=user.password + "\n",
    )  # fmt: skip
    assert added.returncode == 0, added.stdout + added.stderr


def wait_until(check: Callable[[], object], what: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}")
        time.sleep(0.1)


class AppClock:
    """The tray app's wall clock, set by the test: a file holding an instant, named to the app
    by $IPPO_TEST_CLOCK (trayapp/app.py); the app's time runs on from the last instant."""

    def __init__(self, folder: Path, start: dt.datetime, app_log: Path) -> None:
        folder.mkdir(parents=True, exist_ok=True)
        self.path = folder / "now"
        self.app_log = app_log  # the app's ippo.log, where it says it looked at the time
        self._write(start)

    @property
    def env(self) -> dict[str, str]:
        return {"IPPO_TEST_CLOCK": str(self.path)}

    def _write(self, moment: dt.datetime) -> None:
        draft = self.path.with_suffix(".draft")  # replaced in one step: never half read
        draft.write_text(moment.isoformat(), encoding="utf-8")
        os.replace(draft, self.path)

    def move_to(self, moment: dt.datetime) -> None:
        """Set the clock and wait until the running app has looked at the time again."""
        stamp = f"test clock moved to {moment:%Y-%m-%dT%H:%M}"  # the app logs seconds too
        self._write(moment)
        wait_until(lambda: stamp in self.app_log.read_text(errors="replace"), stamp)


def append_inquiry(
    dovecot: DovecotServer, user: DovecotUser, name: str, arrived: dt.datetime
) -> None:
    """An inquiry from `name` (first name lower-cased @example.test, subject "Question from
    <first name>") that reached the server at `arrived` (INTERNALDATE)."""
    first = name.split()[0]
    address = f"{first.lower()}@example.test"
    raw = make_message(
        from_addr=address,
        from_header=f'"{name}" <{address}>'.encode(),
        to=user.email,
        subject=f"Question from {first}",
        message_id=new_message_id(),
        date=arrived,
    )
    dovecot.append(user, "INBOX", raw, internaldate=arrived)


def screenshot_icon(desk: Desktop, icon_window: str, name: str) -> Path:
    """The tray icon alone, enlarged 8x without smoothing (to judge the pixels)."""
    raw = desk.screenshot(ARTIFACTS / f"{name}-screen.png")
    small = ARTIFACTS / f"{name}.png"
    subprocess.run(
        ["import", "-window", icon_window, str(small)], env=desk.env(), check=True, timeout=30
    )
    subprocess.run(
        ["convert", str(small), "-filter", "point", "-resize", "800%", str(small)],
        check=True,
        timeout=30,
    )
    return raw
