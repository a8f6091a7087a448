"""Screenshots (artifacts/gui/) of the settings with a working-hours schedule and of the away
state, in English and Japanese, on a real X server with a tray host."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.support.desktop_session import start_desktop

from .helpers import shown_scene

pytestmark = [pytest.mark.gui, pytest.mark.integration]

ROOT = Path(__file__).resolve().parents[2]
ARTIFACTS = ROOT / "artifacts" / "gui"
EXPECTED = {
    "en": ("A message arriving now is due", "Away until"),
    "ja": ("今届いたメッセージの期限：", "まで不在"),
}


@pytest.mark.parametrize("language", ["en", "ja"])
def test_schedule_settings_and_away_state(language: str) -> None:
    with (
        start_desktop(keyring="absent", notifications=False, width=1100, height=900) as desk,
        shown_scene(desk.env(), "schedule_scene", language) as lines,
    ):
        preview, away = EXPECTED[language]
        assert any(line.startswith("preview=") and preview in line for line in lines), lines
        assert any(line.startswith("tooltip=") and away in line for line in lines), lines
        [height] = [int(x.split("=")[1]) for x in lines if x.startswith("settings_height=")]
        assert height <= 600  # a laptop at 1366x768 with a panel
        desk.screenshot(ARTIFACTS / f"schedule-and-away-{language}.png")
