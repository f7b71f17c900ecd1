"""The start and end of the day's practice: how the patient feels, and a short summary.

The feelings check asks "How are you feeling?" at the start and at the end of a session: one
key (1–5) among five faces with a word under each; Space skips, so one switch still walks a
session. The summary says what was done (phrases, minutes) and a kind word, and draws one
filled circle per phrase practised today: a picture of effort, never a score.
"""

from __future__ import annotations

from PySide6.QtCore import QCoreApplication, QPointF, QRectF, QSize, Qt, Signal
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QHBoxLayout, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from mitpractice.gui.practice.screens import BigButton, big_label, phrases_text
from mitpractice.gui.widgets import palette
from mitpractice.practice.session import FEELING_WORDS

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


#: A face button's height at most, in lines of its font: large, never a wall of white.
FACE_MAX_LINES = 12
#: A face's width as a share of its button's, leaving a margin inside the frame.
FACE_WIDTH = 0.75
#: The faces' colour: one warm colour for all, so no answer looks "wrong".
FACE_COLOUR = QColor("#ffd97a")


def paint_face(painter: QPainter, rect: QRectF, feeling: int) -> None:
    """A simple face in ``rect``: its mouth curves down at 1 and up at 5, straight at 3."""
    size = min(rect.width(), rect.height())
    face = QRectF(rect.center().x() - size / 2, rect.center().y() - size / 2, size, size)
    painter.save()
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(QPen(QColor("#111111"), max(2.0, size / 30)))
    painter.setBrush(FACE_COLOUR)
    painter.drawEllipse(face)
    painter.setBrush(QColor("#111111"))
    eye = size / 14
    for x in (0.35, 0.65):
        painter.drawEllipse(QPointF(face.left() + x * size, face.top() + 0.38 * size), eye, eye)
    painter.setBrush(Qt.BrushStyle.NoBrush)
    curve = (feeling - 3) / 2 * 0.16 * size  # + smile, - frown
    left = QPointF(face.left() + 0.3 * size, face.top() + 0.66 * size - curve / 2)
    right = QPointF(face.left() + 0.7 * size, left.y())
    path = QPainterPath(left)
    path.quadTo(QPointF(face.center().x(), left.y() + 2 * curve), right)
    painter.drawPath(path)
    painter.restore()


class FaceButton(QPushButton):
    """One answer of the feelings check: a face, its word and its key."""

    def __init__(self, feeling: int) -> None:
        super().__init__()
        self.feeling = feeling
        self.word = tr(FEELING_WORDS[feeling - 1])
        self.setAccessibleName(self.word)
        self.setToolTip(f"{self.word} [{feeling}]")
        self.setFocusPolicy(Qt.FocusPolicy.NoFocus)
        font = self.font()
        font.setPointSizeF(font.pointSizeF() * 1.2)
        font.setBold(True)
        self.setFont(font)
        line = self.fontMetrics().height()
        self.setMinimumSize(int(line * 4.5), int(line * 5))
        self.setMaximumHeight(int(line * FACE_MAX_LINES))
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setStyleSheet("QPushButton { background: #ffffff; border: 3px solid #5a6b7d;"
                           " border-radius: 14px; } QPushButton:hover { border-color: #0b4f9c; }")

    def paintEvent(self, event) -> None:
        super().paintEvent(event)
        painter = QPainter(self)
        line = self.fontMetrics().height()
        words = 2.3 * line  # the word and the key, just under the face
        size = max(min(FACE_WIDTH * self.width(), self.height() - words - line * 1.2), line)
        top = (self.height() - size - words) / 2
        paint_face(painter, QRectF(0, top, self.width(), size), self.feeling)
        painter.setPen(QColor("#111111"))
        painter.setFont(self.font())
        text = QRectF(0, top + size + line * 0.2, self.width(), words)
        painter.drawText(text, int(Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop),
                         f"{self.word}\n[{self.feeling}]")
        painter.end()


class FeelingScreen(QWidget):
    """"How are you feeling?": five faces (keys 1–5), or Space to skip."""

    answered = Signal(object)  # 1–5, or None: skipped

    def __init__(self) -> None:
        super().__init__()
        layout = QVBoxLayout(self)
        layout.setSpacing(14)
        self.title = big_label(tr("How are you feeling?"), 2.2, True, "feeling-title")
        self.title.setAccessibleName(tr("How are you feeling?"))
        layout.addWidget(self.title)
        layout.addStretch(1)
        faces = QHBoxLayout()
        faces.setSpacing(12)
        self.faces = [FaceButton(n) for n in (1, 2, 3, 4, 5)]
        for face in self.faces:
            face.clicked.connect(lambda _=False, n=face.feeling: self.answered.emit(n))
            faces.addWidget(face)
        layout.addLayout(faces, 4)
        row = QHBoxLayout()
        row.addStretch(1)
        self.skip_button = BigButton(tr("Skip"), "Space", tr("Skip the question"))
        self.skip_button.clicked.connect(lambda: self.answered.emit(None))
        row.addWidget(self.skip_button, 2)
        row.addStretch(1)
        layout.addLayout(row)
        layout.addStretch(1)

    def ask(self, after: bool) -> None:
        """At the start ("How are you feeling?") or the end ("... now?") of a session."""
        self.title.setText(tr("How are you feeling now?") if after else tr("How are you feeling?"))
