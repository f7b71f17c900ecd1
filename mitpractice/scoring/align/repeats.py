"""The second pass: a syllable sung again, read out of the attempt with the time it took.

Pitch and tempo alone cannot tell a syllable sung twice on the note of its neighbour from a
long note or a slower tempo; the stop of the voice and the time the repeat took can.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from mitpractice.scoring.align.costs import COSTS, AlignCosts
from mitpractice.scoring.align.fit import first_clear, longest
from mitpractice.scoring.align.result import Alignment, owners
from mitpractice.scoring.align.search import align_pieces
from mitpractice.scoring.segment import Piece, octave_distance


def sounds(pieces: list[Piece], pitch: np.ndarray, costs: AlignCosts = COSTS) -> list[list[int]]:
    """The attempt's sounds: runs of pieces without a stop of the voice between them (gaps
    under :attr:`AlignCosts.restart_gap_s`), cut where the note changes between two pieces of at least
    :attr:`AlignCosts.min_syllable_s` (more than :attr:`AlignCosts.repeat_st` apart; the short pieces
    between go
    with the later one, as its consonant or scoop). A syllable the tracker cut at a scoop or
    a dip is one sound.

    Examples
    --------
    >>> p = [Piece(0, 40, 0.0, 0.4), Piece(40, 80, 0.4, 0.8), Piece(90, 130, 0.9, 1.3),
    ...      Piece(130, 135, 1.3, 1.35), Piece(135, 170, 1.35, 1.7)]
    >>> sounds(p, np.array([48.0, 48.2, 48.1, 49.5, 51.0]))
    [[0, 1], [2], [3, 4]]
    """
    out: list[list[int]] = []
    ref = -1  # the last long piece of the current sound
    for k, p in enumerate(pieces):
        long = p.duration_s >= costs.min_syllable_s
        if not out or p.onset_s - pieces[k - 1].offset_s >= costs.restart_gap_s:
            out.append([k])
        elif long and ref >= 0 and float(octave_distance(pitch[k], pitch[ref])) > costs.repeat_st:
            tail = [j for j in out[-1] if j > ref]  # short pieces after the last long one
            del out[-1][len(out[-1]) - len(tail):]
            out.append([*tail, k])
        else:
            out[-1].append(k)
        if long:
            ref = k
        elif len(out[-1]) == 1:
            ref = -1
    return out


def _sound_of(pieces: list[Piece], pitch: np.ndarray, costs: AlignCosts) -> np.ndarray:
    """Per piece, the index of its sound (:func:`sounds`)."""
    where = np.zeros(len(pieces), dtype=int)
    for n, run in enumerate(sounds(pieces, pitch, costs)):
        where[run] = n
    return where


def repeat_candidates(
    pieces: list[Piece], pitch: np.ndarray, salience: np.ndarray, alignment: Alignment, beat_s: float,
    costs: AlignCosts = COSTS,
) -> list[list[int]]:
    """Sounds (:func:`sounds`) that may be a syllable sung again: a clear vowel (at least
    :attr:`AlignCosts.extra_min_s` and :attr:`AlignCosts.repeat_min_beats` long, a piece
    :attr:`AlignCosts.extra_min_salience`
    clear) on the pitch of the clear sound just before it (within :attr:`AlignCosts.repeat_st`, their
    longest pieces), after the attempt's first clear sound (the reading may have taken the
    phrase's beginning for a false start) and before its last one (a copy sung straight into
    the last syllable may have been read as part of it), not already left out.
    A sound of two vowels or more (pieces of at least :attr:`AlignCosts.extra_min_s`, cut by a dip in
    loudness) also offers its first vowel, with the short pieces before it: a copy sung legato
    into the next syllable on its note, the last syllable too. A candidate followed, without a
    stop, by pieces too short for a syllable (:attr:`AlignCosts.min_syllable_s`) on its note is offered
    with them too: the consonant a copy runs into the next syllable with, which the tracker
    hears on the copy's note, is the copy's as much as the next syllable's."""
    groups = [g for g in alignment.groups if g is not None]
    if len(groups) < 2:
        return []
    excluded = set(alignment.repeats)
    shortest = max(costs.extra_min_s, costs.repeat_min_beats * alignment.scale * beat_s)

    def clear(run: list[int]) -> bool:
        return (not excluded & set(run) and max(salience[k] for k in run) >= costs.extra_min_salience
                and pieces[run[-1]].offset_s - pieces[run[0]].onset_s >= shortest)

    def copies(a: list[int], b: list[int]) -> bool:
        return float(octave_distance(pitch[longest(pieces, a)], pitch[longest(pieces, b)])) <= costs.repeat_st

    def tail(run: list[int]) -> list[int]:  # short pieces running on from it on its note
        k = run[-1] + 1
        while (k < len(pieces) and pieces[k].duration_s < costs.min_syllable_s
               and pieces[k].onset_s - pieces[k - 1].offset_s < costs.restart_gap_s and copies(run, [k])):
            k += 1
        return list(range(run[-1] + 1, k))

    whole = [run for run in sounds(pieces, pitch, costs) if clear(run)]
    out = [b for a, b in itertools.pairwise(whole[:-1]) if copies(a, b)]
    for a, b in itertools.pairwise(whole):
        vowels = [k for k in b if pieces[k].duration_s >= costs.extra_min_s]
        head = b[: b.index(vowels[0]) + 1] if len(vowels) > 1 else []
        if head and clear(head) and copies(a, head):
            out.append(head)
    return out + [[*run, *more] for run in out if (more := tail(run)) and [*run, *more] not in out]


def _unsettled(
    pieces: list[Piece], pitch: np.ndarray, salience: np.ndarray, alignment: Alignment, costs: AlignCosts
) -> bool:
    """Whether the reading shows what a syllable sung again leaves behind: a note not sung, a
    jump in time, a syllable made of two sounds or of two vowels (pieces of at least
    :attr:`AlignCosts.extra_min_s`: a copy sung legato into its neighbour, or a neighbour sung legato into
    the syllable before the copy, read as one long note), or a clear sound inside the phrase
    left out (or before or after it, running on into it or from it without the pause of a
    false start: a copy sung into the last syllable read as the last syllable, whose own
    sound is then left over).
    A reading with none of these has nothing a repeat could explain better."""
    groups = alignment.groups
    if any(g is None for g in groups) or alignment.jump:
        return True
    where = _sound_of(pieces, pitch, costs)
    if any(len(set(where[g[0] : g[1]].tolist())) > 1 for g in groups):
        return True
    if any(sum(pieces[k].duration_s >= costs.extra_min_s for k in range(*g)) > 1 for g in groups):
        return True
    matched = owners(groups, len(pieces)) >= 0
    begin = groups[0][0]  # singing before the phrase that was not broken off is left out too,
    while begin > 0 and pieces[begin].onset_s - pieces[begin - 1].offset_s < costs.false_start_pause_s:
        begin -= 1
    end = groups[-1][1]  # and after it (the last syllable, when a copy was read as it)
    while end < len(pieces) and pieces[end].onset_s - pieces[end - 1].offset_s < costs.false_start_pause_s:
        end += 1
    inside = [*range(begin, groups[0][0]), *range(groups[0][1], groups[-1][0]), *range(groups[-1][1], end)]
    return any(not matched[k] and salience[k] >= costs.extra_min_salience
               and pieces[k].duration_s >= costs.extra_min_s for k in inside)


def _copies_a_syllable(
    pieces: list[Piece], pitch: np.ndarray, groups: tuple, run: list[int], costs: AlignCosts
) -> bool:
    """Whether the syllable sung next to ``run`` on either side (within its sound, the voice
    not stopping) is read as one whole syllable on its note (within :attr:`AlignCosts.repeat_st`; the one
    sung twice): a repeat is a copy of a neighbouring syllable, not of part of a long note that
    the reading shares with the sound after it. For a copy that runs on into the next
    syllable (the first vowel of a sound) that side is the rest of its own sound. Syllables
    are judged by their pieces of at least :attr:`AlignCosts.min_syllable_s`: a consonant or scoop at a
    syllable's start may be read as the end of the syllable before."""
    owner = owners(groups, len(pieces))
    vowel = [p.duration_s >= costs.min_syllable_s for p in pieces]
    where = _sound_of(pieces, pitch, costs)
    sides = ([k for k in range(run[0]) if where[k] == where[run[0] - 1]][::-1] if run[0] > 0 else [],
             [k for k in range(run[-1] + 1, len(pieces)) if where[k] == where[run[-1] + 1]]
             if run[-1] + 1 < len(pieces) else [])
    for side in sides:  # nearest piece first
        near = next((k for k in side if vowel[k]), None)
        if near is None or owner[near] < 0:
            continue
        mine = [k for k in range(len(pieces)) if owner[k] == owner[near] and vowel[k]]
        if set(mine) <= set(side) and float(
                octave_distance(pitch[longest(pieces, mine)], pitch[longest(pieces, run)])
        ) <= costs.repeat_st:
            return True
    return False


def read_repeats(
    pieces: list[Piece], pitch: np.ndarray, salience: np.ndarray, alignment: Alignment,
    onsets: np.ndarray, durations: np.ndarray, beat_s: float, levels: str, register: np.ndarray | None = None,
    costs: AlignCosts = COSTS,
) -> Alignment | None:
    """The alignment with one more syllable read as sung again, if that reads the attempt better.

    Each candidate (:func:`repeat_candidates`) is taken out together with the time it took
    (everything after it moves earlier to where it began, as if it had not been sung again),
    the rest is aligned again from ``alignment``'s fit (the times before the repeat stay),
    and the candidate costs what any singing
    left out costs (:attr:`AlignCosts.extra_cost`). Pitch and tempo alone cannot tell a syllable sung
    twice on the note of its neighbour from a long note or a slower tempo; the stop of the
    voice and the time the repeat took can. ``None`` when no candidate lowers the cost.
    """
    if not _unsettled(pieces, pitch, salience, alignment, costs):
        return None
    best = None
    unit = alignment.scale * beat_s

    def extra_cost(out: list[int]) -> float:  # each sound left out as one syllable
        total = 0.0
        for run in sounds([pieces[r] for r in out], pitch[out], costs):
            length = sum(pieces[out[r]].duration_s for r in run)
            clear = max(salience[out[r]] for r in run)
            total += costs.extra_cost * clear * min(1.0, 0.1 + length / unit)
        return total

    for run in repeat_candidates(pieces, pitch, salience, alignment, beat_s, costs):
        out = sorted({*alignment.repeats, *run})
        if extra_cost(out) >= (alignment.cost if best is None else best.cost):
            continue  # leaving it out costs more than the whole reading without it: no gain possible
        keep = np.array([j for j in range(len(pieces)) if j not in out])
        dropped = set(out)
        moved, shift_at = [], []  # the kept pieces on the time line without the repeats
        for j in keep:
            shift = 0.0
            for r in out:  # each repeat's sound takes the time to the next kept piece's onset
                if r < j and r + 1 not in dropped:
                    begin = r
                    while begin - 1 in dropped:
                        begin -= 1
                    shift += pieces[r + 1].onset_s - pieces[begin].onset_s
            moved.append(Piece(start=pieces[j].start, stop=pieces[j].stop, onset_s=pieces[j].onset_s - shift,
                               offset_s=pieces[j].offset_s - shift))
            shift_at.append(shift)
        # from the fit so far (the times before the repeat are kept), and from the attempt's first
        # clear sound as the phrase's start (the fit so far may have taken it for a false start)
        found = None
        at_first = first_clear(moved, salience[keep], costs) - alignment.scale * float(onsets[0])
        for t0 in {alignment.t0, at_first}:
            seed = replace(alignment, t0=t0, jump=0.0, after_jump=())
            again = align_pieces(moved, pitch[keep], onsets, durations, beat_s, salience[keep], levels,
                                 seed=seed, register=register, costs=costs)
            if found is None or again.cost < found.cost:
                found = again
        cost = found.cost + extra_cost(out)
        groups = tuple(None if g is None else (int(keep[g[0]]), int(keep[g[1] - 1]) + 1)
                       for g in found.groups)
        if any(g is not None and dropped & set(range(*g)) for g in groups):
            continue  # a syllable made of pieces either side of the repeat: not this reading
        if not _copies_a_syllable(pieces, pitch, groups, run, costs):
            continue
        if cost < (alignment.cost if best is None else best.cost) - 1e-9:
            moved_on = np.array([p.onset_s for p in moved])
            times = found.onset_times(onsets)
            shifts = tuple(float(np.interp(t, moved_on, shift_at, left=0.0)) for t in times)
            best = replace(found, groups=groups, cost=cost, shifts=shifts, repeats=tuple(out))
    return best


def take_out_repeats(
    pieces: list[Piece], pitch: np.ndarray, salience: np.ndarray, alignment: Alignment,
    onsets: np.ndarray, durations: np.ndarray, beat_s: float, levels: str, register: np.ndarray | None = None,
    costs: AlignCosts = COSTS,
) -> Alignment:
    """The second pass: syllables sung again read out of the attempt with the time they took
    (:func:`read_repeats`), one at a time, at most :attr:`AlignCosts.max_repeats`."""
    for _ in range(costs.max_repeats):
        again = read_repeats(pieces, pitch, salience, alignment, onsets, durations, beat_s, levels, register,
                             costs)
        if again is None:
            break
        alignment = again
    return alignment
