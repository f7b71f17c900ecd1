"""The phrase laid out like a simple score: each syllable high or low, as wide as it lasts.

High syllables sit on the upper line, low ones on the lower line, each in a box as wide as its
beats, so the tune and the rhythm can be seen without reading music. The syllable being sung
in the target is filled with the accent colour; after a take each syllable takes its result's
colour (and a mark, so colour is never the only sign).
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QPainter, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from mitpractice.gui import theme

#: Result of a syllable after a take: how it is coloured and marked.
GOOD, CLOSE, MISSED = "good", "close", "missed"
_RESULT_COLOURS = {GOOD: theme.GOOD, CLOSE: theme.CLOSE, MISSED: theme.MISSED}
_MARKS = {GOOD: "✓", CLOSE: "~", MISSED: "✗"}


def syllable_result(detected: bool, pitch_ok: bool, timing_ok: bool) -> str:
    """The colour class of one scored syllable: both right, one right, or missed.

    Examples
    --------
    >>> syllable_result(True, True, True), syllable_result(True, False, True), syllable_result(False, False, False)
    ('good', 'close', 'missed')
    """
    if not detected:
        return MISSED
    if pitch_ok and timing_ok:
        return GOOD
    return CLOSE if pitch_ok or timing_ok else MISSED


class PhraseScore(QWidget):
    """The syllables of a phrase on two lines (high and low), highlight and results."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Preferred)
        self.setAccessibleName(self.tr("The phrase as a tune"))
        self._syllables: tuple[str, ...] = ()
        self._levels = ""
        self._beats: tuple[float, ...] = ()
        self._current: int | None = None
        self._results: tuple[str, ...] = ()

    def set_phrase(self, syllables: Sequence[str], levels: str, beats: Sequence[float]) -> None:
        self._syllables, self._levels, self._beats = tuple(syllables), levels, tuple(beats)
        self._current, self._results = None, ()
        self.setAccessibleDescription(
            " ".join(f"{s} ({self.tr('high') if lv == 'H' else self.tr('low')})" for s, lv in zip(syllables, levels))
        )
        self.update()

    def set_current(self, index: int | None) -> None:
        if index != self._current:
            self._current = index
            self.update()

    @property
    def current(self) -> int | None:
        return self._current

    def set_results(self, results: Sequence[str]) -> None:
        self._results = tuple(results)
        self.update()

    def clear_results(self) -> None:
        self.set_results(())

    @property
    def results(self) -> tuple[str, ...]:
        return self._results

    def sizeHint(self) -> QSize:  # noqa: N802 (Qt's name)
        line = self.fontMetrics().height()
        return QSize(600, int(line * 5.4))

    def minimumSizeHint(self) -> QSize:  # noqa: N802
        line = self.fontMetrics().height()
        return QSize(300, int(line * 4.6))

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPointSizeF(self.font().pointSizeF() * 2.0)
        font.setBold(True)
        return font

    def paintEvent(self, event) -> None:  # noqa: N802
        if not self._syllables:
            return
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        font = self._font()
        painter.setFont(font)
        metrics = painter.fontMetrics()
        margin = metrics.height() * 0.3
        width = self.width() - 2 * margin
        total = sum(self._beats) or 1.0
        # Never narrower than the longest syllable: scale the beats to fit the words.
        widest = max(metrics.horizontalAdvance(s) + metrics.height() for s in self._syllables)
        unit = max(width / total, 0.0)
        if min(b * unit for b in self._beats) < widest and len(self._syllables) * widest <= width:
            unit = width / total
        box_h = metrics.height() * 1.6
        gap = metrics.height() * 0.4
        top = max((self.height() - 2 * box_h - gap) / 2, 0)
        x = margin
        for i, (syllable, level, beats) in enumerate(zip(self._syllables, self._levels, self._beats)):
            w = beats * unit - margin * 0.5
            y = top if level == "H" else top + box_h + gap
            rect = QRectF(x, y, max(w, 1.0), box_h)
            result = self._results[i] if i < len(self._results) else None
            base = theme.HIGH_NOTE if level == "H" else theme.LOW_NOTE
            if result is not None:
                fill, text, edge = _RESULT_COLOURS[result], QColor("#ffffff"), _RESULT_COLOURS[result]
            elif i == self._current:
                fill, text, edge = theme.ACCENT, QColor("#ffffff"), theme.ACCENT
            else:
                fill, text, edge = QColor("#ffffff"), theme.TEXT, base
            painter.setPen(QPen(edge, max(2.0, metrics.height() * 0.08)))
            painter.setBrush(fill)
            painter.drawRoundedRect(rect, box_h * 0.2, box_h * 0.2)
            painter.setPen(text)
            label = syllable if result is None else f"{syllable} {_MARKS[result]}"
            label = metrics.elidedText(label, Qt.TextElideMode.ElideRight, int(rect.width() - metrics.height() * 0.3))
            painter.drawText(rect, Qt.AlignmentFlag.AlignCenter, label)
            x += beats * unit
        painter.end()
