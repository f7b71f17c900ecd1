"""Rhythmic score: even syllables at one steady tempo, each as long as its beats.

One overall tempo is fitted to the sung onsets (:func:`steady_tempo`), so a
patient who sings the whole phrase slower or faster, steadily, is not marked down as long as
the tempo stays within :data:`TEMPO_RANGE` of the target's. Against that tempo each sung
syllable is judged by

* the time from its onset to the next sung syllable's onset, against the target's time for the
  same notes (a stretched syllable pushes the next one late, a squeezed one pulls it early);
  across a syllable left out, against the target's time with or without it, whichever is
  closer (a patient may keep its silence or move the rest up);
* for the last syllable, which has no next onset, how long it sounds against its beats; and
  for every syllable, whether it sounds at least :data:`MIN_HOLD` of its slot (a clipped note).

The error of a syllable is the log ratio of what was sung to what was due, beyond a tolerance.
Its credit falls smoothly with the error; a syllable not sung gets 0.
``rhythmic = 100 * tempo_credit * (mean credit + lowest credit) / 2``: the lowest credit counts
as much as the mean so that one badly timed or missing syllable shows.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass

import numpy as np

#: Steady tempo scales (attempt length over target length) that are not errors.
TEMPO_RANGE = (0.65, 1.55)
#: Beyond that range the tempo credit falls as a bell of this width (log ratio): 35 % too
#: slow or fast past the range keeps a third of the credit.
TEMPO_WIDTH = 0.3
#: Log-ratio errors up to this are full credit (about 13 % longer or shorter).
TIMING_FULL = 0.12
#: Width of the credit's fall beyond ``TIMING_FULL``.
TIMING_WIDTH = 0.4
#: A syllable's error up to this (log ratio, about 35 %) still counts as on time.
TIMING_OK = 0.3
#: A syllable should sound at least this fraction of its slot; the last one at most
#: ``MAX_FINAL_HOLD`` of it (it has no next onset to show a stretch).
MIN_HOLD, MAX_FINAL_HOLD = 0.5, 1.25
#: Smallest ratio of sung to due time taken on a log scale (a syllable sung at the same
#: moment as the one before it is as wrong as a thousandth of its time, not infinitely).
RATIO_FLOOR = 1e-3


@dataclass(frozen=True)
class RhythmicResult:
    """The rhythmic judgement of one attempt.

    Attributes
    ----------
    score : float
        0–100.
    tempo_credit : float
        1 inside :data:`TEMPO_RANGE`, falling outside it.
    ratio : np.ndarray
        Per note, sung length over due length of its onset-to-next-onset span (or of its
        sound, for the last one); NaN when not sung.
    hold : np.ndarray
        Per note, the fraction of its slot it sounded; NaN when not sung.
    error : np.ndarray
        Per note, the timing error (log ratio beyond tolerances); NaN when not sung.
    timing_ok : np.ndarray
        Per note, sung and on time.
    """

    score: float
    tempo_credit: float
    ratio: np.ndarray
    hold: np.ndarray
    error: np.ndarray
    timing_ok: np.ndarray


def timing_credit(error: float) -> float:
    """Credit for a timing error in log ratio: 1 up to :data:`TIMING_FULL`, then falling.

    The tail is long (a Cauchy bell) so that ever larger errors keep lowering the credit.

    Examples
    --------
    >>> [round(timing_credit(math.log(r)), 2) for r in (1.1, 1.5, 2.0, 3.0)]
    [1.0, 0.66, 0.33, 0.14]
    """
    if not math.isfinite(error):
        return 0.0
    excess = max(0.0, abs(error) - TIMING_FULL)
    return 1.0 / (1.0 + (excess / TIMING_WIDTH) ** 2)


def tempo_credit(scale: float) -> float:
    """Credit for the overall tempo: 1 from 0.65× to 1.55× the target's length.

    Examples
    --------
    >>> tempo_credit(0.7), tempo_credit(1.5), round(tempo_credit(3.0), 2)
    (1.0, 1.0, 0.01)
    """
    lo, hi = TEMPO_RANGE
    excess = max(0.0, math.log(lo / scale), math.log(scale / hi))
    return math.exp(-((excess / TEMPO_WIDTH) ** 2))


def time_ratio(sung_s: float, target_onsets: np.ndarray, target_durations: np.ndarray, a: int, b: int,
               tempo: float) -> float:
    """Sung time from syllable ``a``'s onset to syllable ``b``'s (the next sung) over the
    target's. Across syllables left out, ``b`` is due after their time (a silence kept) or
    without it (the rest moved up, right after ``a``): of the two, the ratio nearer ``tempo``
    counts, so the missing syllable is counted once, not again as a timing error.

    Examples
    --------
    >>> import numpy as np
    >>> on, dur = np.arange(3.0), np.ones(3)
    >>> time_ratio(1.0, on, dur, 0, 2, 1.0), time_ratio(2.0, on, dur, 0, 2, 1.0)  # moved up, kept
    (1.0, 1.0)
    """
    dues = {float(target_onsets[b] - target_onsets[a])}
    if b - a > 1:
        dues.add(float(target_durations[a]))
    return min((sung_s / due for due in dues), key=lambda r: abs(math.log(max(r, RATIO_FLOOR) / tempo)))


def steady_tempo(onsets: np.ndarray, target_onsets: np.ndarray, target_durations: np.ndarray,
                 fitted: float = 1.0) -> float:
    """The one steady tempo that best explains the sung onsets, as a scale of the target's.

    The median over consecutive sung syllables of (time between their onsets) over (target
    time between them, :func:`time_ratio`, across syllables left out the one nearer
    ``fitted``, the alignment's tempo): one stretched or squeezed syllable does not move it,
    so it is still judged against the tempo of the rest. ``fitted`` when fewer than two
    syllables were sung.

    Examples
    --------
    >>> import numpy as np
    >>> t = np.arange(5.0)
    >>> sung = np.array([0.0, 1.2, 2.4, 4.2, 5.4])  # 1.2x slower, the third syllable held 1.5x
    >>> round(steady_tempo(sung, t, np.ones(5)), 2)
    1.2
    >>> skipped = np.array([0.0, np.nan, 1.0])  # the middle one left out, the rest moved up
    >>> round(steady_tempo(skipped, np.arange(3.0), np.ones(3)), 2)
    1.0
    """
    onsets = np.asarray(onsets, dtype=float)
    target_onsets = np.asarray(target_onsets, dtype=float)
    sung = np.flatnonzero(np.isfinite(onsets))
    if len(sung) < 2:
        return fitted
    return float(np.median([time_ratio(onsets[b] - onsets[a], target_onsets, target_durations, a, b, fitted)
                            for a, b in itertools.pairwise(sung)]))


def rhythmic_score(
    onsets: np.ndarray,
    offsets: np.ndarray,
    target_onsets: np.ndarray,
    target_durations: np.ndarray,
    scale: float,
    judge_holds: bool = True,
) -> RhythmicResult:
    """Score the rhythm of an attempt from its per-note onsets and offsets.

    Parameters
    ----------
    onsets, offsets : np.ndarray
        Per target note, when the sung syllable starts and ends (s); NaN when not sung.
    target_onsets, target_durations : np.ndarray
        The target notes' onsets and durations (s).
    scale : float
        Fitted tempo scale, attempt seconds per target second.
    judge_holds : bool
        Whether how long each syllable sounds counts (sung), or only when it starts
        (Sprechgesang and speech, whose syllables are naturally short).

    Examples
    --------
    >>> import numpy as np
    >>> t, d = np.array([0.0, 1.0, 2.0]), np.ones(3)
    >>> steady = rhythmic_score(t * 1.3 + 0.5, t * 1.3 + 1.6, t, d, 1.3)
    >>> round(steady.score), steady.timing_ok.tolist()
    (100, [True, True, True])
    """
    onsets = np.asarray(onsets, dtype=float)
    offsets = np.asarray(offsets, dtype=float)
    target_onsets = np.asarray(target_onsets, dtype=float)
    target_durations = np.asarray(target_durations, dtype=float)
    n = len(onsets)
    sung = np.flatnonzero(np.isfinite(onsets))
    ratio = np.full(n, np.nan)
    hold = np.full(n, np.nan)
    error = np.full(n, np.nan)
    for pos, i in enumerate(sung):
        hold[i] = (offsets[i] - onsets[i]) / (scale * target_durations[i])
        short = max(0.0, math.log(MIN_HOLD / max(hold[i], RATIO_FLOOR))) if judge_holds else 0.0
        if pos + 1 < len(sung):
            j = sung[pos + 1]
            ratio[i] = time_ratio(onsets[j] - onsets[i], target_onsets, target_durations, i, j, scale) / scale
            error[i] = max(abs(math.log(max(ratio[i], RATIO_FLOOR))), short)
        else:
            ratio[i] = hold[i]
            long = math.log(max(hold[i], RATIO_FLOOR) / MAX_FINAL_HOLD) if judge_holds else 0.0
            error[i] = max(short, long, 0.0)
    credits = np.array([timing_credit(e) for e in error])
    tempo = tempo_credit(scale)
    timing_ok = np.isfinite(error) & (np.nan_to_num(error, nan=np.inf) <= TIMING_OK)
    if n == 0:
        return RhythmicResult(score=0.0, tempo_credit=tempo, ratio=ratio, hold=hold, error=error,
                              timing_ok=timing_ok)
    weights = np.asarray(target_durations, dtype=float)
    mean = float(np.sum(weights * credits) / np.sum(weights))
    score = 100.0 * tempo * 0.5 * (mean + float(credits.min()))
    return RhythmicResult(score=score, tempo_credit=tempo, ratio=ratio, hold=hold, error=error,
                          timing_ok=timing_ok)
