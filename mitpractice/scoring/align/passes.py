"""The passes after the alignment, each reading what the programme alone cannot.

Run in this order by :func:`~mitpractice.scoring.align.find_syllables`:

1. :func:`split_at_missing` -- syllables sung legato on one note leave no boundary to cut at,
   so the alignment reports all but one of them missing: cut where the fitted tempo puts them.
2. :func:`read_repeats` -- pitch and tempo alone cannot tell a syllable sung twice on the
   note of its neighbour from a long note or a slower tempo; the stop of the voice and the
   time the repeat took can: read the attempt without it.
3. :func:`extra_segments` -- name the singing that matched no note (a false start, a repeat,
   anything else), leaving out echoes, scoops and held notes that belong to a syllable.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import numpy as np

from mitpractice.scoring.align.costs import COSTS, AlignCosts
from mitpractice.scoring.align.fit import first_clear, longest
from mitpractice.scoring.align.result import Alignment, Extra
from mitpractice.scoring.align.search import align_pieces
from mitpractice.scoring.segment import Frames, Piece, octave_distance, piece_pitch, piece_salience


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
    owner = _owners(groups, len(pieces))
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


def _owners(groups: tuple, count: int) -> np.ndarray:
    """Per piece (``count`` of them), the note whose group holds it, or -1 (left unmatched)."""
    owner = np.full(count, -1)
    for i, g in enumerate(groups):
        if g is not None:
            owner[g[0] : g[1]] = i
    return owner


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
    matched = _owners(groups, len(pieces)) >= 0
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
    owner = _owners(groups, len(pieces))
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
