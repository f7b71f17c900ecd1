"""The pitch line drawn over the target notes, as Tony draws it.

Target notes are horizontal bars at the low and high pitch, as long as their beats, with the
syllable written on each. The pitch the patient sings is a line over them, in semitones from
the low note; unvoiced frames are left out, so the line breaks between syllables. The
syllable playing now is marked (a yellow fill, or a thick outline on a scored note, so the
mark never hides a result), scored syllables take their result's colour, and a cursor follows
playback. A caller following a player calls :meth:`PitchView.set_playhead` on each of its
frames: the cursor and the mark follow it and go away by themselves once it stops calling, so
the mark can never stay on a note after the voice has stopped.

Painting is cheap, so the audio and the pitch tracker keep the CPU: setters only record what
changed; a timer repaints at most once a frame (60 fps) and only when something changed.
The notes are drawn into a cached pixmap that is redrawn only when they change (melody,
highlight, results, size), and the whole view is repainted until one paint has covered it all
(a strip repainted for the cursor must not leave a stale half-drawn note elsewhere); the
pitch line and its white halo are drawn on two transparent layers of their own, each frame
stroking only the points that are new (stroking a whole 10 s line with its halo took 10 ms a
frame), and redrawn whole only when the scale changes.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

import numpy as np
from PySide6.QtCore import QPointF, QRectF, Qt, QTimer
from PySide6.QtGui import QFont, QFontMetricsF, QPainter, QPaintEvent, QPen, QPixmap, QPolygonF
from PySide6.QtWidgets import QSizePolicy, QWidget

from mitpractice.gui.widgets import palette

if TYPE_CHECKING:  # only their attributes are read: importing them here would slow start-up
    from mitpractice.melody import TargetMelody
    from mitpractice.pitch import PitchTrack
    from mitpractice.scoring import SyllableResult

#: Confidence at which a frame counts as voiced and is drawn (PitchTrack.voiced's default).
VOICED_CONFIDENCE = 0.5
#: Semitones shown below the low note and above the high note: room to sing a little off
#: and still be on screen. Frames further off (mostly the tracker's octave slips) are left
#: out: drawn at the edge, they looked like dashes sung along the top.
MARGIN_SEMITONES = 4.0
#: The playhead (cursor and "now" mark) is cleared when not renewed for this long (ms): a
#: follower renews it every frame (16 ms) while the voice plays, so this is some fifteen
#: missed frames, long enough never to flicker on a busy machine.
PLAYHEAD_LEASE_MS = 250
#: Seconds shown after the last note, for a late last syllable.
TAIL_S = 1.0
#: Frames further apart than this (s) are not joined: the track has a gap there.
MAX_JOIN_S = 0.05
#: Consecutive frames further apart than this (semitones) are not joined: no voice moves
#: that far in one 10 ms frame; it is a new note or the tracker's octave slip, and a line
#: drawn across would be the loudest thing on screen.
MAX_JOIN_SEMITONES = 2.0
#: Width (px) of the "now" outline drawn around a scored note while the voice plays it.
NOW_OUTLINE_PX = 4
#: Thinnest note bar (px), for a short view.
MIN_BAR_PX = 12
#: Lowest the view may be (px): the two lines, their syllables and a little room, so that the
#: practice window fits a 1024x600 screen.
MIN_HEIGHT_PX = 120
#: Repaint timer (ms): one frame at 60 fps.
FRAME_MS = 16
#: Syllable text size as a fraction of the view's height, within these pixel limits: large
#: enough to read from a chair at 1366x768, not so large that a syllable leaves its bar.
TEXT_FRACTION = 0.075
MIN_TEXT_PX = 16
MAX_TEXT_PX = 44


def note_at(melody: TargetMelody, seconds: float) -> int | None:
    """Index of the note sounding at ``seconds`` into the target, or ``None`` between and
    around them. The caller highlights it from the player's position.

    Examples
    --------
    >>> from mitpractice.melody import target_melody
    >>> from mitpractice.phrases import Phrase
    >>> m = target_melody(Phrase(id="p", text="Hel-lo", syllables=("hel", "lo"), pitches="HL"))
    >>> [note_at(m, t) for t in (0.5, 1.5, 9.0)]
    [0, 1, None]
    """
    for note in melody.notes:
        if note.onset_s <= seconds < note.offset_s:
            return note.index
    return None


class PitchView(QWidget):
    """The live pitch line over the target notes; see the module's docstring.

    Times are seconds of the target (0 = its first sample as heard): a caller recording
    along with the target passes pitch times with the latency already taken off.
    """

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)
        self.setMinimumSize(320, MIN_HEIGHT_PX)
        self.setAccessibleName(self.tr("Your voice and the target notes"))
        self._melody: TargetMelody | None = None
        self._scale, self._offset = 1.0, 0.0  # where the notes are drawn (place_notes)
        self._current: int | None = None
        self._results: dict[int, SyllableResult] = {}
        self._cursor: float | None = None
        self._times = np.zeros(4096)
        self._semitones = np.zeros(4096)
        self._voiced = np.zeros(4096, dtype=bool)
        self._count = 0
        self._t_max = TAIL_S
        self._background: QPixmap | None = None
        self._layer: QPixmap | None = None  # the pitch line drawn so far, over the notes
        self._halo: QPixmap | None = None  # its white halo, between the notes and the line
        self._drawn = 0  # frames already on the layer
        self._tail: list[QPointF] = []  # last points of the line still open on the layer
        self._geometry_key: tuple | None = None
        self._dirty = True
        self._full = True  # the whole view must be repainted (the notes changed)
        self._cursor_drawn: float | None = None  # where the cursor was last painted
        #: Frames painted so far (for benchmarks: one per timer tick at most).
        self.frames_painted = 0
        self._timer = QTimer(self)
        self._timer.setInterval(FRAME_MS)
        self._timer.timeout.connect(self._tick)
        self._lease = QTimer(self)
        self._lease.setSingleShot(True)
        self._lease.setInterval(PLAYHEAD_LEASE_MS)
        self._lease.timeout.connect(lambda: self.set_playhead(None))
        self._update_description()

    # ------------------------------------------------------------------ what the caller sets

    def set_melody(self, melody: TargetMelody | None) -> None:
        """Show ``melody``'s notes; clears the pitch line, highlight, results and cursor."""
        self._melody = melody
        self._current = None
        self._results = {}
        self._cursor = None
        self._scale, self._offset = 1.0, 0.0
        self._t_max = (melody.duration_s if melody else 0.0) + TAIL_S
        self.clear_pitch()
        self._invalidate_background()
        self._update_description()

    def melody(self) -> TargetMelody | None:
        return self._melody

    def place_notes(self, scale: float = 1.0, offset_s: float = 0.0) -> None:
        """Draw the notes from ``offset_s + onset * scale`` (as a take sung at another tempo
        was judged, :func:`mitpractice.scoring.placement.target_start`); the pitch line
        stays. The defaults put them back at the target's times."""
        if (scale, offset_s) == (self._scale, self._offset):
            return
        self._scale, self._offset = scale, offset_s
        if self._melody is not None:
            self._t_max = max(self._t_max, offset_s + self._melody.duration_s * scale + TAIL_S)
        self._invalidate_background()

    def append_pitch(self, track: PitchTrack) -> None:
        """Add the frames of ``track`` (the next piece of a streaming tracker) to the line."""
        n = len(track)
        if n == 0 or self._melody is None:
            return
        need = self._count + n
        if need > len(self._times):
            size = max(need, 2 * len(self._times))
            for name in ("_times", "_semitones", "_voiced"):
                old = getattr(self, name)
                grown = np.zeros(size, dtype=old.dtype)
                grown[: self._count] = old[: self._count]
                setattr(self, name, grown)
        f0 = np.maximum(np.asarray(track.f0_hz, dtype=float), 1e-3)
        self._times[self._count : need] = track.times
        self._semitones[self._count : need] = 12.0 * np.log2(f0 / self._melody.low_hz)
        self._voiced[self._count : need] = np.asarray(track.confidence) >= VOICED_CONFIDENCE
        self._count = need
        last = float(track.times[-1])
        if last > self._t_max:
            self._t_max = max(last + TAIL_S, 1.25 * self._t_max)
            self._invalidate_background()
        self._dirty = True

    def clear_pitch(self) -> None:
        """Remove the pitch line (a new take)."""
        self._count = 0
        self._layer = self._halo = None
        self._drawn, self._tail = 0, []
        self._dirty = True

    def set_current_syllable(self, index: int | None) -> None:
        """Highlight note ``index`` (e.g. ``note_at(melody, player.position_s())``); None: none."""
        if index != self._current:
            self._current = index
            self._invalidate_background()
            self._update_description()

    def current_syllable(self) -> int | None:
        return self._current

    def set_results(self, syllables: Sequence[SyllableResult] | None) -> None:
        """Colour each note by how it was sung (``Score.syllables``); None clears them."""
        self._results = {s.index: s for s in syllables or ()}
        self._invalidate_background()
        self._update_description()

    def set_cursor(self, seconds: float | None) -> None:
        """Draw the playback cursor at ``seconds`` of the target; None hides it."""
        if seconds != self._cursor:
            self._cursor = seconds
            self._dirty = True

    def set_playhead(self, seconds: float | None) -> None:
        """Where the voice playing is (s of the target): the cursor there and the note sounding
        there marked "now"; None clears both. Call it on every frame while the voice plays:
        when the calls stop for :data:`PLAYHEAD_LEASE_MS`, both are cleared."""
        if seconds is None:
            self._lease.stop()
            self.set_cursor(None)
            self.set_current_syllable(None)
            return
        self._lease.start()
        self.set_cursor(seconds)
        self.set_current_syllable(note_at(self._melody, seconds) if self._melody is not None else None)

    # ------------------------------------------------------------------ geometry

    def plot_rect(self) -> QRectF:
        """The area notes and pitch are drawn in (the labels sit left of it)."""
        font = self._font()
        gutter = QFontMetricsF(font).horizontalAdvance(self._label_high()) + font.pixelSize()
        gutter = max(gutter, QFontMetricsF(font).horizontalAdvance(self._label_low()) + font.pixelSize())
        pad = font.pixelSize() * 0.5
        return QRectF(gutter, pad, max(1.0, self.width() - gutter - pad), max(1.0, self.height() - 2 * pad))

    def point_at(self, seconds: float, semitones: float) -> QPointF:
        """Widget coordinates of a time (s) and a pitch (semitones above the low note)."""
        r = self.plot_rect()
        lo, hi = self._semitone_range()
        s = min(max(semitones, lo), hi)
        x = r.left() + seconds / self._t_max * r.width()
        return QPointF(x, r.bottom() - (s - lo) / (hi - lo) * r.height())

    def note_rect(self, index: int) -> QRectF:
        """Where note ``index``'s bar is drawn, in widget coordinates."""
        if self._melody is None:
            return QRectF()
        note = self._melody.notes[index]
        semis = 0.0 if note.level == "L" else self._melody.interval
        left = self.point_at(self._offset + note.onset_s * self._scale, semis).x()
        right = self.point_at(self._offset + note.offset_s * self._scale, semis).x()
        y = self.point_at(0.0, semis).y()
        h = self._bar_height()
        gap = min(4.0, (right - left) * 0.05)
        return QRectF(left + gap, y - h / 2, max(1.0, right - left - 2 * gap), h)

    def _semitone_range(self) -> tuple[float, float]:
        interval = self._melody.interval if self._melody else 3.0
        return -MARGIN_SEMITONES, interval + MARGIN_SEMITONES

    def text_rect(self, index: int) -> QRectF:
        """Where note ``index``'s syllable is written: above a high note, below a low one,
        so the pitch line sung on the note never covers it."""
        if self._melody is None:
            return QRectF()
        bar = self.note_rect(index)
        h = self._font().pixelSize() * 1.5
        gap = max(4.0, h * 0.15)
        if self._melody.notes[index].level == "H":
            return QRectF(bar.left(), bar.top() - gap - h, bar.width(), h)
        return QRectF(bar.left(), bar.bottom() + gap, bar.width(), h)

    def _bar_height(self) -> float:
        """One semitone (the tolerance a note is sung within), and never thin."""
        lo, hi = self._semitone_range()
        return max(MIN_BAR_PX, self.plot_rect().height() / (hi - lo))

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(int(min(MAX_TEXT_PX, max(MIN_TEXT_PX, self.height() * TEXT_FRACTION))))
        font.setBold(True)
        return font

    def _label_high(self) -> str:
        return self.tr("High")

    def _label_low(self) -> str:
        return self.tr("Low")

    # ------------------------------------------------------------------ painting

    def _invalidate_background(self) -> None:
        self._background = None
        self._full = True
        self._dirty = True

    def _tick(self) -> None:
        """Once a frame: repaint what changed, and only that (a strip for new pitch frames and
        for the cursor's old and new places; everything when the notes or the scale changed)."""
        if not self._dirty:
            return
        self._dirty = False
        key = (self.width(), self.height(), self.devicePixelRatioF(), self._t_max)
        if (self._full or self._background is None or self._layer is None or self._halo is None
                or key != self._geometry_key):
            self.update()
            return
        pad = 2 * self._line_width() + 2
        strips = QRectF()
        if self._drawn < self._count:
            x0 = self.point_at(float(self._times[max(self._drawn - 1, 0)]), 0.0).x()
            x1 = self.point_at(float(self._times[self._count - 1]), 0.0).x()
            strips = strips.united(QRectF(x0 - pad, 0, x1 - x0 + 2 * pad, self.height()))
        for seconds in {self._cursor_drawn, self._cursor} - {None}:
            x = self.point_at(seconds, 0.0).x()
            strips = strips.united(QRectF(x - pad, 0, 2 * pad, self.height()))
        if not strips.isNull():
            self.update(strips.toAlignedRect())

    def showEvent(self, event) -> None:
        self._timer.start()
        super().showEvent(event)

    def hideEvent(self, event) -> None:
        self._timer.stop()
        super().hideEvent(event)

    def changeEvent(self, event) -> None:
        self._invalidate_background()
        super().changeEvent(event)

    def paintEvent(self, event: QPaintEvent) -> None:
        key = (self.width(), self.height(), self.devicePixelRatioF(), self._t_max)
        rebuilt = key != self._geometry_key or self._background is None
        if key != self._geometry_key:
            self._geometry_key = key
            self._background = None
            self._layer = self._halo = None
        if self._background is None:
            self._background = self._draw_background()
        if self._layer is None or self._halo is None:
            self._halo = self._new_pixmap(Qt.GlobalColor.transparent)
            self._layer = self._new_pixmap(Qt.GlobalColor.transparent)
            self._drawn, self._tail = 0, []
        self._draw_new_pitch()
        painter = QPainter(self)
        # Only the exposed part of the two layers is copied: at 4K a whole copy took 7 ms.
        exposed = QRectF(event.rect())
        if event.rect().contains(self.rect()):
            self._full = False
        elif self._full or rebuilt:  # the notes changed since the last whole paint: the rest is stale
            self._full = self._dirty = True
        ratio = self.devicePixelRatioF()
        source = QRectF(exposed.topLeft() * ratio, exposed.size() * ratio)
        for layer in (self._background, self._halo, self._layer):
            painter.drawPixmap(exposed, layer, source)
        self._cursor_drawn = self._cursor
        if self._cursor is not None:
            r = self.plot_rect()
            x = self.point_at(self._cursor, 0.0).x()
            width = max(3.0, self._line_width())
            painter.setPen(QPen(palette.CURSOR, width, Qt.PenStyle.SolidLine, Qt.PenCapStyle.FlatCap))
            painter.drawLine(QPointF(x, r.top()), QPointF(x, r.bottom()))
        painter.end()
        self.frames_painted += 1

    def _line_width(self) -> float:
        return max(3.0, self._font().pixelSize() / 6)

    def _new_pixmap(self, fill) -> QPixmap:
        ratio = self.devicePixelRatioF()
        pixmap = QPixmap(int(self.width() * ratio), int(self.height() * ratio))
        pixmap.setDevicePixelRatio(ratio)
        pixmap.fill(fill)
        return pixmap

    def _draw_new_pitch(self) -> None:
        """Draw the frames not drawn yet onto the pitch layers, split where unvoiced, off the
        drawing's range or a gap.

        Only the new points are stroked, from the last point drawn. The white halo has a
        layer of its own under the line's, so a new piece's halo never notches the line.
        """
        start, end = self._drawn, self._count
        if start >= end or self._layer is None or self._halo is None:
            return
        times, semis, voiced = self._times, self._semitones, self._voiced
        r = self.plot_rect()
        lo, hi = self._semitone_range()
        xs = r.left() + times[start:end] / self._t_max * r.width()
        ys = r.bottom() - (np.clip(semis[start:end], lo, hi) - lo) / (hi - lo) * r.height()
        pieces: list[tuple[list[QPointF], list[QPointF]]] = []  # (points drawn before, new points)
        before, new = list(self._tail), []
        open_run = bool(self._tail)
        for i in range(start, end):
            if not voiced[i] or not lo <= semis[i] <= hi:  # unvoiced, or off the drawing
                if new:
                    pieces.append((before, new))
                before, new, open_run = [], [], False
                continue
            joined = (
                open_run
                and times[i] - times[i - 1] <= MAX_JOIN_S
                and abs(semis[i] - semis[i - 1]) <= MAX_JOIN_SEMITONES
            )
            if not joined and (new or before):
                if new:
                    pieces.append((before, new))
                before, new = [], []
            new.append(QPointF(float(xs[i - start]), float(ys[i - start])))
            open_run = True
        if new:
            pieces.append((before, new))
        self._tail = (before + new)[-1:] if open_run else []
        self._drawn = end

        width = self._line_width()
        round_cap = Qt.PenCapStyle.RoundCap
        for layer, pen in (
            (self._halo, QPen(palette.PITCH_HALO, width * 2.2, Qt.PenStyle.SolidLine, round_cap)),
            (self._layer, QPen(palette.PITCH, width, Qt.PenStyle.SolidLine, round_cap)),
        ):
            pen.setJoinStyle(Qt.PenJoinStyle.RoundJoin)
            painter = QPainter(layer)
            painter.setRenderHint(QPainter.RenderHint.Antialiasing)
            painter.setPen(pen)
            for before, new in pieces:
                points = before + new
                if len(points) == 1:
                    painter.drawPoint(points[0])
                else:
                    painter.drawPolyline(QPolygonF(points))
            painter.end()

    def _draw_background(self) -> QPixmap:
        pixmap = self._new_pixmap(palette.BACKGROUND)
        painter = QPainter(pixmap)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setRenderHint(QPainter.RenderHint.TextAntialiasing)
        font = self._font()
        painter.setFont(font)
        r = self.plot_rect()
        melody = self._melody
        interval = melody.interval if melody else 3.0
        for semis, label in ((0.0, self._label_low()), (interval, self._label_high())):
            y = self.point_at(0.0, semis).y()
            painter.setPen(QPen(palette.GUIDE, 2, Qt.PenStyle.DashLine))
            painter.drawLine(QPointF(r.left(), y), QPointF(r.right(), y))
            painter.setPen(palette.INK)
            painter.drawText(
                QRectF(0, y - font.pixelSize(), r.left() - font.pixelSize() * 0.4, 2 * font.pixelSize()),
                int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter),
                label,
            )
        if melody is not None:
            for note in melody.notes:
                self._draw_note(painter, note.index, note.syllable, font)
        painter.end()
        return pixmap

    def _draw_note(self, painter: QPainter, index: int, syllable: str, font: QFont) -> None:
        bar = self.note_rect(index)
        radius = min(6.0, bar.height() / 3)
        fill, missed = self._note_fill(index)
        current = index == self._current
        scored = index in self._results
        if current and not scored:
            fill = palette.HIGHLIGHT
        if missed:
            painter.setPen(QPen(palette.MISSED, 4, Qt.PenStyle.DashLine))
            painter.setBrush(palette.BACKGROUND)
            painter.drawRoundedRect(bar.adjusted(2, 2, -2, -2), radius, radius)
        else:
            painter.setPen(QPen(palette.INK, 3) if current else Qt.PenStyle.NoPen)
            painter.setBrush(fill)
            painter.drawRoundedRect(bar, radius, radius)
        if current and scored:  # "now" around the result, never over it
            width = NOW_OUTLINE_PX
            painter.setPen(QPen(palette.INK, width))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            outline = bar.adjusted(-width, -width, width, width)
            painter.drawRoundedRect(outline, radius + width, radius + width)
        label = self.text_rect(index)
        fitted = QFont(font)
        metrics = QFontMetricsF(fitted)
        smallest = MIN_TEXT_PX // 2
        while metrics.horizontalAdvance(syllable) > label.width() - 8 and fitted.pixelSize() > smallest:
            fitted.setPixelSize(fitted.pixelSize() - 2)
            metrics = QFontMetricsF(fitted)
        text = metrics.elidedText(syllable, Qt.TextElideMode.ElideRight, label.width() - 4)
        if current:
            chip = metrics.horizontalAdvance(text) + metrics.height()
            chip_rect = QRectF(label.center().x() - chip / 2, label.top(), chip, label.height())
            painter.setPen(Qt.PenStyle.NoPen)
            painter.setBrush(palette.HIGHLIGHT)
            painter.drawRoundedRect(chip_rect, radius, radius)
        painter.setFont(fitted)
        painter.setPen(palette.MISSED if missed and not current else palette.INK)
        painter.drawText(label, int(Qt.AlignmentFlag.AlignCenter), text)
        painter.setFont(font)

    def _note_fill(self, index: int):
        """The note's result colour (its plain colour before a result), and whether it is drawn
        as missed (a dashed outline)."""
        result = self._results.get(index)
        if result is None:
            return palette.NOTE, False
        if not result.detected:
            return palette.BACKGROUND, True
        return palette.result_colour(True, result.pitch_ok, result.timing_ok), False

    # ------------------------------------------------------------------ accessibility

    def _update_description(self) -> None:
        melody = self._melody
        if melody is None:
            self.setAccessibleDescription(self.tr("No phrase"))
            return
        parts = []
        for note in melody.notes:
            level = self._label_high() if note.level == "H" else self._label_low()
            state = ""
            result = self._results.get(note.index)
            if result is not None:
                if not result.detected:
                    state = self.tr("not heard")
                elif not result.pitch_ok:
                    state = self.tr("wrong note")
                elif result.timing_ok:
                    state = self.tr("good")
                else:
                    state = self.tr("off the beat")
            if note.index == self._current:
                state = ", ".join(x for x in (state, self.tr("now")) if x)
            parts.append(f"{note.syllable} ({level}{', ' + state if state else ''})")
        self.setAccessibleDescription(", ".join(parts))
