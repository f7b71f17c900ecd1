"""The live input level, in three zones a patient can act on: too quiet, good, too loud.

The caller feeds it on a timer (``meter.set_level(recorder.level_dbfs())``); the bar rises at
once and falls slowly, so the level of a syllable can be read after it ends.
"""

from __future__ import annotations

import time

from PySide6.QtCore import QRectF, QSize, Qt
from PySide6.QtGui import QFont, QFontInfo, QFontMetricsF, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QSizePolicy, QWidget

from mitpractice.audio import LOUD_DBFS, QUIET_DBFS
from mitpractice.gui.widgets import palette

#: Bottom of the scale (dB re full scale): a quiet room; anything quieter shows empty.
FLOOR_DBFS = -60.0
#: Top of the scale: full scale.
CEILING_DBFS = 0.0
#: How fast the bar falls (dB/s) once the voice gets softer: slow enough to read a syllable.
RELEASE_DB_PER_S = 30.0
#: Label size as a multiple of the widget's font (20 px at the windows' 14 pt), so that it
#: grows and shrinks with the window's text; never under MIN_TEXT_PX.
TEXT_FACTOR = 1.07
MIN_TEXT_PX = 12

QUIET, GOOD, LOUD = "quiet", "good", "loud"


class LevelMeter(QWidget):
    """A horizontal level bar over zones "too quiet", "good" and "too loud".

    Parameters
    ----------
    quiet_dbfs, loud_dbfs : float
        Where "good" begins and ends (dB re full scale); by default the levels
        :mod:`mitpractice.audio` judges takes by.
    """

    def __init__(
        self, parent: QWidget | None = None, *, quiet_dbfs: float = QUIET_DBFS, loud_dbfs: float = LOUD_DBFS
    ) -> None:
        super().__init__(parent)
        # Shrinks to its minimum on a small screen.
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Maximum)
        self.setAccessibleName(self.tr("Microphone level"))
        self._quiet = quiet_dbfs
        self._loud = loud_dbfs
        self._level = FLOOR_DBFS
        self._at = time.monotonic()
        self._zone = QUIET
        self._update_description()

    # ------------------------------------------------------------------ what the caller sets

    def set_level(self, dbfs: float) -> None:
        """Show a new level (dB re full scale): rises at once, falls at RELEASE_DB_PER_S."""
        now = time.monotonic()
        fallen = self._level - RELEASE_DB_PER_S * (now - self._at)
        self._at = now
        self._level = min(CEILING_DBFS, max(FLOOR_DBFS, dbfs, fallen))
        zone = self._zone_of(self._level)
        if zone != self._zone:
            self._zone = zone
            self._update_description()
        self.update()

    def reset(self) -> None:
        """Empty the bar (a new take)."""
        self._level = FLOOR_DBFS
        self._at = time.monotonic()
        self._zone = QUIET
        self._update_description()
        self.update()

    def set_thresholds(self, quiet_dbfs: float, loud_dbfs: float) -> None:
        """Move the "good" zone, e.g. above a noisy room's level found by a voice check."""
        self._quiet, self._loud = quiet_dbfs, loud_dbfs
        self._zone = self._zone_of(self._level)
        self._update_description()
        self.update()

    def level(self) -> float:
        """The level shown now (dB re full scale)."""
        return self._level

    def zone(self) -> str:
        """``"quiet"``, ``"good"`` or ``"loud"``: where the shown level is."""
        return self._zone

    # ------------------------------------------------------------------ geometry

    def x_of(self, dbfs: float) -> float:
        """Widget x of a level on the bar."""
        bar = self.bar_rect()
        f = (min(max(dbfs, FLOOR_DBFS), CEILING_DBFS) - FLOOR_DBFS) / (CEILING_DBFS - FLOOR_DBFS)
        return bar.left() + f * bar.width()

    def bar_rect(self) -> QRectF:
        """Where the bar is drawn (the zone names are under it)."""
        text = self._font().pixelSize()
        return QRectF(2, 2, max(1.0, self.width() - 4), max(1.0, self.height() - text * 1.6 - 4))

    def sizeHint(self) -> QSize:
        return QSize(480, int(self._font().pixelSize() * 4.2))

    def minimumSizeHint(self) -> QSize:
        return QSize(360, int(self._font().pixelSize() * 3.2))

    def _font(self) -> QFont:
        font = QFont(self.font())
        font.setPixelSize(max(MIN_TEXT_PX, round(QFontInfo(self.font()).pixelSize() * TEXT_FACTOR)))
        font.setBold(True)
        return font

    def _zone_of(self, dbfs: float) -> str:
        return QUIET if dbfs < self._quiet else LOUD if dbfs > self._loud else GOOD

    def _zone_names(self) -> dict[str, str]:
        return {QUIET: self.tr("Too quiet"), GOOD: self.tr("Good"), LOUD: self.tr("Too loud")}

    # ------------------------------------------------------------------ painting

    def paintEvent(self, event: QPaintEvent) -> None:
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), palette.BACKGROUND)
        bar = self.bar_rect()
        font = self._font()
        painter.setFont(font)
        names = self._zone_names()
        edges = [bar.left(), self.x_of(self._quiet), self.x_of(self._loud), bar.right()]
        zones = ((QUIET, palette.ZONE_QUIET), (GOOD, palette.ZONE_GOOD), (LOUD, palette.ZONE_LOUD))
        metrics = QFontMetricsF(font)
        painter.setPen(palette.INK)
        for (zone, colour), left, right in zip(zones, edges, edges[1:], strict=False):
            painter.fillRect(QRectF(left, bar.top(), right - left, bar.height()), colour)
            # Each name centred under its zone, kept inside the widget when the zone is narrow.
            width = max(right - left, metrics.horizontalAdvance(names[zone]) + 8)
            x = min(max((left + right - width) / 2, 0.0), self.width() - width)
            label = QRectF(x, bar.bottom() + 2, width, self.height() - bar.bottom() - 2)
            align = Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop
            painter.drawText(label, int(align), names[zone])
        fill = {QUIET: palette.LEVEL_QUIET, GOOD: palette.LEVEL_GOOD, LOUD: palette.LEVEL_LOUD}[self._zone]
        inset = bar.height() * 0.2
        width = self.x_of(self._level) - bar.left()
        level_rect = QRectF(bar.left(), bar.top() + inset, width, bar.height() - 2 * inset)
        painter.fillRect(level_rect, fill)
        painter.setPen(QPen(palette.INK, 2))
        painter.setBrush(Qt.BrushStyle.NoBrush)
        painter.drawRect(bar)
        for x in edges[1:3]:
            painter.drawLine(int(x), int(bar.top()), int(x), int(bar.bottom()))
        painter.end()

    def _update_description(self) -> None:
        self.setAccessibleDescription(self._zone_names()[self._zone])
