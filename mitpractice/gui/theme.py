"""High-contrast colours of both windows' chrome: dark text on a near-white background
(contrast above 12:1). The colours of notes and results are :mod:`~mitpractice.gui.widgets.palette`'s.
"""

from __future__ import annotations

from PySide6.QtGui import QColor, QPalette
from PySide6.QtWidgets import QApplication

BACKGROUND = QColor("#fbfbf8")
TEXT = QColor("#111111")
ACCENT = QColor("#0b4f9c")  # buttons, the current syllable
HIGH_NOTE = QColor("#0b4f9c")
LOW_NOTE = QColor("#5a6b7d")
PITCH_LINE = QColor("#d4145a")
#: Text and face of a control that cannot be used now (a button greyed while a file is
#: written): clearly lighter than TEXT, so it does not look pressable.
DISABLED_TEXT = QColor("#8c9199")
DISABLED_BUTTON = QColor("#eef0f3")


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
        palette.setColor(role, colour)  # every state; the greyed state is set apart below
    disabled = QPalette.ColorGroup.Disabled
    for role in (QPalette.ColorRole.Text, QPalette.ColorRole.WindowText, QPalette.ColorRole.ButtonText):
        palette.setColor(disabled, role, DISABLED_TEXT)
    palette.setColor(disabled, QPalette.ColorRole.Button, DISABLED_BUTTON)
    app.setPalette(palette)
