"""Progress charts drawn with QPainter: one painter for the screen and for the PDF report.

:func:`paint_chart` draws one chart of a :class:`~mitpractice.reports.report.ProgressSeries`
into a rectangle of any paint device; :class:`ProgressChart` is a widget showing one chart and
:class:`ProgressCharts` the four side by side. The PDF report calls :func:`paint_chart` on its
QPdfWriter, so the charts on paper are the ones on screen.

The kinds (:data:`CHART_KINDS`):

``"scores"``
    Melody and rhythm scores over days; trained phrases solid, untrained (probe) dashed.
``"tapping"``
    The same scores with tapping on (solid) and off (dashed).
``"minutes"``
    Minutes sung per day as bars (green where the daily goal was met) and the goal as a line.
``"longest"``
    The longest phrase attempted each day, in syllables; trained solid, probe dashed.

Every chart marks the clinical test results on the time axis (a vertical line and a label).
Sizes follow the painter's font: margins, line widths and markers are fractions of its line
height, so one drawing reads at 14 pt on screen and at 9 pt on paper.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta

from PySide6.QtCore import QPointF, QRectF, QSize, Qt
from PySide6.QtGui import QBrush, QColor, QFont, QFontMetricsF, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QGridLayout, QSizePolicy, QWidget

from mitpractice.gui import theme
from mitpractice.gui.widgets import palette
from mitpractice.reports.report import ClinicalMark, DaySeries, DayStats, ProgressSeries

#: The charts :func:`paint_chart` draws, in the order :class:`ProgressCharts` shows them.
CHART_KINDS = ("scores", "minutes", "tapping", "longest")

TITLES = {
    "scores": "Scores (0–100): trained and probe phrases",
    "tapping": "Scores (0–100): tapping on and off",
    "minutes": "Minutes sung per day",
    "longest": "Longest phrase attempted (syllables)",
}

#: What a chart says when the period has practice but nothing it draws.
EMPTY = {
    "scores": "No scored attempt in this period",
    "tapping": "No attempts with tapping on or off recorded in this period",
    "minutes": "No practice in this period",
    "longest": "No practice in this period",
}

#: Colours: the theme's high-contrast text on its background, the two scores in colours that
#: differ in lightness as well as hue (dark blue, magenta), bars green where the goal was met
#: and slate grey below it, clinical tests in deep violet.
MELODIC = theme.HIGH_NOTE
RHYTHMIC = theme.PITCH_LINE
GOAL_MET = palette.GOOD
BELOW_GOAL = theme.LOW_NOTE
TEST_MARK = QColor("#5b2a86")
GRID = QColor("#d5dae1")
AXIS = theme.TEXT

#: Line width, marker size and gaps as fractions of the font's line height (so the drawing
#: scales with the font from screen to paper).
LINE_WIDTH = 0.13
MARKER = 0.42
GAP = 0.45
#: Tick labels are this fraction of the base font: smaller than the titles, still ≥ 10 pt on
#: screen with the app's 14 pt font.
TICK_FONT = 0.8
#: A day's bar takes this share of the day's width, and at most this many line heights (a
#: period of a few days would otherwise draw slabs).
BAR_SHARE, MAX_BAR = 0.7, 1.5
#: At most this share of the plot's height goes to rows of clinical-test labels.
MARK_ROWS_SHARE = 0.3


@dataclass(frozen=True)
class _Line:
    """One drawn line: its values per day, colour and style, for the plot and the legend."""

    points: tuple[tuple[date, float], ...]
    colour: QColor
    dashed: bool


def paint_chart(
    painter: QPainter,
    rect: QRectF,
    data: ProgressSeries,
    kind: str = "scores",
    *,
    title: bool = True,
) -> None:
    """Draw one progress chart of ``data`` into ``rect`` with ``painter``'s font.

    Parameters
    ----------
    painter : QPainter
        An active painter on any device (a widget, a QImage, a QPdfWriter). Its font sets
        every size; its state is restored on return.
    rect : QRectF
        Where to draw, in the painter's coordinates.
    data : ProgressSeries
        The report's ``progress``, or :func:`~mitpractice.reports.report.progress_series`
        of the store's daily progress.
    kind : str
        One of :data:`CHART_KINDS`.
    title : bool
        Draw the chart's title (:data:`TITLES`) above it.

    Raises
    ------
    ValueError
        For an unknown ``kind``.
    """
    if kind not in CHART_KINDS:
        raise ValueError(f"unknown chart {kind!r}; choose one of {', '.join(CHART_KINDS)}")
    painter.save()
    try:
        painter.setRenderHint(QPainter.RenderHint.Antialiasing, True)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing, True)
        _Chart(painter, rect, data, kind).draw(title)
    finally:
        painter.restore()


class _Chart:
    """One drawing: the layout worked out from the font, then the parts in order."""

    def __init__(self, painter: QPainter, rect: QRectF, data: ProgressSeries, kind: str) -> None:
        self.p = painter
        self.rect = QRectF(rect)
        self.data = data
        self.kind = kind
        self.font = QFont(painter.font())
        self.small = QFont(self.font)
        self.small.setPointSizeF(max(1.0, self.font.pointSizeF() * TICK_FONT))
        self.bold = QFont(self.font)
        self.bold.setBold(True)
        device = painter.device()
        self.fm = QFontMetricsF(self.font, device)
        self.fm_small = QFontMetricsF(self.small, device)
        self.fm_bold = QFontMetricsF(self.bold, device)
        self.line_h = self.fm.height()
        self.gap = self.line_h * GAP
        self.days = max(1, data.period.days)
        self.labels: list[tuple[ClinicalMark, int, str, float]] = []  # set once the plot is laid out

    # ----------------------------------------------------------------- parts
    def draw(self, title: bool) -> None:
        top = self.rect.top()
        if title:
            self.p.setFont(self.bold)
            self.p.setPen(AXIS)
            text = self.fm_bold.elidedText(TITLES[self.kind], Qt.TextElideMode.ElideRight, self.rect.width())
            self.p.drawText(QPointF(self.rect.left(), top + self.fm_bold.ascent()), text)
            top += self.fm_bold.height() + self.gap * 0.5
        top = self.legend(top)
        plot_area = QRectF(self.rect.left(), top, self.rect.width(), self.rect.bottom() - top)
        if self.data.empty or (self.kind != "minutes" and not any(line.points for line in self.lines())):
            message = "No practice in this period" if self.data.empty else EMPTY[self.kind]
            self.p.setFont(self.font)
            self.p.setPen(AXIS)
            self.p.drawText(plot_area, Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap, message)
            return
        ticks, y_max = self.y_ticks()
        tick_w = max(self.fm_small.horizontalAdvance(_tick(v)) for v in ticks)
        plot = QRectF(
            plot_area.left() + tick_w + self.gap,
            plot_area.top() + self.gap * 0.5,
            plot_area.width() - tick_w - self.gap * 1.5,
            plot_area.height() - self.fm_small.height() - self.gap,
        )
        if plot.width() < self.line_h * 3 or plot.height() < self.line_h * 2:
            return  # too small to read: drawing it would only mislead
        self.plot, self.y_max = plot, y_max
        self.labels = self.layout_marks()
        rows = 1 + max((row for _, row, _, _ in self.labels), default=-1)
        self.head = rows * self.mark_row_h() + (self.gap * 0.3 if rows else 0.0)
        self.grid(ticks)
        self.x_axis()
        if self.kind == "minutes":
            self.minutes()
        else:
            for line in self.lines():
                self.polyline(line)
        self.test_marks()

    def legend(self, top: float) -> float:
        """Legend items flowed in rows under the title; returns the top of what follows."""
        items = self.legend_items()
        if not items:
            return top
        self.p.setFont(self.small)
        swatch = self.line_h * 1.6
        x, row_h = self.rect.left(), self.fm_small.height()
        y = top
        for label, colour, dashed, kind in items:
            w = swatch + self.gap * 0.5 + self.fm_small.horizontalAdvance(label)
            if x > self.rect.left() and x + w > self.rect.right():
                x, y = self.rect.left(), y + row_h + self.gap * 0.3
            mid = y + row_h / 2
            if kind == "bar":
                self.p.fillRect(QRectF(x, y + row_h * 0.15, swatch, row_h * 0.7), colour)
            else:
                self.p.setPen(self.pen(colour, dashed))
                self.p.drawLine(QPointF(x, mid), QPointF(x + swatch, mid))
                if kind == "marker":
                    self.marker(QPointF(x + swatch / 2, mid), colour, dashed)
            self.p.setPen(AXIS)
            self.p.drawText(QPointF(x + swatch + self.gap * 0.5, y + self.fm_small.ascent()), label)
            x += w + self.gap * 1.5
        return y + row_h + self.gap * 0.5

    def legend_items(self) -> list[tuple[str, QColor, bool, str]]:
        if self.kind == "minutes":
            return [
                ("Goal met", GOAL_MET, False, "bar"),
                ("Below goal", BELOW_GOAL, False, "bar"),
                (f"Daily goal ({self.data.daily_goal_min:g} min)", AXIS, True, "line"),
            ]
        colour = MELODIC if self.kind == "longest" else AXIS
        items = [
            (_short_label(key), colour, dashed, "marker")
            for key, dashed in zip(self.groups(), (False, True), strict=True)
            if (series := self.data.get(key)) is not None and series.days
        ]
        if items and self.kind != "longest":
            items[:0] = [("Melody", MELODIC, False, "line"), ("Rhythm", RHYTHMIC, False, "line")]
        return items

    def groups(self) -> tuple[str, str]:
        return ("tapping", "no-tapping") if self.kind == "tapping" else ("trained", "probe")

    def y_ticks(self) -> tuple[list[float], float]:
        if self.kind in ("scores", "tapping"):
            return [0, 25, 50, 75, 100], 100.0
        if self.kind == "minutes":
            everything = self.data.get("all")
            most = max([d.minutes for d in everything.days] if everything else [0.0])
            top = max(most, self.data.daily_goal_min) * 1.1
            step = _nice_step(top / 4)
            top = step * math.ceil(top / step)
            return [step * i for i in range(round(top / step) + 1)], top
        longest = max(
            (d.longest_phrase for s in self.data.series for d in s.days), default=0
        )
        top = max(3, longest + 1)
        step = _nice_step(top / 4) if top > 6 else 1
        top = step * math.ceil(top / step)
        return [step * i for i in range(round(top / step) + 1)], float(top)

    def grid(self, ticks: Sequence[float]) -> None:
        self.p.setFont(self.small)
        for v in ticks:
            y = self.y(v)
            self.p.setPen(QPen(GRID, max(1.0, self.line_h * 0.05)))
            self.p.drawLine(QPointF(self.plot.left(), y), QPointF(self.plot.right(), y))
            self.p.setPen(AXIS)
            label = _tick(v)
            w = self.fm_small.horizontalAdvance(label)
            middle = (self.fm_small.ascent() - self.fm_small.descent()) / 2
            self.p.drawText(QPointF(self.plot.left() - self.gap - w, y + middle), label)
        axis = QPen(AXIS, max(1.0, self.line_h * 0.06))
        self.p.setPen(axis)
        self.p.drawLine(self.plot.bottomLeft(), self.plot.bottomRight())
        self.p.drawLine(self.plot.bottomLeft(), self.plot.topLeft())

    def x_axis(self) -> None:
        """Date labels under the axis, as many as fit without touching."""
        self.p.setFont(self.small)
        self.p.setPen(AXIS)
        first = self.data.period.first
        widest = max(
            self.fm_small.horizontalAdvance(day_label(first + timedelta(days=i)))
            for i in range(min(self.days, 31))
        )
        room = widest + self.gap * 2
        step = next(
            (s for s in (1, 2, 7, 14, 28, 56, 91, 182, 364) if self.band() * s >= room),
            max(1, math.ceil(room / self.band())),
        )
        y = self.plot.bottom() + self.gap * 0.4 + self.fm_small.ascent()
        last_right = -math.inf
        self.x_tick_boxes: list[QRectF] = []  # where the date labels went (tests check them)
        for i in range(0, self.days, step):
            day = first + timedelta(days=i)
            label = day_label(day)
            w = self.fm_small.horizontalAdvance(label)
            x = min(max(self.x(day) - w / 2, self.rect.left()), self.rect.right() - w)
            if x < last_right + self.gap:
                continue
            self.p.setPen(QPen(AXIS, max(1.0, self.line_h * 0.06)))
            tick = QPointF(self.x(day), self.plot.bottom())
            self.p.drawLine(tick, tick + QPointF(0, self.gap * 0.3))
            self.p.drawText(QPointF(x, y), label)
            self.x_tick_boxes.append(QRectF(x, y - self.fm_small.ascent(), w, self.fm_small.height()))
            last_right = x + w

    def lines(self) -> list[_Line]:
        first, second = self.groups()
        out = []
        for key, dashed in ((first, False), (second, True)):
            series = self.data.get(key)
            if series is None or not series.days:
                continue
            if self.kind == "longest":
                out.append(_Line(_points(series, "longest_phrase"), MELODIC, dashed))
            else:
                out.append(_Line(_points(series, "melodic"), MELODIC, dashed))
                out.append(_Line(_points(series, "rhythmic"), RHYTHMIC, dashed))
        return out

    def polyline(self, line: _Line) -> None:
        if not line.points:
            return
        path = QPainterPath()
        for i, (day, value) in enumerate(line.points):
            point = QPointF(self.x(day), self.y(value))
            if i == 0:
                path.moveTo(point)
            else:
                path.lineTo(point)
        self.p.setPen(self.pen(line.colour, line.dashed))
        self.p.setBrush(Qt.BrushStyle.NoBrush)
        self.p.drawPath(path)
        for day, value in line.points:
            self.marker(QPointF(self.x(day), self.y(value)), line.colour, line.dashed)

    def minutes(self) -> None:
        everything = self.data.get("all")
        goal = self.data.daily_goal_min
        width = min(self.band() * BAR_SHARE, self.line_h * MAX_BAR)
        for d in everything.days if everything else ():
            x = self.x(d.day)
            bar = QRectF(x - width / 2, self.y(d.minutes), width, self.plot.bottom() - self.y(d.minutes))
            self.p.fillRect(bar, GOAL_MET if d.minutes >= goal else BELOW_GOAL)
        self.p.setPen(self.pen(AXIS, True))
        self.p.drawLine(QPointF(self.plot.left(), self.y(goal)), QPointF(self.plot.right(), self.y(goal)))

    def mark_row_h(self) -> float:
        return self.fm_small.height() + self.gap * 0.3

    def layout_marks(self) -> list[tuple[ClinicalMark, int, str, float]]:
        """Where each clinical test's label goes, as ``(mark, row, label, left)``: centred over
        its line, in the first row at the top of the plot where it touches no other label. Rows
        take at most
        :data:`MARK_ROWS_SHARE` of the plot's height; past that, a label goes beside the last
        one of the row with the most room, shortened to fit, or is left out (its line stays)."""
        pad = self.gap * 0.3
        most_rows = max(1, int(self.plot.height() * MARK_ROWS_SHARE / self.mark_row_h()))
        rows: list[float] = []  # the right edge of the last label in each row
        out = []
        for mark in sorted((m for m in self.data.tests if m.day in self.data.period), key=lambda m: m.day):
            label = mark.label
            w = self.fm_small.horizontalAdvance(label) + 2 * pad
            left = self.label_left(mark.day, w)
            row = next((i for i, right in enumerate(rows) if left > right + pad), None)
            if row is None and len(rows) < most_rows:
                rows.append(-math.inf)
                row = len(rows) - 1
            elif row is None:
                row = min(range(len(rows)), key=lambda i: rows[i])
                left = rows[row] + 2 * pad
                room = self.plot.right() - left - 2 * pad
                label = self.fm_small.elidedText(label, Qt.TextElideMode.ElideRight, room)
                if not label:
                    continue
                w = self.fm_small.horizontalAdvance(label) + 2 * pad
            rows[row] = left + w
            out.append((mark, row, label, left))
        return out

    def label_left(self, day: date, width: float) -> float:
        return min(max(self.x(day) - width / 2, self.plot.left()), self.plot.right() - width)

    def test_marks(self) -> None:
        """A dotted vertical line per clinical test and its label boxed at the top."""
        self.p.setFont(self.small)
        pad = self.gap * 0.3
        for mark, row, _, _ in self.labels:
            x = self.x(mark.day)
            top = self.plot.top() + (row + 1) * self.mark_row_h() - self.gap * 0.3
            self.p.setPen(QPen(TEST_MARK, max(1.0, self.line_h * 0.08), Qt.PenStyle.DotLine))
            self.p.drawLine(QPointF(x, top), QPointF(x, self.plot.bottom()))
        for _, row, label, left in self.labels:
            w = self.fm_small.horizontalAdvance(label) + 2 * pad
            box = QRectF(left, self.plot.top() + row * self.mark_row_h(), w, self.fm_small.height())
            self.p.setPen(QPen(TEST_MARK, max(1.0, self.line_h * 0.05)))
            self.p.setBrush(QBrush(theme.BACKGROUND))
            self.p.drawRect(box)
            self.p.setPen(TEST_MARK)
            self.p.drawText(QPointF(box.left() + pad, box.top() + self.fm_small.ascent()), label)

    # ----------------------------------------------------------------- geometry
    def band(self) -> float:
        return self.plot.width() / self.days

    def x(self, day: date) -> float:
        return self.plot.left() + ((day - self.data.period.first).days + 0.5) * self.band()

    def y(self, value: float) -> float:
        # the rows of test labels at the top of the plot are kept clear of data
        return self.plot.bottom() - (self.plot.height() - self.head) * min(max(value / self.y_max, 0.0), 1.0)

    def pen(self, colour: QColor, dashed: bool) -> QPen:
        pen = QPen(colour, max(1.0, self.line_h * LINE_WIDTH))
        pen.setCapStyle(Qt.PenCapStyle.FlatCap)
        pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
        if dashed:
            pen.setStyle(Qt.PenStyle.DashLine)
        return pen

    def marker(self, at: QPointF, colour: QColor, hollow: bool) -> None:
        """Trained (or tapping on): a filled circle; probe (or tapping off): a hollow square."""
        r = self.line_h * MARKER / 2
        self.p.setPen(QPen(colour, max(1.0, self.line_h * LINE_WIDTH * 0.8)))
        if hollow:
            self.p.setBrush(QBrush(theme.BACKGROUND))
            self.p.drawRect(QRectF(at.x() - r, at.y() - r, 2 * r, 2 * r))
        else:
            self.p.setBrush(QBrush(colour))
            self.p.drawEllipse(at, r, r)


class ProgressChart(QWidget):
    """One progress chart on screen; the same drawing as in the PDF report.

    Parameters
    ----------
    kind : str
        One of :data:`CHART_KINDS`.
    data : ProgressSeries, optional
        What to draw; :meth:`set_data` changes it.
    """

    def __init__(
        self, kind: str = "scores", data: ProgressSeries | None = None, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        if kind not in CHART_KINDS:
            raise ValueError(f"unknown chart {kind!r}; choose one of {', '.join(CHART_KINDS)}")
        self._kind = kind
        self.setAccessibleName(TITLES[kind])
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.set_data(data)

    @property
    def kind(self) -> str:
        return self._kind

    def data(self) -> ProgressSeries | None:
        return self._data

    def set_data(self, data: ProgressSeries | None) -> None:
        self._data = data
        self.setAccessibleDescription(_describe(data, self._kind))
        self.update()

    def minimumSizeHint(self) -> QSize:
        """Eight lines high: a title, a legend and a plot still read, and the progress screen,
        its tables under the charts, fits a 1366x768 screen without scrolling."""
        h = self.fontMetrics().height()
        return QSize(h * 18, h * 8)

    def sizeHint(self) -> QSize:
        h = self.fontMetrics().height()
        return QSize(h * 34, h * 18)

    def paintEvent(self, event) -> None:
        painter = QPainter(self)
        try:
            painter.fillRect(self.rect(), theme.BACKGROUND)
            if self._data is None:
                return
            margin = self.fontMetrics().height() * 0.5
            area = QRectF(self.rect()).adjusted(margin, margin, -margin, -margin)
            painter.setFont(self.font())
            paint_chart(painter, area, self._data, self._kind)
        finally:
            painter.end()


class ProgressCharts(QWidget):
    """The four progress charts in a 2×2 grid (:data:`CHART_KINDS` order), one data for all."""

    def __init__(self, data: ProgressSeries | None = None, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(self.fontMetrics().height() // 2)
        self.charts = {kind: ProgressChart(kind, data, self) for kind in CHART_KINDS}
        for i, kind in enumerate(CHART_KINDS):
            layout.addWidget(self.charts[kind], i // 2, i % 2)

    def set_data(self, data: ProgressSeries | None) -> None:
        for chart in self.charts.values():
            chart.set_data(data)

    def chart(self, kind: str) -> ProgressChart:
        return self.charts[kind]


# --------------------------------------------------------------------- helpers
def _points(series: DaySeries, name: str) -> tuple[tuple[date, float], ...]:
    out = []
    for d in series.days:
        value = getattr(d, name)
        if value is not None:
            out.append((d.day, float(value)))
    return tuple(out)


def _short_label(key: str) -> str:
    return {
        "trained": "Trained",
        "probe": "Probe (untrained)",
        "tapping": "Tapping on",
        "no-tapping": "Tapping off",
    }[key]


def day_label(day: date) -> str:
    """A day as the charts name it under their axes ("3 Nov")."""
    return f"{day.day} {day:%b}"


def _tick(value: float) -> str:
    return f"{value:g}"


def _nice_step(raw: float) -> float:
    """The smallest of 1, 2, 5 (times a power of ten) at least ``raw``."""
    if raw <= 0:
        return 1.0
    power = 10 ** math.floor(math.log10(raw))
    return next(m * power for m in (1, 2, 5, 10) if m * power >= raw)


def _describe(data: ProgressSeries | None, kind: str) -> str:
    """A sentence for screen readers: the chart's period and latest values."""
    if data is None or data.empty:
        return "No practice in this period"
    everything = data.get("all")
    last: DayStats | None = everything.days[-1] if everything and everything.days else None
    text = f"{data.period}; {len(everything.days) if everything else 0} days practised"
    if last is not None and kind in ("scores", "tapping") and last.melodic is not None:
        text += f"; on {last.day}: melody {last.melodic:.0f}, rhythm {last.rhythmic or 0:.0f}"
    if last is not None and kind == "minutes":
        text += f"; on {last.day}: {last.minutes:.0f} of {data.daily_goal_min:g} minutes"
    return text
