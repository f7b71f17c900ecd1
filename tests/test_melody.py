"""Target melodies: note names to frequencies, and a phrase laid out on two pitches in time."""

from __future__ import annotations

import doctest
import math

import pytest

import mitpractice.melody as melody_module
from mitpractice.errors import ParameterError
from mitpractice.melody import (
    DEFAULT_INTERVAL,
    DEFAULT_LOW,
    DEFAULT_TEMPO,
    hz_to_note,
    note_to_hz,
    target_melody,
)
from mitpractice.phrases import Phrase, bundled_phrases_dir, load_phrase_set

WATER = Phrase(
    id="i-want-some-water",
    text="I want some water",
    syllables=("I", "want", "some", "wa", "ter"),
    pitches="LHLHL",
)
COME_HERE = Phrase(
    id="come-here", text="Come here", syllables=("come", "here"), pitches="LH", beats=(1.0, 2.0)
)


# --- note_to_hz -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("note", "hz"),
    [
        ("A4", 440.0),
        ("A3", 220.0),
        ("C3", 130.8128),
        ("C4", 261.6256),
        ("A#2", 116.5409),
        ("Bb2", 116.5409),
        ("a#2", 116.5409),
        ("B♭2", 116.5409),
        ("C♯3", 138.5913),
        ("E2", 82.4069),
        ("Cb3", 123.4708),  # C flat is B2
        ("B#2", 130.8128),  # B sharp is C3
        (" G3 ", 195.9977),
        ("150", 150.0),
        ("150 Hz", 150.0),
        ("130.8hz", 130.8),
        ("98.5 HZ", 98.5),
        (220, 220.0),
        (196.5, 196.5),
    ],
)
def test_note_to_hz(note, hz):
    assert note_to_hz(note) == pytest.approx(hz, abs=1e-3)


def test_sharp_and_flat_names_of_one_note_agree():
    for sharp, flat in [("C#3", "Db3"), ("D#3", "Eb3"), ("F#2", "Gb2"), ("G#2", "Ab2"), ("A#2", "Bb2")]:
        assert note_to_hz(sharp) == pytest.approx(note_to_hz(flat))


def test_octaves_double_and_semitones_step_evenly():
    assert note_to_hz("C4") == pytest.approx(2 * note_to_hz("C3"))
    assert note_to_hz("D#3") / note_to_hz("C3") == pytest.approx(2 ** (3 / 12))  # a minor third


@pytest.mark.parametrize("note", ["C2", "F#2", "A2", "C3", "D#3", "G3", "A#3", "C4", "E5"])
def test_hz_to_note_names_the_note_back(note):
    assert hz_to_note(note_to_hz(note)) == note


@pytest.mark.parametrize(
    "bad",
    [
        "",
        "H3",
        "C",
        "C#",
        "C3#",
        "C##3",
        "do",
        "abc",
        "1 2",
        "Hz",
        "C3 Hz",
        "nan",
        "inf",
        "-130",
        "0",
        "C0",
        "C8",
        10,
        5000.0,
        -1,
        math.nan,
        math.inf,
        True,
        None,
    ],
)
def test_note_to_hz_rejects_what_no_voice_can_sing_as_parameter_error(bad):
    with pytest.raises(ParameterError) as info:
        note_to_hz(bad)
    assert "\n" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_note_error_says_what_to_write():
    with pytest.raises(ParameterError, match=r"'H3'.*C3, A#2 or 130\.8"):
        note_to_hz("H3")
    with pytest.raises(ParameterError, match="outside the singing range 40–1500 Hz"):
        note_to_hz("C0")


# --- target_melody ----------------------------------------------------------------------------------


def test_defaults_are_the_protocol_defaults():
    assert (DEFAULT_INTERVAL, DEFAULT_TEMPO, DEFAULT_LOW) == (3.0, 60.0, "C3")
    m = target_melody(WATER)
    assert (m.low_hz, m.interval, m.tempo, m.beat_s) == (pytest.approx(130.8128, abs=1e-3), 3.0, 60.0, 1.0)
    assert m.high_hz == pytest.approx(155.5635, abs=1e-3)  # D#3, a minor third up


def test_notes_follow_syllables_pitches_and_beats():
    m = target_melody(WATER, low="A2", interval=3, tempo=60)
    assert m.phrase_id == "i-want-some-water"
    assert [n.index for n in m.notes] == [0, 1, 2, 3, 4]
    assert [n.syllable for n in m.notes] == ["I", "want", "some", "wa", "ter"]
    assert [n.level for n in m.notes] == list("LHLHL")
    assert [n.onset_s for n in m.notes] == [0.0, 1.0, 2.0, 3.0, 4.0]
    assert [n.duration_s for n in m.notes] == [1.0] * 5
    assert [round(n.pitch_hz, 2) for n in m.notes] == [110.0, 130.81, 110.0, 130.81, 110.0]
    assert m.duration_s == 5.0


def test_held_notes_last_longer_and_push_later_onsets():
    m = target_melody(Phrase("x", "a b c", ("a", "b", "c"), "HLH", beats=(1.0, 2.0, 0.5)), tempo=60)
    assert [(n.onset_s, n.duration_s, n.offset_s, n.beats) for n in m.notes] == [
        (0.0, 1.0, 1.0, 1.0),
        (1.0, 2.0, 3.0, 2.0),
        (3.0, 0.5, 3.5, 0.5),
    ]
    assert m.duration_s == 3.5


def test_notes_follow_each_other_without_gaps():
    m = target_melody(COME_HERE, tempo=75)
    for a, b in zip(m.notes, m.notes[1:], strict=False):
        assert b.onset_s == pytest.approx(a.offset_s)


@pytest.mark.parametrize(("tempo", "beat_s"), [(60, 1.0), (120, 0.5), (40, 1.5), (100, 0.6)])
def test_tempo_sets_the_length_of_a_beat(tempo, beat_s):
    m = target_melody(COME_HERE, tempo=tempo)
    assert m.beat_s == pytest.approx(beat_s)
    assert [n.duration_s for n in m.notes] == pytest.approx([beat_s, 2 * beat_s])
    assert m.duration_s == pytest.approx(3 * beat_s)


@pytest.mark.parametrize(("interval", "ratio"), [(3, 1.189207), (4, 1.259921), (5, 1.334840), (7, 1.498307)])
def test_interval_sets_how_far_the_high_note_is_above_the_low(interval, ratio):
    m = target_melody(COME_HERE, low=200.0, interval=interval)
    low, high = (n.pitch_hz for n in m.notes)
    assert low == 200.0
    assert high / low == pytest.approx(ratio, rel=1e-6)
    assert m.high_hz == pytest.approx(high)


def test_low_pitch_accepts_names_and_hz_alike():
    by_name = target_melody(COME_HERE, low="A2")
    by_hz = target_melody(COME_HERE, low=110.0)
    by_text = target_melody(COME_HERE, low="110 Hz")
    assert by_name.notes == by_hz.notes == by_text.notes


def test_fractional_interval_and_tempo_are_allowed():
    m = target_melody(COME_HERE, low=100.0, interval=3.5, tempo=72.5)
    assert m.notes[1].pitch_hz == pytest.approx(100.0 * 2 ** (3.5 / 12))
    assert m.beat_s == pytest.approx(60 / 72.5)


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        ({"interval": 0}, "interval 0 is outside 1–12 semitones"),
        ({"interval": 13}, "interval 13 is outside"),
        ({"interval": -3}, "interval -3 is outside"),
        ({"interval": math.nan}, "interval nan is outside"),
        ({"interval": "three"}, "interval must be a number, not 'three'"),
        ({"interval": None}, "interval must be a number"),
        ({"tempo": 0}, "tempo 0 is outside 20–200 beats per minute"),
        ({"tempo": 10}, "tempo 10 is outside"),
        ({"tempo": 500}, "tempo 500 is outside"),
        ({"tempo": math.inf}, "tempo inf is outside"),
        ({"tempo": "fast"}, "tempo must be a number"),
        ({"low": "X9"}, "not a note or a frequency"),
        ({"low": 5.0}, "outside the singing range"),
    ],
)
def test_bad_parameters_are_parameter_errors_that_say_which(kwargs, message):
    with pytest.raises(ParameterError, match=message):
        target_melody(COME_HERE, **kwargs)


def test_numeric_strings_are_accepted_for_interval_and_tempo():
    """The command line passes its options through as text."""
    m = target_melody(COME_HERE, interval="4", tempo="90")
    assert (m.interval, m.tempo) == (4.0, 90.0)


def test_a_bundled_phrase_makes_its_melody():
    needs = load_phrase_set(bundled_phrases_dir() / "needs.toml")
    m = target_melody(needs.phrase("come-here"), low="C3", interval=needs.interval, tempo=needs.tempo)
    assert [(n.syllable, n.level, n.duration_s) for n in m.notes] == [("come", "L", 1.0), ("here", "H", 2.0)]
    assert m.notes[1].pitch_hz / m.notes[0].pitch_hz == pytest.approx(2 ** (3 / 12))


def test_the_melody_examples_run():
    result = doctest.testmod(melody_module)
    assert result.attempted > 0
    assert result.failed == 0
