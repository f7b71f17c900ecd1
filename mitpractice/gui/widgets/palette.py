"""Colours the shared widgets draw with: high contrast on white, and told apart without
colour vision too (Okabe and Ito's colour-blind safe set, plus shape: a missed syllable is
drawn as a dashed outline, not only in another colour)."""

from __future__ import annotations

from PySide6.QtGui import QColor

BACKGROUND = QColor("#ffffff")
#: Text and lines on the white background (contrast 18:1).
INK = QColor("#111111")
#: Guide lines at the low and high pitch: visible, but under everything else.
GUIDE = QColor("#c8c8c8")

#: A target note not yet sung or scored: slate blue, white text on it (contrast 7:1).
NOTE = QColor("#3d5a80")
#: The syllable playing now: yellow, black text (contrast 15:1).
HIGHLIGHT = QColor("#ffd21f")
#: A syllable sung at the right pitch and time: bluish green, white text (contrast 5:1).
GOOD = QColor("#00745a")
#: A syllable sung on the right note but off in time ("nearly"): orange (contrast 9:1 with
#: black).
CLOSE = QColor("#e69f00")
#: A syllable sung on the wrong note (an upside-down tune, a monotone): vermillion, filled,
#: much darker than orange, so it reads as wrong without colour vision too.
WRONG = QColor("#c0392b")
#: A syllable not found: a vermillion dashed outline (hollow: told from a wrong note by its
#: shape), its text in ink.
MISSED = QColor("#c0392b")

#: The live pitch line: near black over a white halo, so it reads over every note colour.
PITCH = QColor("#0b0b45")
PITCH_HALO = QColor("#ffffff")
#: The playback cursor: vermillion.
CURSOR = QColor("#d55e00")

#: Level meter zones (pale) and the level bar in each zone (strong).
ZONE_QUIET = QColor("#e3e3e3")
ZONE_GOOD = QColor("#cdebd9")
ZONE_LOUD = QColor("#f6d2cc")
LEVEL_QUIET = QColor("#6b6b6b")
LEVEL_GOOD = QColor("#00745a")
LEVEL_LOUD = QColor("#c0392b")


def text_on(fill: QColor) -> QColor:
    """Black or white, whichever reads better on ``fill``."""
    r, g, b = fill.redF(), fill.greenF(), fill.blueF()
    return INK if 0.299 * r + 0.587 * g + 0.114 * b > 0.55 else BACKGROUND


def result_colour(detected: bool, pitch_ok: bool, timing_ok: bool) -> QColor:
    """A scored syllable's colour, the same in every view: green when pitch and timing are both
    right; orange ("nearly") when only the timing is off; vermillion when the note was wrong,
    whatever its timing, or it was not heard (the views draw that one as a dashed outline).
    A wrong note is never "nearly": an upside-down tune drawn orange read as almost right."""
    if not detected:
        return MISSED
    if not pitch_ok:
        return WRONG
    return GOOD if timing_ok else CLOSE
