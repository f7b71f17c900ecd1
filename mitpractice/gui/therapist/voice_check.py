"""The voice check: the patient says a long "ah" at ease; its median pitch is their low note.

PROTOCOL.md: the low pitch sits at the patient's comfortable speaking pitch, found with a
short voice check. No Qt here; the patients screen records and calls :func:`comfortable_low`.
"""

from __future__ import annotations

import numpy as np

from mitpractice.errors import AudioError

#: How long the "ah" is recorded (s): long enough for a steady stretch after the start.
CHECK_SECONDS = 3.0
#: Frames at least this confident count as voice (CREPE's usual voicing threshold).
VOICED_CONFIDENCE = 0.5
#: The least voice (s) the median is taken over; less is a cough or a word, not a held "ah".
MIN_VOICED_S = 0.8


def comfortable_low(y: np.ndarray, sr: int, model: str = "crepe-tiny") -> float:
    """The median f0 (Hz) of the voiced frames of a held "ah".

    Raises
    ------
    AudioError
        If less than :data:`MIN_VOICED_S` of voice is heard.

    Examples
    --------
    >>> sr = 16000
    >>> t = np.arange(2 * sr) / sr
    >>> round(comfortable_low(0.4 * np.sin(2 * np.pi * 140.0 * t), sr))
    140
    """
    from mitpractice.pitch import track_pitch

    track = track_pitch(np.asarray(y, dtype=np.float32), sr, model)
    voiced = track.confidence >= VOICED_CONFIDENCE
    hop = float(np.median(np.diff(track.times))) if len(track.times) > 1 else 0.01
    if voiced.sum() * hop < MIN_VOICED_S:
        raise AudioError(
            f'only {voiced.sum() * hop:.1f} s of voice heard; say a long, easy "ah" for '
            f"{CHECK_SECONDS:g} seconds"
        )
    return float(np.median(track.f0_hz[voiced]))
