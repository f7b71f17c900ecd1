"""Render the app's icon (packaging/icons/mitpractice.svg) to the PNG sizes of the hicolor
theme and to a Windows .ico, with Qt's own SVG renderer (no other tool needed).

Run: ``python packaging/render_icons.py OUT_DIR``; writes ``OUT_DIR/hicolor/NxN/apps/
mitpractice.png`` for every size, ``OUT_DIR/mitpractice.ico`` and ``OUT_DIR/mitpractice.iconset/``
(the PNGs macOS's ``iconutil`` turns into an .icns).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

SVG = Path(__file__).with_name("icons") / "mitpractice.svg"
#: The hicolor theme's usual fixed sizes (pixels); 16 is the menu's and the panel's.
HICOLOR_SIZES = (16, 22, 24, 32, 48, 64, 128, 256, 512)
#: The sizes a Windows .ico holds (Explorer, Start menu, taskbar, title bar).
ICO_SIZES = (16, 24, 32, 48, 64, 256)
#: macOS iconset sizes: name stem and pixels (each also at twice the size, ``@2x``).
ICONSET_SIZES = (16, 32, 128, 256, 512)


def render(size: int):
    """The icon as a QImage of ``size`` x ``size`` pixels, transparent around the tile."""
    from PySide6.QtCore import Qt
    from PySide6.QtGui import QImage, QPainter
    from PySide6.QtSvg import QSvgRenderer

    image = QImage(size, size, QImage.Format.Format_ARGB32)
    image.fill(Qt.GlobalColor.transparent)
    painter = QPainter(image)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    QSvgRenderer(str(SVG)).render(painter)
    painter.end()
    return image


def main(out: Path) -> None:
    os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
    from PySide6.QtGui import QGuiApplication

    _app = QGuiApplication(sys.argv[:1])
    for size in HICOLOR_SIZES:
        folder = out / "hicolor" / f"{size}x{size}" / "apps"
        folder.mkdir(parents=True, exist_ok=True)
        render(size).save(str(folder / "mitpractice.png"))
    iconset = out / "mitpractice.iconset"
    iconset.mkdir(parents=True, exist_ok=True)
    for size in ICONSET_SIZES:
        render(size).save(str(iconset / f"icon_{size}x{size}.png"))
        render(2 * size).save(str(iconset / f"icon_{size}x{size}@2x.png"))
    _write_ico(out / "mitpractice.ico", [render(size) for size in ICO_SIZES])


def _write_ico(path: Path, images) -> None:
    """A Windows .ico holding each image as PNG (the format Windows Vista and later read)."""
    import struct

    from PySide6.QtCore import QBuffer, QIODevice

    blobs = []
    for image in images:
        buffer = QBuffer()
        buffer.open(QIODevice.OpenModeFlag.WriteOnly)
        image.save(buffer, "PNG")
        blobs.append(bytes(buffer.data()))
    header = struct.pack("<HHH", 0, 1, len(images))
    offset = len(header) + 16 * len(images)
    entries = b""
    for image, blob in zip(images, blobs, strict=True):
        side = image.width() if image.width() < 256 else 0  # 0 stands for 256 in an .ico
        entries += struct.pack("<BBBBHHII", side, side, 0, 0, 1, 32, len(blob), offset)
        offset += len(blob)
    path.write_bytes(header + entries + b"".join(blobs))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: python packaging/render_icons.py OUT_DIR")
    main(Path(sys.argv[1]))
