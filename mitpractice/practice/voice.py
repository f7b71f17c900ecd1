"""The voice check: a comfortable sung "aah" gives the patient's low note.

PROTOCOL.md: the low pitch sits at the patient's comfortable speaking pitch, found with a short
voice check. A relaxed, sighed "aah" sits there; its median pitch over the voiced frames is
robust to the start and end of the note wobbling. The practice window (first run) and the
therapist's patient screen both record the "aah" and call :func:`comfortable_low_hz`.
"""

from __future__ import annotations

import numpy as np

from mitpractice.errors import AudioError

#: Seconds of "aah" recorded once sound arrives: long enough for a steady second of voice
#: after the onset, short enough not to tire.
VOICE_CHECK_S = 3.5
#: At least this much voice (s) must be heard for the check to count.
MIN_VOICED_S = 0.6
#: Frames at or above this CREPE confidence are voiced (the tracker's usual threshold).
VOICED_CONFIDENCE = 0.5
#: The lowest and highest low notes accepted (Hz): a deep bass speaks near 70 Hz, a child
#: near 300 Hz; outside that, the tracker has heard something else (a whistle, a hum).
LOW_LIMITS_HZ = (65.0, 400.0)


def comfortable_low_hz(y: np.ndarray, sr: int, model: str = "crepe-tiny") -> float:
    """Median f0 (Hz) of the voiced frames of a sung "aah".

    Raises
    ------
    AudioError
        Too little voice was heard, or its pitch is outside :data:`LOW_LIMITS_HZ`.

    Examples
    --------
    >>> sr = 16000
    >>> t = np.arange(2 * sr) / sr
    >>> round(comfortable_low_hz(0.3 * np.sin(2 * np.pi * 150 * t), sr))
    150
    """
    from mitpractice.pitch import track_pitch

    y = np.asarray(y, dtype=np.float32)
    if len(y) < sr * MIN_VOICED_S:
        raise AudioError("the voice check heard too little sound")
    track = track_pitch(y, sr, model)
    voiced = track.confidence >= VOICED_CONFIDENCE
    if voiced.sum() * track.hop_s < MIN_VOICED_S:
        raise AudioError(f'the voice check heard no steady voice; sing a long, easy "aah" for '
                         f"{VOICE_CHECK_S:g} seconds")
    hz = float(np.median(track.f0_hz[voiced]))
    if not LOW_LIMITS_HZ[0] <= hz <= LOW_LIMITS_HZ[1]:
        raise AudioError(f"the voice check heard {hz:.0f} Hz, which is not a speaking voice")
    return hz
