"""Screenshots (artifacts/gui/) of the undo bar, "Recently set aside" and the ignored
senders, in Japanese and English, on a real X server -- for a person to look at. The test
checks the undo bar really came up, naming what was set aside in the UI's language."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.support.desktop_session import start_desktop

from .helpers import shown_scene

pytestmark = [pytest.mark.gui, pytest.mark.integration]

ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts" / "gui"
BAR = {
    "ja": "bar=対応済みにしました：「Order #4411 arrived damaged」",
    "en": "bar=Marked as answered: “Order #4411 arrived damaged”",
}


@pytest.mark.parametrize("scene", ["undo", "set-aside", "ignored"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_undo_screenshots(scene: str, language: str) -> None:
    with (
        start_desktop(keyring="absent", tray=False, notifications=False) as desk,
        shown_scene(desk.env(), "undo_scene", scene, language) as lines,
    ):
        assert "shown" in lines, lines
        if scene == "undo":
            assert BAR[language] in lines, lines
        shot = desk.screenshot(ARTIFACTS / f"undo-{scene}-{language}.png")
        assert not QImage(str(shot)).isNull()
