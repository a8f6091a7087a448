"""Screenshots (artifacts/gui/) of the finished reply and the account's reply settings, in
Japanese and English, on a real X server -- for a person to look at. The test checks the
dialog really came up with the overdue apology in its text."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from tests.support.desktop_session import start_desktop

from .helpers import shown_scene

pytestmark = [pytest.mark.gui, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "gui"
APOLOGY = {
    "ja": "ご返信が遅くなり、大変申し訳ございません。",
    "en": "I am sorry to have kept you waiting.",
}


@pytest.mark.parametrize("scene", ["ack", "settings", "password", "banner", "editor"])
@pytest.mark.parametrize("language", ["ja", "en"])
def test_reply_dialog_and_settings_screenshots(scene: str, language: str) -> None:
    with (
        start_desktop(keyring="absent", tray=False, notifications=False) as desk,
        # a shop in Japan: no time zone in the promise
        shown_scene(desk.env(TZ="Asia/Tokyo"), "reply_scene", scene, language) as lines,
    ):
        assert "shown" in lines, lines
        if scene == "ack":
            # The reply is in the inquiry's language, Japanese: the apology opens it.
            assert f"body-start={APOLOGY['ja']}" in lines, lines
        shot = desk.screenshot(ARTIFACTS / f"reply-{scene}-{language}.png")
        assert not QImage(str(shot)).isNull()
