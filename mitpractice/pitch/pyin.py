"""pYIN (librosa) as an alternative pitch tracker with the same output as CREPE.

pYIN needs no network and is a well-studied baseline, so the therapist can compare against it
or use it where the CREPE weights are missing. It runs on the same 16 kHz signal and the same
centred frame grid as CREPE, so tracks from either model line up frame for frame.
"""

from __future__ import annotations

import numpy as np

from mitpractice.pitch.track import PitchTrack

#: Sample rate pYIN runs at: the same as CREPE, which keeps the frame grid identical.
SR = 16000
#: Analysis frame (64 ms): two periods of the lowest pitch fit in the YIN window.
FRAME_LENGTH = 1024
#: Search range in Hz: below a deep male speaking voice, above a child's high sung note.
FMIN, FMAX = 50.0, 1000.0


def pyin_track(y16: np.ndarray, hop: int) -> PitchTrack:
    """Track ``y16`` (mono, 16 kHz) with pYIN every ``hop`` samples.

    Frame ``i`` is centred on sample ``i * hop``; there are ``1 + len(y16) // hop`` frames.
    Unvoiced frames keep pYIN's best f0 guess (``fill_na=None``) so ``f0_hz`` stays finite.

    The confidence carries pYIN's own voicing decision (its HMM's Viterbi path) across the
    app's 0.5 threshold: frames it calls voiced get ``0.5 + p / 2``, the others ``0.49 p``,
    where ``p`` is pYIN's voicing probability. ``p`` alone is a poor threshold: on sung
    speech its median over truly voiced frames is about 0.15, while the HMM finds ~80 % of
    them (benchmarks/pitch.py).

    Examples
    --------
    >>> t = np.arange(16000) / 16000
    >>> track = pyin_track(np.sin(2 * np.pi * 220 * t).astype(np.float32), 160)
    >>> bool(abs(np.median(track.f0_hz[track.voiced()]) - 220) < 2)
    True
    """
    import librosa

    y16 = np.asarray(y16, dtype=np.float32)
    f0, voiced, prob = librosa.pyin(
        y16,
        fmin=FMIN,
        fmax=FMAX,
        sr=SR,
        frame_length=FRAME_LENGTH,
        hop_length=hop,
        center=True,
        fill_na=None,
    )
    f0 = np.clip(np.nan_to_num(f0, nan=FMIN), FMIN, FMAX)
    times = np.arange(len(f0)) * hop / SR
    prob = np.clip(np.nan_to_num(prob), 0.0, 1.0)
    confidence = np.where(voiced, 0.5 + 0.5 * prob, 0.49 * prob)
    return PitchTrack(times, f0.astype(np.float64), confidence.astype(np.float64), "pyin")
