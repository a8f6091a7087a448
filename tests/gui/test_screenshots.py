"""The real app pieces on a real X server with a real tray host (trayer): the icon is embedded
in the tray, the list opens beside it, and screenshots are saved for a look at a glance
(artifacts/gui/, not compared: the golden badge tests guard the pixels)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.support.desktop_session import start_desktop

pytestmark = [pytest.mark.gui, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "gui"


def start_scene(
    module: str, language: str, env: dict[str, str]
) -> tuple[subprocess.Popen[str], list[str]]:
    """Start a scene script; returns it and its output lines up to 'shown' (or its end)."""
    scene = subprocess.Popen(
        [sys.executable, "-m", module, language],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert scene.stdout is not None
    lines = []
    for line in scene.stdout:
        lines.append(line.strip())
        if line.strip() == "shown":
            break
    return scene, lines


@pytest.mark.parametrize("language", ["en", "ja"])
def test_tray_badge_and_list_on_a_real_tray(language: str) -> None:
    # Xvfb + private bus + trayer only: no keyring, no notification daemon needed here.
    with start_desktop(keyring="absent", notifications=False, width=1024, height=640) as desk:
        scene, lines = start_scene("tests.gui.tray_scene", language, desk.env())
        try:
            assert "tray-available=True" in lines, lines
            assert "tray-visible=True" in lines, lines
            shot = ARTIFACTS / f"tray-and-list-{language}.png"
            desk.screenshot(shot)
            # The tray host's corner now holds our badge: overdue red pixels near the top right.
            image = QImage(str(shot))
            assert not image.isNull()
            red = 0
            for y in range(0, 28):
                for x in range(image.width() - 160, image.width()):
                    c = image.pixelColor(x, y)
                    if c.red() > 150 and c.green() < 60 and c.blue() < 60:
                        red += 1
            assert red > 40, f"no badge in the tray area ({red} red pixels)"
        finally:
            scene.terminate()
            scene.wait(10)


@pytest.mark.parametrize("language", ["en", "ja"])
def test_record_window(language: str) -> None:
    """The Record window on 12 weeks of sample history: the bars are painted (their colours
    are on screen) and the headline is in the language asked for."""
    with start_desktop(
        keyring="absent", tray=False, notifications=False, width=1000, height=760
    ) as desk:
        scene, lines = start_scene("tests.gui.record_scene", language, desk.env(TZ="Asia/Tokyo"))
        try:
            assert "shown" in lines, lines
            shot = ARTIFACTS / f"record-window-{language}.png"
            desk.screenshot(shot)
            image = QImage(str(shot))
            assert not image.isNull()
            counts = {"green": 0, "red": 0, "blue": 0}
            for y in range(0, image.height(), 2):
                for x in range(0, image.width(), 2):
                    c = image.pixelColor(x, y)
                    if (c.red(), c.green(), c.blue()) == (0x2E, 0x7D, 0x32):
                        counts["green"] += 1
                    elif (c.red(), c.green(), c.blue()) == (0xC6, 0x28, 0x28):
                        counts["red"] += 1
                    elif (c.red(), c.green(), c.blue()) == (0x15, 0x65, 0xC0):
                        counts["blue"] += 1
            # Good weeks (green bars), the bad patch (red bars) and the median line (blue).
            assert counts["green"] > 500 and counts["red"] > 100 and counts["blue"] > 50, counts
        finally:
            scene.terminate()
            scene.wait(10)
