"""Alignment of voiced pieces to the target notes, with one fitted tempo.

The attempt is modelled as the target played back at one steady tempo: note ``i`` should start
near ``t0 + scale * onset_i``. A dynamic programme over (notes, pieces) then chooses, in order,
for every note either a run of consecutive pieces (one syllable, possibly cut in several
pieces) or nothing (a syllable not sung), and leaves unmatched the pieces that fit no note
(a cough, a false start). The tempo is refitted from the matched onsets and the alignment
repeated until it settles; several starting guesses (each piece as the first or second note,
the last pieces as the end) protect against a restart or a missing first or last syllable.

Costs are in beats of the fitted tempo, so an attempt at any steady tempo is aligned alike.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mitpractice.scoring.rhythmic import TEMPO_RANGE
from mitpractice.scoring.segment import Piece, octave_distance

#: Cost of a target note that no piece matches.
MISSING_COST = 1.2
#: Cost of leaving unmatched a piece one beat long (shorter pieces cost less).
EXTRA_COST = 1.0
#: Weight of the squared onset error (in beats) of a matched note, and its cap.
ONSET_WEIGHT, ONSET_CAP = 2.0, 1.6
#: Weight of the squared end error (in beats) of a matched note; an early end counts
#: ``EARLY_END_FACTOR`` of its length.
END_WEIGHT, EARLY_END_FACTOR = 0.3, 0.4
#: Cost of joining a piece to a syllable, plus this much per semitone between it and the
#: syllable's first piece beyond ``MERGE_GLIDE`` (a spoken syllable glides that far; another
#: voice lies anywhere; a whole octave is the tracker slipping, not counted).
MERGE_COST, MERGE_PITCH_COST, MERGE_GLIDE = 0.05, 0.3, 2.0
#: Cost of taking a piece of background (salience 0) as (part of) a syllable, per piece.
MERGE_BACKGROUND_COST = 0.3
#: Cost of joining pieces across a gap, per beat of gap; and more if the gap is longer than
#: the tracker's flicker (``FLICKER_S``), a real pause between two sounds.
MERGE_GAP_COST, FLICKER_S, PAUSE_MERGE_COST = 1.0, 0.12, 0.5
#: Pieces before the first note or after the last (a false start, a comment) cost this
#: fraction of ``EXTRA_COST`` to leave unmatched.
OUTSIDE_FACTOR = 0.5
#: At most this many pieces make one syllable.
MAX_MERGE = 10
#: Weight of the prior that the tempo is near the target's (squared log2 of the scale), and
#: of how far it lies outside the steady tempi that are not errors (``TEMPO_RANGE``).
TEMPO_PRIOR, TEMPO_OUTSIDE_PRIOR = 0.3, 2.0
#: At most this many tempo refits per starting guess.
MAX_REFITS = 5
#: How many of the first clear pieces are tried as the phrase's start.
START_PIECES = 4
#: Fitted tempo scales are kept within this range (attempt length over target length).
MIN_SCALE, MAX_SCALE = 0.25, 4.0


@dataclass(frozen=True)
class Alignment:
    """Which pieces make each note, and the fitted tempo.

    Attributes
    ----------
    groups : tuple
        Per target note, ``(first, stop)`` indices into the pieces, or ``None`` if not sung.
    t0 : float
        Fitted time (s) of the target's start in the attempt.
    scale : float
        Fitted tempo scale: attempt seconds per target second (1.2 = 20 % slower).
    cost : float
        Total alignment cost (lower is a better fit).
    """

    groups: tuple[tuple[int, int] | None, ...]
    t0: float
    scale: float
    cost: float

    def onset_times(self, onsets: np.ndarray) -> np.ndarray:
        """Where the fitted tempo puts the target onsets in the attempt (s)."""
        return self.t0 + self.scale * np.asarray(onsets, dtype=float)


def _dp(
    pieces: list[Piece],
    pitch: np.ndarray,
    salience: np.ndarray,
    onsets: np.ndarray,
    offsets: np.ndarray,
    beat_s: float,
    t0: float,
    scale: float,
) -> tuple[float, tuple[tuple[int, int] | None, ...]]:
    """Best ordered assignment of pieces to notes for one tempo; returns (cost, groups).

    The table ``cost[i, j]`` is the cheapest way to account for notes ``< i`` with pieces
    ``< j``. Each row is computed at once with numpy: arrivals from the row above (a note
    missing, or matched to pieces ``j..k-1``), then pieces left unmatched along the row, which
    is a running minimum.
    """
    n, m = len(onsets), len(pieces)
    unit = scale * beat_s
    p_on = np.array([p.onset_s for p in pieces])
    p_off = np.array([p.offset_s for p in pieces])
    extra = EXTRA_COST * salience * np.minimum(1.0, 0.1 + (p_off - p_on) / unit)
    # A false start or a remark before the phrase, or after it, is cheap to leave out, but not
    # a piece that runs on, without a pause, into the phrase's first or from its last syllable.
    gaps = p_on[1:] - p_off[:-1]
    lead_skip = np.where(np.append(gaps, np.inf) > FLICKER_S, extra * OUTSIDE_FACTOR, extra)
    tail_skip = np.where(np.insert(gaps, 0, np.inf) > FLICKER_S, extra * OUTSIDE_FACTOR, extra)

    # Matching note i to pieces j..j+d: onset, merge and end costs.
    want_on = (t0 + scale * onsets)[:, None]
    want_off = (t0 + scale * offsets)[:, None]
    on_err = (p_on[None, :] - want_on) / unit
    on_cost = np.minimum(ONSET_WEIGHT * on_err**2, ONSET_CAP) + MERGE_BACKGROUND_COST * (1.0 - salience)
    end_err = (p_off[None, :] - want_off) / unit
    end_err = np.where(end_err < 0, end_err * EARLY_END_FACTOR, end_err)  # short notes are common
    end_cost = np.minimum(END_WEIGHT * end_err**2, ONSET_CAP)
    depth = min(MAX_MERGE, m)
    last = np.arange(m)[:, None] + np.arange(depth)[None, :]  # last piece of group (j, d)
    valid = last < m
    last = np.minimum(last, m - 1)
    gap_s = np.maximum(0.0, p_on[last] - p_off[np.maximum(last - 1, 0)])
    step = np.clip(octave_distance(pitch[last], pitch[:, None]) - MERGE_GLIDE, 0.0, 4.0)
    join = (MERGE_COST + MERGE_PITCH_COST * step + MERGE_GAP_COST * gap_s / unit
            + MERGE_BACKGROUND_COST * (1.0 - salience[last]) + PAUSE_MERGE_COST * (gap_s > FLICKER_S))
    join[:, 0] = 0.0
    merge = np.where(valid, np.cumsum(join, axis=1), np.inf)
    # group (j, d) ends before piece k = j + d + 1; for each k, the groups that end there
    ks = np.arange(1, m + 1)[:, None]
    ds = np.arange(depth)[None, :]
    starts = ks - 1 - ds
    ok = starts >= 0
    starts_c = np.maximum(starts, 0)

    cost = np.full((n + 1, m + 1), np.inf)
    from_skip = np.zeros((n + 1, m + 1), dtype=bool)
    came_from = np.full((n + 1, m + 1), -2)  # start piece of the matched group, -1 if missing
    arrive = np.full(m + 1, np.inf)
    arrive[0] = 0.0
    runs = np.zeros((3, m + 1))  # running cost of leaving pieces out: before, inside, after
    np.cumsum(np.stack([lead_skip, extra, tail_skip]), axis=1, out=runs[:, 1:])
    for i in range(n + 1):
        run = runs[0 if i == 0 else 2 if i == n else 1]
        via = arrive - run
        best = np.minimum.accumulate(via)
        from_skip[i] = via > best
        cost[i] = np.where(from_skip[i], run + best, arrive)
        if i == n:
            break
        row = cost[i, :m, None] + on_cost[i, :, None] + merge + end_cost[i, last]
        totals = np.where(ok, row[starts_c, ds], np.inf)
        d_best = np.argmin(totals, axis=1)
        matched = totals[np.arange(m), d_best]
        missing = cost[i] + MISSING_COST
        arrive = missing.copy()
        came_from[i + 1] = -1
        better = matched < missing[1:]
        arrive[1:][better] = matched[better]
        came_from[i + 1, 1:][better] = (ks[:, 0] - 1 - d_best)[better]
    groups: list[tuple[int, int] | None] = [None] * n
    i, j = n, m
    while (i, j) != (0, 0):
        if from_skip[i, j]:
            j -= 1
            continue
        start = int(came_from[i, j])
        if start >= 0:
            groups[i - 1] = (start, j)
            j = start
        i -= 1
    return float(cost[n, m]), tuple(groups)


def _fit_tempo(
    groups: tuple[tuple[int, int] | None, ...], pieces: list[Piece], onsets: np.ndarray,
    t0: float, scale: float,
) -> tuple[float, float]:
    """Least-squares ``t0, scale`` from the matched onsets (kept if fewer than two)."""
    pairs = [(onsets[i], pieces[g[0]].onset_s) for i, g in enumerate(groups) if g is not None]
    if len(pairs) < 2:
        if pairs:
            t0 = pairs[0][1] - scale * pairs[0][0]
        return t0, scale
    x, y = np.array(pairs).T
    slope, intercept = np.polyfit(x, y, 1)
    if not (MIN_SCALE <= slope <= MAX_SCALE):
        slope = float(np.clip(slope, MIN_SCALE, MAX_SCALE))
        intercept = float(np.mean(y - slope * x))
    return float(intercept), float(slope)


def _starts(
    pieces: list[Piece], salience: np.ndarray, onsets: np.ndarray, offsets: np.ndarray
) -> set[tuple[float, float]]:
    """Starting guesses for ``(t0, scale)``: one of the first clear pieces as the first or
    second note, the end of one of the last clear pieces as the end of the last or
    second-to-last note (a false start, a missing first or last syllable). Guesses closer
    than 50 ms and 2 % of tempo are one."""
    clear = [j for j in range(len(pieces)) if salience[j] >= 0.5] or list(range(len(pieces)))
    guesses = set()
    n = len(onsets)
    firsts = [a for a in (0, 1) if a < n]
    lasts = [b for b in (n - 1, n - 2) if b >= 0]
    for j in clear[:START_PIECES]:
        for jj in clear[-2:]:
            for a in firsts:
                for b in lasts:
                    span = offsets[b] - onsets[a]
                    if jj < j or b < a or span <= 0:
                        continue
                    scale = (pieces[jj].offset_s - pieces[j].onset_s) / span
                    if MIN_SCALE <= scale <= MAX_SCALE:
                        t0 = pieces[j].onset_s - scale * onsets[a]
                        guesses.add((round(t0 / 0.05) * 0.05, round(scale / 0.02) * 0.02))
    return guesses


def tempo_prior(scale: float) -> float:
    """Cost of a fitted tempo: small near the target's, growing fast outside the expected range.

    Costs are measured in beats of the fitted tempo, so without this a very slow fit would
    make every timing error look small.
    """
    lo, hi = TEMPO_RANGE
    outside = max(0.0, math.log2(lo / scale), math.log2(scale / hi))
    return TEMPO_PRIOR * math.log2(scale) ** 2 + TEMPO_OUTSIDE_PRIOR * outside**2


def align_pieces(
    pieces: list[Piece],
    pitch: np.ndarray,
    onsets: np.ndarray,
    durations: np.ndarray,
    beat_s: float,
    salience: np.ndarray | None = None,
) -> Alignment:
    """Match pieces to target notes in order, fitting one steady tempo.

    Parameters
    ----------
    pieces : list of Piece
        Voiced pieces of the attempt, in time order.
    pitch : np.ndarray
        Median pitch of each piece (semitones); joining pieces of different pitch is costly.
    onsets, durations : np.ndarray
        Target note onsets and durations in seconds.
    beat_s : float
        Length of one target beat in seconds (the unit of all costs).
    salience : np.ndarray, optional
        Per piece in [0, 1], how clearly it is the patient's voice (1, the default) rather
        than background (towards 0); leaving a piece unmatched costs this much of the usual.

    Returns
    -------
    Alignment
        Every note unmatched (and ``scale`` 1) when there are no pieces.
    """
    onsets = np.asarray(onsets, dtype=float)
    offsets = onsets + np.asarray(durations, dtype=float)
    salience = np.ones(len(pieces)) if salience is None else np.asarray(salience, dtype=float)
    n = len(onsets)
    if not pieces or n == 0:
        return Alignment((None,) * n, 0.0, 1.0, MISSING_COST * n)
    solved: dict[tuple[float, float], tuple[float, tuple[tuple[int, int] | None, ...]]] = {}

    def solve(t0: float, scale: float) -> tuple[float, tuple[tuple[int, int] | None, ...]]:
        """The DP for one tempo; guesses often refit to the same one, so each is solved once."""
        if (t0, scale) not in solved:
            solved[t0, scale] = _dp(pieces, pitch, salience, onsets, offsets, beat_s, t0, scale)
        return solved[t0, scale]

    best: Alignment | None = None
    seen: set = set()
    for t0, scale in sorted(_starts(pieces, salience, onsets, offsets)):
        cost, groups = solve(t0, scale)
        known = False
        for _ in range(MAX_REFITS):  # refit the tempo to the matches until they settle
            key = (groups, round(t0, 3), round(scale, 3))
            known = key in seen  # another guess already led here
            if known:
                break
            seen.add(key)
            t0, scale = _fit_tempo(groups, pieces, onsets, t0, scale)
            cost, new_groups = solve(t0, scale)
            if new_groups == groups:
                break
            groups = new_groups
        if known:
            continue
        cost += tempo_prior(scale)
        if best is None or cost < best.cost:
            best = Alignment(groups, t0, scale, cost)
    if best is None:  # every guess had an implausible tempo: align at the target's tempo
        t0 = pieces[0].onset_s
        cost, groups = solve(t0, 1.0)
        best = Alignment(groups, t0, 1.0, cost)
    return best
