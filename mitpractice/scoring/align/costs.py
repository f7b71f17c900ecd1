"""The alignment's costs and thresholds: one frozen set of keyword settings.

Every cost is in beats of the fitted tempo (a matched note's onset error of one beat costs
``onset_weight``), so an attempt at any steady tempo is aligned alike. The readings depend on
orderings between the costs, not only on their values; :class:`AlignCosts` asserts them when
it is built, so that changing one cost cannot silently break another rule (see
:meth:`AlignCosts.__post_init__`). Costs that are defined by others (a stop inside a syllable
costs what an extra piece costs; an upside-down tune as much as a jump) are properties, not
numbers of their own.

Examples
--------
>>> AlignCosts().register_cost  # half a missing syllable
0.6
>>> AlignCosts(jump_cost=0.55).inverted_cost  # follows the jump
0.55
>>> AlignCosts(jump_cost=0.8)  # doctest: +IGNORE_EXCEPTION_DETAIL
Traceback (most recent call last):
ParameterError: alignment costs break the rule jump_cost < register_cost < missing_cost
"""

from __future__ import annotations

from dataclasses import dataclass

from mitpractice.errors import ParameterError


@dataclass(frozen=True, kw_only=True)
class AlignCosts:
    """Costs (in beats of the fitted tempo), weights and thresholds of the alignment.

    Attributes
    ----------
    missing_cost : float
        A target note that no piece matches (about one beat's onset error and a half).
    extra_cost : float
        Leaving unmatched a piece one beat long (shorter pieces cost less).
    onset_weight, onset_cap : float
        Weight of the squared onset error (in beats) of a matched note, and its cap.
    end_weight, early_end_factor : float
        Weight of the squared end error (in beats) of a matched note; an early end counts
        ``early_end_factor`` of its length (short notes are common, long ones push the next
        late).
    merge_cost, merge_pitch_cost, merge_glide : float
        Cost of joining a piece to a syllable, plus ``merge_pitch_cost`` per semitone between
        it and the syllable's first piece beyond ``merge_glide`` (a spoken syllable glides
        that far; another voice lies anywhere; a whole octave is the tracker slipping, not
        counted).
    merge_step_cap : float
        Semitones beyond the glide after which joining costs no more (another voice is as
        foreign 6 as 16 semitones away).
    merge_background_cost : float
        Taking a piece of background (salience 0) as (part of) a syllable, per piece.
    merge_gap_cost, flicker_s, pause_merge_cost : float
        Joining pieces across a gap, per beat of gap; and ``pause_merge_cost`` more if the
        gap is longer than the tracker's flicker (``flicker_s``, s), a real pause between two
        sounds.
    outside_factor : float
        Pieces before the first note or after the last (a false start, a comment) cost this
        fraction of ``extra_cost`` to leave unmatched...
    false_start_pause_s : float
        ...but only when a pause of at least this long (s) lies between them and the phrase:
        a patient who starts again breaks off first; singing that runs on into the phrase at
        its own pace, with no more than the stop of a consonant between (about 0.1 s), is
        part of it.
    after_factor : float
        ...after the last note, this fraction: a patient starts again (a false start) far
        more often than he sings on after the phrase has ended, so a reading that leaves the
        attempt's end unsung, rather than its beginning, is the less likely.
    max_merge : int
        At most this many pieces make one syllable.
    min_syllable_s : float
        Shortest sound (s) that can be a whole syllable: a sung syllable, even fast, lasts a
        quarter of a second; 80–130 ms fragments are a consonant's voicing, the tail of the
        syllable before, a scoop or a click.
    level_free_st : float
        A matched syllable's pitch may lie this far (semitones) from its level without cost
        (a level is sung within about half a semitone; a little more for scoops and vibrato)...
    level_span_st, level_cost : float
        ...beyond that the cost grows with the square of the excess over ``level_span_st``
        semitones, up to ``level_cost``: more than a missing note, so that two syllables on
        the wrong level cost more than a skip with the rest moved up (whose timing errors
        cost about one missing note), less than a missing note and an extra piece together,
        so that one syllable sung on the wrong level is still taken for that syllable.
    two_levels_st : float
        The attempt's pieces form two levels when their two clusters lie at least this far
        apart (semitones); closer, it is sung on one note and the pitch settles nothing.
    jump_cost, jump_gain, jump_min_beats : float
        Once in a phrase, every later syllable may come ``jump`` seconds later or earlier
        than the tempo puts it (a hesitation, a syllable sung twice, a syllable left out
        with the rest moved up), for ``jump_cost``; the jump is fitted to the matched onsets
        when it lowers their squared error by at least ``jump_gain`` beats squared and is at
        least ``jump_min_beats``.
    tempo_prior, tempo_outside_prior : float
        Weight of the prior that the tempo is near the target's (squared log2 of the scale),
        and of how far it lies outside the steady tempi that are not errors
        (:data:`~mitpractice.scoring.rhythmic.TEMPO_RANGE`).
    early_start_s, early_start_cost : float
        The recording starts before the phrase: a fit putting the first note more than
        ``early_start_s`` (s, a consonant's lead) before the recording's start costs
        ``early_start_cost`` per beat...
    late_start_cost, late_start_cap : float
        ...a fit starting late costs ``late_start_cost`` per beat, up to ``late_start_cap``
        (it only settles what nothing else does: one syllable of two sung).
    guess_t0_s, guess_scale : float
        Starting guesses of the phrase's start (s) and tempo scale closer than this are one:
        the refits from them find the same matches (a tenth of a beat at the slowest MIT
        tempo).
    max_refits : int
        At most this many tempo refits per starting guess.
    start_pieces : int
        How many of the first clear pieces are tried as the phrase's start.
    min_scale, max_scale : float
        Fitted tempo scales are kept within this range (attempt length over target length).
    min_split_s : float
        A long piece is cut at a missing note's predicted onset only this far (s) from its
        ends...
    split_search_s : float
        ...at the softest (or least confident) frame within this many seconds of that onset.
    max_split_rounds : int
        At most this many rounds of cutting legato runs (a run of three on one note needs one
        round if the tempo is known, two if the run misleads the first fit).
    extra_min_salience : float
        Unmatched singing is reported as extra when it is at least this clearly the
        patient's (salience, see :func:`~mitpractice.scoring.segment.piece_salience`)...
    extra_min_s : float
        ...and holds a steady piece at least this long (s): a sung syllable's vowel; the
        tracker's flicker in an echo or in noise makes only shorter pieces...
    extra_join_s : float
        ...and pieces closer than this (s) make one extra segment (a false start of two
        syllables).
    repeat_st : float
        An extra segment between two syllables within this many semitones of a neighbour,
        and touching it (gap under ``extra_join_s``), is that syllable sung again.
    restart_gap_s : float
        The voice stopped and started again inside a group of pieces when they are this far
        apart (s): longer than the tracker's dropouts that segmentation closes (30 ms), as
        long as the shortest consonant between two syllables; with a vowel (at least
        ``extra_min_s``) sung on either side of the stop that is two syllables, and reading
        them as one costs :attr:`restart_cost`.
    legato_full_overrun : float
        A legato join (see :attr:`legato_join_cost`) costs in full when its syllable overruns
        its note's slot at the fitted tempo by this share of the slot: half a slot more is
        what a copy sung into its neighbour adds even when the tempo fitted to the attempt is
        a third slower, which lengthens every slot; a syllable that fits its slot (a held
        two-beat "noon" with a waver) pays nothing.
    legato_vowel_beats : float
        ...when each vowel lasts at least this many of the target's beats (a syllable's half,
        as ``repeat_min_beats``; the target's, not the attempt's, because the vowels are found
        once before any tempo is fitted): a diphthong cut in two by a dip, a quarter second a
        side, is one syllable.
    register_share : float
        When the attempt lies on one note, the patient's register (the target's own notes)
        settles which syllable it is, for at most this share of ``missing_cost`` per syllable
        (:attr:`register_cost`).
    repeat_min_beats : float
        A syllable sung again is sung at the attempt's pace: it lasts at least this many
        beats of the fitted tempo (the rhythm's limit of a clipped note); a shorter sound
        between two stops inside a long note is the voice breaking or a slur.
    max_repeats : int
        At most this many syllables sung again are looked for in one attempt.
    short_syllable_share, short_syllable_margin : float
        A syllable cut from a longer sound (the voice runs on at one of its ends) lasts
        until the next syllable begins, so one shorter than ``short_syllable_share`` of its
        note's slot at the fitted tempo (the next syllable a quarter of its slot early) costs
        more the shorter it is, up to :attr:`short_syllable_cost` (of which
        ``short_syllable_margin`` is the margin). A short sound standing alone (a clipped
        note, a spoken syllable) is not charged.
    unsung_end_cost : float
        A phrase broken off before its end (common after a stroke: the patient stops, the
        rest is silence) is one event: the notes from where it stops on cost
        :attr:`broken_off_cost` once and this each, not ``missing_cost`` each, so that the
        syllables sung are read in order from the first rather than spread over the phrase
        with syllables left out inside it.
    skip_min_notes : int
        A jump of one note's length (a skip with the rest moved up, or something sung in
        between) is tried for phrases of more than this many notes: with two, a skip leaves
        one syllable, which the register names, and there is no "in between".
    """

    missing_cost: float = 1.2
    extra_cost: float = 1.0
    onset_weight: float = 2.0
    onset_cap: float = 1.6
    end_weight: float = 0.3
    early_end_factor: float = 0.4
    merge_cost: float = 0.05
    merge_pitch_cost: float = 0.3
    merge_glide: float = 2.0
    merge_step_cap: float = 4.0
    merge_background_cost: float = 0.3
    merge_gap_cost: float = 1.0
    flicker_s: float = 0.12
    pause_merge_cost: float = 0.5
    outside_factor: float = 0.5
    false_start_pause_s: float = 0.3
    after_factor: float = 0.75
    max_merge: int = 10
    min_syllable_s: float = 0.15
    level_free_st: float = 0.75
    level_span_st: float = 1.5
    level_cost: float = 1.5
    two_levels_st: float = 1.0
    jump_cost: float = 0.5
    jump_gain: float = 0.5
    jump_min_beats: float = 0.4
    tempo_prior: float = 0.3
    tempo_outside_prior: float = 2.0
    early_start_s: float = 0.3
    early_start_cost: float = 1.0
    late_start_cost: float = 0.05
    late_start_cap: float = 0.2
    guess_t0_s: float = 0.1
    guess_scale: float = 0.05
    max_refits: int = 5
    start_pieces: int = 4
    min_scale: float = 0.25
    max_scale: float = 4.0
    min_split_s: float = 0.15
    split_search_s: float = 0.1
    max_split_rounds: int = 2
    extra_min_salience: float = 0.5
    extra_min_s: float = 0.25
    extra_join_s: float = 0.35
    repeat_st: float = 1.0
    restart_gap_s: float = 0.04
    legato_full_overrun: float = 0.5
    legato_vowel_beats: float = 0.5
    register_share: float = 0.5
    repeat_min_beats: float = 0.5
    max_repeats: int = 2
    short_syllable_share: float = 0.75
    short_syllable_margin: float = 0.1
    unsung_end_cost: float = 0.3
    skip_min_notes: int = 2

    @property
    def restart_cost(self) -> float:
        """A stop of the voice, with a vowel either side, inside one syllable: reading a
        syllable sung twice as one long note costs what leaving a beat-long piece out costs."""
        return self.extra_cost

    @property
    def legato_join_cost(self) -> float:
        """Two vowels with the voice running on between them (a dip in loudness or a change
        of note, what a consonant sung legato leaves) taken as one syllable: up to what a
        stop costs (:attr:`restart_cost`), scaled by the overrun (``legato_full_overrun``);
        a dip is weaker evidence than a stop, and a long note may waver."""
        return self.restart_cost

    @property
    def register_cost(self) -> float:
        """The most the register prior costs per syllable: more than a jump, so that the two
        low sounds of "I [love] you" are read as the high syllable left out with the rest
        moved up, not as 'love' sung low and the phrase ended early; less than a missing
        syllable, so that a phrase sung all on one note is still read in full."""
        return self.register_share * self.missing_cost

    @property
    def inverted_cost(self) -> float:
        """A reading whose fitted levels lie upside down: a tune sung upside down is a rarer
        error than a syllable left out, as rare as a jump, so a near tie goes to the reading
        with the tune the right way up; a whole attempt sung upside down still costs far
        less read as sung than shifted by a syllable (two notes left out)."""
        return self.jump_cost

    @property
    def short_syllable_cost(self) -> float:
        """The most a short syllable cut from a longer sound costs: twice a syllable left out
        with the rest moved up, and the margin. At half its slot it costs a third of that, so
        the two halves of one syllable's sound cut in two by a dip and read as two syllables
        together cost more than the syllable left out with the rest moved up."""
        return 2.0 * (self.missing_cost + self.jump_cost) + self.short_syllable_margin

    @property
    def broken_off_cost(self) -> float:
        """Stopping before the phrase's end, once: as likely as one syllable left out, so that
        the end left unsung costs less than syllables left out inside the phrase from its
        second unsung note on (see :attr:`unsung_end_cost`), and one last syllable unsung
        costs what any missing syllable costs."""
        return self.missing_cost

    def __post_init__(self) -> None:
        """Check the orderings the readings depend on; :class:`ParameterError` names the one
        broken."""
        rules = (
            (self.jump_cost < self.register_cost < self.missing_cost,
             "jump_cost < register_cost < missing_cost (a skip with the rest moved up is "
             "cheaper than a syllable taken by the register alone, which is cheaper than a "
             "syllable left out)"),
            (self.missing_cost < self.level_cost < self.missing_cost + self.extra_cost,
             "missing_cost < level_cost < missing_cost + extra_cost (one syllable on the wrong "
             "level is still that syllable; two are a skip)"),
            (2.0 * self.unsung_end_cost < self.missing_cost,
             "2 unsung_end_cost < missing_cost (a phrase broken off before its last two notes "
             "costs less than two syllables left out inside it)"),
            (self.inverted_cost < self.missing_cost,
             "inverted_cost < missing_cost (a tune sung upside down is read as sung)"),
            (0.0 < self.outside_factor <= self.after_factor <= 1.0,
             "0 < outside_factor <= after_factor <= 1 (singing outside the phrase is cheaper "
             "to leave out, before it most)"),
            (self.restart_gap_s < self.flicker_s < self.false_start_pause_s,
             "restart_gap_s < flicker_s < false_start_pause_s (a stop, a flicker, a pause)"),
            (self.min_syllable_s <= self.extra_min_s,
             "min_syllable_s <= extra_min_s (a vowel is at least a syllable)"),
            (self.min_scale < 1.0 < self.max_scale, "min_scale < 1 < max_scale"),
            (self.max_merge >= 1 and self.max_refits >= 1, "max_merge and max_refits at least 1"),
        )
        for ok, rule in rules:
            if not ok:
                raise ParameterError(f"alignment costs break the rule {rule}")
        negative = [name for name, value in vars(self).items() if value < 0]
        if negative:
            raise ParameterError(f"alignment costs must not be negative: {', '.join(negative)}")


#: The tuned costs (docs/scoring.md): what the scorer uses unless given others.
COSTS = AlignCosts()
