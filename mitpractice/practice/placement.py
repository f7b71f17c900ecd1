"""Where the target notes lie on a take's own time line, so that a drawing of the take shows
each note where the scorer judged it.

The scorer judges rhythm at the take's own steady tempo (a correct phrase sung slower is
correct), so the notes it coloured green lie stretched to that tempo. Drawn at the target's
tempo under a slow take, they ended long before the singing and looked green past their ends.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from statistics import median
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # only attributes are read; the window imports this module at start-up
    from mitpractice.melody import TargetMelody
    from mitpractice.scoring import SyllableResult


@dataclass(frozen=True, kw_only=True)
class NotePlacement:
    """Note ``i`` of the target lies from ``offset_s + onset * scale`` to
    ``offset_s + offset * scale`` seconds of the take."""

    scale: float
    offset_s: float


def take_placement(
    melody: TargetMelody, syllables: Sequence[SyllableResult], tempo_ratio: float | None
) -> NotePlacement:
    """The target's notes on the take's time line: its tempo (the score's ``tempo_ratio``) and
    the offset that puts the notes on the sung onsets (their median difference, so one
    syllable sung early or late does not move the others).

    Nothing sung: the target's own times.

    Examples
    --------
    >>> from mitpractice.melody import target_melody
    >>> from mitpractice.phrases import Phrase
    >>> from mitpractice.scoring import SyllableResult
    >>> m = target_melody(Phrase(id="p", text="Thank you", syllables=("thank", "you"), pitches="HL"))
    >>> sung = [SyllableResult(index=0, text="thank", target="H", detected=True, onset_s=1.5),
    ...         SyllableResult(index=1, text="you", target="L", detected=True, onset_s=3.5)]
    >>> take_placement(m, sung, 2.0)
    NotePlacement(scale=2.0, offset_s=1.5)
    """
    scale = float(tempo_ratio) if tempo_ratio and tempo_ratio > 0 else 1.0
    onsets = [s.onset_s - melody.notes[s.index].onset_s * scale
              for s in syllables if s.detected and s.onset_s is not None]
    return NotePlacement(scale=scale, offset_s=float(median(onsets)) if onsets else 0.0)
