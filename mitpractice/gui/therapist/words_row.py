"""The review's words row: what the word check made of each word of the attempt, under its pitch.

Each word heard sits on the pitch view's time axis, from its start to its end. The three
answers are told apart by more than colour, so that they read in black and white and to
people who do not see the colours: **said** in a solid box and bold type, **not said** struck
through in a dashed box and in brackets, **could not decide** in a dotted box, in italics and
with a question mark (the Praat tier's and the CSV's marks). Words the check did not find in
the attempt have no place on the axis; they follow the others on the same line. A box is at
least as wide as its word, so a word that would cover the one before it is moved right, in
order; a box that would run past the row's right edge (a long word near the take's end) is
moved back inside it, and a word with too little room is elided. The row's tooltip and
accessible description say every word, its answer, its times and its confidence.

The row is one line high and takes its room from the pitch view's least height, so the
review fits a 1024x600 screen with or without it.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QT_TRANSLATE_NOOP, QCoreApplication, QRectF, Qt
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
#: The answers in words, for the tooltip and screen readers (translated where they are shown).
ANSWERS = {
    True: QT_TRANSLATE_NOOP("WordsRow", "said"),
    False: QT_TRANSLATE_NOOP("WordsRow", "not said"),
    None: QT_TRANSLATE_NOOP("WordsRow", "could not decide"),
}
#: Lines of text the row is high: one line of words in their boxes.
ROW_LINES = 1.5
#: Pixels between two boxes moved apart.
GAP_PX = 4
#: The room either side of a word inside its box, in lines of text.
PAD_LINES = 0.3
#: A word this much wider than its room (px, rounding) is still drawn whole: Qt elides a text
#: whose width equals the room it is given.
FIT_SLACK_PX = 0.5


def describe(words: Sequence[WordResult]) -> str:
    """Every word, its answer, its times and confidence, in one line per word.

    Examples
    --------
    >>> print(describe([WordResult(word="see", said=True, confidence=0.93, start_s=0.61, end_s=1.02),
    ...                 WordResult(word="you", said=None, confidence=0.45)]))
    see: said, 0.61–1.02 s (confidence 0.93)
    you: could not decide, not found (confidence 0.45)
    """
    lines = []  # each text translated in the row's context, as its own self.tr
    for w in words:
        if w.start_s is None or w.end_s is None:
            where = QCoreApplication.translate("WordsRow", "not found")
        else:
            where = QCoreApplication.translate("WordsRow", "{start}–{end} s").format(
                start=f"{w.start_s:.2f}", end=f"{w.end_s:.2f}")
        line = QCoreApplication.translate("WordsRow", "{word}: {answer}, {where} (confidence {confidence})")
        answer = QCoreApplication.translate("WordsRow", ANSWERS[w.said])
        lines.append(line.format(word=w.word, answer=answer, where=where, confidence=f"{w.confidence:.2f}"))
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
        would cover the one before), then those not found; boxes that would run past the
        row's right edge are moved back inside it, in order, as far as the pitch view's left
        edge (a word still too long for its box is elided when drawn)."""
        metrics = QFontMetricsF(self._font(True))
        line = self.height() - 2.0
        pad = metrics.height() * PAD_LINES
        first = self.view.plot_rect().left()
        placed = sorted((w for w in self.words if w.start_s is not None and w.end_s is not None),
                        key=lambda w: w.start_s)
        boxes = []
        free = first  # where the next box may start
        for w in placed + [w for w in self.words if w.start_s is None or w.end_s is None]:
            width = metrics.horizontalAdvance(_label(w)) + 2 * pad
            left, right = free, free + width
            if w.start_s is not None and w.end_s is not None:
                left = max(self.view.point_at(w.start_s, 0.0).x(), free)
                right = max(self.view.point_at(w.end_s, 0.0).x(), left + width)
            boxes.append([w, left, right])
            free = right + GAP_PX
        end = self.width() - 1.0  # where the last box must end
        limit = end
        for box in reversed(boxes):  # moved back inside, each keeping its width
            w, left, right = box
            if right <= limit:
                break
            box[1], box[2] = left - (right - limit), limit
            limit = box[1] - GAP_PX
        if boxes and boxes[0][1] < first:  # too many words for the row: side by side, the
            widths = _fit_widths([right - left for _, left, right in boxes],  # longest narrowed
                                 end - first - GAP_PX * (len(boxes) - 1))
            left = first
            for box, width in zip(boxes, widths, strict=True):
                box[1], box[2] = left, left + width
                left += width + GAP_PX
        return [(w, QRectF(left, 1.0, right - left, line)) for w, left, right in boxes]

    def drawn_label(self, w: WordResult, rect: QRectF) -> str:
        """The word's label as drawn in ``rect``: whole, or elided where the box is too narrow
        (the tooltip says it whole)."""
        metrics, label = QFontMetricsF(self.word_font(w)), _label(w)
        room = rect.width() - 2 * QFontMetricsF(self._font(True)).height() * PAD_LINES
        if metrics.horizontalAdvance(label) <= room + FIT_SLACK_PX:  # a box made for it
            return label
        return metrics.elidedText(label, Qt.TextElideMode.ElideRight, max(0.0, room))

    def word_font(self, w: WordResult) -> QFont:
        """The answer's type: said in bold, not said struck through, undecided in italics."""
        return self._font(w.said is True, italic=w.said is None, strike=w.said is False)

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
            painter.setFont(self.word_font(w))
            painter.setPen(palette.INK)
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, self.drawn_label(w, rect))
        painter.end()

    def _font(self, bold: bool, italic: bool = False, strike: bool = False) -> QFont:
        font = QFont(self.font())
        font.setBold(bold)
        font.setItalic(italic)
        font.setStrikeOut(strike)
        return font


def _fit_widths(widths: Sequence[float], room: float) -> list[float]:
    """The widths capped alike, so that they add up to at most ``room``: the widest boxes are
    narrowed first, and short words keep their whole width.

    Examples
    --------
    >>> _fit_widths([40.0, 200.0, 60.0], 200.0)
    [40.0, 100.0, 60.0]
    >>> _fit_widths([40.0, 60.0], 200.0)
    [40.0, 60.0]
    """
    cap, rest, left = max(room, 0.0), sorted(widths), len(widths)
    for width in rest:  # the narrowest first: each that fits under an even share keeps its width
        if width * left > cap:
            break
        cap -= width
        left -= 1
    share = cap / left if left else 0.0
    return [min(width, share) if left else width for width in widths]


def _label(w: WordResult) -> str:
    return WORD_LABELS[w.said].format(w.word)
