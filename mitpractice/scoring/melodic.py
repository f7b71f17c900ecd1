"""Melodic score: did the syllables land on the right one of two levels, a good step apart?

Everything is judged relative to the attempt itself, never to absolute pitch: a patient may
sing in any key. Per syllable, the pitch is the median of its steady middle part (the first
fifth and the last sixth are left out, where voices scoop into and fall off a note); whole
syllables that the tracker put an octave off are folded back. The attempt's own low and high
levels are the medians of its low and of its high syllables, and three things are scored:

* the **interval**: how close the sung high–low step is to the target step. Full credit within
  :data:`FULL_CREDIT` semitones; beyond that the credit falls smoothly and keeps falling all the
  way to a monotone (no step) and an inverted pattern (step the wrong way). Untrained singers
  shrink intervals, so the fall is gentle at first (Pfordresher & Brown 2007).
* the **level** of each syllable: how close it is to its own kind's level (each high syllable
  near the other high ones, each low one near the low ones).
* the **steadiness** of each syllable: singing holds a note, speech glides through it. A
  syllable whose steady part drifts more than :data:`STEADY_DRIFT` semitones loses credit.

``melodic = 100 * interval_credit * mean over notes of (level_credit * steadiness_credit)``,
the mean weighted by beats, a syllable not sung counting 0.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from scipy.ndimage import median_filter

from mitpractice.scoring.segment import fold_octaves

#: Interval and level errors up to this many semitones get full credit (singing games use
#: about half a semitone).
FULL_CREDIT = 0.5
#: A syllable's steady part may drift this many semitones before it counts as gliding.
STEADY_DRIFT = 1.0
#: Drift is measured over at least this long (s), so short gliding syllables show as gliding.
MIN_DRIFT_SPAN_S = 0.3
#: Level errors within this many semitones of the syllable's own level get full credit.
LEVEL_FULL = 0.75
#: How far (semitones) a pitch tracker can slip from the true pitch: none, octaves up and
#: down, and locking onto the 3rd, 4th or 5th harmonic (seen with CREPE's small models on
#: low voices).
TRACKER_SLIPS = 12.0 * np.log2([1.0, 2.0, 0.5, 3.0, 4.0, 5.0, 0.25])
#: Fractions of a syllable left out at its start and end when measuring its pitch.
HEAD, TAIL = 0.2, 0.15
#: A syllable further than this (semitones) from the centre between the two levels is the
#: tracker's slip, not singing: MIT's steps are at most 7 semitones, so a sung level lies
#: within 3.5 of the centre; 8 leaves room for a wide step sung wider still.
SLIP_ST = 8.0
#: How fast credit falls beyond its tolerance (semitones): for interval errors half the
#: target step, between ``INTERVAL_WIDTH_ST`` (a minor third) and its double (a fifth may be
#: sung a semitone narrow with little loss); for level errors and for drift ``LEVEL_WIDTH_ST``
#: and ``STEADY_WIDTH_ST``.
INTERVAL_WIDTH_ST, LEVEL_WIDTH_ST, STEADY_WIDTH_ST = 1.5, 1.0, 1.0
#: ``pitch_ok``: within ``PITCH_OK_ST`` semitones (or ``PITCH_OK_SHARE`` of a wider target
#: step) of where the syllable belongs, and sung at least ``STEADY_OK`` steadily (a drift
#: under about 1.8 semitones).
PITCH_OK_ST, PITCH_OK_SHARE, STEADY_OK = 1.5, 0.3, 0.5


@dataclass(frozen=True)
class SyllablePitch:
    """The measured pitch of one sung syllable.

    Attributes
    ----------
    midi : float
        Median pitch of the steady part, fractional MIDI note number.
    drift : float
        How far the steady part glides, in semitones: the slope of a line fit times its
        length, or times :data:`MIN_DRIFT_SPAN_S` if it is shorter (a short spoken syllable
        glides fast but not far).
    """

    midi: float
    drift: float


def syllable_pitch(midi: np.ndarray, voiced: np.ndarray, hop_s: float) -> SyllablePitch:
    """Robust pitch and drift of one syllable from its frames.

    Parameters
    ----------
    midi : np.ndarray
        Pitch of the syllable's frames (MIDI numbers), start to end.
    voiced : np.ndarray
        Which of those frames are voiced; the others are ignored.
    hop_s : float
        Seconds between frames.

    Examples
    --------
    >>> import numpy as np
    >>> flat = syllable_pitch(np.full(50, 48.0), np.ones(50, bool), 0.01)
    >>> round(flat.midi, 2), round(flat.drift, 2)
    (48.0, 0.0)
    >>> glide = syllable_pitch(np.linspace(52, 46, 50), np.ones(50, bool), 0.01)
    >>> glide.drift > 3
    True
    """
    values = fold_octaves(np.asarray(midi, dtype=float)[np.asarray(voiced, dtype=bool)])
    n = len(values)
    if n == 0:
        return SyllablePitch(midi=float("nan"), drift=0.0)
    head, tail = int(HEAD * n), int(TAIL * n)
    steady = values[head : n - tail] if n - head - tail >= 3 else values
    smooth = median_filter(steady, size=min(5, len(steady)), mode="nearest")
    drift = 0.0
    if len(smooth) >= 3:
        t = np.arange(len(smooth)) * hop_s
        slope = np.polyfit(t, smooth, 1)[0]
        drift = abs(float(slope)) * max(t[-1] - t[0] + hop_s, MIN_DRIFT_SPAN_S)
    return SyllablePitch(midi=float(np.median(steady)), drift=float(drift))


def fold_to_levels(midi: np.ndarray, levels: str, interval: float) -> np.ndarray:
    """Fold syllable pitches that a tracker put a whole octave off back next to the others.

    The centre between the attempt's two levels is taken half the target interval above the
    median of its low syllables (below the median of its high ones if it has no low ones);
    any pitch more than 8 semitones from that centre is moved by the tracker slip
    (:data:`TRACKER_SLIPS`: octaves, and a lock onto the 3rd to 5th harmonic) that brings it
    closest to the centre. A real sung step is never that far from the centre for MIT's
    intervals (up to 7 semitones).

    Examples
    --------
    >>> import numpy as np
    >>> fold_to_levels(np.array([48.0, 63.0, 48.0]), "LHL", 3.0).tolist()
    [48.0, 51.0, 48.0]
    >>> fold_to_levels(np.array([63.0, 48.0]), "HL", 3.0).tolist()
    [51.0, 48.0]
    """
    midi = np.asarray(midi, dtype=float)
    ok = np.isfinite(midi)
    is_high = np.array([lv == "H" for lv in levels])
    if not ok.any():
        return midi
    if np.any(ok & ~is_high):
        centre = float(np.median(midi[ok & ~is_high])) + interval / 2
    else:
        centre = float(np.median(midi[ok])) - interval / 2
    out = midi.copy()
    for i in np.flatnonzero(ok & (np.abs(midi - centre) > SLIP_ST)):
        candidates = midi[i] - TRACKER_SLIPS
        out[i] = candidates[np.argmin(np.abs(candidates - centre))]
    return out


def falloff(error: float, full: float, width: float) -> float:
    """Credit in [0, 1]: 1 up to ``full``, then a smooth bell that never quite reaches 0.

    Examples
    --------
    >>> falloff(0.3, 0.5, 1.5), round(falloff(2.0, 0.5, 1.5), 3)
    (1.0, 0.368)
    """
    if not math.isfinite(error):
        return 0.0
    excess = max(0.0, error - full)
    return math.exp(-((excess / width) ** 2))


def interval_width(target: float) -> float:
    """How fast interval credit falls (semitones): wider for wider target intervals."""
    return float(np.clip(0.5 * target, INTERVAL_WIDTH_ST, 2 * INTERVAL_WIDTH_ST))


def interval_credit(sung: float | None, target: float) -> float:
    """Credit for the sung high–low step against the target step (both in semitones).

    Examples
    --------
    >>> [round(interval_credit(s, 3.0), 2) for s in (3.0, 2.5, 2.0, 1.0, 0.0, -3.0)]
    [1.0, 1.0, 0.89, 0.37, 0.06, 0.0]
    """
    if sung is None:
        return 0.0
    return falloff(abs(sung - target), FULL_CREDIT, interval_width(target))


def level_credit(error: float) -> float:
    """Credit for one syllable that is ``error`` semitones off its own kind's level."""
    return falloff(abs(error), LEVEL_FULL, LEVEL_WIDTH_ST)


def steadiness_credit(drift: float) -> float:
    """Credit for how steadily a syllable holds its note (1 for singing, near 0 for speech)."""
    return falloff(drift, STEADY_DRIFT, STEADY_WIDTH_ST)


def pitch_tolerance(target: float) -> float:
    """Largest error (semitones) for which a syllable's pitch counts as right."""
    return max(PITCH_OK_ST, PITCH_OK_SHARE * target)


@dataclass(frozen=True)
class MelodicResult:
    """The melodic judgement of one attempt.

    Attributes
    ----------
    score : float
        0–100.
    interval : float or None
        Sung high minus low level in semitones; negative when inverted, ``None`` when the
        attempt has no high or no low syllable to compare.
    low_midi : float or None
        The attempt's own low pitch (the lower of its two levels), MIDI number.
    relative : np.ndarray
        Per note, its pitch in semitones above ``low_midi`` (NaN when not sung).
    pitch_ok : np.ndarray
        Per note, whether it was sung, steadily, at the right height.
    steadiness : np.ndarray
        Per note, the steadiness credit (NaN when not sung).
    """

    score: float
    interval: float | None
    low_midi: float | None
    relative: np.ndarray
    pitch_ok: np.ndarray
    steadiness: np.ndarray


def melodic_score(
    pitches: list[SyllablePitch | None], levels: str, beats: np.ndarray, target_interval: float
) -> MelodicResult:
    """Score the melody of an attempt from its per-note pitches.

    Parameters
    ----------
    pitches : list
        Per target note, its measured :class:`SyllablePitch`, or ``None`` if not sung.
    levels : str
        ``"H"``/``"L"`` per note.
    beats : np.ndarray
        Beats per note (weights of the mean).
    target_interval : float
        Target high–low step in semitones.
    """
    n = len(levels)
    midi = fold_to_levels(np.array([p.midi if p else np.nan for p in pitches]), levels, target_interval)
    drift = np.array([p.drift if p else np.nan for p in pitches])
    is_high = np.array([lv == "H" for lv in levels])
    sung = np.isfinite(midi)
    high = float(np.median(midi[sung & is_high])) if np.any(sung & is_high) else None
    low = float(np.median(midi[sung & ~is_high])) if np.any(sung & ~is_high) else None
    wants_step = bool(is_high.any() and (~is_high).any())
    interval = high - low if high is not None and low is not None else None
    own = {lv: v for lv, v in (("H", high), ("L", low)) if v is not None}
    floor = min(own.values()) if own else None
    if wants_step and interval is None and high is not None:  # only high syllables sung
        floor = high - target_interval  # the low level they imply
    steadiness = np.array([steadiness_credit(d) if np.isfinite(d) else np.nan for d in drift])
    credit = np.zeros(n)
    pitch_ok = np.zeros(n, dtype=bool)
    relative = midi - floor if floor is not None else np.full(n, np.nan)
    tolerance = pitch_tolerance(target_interval)
    for i in np.flatnonzero(sung):
        credit[i] = level_credit(midi[i] - own[levels[i]]) * steadiness[i]
        expected = target_interval if levels[i] == "H" and wants_step else 0.0
        pitch_ok[i] = steadiness[i] >= STEADY_OK and abs(relative[i] - expected) <= tolerance
    # Only one kind sung (a syllable of two left out): the step cannot be heard, and is not
    # held against the syllables that were sung; those left out already count 0.
    step = interval_credit(interval, target_interval) if wants_step and interval is not None else 1.0
    weights = np.asarray(beats, dtype=float)
    score = 100.0 * step * float(np.sum(weights * credit) / np.sum(weights)) if n else 0.0
    return MelodicResult(score=score, interval=interval, low_midi=floor, relative=relative,
                         pitch_ok=pitch_ok, steadiness=steadiness)
