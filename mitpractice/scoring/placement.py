"""Where the target lies in an attempt: one placement for every view of a stored score.

The alignment fits the target's start in the take (``t0``: note ``i`` is expected near
``t0 + tempo * onset_i``) and the score keeps it as ``target_start_s``. Scores stored before
it was kept are placed as they always were: the median of ``onset_s - tempo_ratio *
target_onset`` over the detected syllables. An attempt with none (unscored, or nothing
heard) has the target at the start of the recording.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from mitpractice.melody import TargetMelody


def target_start(score: Mapping[str, Any] | None, melody: TargetMelody) -> float:
    """Where the scorer put the target's start in the attempt (s), from its JSON.

    Examples
    --------
    >>> from mitpractice.melody import target_melody
    >>> from mitpractice.phrases import Phrase
    >>> p = Phrase(id="thank-you", text="Thank you", syllables=("thank", "you"), pitches="HL")
    >>> m = target_melody(p, "A2", 3, 60)
    >>> target_start({"target_start_s": 0.42, "tempo_ratio": 1.2}, m)
    0.42
    >>> old = {"tempo_ratio": 1.2, "syllables": [  # stored before target_start_s was kept
    ...     {"index": 0, "detected": True, "onset_s": 0.5}, {"index": 1, "detected": True, "onset_s": 1.7}]}
    >>> target_start(old, m)
    0.5
    >>> target_start(None, m)
    0.0
    """
    if not score:
        return 0.0
    if score.get("target_start_s") is not None:
        return float(score["target_start_s"])
    ratio = score.get("tempo_ratio") or 1.0
    notes = melody.notes
    starts = [
        s["onset_s"] - ratio * notes[s.get("index", k)].onset_s
        for k, s in enumerate(score.get("syllables", ()))
        if s.get("detected") and s.get("onset_s") is not None and s.get("index", k) < len(notes)
    ]
    return float(np.median(starts)) if starts else 0.0
