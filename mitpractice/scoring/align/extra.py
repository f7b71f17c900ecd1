"""The last pass: the singing that matched no note, named (a false start, a repeat, extra).

Echoes, scoops and held notes that belong to a sung syllable are not extra; what is left is
listed with its times and kind, and left out of the scores.
"""

from __future__ import annotations

import numpy as np

from mitpractice.scoring.align.costs import COSTS, AlignCosts
from mitpractice.scoring.align.fit import longest
from mitpractice.scoring.align.result import Alignment, Extra, owners
from mitpractice.scoring.segment import Piece, octave_distance


def _attached(
    pieces: list[Piece], pitch: np.ndarray, matched: np.ndarray, order: range, costs: AlignCosts
) -> np.ndarray:
    """Unmatched pieces that run on from a sung syllable (``order`` forwards: its tail) or into
    it (backwards: its head) without a pause, each on the syllable's pitch or too short to be
    a vowel of its own."""
    out = np.zeros(len(pieces), dtype=bool)
    ref = pitch.copy()  # the pitch of the sung syllable the chain hangs on
    prev = None
    for k in order:
        if prev is not None and (matched[prev] or out[prev]):
            a, b = sorted((pieces[prev], pieces[k]), key=lambda p: p.onset_s)
            short = pieces[k].duration_s < costs.extra_min_s
            if b.onset_s - a.offset_s < costs.flicker_s and (
                    short or float(octave_distance(pitch[k], ref[prev])) <= costs.repeat_st):
                out[k] = not matched[k]
                ref[k] = ref[prev] if out[k] else pitch[k]
        prev = k
    return out


def _runs_into_first(
    pieces: list[Piece], pitch: np.ndarray, run: list[int], first: tuple[int, int], costs: AlignCosts
) -> bool:
    """Whether singing before the phrase is its first syllable sung twice: one sound on the
    first sung syllable's note (its longest piece, within :attr:`AlignCosts.repeat_st`; the syllable is
    the pieces ``first``), not broken off from it by a pause of :attr:`AlignCosts.false_start_pause_s`
    (a patient who starts again breaks off first)."""
    one_sound = all(pieces[k].onset_s - pieces[k - 1].offset_s < costs.restart_gap_s for k in run[1:])
    distance = float(octave_distance(pitch[longest(pieces, run)], pitch[longest(pieces, range(*first))]))
    return (one_sound and pieces[first[0]].onset_s - pieces[run[-1]].offset_s < costs.false_start_pause_s
            and distance <= costs.repeat_st)


def extra_segments(
    pieces: list[Piece], pitch: np.ndarray, salience: np.ndarray, alignment: Alignment, onsets: np.ndarray,
    costs: AlignCosts = COSTS,
) -> tuple[Extra, ...]:
    """The patient's singing that matched no note, as segments with their kind.

    Unmatched pieces at least :attr:`AlignCosts.extra_min_salience` clear are joined when closer than
    :attr:`AlignCosts.extra_join_s`; segments without a piece of :attr:`AlignCosts.extra_min_s` are dropped (a
    click, a breath, the tracker's flicker). Before the first sung syllable a segment is a
    ``"false_start"``, unless it is the first syllable sung twice (:func:`_runs_into_first`);
    touching a sung syllable on the same pitch (within :attr:`AlignCosts.repeat_st`)
    it is a ``"repeat"``; anything else is ``"extra"``. Pieces running on from or into a sung
    syllable without a pause (under :attr:`AlignCosts.flicker_s`), on its pitch or too short to be a
    vowel, are that syllable's tail (an echo in a reverberant room) or head (a scoop the
    tracker garbled), not extra; so is singing
    that ends before the fitted tempo puts the next syllable (``onsets`` are the target's),
    reckoned from the syllable before: a held note the voice broke in, not an addition.
    """
    groups = alignment.groups
    after = alignment.after_jump or (False,) * len(groups)
    owner = owners(groups, len(pieces))
    matched = owner >= 0
    if not matched.any():
        return ()
    first = int(np.flatnonzero(matched)[0])
    runs: list[list[int]] = []
    attached = _attached(pieces, pitch, matched, range(len(pieces)), costs)
    attached |= _attached(pieces, pitch, matched, range(len(pieces) - 1, -1, -1), costs)
    repeats = set(alignment.repeats)  # read as sung again: always extra, whatever their length
    attached[list(repeats)] = False
    for k, p in enumerate(pieces):
        if matched[k] or attached[k] or (salience[k] < costs.extra_min_salience and k not in repeats):
            continue
        if runs and runs[-1][-1] == k - 1 and p.onset_s - pieces[k - 1].offset_s < costs.extra_join_s:
            runs[-1].append(k)
        else:
            runs.append([k])
    out = []
    for run in runs:
        a, b = pieces[run[0]], pieces[run[-1]]
        again = bool(repeats & set(run))
        if max(pieces[k].duration_s for k in run) < costs.extra_min_s and not again:
            continue
        before = owner[: run[0]][matched[: run[0]]]
        if again:
            out.append(Extra(onset_s=a.onset_s, offset_s=b.offset_s, kind="repeat"))
            continue
        if len(before) and before[-1] + 1 < len(groups):
            i = int(before[-1])
            slot_end = (alignment.t0 + alignment.scale * onsets[i + 1] + (alignment.jump if after[i] else 0.0)
                        + (alignment.shifts[i] if alignment.shifts else 0.0))
            if b.offset_s <= slot_end:
                continue  # within the slot of the syllable before it
        kind = "extra"
        if run[-1] < first:
            first_group = next(g for g in groups if g is not None)
            kind = "repeat" if _runs_into_first(pieces, pitch, run, first_group, costs) else "false_start"
        else:
            vowel = longest(pieces, run)
            left = np.flatnonzero(matched[: run[0]])
            right = run[-1] + 1 + np.flatnonzero(matched[run[-1] + 1 :])
            neighbours = [(int(k), a.onset_s - pieces[k].offset_s) for k in left[-1:]]
            neighbours += [(int(k), pieces[k].onset_s - b.offset_s) for k in right[:1]]
            for k, gap in neighbours:  # the nearest sung syllables either side
                near = float(octave_distance(pitch[vowel], pitch[k])) <= costs.repeat_st
                if gap < costs.extra_join_s and near:
                    kind = "repeat"
        out.append(Extra(onset_s=a.onset_s, offset_s=b.offset_s, kind=kind))
    return tuple(out)
