"""High-contrast colours shared by both windows, and what each colour means.

Dark text on a near-white background (contrast above 12:1), and result colours that differ in
lightness as well as hue, so they read for people with red-green colour blindness too.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

BACKGROUND = QColor("#fbfbf8")
TEXT = QColor("#111111")
ACCENT = QColor("#0b4f9c")  # buttons, the current syllable
HIGH_NOTE = QColor("#0b4f9c")
LOW_NOTE = QColor("#5a6b7d")
GOOD = QColor("#1b7f3b")  # pitch and timing right
CLOSE = QColor("#b86e00")  # one of the two right
MISSED = QColor("#b3261e")  # not heard, or neither right
PITCH_LINE = QColor("#d4145a")


def apply_theme(app: QApplication) -> None:
    app.setStyle("Fusion")
    palette = QPalette()
    for role, colour in (
        (QPalette.ColorRole.Window, BACKGROUND),
        (QPalette.ColorRole.Base, QColor("#ffffff")),
        (QPalette.ColorRole.AlternateBase, QColor("#eef1f5")),
        (QPalette.ColorRole.Text, TEXT),
        (QPalette.ColorRole.WindowText, TEXT),
        (QPalette.ColorRole.ButtonText, TEXT),
        (QPalette.ColorRole.Button, QColor("#e4e8ee")),
        (QPalette.ColorRole.Highlight, ACCENT),
        (QPalette.ColorRole.HighlightedText, QColor("#ffffff")),
        (QPalette.ColorRole.ToolTipBase, QColor("#ffffff")),
        (QPalette.ColorRole.ToolTipText, TEXT),
    ):
        palette.setColor(role, colour)
    app.setPalette(palette)
