"""Render the app icon set from resources/icons/ippo.svg.

    python installers/make_icons.py           # (re)write the PNG sizes, ippo.ico and ippo.icns
    python installers/make_icons.py --check   # exit 1 if the committed files are stale

Build-only: needs PySide6 (QtSvg, part of PySide6-Essentials) to rasterise and Pillow to
write the PNG/ICO/ICNS containers (`pip install -e .[build]`). Every size is rendered from
the vector source at its own pixel size rather than scaled down from a big bitmap, so the
small sizes stay sharp.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

ICON_DIR = Path(__file__).resolve().parent.parent / "resources" / "icons"
SVG_SOURCE = ICON_DIR / "ippo.svg"
# 16-48: tray, menus, Windows shell; 22/24: GNOME/KDE panels; 128-512: launchers, docks.
PNG_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
ICO_SIZES = (16, 20, 24, 32, 40, 48, 64, 256)  # Windows shell sizes at 100-200 % scaling
ICNS_SIZES = (32, 64, 128, 256, 512, 1024)  # ic11..ic14 hold 16..512 pt at 2x (Retina)


def png_path(out_dir: Path, size: int) -> Path:
    return out_dir / "png" / f"ippo-{size}.png"


def render(svg: Path, sizes: Sequence[int]) -> dict[int, Image.Image]:
    """Rasterise the SVG once per size; returns Pillow RGBA images keyed by size."""
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PIL import Image as PILImage
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QGuiApplication, QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    _app = QGuiApplication.instance() or QGuiApplication([])  # QPainter needs one
    renderer = QSvgRenderer(str(svg))
    if not renderer.isValid():
        raise SystemExit(f"cannot parse {svg}")
    images: dict[int, Image.Image] = {}
    for size in sizes:
        canvas = QImage(size, size, QImage.Format.Format_RGBA8888)
        canvas.fill(Qt.GlobalColor.transparent)
        painter = QPainter(canvas)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.SmoothPixmapTransform)
        renderer.render(painter)
        painter.end()
        # RGBA8888 is unpremultiplied: the bytes are what PNG stores.
        raw = bytes(canvas.constBits())[: size * size * 4]
        images[size] = PILImage.frombytes("RGBA", (size, size), raw)
    return images


def write_all(svg: Path, out_dir: Path) -> list[Path]:
    sizes = sorted(set(PNG_SIZES) | set(ICO_SIZES) | set(ICNS_SIZES))
    images = render(svg, sizes)
    written: list[Path] = []
    for size in PNG_SIZES:
        path = png_path(out_dir, size)
        path.parent.mkdir(parents=True, exist_ok=True)
        images[size].save(path, "PNG", optimize=True)
        written.append(path)

    largest = images[256]
    ico = out_dir / "ippo.ico"
    # BMP frames below 256 px for old shell/Inno Setup readers; Pillow stores 256 as PNG.
    largest.save(
        ico,
        "ICO",
        sizes=[(s, s) for s in ICO_SIZES],
        append_images=[images[s] for s in ICO_SIZES if s != 256],
        bitmap_format="bmp",
    )
    written.append(ico)

    icns = out_dir / "ippo.icns"
    big = images[1024]
    big.save(icns, "ICNS", append_images=[images[s] for s in ICNS_SIZES if s != 1024])
    written.append(icns)
    return written


def _pixels_close(a: Path, b: Path) -> bool:
    """Same picture up to anti-aliasing noise between Qt versions."""
    from PIL import Image, ImageChops

    with Image.open(a) as ia, Image.open(b) as ib:
        if ia.size != ib.size:
            return False
        diff = ImageChops.difference(ia.convert("RGBA"), ib.convert("RGBA"))
        histogram = diff.histogram()  # 4 channels x 256 levels
        total = ia.size[0] * ia.size[1] * 4
        off = sum(sum(histogram[ch * 256 + 24 : ch * 256 + 256]) for ch in range(4))
        return off / total < 0.005


def container_frames(path: Path) -> dict[int, Image.Image]:
    """Every frame of an .ico or .icns, keyed by pixel width."""
    from PIL import Image

    frames: dict[int, Image.Image] = {}
    with Image.open(path) as img:
        if img.format == "ICO":
            for w, h in img.info["sizes"]:
                frames[w] = img.ico.getimage((w, h)).convert("RGBA")  # type: ignore[attr-defined]
        elif img.format == "ICNS":
            for w, h, scale in img.info["sizes"]:
                frame = img.icns.getimage((w, h, scale))  # type: ignore[attr-defined]
                frames[w * scale] = frame.convert("RGBA")
        else:
            raise ValueError(f"{path} is {img.format}, not ICO/ICNS")
    return frames


def stale_files(svg: Path, out_dir: Path) -> list[str]:
    """Names of committed files that no longer match a fresh render."""
    stale: list[str] = []
    with tempfile.TemporaryDirectory() as tmp:
        fresh = write_all(svg, Path(tmp))
        for path in fresh:
            rel = path.relative_to(tmp)
            committed = out_dir / rel
            if not committed.exists():
                stale.append(f"{rel} (missing)")
                continue
            if path.suffix == ".png":
                if not _pixels_close(path, committed):
                    stale.append(str(rel))
                continue
            # Containers: compare every frame they hold.
            new_frames, old_frames = container_frames(path), container_frames(committed)
            if sorted(new_frames) != sorted(old_frames):
                stale.append(f"{rel} (frames {sorted(old_frames)} != {sorted(new_frames)})")
                continue
            for px, frame in new_frames.items():
                a, b = Path(tmp) / "new.png", Path(tmp) / "old.png"
                frame.save(a, "PNG")
                old_frames[px].save(b, "PNG")
                if not _pixels_close(a, b):
                    stale.append(f"{rel} ({px} px frame)")
                    break
    return stale


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="only report stale files")
    parser.add_argument("--svg", type=Path, default=SVG_SOURCE)
    parser.add_argument("--out", type=Path, default=ICON_DIR)
    args = parser.parse_args(argv)
    if args.check:
        stale = stale_files(args.svg, args.out)
        for name in stale:
            print(f"stale: {name}  (run: python installers/make_icons.py)", file=sys.stderr)
        return 1 if stale else 0
    for path in write_all(args.svg, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
