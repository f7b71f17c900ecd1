"""Octave slips settled by a second tracker: the scored track keeps CREPE's, on SwiftF0's octave.

CREPE-tiny now and then reads a whole syllable an octave off (520 Hz for 262): the scorer,
fitting the patient's two notes, then hears the tune upside down or a syllable not sung. The
scorer's voicing and salience thresholds are set on CREPE's confidence, so the scored track
stays CREPE's — its confidence and its fine pitch — and only its *octave* is taken from
SwiftF0 wherever the two disagree by a whole octave and SwiftF0 hears a voice. SwiftF0 makes
the fewest octave errors of the trackers measured (1.30 % of voiced frames against
crepe-tiny's 3.35 %, docs/pitch.md) and costs 0.009 CPU seconds per audio second, so it can run
beside CREPE while the patient sings (:class:`~mitpractice.pitch.stream.PitchStream`) and be
finished within the feedback budget.
"""

from __future__ import annotations

import numpy as np

from mitpractice.errors import ParameterError
from mitpractice.pitch.track import PitchTrack

#: The tracker whose octave is trusted.
REFEREE_MODEL = "swift-f0"
#: The referee must hear a voice (its own calibrated threshold) for its octave to count.
REFEREE_CONFIDENCE = 0.5
#: A disagreement is an octave slip when it lies this close (semitones) to a whole number of
#: octaves: the two trackers' pitches of one voice differ by a few cents (docs/pitch.md), a
#: slip by 12 semitones give or take that; anything else is two different readings, left be.
SLIP_TOLERANCE_ST = 1.0


def settle_octaves(track: PitchTrack, referee: PitchTrack) -> PitchTrack:
    """``track`` with each frame moved by whole octaves to where ``referee`` hears it.

    Only frames where the referee hears a voice (:data:`REFEREE_CONFIDENCE`) and the two
    pitches are a whole number of octaves apart (within :data:`SLIP_TOLERANCE_ST`) move; the
    confidence, the model name and every other frame are ``track``'s.

    Parameters
    ----------
    track : PitchTrack
        The track to be scored (CREPE's).
    referee : PitchTrack
        A track of the same audio on the same frame grid (the first ``len(track)`` frames are
        used; a shorter referee leaves the frames it lacks as they are).

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(4) * 0.01
    >>> crepe = PitchTrack(t, np.array([131.0, 524.0, 262.0, 200.0]), np.full(4, 0.8), "crepe-tiny")
    >>> swift = PitchTrack(t, np.array([131.5, 262.0, 262.0, 140.0]), np.full(4, 0.9), "swift-f0")
    >>> settle_octaves(crepe, swift).f0_hz.tolist()
    [131.0, 262.0, 262.0, 200.0]
    """
    n = min(len(track), len(referee))
    if n and not np.allclose(track.times[:n], referee.times[:n], atol=1e-6):
        raise ParameterError("the referee's frames are not on the track's time grid")
    f0 = np.array(track.f0_hz, dtype=float)
    ref = np.asarray(referee.f0_hz[:n], dtype=float)
    sure = np.asarray(referee.confidence[:n], dtype=float) >= REFEREE_CONFIDENCE
    apart = 12.0 * np.log2(np.maximum(f0[:n], 1e-6) / np.maximum(ref, 1e-6))
    octaves = np.round(apart / 12.0)
    slip = sure & (octaves != 0) & (np.abs(apart - 12.0 * octaves) <= SLIP_TOLERANCE_ST)
    f0[:n][slip] *= 2.0 ** -octaves[slip]
    return PitchTrack(track.times, f0, track.confidence, track.model)


def needs_referee(model: str) -> bool:
    """Whether a track of ``model`` is settled by the referee: CREPE's are; the referee's own,
    and pYIN's (whose HMM already decodes one octave-consistent path), are not."""
    return model.startswith("crepe")
