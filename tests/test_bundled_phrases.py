"""The phrase sets that ship with the app: valid, plentiful, graded, and sung the way they are said."""

from __future__ import annotations

import re
from collections import Counter

import pytest

from mitpractice.melody import target_melody
from mitpractice.phrases import bundled_phrases_dir, find_phrase_files, load_phrase_set

FILES = find_phrase_files([bundled_phrases_dir()])
SETS = [load_phrase_set(path) for path in FILES]
PHRASES = [(s, p) for s in SETS for p in s.phrases]
LEVELS = ("elementary", "intermediate", "advanced")


def letters(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


def label(item: tuple) -> str:
    s, p = item
    return f"{s.id}/{p.id}"


@pytest.mark.parametrize("path", FILES, ids=lambda p: p.name)
def test_every_bundled_file_validates(path):
    s = load_phrase_set(path)
    assert s.language == "en"
    assert s.title and s.description
    assert (s.interval, s.tempo) == (3.0, 60.0)
    assert path.stem == s.id


def test_there_are_enough_sets_and_phrases():
    assert len(SETS) >= 6
    assert len(PHRASES) >= 80
    assert len({s.id for s in SETS}) == len(SETS)


def test_the_everyday_topics_are_covered():
    ids = {s.id for s in SETS}
    assert {"greetings", "needs", "family", "routine", "feelings", "questions", "answers"} <= ids


@pytest.mark.parametrize("phrase_set", SETS, ids=lambda s: s.id)
def test_each_set_has_every_level_and_some_probes(phrase_set):
    levels = Counter(p.level for p in phrase_set.phrases)
    assert all(levels[level] >= 3 for level in LEVELS), levels
    assert any(p.probe for p in phrase_set.phrases)
    assert not all(p.probe for p in phrase_set.phrases)


def test_probes_are_about_one_in_six_and_spread_over_the_levels():
    probes = [p for _, p in PHRASES if p.probe]
    assert len(PHRASES) / 8 <= len(probes) <= len(PHRASES) / 4
    assert {p.level for p in probes} == set(LEVELS)


@pytest.mark.parametrize("item", PHRASES, ids=label)
def test_syllables_spell_the_text(item):
    """Catches typos and syllables left out: the syllables' letters are the text's letters."""
    _, p = item
    assert letters("".join(p.syllables)) == letters(p.text)


@pytest.mark.parametrize("item", PHRASES, ids=label)
def test_each_phrase_is_a_two_note_tune_of_mit_length(item):
    _, p = item
    assert 2 <= len(p.syllables) <= 9
    assert set(p.pitches) == {"H", "L"}


@pytest.mark.parametrize("item", PHRASES, ids=label)
def test_only_a_final_stressed_syllable_is_held(item):
    """The bundled sets' rhythm rule (docs/phrase-format.md): steady beats, a held final high note."""
    _, p = item
    held = 2.0 if p.pitches[-1] == "H" else 1.0
    assert p.beats == (1.0,) * (len(p.syllables) - 1) + (held,)


@pytest.mark.parametrize("item", PHRASES, ids=label)
def test_probe_questions_are_questions(item):
    _, p = item
    if p.question is not None:
        assert p.question.endswith("?")
        assert letters(p.question) != letters(p.text)


def test_most_phrases_have_a_probe_question():
    assert sum(p.question is not None for _, p in PHRASES) >= 0.8 * len(PHRASES)


def test_phrase_texts_are_not_repeated_across_sets():
    texts = Counter(letters(p.text) for _, p in PHRASES)
    assert [t for t, n in texts.items() if n > 1] == []


@pytest.mark.parametrize(
    ("set_id", "phrase_id", "pitches"),
    [
        ("greetings", "thank-you", "HL"),
        ("greetings", "good-morning", "LHL"),
        ("greetings", "hello", "LH"),
        ("needs", "i-want-some-water", "LHLHL"),
        ("needs", "come-here", "LH"),
        ("family", "i-love-you", "LHL"),
        ("routine", "read-the-newspaper", "HLHLL"),
        ("questions", "what-time-is-it", "LHLL"),
        ("answers", "my-daughter-is-coming-tomorrow", "LHLLHLLHL"),
    ],
)
def test_stress_of_well_known_phrases(set_id, phrase_id, pitches):
    """Stressed syllables high: content words and their stressed syllable, function words low."""
    s = next(s for s in SETS if s.id == set_id)
    assert s.phrase(phrase_id).pitches == pitches


def test_every_bundled_phrase_makes_a_melody_at_the_sets_defaults():
    for s, p in PHRASES:
        melody = target_melody(p, low="C3", interval=s.interval, tempo=s.tempo)
        high = [n for n in melody.notes if n.level == "H"]
        assert all(n.pitch_hz > melody.low_hz for n in high)
        assert 2.0 <= melody.duration_s <= 10.0, (p.id, melody.duration_s)


def test_every_level_has_plenty_of_phrases():
    levels = Counter(p.level for _, p in PHRASES)
    assert all(levels[level] >= 15 for level in LEVELS), levels
