"""Alignment of voiced pieces to the target notes: which piece is which syllable.

The attempt is modelled as the target sung at one steady tempo, in the singer's own key, with
the errors patients make: a syllable left out (anywhere, the first and the last included),
something sung that is not in the target (a false start, a syllable sung twice, a cough, a
remark), and syllables run together (legato on one note, which leaves no boundary to see).

A dynamic programme over (notes, pieces), in order, chooses for every target note either a
run of consecutive pieces (one syllable, possibly cut in several pieces) or nothing (a
syllable not sung, :data:`MISSING_COST`), and leaves unmatched the pieces that fit no note
(:data:`EXTRA_COST`, less for short or quiet pieces and before or after the phrase). A match
costs by how far

* its onset and end lie from where the fitted tempo puts the note (the beats),
* its pitches lie from the singer's own level for the note's mark (the H/L pattern): the two
  levels are fitted to the attempt, in any key, with any step between them, even upside down,
  so that the tune settles which syllable is which but is never made to look right,
* it is made of pieces of other pitches or separated by pauses;

and a match shorter than :data:`MIN_SYLLABLE_S` is no syllable at all. The tempo and the two
levels are refitted from what was matched and the programme repeated until it settles, from
several starting guesses (each of the first pieces, and the first after a false start's
pause, as the first or second note, each of the last as the end; the levels either way
round). Costs are in beats of the fitted tempo, so an attempt at any steady tempo is aligned
alike.

A syllable is one vowel: a group of pieces with the voice stopping between two vowels costs
as much as a syllable left out (:func:`restarts`), and one running on, legato, from one vowel
into another costs by how far it overruns its note (:func:`legato_joins`). When the attempt
lies on one note, the target's own notes, the patient's register, weakly settle which
syllable a note is (:func:`register_prior`).

:func:`find_syllables` ties the step together: pieces, alignment, then pieces cut where the
fitted tempo puts a syllable that was sung legato into its neighbour on the same note
(:func:`split_at_missing`), then sounds read as a syllable sung again, taken out with the
time they took (:func:`read_repeats`), and the unmatched singing reported as :class:`Extra`
segments.
"""

from __future__ import annotations

import itertools
import math
from dataclasses import dataclass, replace

import numpy as np

from mitpractice.scoring.rhythmic import TEMPO_RANGE
from mitpractice.scoring.segment import (
    Frames,
    Piece,
    octave_distance,
    piece_pitch,
    piece_salience,
    segment_pieces,
)

#: Cost of a target note that no piece matches (about one beat's onset error and a half).
MISSING_COST = 1.2
#: Cost of leaving unmatched a piece one beat long (shorter pieces cost less).
EXTRA_COST = 1.0
#: Weight of the squared onset error (in beats) of a matched note, and its cap.
ONSET_WEIGHT, ONSET_CAP = 2.0, 1.6
#: Weight of the squared end error (in beats) of a matched note; an early end counts
#: ``EARLY_END_FACTOR`` of its length (short notes are common, long ones push the next late).
END_WEIGHT, EARLY_END_FACTOR = 0.3, 0.4
#: Cost of joining a piece to a syllable, plus this much per semitone between it and the
#: syllable's first piece beyond ``MERGE_GLIDE`` (a spoken syllable glides that far; another
#: voice lies anywhere; a whole octave is the tracker slipping, not counted).
MERGE_COST, MERGE_PITCH_COST, MERGE_GLIDE = 0.05, 0.3, 2.0
#: Semitones beyond the glide after which joining costs no more (another voice is as
#: foreign 6 as 16 semitones away).
MERGE_STEP_CAP = 4.0
#: Cost of taking a piece of background (salience 0) as (part of) a syllable, per piece.
MERGE_BACKGROUND_COST = 0.3
#: Cost of joining pieces across a gap, per beat of gap; and more if the gap is longer than
#: the tracker's flicker (``FLICKER_S``, s), a real pause between two sounds.
MERGE_GAP_COST, FLICKER_S, PAUSE_MERGE_COST = 1.0, 0.12, 0.5
#: Pieces before the first note or after the last (a false start, a comment) cost this
#: fraction of ``EXTRA_COST`` to leave unmatched.
OUTSIDE_FACTOR = 0.5
#: ...but only when a pause of at least this long (s) lies between them and the phrase: a
#: patient who starts again breaks off first; singing that runs on into the phrase at its own
#: pace, with no more than the stop of a consonant between (about 0.1 s), is part of it.
FALSE_START_PAUSE_S = 0.3
#: ...after the last note, this fraction: a patient starts again (a false start) far more often
#: than he sings on after the phrase has ended (a remark, the last syllable said again), so a
#: reading that leaves the attempt's end unsung, rather than its beginning, is the less likely.
AFTER_FACTOR = 0.75
#: At most this many pieces make one syllable.
MAX_MERGE = 10
#: Shortest sound (s) that can be a whole syllable: a sung syllable, even fast, lasts a
#: quarter of a second; 80–130 ms fragments are a consonant's voicing, the tail of the
#: syllable before, a scoop or a click.
MIN_SYLLABLE_S = 0.15
#: A matched syllable's pitch may lie this far (semitones) from its level without cost (a
#: level is sung within about half a semitone; a little more for scoops and vibrato)...
LEVEL_FREE_ST = 0.75
#: ...beyond that the cost grows with the square of the excess over ``LEVEL_SPAN_ST``
#: semitones, up to ``LEVEL_COST``: more than a missing note, so that two syllables on the
#: wrong level cost more than a skip with the rest moved up (whose timing errors cost about
#: one missing note), less than a missing note and an extra piece together, so that one
#: syllable sung on the wrong level is still taken for that syllable.
LEVEL_SPAN_ST, LEVEL_COST = 1.5, 1.5
#: The attempt's pieces form two levels when their two clusters lie at least this far apart
#: (semitones); closer, it is sung on one note and the pitch settles nothing.
TWO_LEVELS_ST = 1.0
#: A reading whose fitted levels lie upside down (the high one at least :data:`TWO_LEVELS_ST`
#: below the low one) costs this much: a tune sung upside down is a rarer error than a
#: syllable left out (as rare as a jump), so a near tie goes to the reading with the tune the
#: right way up; a whole attempt sung upside down still costs far less read as sung than
#: shifted by a syllable (two notes left out).
INVERTED_COST = 0.5
#: Once in a phrase, every later syllable may come ``jump`` seconds later or earlier than the
#: tempo puts it (a hesitation, a syllable sung twice, a syllable left out with the rest
#: moved up), for this cost; the jump is fitted to the matched onsets when it lowers their
#: squared error by at least ``JUMP_GAIN`` beats squared and is at least ``JUMP_MIN_BEATS``.
JUMP_COST, JUMP_GAIN, JUMP_MIN_BEATS = 0.5, 0.5, 0.4
#: Weight of the prior that the tempo is near the target's (squared log2 of the scale), and
#: of how far it lies outside the steady tempi that are not errors (``TEMPO_RANGE``).
TEMPO_PRIOR, TEMPO_OUTSIDE_PRIOR = 0.3, 2.0
#: The recording starts before the phrase: a fit putting the first note more than
#: ``EARLY_START_S`` (s, a consonant's lead) before the recording's start costs
#: ``EARLY_START_COST`` per beat; a fit starting late costs ``LATE_START_COST`` per beat, up
#: to ``LATE_START_CAP`` (it only settles what nothing else does: one syllable of two sung).
EARLY_START_S, EARLY_START_COST = 0.3, 1.0
LATE_START_COST, LATE_START_CAP = 0.05, 0.2
#: Starting guesses of the phrase's start (s) and tempo scale closer than this are one: the
#: refits from them find the same matches (a tenth of a beat at the slowest MIT tempo).
GUESS_T0_S, GUESS_SCALE = 0.1, 0.05
#: At most this many tempo refits per starting guess.
MAX_REFITS = 5
#: How many of the first clear pieces are tried as the phrase's start.
START_PIECES = 4
#: Fitted tempo scales are kept within this range (attempt length over target length).
MIN_SCALE, MAX_SCALE = 0.25, 4.0
#: A long piece is cut at a missing note's predicted onset only this far (s) from its ends...
MIN_SPLIT_S = 0.15
#: ...at the softest (or least confident) frame within this many seconds of that onset.
SPLIT_SEARCH_S = 0.1
#: At most this many rounds of cutting legato runs (a run of three on one note needs one
#: round if the tempo is known, two if the run misleads the first fit).
MAX_SPLIT_ROUNDS = 2
#: Unmatched singing is reported as extra when it is at least this clearly the patient's
#: (salience, see :func:`~mitpractice.scoring.segment.piece_salience`)...
EXTRA_MIN_SALIENCE = 0.5
#: ...and holds a steady piece at least this long (s): a sung syllable's vowel; the tracker's
#: flicker in an echo or in noise makes only shorter pieces...
EXTRA_MIN_S = 0.25
#: ...and pieces closer than this (s) make one extra segment (a false start of two syllables).
EXTRA_JOIN_S = 0.35
#: An extra segment between two syllables within this many semitones of a neighbour, and
#: touching it (gap under ``EXTRA_JOIN_S``), is that syllable sung again.
REPEAT_ST = 1.0
#: The voice stopped and started again inside a group of pieces when they are this far apart
#: (s): longer than the tracker's dropouts that segmentation closes (30 ms), as long as the
#: shortest consonant between two syllables...
RESTART_GAP_S = 0.04
#: ...and a vowel (at least ``EXTRA_MIN_S``) was sung on either side of the stop: that is two
#: syllables, and reading them as one (a syllable sung twice taken for one long note) costs
#: what leaving a beat-long syllable out costs.
RESTART_COST = EXTRA_COST
#: Two vowels with the voice running on between them (a cut of the segmenter without a stop:
#: a dip in loudness, :data:`~mitpractice.scoring.segment.ENERGY_DIP_DB`, or a change of
#: note; what a consonant sung legato leaves) taken as one syllable cost up to this much for
#: each such boundary: a syllable sung twice legato into its neighbour, or a neighbour sung
#: legato into it, is otherwise read as one long note at no cost. A dip is weaker evidence than a stop, and a
#: long note may waver: the cost grows with how far the syllable overruns its note's slot at
#: the fitted tempo, from nothing for one that fits it (a held two-beat "noon" with a waver is
#: one syllable) to this for one ``LEGATO_FULL_OVERRUN`` of its slot longer than the slot: half
#: a slot more is what a copy sung into its neighbour adds even when the tempo fitted to the
#: attempt is a third slower, which lengthens every slot (the fourth step's flat half a stop
#: is reached a quarter of a slot over)...
LEGATO_JOIN_COST, LEGATO_FULL_OVERRUN = RESTART_COST, 0.5
#: ...when each vowel lasts at least this many of the target's beats (a syllable's half, as
#: :data:`REPEAT_MIN_BEATS`; the target's, not the attempt's, because the vowels are found
#: once before any tempo is fitted): a diphthong cut in two by a dip, a quarter second a side,
#: is one syllable.
LEGATO_VOWEL_BEATS = 0.5
#: When the attempt lies on one note (one syllable of "thank you"; "I [love] you" with the
#: high syllable left out), what the tune would settle is settled by the patient's register,
#: the target's own notes, for at most this cost per syllable: half a missing syllable. More
#: than a jump (:data:`JUMP_COST`), so that the two low sounds of "I [love] you" are read as
#: the high syllable left out with the rest moved up, not as 'love' sung low and the phrase
#: ended early; less than a missing syllable, so that a phrase sung all on one note is still
#: read in full (a patient may sing off the key set).
REGISTER_COST = 0.5 * MISSING_COST
#: A syllable sung again is sung at the attempt's pace: it lasts at least this many beats of
#: the fitted tempo (the rhythm's limit of a clipped note); a shorter sound between two
#: stops inside a long note is the voice breaking or a slur.
REPEAT_MIN_BEATS = 0.5
#: At most this many syllables sung again are looked for in one attempt.
MAX_REPEATS = 2
#: A syllable cut from a longer sound (the voice runs on at one of its ends) is sung at the
#: attempt's pace: it lasts until the next syllable begins, so one shorter than
#: ``SHORT_SYLLABLE_SHARE`` of its note's slot at the fitted tempo (the next syllable a quarter
#: of its slot early) costs more the shorter it is, up to ``SHORT_SYLLABLE_COST``: twice a
#: syllable left out with the rest moved up (:data:`MISSING_COST` and :data:`JUMP_COST`), and
#: ``SHORT_SYLLABLE_MARGIN``. At half its slot it costs a third of that, so the two halves of
#: one syllable's sound cut in two by a dip and read as two syllables (the bundled voice's
#: 'ming', with the 'to' after it left out, read as 'ming' and 'to') together cost more than
#: the syllable left out with the rest moved up. A fifth of a beat split off by a dip in a
#: diphthong is not a syllable of its own. A short sound standing alone (a clipped note, a
#: spoken syllable) is not charged.
SHORT_SYLLABLE_SHARE, SHORT_SYLLABLE_MARGIN = 0.75, 0.1
SHORT_SYLLABLE_COST = 2.0 * (MISSING_COST + JUMP_COST) + SHORT_SYLLABLE_MARGIN
#: A jump of one note's length (a skip with the rest moved up, or something sung in between)
#: is tried (see :func:`align_pieces`) for phrases of more than this many notes: with two,
#: a skip leaves one syllable, which the register names, and there is no "in between".
SKIP_MIN_NOTES = 2


@dataclass(frozen=True)
class Alignment:
    """Which pieces make each note, the fitted tempo and the singer's two levels.

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
    low, high : float or None
        The singer's fitted low and high levels (MIDI numbers); ``None`` when not fitted.
    jump : float
        Seconds by which the notes after the one jump come later (negative: earlier).
    after_jump : tuple of bool
        Per note, whether it comes after the jump (empty: no jump).
    shifts : tuple of float
        Per note, seconds by which it comes later for the syllables sung again before it
        (the time they took, see :func:`read_repeats`; empty: none).
    repeats : tuple of int
        Indices of the pieces read as syllables sung again.
    """

    groups: tuple[tuple[int, int] | None, ...]
    t0: float
    scale: float
    cost: float
    low: float | None = None
    high: float | None = None
    jump: float = 0.0
    after_jump: tuple[bool, ...] = ()
    shifts: tuple[float, ...] = ()
    repeats: tuple[int, ...] = ()

    def onset_times(self, onsets: np.ndarray) -> np.ndarray:
        """Where the fitted tempo (and jump, and repeats) put the target onsets in the attempt (s)."""
        times = self.t0 + self.scale * np.asarray(onsets, dtype=float)
        if self.after_jump:
            times = times + self.jump * np.asarray(self.after_jump, dtype=float)
        if self.shifts:
            times = times + np.asarray(self.shifts, dtype=float)
        return times


@dataclass(frozen=True)
class Extra:
    """Singing in the attempt that is not a syllable of the target, left out of the scores.

    Attributes
    ----------
    onset_s, offset_s : float
        Where it starts and ends in the attempt (s).
    kind : str
        ``"false_start"`` (sung before the phrase began again), ``"repeat"`` (a syllable sung
        twice) or ``"extra"`` (anything else: a remark, a cough with voice, an added word).
    """

    onset_s: float
    offset_s: float
    kind: str

    def to_json(self) -> dict[str, float | str]:
        return {"onset_s": round(self.onset_s, 3), "offset_s": round(self.offset_s, 3), "kind": self.kind}


@dataclass(frozen=True)
class SyllableMatch:
    """The result of the alignment step: the pieces, which make each note, and what is extra."""

    pieces: tuple[Piece, ...]
    alignment: Alignment
    extra: tuple[Extra, ...]

    def spans(self) -> list[tuple[int, int] | None]:
        """Per note, the frames ``[start, stop)`` of its syllable, or ``None`` if not sung."""
        return [(self.pieces[g[0]].start, self.pieces[g[1] - 1].stop) if g else None
                for g in self.alignment.groups]


def level_cost(distance: np.ndarray) -> np.ndarray:
    """Cost of a syllable lying ``distance`` semitones from its level (see :data:`LEVEL_COST`).

    Examples
    --------
    >>> level_cost(np.array([0.5, 1.5, 3.0])).round(2).tolist()
    [0.0, 0.38, 1.5]
    """
    excess = np.maximum(np.asarray(distance, dtype=float) - LEVEL_FREE_ST, 0.0)
    return LEVEL_COST * np.minimum((excess / LEVEL_SPAN_ST) ** 2, 1.0)


def restarts(p_on: np.ndarray, p_off: np.ndarray, last: np.ndarray) -> np.ndarray:
    """Cost of every group of pieces (first piece ``j``, ``d + 1`` pieces, its last piece
    ``last[j, d]``, clamped to the last piece: such groups are masked by the caller) for the
    stops of the voice inside it: a group is one syllable, one vowel, and a stop
    (:data:`RESTART_GAP_S`) with a vowel sung on either side costs :data:`RESTART_COST`.

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
    stop = (gap_s >= RESTART_GAP_S) & (p_off[np.maximum(last - 1, 0)] - p_on[first] >= EXTRA_MIN_S)
    stop[:, 0] = False
    out = np.zeros((m, depth))
    for d in range(1, depth):  # a stop before piece j + d counts in every group ending at or after
        after = p_off[last[:, d:]] - p_on[last[:, d]][:, None] >= EXTRA_MIN_S
        out[:, d:] += RESTART_COST * (stop[:, d][:, None] & after)
    return out


def legato_joins(p_on: np.ndarray, p_off: np.ndarray, last: np.ndarray, beat_s: float) -> np.ndarray:
    """How many times every group of pieces (as in :func:`restarts`) runs on from one vowel
    into another: a boundary between two vowels of at least :data:`LEGATO_VOWEL_BEATS` of the
    target's beat (``beat_s``) where the voice runs on (a dip in loudness or a change of note:
    what a consonant sung legato leaves). :func:`_dp` prices them by how far the group
    overruns its note (:data:`LEGATO_JOIN_COST`).

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
    vowel = p_off - p_on >= max(EXTRA_MIN_S, LEGATO_VOWEL_BEATS * beat_s)
    legato_from = np.full(m, -1)  # the vowel before each piece with the voice running on from it
    for k in range(1, m):
        if p_on[k] - p_off[k - 1] < RESTART_GAP_S:
            legato_from[k] = k - 1 if vowel[k - 1] else legato_from[k - 1]
    dip = vowel[last] & (legato_from[last] >= first)  # never the group's first piece
    return np.cumsum(dip, axis=1).astype(float)


def _dp(
    pieces: list[Piece],
    pitch: np.ndarray,
    salience: np.ndarray,
    onsets: np.ndarray,
    offsets: np.ndarray,
    beat_s: float,
    t0: float,
    scale: float,
    want: np.ndarray,
    jump: float,
    prior: np.ndarray | None,
    restart: np.ndarray,
    joins: np.ndarray,
) -> tuple[float, tuple[tuple[int, int] | None, ...], tuple[bool, ...]]:
    """Best ordered assignment of pieces to notes for one tempo and two levels.

    ``want`` is the pitch expected of each note (NaN: any); ``prior`` an extra cost of each
    (note, piece), weighted by the piece's length in its group (:func:`register_prior`);
    ``restart`` and ``joins`` the :func:`restarts` and :func:`legato_joins` of the pieces
    (computed once: they do not depend on the tempo); a legato join costs by how far its group
    overruns its note's slot (:data:`LEGATO_JOIN_COST`). A group cut from a longer sound and
    short for its note's slot costs :data:`SHORT_SYLLABLE_COST` at most (see there).
    With ``jump`` (s) the programme may, once, for :data:`JUMP_COST`, move the expected times
    of all later notes by ``jump``: a hesitation or something sung in between (later), or a
    syllable left out with the rest moved up (earlier). The table ``cost[layer, i, j]`` is
    the cheapest way to account for notes ``< i`` with pieces ``< j``, before (layer 0) or
    after (layer 1) the jump. Each row is computed at once with numpy: arrivals from the row
    above (a note missing, or matched to pieces ``j..k-1``), then pieces left unmatched along
    the row, a running minimum.
    Returns the cost, the groups and, per note, whether it comes after the jump (empty if
    the jump was not taken).
    """
    n, m = len(onsets), len(pieces)
    layers = 2 if jump else 1
    unit = scale * beat_s
    p_on = np.array([p.onset_s for p in pieces])
    p_off = np.array([p.offset_s for p in pieces])
    dur = p_off - p_on
    extra = EXTRA_COST * salience * np.minimum(1.0, 0.1 + dur / unit)
    # A false start or a remark before the phrase, or after it, is cheap to leave out, but not
    # singing that runs on, without a pause (under the tracker's flicker), from the phrase's
    # last syllable, however many pieces it is (see also `broken`, for before the phrase).
    outside = extra * OUTSIDE_FACTOR
    gap_before = np.full(m + 1, np.inf)  # silence (s) between piece j - 1 and piece j
    gap_before[1:m] = p_on[1:] - p_off[:-1]
    runs_on = gap_before <= FLICKER_S  # piece j - 1 runs on into piece j without a pause
    # A false start is broken off: the singing before piece j that runs on into it without a
    # pause of FALSE_START_PAUSE_S is part of the attempt, left out at the full cost.
    broken = gap_before >= FALSE_START_PAUSE_S
    excess = np.concatenate([[0.0], np.cumsum(extra - outside)])
    start_of = np.maximum.accumulate(np.where(broken, np.arange(m + 1), 0))
    lead_touch = excess - excess[start_of]
    # one past the last piece of the run-on chain from piece j (start_of's mirror)
    next_stop = np.minimum.accumulate(np.where(runs_on, m, np.arange(m + 1))[::-1])[::-1]
    end_of = np.append(next_stop[1:], m)
    tail_touch = np.where(runs_on, excess[end_of] - excess, 0.0)  # the pieces left from j

    # Matching note i to pieces j..j+d: onset and end costs (per layer), merge and level costs.
    on_cost, end_err = [], []
    for shift in (0.0, jump)[:layers]:
        on_err = (p_on[None, :] - (t0 + shift + scale * onsets)[:, None]) / unit
        background = MERGE_BACKGROUND_COST * (1.0 - salience)
        on_cost.append(np.minimum(ONSET_WEIGHT * on_err**2, ONSET_CAP) + background)
        err = (p_off[None, :] - (t0 + shift + scale * offsets)[:, None]) / unit
        end_err.append(np.where(err < 0, err * EARLY_END_FACTOR, err))
    end_cost = [np.minimum(END_WEIGHT * e**2, ONSET_CAP) for e in end_err]
    depth = min(MAX_MERGE, m)
    last = np.arange(m)[:, None] + np.arange(depth)[None, :]  # last piece of group (j, d)
    valid = last < m
    last = np.minimum(last, m - 1)
    gap_s = np.maximum(0.0, p_on[last] - p_off[np.maximum(last - 1, 0)])
    step = np.clip(octave_distance(pitch[last], pitch[:, None]) - MERGE_GLIDE, 0.0, MERGE_STEP_CAP)
    join = (MERGE_COST + MERGE_PITCH_COST * step + MERGE_GAP_COST * gap_s / unit
            + MERGE_BACKGROUND_COST * (1.0 - salience[last]) + PAUSE_MERGE_COST * (gap_s > FLICKER_S))
    join[:, 0] = 0.0
    span = p_off[last] - p_on[:, None]
    long_enough = span >= MIN_SYLLABLE_S
    merged = np.cumsum(join, axis=1) + restart
    merge = np.where(valid & long_enough, merged, np.inf)
    cum_dur = np.concatenate([[0.0], np.cumsum(dur)])
    group_dur = cum_dur[last + 1] - cum_dur[:m, None]
    # group (j, d) ends before piece k = j + d + 1; for each k, the groups that end there
    ks = np.arange(1, m + 1)[:, None]
    ds = np.arange(depth)[None, :]
    starts = ks - 1 - ds
    ok = starts >= 0
    starts_c = np.maximum(starts, 0)

    cost = np.full((layers, n + 1, m + 1), np.inf)
    from_skip = np.zeros((layers, n + 1, m + 1), dtype=bool)
    jumped = np.zeros((n + 1, m + 1), dtype=bool)  # layer 1 reached from layer 0 here
    came_from = np.full((layers, n + 1, m + 1), -2)  # start piece of the matched group, -1 if missing
    arrive = np.full((layers, m + 1), np.inf)
    arrive[0, 0] = 0.0
    # every cost of matching note i to a group, gathered by the piece the group ends before:
    # match[layer][i, k - 1, d] is the cost of the group of d + 1 pieces ending before piece k
    level = np.zeros((n, m, depth))
    for value in np.unique(want[np.isfinite(want)]):  # each piece's level cost, by length
        cum = np.concatenate([[0.0], np.cumsum(dur * level_cost(octave_distance(pitch, value)))])
        level[want == value] = (cum[last + 1] - cum[:m, None]) / group_dur
    # a short syllable cut from a longer sound (the voice runs on at one of its ends)
    joined = gap_before < RESTART_GAP_S  # piece k - 1 runs on into piece k
    cut = joined[:m, None] | joined[last + 1]
    note_s = scale * (offsets - onsets)  # each note's slot at this tempo
    level += SHORT_SYLLABLE_COST * cut[None] * np.clip(
        1.0 - span[None] / (SHORT_SYLLABLE_SHARE * note_s)[:, None, None], 0.0, 1.0)
    overrun = np.clip((span[None] / note_s[:, None, None] - 1.0) / LEGATO_FULL_OVERRUN, 0.0, 1.0)
    level += LEGATO_JOIN_COST * joins[None] * overrun
    if prior is not None:
        for i in range(n):
            cum = np.concatenate([[0.0], np.cumsum(dur * prior[i])])
            level[i] += (cum[last + 1] - cum[:m, None]) / group_dur
    match = []
    for layer in range(layers):
        full = on_cost[layer][:, :, None] + merge[None] + end_cost[layer][:, last] + level
        match.append(np.where(ok[None], full[:, starts_c, ds], np.inf))
    runs = np.zeros((3, m + 1))  # running cost of leaving pieces out: before, inside, after
    np.cumsum(np.stack([outside, extra, extra * AFTER_FACTOR]), axis=1, out=runs[:, 1:])
    for i in range(n + 1):
        run = runs[0 if i == 0 else 2 if i == n else 1]
        for layer in range(layers):
            if layer == 1 and 0 < i < n:  # the jump, before note i (before the first it is t0)
                via_jump = cost[0, i] + JUMP_COST
                jumped[i] = via_jump < arrive[1]
                arrive[1] = np.minimum(arrive[1], via_jump)
            if i == n:
                arrive[layer] = arrive[layer] + tail_touch
            via = arrive[layer] - run
            best = np.minimum.accumulate(via)
            from_skip[layer, i] = via > best
            cost[layer, i] = np.where(from_skip[layer, i], run + best, arrive[layer])
            if i == 0 and layer == 0:
                cost[0, 0] += lead_touch
        if i == n:
            break
        for layer in range(layers):
            totals = cost[layer, i, starts_c] + match[layer][i]
            d_best = np.argmin(totals, axis=1)
            matched = totals[np.arange(m), d_best]
            missing = cost[layer, i] + MISSING_COST
            arrive[layer] = missing
            came_from[layer, i + 1] = -1
            better = matched < missing[1:]
            arrive[layer, 1:][better] = matched[better]
            came_from[layer, i + 1, 1:][better] = (ks[:, 0] - 1 - d_best)[better]
    groups: list[tuple[int, int] | None] = [None] * n
    after = [False] * n
    layer = int(np.argmin(cost[:, n, m]))
    total = float(cost[layer, n, m])
    i, j = n, m
    while (i, j) != (0, 0):
        if from_skip[layer, i, j]:
            j -= 1
            continue
        if layer == 1 and jumped[i, j]:
            layer = 0
            continue
        start = int(came_from[layer, i, j])
        if start >= 0:
            groups[i - 1] = (start, j)
            j = start
        after[i - 1] = layer == 1
        i -= 1
    return total, tuple(groups), tuple(after) if any(after) else ()


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


def _fit_jump(
    groups: tuple[tuple[int, int] | None, ...], pieces: list[Piece], onsets: np.ndarray,
    t0: float, scale: float, beat_s: float,
) -> tuple[float, float, float]:
    """``t0, scale, jump``: one tempo with, if it fits the matched onsets clearly better, one
    jump of all later onsets (see :func:`_dp`); the jump is 0 when none helps."""
    t0, scale = _fit_tempo(groups, pieces, onsets, t0, scale)
    pairs = [(onsets[i], pieces[g[0]].onset_s) for i, g in enumerate(groups) if g is not None]
    if len(pairs) < 3:
        return t0, scale, 0.0
    x, y = np.array(pairs).T
    unit = scale * beat_s
    best_sse = float(np.sum((y - t0 - scale * x) ** 2)) - (JUMP_GAIN * unit) ** 2
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
    fine = ((sse < best_sse) & (coef[:, 1] >= MIN_SCALE) & (coef[:, 1] <= MAX_SCALE)
            & (np.abs(coef[:, 2]) >= JUMP_MIN_BEATS * coef[:, 1] * beat_s))
    if fine.any():
        k = int(np.argmin(np.where(fine, sse, np.inf)))
        best = (float(coef[k, 0]), float(coef[k, 1]), float(coef[k, 2]))
    return best


def _longest(pieces: list[Piece], ks: range | list[int]) -> int:
    """Index of the longest of the pieces ``ks``: a sound's or a syllable's vowel, whose pitch
    is its note (a consonant's voicing or a scoop is short)."""
    return max(ks, key=lambda k: pieces[k].duration_s)


def _first_clear(pieces: list[Piece], salience: np.ndarray) -> float:
    """Onset (s) of the first piece that is clearly the patient's (:data:`EXTRA_MIN_SALIENCE`),
    or of the first piece: where the phrase starts if nothing before it was sung."""
    return next((p.onset_s for p, c in zip(pieces, salience, strict=True) if c >= EXTRA_MIN_SALIENCE),
                pieces[0].onset_s)


def _near(value: float, ref: float) -> float:
    """``value`` moved by whole octaves next to ``ref`` (a tracker's octave slip)."""
    return value - 12.0 * round((value - ref) / 12.0)


def _fit_levels(
    groups: tuple[tuple[int, int] | None, ...], pieces: list[Piece], pitch: np.ndarray,
    is_high: np.ndarray, low: float, high: float,
) -> tuple[float, float]:
    """The singer's two levels: medians of the matched syllables of each mark (kept if none).

    Two levels at least :data:`TWO_LEVELS_ST` apart are not merged: matches that would merge
    them put syllables on the wrong level (a high note taken for a low one), which must cost
    what it costs rather than redefine the singer's levels.
    """
    out = []
    for mark, previous in ((False, low), (True, high)):
        values = []
        for i, g in enumerate(groups):
            if g is None or is_high[i] != mark:
                continue
            values.append(_near(float(pitch[_longest(pieces, range(*g))]), previous))
        out.append(float(np.median(values)) if values else previous)
    if abs(out[1] - out[0]) < TWO_LEVELS_ST <= abs(high - low):
        return low, high
    return out[0], out[1]


def _level_guesses(pieces: list[Piece], pitch: np.ndarray, salience: np.ndarray) -> list[tuple[float, float]]:
    """Starting guesses ``(low, high)``: the attempt's two clusters of pitch, either way round
    (upside down is a guess too, so that an inverted tune is aligned as sung, not shifted).
    One guess with both levels equal when the attempt is sung on one note."""
    dur = np.array([p.duration_s for p in pieces])
    use = (salience >= EXTRA_MIN_SALIENCE) & (dur >= MIN_SYLLABLE_S)
    if not use.any():
        use = np.ones(len(pieces), dtype=bool)
    values, weights = pitch[use], dur[use]
    centre = float(np.median(values))
    values = np.array([_near(v, centre) for v in values])
    lo, hi = float(values.min()), float(values.max())
    for _ in range(10):  # two-means, weighted by length
        upper = np.abs(values - hi) < np.abs(values - lo)
        if upper.all() or not upper.any():
            break
        lo = float(np.average(values[~upper], weights=weights[~upper]))
        hi = float(np.average(values[upper], weights=weights[upper]))
    if hi - lo < TWO_LEVELS_ST:
        return [(centre, centre)]
    return [(lo, hi), (hi, lo)]


def _starts(
    pieces: list[Piece], salience: np.ndarray, onsets: np.ndarray, offsets: np.ndarray
) -> set[tuple[float, float]]:
    """Starting guesses for ``(t0, scale)``: one of the first clear pieces (or the first after
    a pause of :data:`FALSE_START_PAUSE_S` beyond them: a false start of syllables the voice
    cut into several pieces) as the first or second note, the end of one of the last clear
    pieces as the end of the last or second-to-last note (a false start, a missing first or
    last syllable). Guesses closer than :data:`GUESS_T0_S` and :data:`GUESS_SCALE` are one."""
    clear = [j for j in range(len(pieces)) if salience[j] >= EXTRA_MIN_SALIENCE] or list(range(len(pieces)))
    after_pause = [j for j in clear[START_PIECES:]
                   if pieces[j].onset_s - pieces[j - 1].offset_s >= FALSE_START_PAUSE_S]
    guesses = set()
    n = len(onsets)
    firsts = [a for a in (0, 1) if a < n]
    lasts = [b for b in (n - 1, n - 2) if b >= 0]
    for j in clear[:START_PIECES] + after_pause[:1]:
        for jj in clear[-2:]:
            for a in firsts:
                for b in lasts:
                    span = offsets[b] - onsets[a]
                    if jj < j or b < a or span <= 0:
                        continue
                    scale = (pieces[jj].offset_s - pieces[j].onset_s) / span
                    if MIN_SCALE <= scale <= MAX_SCALE:
                        t0 = pieces[j].onset_s - scale * onsets[a]
                        guesses.add((round(t0 / GUESS_T0_S) * GUESS_T0_S,
                                     round(scale / GUESS_SCALE) * GUESS_SCALE))
    return guesses


def register_prior(pitch: np.ndarray, register: np.ndarray, is_high: np.ndarray) -> np.ndarray | None:
    """Cost of taking each piece (columns) for each note (rows) by the patient's register.

    The target is set in the patient's own key, so a lone note sung where the target's high
    note lies is more likely a high syllable than a low one. The cost grows from 0, for a
    piece nearer (octaves folded) its note's target pitch than the other mark's, to
    :data:`REGISTER_COST` for one a whole step (the target's interval) nearer the other.
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
    return REGISTER_COST * np.clip((own - other) / step, 0.0, 1.0)


def tempo_prior(scale: float) -> float:
    """Cost of a fitted tempo: small near the target's, growing fast outside the expected range.

    Costs are measured in beats of the fitted tempo, so without this a very slow fit would
    make every timing error look small.
    """
    lo, hi = TEMPO_RANGE
    outside = max(0.0, math.log2(lo / scale), math.log2(scale / hi))
    return TEMPO_PRIOR * math.log2(scale) ** 2 + TEMPO_OUTSIDE_PRIOR * outside**2


def start_prior(t0: float, unit: float) -> float:
    """Cost of where the fit puts the phrase's start ``t0`` (s) in a recording: before the
    recording began is implausible, a late start is a faint tie-breaker (see
    :data:`LATE_START_COST`)."""
    early = max(0.0, -t0 - EARLY_START_S) / unit
    late = min(LATE_START_COST * max(t0, 0.0) / unit, LATE_START_CAP)
    return EARLY_START_COST * early + late


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
        (:func:`register_prior`).

    Returns
    -------
    Alignment
        Every note unmatched (and ``scale`` 1) when there are no pieces.
    """
    onsets = np.asarray(onsets, dtype=float)
    offsets = onsets + np.asarray(durations, dtype=float)
    salience = np.ones(len(pieces)) if salience is None else np.asarray(salience, dtype=float)
    pitch = np.asarray(pitch, dtype=float)
    n = len(onsets)
    if not pieces or n == 0:
        return Alignment(groups=(None,) * n, t0=0.0, scale=1.0, cost=MISSING_COST * n)
    is_high = np.array([lv == "H" for lv in levels]) if levels else np.zeros(n, dtype=bool)
    level_guesses = _level_guesses(pieces, pitch, salience) if levels else [(math.nan, math.nan)]
    prior = None
    if register is not None and levels and len(level_guesses) == 1:  # one note sung: the tune cannot tell
        prior = register_prior(pitch, np.asarray(register, dtype=float), is_high)
    solved: dict[tuple[float, ...], Alignment] = {}
    p_on, p_off = np.array([p.onset_s for p in pieces]), np.array([p.offset_s for p in pieces])
    last = np.minimum(np.arange(len(pieces))[:, None] + np.arange(min(MAX_MERGE, len(pieces)))[None, :],
                      len(pieces) - 1)
    restart = restarts(p_on, p_off, last)
    joins = legato_joins(p_on, p_off, last, beat_s)

    def solve(t0: float, scale: float, low: float, high: float, jump: float = 0.0) -> Alignment:
        """The DP for one tempo, levels and jump; guesses often refit to the same, each solved once."""
        key = (round(t0, 4), round(scale, 4), round(low, 2), round(high, 2), round(jump, 3))
        if key not in solved:
            want = np.where(is_high, high, low)
            cost, groups, after = _dp(pieces, pitch, salience, onsets, offsets, beat_s, t0, scale, want, jump,
                                      prior, restart, joins)
            cost += tempo_prior(scale) + start_prior(t0, scale * beat_s)
            if levels and low - high >= TWO_LEVELS_ST:
                cost += INVERTED_COST
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
        starts from only when the matches would merge them, see :func:`_fit_levels`)."""
        found = solve(t0, scale, low, high, jump)
        for _ in range(MAX_REFITS):
            few = sum(g is not None for g in found.groups) < 2
            key = (found.groups, high > low, round(scale, 2) if few else None)
            if key in seen:
                return None
            seen.add(key)
            t0, scale, jump = _fit_jump(found.groups, pieces, onsets, t0, scale, beat_s)
            if levels:
                low, high = _fit_levels(found.groups, pieces, pitch, is_high, low, high)
            again = solve(t0, scale, low, high, jump)
            settled = again.groups == found.groups
            found = again
            if settled:
                break
        return found

    best: Alignment | None = None
    starts = [(g, lv) for g in sorted(_starts(pieces, salience, onsets, offsets)) for lv in level_guesses]
    if seed is not None:
        starts = [((seed.t0, seed.scale), (seed.low, seed.high) if levels else level_guesses[0])]
    for (t0, scale), (low, high) in starts:
        found = settle(t0, scale, low, high)
        if found is not None and (best is None or found.cost < best.cost):
            best = found
    if best is None:  # every guess had an implausible tempo: align at the target's tempo
        return solve(pieces[0].onset_s, 1.0, *level_guesses[0])
    if seed is None and not best.jump and n > SKIP_MIN_NOTES:
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
        clear_on = _first_clear(pieces, salience)
        tries = [(best.t0, best.scale)]
        for scale in (best.scale, 1.0):
            at_first = clear_on - scale * float(onsets[0])
            if abs(at_first - best.t0) >= GUESS_T0_S or abs(scale - best.scale) >= GUESS_SCALE:
                tries.append((at_first, scale))
        lengths = np.unique(np.asarray(durations) / beat_s)
        for (t0, scale), beats, sign, (low, high) in itertools.product(
                dict.fromkeys(tries), lengths, (-1.0, 1.0), level_guesses):
            jump = sign * scale * beat_s * float(beats)
            for found in (solve(t0, scale, low, high, jump), settle(t0, scale, low, high, jump)):
                if found is not None and found.cost < best.cost:
                    best = found
    return best


def split_at_missing(
    frames: Frames, pieces: list[Piece], predicted: np.ndarray, groups: tuple
) -> list[Piece] | None:
    """Pieces with cuts where the fitted tempo puts unmatched notes' onsets inside a piece.

    Syllables sung legato on the same pitch, with no dip in loudness or confidence between
    them, make one piece (a run of two or three on one note); the alignment then reports all
    but one of them missing. A cut goes at the softest frame (the least confident, from the
    track alone) within :data:`SPLIT_SEARCH_S` of each predicted onset, at least
    :data:`MIN_SPLIT_S` from the piece's ends and from the other cuts. ``None`` if there is
    nothing to cut.
    """
    hop = frames.hop_s
    reach = max(round(SPLIT_SEARCH_S / hop), 1)
    margin = max(round(MIN_SPLIT_S / hop), 1)
    depth = -frames.energy_db if frames.energy_db is not None else -frames.confidence
    cuts: dict[int, list[int]] = {}
    for i, group in enumerate(groups):
        if group is not None:
            continue
        for n, p in enumerate(pieces):
            if p.onset_s + MIN_SPLIT_S < predicted[i] < p.offset_s - MIN_SPLIT_S:
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


def _attached(pieces: list[Piece], pitch: np.ndarray, matched: np.ndarray, order: range) -> np.ndarray:
    """Unmatched pieces that run on from a sung syllable (``order`` forwards: its tail) or into
    it (backwards: its head) without a pause, each on the syllable's pitch or too short to be
    a vowel of its own."""
    out = np.zeros(len(pieces), dtype=bool)
    ref = pitch.copy()  # the pitch of the sung syllable the chain hangs on
    prev = None
    for k in order:
        if prev is not None and (matched[prev] or out[prev]):
            a, b = sorted((pieces[prev], pieces[k]), key=lambda p: p.onset_s)
            short = pieces[k].duration_s < EXTRA_MIN_S
            if b.onset_s - a.offset_s < FLICKER_S and (
                    short or float(octave_distance(pitch[k], ref[prev])) <= REPEAT_ST):
                out[k] = not matched[k]
                ref[k] = ref[prev] if out[k] else pitch[k]
        prev = k
    return out


def _runs_into_first(pieces: list[Piece], pitch: np.ndarray, run: list[int], first: tuple[int, int]) -> bool:
    """Whether singing before the phrase is its first syllable sung twice: one sound on the
    first sung syllable's note (its longest piece, within :data:`REPEAT_ST`; the syllable is
    the pieces ``first``), not broken off from it by a pause of :data:`FALSE_START_PAUSE_S`
    (a patient who starts again breaks off first)."""
    one_sound = all(pieces[k].onset_s - pieces[k - 1].offset_s < RESTART_GAP_S for k in run[1:])
    distance = float(octave_distance(pitch[_longest(pieces, run)], pitch[_longest(pieces, range(*first))]))
    return (one_sound and pieces[first[0]].onset_s - pieces[run[-1]].offset_s < FALSE_START_PAUSE_S
            and distance <= REPEAT_ST)


def extra_segments(
    pieces: list[Piece], pitch: np.ndarray, salience: np.ndarray, alignment: Alignment, onsets: np.ndarray
) -> tuple[Extra, ...]:
    """The patient's singing that matched no note, as segments with their kind.

    Unmatched pieces at least :data:`EXTRA_MIN_SALIENCE` clear are joined when closer than
    :data:`EXTRA_JOIN_S`; segments without a piece of :data:`EXTRA_MIN_S` are dropped (a
    click, a breath, the tracker's flicker). Before the first sung syllable a segment is a
    ``"false_start"``, unless it is the first syllable sung twice (:func:`_runs_into_first`);
    touching a sung syllable on the same pitch (within :data:`REPEAT_ST`)
    it is a ``"repeat"``; anything else is ``"extra"``. Pieces running on from or into a sung
    syllable without a pause (under :data:`FLICKER_S`), on its pitch or too short to be a
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
    attached = _attached(pieces, pitch, matched, range(len(pieces)))
    attached |= _attached(pieces, pitch, matched, range(len(pieces) - 1, -1, -1))
    repeats = set(alignment.repeats)  # read as sung again: always extra, whatever their length
    attached[list(repeats)] = False
    for k, p in enumerate(pieces):
        if matched[k] or attached[k] or (salience[k] < EXTRA_MIN_SALIENCE and k not in repeats):
            continue
        if runs and runs[-1][-1] == k - 1 and p.onset_s - pieces[k - 1].offset_s < EXTRA_JOIN_S:
            runs[-1].append(k)
        else:
            runs.append([k])
    out = []
    for run in runs:
        a, b = pieces[run[0]], pieces[run[-1]]
        again = bool(repeats & set(run))
        if max(pieces[k].duration_s for k in run) < EXTRA_MIN_S and not again:
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
            kind = "repeat" if _runs_into_first(pieces, pitch, run, first_group) else "false_start"
        else:
            longest = _longest(pieces, run)
            left = np.flatnonzero(matched[: run[0]])
            right = run[-1] + 1 + np.flatnonzero(matched[run[-1] + 1 :])
            neighbours = [(int(k), a.onset_s - pieces[k].offset_s) for k in left[-1:]]
            neighbours += [(int(k), pieces[k].onset_s - b.offset_s) for k in right[:1]]
            for k, gap in neighbours:  # the nearest sung syllables either side
                if gap < EXTRA_JOIN_S and float(octave_distance(pitch[longest], pitch[k])) <= REPEAT_ST:
                    kind = "repeat"
        out.append(Extra(onset_s=a.onset_s, offset_s=b.offset_s, kind=kind))
    return tuple(out)


def sounds(pieces: list[Piece], pitch: np.ndarray) -> list[list[int]]:
    """The attempt's sounds: runs of pieces without a stop of the voice between them (gaps
    under :data:`RESTART_GAP_S`), cut where the note changes between two pieces of at least
    :data:`MIN_SYLLABLE_S` (more than :data:`REPEAT_ST` apart; the short pieces between go
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
        long = p.duration_s >= MIN_SYLLABLE_S
        if not out or p.onset_s - pieces[k - 1].offset_s >= RESTART_GAP_S:
            out.append([k])
        elif long and ref >= 0 and float(octave_distance(pitch[k], pitch[ref])) > REPEAT_ST:
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


def _sound_of(pieces: list[Piece], pitch: np.ndarray) -> np.ndarray:
    """Per piece, the index of its sound (:func:`sounds`)."""
    where = np.zeros(len(pieces), dtype=int)
    for n, run in enumerate(sounds(pieces, pitch)):
        where[run] = n
    return where


def repeat_candidates(
    pieces: list[Piece], pitch: np.ndarray, salience: np.ndarray, alignment: Alignment, beat_s: float
) -> list[list[int]]:
    """Sounds (:func:`sounds`) that may be a syllable sung again: a clear vowel (at least
    :data:`EXTRA_MIN_S` and :data:`REPEAT_MIN_BEATS` long, a piece :data:`EXTRA_MIN_SALIENCE`
    clear) on the pitch of the clear sound just before it (within :data:`REPEAT_ST`, their
    longest pieces), after the attempt's first clear sound (the reading may have taken the
    phrase's beginning for a false start) and before its last one (a copy sung straight into
    the last syllable may have been read as part of it), not already left out.
    A sound of two vowels or more (pieces of at least :data:`EXTRA_MIN_S`, cut by a dip in
    loudness) also offers its first vowel, with the short pieces before it: a copy sung legato
    into the next syllable on its note, the last syllable too. A candidate followed, without a
    stop, by pieces too short for a syllable (:data:`MIN_SYLLABLE_S`) on its note is offered
    with them too: the consonant a copy runs into the next syllable with, which the tracker
    hears on the copy's note, is the copy's as much as the next syllable's."""
    groups = [g for g in alignment.groups if g is not None]
    if len(groups) < 2:
        return []
    excluded = set(alignment.repeats)
    shortest = max(EXTRA_MIN_S, REPEAT_MIN_BEATS * alignment.scale * beat_s)

    def clear(run: list[int]) -> bool:
        return (not excluded & set(run) and max(salience[k] for k in run) >= EXTRA_MIN_SALIENCE
                and pieces[run[-1]].offset_s - pieces[run[0]].onset_s >= shortest)

    def copies(a: list[int], b: list[int]) -> bool:
        return float(octave_distance(pitch[_longest(pieces, a)], pitch[_longest(pieces, b)])) <= REPEAT_ST

    def tail(run: list[int]) -> list[int]:  # short pieces running on from it on its note
        k = run[-1] + 1
        while (k < len(pieces) and pieces[k].duration_s < MIN_SYLLABLE_S
               and pieces[k].onset_s - pieces[k - 1].offset_s < RESTART_GAP_S and copies(run, [k])):
            k += 1
        return list(range(run[-1] + 1, k))

    whole = [run for run in sounds(pieces, pitch) if clear(run)]
    out = [b for a, b in itertools.pairwise(whole[:-1]) if copies(a, b)]
    for a, b in itertools.pairwise(whole):
        vowels = [k for k in b if pieces[k].duration_s >= EXTRA_MIN_S]
        head = b[: b.index(vowels[0]) + 1] if len(vowels) > 1 else []
        if head and clear(head) and copies(a, head):
            out.append(head)
    return out + [[*run, *more] for run in out if (more := tail(run)) and [*run, *more] not in out]


def _unsettled(pieces: list[Piece], pitch: np.ndarray, salience: np.ndarray, alignment: Alignment) -> bool:
    """Whether the reading shows what a syllable sung again leaves behind: a note not sung, a
    jump in time, a syllable made of two sounds or of two vowels (pieces of at least
    :data:`EXTRA_MIN_S`: a copy sung legato into its neighbour, or a neighbour sung legato into
    the syllable before the copy, read as one long note), or a clear sound inside the phrase
    left out (or before or after it, running on into it or from it without the pause of a
    false start: a copy sung into the last syllable read as the last syllable, whose own
    sound is then left over).
    A reading with none of these has nothing a repeat could explain better."""
    groups = alignment.groups
    if any(g is None for g in groups) or alignment.jump:
        return True
    where = _sound_of(pieces, pitch)
    if any(len(set(where[g[0] : g[1]].tolist())) > 1 for g in groups):
        return True
    if any(sum(pieces[k].duration_s >= EXTRA_MIN_S for k in range(*g)) > 1 for g in groups):
        return True
    matched = _owners(groups, len(pieces)) >= 0
    begin = groups[0][0]  # singing before the phrase that was not broken off is left out too,
    while begin > 0 and pieces[begin].onset_s - pieces[begin - 1].offset_s < FALSE_START_PAUSE_S:
        begin -= 1
    end = groups[-1][1]  # and after it (the last syllable, when a copy was read as it)
    while end < len(pieces) and pieces[end].onset_s - pieces[end - 1].offset_s < FALSE_START_PAUSE_S:
        end += 1
    inside = [*range(begin, groups[0][0]), *range(groups[0][1], groups[-1][0]), *range(groups[-1][1], end)]
    return any(not matched[k] and salience[k] >= EXTRA_MIN_SALIENCE
               and pieces[k].duration_s >= EXTRA_MIN_S for k in inside)


def _copies_a_syllable(pieces: list[Piece], pitch: np.ndarray, groups: tuple, run: list[int]) -> bool:
    """Whether the syllable sung next to ``run`` on either side (within its sound, the voice
    not stopping) is read as one whole syllable on its note (within :data:`REPEAT_ST`; the one
    sung twice): a repeat is a copy of a neighbouring syllable, not of part of a long note that
    the reading shares with the sound after it. For a copy that runs on into the next
    syllable (the first vowel of a sound) that side is the rest of its own sound. Syllables
    are judged by their pieces of at least :data:`MIN_SYLLABLE_S`: a consonant or scoop at a
    syllable's start may be read as the end of the syllable before."""
    owner = _owners(groups, len(pieces))
    vowel = [p.duration_s >= MIN_SYLLABLE_S for p in pieces]
    where = _sound_of(pieces, pitch)
    sides = ([k for k in range(run[0]) if where[k] == where[run[0] - 1]][::-1] if run[0] > 0 else [],
             [k for k in range(run[-1] + 1, len(pieces)) if where[k] == where[run[-1] + 1]]
             if run[-1] + 1 < len(pieces) else [])
    for side in sides:  # nearest piece first
        near = next((k for k in side if vowel[k]), None)
        if near is None or owner[near] < 0:
            continue
        mine = [k for k in range(len(pieces)) if owner[k] == owner[near] and vowel[k]]
        if set(mine) <= set(side) and float(
                octave_distance(pitch[_longest(pieces, mine)], pitch[_longest(pieces, run)])) <= REPEAT_ST:
            return True
    return False


def read_repeats(
    pieces: list[Piece], pitch: np.ndarray, salience: np.ndarray, alignment: Alignment,
    onsets: np.ndarray, durations: np.ndarray, beat_s: float, levels: str, register: np.ndarray | None = None,
) -> Alignment | None:
    """The alignment with one more syllable read as sung again, if that reads the attempt better.

    Each candidate (:func:`repeat_candidates`) is taken out together with the time it took
    (everything after it moves earlier to where it began, as if it had not been sung again),
    the rest is aligned again from ``alignment``'s fit (the times before the repeat stay),
    and the candidate costs what any singing
    left out costs (:data:`EXTRA_COST`). Pitch and tempo alone cannot tell a syllable sung
    twice on the note of its neighbour from a long note or a slower tempo; the stop of the
    voice and the time the repeat took can. ``None`` when no candidate lowers the cost.
    """
    if not _unsettled(pieces, pitch, salience, alignment):
        return None
    best = None
    unit = alignment.scale * beat_s

    def extra_cost(out: list[int]) -> float:  # each sound left out as one syllable
        total = 0.0
        for run in sounds([pieces[r] for r in out], pitch[out]):
            length = sum(pieces[out[r]].duration_s for r in run)
            clear = max(salience[out[r]] for r in run)
            total += EXTRA_COST * clear * min(1.0, 0.1 + length / unit)
        return total

    for run in repeat_candidates(pieces, pitch, salience, alignment, beat_s):
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
        for t0 in {alignment.t0, _first_clear(moved, salience[keep]) - alignment.scale * float(onsets[0])}:
            seed = replace(alignment, t0=t0, jump=0.0, after_jump=())
            again = align_pieces(moved, pitch[keep], onsets, durations, beat_s, salience[keep], levels,
                                 seed=seed, register=register)
            if found is None or again.cost < found.cost:
                found = again
        cost = found.cost + extra_cost(out)
        groups = tuple(None if g is None else (int(keep[g[0]]), int(keep[g[1] - 1]) + 1)
                       for g in found.groups)
        if any(g is not None and dropped & set(range(*g)) for g in groups):
            continue  # a syllable made of pieces either side of the repeat: not this reading
        if not _copies_a_syllable(pieces, pitch, groups, run):
            continue
        if cost < (alignment.cost if best is None else best.cost) - 1e-9:
            moved_on = np.array([p.onset_s for p in moved])
            times = found.onset_times(onsets)
            shifts = tuple(float(np.interp(t, moved_on, shift_at, left=0.0)) for t in times)
            best = replace(found, groups=groups, cost=cost, shifts=shifts, repeats=tuple(out))
    return best


def find_syllables(
    frames: Frames, onsets: np.ndarray, durations: np.ndarray, beat_s: float, levels: str, model: str,
    register: np.ndarray | None = None,
) -> SyllableMatch:
    """Cut the attempt into pieces, match them to the target notes, and name what is extra.

    Parameters
    ----------
    frames : Frames
        The attempt's frames (:func:`~mitpractice.scoring.segment.frames_from_track`).
    onsets, durations : np.ndarray
        The target notes' onsets and durations (s).
    beat_s : float
        Seconds per target beat.
    levels : str
        The notes' ``"H"``/``"L"`` marks.
    model : str
        The pitch tracker (its confidence scale).
    register : np.ndarray, optional
        The target notes' own pitches (MIDI numbers), see :func:`align_pieces`.
    """
    pieces = segment_pieces(frames)
    pitch = piece_pitch(frames, pieces)
    salience = piece_salience(frames, pieces, model)
    alignment = align_pieces(pieces, pitch, onsets, durations, beat_s, salience, levels, register=register)
    for _ in range(MAX_SPLIT_ROUNDS):  # legato with no audible boundary: cut where the tempo says
        split = split_at_missing(frames, pieces, alignment.onset_times(onsets), alignment.groups)
        if split is None:
            break
        split_pitch, split_salience = piece_pitch(frames, split), piece_salience(frames, split, model)
        again = align_pieces(split, split_pitch, onsets, durations, beat_s, split_salience, levels,
                             seed=alignment, register=register)
        if again.cost >= alignment.cost:
            break
        pieces, pitch, salience, alignment = split, split_pitch, split_salience, again
    for _ in range(MAX_REPEATS):  # a syllable sung again: read without it and the time it took
        again = read_repeats(pieces, pitch, salience, alignment, onsets, durations, beat_s, levels, register)
        if again is None:
            break
        alignment = again
    extra = extra_segments(pieces, pitch, salience, alignment, onsets)
    return SyllableMatch(pieces=tuple(pieces), alignment=alignment, extra=extra)
