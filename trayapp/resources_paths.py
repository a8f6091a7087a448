"""Where the shipped resources (icons, templates, translations) are, wherever Ippo runs from.

Three layouts, one rule -- `resources/` beside the `trayapp` package or inside it:
  installed wheel     site-packages/trayapp/resources/<kind>    (pyproject's package-dir)
  source checkout     <repo>/resources/<kind>                    (trayapp/../resources)
  PyInstaller bundle  <bundle>/_internal/resources/<kind>        (trayapp/../resources again:
                      the bundle keeps the package as _internal/trayapp)
No Qt here.
"""

from __future__ import annotations

from pathlib import Path

import trayapp

ICON_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)


def _package_dir() -> Path:
    return Path(trayapp.__file__).resolve().parent


def resource_dir(kind: str) -> Path | None:
    """`resources/<kind>` of this installation (package data first), or None when missing."""
    package = _package_dir()
    for candidate in (package / "resources" / kind, package.parent / "resources" / kind):
        if candidate.is_dir():
            return candidate
    return None


def app_icon_files() -> list[Path]:
    """Every shipped size of the app icon (PNG), smallest first; the SVG last if present."""
    icons = resource_dir("icons")
    if icons is None:
        return []
    found = [icons / "png" / f"ippo-{size}.png" for size in ICON_SIZES]
    files = [p for p in found if p.is_file()]
    svg = icons / "ippo.svg"
    if svg.is_file():
        files.append(svg)
    return files


def app_icon_png(size: int = 64) -> Path | None:
    """The PNG of the app icon closest to `size` (at least that big when there is one): for
    notification daemons, which take a file path."""
    pngs = [p for p in app_icon_files() if p.suffix == ".png"]
    if not pngs:
        return None
    by_size = sorted(pngs, key=lambda p: int(p.stem.rsplit("-", 1)[1]))
    return next((p for p in by_size if int(p.stem.rsplit("-", 1)[1]) >= size), by_size[-1])
