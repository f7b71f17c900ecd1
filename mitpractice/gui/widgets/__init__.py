"""Widgets shared by the practice window and the therapist's review.

- :class:`PitchView`: the pitch line drawn over the target notes, as in Tony.
- :class:`LevelMeter`: the live input level with too quiet / good / too loud zones.
"""

from mitpractice.gui.widgets.levelmeter import LevelMeter
from mitpractice.gui.widgets.pitchview import PitchView, note_at

__all__ = ["LevelMeter", "PitchView", "note_at"]
