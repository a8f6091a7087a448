"""The badge renderer against golden images, plus properties no golden image can drift from.

Regenerate the goldens after an intended change of the design with
    IPPO_UPDATE_GOLDEN=1 .venv/bin/pytest tests/gui/test_badge.py
and LOOK at them (tests/gui/golden/) before committing.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from PySide6.QtGui import QColor, QImage

from trayapp.core.model import Stage
from trayapp.core.summary import BadgeSpec
from trayapp.ui.badge import FILL, HAZARD, render_badge

GOLDEN = Path(__file__).parent / "golden"
SIZES = (16, 22, 24, 32)
SPECS = {
    "calm-5h": BadgeSpec("5h", "calm", Stage.CALM),
    "calm-23h": BadgeSpec("23h", "calm", Stage.CALM),
    "calm-2d": BadgeSpec("2d", "calm", Stage.CALM),
    "warning-3h": BadgeSpec("3h", "warning", Stage.WARNING),
    "urgent-45m": BadgeSpec("45m", "urgent", Stage.URGENT),
    "overdue-2h": BadgeSpec("-2h", "overdue", Stage.OVERDUE),
    "overdue-12h": BadgeSpec("-12h", "overdue", Stage.OVERDUE),
    "overdue-45m": BadgeSpec("-45m", "overdue", Stage.OVERDUE),
    "error-late-2h": BadgeSpec("-2h", "error", Stage.OVERDUE),
    "empty": BadgeSpec("", "empty"),
    "error": BadgeSpec("", "error"),
    "error-45m": BadgeSpec("45m", "error", Stage.URGENT),
    "setup": BadgeSpec("", "setup"),
    "away": BadgeSpec("3h", "away", Stage.WARNING),
}
# Font rasterisation may differ by a shade between FreeType builds: a pixel counts as
# different only beyond this per-channel delta, and only a few may differ.
CHANNEL_TOLERANCE = 48
MAX_DIFFERENT_SHARE = 0.03


def _argb(image: QImage) -> QImage:
    return image.convertToFormat(QImage.Format.Format_ARGB32)


def _different_pixels(a: QImage, b: QImage) -> int:
    a, b = _argb(a), _argb(b)
    assert a.size() == b.size()
    count = 0
    for y in range(a.height()):
        for x in range(a.width()):
            pa, pb = a.pixel(x, y), b.pixel(x, y)
            if any(
                abs(((pa >> shift) & 0xFF) - ((pb >> shift) & 0xFF)) > CHANNEL_TOLERANCE
                for shift in (0, 8, 16, 24)
            ):
                count += 1
    return count


@pytest.mark.gui
@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize("panel", ["light", "dark"])
@pytest.mark.parametrize("name", sorted(SPECS))
def test_badge_matches_golden(qapp: object, name: str, size: int, panel: str) -> None:
    image = render_badge(SPECS[name], size, dark_panel=panel == "dark")
    path = GOLDEN / f"badge-{name}-{size}-{panel}.png"
    if os.environ.get("IPPO_UPDATE_GOLDEN") == "1":
        GOLDEN.mkdir(exist_ok=True)
        assert image.save(str(path)), path
    golden = QImage(str(path))
    assert not golden.isNull(), f"missing golden {path}; run with IPPO_UPDATE_GOLDEN=1"
    different = _different_pixels(image, golden)
    assert different <= MAX_DIFFERENT_SHARE * size * size, (
        f"{path.name}: {different} of {size * size} pixels differ"
    )


@pytest.mark.gui
def test_golden_comparison_catches_a_changed_badge(qapp: object) -> None:
    calm = render_badge(BadgeSpec("5h", "calm", Stage.CALM), 22, dark_panel=False)
    assert _different_pixels(calm, render_badge(BadgeSpec("3h", "calm"), 22, False)) > 0.03 * 484
    assert _different_pixels(calm, render_badge(BadgeSpec("5h", "warning"), 22, False)) > 200


@pytest.mark.gui
@pytest.mark.parametrize("size", SIZES)
def test_every_state_looks_different_from_every_other(qapp: object, size: int) -> None:
    states = [
        BadgeSpec("3h", "calm"),
        BadgeSpec("3h", "warning"),
        BadgeSpec("3h", "urgent"),
        BadgeSpec("-3h", "overdue"),
        BadgeSpec("3h", "error", Stage.WARNING),
        BadgeSpec("", "error"),
        BadgeSpec("", "empty"),
        BadgeSpec("3h", "away", Stage.WARNING),
    ]
    images = [render_badge(spec, size, dark_panel=False) for spec in states]
    for i in range(len(images)):
        for j in range(i + 1, len(images)):
            share = _different_pixels(images[i], images[j]) / (size * size)
            # The two error badges share their frame on purpose; only their text differs.
            floor = 0.05 if states[i].kind == states[j].kind == "error" else 0.2
            assert share > floor, (states[i], states[j], share)


def _count_near(image: QImage, colour: QColor, within: int = 40) -> int:
    image = _argb(image)
    count = 0
    for y in range(image.height()):
        for x in range(image.width()):
            c = image.pixelColor(x, y)
            if c.alpha() > 200 and all(
                abs(p - q) <= within
                for p, q in zip(c.getRgb()[:3], colour.getRgb()[:3], strict=True)
            ):
                count += 1
    return count


@pytest.mark.gui
@pytest.mark.parametrize("size", SIZES)
def test_digits_have_ink_and_the_fill_dominates(qapp: object, size: int) -> None:
    """Legibility floor: the body colour covers most of the square and the digits take a
    real share of it (not a speck) at every tray size."""
    image = render_badge(BadgeSpec("45m", "urgent"), size, dark_panel=False)
    fill = _count_near(image, FILL["urgent"])
    white = _count_near(image, QColor("#FFFFFF"), within=60)
    assert fill > 0.45 * size * size
    assert white > 0.08 * size * size


@pytest.mark.gui
@pytest.mark.parametrize("size", SIZES)
def test_not_covered_shows_the_hazard_frame_even_when_items_wait(qapp: object, size: int) -> None:
    image = render_badge(BadgeSpec("45m", "error", Stage.URGENT), size, dark_panel=True)
    assert _count_near(image, HAZARD) > 0.15 * size * size


@pytest.mark.gui
@pytest.mark.parametrize("size", SIZES)
def test_away_is_a_pause_sign_on_indigo_whatever_waits(qapp: object, size: int) -> None:
    """Away hides the stage (the deadlines stand still): the same look late or not, and a
    white pause sign of real weight on the indigo body."""
    late = render_badge(BadgeSpec("-2h", "away", Stage.OVERDUE), size, dark_panel=True)
    calm = render_badge(BadgeSpec("2d", "away", Stage.CALM), size, dark_panel=True)
    assert late == calm
    assert _count_near(late, FILL["away"]) > 0.45 * size * size
    assert _count_near(late, QColor("#FFFFFF"), within=60) > 0.1 * size * size


@pytest.mark.gui
def test_empty_badge_adapts_to_the_panel(qapp: object) -> None:
    light = render_badge(BadgeSpec("", "empty"), 24, dark_panel=False)
    dark = render_badge(BadgeSpec("", "empty"), 24, dark_panel=True)
    assert _count_near(light, QColor("#1B5E20")) > 20
    assert _count_near(dark, QColor("#E8F5E9")) > 20


@pytest.mark.gui
def test_rendering_is_pure(qapp: object) -> None:
    spec = BadgeSpec("45m", "urgent")
    a = render_badge(spec, 24, dark_panel=False)
    b = render_badge(spec, 24, dark_panel=False)
    assert a == b


@pytest.mark.gui
@pytest.mark.parametrize("size", SIZES)
def test_overdue_always_carries_a_minus_sign_without_colour(qapp: object, size: int) -> None:
    """'-2h' must not read as '2h left' even in greyscale: a bar of the digits' ink left of
    them, on their middle line, that a countdown with time left does not have. (The error
    look's '-2h' is in its goldens.)"""
    kind = "overdue"

    def ink_run(image: QImage) -> int:
        gray = image.convertToFormat(QImage.Format.Format_Grayscale8)
        ink = QColor(FILL[kind]).lightness()  # the bar is far lighter than the fill
        y = size // 2
        best = run = 0
        for x in range(size // 3):
            light = max(QColor(gray.pixel(x, yy)).lightness() for yy in (y - 1, y, y + 1))
            run = run + 1 if light > ink + 90 else 0
            best = max(best, run)
        return best

    late = render_badge(BadgeSpec("-2h", kind, Stage.OVERDUE), size, dark_panel=True)
    left = render_badge(BadgeSpec("2h", kind, Stage.URGENT), size, dark_panel=True)
    assert ink_run(late) >= max(3, size // 6)
    assert ink_run(left) < max(3, size // 6)
