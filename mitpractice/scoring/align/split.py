"""The first pass after the alignment: syllables sung legato on one note, cut where the tempo says.

Syllables sung legato on the same pitch, with no dip in loudness or confidence between them,
make one piece, so the alignment reports all but one of them missing; the fitted tempo says
where the others began.
"""

from __future__ import annotations

import itertools

import numpy as np

from mitpractice.scoring.align.costs import COSTS, AlignCosts
from mitpractice.scoring.align.result import Alignment
from mitpractice.scoring.align.search import align_pieces
from mitpractice.scoring.segment import Frames, Piece, piece_pitch, piece_salience


def split_at_missing(
    frames: Frames, pieces: list[Piece], predicted: np.ndarray, groups: tuple, costs: AlignCosts = COSTS
) -> list[Piece] | None:
    """Pieces with cuts where the fitted tempo puts unmatched notes' onsets inside a piece.

    Syllables sung legato on the same pitch, with no dip in loudness or confidence between
    them, make one piece (a run of two or three on one note); the alignment then reports all
    but one of them missing. A cut goes at the softest frame (the least confident, from the
    track alone) within :attr:`AlignCosts.split_search_s` of each predicted onset, at least
    :attr:`AlignCosts.min_split_s` from the piece's ends and from the other cuts. ``None`` if there is
    nothing to cut.
    """
    hop = frames.hop_s
    reach = max(round(costs.split_search_s / hop), 1)
    margin = max(round(costs.min_split_s / hop), 1)
    depth = -frames.energy_db if frames.energy_db is not None else -frames.confidence
    cuts: dict[int, list[int]] = {}
    for i, group in enumerate(groups):
        if group is not None:
            continue
        for n, p in enumerate(pieces):
            if p.onset_s + costs.min_split_s < predicted[i] < p.offset_s - costs.min_split_s:
                centre = int(np.searchsorted(frames.times, predicted[i]))
                lo = max(p.start + margin, centre - reach)
                hi = min(p.stop - margin, centre + reach + 1)
                if hi > lo:
                    k = lo + int(np.argmax(depth[lo:hi]))
                    if all(abs(k - c) >= margin for c in cuts.get(n, [])):
                        cuts.setdefault(n, []).append(k)
    if not cuts:
        return None
    out = []
    for n, p in enumerate(pieces):
        bounds = [p.start, *sorted(cuts.get(n, [])), p.stop]
        for a, b in itertools.pairwise(bounds):
            on = p.onset_s if a == p.start else float(frames.times[a] - hop / 2)
            off = p.offset_s if b == p.stop else float(frames.times[b] - hop / 2)
            out.append(Piece(start=a, stop=b, onset_s=on, offset_s=off))
    return out


def cut_legato_runs(
    frames: Frames, model: str, pieces: list[Piece], pitch: np.ndarray, salience: np.ndarray,
    alignment: Alignment, onsets: np.ndarray, durations: np.ndarray, beat_s: float, levels: str,
    register: np.ndarray | None = None, costs: AlignCosts = COSTS,
) -> tuple[list[Piece], np.ndarray, np.ndarray, Alignment]:
    """The first pass: syllables sung legato on one note, with no audible boundary, cut where
    the tempo says (:func:`split_at_missing`) and aligned again, for as long as that lowers the
    cost (at most :attr:`AlignCosts.max_split_rounds` rounds). Returns the pieces, their pitch
    and salience, and the alignment."""
    for _ in range(costs.max_split_rounds):
        split = split_at_missing(frames, pieces, alignment.onset_times(onsets), alignment.groups, costs)
        if split is None:
            break
        split_pitch, split_salience = piece_pitch(frames, split), piece_salience(frames, split, model)
        again = align_pieces(split, split_pitch, onsets, durations, beat_s, split_salience, levels,
                             seed=alignment, register=register, costs=costs)
        if again.cost >= alignment.cost:
            break
        pieces, pitch, salience, alignment = split, split_pitch, split_salience, again
    return pieces, pitch, salience, alignment
