"""The real app pieces on a real X server with a real tray host (trayer): the icon is embedded
in the tray, the list opens beside it, and screenshots are saved for a look at a glance
(artifacts/gui/, not compared: the golden badge tests guard the pixels)."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.support.desktop_session import start_desktop

from .helpers import shown_scene

pytestmark = [pytest.mark.gui, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "gui"


@pytest.mark.parametrize("language", ["en", "ja"])
def test_tray_badge_and_list_on_a_real_tray(language: str) -> None:
    # Xvfb + private bus + trayer only: no keyring, no notification daemon needed here.
    with (
        start_desktop(keyring="absent", notifications=False, width=1024, height=640) as desk,
        shown_scene(desk.env(), "tray_scene", language) as lines,
    ):
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


@pytest.mark.parametrize("language", ["en", "ja"])
def test_record_window(language: str) -> None:
    """The Record window on 12 weeks of sample history, painted: its colours are on screen."""
    with (
        start_desktop(
            keyring="absent", tray=False, notifications=False, width=1000, height=760
        ) as desk,
        shown_scene(desk.env(TZ="Asia/Tokyo"), "record_scene", language) as lines,
    ):
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
        # Good weeks (green bars), the bad patch 5-6 weeks ago (red) and the median line (blue).
        assert counts["green"] > 500 and counts["red"] > 100 and counts["blue"] > 50, counts
