"""The attempts patients really make (issue 11), on the bundled voice: tuned part.

Each class of error is built by editing sung targets with numpy (tests/robust_attempts.py) on
phrases of 2, 5 and 8 syllables in a man's (C3) and a woman's (A3) register, tracked with
:data:`robust_attempts.TRACKER`. The scorer's costs were tuned against these cases; the
held-out cases in tests/test_scoring_heldout.py (other phrases, voices and registers) were
not looked at while tuning.
"""

from __future__ import annotations

import numpy as np
import pytest
import robust_attempts as R
from attempt_voice import VOICES, attempt_syllables, sing, sung_twice
from scoring_cases import score

from mitpractice.melody import hz_to_note, target_melody
from mitpractice.phrases import Phrase
from mitpractice.scoring import Score

LOWS = ["C3", "A3"]
TWO = ("greetings", "thank-you")
FIVE = ("needs", "i-want-some-water")
FIVE_B = ("answers", "yes-i-would-love-to")
EIGHT = ("questions", "what-is-the-weather-like-today")
INVERTED, sung_share = R.INVERTED, R.sung_share


def check_missing(take: R.Take) -> Score:
    """Score a take with syllables left out: those reported at their places by their text, the
    others detected, the notes sung scored as right, no upside-down tune."""
    s = R.score(take)
    data = s.to_json()
    assert [not x.detected for x in s.syllables] == [i in take.missing for i in range(len(s.syllables))], data
    assert s.melodic >= sung_share(take) - 10, data  # the notes sung were right
    if s.interval_semitones is not None:
        assert abs(s.interval_semitones - take.melody.interval) < 0.75, data
    missing = [take.melody.notes[i].syllable for i in take.missing]
    assert any(f"'{missing[0]}'" in line for line in s.feedback), s.feedback
    assert INVERTED not in s.feedback
    return s


def check_sung_twice(take: R.Take) -> Score:
    """Score a take with a syllable sung twice: every syllable found, the tune kept, the copy
    listed as a repeat (and nothing else as extra)."""
    s = R.score(take)
    data = s.to_json()
    assert all(x.detected for x in s.syllables) and s.melodic >= 90, data
    assert [e["kind"] for e in data["extra"]] == ["repeat"], data
    return s


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "index"),
                         [(TWO, 0), (TWO, 1), (FIVE, 0), (FIVE, 4), (FIVE_B, 0), (FIVE_B, 4)])
def test_a_syllable_skipped_at_either_end_is_located(phrase, index, low):
    check_missing(R.silenced(*phrase, low, index))


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "index"), [(EIGHT, 3), (FIVE, 2)])
def test_a_syllable_skipped_with_the_rest_moved_up_is_located(phrase, index, low):
    check_missing(R.cut_out(*phrase, low, index))


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "syllables"), [(FIVE_B, 2), (EIGHT, 3)])
def test_a_false_start_is_left_out_and_named_kindly(phrase, syllables, low):
    take = R.false_start(*phrase, low, syllables)
    s = R.score(take)
    data = s.to_json()
    assert all(x.detected for x in s.syllables), data
    assert s.melodic >= 90 and s.overall >= 85, data
    assert [e["kind"] for e in data["extra"]] == ["false_start"], data
    first = s.syllables[0].onset_s
    assert data["extra"][0]["offset_s"] < first, data  # the phrase is the second go
    assert "You started again \u2014 that's fine." in s.feedback


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "index"), [(FIVE, 1), (EIGHT, 3)])
def test_a_syllable_sung_twice_is_left_out_and_named_kindly(phrase, index, low):
    s = check_sung_twice(R.repeated(*phrase, low, index))
    assert s.rhythmic >= 80, s.to_json()
    assert "You sang a part twice \u2014 that's fine." in s.feedback
    assert not any(line.startswith("Move on sooner") for line in s.feedback), s.feedback


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "scale"), [(FIVE, 2.0), (FIVE_B, 0.625), (EIGHT, 2.0), (EIGHT, 0.625)])
def test_half_and_one_point_six_times_the_tempo_keep_the_tune(phrase, scale, low):
    take = R.stretched(*phrase, low, scale)
    s = R.score(take)
    data = s.to_json()
    assert all(x.detected for x in s.syllables), data
    assert s.melodic >= 90 and abs(s.interval_semitones - take.melody.interval) < 0.75, data
    assert s.tempo_ratio == pytest.approx(scale, rel=0.1)
    assert not s.extra, data


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize("phrase", [FIVE_B, EIGHT])
def test_reverb_keeps_every_syllable_and_adds_nothing(phrase, low):
    s = R.score(R.reverb(*phrase, low))
    data = s.to_json()
    assert all(x.detected for x in s.syllables) and not s.extra, data
    assert s.melodic >= 85 and s.overall >= 80, data


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize("phrase", [FIVE, EIGHT])
def test_mains_hum_under_the_voice_is_not_silence(phrase, low):
    s = R.score(R.hum(*phrase, low))
    data = s.to_json()
    assert s.voiced and all(x.detected for x in s.syllables), data
    assert s.melodic >= 90 and s.overall >= 90, data


@pytest.mark.parametrize("low", LOWS)
def test_syllables_run_together_on_one_note_are_split(low):
    take = R.run_together(*EIGHT, low)  # "ther like to" on the low note, no dip between
    s = R.score(take)
    data = s.to_json()
    assert all(x.detected for x in s.syllables), data
    assert s.overall >= 90, data


def test_the_result_does_not_hinge_on_sixteen_bit_rounding():
    take = R.cut_out(*EIGHT, "A3", 3)
    as_16_bit = np.round(take.y * 32767.0) / 32767.0
    a, b = R.score(take), R.score(R.Take(as_16_bit.astype(np.float32), take.sr, take.melody, take.missing))
    assert [x.detected for x in a.syllables] == [x.detected for x in b.syllables]
    assert abs(a.melodic - b.melodic) <= 2 and abs(a.rhythmic - b.rhythmic) <= 5


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "index"), [(("family", "this-is-my-home"), 2),
                                               (("needs", "i-would-like-something-to-eat"), 4),
                                               (("needs", "can-you-help-me"), 1)])
def test_a_syllable_sung_twice_on_the_note_of_its_neighbour_is_left_out(phrase, index, low):
    # "this is my my home", "something to to eat", "can you you help me": the repeat, the
    # syllable and its neighbour are three sounds on one note; only the stop of the voice and
    # the time it took tell
    s = check_sung_twice(R.repeated(*phrase, low, index))
    assert s.rhythmic >= 80, s.to_json()
    assert not any(line.startswith("Move on sooner") for line in s.feedback), s.feedback


@pytest.mark.parametrize("low", LOWS)
def test_one_syllable_of_two_after_a_long_silence_is_named(low):
    # only "help" of "help me" (high, low; one beat each), 0.6 s of silence before it:
    # nothing in the tune or the timing says which it is; the patient's register (the
    # target's own notes, set for the patient) does
    take = R.alone("needs", "help-me", low, 0)
    s = R.score(take)
    data = s.to_json()
    assert [x.detected for x in s.syllables] == [True, False], data
    assert any("'me'" in line for line in s.feedback), s.feedback


@pytest.mark.parametrize("voice", [0, 1])
def test_one_syllable_of_two_in_a_generated_voice_is_named(voice):
    # the generated man and woman singing only the first, high syllable of a high-low pair
    # after 0.6 s of silence, scored against a target in their own register
    phrase = Phrase(id="help-me", text="Help me", syllables=("help", "me"), pitches="HL", beats=(1.0, 1.0))
    syllables = attempt_syllables(phrase.pitches, phrase.beats, seed=voice + 60, drop=(1,))
    a = sing(syllables, VOICES[voice], seed=voice + 60)
    own_register = target_melody(phrase, low=hz_to_note(VOICES[voice].low_hz), interval=3.0, tempo=60.0)
    s = score(a.y, a.sr, own_register, model=R.TRACKER)
    data = s.to_json()
    assert [x.detected for x in s.syllables] == [True, False], data


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "index"), [(("needs", "id-like-to-lie-down"), 3),
                                               (("family", "please-close-the-door"), 2),
                                               (("answers", "today-is-monday"), 3)])
def test_a_false_start_and_a_repeat_in_one_attempt_are_both_left_out(phrase, index, low):
    # two syllables, a pause, then the whole phrase with one syllable sung twice
    s = R.score(R.false_start_and_repeat(*phrase, low, 2, index))
    data = s.to_json()
    assert all(x.detected for x in s.syllables), data
    assert s.melodic >= 90 and s.rhythmic >= 80, data
    assert [e["kind"] for e in data["extra"]] == ["false_start", "repeat"], data
    assert data["extra"][0]["offset_s"] < s.syllables[0].onset_s, data
    assert "You started again \u2014 that's fine." in s.feedback


# Third step: the same classes on more of the bundled phrases (none of them held out).


def generated_repeat(set_id: str, phrase_id: str, index: int, voice: int, seed: int,
                     legato: bool = False) -> Score:
    """A generated voice singing a bundled phrase with syllable ``index`` sung twice (the
    syllables run into each other when ``legato``, but for the stop before the copy), scored
    against the phrase at C3 (the voices' own register is near it)."""
    phrase = R.bundled_phrase(set_id, phrase_id)
    whole = attempt_syllables(phrase.pitches, phrase.beats, seed=seed)
    a = sing(sung_twice(whole, index, R.REPEAT_STOP_S), VOICES[voice], seed=seed, legato=legato)
    return score(a.y, a.sr, target_melody(phrase, low="C3", interval=3.0, tempo=60.0), model=R.TRACKER)

@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize("index", [1, 2, 3])
@pytest.mark.parametrize("phrase", [("answers", "no-im-not-hungry"), ("feelings", "i-slept-very-well")])
def test_any_syllable_inside_the_phrase_sung_twice_is_left_out(phrase, index, low):
    # "no I'm not hun- hungry": the consonant before the copy's note is the syllable before's
    # scoop; "I slept very ry well": the copy runs on into the last syllable
    s = check_sung_twice(R.repeated(*phrase, low, index))
    assert "You sang a part twice \u2014 that's fine." in s.feedback


@pytest.mark.parametrize("voice", [0, 1])
def test_a_low_syllable_sung_twice_early_without_a_break_is_a_repeat(voice):
    # the generated man and woman singing "I'd like, like coffee please": three low sounds at
    # the phrase's pace; which copy is extra is a guess (it was read as the first, "I'd"
    # sung twice), but nothing was broken off as a false start is
    s = generated_repeat("answers", "id-like-coffee-please", 1, voice, seed=voice + 80)
    assert all(x.detected for x in s.syllables) and s.melodic >= 90, s.to_json()
    assert [e.kind for e in s.extra] == ["repeat"], s.to_json()
    assert s.extra[0].offset_s < s.syllables[2].onset_s, s.to_json()  # one of the first three
    assert "You sang a part twice \u2014 that's fine." in s.feedback


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize("edit", [R.silenced, R.cut_out])
def test_a_diphthong_is_not_split_into_the_syllable_left_out_after_it(edit, low):
    # "good morning, how are you [to] day", its time left silent or the rest moved up: 'you'
    # dips in loudness a fifth of a beat in; that fragment is not a syllable of its own
    check_missing(edit("greetings", "good-morning-how-are-you", low, 6))


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize("index", [1, 2])
def test_a_skip_with_the_rest_moved_up_keeps_the_two_levels(index, low):
    # "my [back] is sore", "my back [is] sore": the fit had merged the two levels into one
    # and read the long last note as two syllables: melodic 4 or 54, "Make the high notes
    # clearly higher"
    take = R.cut_out("feelings", "my-back-is-sore", low, index)
    s = R.score(take)
    data = s.to_json()
    assert [not x.detected for x in s.syllables] == [i == index for i in range(4)], data
    assert s.melodic >= sung_share(take) - 10 and INVERTED not in s.feedback, data
    assert "Make the high notes clearly higher." not in s.feedback, data


def test_a_false_start_is_not_read_as_the_phrase_when_the_end_is_softer():
    # "I need — I need my glasses" with the phrase fading towards its end: the soft last
    # syllables were cheaper to leave out than the loud false start
    s = R.score(R.false_start("needs", "i-need-my-glasses", "A3", 2))
    data = s.to_json()
    assert all(x.detected for x in s.syllables) and s.melodic >= 90, data
    assert [e["kind"] for e in data["extra"]] == ["false_start"], data


@pytest.mark.parametrize(("phrase_id", "index", "seed"), [("i-love-my-family", 1, 70),
                                                          ("my-son-is-coming-today", 4, 118)])
def test_a_syllable_sung_twice_by_the_generated_man_is_left_out(phrase_id, index, seed):
    # "I love, love my family" (the phrase's start read as a false start, the copy as the
    # first syllable) and "my son is coming, ming today" (the copy read as a wrong 'day' and
    # the real 'day' as singing after the phrase): the survey found both while this step was
    # being made; the jump of one note's length settles them
    s = generated_repeat("family", phrase_id, index, 0, seed=seed)
    assert all(x.detected for x in s.syllables) and s.melodic >= 90, s.to_json()
    assert [e.kind for e in s.extra] == ["repeat"], s.to_json()


# Fourth step: a syllable sung twice in an attempt sung legato (the syllables run into each
# other, the voice dipping at each consonant, stopping only before the copy).


@pytest.mark.parametrize(("set_id", "phrase_id", "index", "voice", "seed"), [
    ("answers", "no-im-not-hungry", 1, 0, 96),  # "no I'm, I'm-not": the copy runs into 'not'
    ("answers", "no-im-not-hungry", 2, 0, 96),  # "no I'm-not, not": 'I'm' runs into 'not'
    ("answers", "id-like-coffee-please", 1, 0, 81),  # "I'd-like, like": a consonant between
    ("answers", "id-like-coffee-please", 1, 1, 82),
    ("feelings", "i-slept-very-well", 2, 1, 103),  # on the high note
    ("feelings", "my-back-is-sore", 2, 0, 97),  # "my back is, is-sore": the copy glides up into 'sore'
    ("family", "my-son-is-coming-today", 5, 1, 119),  # "coming-to, to-day"
])
def test_a_syllable_sung_twice_in_a_legato_attempt_is_left_out(set_id, phrase_id, index, voice, seed):
    # the copy and its neighbour on one sound must not be read as one long note at a slower
    # tempo ("Move on sooner after ..."): a syllable is one vowel, and a dip between two says so
    s = generated_repeat(set_id, phrase_id, index, voice, seed=seed, legato=True)
    assert all(x.detected for x in s.syllables) and s.melodic >= 90, s.to_json()
    assert [e.kind for e in s.extra] == ["repeat"], s.to_json()
    assert "You sang a part twice \u2014 that's fine." in s.feedback
    assert not any(line.startswith("Move on sooner") for line in s.feedback), s.feedback


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize("phrase", [("family", "i-love-you"), ("answers", "no-thank-you"),
                                    ("feelings", "im-happy")])
def test_the_middle_high_syllable_cut_out_is_reported_missing_and_the_tempo_kept(phrase, low):
    # "I [love] you" with the rest moved up: two low sounds. They were read as 'love' sung low
    # and 'you' left out (melodic 4, "Make the high notes clearly higher"), and the rhythm as
    # sung twice too fast ("Try to sing a little slower", rhythmic 3): the skip of a note with
    # the rest moved up is now the cheaper reading, and the tempo is judged across it too
    s = check_missing(R.cut_out(*phrase, low, 1))
    assert s.tempo_ratio == pytest.approx(1.0, abs=0.15), s.to_json()
    assert not any("slower" in line or "faster" in line for line in s.feedback), s.feedback


@pytest.mark.parametrize("low", LOWS)
def test_a_skip_is_not_read_as_the_phrase_starting_before_the_recording(low):
    # "not [so] good": two high sounds were read as a phrase begun before the recording, 'not'
    # left out and 'so' sung high (melodic 5); the skip with the rest moved up is also tried
    # from the first sound
    check_missing(R.cut_out("feelings", "not-so-good", low, 1))


def test_a_first_syllable_left_out_is_not_read_as_a_tune_upside_down():
    # "[wa]ter please" at A3: 'ter' low, then 'please' high with a dip in loudness a third of
    # the way in. It was read as all three sung at a faster tempo with the two levels upside
    # down (melodic 0, "Sing the high notes higher than the low notes"); upside down now costs
    # what a jump costs, and the skip is the cheaper reading
    check_missing(R.silenced("needs", "water-please", "A3", 0))


# Fifth step: the full survey's commonest faults after the fourth step (a long note that
# wavers, a syllable's sound cut in two by a dip, a copy sung into the last syllable, a lead
# syllable dropped for a copy, a false start cut into many pieces, a skip read as a faster
# tempo).


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "index"), [(("questions", "where-are-we-going-this-afternoon"), 5),
                                               (("questions", "could-you-speak-more-slowly"), 5)])
def test_a_held_last_note_that_wavers_is_one_syllable(phrase, index, low):
    # "where are we going [this] afternoon" with the rest moved up: the two-beat 'noon' dips
    # in loudness halfway. The dip cost half a stop, so its first half was read as 'ter' sung
    # high and nothing was missing ("Sing 'ter' low."); a dip inside a note's own slot is free.
    # Likewise the two-beat 'please' of "could you speak more slow[ly] please"
    check_missing(R.cut_out(*phrase, low, index))


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("edit", "phrase", "index"), [
    (R.silenced, ("greetings", "thank-you-for-coming"), 5),  # "coming [to] see me"
    (R.cut_out, ("questions", "when-is-my-family-coming"), 4),  # "fa-[mi]-ly" moved up
])
def test_one_syllable_cut_in_two_by_a_dip_is_not_read_as_two(edit, phrase, index, low):
    # the bundled voice's 'ming' dips halfway; its halves were read as 'ming' and the 'to' left
    # out, each half a syllable at half its slot ("Hold 'ming' a bit longer", nothing missing).
    # With 'mi' cut out of "fa-mi-ly", the halves of 'ly' were read as 'mi' and 'ly'
    check_missing(edit(*phrase, low, index))


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "index"), [
    (("family", "i-love-my-family"), 4),
    (("feelings", "i-feel-better-than-yesterday"), 6),
    (("routine", "read-the-newspaper"), 3),  # a tiny piece between the copy and 'per'
    (("family", "i-want-to-see-my-grandchildren"), 6),
])
def test_a_copy_sung_into_the_last_syllable_is_left_out(phrase, index, low):
    # "fa-mi, mi-ly": the copy of 'mi' was read as 'ly', and the real 'ly' after it as the held
    # end of the phrase, so no repeat was looked for ("End 'ly' a little sooner"). In
    # "news-pa, pa-per" a tiny piece between the copy (read as 'per') and the real 'per' also
    # made the singing after the phrase cheap to leave out, as if it did not run on from it
    s = check_sung_twice(R.repeated(*phrase, low, index))
    assert not any(line.startswith("End ") for line in s.feedback), s.feedback


@pytest.mark.parametrize(("phrase", "index", "low"), [(("greetings", "have-a-nice-day"), 1, "C3"),
                                                      (("needs", "can-i-have-a-glass-of-water"), 1, "C3"),
                                                      (("needs", "can-i-have-a-glass-of-water"), 1, "A3")])
def test_a_lead_syllable_is_not_dropped_for_a_copy(phrase, index, low):
    # "have a, a nice day", "can I, I have": the phrase's first syllable runs legato into the
    # second. It was left out unreported, the second read as the first and the copy as the
    # second; the copy runs into the next syllable through a short consonant on its own note,
    # which is now left out with it, and a jump before the first note is no jump
    take = R.repeated(*phrase, low, index)
    s = check_sung_twice(take)
    # the first syllable is the one sung first, in the target's first beat
    assert s.syllables[0].onset_s < take.melody.notes[1].onset_s, s.to_json()


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize("syllables", [2, 3])
def test_a_false_start_the_voice_cut_into_many_pieces_is_left_out(syllables, low):
    # "can you — can you help me": the bundled voice cuts each syllable in two or three
    # pieces by dips, so the phrase's second go began after the first four pieces, where no
    # start was guessed ("You sang a part twice", or "Move on sooner after 'help'")
    s = R.score(R.false_start("needs", "can-you-help-me", low, syllables))
    data = s.to_json()
    assert all(x.detected for x in s.syllables) and s.melodic >= 90, data
    assert [e["kind"] for e in data["extra"]] == ["false_start"], data
    assert "You started again \u2014 that's fine." in s.feedback


@pytest.mark.parametrize(("set_id", "phrase_id", "index", "voice", "seed"), [
    ("questions", "what-day-is-it", 2, 0, 100),  # "what day is, is-it" sung into the last
    ("questions", "where-are-you", 1, 1, 111),  # "where are, are-you"
    ("needs", "i-need-to-take-my-medicine", 6, 0, 70),  # "me-di, di-cine"
])
def test_a_copy_sung_legato_into_the_last_syllable_is_left_out(set_id, phrase_id, index, voice, seed):
    s = generated_repeat(set_id, phrase_id, index, voice, seed=seed, legato=True)
    assert all(x.detected for x in s.syllables) and s.melodic >= 90, s.to_json()
    assert [e.kind for e in s.extra] == ["repeat"], s.to_json()


@pytest.mark.parametrize(("phrase", "index", "low"), [(("needs", "water-please"), 1, "C3"),
                                                      (("questions", "who-is-coming"), 1, "C3"),
                                                      (("feelings", "i-slept-very-well"), 1, "C3"),
                                                      (("feelings", "i-slept-very-well"), 2, "A3")])
def test_a_skip_is_not_read_as_a_faster_tempo(phrase, index, low):
    # "wa [ter] please" with the rest moved up: the dip in 'please' cut it in two, read as 'ter'
    # and 'please' at a third faster tempo (melodic 6, "Make the high notes clearly higher");
    # the jump over the note left out is now also tried at the target's own tempo
    check_missing(R.cut_out(*phrase, low, index))


def test_a_copy_sung_into_its_neighbour_is_left_out_at_a_slower_fitted_tempo():
    # "yes I, I-would love to": the copy runs legato into 'would'. Read as one long 'would' at a
    # tempo a third slower, the pair overran its longer slot by only two fifths, and the join,
    # priced by the overrun over a whole slot, cost less than leaving the copy out
    s = check_sung_twice(R.repeated("answers", "yes-i-would-love-to", "C3", 1))
    assert not any(line.startswith("Move on sooner") for line in s.feedback), s.feedback


# Sixth step: a phrase broken off part-way (issue 19), common after a stroke: the patient
# stops, the rest of the take is silence.


def check_stopped(take: R.Take) -> Score:
    """Score a take broken off part-way: the syllables sung read in order from the first, the
    rest not detected, the tune the right way up, and the patient told to sing on to the end
    from the first syllable not sung."""
    s = check_missing(take)
    first = take.melody.notes[take.missing[0]].syllable
    assert f"Keep singing to the end, from '{first}'." in s.feedback, s.feedback
    return s


@pytest.mark.parametrize("low", LOWS)
@pytest.mark.parametrize(("phrase", "syllables"), [(EIGHT, 3),
                                                   (("feelings", "i-feel-better-than-yesterday"), 4),
                                                   (("greetings", "good-morning-how-are-you"), 4)])
def test_a_phrase_broken_off_is_read_in_order_from_the_first_syllable(phrase, syllables, low):
    # "what is the [weather like today]": the dip in 'the' cut it in two; its halves were read
    # as two syllables, 'what' left out and the rest spread over notes 1, 2, 3 and 5 with the
    # tune upside down (melodic 0, "Sing the high notes higher than the low notes"): two notes
    # left out inside the phrase cost less than five at its end. The end left unsung is one
    # event now, and the fit is also tried at the target's tempo from the first syllable
    check_stopped(R.stopped(*phrase, low, syllables))
