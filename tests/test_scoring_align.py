"""The aligner's rules on hand-made pieces: no audio, no tracker, a few milliseconds each.

Each test builds the voiced pieces an attempt would leave (times in seconds, pitches in MIDI
numbers) and checks one reading the scorer's users see: which syllable is which, what is
left out, what is extra. A test that changes a cost (``AlignCosts(...)``) shows which
readings that cost decides; changing a tuned cost shows at once which readings move.
"""

from __future__ import annotations

from dataclasses import FrozenInstanceError

import numpy as np
import pytest

from mitpractice.errors import ParameterError
from mitpractice.scoring.align import COSTS, AlignCosts, Alignment, align_pieces
from mitpractice.scoring.align.candidates import (
    broken_off,
    legato_joins,
    level_cost,
    register_prior,
    restarts,
    start_prior,
    tempo_prior,
)
from mitpractice.scoring.align.dp import ordered_groups
from mitpractice.scoring.align.extra import extra_segments
from mitpractice.scoring.align.repeats import read_repeats, sounds
from mitpractice.scoring.align.split import split_at_missing
from mitpractice.scoring.segment import Frames, Piece

LOW, HIGH = 48.0, 51.0  # C3 and the minor third above


def pieces(*spans: tuple[float, float]) -> list[Piece]:
    """Pieces at the given (onset, offset) times, on a 10 ms frame grid."""
    return [Piece(start=round(a * 100), stop=round(b * 100), onset_s=a, offset_s=b) for a, b in spans]


def target(beats: list[float], beat_s: float = 1.0) -> tuple[np.ndarray, np.ndarray]:
    """Onsets and durations (s) of notes of ``beats`` beats from time 0."""
    durations = np.asarray(beats, dtype=float) * beat_s
    return np.concatenate([[0.0], np.cumsum(durations)[:-1]]), durations


def sung(levels: str, *, start: float = 0.5, scale: float = 1.0, key: float = 0.0, step: float = 3.0,
         beats: list[float] | None = None, skip: tuple[int, ...] = ()) -> tuple[list[Piece], np.ndarray]:
    """The pieces and pitches of ``levels`` sung at ``scale`` times the target's length, from
    ``start``, transposed by ``key``, each note sounding 80 % of its slot; notes ``skip`` left
    out (silent)."""
    onsets, durations = target(beats or [1.0] * len(levels))
    keep = [i for i in range(len(levels)) if i not in skip]
    spans = [(start + scale * onsets[i], start + scale * (onsets[i] + 0.8 * durations[i])) for i in keep]
    pitch = np.array([LOW + key + (step if levels[i] == "H" else 0.0) for i in keep])
    return pieces(*spans), pitch


def align(ps: list[Piece], pitch: np.ndarray, levels: str, beats: list[float] | None = None,
          costs: AlignCosts = COSTS, **kw) -> Alignment:
    onsets, durations = target(beats or [1.0] * len(levels))
    return align_pieces(ps, pitch, onsets, durations, 1.0, levels=levels, costs=costs, **kw)


# --- the costs -----------------------------------------------------------------------------

def test_the_tuned_costs_keep_their_orderings():
    c = AlignCosts()
    assert c.jump_cost < c.register_cost < c.missing_cost
    assert c.missing_cost < c.level_cost < c.missing_cost + c.extra_cost
    assert c.inverted_cost == c.jump_cost  # an upside-down tune is as rare as a jump
    assert c.restart_cost == c.extra_cost == c.legato_join_cost


@pytest.mark.parametrize("change", [
    {"jump_cost": 0.7},  # a jump dearer than the register's prior
    {"missing_cost": 0.5},  # a syllable left out cheaper than a jump
    {"level_cost": 1.0},  # a syllable on the wrong level cheaper than left out
    {"level_cost": 2.5},  # ...or dearer than left out with an extra piece
    {"outside_factor": 0.9},  # singing before the phrase dearer than after it
    {"flicker_s": 0.5},  # a flicker longer than a false start's pause
    {"unsung_end_cost": 0.7},  # the end left unsung dearer than two syllables left out inside
    {"extra_cost": -1.0},
])
def test_costs_that_break_an_ordering_are_refused_when_built(change):
    with pytest.raises(ParameterError, match="alignment costs"):
        AlignCosts(**change)


def test_derived_costs_follow_the_costs_they_are_defined_by():
    c = AlignCosts(jump_cost=0.55, missing_cost=1.4, extra_cost=0.8)
    assert c.inverted_cost == 0.55
    assert c.register_cost == pytest.approx(0.7)
    assert c.restart_cost == c.legato_join_cost == 0.8
    assert c.short_syllable_cost == pytest.approx(2.0 * (1.4 + 0.55) + c.short_syllable_margin)


def test_costs_are_frozen_keyword_settings():
    with pytest.raises(FrozenInstanceError):
        COSTS.jump_cost = 1.0  # type: ignore[misc]
    with pytest.raises(TypeError):
        AlignCosts(1.2)  # type: ignore[misc]


# --- the generic programme -----------------------------------------------------------------

def test_the_programme_leaves_a_slot_empty_when_that_is_cheaper():
    match = np.full((2, 2, 1), np.inf)
    match[0, :, 0] = [0.1, 5.0]
    match[1, :, 0] = [5.0, 5.0]  # nothing fits slot 1
    skip = np.full((3, 2), 0.3)
    cost, groups, after = ordered_groups([match], skip, missing=1.0)
    assert groups == ((0, 1), None) and after == ()
    assert cost == pytest.approx(0.1 + 1.0 + 0.3)


def test_the_programme_takes_a_run_of_items_as_one_slot():
    match = np.full((1, 2, 2), np.inf)
    match[0, 1, 1] = 0.2  # items 0 and 1 together
    match[0, 0, 0] = match[0, 1, 0] = 0.5
    _, groups, _ = ordered_groups([match], np.full((3, 2), 1.0), missing=2.0)
    assert groups == ((0, 2),)


def test_the_programme_switches_layers_once_when_that_pays_for_the_switch():
    stay = np.full((3, 3, 1), 3.0)
    moved = np.full((3, 3, 1), 3.0)
    for i in range(3):
        stay[i, i, 0] = 0.0 if i == 0 else 3.0  # only the first note fits before the switch
        moved[i, i, 0] = 0.0  # all fit after it
    skip = np.full((3, 3), 2.0)
    cost, groups, after = ordered_groups([stay, moved], skip, missing=2.0, jump_cost=0.5)
    assert groups == ((0, 1), (1, 2), (2, 3)) and after == (False, True, True) and cost == 0.5
    _, _, after = ordered_groups([stay, moved], skip, missing=2.0, jump_cost=10.0)
    assert after == ()


def test_the_programme_stops_early_when_that_is_cheaper_than_each_slot_left_out():
    match = np.full((4, 2, 1), np.inf)
    match[0, :, 0] = [0.1, 5.0]
    match[1, :, 0] = [5.0, 0.5]
    match[3, :, 0] = [5.0, 0.1]  # item 1 fits the last slot best
    skip = np.full((3, 2), 0.4)
    cost, groups, _ = ordered_groups([match], skip, missing=1.0)
    assert groups == ((0, 1), None, None, (1, 2)) and cost == pytest.approx(0.1 + 2.0 + 0.1)
    stop = np.repeat([[np.inf], [2.0], [1.3], [1.0], [np.inf]], 3, axis=1)  # after slot 1: 1.3, not 2.0
    cost, groups, _ = ordered_groups([match], skip, missing=1.0, stop=stop)
    assert groups == ((0, 1), (1, 2), None, None) and cost == pytest.approx(0.1 + 0.5 + 1.3)


# --- the model's pieces of cost ------------------------------------------------------------

def test_a_level_is_free_within_its_band_and_capped_beyond():
    assert level_cost(np.array([0.0, COSTS.level_free_st]))[1] == 0.0
    far = level_cost(np.array([12.0]))[0]
    assert far == COSTS.level_cost
    dearer = AlignCosts(level_cost=2.0)
    assert level_cost(np.array([12.0]), dearer)[0] == 2.0


def test_a_stop_between_two_vowels_inside_a_syllable_costs_a_restart():
    on, off = np.array([0.0, 0.5]), np.array([0.45, 1.0])  # a 50 ms stop, vowels either side
    last = np.array([[0, 1], [1, 1]])
    assert restarts(on, off, last)[0, 1] == COSTS.restart_cost
    short = np.array([0.0, 0.3]), np.array([0.2, 1.0])  # a consonant's voicing, not a vowel, before
    assert restarts(*short, last)[0, 1] == 0.0


def test_vowels_run_together_count_as_legato_joins_at_the_targets_pace():
    on, off = np.array([0.0, 0.45]), np.array([0.45, 1.0])  # no stop between
    last = np.array([[0, 1], [1, 1]])
    assert legato_joins(on, off, last, 0.5)[0, 1] == 1.0
    assert legato_joins(on, off, last, 1.5)[0, 1] == 0.0  # half a slow beat each: one vowel's parts


def test_the_register_prior_names_a_lone_note_by_the_patients_register():
    prior = register_prior(np.array([HIGH]), np.array([HIGH, LOW]), np.array([True, False]))
    assert prior[0, 0] == 0.0 and prior[1, 0] == pytest.approx(COSTS.register_cost)
    assert register_prior(np.array([HIGH]), np.array([LOW, LOW]), np.array([False, False])) is None


# --- readings of whole attempts --------------------------------------------------------------

@pytest.mark.parametrize(("scale", "key"), [(1.0, 0.0), (1.4, 5.0), (0.7, -4.0)])
def test_a_correct_attempt_is_read_note_by_note_at_any_steady_tempo_and_key(scale, key):
    ps, pitch = sung("LHLLH", scale=scale, key=key)
    a = align(ps, pitch, "LHLLH")
    assert a.groups == tuple((i, i + 1) for i in range(5))
    assert a.scale == pytest.approx(scale, rel=0.02) and a.t0 == pytest.approx(0.5, abs=0.05)
    assert a.high - a.low == pytest.approx(3.0)


def test_a_syllable_left_out_in_its_time_is_reported_missing_at_its_place():
    ps, pitch = sung("LHLLH", skip=(2,))
    a = align(ps, pitch, "LHLLH")
    assert [g is None for g in a.groups] == [False, False, True, False, False]


def test_a_syllable_left_out_with_the_rest_moved_up_is_a_jump():
    ps, pitch = sung("LHLHL")
    moved = [ps[0], ps[1]] + [Piece(p.start - 100, p.stop - 100, p.onset_s - 1.0, p.offset_s - 1.0)
                              for p in ps[3:]]
    a = align(moved, np.delete(pitch, 2), "LHLHL")
    assert a.groups[2] is None and sum(g is None for g in a.groups) == 1
    assert a.jump == pytest.approx(-1.0, abs=0.1) and a.after_jump[3:] == (True, True)


def test_the_jumps_cost_decides_a_skip_from_a_faster_tempo():
    """A skip with the rest moved up reads as a jump at the target's tempo; priced just under
    the register's prior (still a valid ordering), the same pieces read as the phrase sung
    faster with no jump: the rhythm score would then judge a tempo that was not sung."""
    ps, pitch = sung("LHLHL")
    moved = [ps[0], ps[1]] + [Piece(p.start - 100, p.stop - 100, p.onset_s - 1.0, p.offset_s - 1.0)
                              for p in ps[3:]]
    tuned = align(moved, np.delete(pitch, 2), "LHLHL")
    dear = align(moved, np.delete(pitch, 2), "LHLHL", costs=AlignCosts(jump_cost=0.59))
    assert tuned.jump and tuned.scale == pytest.approx(1.0)
    assert not dear.jump and dear.scale == pytest.approx(0.7)


def test_a_syllable_cut_by_the_trackers_flicker_is_one_syllable():
    ps, _ = sung("LHL")
    cut = [ps[0], Piece(ps[1].start, ps[1].start + 30, ps[1].onset_s, ps[1].onset_s + 0.3),
           Piece(ps[1].start + 32, ps[1].stop, ps[1].onset_s + 0.32, ps[1].offset_s), ps[2]]
    a = align(cut, np.array([LOW, HIGH, HIGH, LOW]), "LHL")
    assert a.groups == ((0, 1), (1, 3), (3, 4))


def test_a_false_start_after_a_pause_is_left_out_before_the_phrase():
    ps, pitch = sung("LHL", start=2.0)
    false = pieces((0.3, 1.0))  # the first syllable, broken off; a second's pause; the phrase
    a = align(false + ps, np.concatenate([[LOW], pitch]), "LHL")
    assert a.groups == ((1, 2), (2, 3), (3, 4))
    extra = extra_segments(false + ps, np.concatenate([[LOW], pitch]), np.ones(4), a, target([1, 1, 1])[0])
    assert [e.kind for e in extra] == ["false_start"]


def test_a_sound_too_short_for_a_syllable_is_no_syllable():
    ps, pitch = sung("LHL")
    clipped = [ps[0], Piece(ps[1].start, ps[1].start + 10, ps[1].onset_s, ps[1].onset_s + 0.1), ps[2]]
    a = align(clipped, pitch, "LHL")
    assert a.groups[1] is None
    assert align(clipped, pitch, "LHL", costs=AlignCosts(min_syllable_s=0.05)).groups[1] == (1, 2)


def test_an_upside_down_tune_is_read_as_sung_not_shifted():
    ps, pitch = sung("LHLH", step=-3.0)
    a = align(ps, pitch, "LHLH")
    assert all(g is not None for g in a.groups) and a.low > a.high


@pytest.mark.parametrize(("levels", "sung_notes"), [("HLLHLLLH", 3), ("LHHLLHLL", 4), ("HLLHL", 3)])
def test_a_phrase_broken_off_is_read_in_order_from_the_first_syllable(levels, sung_notes):
    """'What is the [weather like today]': the patient stops, the rest is silence, and the
    last syllable sung dips halfway (two pieces). Its halves were read as two syllables, the
    first 'is' left out and the rest spread over the phrase (notes 0, 2, 4, 5): two syllables
    missing inside cost less than five at the end. The end left unsung is one event now."""
    ps, pitch = sung(levels, skip=tuple(range(sung_notes, len(levels))))
    last = ps[-1]
    mid = (last.onset_s + last.offset_s) / 2
    ps = ps[:-1] + pieces((last.onset_s, mid), (mid + 0.02, last.offset_s))
    a = align(ps, np.append(pitch, pitch[-1]), levels)
    assert [g is not None for g in a.groups] == [i < sung_notes for i in range(len(levels))]
    assert a.groups[sung_notes - 1] == (sung_notes - 1, sung_notes + 1) and a.high > a.low
    assert a.scale == pytest.approx(1.0, abs=0.05)


def test_the_end_left_unsung_costs_once_for_the_stop_and_a_little_per_note():
    stop = broken_off(5, np.array([True, False]))[:, 1]  # after the clear piece, a faint one
    assert np.isinf(stop[0]) and np.isinf(stop[5])  # something was sung; something was left
    assert stop[4] == pytest.approx(COSTS.broken_off_cost + COSTS.unsung_end_cost)  # one note
    assert stop[3] < 2 * COSTS.missing_cost  # two notes unsung at the end: less than two inside


def test_a_patient_who_stops_is_silent_after():
    """Clear singing after the stop is not a phrase broken off: it is the phrase's, or extra."""
    stop = broken_off(5, np.array([True, True]))
    assert np.isinf(stop[:, :2]).all() and np.isfinite(stop[1:5, 2]).all()


def test_one_of_two_syllables_sung_alone_is_named_by_the_register():
    ps, pitch = sung("HL", skip=(1,), key=0.0)  # 'thank' alone, on the high note
    onsets, durations = target([1, 1])
    a = align_pieces(ps, pitch, onsets, durations, 1.0, levels="HL", register=np.array([HIGH, LOW]))
    assert a.groups == ((0, 1), None)
    low_ps, low_pitch = sung("HL", skip=(0,))  # 'you' alone, on the low note
    a = align_pieces(low_ps, low_pitch, onsets, durations, 1.0, levels="HL", register=np.array([HIGH, LOW]))
    assert a.groups == (None, (0, 1))


# --- the passes after the alignment -----------------------------------------------------------

def test_sounds_are_cut_at_stops_and_changes_of_note():
    p = pieces((0.0, 0.4), (0.4, 0.8), (0.9, 1.3), (1.3, 1.35), (1.35, 1.7))
    assert sounds(p, np.array([48.0, 48.2, 48.1, 49.5, 51.0])) == [[0, 1], [2], [3, 4]]


def test_a_legato_run_on_one_note_is_cut_where_the_tempo_puts_the_next_syllable():
    times = np.arange(300) * 0.01
    energy = np.zeros(300)
    energy[148] = -20.0  # the consonant's dip, near the second note's predicted onset (1.5 s)
    frames = Frames(times=times, midi=np.full(300, LOW), voiced=np.ones(300, bool),
                    confidence=np.ones(300), energy_db=energy, hop_s=0.01)
    one = [Piece(50, 250, 0.495, 2.495)]
    cut = split_at_missing(frames, one, np.array([0.5, 1.5]), ((0, 1), None))
    assert [p.start for p in cut] == [50, 148]
    assert split_at_missing(frames, one, np.array([0.5, 1.5]), ((0, 1), (0, 1))) is None


def test_a_syllable_sung_again_after_a_stop_is_read_out_as_a_repeat():
    """'I want - want to go home': the copy of 'want' and the time it took are taken out; read
    without them the rest keeps the target's tempo."""
    ps = pieces((0.5, 1.3), (1.5, 2.3), (2.55, 3.3), (3.5, 4.3), (4.5, 5.3), (5.5, 6.3))
    pitch = np.array([LOW, HIGH, HIGH, LOW, LOW, HIGH])
    onsets, durations = target([1, 1, 1, 1, 1])
    first = align_pieces(ps, pitch, onsets, durations, 1.0, np.ones(6), "LHLLH")
    assert first.scale > 1.2  # without the repeat, the copy reads as a slower tempo
    again = read_repeats(ps, pitch, np.ones(6), first, onsets, durations, 1.0, "LHLLH")
    assert again is not None and again.repeats == (2,) and all(g is not None for g in again.groups)
    assert again.scale == pytest.approx(1.0, abs=0.05)
    extra = extra_segments(ps, pitch, np.ones(6), again, onsets)
    assert [(e.kind, e.onset_s) for e in extra] == [("repeat", 2.55)]


def test_a_remark_after_the_phrase_is_extra():
    ps, pitch = sung("LHL")
    remark = pieces((4.0, 4.6))
    all_ps, all_pitch = ps + remark, np.concatenate([pitch, [55.0]])
    a = align(all_ps, all_pitch, "LHL")
    assert a.groups == ((0, 1), (1, 2), (2, 3))
    extra = extra_segments(all_ps, all_pitch, np.ones(4), a, target([1, 1, 1])[0])
    assert [(e.kind, e.onset_s) for e in extra] == [("extra", 4.0)]


def test_a_tempo_far_from_the_targets_costs_more_the_further_outside_the_steady_range():
    assert tempo_prior(1.0) == 0.0
    inside = tempo_prior(1.5)  # 1.5x is a steady tempo: the near-the-target prior alone
    assert inside == pytest.approx(COSTS.tempo_prior * np.log2(1.5) ** 2)
    outside = tempo_prior(2.0)  # 2x is not: the prior and how far it lies beyond 1.55x
    assert outside == pytest.approx(COSTS.tempo_prior + COSTS.tempo_outside_prior * np.log2(2.0 / 1.55) ** 2)


def test_a_fit_starting_before_the_recording_is_implausible_a_late_one_a_faint_tie_breaker():
    assert start_prior(-0.2, 1.0) == 0.0  # a consonant's lead before the first note
    assert start_prior(-1.3, 1.0) == pytest.approx(COSTS.early_start_cost * 1.0)
    assert start_prior(10.0, 1.0) == COSTS.late_start_cap


def test_background_is_left_out_rather_than_taken_for_a_syllable():
    """A quiet piece (another voice, an echo) between two syllables, on neither level."""
    ps, _ = sung("LHL")
    mid = Piece(ps[1].stop + 2, ps[1].stop + 12, ps[1].offset_s + 0.02, ps[1].offset_s + 0.12)
    all_ps = [ps[0], ps[1], mid, ps[2]]
    a = align(all_ps, np.array([LOW, HIGH, 56.0, LOW]), "LHL", salience=np.array([1.0, 1.0, 0.1, 1.0]))
    assert a.groups == ((0, 1), (1, 2), (3, 4))
    extra = extra_segments(all_ps, np.array([LOW, HIGH, 56.0, LOW]), np.array([1.0, 1.0, 0.1, 1.0]), a,
                           target([1, 1, 1])[0])
    assert extra == ()  # too faint to be the patient's: not listed as extra singing either


# --- remembered alignments -------------------------------------------------------------------

def test_an_alignment_is_remembered_only_for_the_very_same_inputs(monkeypatch):
    """The same pieces aligned again are not searched again (a take scored ahead, then at its
    end); a pitch one bit off, or a tempo of -0.0 for 0.0 in a seed, is searched anew."""
    import mitpractice.scoring.align.search as search

    run = []
    search_itself = search._search
    monkeypatch.setattr(search, "_search", lambda *args: run.append(args) or search_itself(*args))
    search.forget_alignments()
    ps, pitch = sung("HLHL")
    first = align(ps, pitch, "HLHL")
    assert align(list(ps), pitch.copy(), "HLHL") == first and len(run) == 1
    nudged = pitch.copy()
    nudged[2] = np.nextafter(nudged[2], np.inf)
    assert align(ps, nudged, "HLHL").groups == first.groups and len(run) == 2
    for t0 in (0.0, -0.0):
        seed = Alignment(groups=first.groups, t0=t0, scale=1.0, cost=0.0, low=LOW, high=HIGH)
        align(ps, pitch, "HLHL", seed=seed)
    assert len(run) == 4
    for _ in range(search.REMEMBERED):  # the oldest is forgotten once more are remembered
        align(ps, pitch + 0.01 * len(run), "HLHL")
    align(ps, pitch, "HLHL")
    assert len(run) == 5 + search.REMEMBERED
