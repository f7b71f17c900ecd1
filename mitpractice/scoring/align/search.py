"""The search: the dynamic programme from many starting fits, refitted until it settles.

The search is a pure function of its inputs, and the last few are remembered
(:data:`REMEMBERED`): a live take is scored once while its closing pause runs
(:class:`~mitpractice.practice.live.LiveTake`), and when it ends its pieces are usually the
same, so the alignment is found again at once instead of searched for anew. Inputs are
compared bit for bit (the arrays' bytes, the numbers' exact ``repr``), so a remembered
alignment is always the one the search would give.
"""

from __future__ import annotations

import itertools
import math
import threading
from collections import OrderedDict

import numpy as np

from mitpractice.scoring.align.candidates import (
    NotePricer,
    legato_joins,
    register_prior,
    restarts,
    start_prior,
    tempo_prior,
)
from mitpractice.scoring.align.costs import COSTS, AlignCosts
from mitpractice.scoring.align.dp import ordered_groups
from mitpractice.scoring.align.fit import (
    first_clear,
    fit_jump,
    fit_levels,
    level_guesses,
    start_guesses,
    too_short,
)
from mitpractice.scoring.align.result import Alignment
from mitpractice.scoring.segment import Piece

#: Alignments remembered, the most recently used kept: a take aligns a few times (the first
#: reading, legato runs cut, a repeat read out), and is scored twice (ahead and at its end).
REMEMBERED = 16

_remembered: OrderedDict[tuple, Alignment] = OrderedDict()
_remembered_lock = threading.Lock()


def forget_alignments() -> None:
    """Forget every alignment remembered: for comparing ways of scoring one take, each from
    scratch (``benchmarks/feedback.py``)."""
    with _remembered_lock:
        _remembered.clear()


def _exact(value) -> object:
    """A hashable stand-in for ``value`` that is equal only for the very same bits."""
    if value is None:
        return None
    if isinstance(value, np.ndarray):
        return value.dtype.str, value.shape, value.tobytes()
    return repr(value)


def align_pieces(
    pieces: list[Piece],
    pitch: np.ndarray,
    onsets: np.ndarray,
    durations: np.ndarray,
    beat_s: float,
    salience: np.ndarray | None = None,
    levels: str | None = None,
    seed: Alignment | None = None,
    register: np.ndarray | None = None,
    costs: AlignCosts = COSTS,
) -> Alignment:
    """Match pieces to target notes in order, fitting one steady tempo and the two levels.

    Parameters
    ----------
    pieces : list of Piece
        Voiced pieces of the attempt, in time order.
    pitch : np.ndarray
        Median pitch of each piece (MIDI numbers); joining pieces of different pitch is costly.
    onsets, durations : np.ndarray
        Target note onsets and durations in seconds.
    beat_s : float
        Length of one target beat in seconds (the unit of all costs).
    salience : np.ndarray, optional
        Per piece in [0, 1], how clearly it is the patient's voice (1, the default) rather
        than background (towards 0); leaving a piece unmatched costs this much of the usual.
    levels : str, optional
        The notes' ``"H"``/``"L"`` marks; without them the pitch settles nothing.
    seed : Alignment, optional
        A fit of nearly the same pieces (before a cut) to start from instead of the guesses.
    register : np.ndarray, optional
        The target's own pitch of each note (MIDI numbers, the patient's register): when the
        attempt lies on one note, a weak prior on which syllable it is
        (:func:`~mitpractice.scoring.align.candidates.register_prior`).
    costs : AlignCosts, optional
        The model's costs and thresholds (the tuned ones by default).

    Returns
    -------
    Alignment
        Every note unmatched (and ``scale`` 1) when there are no pieces.
    """
    key = tuple(_exact(v) for v in (pieces, pitch, onsets, durations, beat_s, salience, levels, seed,
                                     register, costs))
    with _remembered_lock:
        found = _remembered.get(key)
        if found is not None:
            _remembered.move_to_end(key)
            return found
    found = _search(pieces, pitch, onsets, durations, beat_s, salience, levels, seed, register, costs)
    with _remembered_lock:
        _remembered[key] = found
        while len(_remembered) > REMEMBERED:
            _remembered.popitem(last=False)
    return found


def _search(
    pieces: list[Piece],
    pitch: np.ndarray,
    onsets: np.ndarray,
    durations: np.ndarray,
    beat_s: float,
    salience: np.ndarray | None,
    levels: str | None,
    seed: Alignment | None,
    register: np.ndarray | None,
    costs: AlignCosts,
) -> Alignment:
    """:func:`align_pieces` itself, each time."""
    onsets = np.asarray(onsets, dtype=float)
    offsets = onsets + np.asarray(durations, dtype=float)
    salience = np.ones(len(pieces)) if salience is None else np.asarray(salience, dtype=float)
    pitch = np.asarray(pitch, dtype=float)
    n = len(onsets)
    if not pieces or n == 0:
        return Alignment(groups=(None,) * n, t0=0.0, scale=1.0, cost=costs.missing_cost * n)
    is_high = np.array([lv == "H" for lv in levels]) if levels else np.zeros(n, dtype=bool)
    guessed_levels = level_guesses(pieces, pitch, salience, costs) if levels else [(math.nan, math.nan)]
    prior = None
    if register is not None and levels and len(guessed_levels) == 1:  # one note sung: the tune cannot tell
        prior = register_prior(pitch, np.asarray(register, dtype=float), is_high, costs)
    solved: dict[tuple[float, ...], Alignment] = {}
    p_on, p_off = np.array([p.onset_s for p in pieces]), np.array([p.offset_s for p in pieces])
    last = np.minimum(np.arange(len(pieces))[:, None] + np.arange(min(costs.max_merge, len(pieces)))[None, :],
                      len(pieces) - 1)
    restart = restarts(p_on, p_off, last, costs)
    joins = legato_joins(p_on, p_off, last, beat_s, costs)
    # a phrase broken off part-way is a reading only when the singing cannot be all of it
    may_stop = too_short(pieces, salience, onsets, offsets, costs)
    pricer = NotePricer(pieces, pitch, salience, onsets, offsets, beat_s, prior, restart, joins, costs)

    def solve(t0: float, scale: float, low: float, high: float, jump: float = 0.0) -> Alignment:
        """The DP for one tempo, levels and jump; guesses often refit to the same, each solved once."""
        key = (round(t0, 4), round(scale, 4), round(low, 2), round(high, 2), round(jump, 3))
        if key not in solved:
            want = np.where(is_high, high, low)
            priced = pricer.note_costs(t0, scale, want, jump)
            cost, groups, after = ordered_groups(priced.match, priced.skip, costs.missing_cost,
                                                 costs.jump_cost, lead=priced.lead, tail=priced.tail,
                                                 stop=priced.stop if may_stop else None)
            cost += tempo_prior(scale, costs) + start_prior(t0, scale * beat_s, costs)
            if levels and low - high >= costs.two_levels_st:
                cost += costs.inverted_cost
            solved[key] = Alignment(
                groups=groups, t0=t0, scale=scale, cost=cost, low=low if levels else None,
                high=high if levels else None, jump=jump if after else 0.0, after_jump=after,
            )
        return solved[key]

    seen: set = set()

    def settle(t0: float, scale: float, low: float, high: float, jump: float = 0.0) -> Alignment | None:
        """Refit tempo, jump and levels to the matches until they settle; ``None`` when the
        matches were already refitted from (the refit depends on the matches and the levels'
        orientation, on the tempo when fewer than two notes matched, and on the levels it
        starts from only when the matches would merge them, see :func:`fit_levels`)."""
        found = solve(t0, scale, low, high, jump)
        for _ in range(costs.max_refits):
            few = sum(g is not None for g in found.groups) < 2
            key = (found.groups, high > low, round(scale, 2) if few else None)
            if key in seen:
                return None
            seen.add(key)
            t0, scale, jump = fit_jump(found.groups, pieces, onsets, t0, scale, beat_s, costs)
            if levels:
                low, high = fit_levels(found.groups, pieces, pitch, is_high, low, high, costs)
            again = solve(t0, scale, low, high, jump)
            settled = again.groups == found.groups
            found = again
            if settled:
                break
        return found

    best: Alignment | None = None
    guesses = sorted(start_guesses(pieces, salience, onsets, offsets, costs))
    starts = [(g, lv) for g in guesses for lv in guessed_levels]
    if seed is not None:
        starts = [((seed.t0, seed.scale), (seed.low, seed.high) if levels else guessed_levels[0])]
    for (t0, scale), (low, high) in starts:
        found = settle(t0, scale, low, high)
        if found is not None and (best is None or found.cost < best.cost):
            best = found
    if best is None:  # every guess had an implausible tempo: align at the target's tempo
        return solve(pieces[0].onset_s, 1.0, *guessed_levels[0])
    if seed is None and not best.jump and n > costs.skip_min_notes:
        # a syllable left out with the rest moved up, or one sung in between (sung twice, a
        # word put in): every later note earlier or later by one note's length (each length
        # in the phrase), at the best reading's tempo and from the attempt's own levels (the
        # best reading's may have been refitted to wrong matches). The refit finds such a
        # jump only from matches that already show it, and with few matches it takes a skip
        # for a faster tempo: so the reading at this tempo counts as it is, and also as the
        # start of a refit. It starts where the best reading starts, and at the first clear
        # piece (a best reading that left the first note out may have started the phrase
        # before the recording); from there also at the target's own tempo (a best reading
        # that took a skip next to a syllable on the same note for a faster tempo, the
        # neighbour cut in two at a dip, has a jump too short for the note left out). A
        # seeded fit keeps the fit it was given.
        clear_on = first_clear(pieces, salience, costs)
        tries = [(best.t0, best.scale)]
        for scale in (best.scale, 1.0):
            at_first = clear_on - scale * float(onsets[0])
            if abs(at_first - best.t0) >= costs.guess_t0_s or abs(scale - best.scale) >= costs.guess_scale:
                tries.append((at_first, scale))
        lengths = np.unique(np.asarray(durations) / beat_s)
        for (t0, scale), beats, sign, (low, high) in itertools.product(
                dict.fromkeys(tries), lengths, (-1.0, 1.0), guessed_levels):
            jump = sign * scale * beat_s * float(beats)
            for found in (solve(t0, scale, low, high, jump), settle(t0, scale, low, high, jump)):
                if found is not None and found.cost < best.cost:
                    best = found
    return best
