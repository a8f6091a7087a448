"""The README's first command, installers/source/install-and-run.sh, run for real from a fresh
clone of this checkout with a throwaway HOME: the app and the demo extra land in the venv, the
menu entry (absolute Exec, valid) and the hicolor icons are installed for the user, the icon
the autostart entry names exists, and `ippo --demo`'s server comes up from that venv and
answers a login."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest

from trayapp.desktop.autostart import APP_ID, XdgAutostart

pytestmark = [pytest.mark.integration, pytest.mark.slow]

ROOT = Path(__file__).resolve().parents[2]
DEMO_SERVER_UP = """
from trayapp.demo import DemoServer
from trayapp.mail.imap import connect
with DemoServer() as demo:
    assert demo.account is not None
    connect(demo.account, demo.password).logout()
    print("demo server up")
"""


def test_source_install_adds_demo_menu_entry_and_icons(tmp_path: Path) -> None:
    clone = tmp_path / "clone"
    # Committed files only, as `git clone` gives them (no .venv, no build leftovers).
    subprocess.run(["git", "clone", "-q", str(ROOT), str(clone)], check=True, timeout=120)
    subprocess.run(["git", "-C", str(clone), "checkout", "-q", _head()], check=True, timeout=60)
    home = tmp_path / "home"
    home.mkdir()
    env = {
        k: v for k, v in os.environ.items() if not k.startswith(("XDG_", "IPPO_", "VIRTUAL_ENV"))
    }
    env.update(HOME=str(home), IPPO_NO_START="1", PIP_DISABLE_PIP_VERSION_CHECK="1")
    done = subprocess.run(
        ["bash", "installers/source/install-and-run.sh"],
        cwd=clone,
        env=env,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    venv = home / ".local" / "share" / "ippo" / "venv"
    assert (home / ".local" / "bin" / "ippo").resolve() == (venv / "bin" / "ippo").resolve()

    # What `ippo --demo` needs is installed (the demo extra): its IMAP server comes up from
    # that venv, from a folder that is not the checkout (-I: the installed package only).
    demo = subprocess.run(
        [str(venv / "bin" / "python"), "-I", "-c", DEMO_SERVER_UP],
        cwd=home,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert demo.returncode == 0 and "demo server up" in demo.stdout, demo.stderr[-3000:]

    data = home / ".local" / "share"
    entry = data / "applications" / f"{APP_ID}.desktop"
    text = entry.read_text(encoding="utf-8")
    assert f"Exec={venv}/bin/ippo\n" in text and f"Icon={APP_ID}\n" in text
    if shutil.which("desktop-file-validate"):
        subprocess.run(["desktop-file-validate", str(entry)], check=True, timeout=60)
    for size in (16, 22, 24, 32, 48, 64, 128, 256, 512):
        assert (data / "icons" / "hicolor" / f"{size}x{size}" / "apps" / f"{APP_ID}.png").is_file()
    assert (data / "icons" / "hicolor" / "scalable" / "apps" / f"{APP_ID}.svg").is_file()
    # The start-at-login entry names an icon that is now installed.
    autostart = XdgAutostart(tmp_path / "xdg-config").render([str(venv / "bin" / "ippo")])
    assert f"Icon={APP_ID}\n" in autostart

    version = subprocess.run(
        [str(home / ".local" / "bin" / "ippo"), "--version"],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert version.stdout.startswith("ippo ")


def _head() -> str:
    return subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "HEAD"],
        capture_output=True,
        text=True,
        check=True,
        timeout=30,
    ).stdout.strip()
