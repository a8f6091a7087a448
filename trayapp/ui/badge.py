"""The tray badge: a pure function from a BadgeSpec to an image. No state, no timers, no I/O
beyond loading the fixed font once.

Design (legible from 16 px up, on light and dark panels):
- calm / warning / urgent: a rounded square filled green / amber / deep orange with the
  countdown in bold: the number large, its unit ('h', 'm', 'd') smaller beside it.
- overdue: red with darker diagonal stripes and pale-yellow digits after a thick minus bar
  (how late: '-2h') — a sign, a texture and an ink no other state has, so it never reads as
  "2h left", in colour or not. (A '!' prefix was tried and dropped: at tray sizes '!2h'
  reads as '12h'; the bar is drawn, not a font's hyphen, so it stays thick at 16 px.)
- error (an inbox NOT covered): slate grey with a thick hazard-yellow frame; the countdown
  still shows (white) when items wait, a yellow '!' when nothing does. Grey + yellow is used
  for nothing else, so "you are not covered" is never mistaken for a stage.
- setup (no inbox set up yet): the error look with a yellow '+' -- nothing is watched, and
  the fix is to add an inbox; never the calm check mark.
- away (the user is away: deadlines paused, notifications held): indigo with a white pause
  sign, whatever waits -- a colour and a shape no stage has; the tooltip says until when.
- empty (nothing waits): no fill, a check mark in the panel's own foreground colour.
Every filled shape gets a hairline outline that contrasts with the panel, so amber on a
light panel and dark red on a dark panel keep their edges.
"""

from __future__ import annotations

import re
from pathlib import Path

from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import (
    QColor,
    QFont,
    QFontDatabase,
    QFontMetricsF,
    QImage,
    QPainter,
    QPainterPath,
    QPen,
)

from trayapp.core.summary import BadgeSpec

# A fixed font makes the badge the same everywhere (and golden tests reproducible). DejaVu
# Sans Condensed Bold has wide-open digits at tiny sizes; the fallbacks are close relatives.
_FONT_FILES = (
    "/usr/share/fonts/truetype/dejavu/DejaVuSansCondensed-Bold.ttf",
    "/usr/share/fonts/dejavu/DejaVuSansCondensed-Bold.ttf",
    "/usr/share/fonts/TTF/DejaVuSansCondensed-Bold.ttf",
)
_FALLBACK_FAMILIES = ("DejaVu Sans Condensed", "DejaVu Sans", "Segoe UI", "Helvetica Neue", "Arial")
_font_family: str | None = None

FILL = {
    "calm": QColor("#2E7D32"),
    "warning": QColor("#FFB300"),
    "urgent": QColor("#E65100"),
    "overdue": QColor("#B71C1C"),
    "error": QColor("#37474F"),
    "setup": QColor("#37474F"),
    "away": QColor("#3949AB"),
}
INK = {
    "calm": QColor("#FFFFFF"),
    "warning": QColor("#1B1B1B"),
    "urgent": QColor("#FFFFFF"),
    "overdue": QColor("#FFF59D"),  # pale yellow: overdue reads differently from urgent's white
    "error": QColor("#FFFFFF"),
    "setup": QColor("#FFFFFF"),
    "away": QColor("#FFFFFF"),
}
HAZARD = QColor("#FFD600")
OVERDUE_STRIPE = QColor("#7F0000")
_COUNTDOWN = re.compile(r"^(?P<sign>-?)(?P<number>\d+)(?P<unit>[a-z]*)$")


def badge_font_family() -> str:
    """The family name of the fixed badge font (loaded from its file on first use)."""
    global _font_family
    if _font_family is None:
        family = ""
        for path in _FONT_FILES:
            if Path(path).is_file():
                font_id = QFontDatabase.addApplicationFont(path)
                families = QFontDatabase.applicationFontFamilies(font_id) if font_id >= 0 else []
                if families:
                    family = families[0]
                    break
        if not family:
            available = set(QFontDatabase.families())
            family = next((f for f in _FALLBACK_FAMILIES if f in available), "")
        _font_family = family
    return _font_family


# The condensed face registers under the family "DejaVu Sans"; asking for a semi-condensed
# stretch is what selects it rather than the regular-width bold.
_CONDENSED = 87
_NARROWEST = 75


def _font(pixel_size: float, stretch: int = _CONDENSED) -> QFont:
    font = QFont(badge_font_family())
    font.setPixelSize(max(1, round(pixel_size)))
    font.setBold(True)
    font.setStretch(stretch)
    font.setHintingPreference(QFont.HintingPreference.PreferFullHinting)
    return font


def render_badge(spec: BadgeSpec, size: int, dark_panel: bool) -> QImage:
    """The badge for `spec` as a size×size ARGB image (transparent around the shape)."""
    image = QImage(size, size, QImage.Format.Format_ARGB32_Premultiplied)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        if spec.kind == "empty":
            _draw_check(painter, size, dark_panel)
        else:
            _draw_filled(painter, spec, size, dark_panel)
    finally:
        painter.end()
    return image


def _panel_contrast(dark_panel: bool, alpha: int) -> QColor:
    colour = QColor("#FFFFFF") if dark_panel else QColor("#000000")
    colour.setAlpha(alpha)
    return colour


def _draw_filled(painter: QPainter, spec: BadgeSpec, size: int, dark_panel: bool) -> None:
    s = float(size)
    radius = s * 0.22
    outer = QRectF(0.5, 0.5, s - 1.0, s - 1.0)
    kind = spec.kind
    # Body with a hairline edge that contrasts with the panel.
    painter.setPen(QPen(_panel_contrast(dark_panel, 150), 1.0))
    painter.setBrush(FILL[kind])
    painter.drawRoundedRect(outer, radius, radius)

    inset = 0.0
    if kind == "overdue":
        _draw_stripes(painter, outer, radius, s)
    elif kind in ("error", "setup"):
        frame = max(1.5, s / 10.0)
        painter.setPen(QPen(HAZARD, frame))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        half = frame / 2.0 + 0.5
        painter.drawRoundedRect(outer.adjusted(half, half, -half, -half), radius, radius)
        inset = frame

    match = _COUNTDOWN.match(spec.text)
    ink = INK[kind]
    text_box = QRectF(0, 0, s, s).adjusted(inset + 0.5, inset, -inset - 0.5, -inset)
    if kind == "setup":
        _draw_plus(painter, text_box, s)
        return
    if kind == "away":
        _draw_pause(painter, ink, text_box, s)
        return
    if kind == "error" and match is None:
        _draw_centered(painter, "!", HAZARD, text_box, s * 0.8)
        return
    if match is None:
        _draw_centered(painter, spec.text or "!", ink, text_box, s * 0.7)
        return
    number, unit = match["number"], match["unit"]
    if match["sign"]:
        # Late: a minus bar of its own, always drawn, so '-2h' never reads as '2h left' --
        # not even without colour. The digits get the room that is left.
        text_box = _draw_minus(painter, ink, text_box, s)
    _draw_countdown(painter, number, unit, ink, text_box)


def _draw_plus(painter: QPainter, box: QRectF, s: float) -> None:
    """No inbox yet: a thick '+' in the hazard yellow (drawn, so it stays crisp at 16 px)."""
    thickness = max(2.0, round(s / 7.0))
    arm = max(6.0, round(box.width() * 0.62))
    centre = box.center()
    left, top = round(centre.x() - arm / 2.0), round(centre.y() - arm / 2.0)
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(HAZARD)
    painter.drawRect(QRectF(left, round(centre.y() - thickness / 2.0), arm, thickness))
    painter.drawRect(QRectF(round(centre.x() - thickness / 2.0), top, thickness, arm))
    painter.restore()


def _draw_pause(painter: QPainter, ink: QColor, box: QRectF, s: float) -> None:
    """Away: a pause sign, two upright bars on whole pixels (crisp at 16 px)."""
    bar = max(3.0, round(s * 0.17))
    gap = max(2.0, round(s * 0.14))
    height = max(8.0, round(s * 0.5))
    centre = box.center()
    left = round(centre.x() - bar - gap / 2.0)
    top = round(centre.y() - height / 2.0)
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(ink)
    painter.drawRect(QRectF(left, top, bar, height))
    painter.drawRect(QRectF(left + bar + gap, top, bar, height))
    painter.restore()


def _draw_minus(painter: QPainter, ink: QColor, box: QRectF, s: float) -> QRectF:
    """A thick minus at the left of `box`, on the digits' middle; returns the box beside it."""
    thickness = max(2.0, round(s / 8.0))
    width = max(3.0, round(s * 0.2))
    left = box.left() + max(0.5, s * 0.04)
    top = round(box.center().y() - thickness / 2.0)
    painter.save()
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(ink)
    painter.drawRect(QRectF(round(left), top, width, thickness))
    painter.restore()
    return box.adjusted(left - box.left() + width, 0, 0, 0)


def _draw_stripes(painter: QPainter, outer: QRectF, radius: float, s: float) -> None:
    """Diagonal hazard stripes inside the body: overdue has a texture no other state has."""
    clip = QPainterPath()
    clip.addRoundedRect(outer, radius, radius)
    painter.save()
    painter.setClipPath(clip)
    pen = QPen(OVERDUE_STRIPE, max(1.5, s / 9.0))
    painter.setPen(pen)
    step = max(4.0, s / 4.0)
    offset = -s
    while offset < s:
        painter.drawLine(QPointF(offset, s), QPointF(offset + s, 0.0))
        offset += step
    painter.restore()


def _draw_centered(painter: QPainter, text: str, ink: QColor, box: QRectF, px: float) -> None:
    font = _font(px)
    metrics = QFontMetricsF(font)
    while metrics.horizontalAdvance(text) > box.width() and px > 6:
        px -= 0.5
        font = _font(px)
        metrics = QFontMetricsF(font)
    painter.setFont(font)
    painter.setPen(ink)
    painter.drawText(box, Qt.AlignmentFlag.AlignCenter, text)


def _draw_countdown(
    painter: QPainter,
    number: str,
    unit: str,
    ink: QColor,
    box: QRectF,
) -> None:
    """The number as large as fits, the unit at ~60 % of it on the same baseline; digits are
    narrowed (font stretch) before they are shrunk."""
    px = box.height() * 0.8
    stretch = _CONDENSED
    while True:
        big, small = _font(px, stretch), _font(px * 0.6, stretch)
        big_m, small_m = QFontMetricsF(big), QFontMetricsF(small)
        width = big_m.horizontalAdvance(number) + small_m.horizontalAdvance(unit)
        if (width <= box.width() and big_m.capHeight() <= box.height()) or px <= 6:
            break
        if stretch > _NARROWEST:
            stretch = max(_NARROWEST, stretch - 6)
        else:
            px -= 0.5
    # Vertical: centre the digits' cap height in the box (digits have no descenders).
    baseline = box.center().y() + big_m.capHeight() / 2.0
    x = box.center().x() - width / 2.0
    painter.setPen(ink)
    painter.setFont(big)
    painter.drawText(QPointF(round(x), round(baseline)), number)
    painter.setFont(small)
    painter.drawText(QPointF(round(x + big_m.horizontalAdvance(number)), round(baseline)), unit)


def _draw_check(painter: QPainter, size: int, dark_panel: bool) -> None:
    s = float(size)
    ink = QColor("#E8F5E9") if dark_panel else QColor("#1B5E20")
    ring = _panel_contrast(dark_panel, 90)
    stroke = max(1.5, s / 9.0)
    margin = stroke / 2.0 + 0.5
    painter.setPen(QPen(ring, max(1.0, s / 16.0)))
    painter.setBrush(Qt.BrushStyle.NoBrush)
    frame = QRectF(margin, margin, s - 2 * margin, s - 2 * margin)
    painter.drawRoundedRect(frame, s * 0.22, s * 0.22)
    path = QPainterPath()
    path.moveTo(s * 0.26, s * 0.52)
    path.lineTo(s * 0.43, s * 0.69)
    path.lineTo(s * 0.75, s * 0.33)
    pen = QPen(ink, stroke)
    pen.setCapStyle(Qt.PenCapStyle.RoundCap)
    pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
    painter.setPen(pen)
    painter.drawPath(path)
