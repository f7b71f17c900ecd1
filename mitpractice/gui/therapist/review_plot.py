"""The review's drawing of one attempt: its pitch over the target notes, Tony-style.

Semitones up the side (note names), seconds along the bottom; each target note a bar with
its syllable, the sung pitch a line over it, the syllables as the scorer found them shaded in
their result's colour, and the playback cursor.
"""

from __future__ import annotations

import math

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPainterPath, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from mitpractice.gui import theme
from mitpractice.melody import hz_to_note as _note
from mitpractice.melody import midi_to_hz

#: Semitones shown above and below the notes, so a sung pitch a little off stays in view.
MARGIN_ST = 4.0
#: A jump larger than this between two frames (semitones) is not drawn as a line: it is an
#: octave slip of the tracker or a break in the voice, not a glide.
JUMP_ST = 3.0


class ReviewPlot(QWidget):
    def __init__(self, parent=None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumHeight(self.fontMetrics().height() * 10)
        self.clear()

    def clear(self) -> None:
        self.data = None
        self.cursor = None
        self.update()

    def set_review(self, *, times, midi, note_times, note_midi, labels, syllables, duration) -> None:
        self.data = dict(
            times=np.asarray(times),
            midi=np.asarray(midi),
            note_times=note_times,
            note_midi=note_midi,
            labels=labels,
            syllables=syllables,
            duration=duration,
        )
        self.update()

    def set_cursor(self, t: float | None) -> None:
        self.cursor = t
        self.update()

    def paintEvent(self, event) -> None:
        p = QPainter(self)
        p.setRenderHint(QPainter.RenderHint.Antialiasing)
        p.fillRect(self.rect(), QColor("#ffffff"))
        fm = self.fontMetrics()
        if self.data is None:
            p.end()
            return
        d = self.data
        voiced = d["midi"][np.isfinite(d["midi"])]
        lo = min(min(d["note_midi"]), float(np.percentile(voiced, 5)) if len(voiced) else 99.0) - MARGIN_ST
        hi = max(max(d["note_midi"]), float(np.percentile(voiced, 95)) if len(voiced) else 0.0) + MARGIN_ST
        lo, hi = math.floor(lo), math.ceil(hi)
        left, bottom = fm.horizontalAdvance("C#4 ") + 6, fm.height() + 6
        area = QRectF(left, 4, self.width() - left - 8, self.height() - bottom - 8)
        t_max = max(d["duration"], max(e for _, e in d["note_times"]))

        def x(t):
            return area.left() + area.width() * t / t_max

        def y(m):
            return area.bottom() - area.height() * (m - lo) / (hi - lo)

        # the scorer's syllables, shaded in their result's colour
        for onset, offset, colour in d["syllables"]:
            if onset is None or offset is None:
                continue
            shade = QColor(colour)
            shade.setAlpha(40)
            p.fillRect(QRectF(x(onset), area.top(), x(offset) - x(onset), area.height()), shade)
            p.setPen(QPen(colour, 1.5, Qt.PenStyle.DashLine))
            p.drawLine(QPointF(x(onset), area.top()), QPointF(x(onset), area.bottom()))
        # pitch grid with note names
        p.setPen(QPen(QColor("#d5dae1"), 1))
        step = max(1, round((hi - lo) / max(2, area.height() // (fm.height() * 1.6))))
        for m in range(lo, hi + 1, step):
            p.drawLine(QPointF(area.left(), y(m)), QPointF(area.right(), y(m)))
            p.setPen(theme.TEXT)
            p.drawText(
                QRectF(0, y(m) - fm.height() / 2, left - 6, fm.height()),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                _note(midi_to_hz(m)),
            )
            p.setPen(QPen(QColor("#d5dae1"), 1))
        # seconds
        p.setPen(theme.TEXT)
        for s in range(0, int(t_max) + 1):
            p.drawText(
                QRectF(x(s) - 20, area.bottom() + 2, 40, fm.height()), Qt.AlignmentFlag.AlignCenter, f"{s}s"
            )
        # target notes
        for (start, end), m, label in zip(d["note_times"], d["note_midi"], d["labels"], strict=True):
            colour = theme.HIGH_NOTE if m > min(d["note_midi"]) + 0.5 else theme.LOW_NOTE
            bar = QRectF(x(start), y(m) - 5, max(4.0, x(end) - x(start) - 3), 10)
            p.fillRect(bar, colour)
            p.drawText(
                QRectF(bar.left(), bar.top() - fm.height() - 2, max(bar.width(), 60), fm.height()),
                Qt.AlignmentFlag.AlignLeft,
                label,
            )
        # the sung pitch
        path = QPainterPath()
        drawing = False
        previous = None
        for t, m in zip(d["times"], d["midi"], strict=True):
            if not np.isfinite(m) or not lo <= m <= hi:
                drawing = False
                continue
            if previous is not None and abs(m - previous) > JUMP_ST:
                drawing = False  # an octave slip or a new onset: no line across it
            previous = m
            point = QPointF(x(t), y(float(m)))
            if drawing:
                path.lineTo(point)
            else:
                path.moveTo(point)
                drawing = True
        p.setPen(QPen(theme.PITCH_LINE, 2.5))
        p.drawPath(path)
        if self.cursor is not None:
            p.setPen(QPen(theme.TEXT, 2))
            p.drawLine(QPointF(x(self.cursor), area.top()), QPointF(x(self.cursor), area.bottom()))
        p.setPen(QPen(QColor("#9aa5b1"), 1))
        p.drawRect(area)
        p.end()
