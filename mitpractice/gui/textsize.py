"""Text sized to the window: everything fits a 1024x600 screen, and a large one is used.

Both windows are designed at 1366x768 with the application's font (14 pt). A window of
another size draws its text :func:`text_scale` times as large; :func:`fit_text` applies it
to every widget: through the window's font for those that inherit it, and by the multiple
of the application's size kept in :data:`TEXT_FACTOR` for those with a size of their own
(the practice window's large labels and buttons). A patient may want it larger (or smaller)
still: :func:`next_text_size` steps through :data:`TEXT_SIZES`, which multiply the fitted size.
"""

from __future__ import annotations

from PySide6.QtGui import QFont
from PySide6.QtWidgets import QApplication, QWidget

#: A widget's text size as a multiple of the application's (a dynamic property).
TEXT_FACTOR = "mitpracticeTextFactor"
#: The window size the type sizes are designed at (px).
DESIGN_SIZE = (1366, 768)
#: The scale never goes beyond these: at 1024x600 the text is 0.75 of its size (so the
#: whole window fits), at 1920x1080 1.4 times (so the room is used), at 4K 2.5 at most.
MIN_TEXT_SCALE, MAX_TEXT_SCALE = 0.7, 2.5
#: Scales are rounded to this step, so a resize by a pixel does not restyle the window.
TEXT_SCALE_STEP = 0.05


#: A patient's own text sizes (Ctrl+minus, Ctrl+plus), as multiples of the size fitted to the
#: window; 1 is the fitted size (Ctrl+0). The largest still fits every screen of the practice
#: window at 1024x600 (tests/test_gui_layout.py); at 1.3 the phrase and the tune no longer do.
TEXT_SIZES = (0.85, 1.0, 1.1, 1.2)


def next_text_size(current: float, steps: int) -> float:
    """The text size ``steps`` sizes larger (negative: smaller) than ``current``, within
    :data:`TEXT_SIZES`; a size not among them (an old setting) starts from the nearest.

    >>> next_text_size(1.0, 1), next_text_size(1.2, 1), next_text_size(0.85, -1), next_text_size(1.14, -1)
    (1.1, 1.2, 0.85, 1.0)
    """
    nearest = min(range(len(TEXT_SIZES)), key=lambda i: abs(TEXT_SIZES[i] - current))
    return TEXT_SIZES[min(max(nearest + steps, 0), len(TEXT_SIZES) - 1)]


def text_scale(width: int, height: int, largest: float = MAX_TEXT_SCALE) -> float:
    """How large the text is drawn in a window of this size (1 at :data:`DESIGN_SIZE`): the
    smaller of the width and height ratios, rounded, within the limits (``largest`` at most).

    >>> text_scale(1366, 768), text_scale(1024, 600), text_scale(1920, 1080)
    (1.0, 0.75, 1.4)
    >>> text_scale(1920, 1080, largest=1.0)
    1.0
    """
    scale = min(width / DESIGN_SIZE[0], height / DESIGN_SIZE[1])
    scale = round(scale / TEXT_SCALE_STEP) * TEXT_SCALE_STEP
    return round(min(largest, MAX_TEXT_SCALE, max(MIN_TEXT_SCALE, scale)), 2)


def set_text_factor(widget: QWidget, font: QFont) -> None:
    """Remember ``font``'s size as ``widget``'s multiple of the application's."""
    widget.setProperty(TEXT_FACTOR, font.pointSizeF() / QApplication.font().pointSizeF())


def fit_text(root: QWidget, scale: float) -> None:
    """Size every text in ``root`` to ``scale`` times its designed size."""
    base = QApplication.font().pointSizeF() * scale
    font = QFont(root.font())
    font.setPointSizeF(base)
    root.setFont(font)
    for widget in root.findChildren(QWidget):
        # A widget with a style sheet of its own does not follow its parent's font.
        factor = widget.property(TEXT_FACTOR) or (1.0 if widget.styleSheet() else None)
        if factor:
            font = QFont(widget.font())
            font.setPointSizeF(base * float(factor))
            widget.setFont(font)
