"""The theme as drawn: a greyed button must look greyed."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")


def _darkest(widget) -> int:
    """The darkest grey level drawn in ``widget`` (its text), 0 black to 255 white."""
    image = widget.grab().toImage()
    return min(
        image.pixelColor(x, y).lightness() for x in range(image.width()) for y in range(image.height())
    )


def test_a_greyed_button_is_drawn_clearly_lighter_than_a_usable_one(qtbot):
    from PySide6.QtWidgets import QApplication, QPushButton

    from mitpractice.gui.theme import apply_theme

    apply_theme(QApplication.instance())
    usable, greyed = QPushButton("Praat…"), QPushButton("Praat…")
    greyed.setEnabled(False)
    for button in (usable, greyed):
        qtbot.addWidget(button)
        button.resize(160, 48)
        button.show()
    assert _darkest(greyed) - _darkest(usable) >= 80
