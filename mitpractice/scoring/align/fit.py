"""Fitting the tempo, the jump and the singer's two levels to a reading, and the starting guesses."""

from __future__ import annotations

import numpy as np

from mitpractice.scoring.align.costs import COSTS, AlignCosts
from mitpractice.scoring.rhythmic import TEMPO_RANGE
from mitpractice.scoring.segment import Piece


def fit_tempo(
    groups: tuple[tuple[int, int] | None, ...], pieces: list[Piece], onsets: np.ndarray,
    t0: float, scale: float, costs: AlignCosts = COSTS,
) -> tuple[float, float]:
    """Least-squares ``t0, scale`` from the matched onsets (kept if fewer than two)."""
    pairs = [(onsets[i], pieces[g[0]].onset_s) for i, g in enumerate(groups) if g is not None]
    if len(pairs) < 2:
        if pairs:
            t0 = pairs[0][1] - scale * pairs[0][0]
        return t0, scale
    x, y = np.array(pairs).T
    slope, intercept = np.polyfit(x, y, 1)
    if not (costs.min_scale <= slope <= costs.max_scale):
        slope = float(np.clip(slope, costs.min_scale, costs.max_scale))
        intercept = float(np.mean(y - slope * x))
    return float(intercept), float(slope)


def fit_jump(
    groups: tuple[tuple[int, int] | None, ...], pieces: list[Piece], onsets: np.ndarray,
    t0: float, scale: float, beat_s: float, costs: AlignCosts = COSTS,
) -> tuple[float, float, float]:
    """``t0, scale, jump``: one tempo with, if it fits the matched onsets clearly better, one
    jump of all later onsets (see
    :meth:`~mitpractice.scoring.align.candidates.NotePricer.note_costs`); the jump is 0 when
    none helps."""
    t0, scale = fit_tempo(groups, pieces, onsets, t0, scale, costs)
    pairs = [(onsets[i], pieces[g[0]].onset_s) for i, g in enumerate(groups) if g is not None]
    if len(pairs) < 3:
        return t0, scale, 0.0
    x, y = np.array(pairs).T
    unit = scale * beat_s
    best_sse = float(np.sum((y - t0 - scale * x) ** 2)) - (costs.jump_gain * unit) ** 2
    best = (t0, scale, 0.0)
    if best_sse <= 0:  # no jump can lower the error that much
        return best
    # y = t0 + scale * x + jump * (after the k-th match), for every k at once
    after = (np.arange(len(x))[None, :] >= np.arange(1, len(x))[:, None]).astype(float)
    design = np.stack([np.ones_like(after), np.broadcast_to(x, after.shape), after], axis=2)
    gram = np.einsum("kni,knj->kij", design, design)
    usable = np.abs(np.linalg.det(gram)) > 1e-9
    if not usable.any():
        return best
    coef = np.linalg.solve(gram[usable], np.einsum("kni,n->ki", design[usable], y)[..., None])[..., 0]
    sse = np.sum((y[None, :] - np.einsum("kni,ki->kn", design[usable], coef)) ** 2, axis=1)
    fine = ((sse < best_sse) & (coef[:, 1] >= costs.min_scale) & (coef[:, 1] <= costs.max_scale)
            & (np.abs(coef[:, 2]) >= costs.jump_min_beats * coef[:, 1] * beat_s))
    if fine.any():
        k = int(np.argmin(np.where(fine, sse, np.inf)))
        best = (float(coef[k, 0]), float(coef[k, 1]), float(coef[k, 2]))
    return best


def longest(pieces: list[Piece], ks: range | list[int]) -> int:
    """Index of the longest of the pieces ``ks``: a sound's or a syllable's vowel, whose pitch
    is its note (a consonant's voicing or a scoop is short)."""
    return max(ks, key=lambda k: pieces[k].duration_s)


def first_clear(pieces: list[Piece], salience: np.ndarray, costs: AlignCosts = COSTS) -> float:
    """Onset (s) of the first piece that is clearly the patient's (:attr:`AlignCosts.extra_min_salience`),
    or of the first piece: where the phrase starts if nothing before it was sung."""
    return next((p.onset_s for p, c in zip(pieces, salience, strict=True) if c >= costs.extra_min_salience),
                pieces[0].onset_s)


def near_octave(value: float, ref: float) -> float:
    """``value`` moved by whole octaves next to ``ref`` (a tracker's octave slip)."""
    return value - 12.0 * round((value - ref) / 12.0)


def fit_levels(
    groups: tuple[tuple[int, int] | None, ...], pieces: list[Piece], pitch: np.ndarray,
    is_high: np.ndarray, low: float, high: float, costs: AlignCosts = COSTS,
) -> tuple[float, float]:
    """The singer's two levels: medians of the matched syllables of each mark (kept if none).

    Two levels at least :attr:`AlignCosts.two_levels_st` apart are not merged: matches that would merge
    them put syllables on the wrong level (a high note taken for a low one), which must cost
    what it costs rather than redefine the singer's levels.
    """
    out = []
    for mark, previous in ((False, low), (True, high)):
        values = []
        for i, g in enumerate(groups):
            if g is None or is_high[i] != mark:
                continue
            values.append(near_octave(float(pitch[longest(pieces, range(*g))]), previous))
        out.append(float(np.median(values)) if values else previous)
    if abs(out[1] - out[0]) < costs.two_levels_st <= abs(high - low):
        return low, high
    return out[0], out[1]


def level_guesses(
    pieces: list[Piece], pitch: np.ndarray, salience: np.ndarray, costs: AlignCosts = COSTS
) -> list[tuple[float, float]]:
    """Starting guesses ``(low, high)``: the attempt's two clusters of pitch, either way round
    (upside down is a guess too, so that an inverted tune is aligned as sung, not shifted).
    One guess with both levels equal when the attempt is sung on one note."""
    dur = np.array([p.duration_s for p in pieces])
    use = (salience >= costs.extra_min_salience) & (dur >= costs.min_syllable_s)
    if not use.any():
        use = np.ones(len(pieces), dtype=bool)
    values, weights = pitch[use], dur[use]
    centre = float(np.median(values))
    values = np.array([near_octave(v, centre) for v in values])
    lo, hi = float(values.min()), float(values.max())
    for _ in range(10):  # two-means, weighted by length
        upper = np.abs(values - hi) < np.abs(values - lo)
        if upper.all() or not upper.any():
            break
        lo = float(np.average(values[~upper], weights=weights[~upper]))
        hi = float(np.average(values[upper], weights=weights[upper]))
    if hi - lo < costs.two_levels_st:
        return [(centre, centre)]
    return [(lo, hi), (hi, lo)]


def too_short(
    pieces: list[Piece], salience: np.ndarray, onsets: np.ndarray, offsets: np.ndarray,
    costs: AlignCosts = COSTS,
) -> bool:
    """Whether the clear singing (from the first clear piece to the last) is too short to be
    the whole phrase at a steady tempo (:data:`~mitpractice.scoring.rhythmic.TEMPO_RANGE`):
    then the phrase may have been broken off part-way.

    Examples
    --------
    >>> from mitpractice.scoring.segment import Piece
    >>> sung = [Piece(start=50, stop=130, onset_s=0.5, offset_s=1.3),
    ...         Piece(start=150, stop=230, onset_s=1.5, offset_s=2.3)]
    >>> too_short(sung, np.ones(2), np.arange(5.0), np.arange(5.0) + 1.0)  # 1.8 s of a 5 s phrase
    True
    >>> too_short(sung, np.ones(2), np.arange(2.0), np.arange(2.0) + 1.0)
    False
    """
    clear = ([j for j in range(len(pieces)) if salience[j] >= costs.extra_min_salience]
             or list(range(len(pieces))))
    sung_s = pieces[clear[-1]].offset_s - pieces[clear[0]].onset_s
    return bool(sung_s < TEMPO_RANGE[0] * (offsets[-1] - onsets[0]))


def start_guesses(
    pieces: list[Piece], salience: np.ndarray, onsets: np.ndarray, offsets: np.ndarray,
    costs: AlignCosts = COSTS,
) -> set[tuple[float, float]]:
    """Starting guesses for ``(t0, scale)``: one of the first clear pieces (or the first after
    a pause of :attr:`AlignCosts.false_start_pause_s` beyond them: a false start of syllables the voice
    cut into several pieces) as the first or second note, the end of one of the last clear
    pieces as the end of the last or second-to-last note (a false start, a missing first or
    last syllable); and, when the clear singing is too short to be the whole phrase at a
    steady tempo (:data:`~mitpractice.scoring.rhythmic.TEMPO_RANGE`), one of the first clear
    pieces as the first or second note at the target's own tempo (a phrase broken off
    part-way: its end says nothing of the tempo). Guesses closer than :attr:`AlignCosts.guess_t0_s` and
    :attr:`AlignCosts.guess_scale` are one."""
    clear = ([j for j in range(len(pieces)) if salience[j] >= costs.extra_min_salience]
             or list(range(len(pieces))))
    after_pause = [j for j in clear[costs.start_pieces:]
                   if pieces[j].onset_s - pieces[j - 1].offset_s >= costs.false_start_pause_s]
    guesses = set()
    n = len(onsets)
    firsts = [a for a in (0, 1) if a < n]
    lasts = [b for b in (n - 1, n - 2) if b >= 0]
    short = too_short(pieces, salience, onsets, offsets, costs)
    for j in clear[: costs.start_pieces] + after_pause[:1]:
        for a in firsts if short else ():
            t0 = pieces[j].onset_s - onsets[a]
            guesses.add((round(t0 / costs.guess_t0_s) * costs.guess_t0_s, 1.0))
        for jj in clear[-2:]:
            for a in firsts:
                for b in lasts:
                    span = offsets[b] - onsets[a]
                    if jj < j or b < a or span <= 0:
                        continue
                    scale = (pieces[jj].offset_s - pieces[j].onset_s) / span
                    if costs.min_scale <= scale <= costs.max_scale:
                        t0 = pieces[j].onset_s - scale * onsets[a]
                        guesses.add((round(t0 / costs.guess_t0_s) * costs.guess_t0_s,
                                     round(scale / costs.guess_scale) * costs.guess_scale))
    return guesses
