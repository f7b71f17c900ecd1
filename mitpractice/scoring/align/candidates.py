"""The MIT-specific costs that feed the dynamic programme (:mod:`~mitpractice.scoring.align.dp`).

For one tempo, jump and pair of levels, :meth:`NotePricer.note_costs` prices every way of
accounting for a note with a run of pieces (its timing, its level, how its pieces join) and
every piece left unmatched; :func:`restarts`, :func:`legato_joins` and :func:`register_prior`
are the parts that do not depend on the tempo, computed once per attempt; :func:`tempo_prior` and
:func:`start_prior` price the fit itself.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

from mitpractice.scoring.align.costs import COSTS, AlignCosts
from mitpractice.scoring.rhythmic import TEMPO_RANGE
from mitpractice.scoring.segment import Piece, octave_distance


def level_cost(distance: np.ndarray, costs: AlignCosts = COSTS) -> np.ndarray:
    """Cost of a syllable lying ``distance`` semitones from its level (see :attr:`AlignCosts.level_cost`).

    Examples
    --------
    >>> level_cost(np.array([0.5, 1.5, 3.0])).round(2).tolist()
    [0.0, 0.38, 1.5]
    """
    excess = np.maximum(np.asarray(distance, dtype=float) - costs.level_free_st, 0.0)
    return costs.level_cost * np.minimum((excess / costs.level_span_st) ** 2, 1.0)


def restarts(p_on: np.ndarray, p_off: np.ndarray, last: np.ndarray, costs: AlignCosts = COSTS) -> np.ndarray:
    """Cost of every group of pieces (first piece ``j``, ``d + 1`` pieces, its last piece
    ``last[j, d]``, clamped to the last piece: such groups are masked by the caller) for the
    stops of the voice inside it: a group is one syllable, one vowel, and a stop
    (:attr:`AlignCosts.restart_gap_s`) with a vowel sung on either side costs :attr:`AlignCosts.restart_cost`.

    Examples
    --------
    >>> on, off = np.array([0.0, 0.5, 1.05]), np.array([0.45, 1.0, 1.5])
    >>> last = np.array([[0, 1, 2], [1, 2, 2], [2, 2, 2]])
    >>> restarts(on, off, last)[0].tolist()  # 0.05 s stops between three vowels
    [0.0, 1.0, 2.0]
    """
    m, depth = last.shape
    gap_s = np.maximum(0.0, p_on[last] - p_off[np.maximum(last - 1, 0)])
    first = np.arange(m)[:, None]
    vowel_before = p_off[np.maximum(last - 1, 0)] - p_on[first] >= costs.extra_min_s
    stop = (gap_s >= costs.restart_gap_s) & vowel_before
    stop[:, 0] = False
    out = np.zeros((m, depth))
    for d in range(1, depth):  # a stop before piece j + d counts in every group ending at or after
        after = p_off[last[:, d:]] - p_on[last[:, d]][:, None] >= costs.extra_min_s
        out[:, d:] += costs.restart_cost * (stop[:, d][:, None] & after)
    return out


def legato_joins(
    p_on: np.ndarray, p_off: np.ndarray, last: np.ndarray, beat_s: float, costs: AlignCosts = COSTS
) -> np.ndarray:
    """How many times every group of pieces (as in :func:`restarts`) runs on from one vowel
    into another: a boundary between two vowels of at least :attr:`AlignCosts.legato_vowel_beats` of the
    target's beat (``beat_s``) where the voice runs on (a dip in loudness or a change of note:
    what a consonant sung legato leaves). :func:`note_costs` prices them by how far the group
    overruns its note (:attr:`AlignCosts.legato_join_cost`).

    Examples
    --------
    >>> on, off = np.array([0.0, 0.45, 1.0]), np.array([0.45, 1.0, 1.5])  # three vowels, legato
    >>> last = np.array([[0, 1, 2], [1, 2, 2], [2, 2, 2]])
    >>> legato_joins(on, off, last, 0.5)[0].tolist()
    [0.0, 1.0, 2.0]
    >>> legato_joins(on, off, last, 1.2)[0].tolist()  # at a slow beat they are one vowel's parts
    [0.0, 0.0, 0.0]
    """
    m = len(p_on)
    first = np.arange(m)[:, None]
    vowel = p_off - p_on >= max(costs.extra_min_s, costs.legato_vowel_beats * beat_s)
    legato_from = np.full(m, -1)  # the vowel before each piece with the voice running on from it
    for k in range(1, m):
        if p_on[k] - p_off[k - 1] < costs.restart_gap_s:
            legato_from[k] = k - 1 if vowel[k - 1] else legato_from[k - 1]
    dip = vowel[last] & (legato_from[last] >= first)  # never the group's first piece
    return np.cumsum(dip, axis=1).astype(float)


@dataclass(frozen=True)
class NoteCosts:
    """What :func:`~mitpractice.scoring.align.dp.ordered_groups` needs for one fit (see there):
    ``match`` per layer (before and after the jump), ``skip`` per piece, the ``lead`` and
    ``tail`` of singing that runs on into the phrase's start or from its end, and the cost
    to ``stop`` before each note (the phrase broken off there, :func:`broken_off`)."""

    match: list[np.ndarray]
    skip: np.ndarray
    lead: np.ndarray
    tail: np.ndarray
    stop: np.ndarray


def broken_off(n: int, clear: np.ndarray, costs: AlignCosts = COSTS) -> np.ndarray:
    """Cost of the phrase of ``n`` notes broken off before each note (rows) with the pieces
    before each piece (columns) sung: once :attr:`AlignCosts.broken_off_cost`, and
    :attr:`AlignCosts.unsung_end_cost` per note left. ``inf`` before the first note
    (something was sung), at the end (nothing is left), and where a ``clear`` piece follows:
    a patient who stops is silent after, and singing that goes on is the phrase's, or extra.

    Examples
    --------
    >>> stop = broken_off(4, np.array([True, False]))  # a clear piece, then a faint one
    >>> stop[:, 0].tolist(), stop[:, 1].round(2).tolist()
    ([inf, inf, inf, inf, inf], [inf, 2.1, 1.8, 1.5, inf])
    """
    per_note = costs.broken_off_cost + costs.unsung_end_cost * (n - np.arange(n + 1, dtype=float))
    per_note[[0, n]] = np.inf
    clear_after = np.append(np.logical_or.accumulate(np.asarray(clear, dtype=bool)[::-1])[::-1], False)
    return per_note[:, None] + np.where(clear_after, np.inf, 0.0)[None, :]


class NotePricer:
    """The costs of every way of accounting for each note, and of leaving each piece out, for
    any tempo (``t0``, ``scale``), jump and two levels: :meth:`note_costs`.

    The search prices a hundred or so fits of one attempt's pieces. What does not depend on
    the fit (the groups of pieces, their joins, spans and levels' lengths) is computed here
    once, and what depends on the tempo alone, or on the tempo and the levels, once per
    distinct value (the jumps tried at one tempo share them): the same arithmetic in the same
    order as pricing each fit from scratch, so the costs are the same to the last bit.

    A note matched to a run of pieces costs by its onset's and end's distance from where the
    tempo puts the note (:attr:`AlignCosts.onset_weight`, :attr:`AlignCosts.end_weight`), by
    how its pieces join (:attr:`AlignCosts.merge_cost` and the rest; a run shorter than
    :attr:`AlignCosts.min_syllable_s` is no syllable), and by its pitch's distance from its
    level (:func:`level_cost`). ``prior`` is an extra cost of each (note, piece), weighted by
    the piece's length in its group (:func:`register_prior`); ``restart`` and ``joins`` the
    :func:`restarts` and :func:`legato_joins` of the pieces; a legato join costs by how far its
    group overruns its note's slot (:attr:`AlignCosts.legato_join_cost`). A group cut from a
    longer sound and short for its note's slot costs :attr:`AlignCosts.short_syllable_cost` at
    most (see there). A piece left out costs :attr:`AlignCosts.extra_cost` for a beat's length,
    scaled by its salience; before the phrase or after it less
    (:attr:`AlignCosts.outside_factor`, :attr:`AlignCosts.after_factor`), but not singing that
    runs on into the phrase or from it.
    """

    def __init__(
        self,
        pieces: list[Piece],
        pitch: np.ndarray,
        salience: np.ndarray,
        onsets: np.ndarray,
        offsets: np.ndarray,
        beat_s: float,
        prior: np.ndarray | None,
        restart: np.ndarray,
        joins: np.ndarray,
        costs: AlignCosts = COSTS,
    ) -> None:
        self.pitch, self.beat_s, self.costs = pitch, beat_s, costs
        self.onsets, self.offsets = onsets, offsets
        self.restart = restart
        n, m = len(onsets), len(pieces)
        self.n, self.m = n, m
        p_on = np.array([p.onset_s for p in pieces])
        p_off = np.array([p.offset_s for p in pieces])
        self.p_on, self.p_off = p_on, p_off
        dur = p_off - p_on
        self.dur = dur
        self.extra_scale = costs.extra_cost * salience
        # A false start or a remark before the phrase, or after it, is cheap to leave out, but not
        # singing that runs on, without a pause (under the tracker's flicker), from the phrase's
        # last syllable, however many pieces it is (see also `broken`, for before the phrase).
        gap_before = np.full(m + 1, np.inf)  # silence (s) between piece j - 1 and piece j
        gap_before[1:m] = p_on[1:] - p_off[:-1]
        self.runs_on = gap_before <= costs.flicker_s  # piece j - 1 runs on into piece j without a pause
        # A false start is broken off: the singing before piece j that runs on into it without a
        # pause of false_start_pause_s is part of the attempt, left out at the full cost.
        broken = gap_before >= costs.false_start_pause_s
        self.start_of = np.maximum.accumulate(np.where(broken, np.arange(m + 1), 0))
        # one past the last piece of the run-on chain from piece j (start_of's mirror)
        next_stop = np.minimum.accumulate(np.where(self.runs_on, m, np.arange(m + 1))[::-1])[::-1]
        self.end_of = np.append(next_stop[1:], m)
        self.background = costs.merge_background_cost * (1.0 - salience)

        # Matching note i to pieces j..j+d: the groups, how their pieces join, their spans.
        depth = min(costs.max_merge, m)
        last = np.arange(m)[:, None] + np.arange(depth)[None, :]  # last piece of group (j, d)
        valid = last < m
        last = np.minimum(last, m - 1)
        self.last = last
        gap_s = np.maximum(0.0, p_on[last] - p_off[np.maximum(last - 1, 0)])
        apart = octave_distance(pitch[last], pitch[:, None])
        step = np.clip(apart - costs.merge_glide, 0.0, costs.merge_step_cap)
        self.join_pitch = costs.merge_cost + costs.merge_pitch_cost * step
        self.join_gap = costs.merge_gap_cost * gap_s
        self.join_background = costs.merge_background_cost * (1.0 - salience[last])
        self.join_pause = costs.pause_merge_cost * (gap_s > costs.flicker_s)
        span = p_off[last] - p_on[:, None]
        self.span = span
        self.usable = valid & (span >= costs.min_syllable_s)
        cum_dur = np.concatenate([[0.0], np.cumsum(dur)])
        self.group_dur = cum_dur[last + 1] - cum_dur[:m, None]
        # group (j, d) ends before piece k = j + d + 1; for each k, the groups that end there
        ks = np.arange(1, m + 1)[:, None]
        self.ds = np.arange(depth)[None, :]
        starts = ks - 1 - self.ds
        self.ok = starts >= 0
        self.starts_c = np.maximum(starts, 0)
        # a short syllable cut from a longer sound (the voice runs on at one of its ends)
        joined = gap_before < costs.restart_gap_s  # piece k - 1 runs on into piece k
        cut = joined[:m, None] | joined[last + 1]
        self.short_cut = costs.short_syllable_cost * cut[None]
        self.legato = costs.legato_join_cost * joins[None]
        self.note_beats = offsets - onsets
        self.prior_rows = None
        if prior is not None:
            self.prior_rows = []
            for i in range(n):
                cum = np.concatenate([[0.0], np.cumsum(dur * prior[i])])
                self.prior_rows.append((cum[last + 1] - cum[:m, None]) / self.group_dur)
        clear = (salience >= costs.extra_min_salience) & (dur >= costs.extra_min_s)
        self.stop = broken_off(n, clear, costs)
        self._levels: dict[float, np.ndarray] = {}
        self._by_scale: dict[float, tuple] = {}
        self._fitted: dict[tuple, np.ndarray] = {}
        self._layers: dict[tuple, np.ndarray] = {}

    def _level_rows(self, value: float) -> np.ndarray:
        """Each group's level cost for a note wanted at ``value``, by its pieces' lengths."""
        if value not in self._levels:
            cum = np.concatenate([[0.0], np.cumsum(self.dur * level_cost(octave_distance(self.pitch, value),
                                                                         self.costs))])
            self._levels[value] = (cum[self.last + 1] - cum[: self.m, None]) / self.group_dur
        return self._levels[value]

    def _scaled(self, scale: float) -> tuple:
        """What depends on the tempo alone: the pieces left out, the joins and the note slots."""
        if scale not in self._by_scale:
            costs = self.costs
            unit = scale * self.beat_s
            extra = self.extra_scale * np.minimum(1.0, 0.1 + self.dur / unit)
            outside = extra * costs.outside_factor
            excess = np.concatenate([[0.0], np.cumsum(extra - outside)])
            lead_touch = excess - excess[self.start_of]
            tail_touch = np.where(self.runs_on, excess[self.end_of] - excess, 0.0)  # the pieces left from j
            join = self.join_pitch + self.join_gap / unit + self.join_background + self.join_pause
            join[:, 0] = 0.0
            merged = np.cumsum(join, axis=1) + self.restart
            merge = np.where(self.usable, merged, np.inf)
            note_s = scale * self.note_beats  # each note's slot at this tempo
            slot = note_s[:, None, None]
            short = np.clip(1.0 - self.span[None] / (costs.short_syllable_share * note_s)[:, None, None],
                            0.0, 1.0)
            overrun = np.clip((self.span[None] / slot - 1.0) / costs.legato_full_overrun, 0.0, 1.0)
            skip = np.stack([outside, extra, extra * costs.after_factor])
            self._by_scale[scale] = (unit, merge[None], short, overrun, skip, lead_touch, tail_touch)
        return self._by_scale[scale]

    def _fitted_levels(self, scale: float, want: np.ndarray) -> np.ndarray:
        """Every group's level, short-syllable, legato and prior costs for each note."""
        key = (scale, want.tobytes())
        if key not in self._fitted:
            _, _, short, overrun, _, _, _ = self._scaled(scale)
            level = np.zeros((self.n, self.m, self.last.shape[1]))
            for value in np.unique(want[np.isfinite(want)]):
                level[want == value] = self._level_rows(float(value))
            level += self.short_cut * short
            level += self.legato * overrun
            if self.prior_rows is not None:
                for i in range(self.n):
                    level[i] += self.prior_rows[i]
            self._fitted[key] = level
        return self._fitted[key]

    def _layer(self, start: float, scale: float, want: np.ndarray) -> np.ndarray:
        """``match`` for notes placed from ``start`` (s) at ``scale``: ``[i, k - 1, d]`` is the
        cost of note ``i`` taking the group of ``d + 1`` pieces that ends before piece ``k``."""
        key = (start, scale, want.tobytes())
        if key not in self._layers:
            costs = self.costs
            unit, merge, *_ = self._scaled(scale)
            on_err = (self.p_on[None, :] - (start + scale * self.onsets)[:, None]) / unit
            on_cost = np.minimum(costs.onset_weight * on_err**2, costs.onset_cap) + self.background
            err = (self.p_off[None, :] - (start + scale * self.offsets)[:, None]) / unit
            end_err = np.where(err < 0, err * costs.early_end_factor, err)
            end_cost = np.minimum(costs.end_weight * end_err**2, costs.onset_cap)
            full = on_cost[:, :, None] + merge + end_cost[:, self.last] + self._fitted_levels(scale, want)
            self._layers[key] = np.where(self.ok[None], full[:, self.starts_c, self.ds], np.inf)
        return self._layers[key]

    def note_costs(self, t0: float, scale: float, want: np.ndarray, jump: float) -> NoteCosts:
        """The costs for one fit. ``want`` is the pitch expected of each note (NaN: any). With
        ``jump`` (s) a second layer puts every note ``jump`` later (a hesitation or something
        sung in between) or earlier (a syllable left out with the rest moved up)."""
        _, _, _, _, skip, lead, tail = self._scaled(scale)
        match = [self._layer(t0 + shift, scale, want) for shift in ((0.0, jump) if jump else (0.0,))]
        return NoteCosts(match=match, skip=skip, lead=lead, tail=tail, stop=self.stop)


def register_prior(
    pitch: np.ndarray, register: np.ndarray, is_high: np.ndarray, costs: AlignCosts = COSTS
) -> np.ndarray | None:
    """Cost of taking each piece (columns) for each note (rows) by the patient's register.

    The target is set in the patient's own key, so a lone note sung where the target's high
    note lies is more likely a high syllable than a low one. The cost grows from 0, for a
    piece nearer (octaves folded) its note's target pitch than the other mark's, to
    :attr:`AlignCosts.register_cost` for one a whole step (the target's interval) nearer the other.
    ``None`` when the target has only one mark.

    Examples
    --------
    >>> prior = register_prior(np.array([51.0, 48.2]), np.array([51.0, 48.0]), np.array([True, False]))
    >>> prior.round(2).tolist()  # rows: the H note, the L note; columns: a high piece, a low one
    [[0.0, 0.52], [0.6, 0.0]]
    """
    if is_high.all() or not is_high.any():
        return None
    high, low = float(np.median(register[is_high])), float(np.median(register[~is_high]))
    step = max(abs(high - low), 1.0)
    own = octave_distance(pitch[None, :], register[:, None])
    other = octave_distance(pitch[None, :], np.where(is_high, low, high)[:, None])
    return costs.register_cost * np.clip((own - other) / step, 0.0, 1.0)


def tempo_prior(scale: float, costs: AlignCosts = COSTS) -> float:
    """Cost of a fitted tempo: small near the target's, growing fast outside the expected range.

    Costs are measured in beats of the fitted tempo, so without this a very slow fit would
    make every timing error look small.
    """
    lo, hi = TEMPO_RANGE
    outside = max(0.0, math.log2(lo / scale), math.log2(scale / hi))
    return costs.tempo_prior * math.log2(scale) ** 2 + costs.tempo_outside_prior * outside**2


def start_prior(t0: float, unit: float, costs: AlignCosts = COSTS) -> float:
    """Cost of where the fit puts the phrase's start ``t0`` (s) in a recording: before the
    recording began is implausible, a late start is a faint tie-breaker (see
    :attr:`AlignCosts.late_start_cost`)."""
    early = max(0.0, -t0 - costs.early_start_s) / unit
    late = min(costs.late_start_cost * max(t0, 0.0) / unit, costs.late_start_cap)
    return costs.early_start_cost * early + late
