"""The end of the day's practice: a short summary with a picture of the day.

The summary says what was done (phrases, minutes) and a kind word, and draws one filled
circle per phrase practised today: a picture of effort, never a score.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QRectF, QSize, Signal
from PySide6.QtGui import QColor, QPainter, QPen
from PySide6.QtWidgets import QHBoxLayout, QSizePolicy, QVBoxLayout, QWidget

from mitpractice.gui.practice.screens import BigButton, big_label, phrases_text
from mitpractice.gui.widgets import palette

#: Circles in one row of the picture of the day (a full session is 15 phrases: one row).
CIRCLES_PER_ROW = 15
#: A circle's diameter and the gap after it, in line heights of the window's font.
CIRCLE_LINES, GAP_LINES = 1.8, 0.5


def tr(text: str) -> str:
    return QCoreApplication.translate("practice", text)


class DayPicture(QWidget):
    """One filled circle per phrase practised today, in rows."""

    def __init__(self) -> None:
        super().__init__()
        self.count = 0
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Fixed)
        self.setAccessibleName(tr("Picture of the day"))

    def set_count(self, count: int) -> None:
        self.count = max(count, 0)
        text = tr("{phrases} practised today").format(phrases=phrases_text(self.count))
        self.setAccessibleDescription(text)
        self.setFixedHeight(self.sizeHint().height())
        self.update()

    def _circle(self) -> tuple[float, float]:
        line = self.fontMetrics().height()
        return CIRCLE_LINES * line, GAP_LINES * line

    def _per_row(self) -> int:
        size, gap = self._circle()
        fits = int((max(self.width(), 1) + gap) // (size + gap)) if self.width() > 0 else CIRCLES_PER_ROW
        return max(1, min(CIRCLES_PER_ROW, fits))

    def sizeHint(self) -> QSize:
        size, gap = self._circle()
        rows = max(1, -(-self.count // self._per_row()))
        return QSize(int(min(self.count, CIRCLES_PER_ROW) * (size + gap)), int(rows * (size + gap)))

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self.setFixedHeight(self.sizeHint().height())

    def paintEvent(self, event) -> None:
        if not self.count:
            return
        size, gap = self._circle()
        per_row = self._per_row()
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(QPen(QColor("#1d5c34"), 3))
        painter.setBrush(palette.GOOD)
        for i in range(self.count):
            row, column = divmod(i, per_row)
            in_row = min(per_row, self.count - row * per_row)
            left = (self.width() - in_row * (size + gap) + gap) / 2
            painter.drawEllipse(QRectF(left + column * (size + gap), row * (size + gap), size, size))
        painter.end()


class SummaryScreen(QWidget):
    """"Done for today": phrases practised, minutes, a kind word, the picture of the day."""

    close_clicked = Signal()

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        layout.addStretch(1)
        self.title = big_label(tr("Done for today"), 2.2, True, "summary-title")
        self.title.setAccessibleName(tr("Done for today"))
        layout.addWidget(self.title)
        layout.addSpacing(self.fontMetrics().height())
        self.picture = DayPicture()
        layout.addWidget(self.picture)
        self.counts = big_label("", 1.5, name="summary-counts")
        self.counts.setAccessibleName(tr("What you did today"))
        layout.addWidget(self.counts)
        self.kind = big_label("", 1.8, True, "summary-kind")
        self.kind.setAccessibleName(tr("A word for you"))
        layout.addWidget(self.kind)
        row = QHBoxLayout()
        row.addStretch(1)
        self.close_button = BigButton(tr("Close"), "Space", tr("Close the app"), primary=True)
        self.close_button.clicked.connect(self.close_clicked)
        row.addWidget(self.close_button, 2)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(2)

    def set_progress(self, progress) -> None:
        """Show a ``practice.plan.Progress``: today's phrases and minutes, and a kind word."""
        self.picture.set_count(progress.phrases_done)
        minutes = progress.whole_minutes
        minutes_text = tr("1 minute") if minutes == 1 else tr("{n} minutes").format(n=minutes)
        self.counts.setText(tr("{phrases} practised today.\n{minutes} of singing.").format(
            phrases=phrases_text(progress.phrases_done), minutes=minutes_text))
        self.kind.setText(tr(progress.kind_word()))
