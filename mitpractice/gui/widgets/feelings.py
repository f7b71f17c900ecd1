"""How the patient felt, day by day: the answers to "How are you feeling?" before and after
practice, drawn beside the score charts on the therapist's progress screen and in the PDF
report (the same painter for both, as :mod:`~mitpractice.gui.widgets.charts`).

Each day with an answer is a short vertical stroke from before (a hollow circle) to after (a
filled one) on a scale of the five faces' words, very bad at the bottom, very good at the top.
"""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QColor, QFont, QFontMetricsF, QPainter, QPen
from PySide6.QtWidgets import QWidget

from mitpractice.gui import theme
from mitpractice.gui.widgets.charts import day_label
from mitpractice.reports.report import FeelingDay, Period

#: The chart's height at least, in lines of its font (the words of the scale stay apart).
MIN_LINES = 6
TITLE = "How the patient felt: before ○ and after ● practice"
EMPTY = "No answers to “How are you feeling?” in this period"
#: The scale's words, 1 to 5 (the practice window's faces).
WORDS = ("very bad", "bad", "all right", "good", "very good")
#: Colours: before in slate grey, after in the theme's dark blue (they differ in lightness).
BEFORE, AFTER, GRID = theme.LOW_NOTE, theme.HIGH_NOTE, QColor("#d5dae1")


def paint_feelings(painter: QPainter, rect: QRectF, feelings: Sequence[FeelingDay], period: Period) -> None:
    """Draw the feelings chart in ``rect`` with the painter's font."""
    fm = QFontMetricsF(painter.font(), painter.device())
    line = fm.height()
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(theme.TEXT)
    plain = painter.font()
    bold = QFont(plain)
    bold.setBold(True)
    painter.setFont(bold)
    painter.drawText(QRectF(rect.left(), rect.top(), rect.width(), line), int(Qt.AlignmentFlag.AlignLeft),
                     TITLE)
    painter.setFont(plain)
    radius = line * 0.3
    left = rect.left() + max(fm.horizontalAdvance(w) for w in WORDS) + line * 0.6
    # The days run between the markers' edges, so a first day's circle keeps clear of the words.
    plot = QRectF(left, rect.top() + line * 1.8, rect.right() - left - line * 0.5,
                  rect.height() - line * 3.6)
    days = plot.adjusted(radius * 2, 0, -radius * 2, 0)
    if plot.height() <= line or plot.width() <= line:
        painter.restore()
        return

    def y(value: float) -> float:
        return plot.bottom() - (value - 1) / 4 * plot.height()

    crowded = plot.height() / 4 < line  # then only very bad, all right and very good are named
    for value, word in enumerate(WORDS, 1):
        painter.setPen(QPen(GRID, 1))
        painter.drawLine(QPointF(plot.left(), y(value)), QPointF(plot.right(), y(value)))
        if crowded and value % 2 == 0:
            continue
        painter.setPen(theme.TEXT)
        painter.drawText(QRectF(rect.left(), y(value) - line / 2, left - rect.left() - line * 0.3, line),
                         int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter), word)
    span = max((period.last - period.first).days, 1)

    def x(day) -> float:
        return days.left() + (day - period.first).days / span * days.width()

    below = plot.bottom() + line * 0.7
    painter.drawText(QRectF(plot.left(), below, plot.width() / 2, line), int(Qt.AlignmentFlag.AlignLeft),
                     day_label(period.first))
    painter.drawText(QRectF(plot.center().x(), below, plot.width() / 2, line),
                     int(Qt.AlignmentFlag.AlignRight), day_label(period.last))
    if not feelings:
        painter.setPen(theme.TEXT)
        painter.drawText(plot, int(Qt.AlignmentFlag.AlignCenter), EMPTY)
        painter.restore()
        return
    for f in feelings:
        at = x(f.day)
        if f.before is not None and f.after is not None:
            painter.setPen(QPen(AFTER, max(line / 8, 1.5)))
            painter.drawLine(QPointF(at, y(f.before)), QPointF(at, y(f.after)))
        if f.before is not None:
            painter.setPen(QPen(BEFORE, max(line / 8, 1.5)))
            painter.setBrush(theme.BACKGROUND)
            painter.drawEllipse(QPointF(at, y(f.before)), radius, radius)
        if f.after is not None:
            painter.setPen(QPen(AFTER, 1))
            painter.setBrush(AFTER)
            painter.drawEllipse(QPointF(at, y(f.after)), radius, radius)
    painter.restore()


class FeelingsChart(QWidget):
    """:func:`paint_feelings` as a widget (the therapist's progress screen)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.feelings: tuple[FeelingDay, ...] = ()
        self.period: Period | None = None
        self.setAccessibleName(self.tr("How the patient felt"))
        self.setMinimumHeight(int(self.fontMetrics().height() * MIN_LINES))

    def set_data(self, feelings: Sequence[FeelingDay], period: Period | None) -> None:
        self.feelings, self.period = tuple(feelings), period
        described = "; ".join(
            f"{f.day}: {'—' if f.before is None else f'{f.before:.1f}'} → "
            f"{'—' if f.after is None else f'{f.after:.1f}'}" for f in self.feelings)
        self.setAccessibleDescription(described or EMPTY)
        self.update()

    def sizeHint(self) -> QSize:
        return QSize(self.fontMetrics().height() * 30, self.fontMetrics().height() * 9)

    def paintEvent(self, event) -> None:
        if self.period is None:
            return
        painter = QPainter(self)
        painter.setFont(self.font())
        paint_feelings(painter, QRectF(self.rect()), self.feelings, self.period)
        painter.end()
