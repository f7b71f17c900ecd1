"""The review's words row: what the word check made of each word of the attempt, under its pitch.

Each word heard sits on the pitch view's time axis, from its start to its end. The three
answers are told apart by more than colour, so that they read in black and white and to
people who do not see the colours: **said** in a solid box and bold type, **not said** struck
through in a dashed box and in brackets, **could not decide** in a dotted box, in italics and
with a question mark (the Praat tier's and the CSV's marks). Words the check did not find in
the attempt have no place on the axis; they follow the others on the same line. A box is at
least as wide as its word, so a word that would cover the one before it is moved right, in
order. The row's tooltip and accessible description say every word, its answer, its times and
its confidence.

The row is one line high and takes its room from the pitch view's least height, so the
review fits a 1024x600 screen with or without it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from mitpractice.gui.widgets import palette
from mitpractice.gui.widgets.pitchview import MIN_HEIGHT_PX
from mitpractice.practice.spoken import WORD_LABELS
from mitpractice.words import WordResult

#: How each answer is drawn: its box's pen style and colour (the colour only adds to the marks).
STYLES = {
    True: (Qt.PenStyle.SolidLine, palette.GOOD),
    False: (Qt.PenStyle.DashLine, palette.WRONG),
    None: (Qt.PenStyle.DotLine, palette.CLOSE),
}
#: The answers in words, for the tooltip and screen readers.
ANSWERS = {True: "said", False: "not said", None: "could not decide"}
#: Lines of text the row is high: one line of words in their boxes.
ROW_LINES = 1.5
#: Pixels between two boxes moved apart.
GAP_PX = 4


def describe(words: Sequence[WordResult]) -> str:
    """Every word, its answer, its times and confidence, in one line per word.

    Examples
    --------
    >>> print(describe([WordResult(word="see", said=True, confidence=0.93, start_s=0.61, end_s=1.02),
    ...                 WordResult(word="you", said=None, confidence=0.45)]))
    see: said, 0.61–1.02 s (confidence 0.93)
    you: could not decide, not found (confidence 0.45)
    """
    lines = []
    for w in words:
        where = "not found" if w.start_s is None else f"{w.start_s:.2f}–{w.end_s:.2f} s"
        lines.append(f"{w.word}: {ANSWERS[w.said]}, {where} (confidence {w.confidence:.2f})")
    return "\n".join(lines)


class WordsRow(QWidget):
    """The words of one attempt on the time axis of ``view`` (a PitchView showing the attempt)."""

    def __init__(self, view, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.view = view
        self.words: tuple[WordResult, ...] = ()
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(self.tr("Words heard"))
        self.hide()

    def set_words(self, words: Sequence[WordResult] | None) -> None:
        """Show these words (None: the attempt's words were not checked: the row hides)."""
        self.words = tuple(words or ())
        text = describe(self.words)
        self.setToolTip(text)
        self.setAccessibleDescription(text)
        height = round(QFontMetricsF(self._font(True)).height() * ROW_LINES)
        self.setFixedHeight(height)
        self.setVisible(words is not None)
        self.view.setMinimumHeight(MIN_HEIGHT_PX - height if words is not None else MIN_HEIGHT_PX)
        self.update()

    def word_rects(self) -> list[tuple[WordResult, QRectF]]:
        """Where each word is drawn: the words found at their times (moved right where one
        would cover the one before), then those not found."""
        metrics = QFontMetricsF(self._font(True))
        line = self.height() - 2.0
        pad = metrics.height() * 0.3
        placed = sorted((w for w in self.words if w.start_s is not None and w.end_s is not None),
                        key=lambda w: w.start_s)
        out = []
        free = self.view.plot_rect().left()  # where the next box may start
        for w in placed + [w for w in self.words if w.start_s is None or w.end_s is None]:
            width = metrics.horizontalAdvance(_label(w)) + 2 * pad
            left, right = free, free + width
            if w.start_s is not None and w.end_s is not None:
                left = max(self.view.point_at(w.start_s, 0.0).x(), free)
                right = max(self.view.point_at(w.end_s, 0.0).x(), left + width)
            out.append((w, QRectF(left, 1.0, right - left, line)))
            free = right + GAP_PX
        return out

    def paintEvent(self, event) -> None:
        if not self.words:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        for w, rect in self.word_rects():
            style, colour = STYLES[w.said]
            painter.setPen(QPen(colour, 2, style))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawRoundedRect(rect, 4, 4)
            painter.setFont(self._font(w.said is True, italic=w.said is None, strike=w.said is False))
            painter.setPen(palette.INK)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, _label(w))
        painter.end()

    def _font(self, bold: bool, italic: bool = False, strike: bool = False) -> QFont:
        font = QFont(self.font())
        font.setBold(bold)
        font.setItalic(italic)
        font.setStrikeOut(strike)
        return font


def _label(w: WordResult) -> str:
    return WORD_LABELS[w.said].format(w.word)
