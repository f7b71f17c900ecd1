"""The word check on a small set of takes by espeak-ng's voices (tests/word_takes.py): the
phrase said, another phrase, half the phrase, the words swapped, "la la", a hum; words no
dictionary lists; the recogniser loaded once. benchmarks/words.py measures the same on a
larger set (docs/words.md)."""

from __future__ import annotations

from collections import Counter

import numpy as np
import pytest
from word_takes import SR, Voice, hum, speak, takes

from mitpractice.errors import WordCheckError
from mitpractice.words import check_words, phrase_words
from mitpractice.words.recognizer import recognizer

US = Voice("en-us", 150)
#: A name the pronouncing dictionary lacks, as English letter-to-sound rules say it.
KASIA = ("K", "AE", "ZH", "AH")
#: (phrase, another phrase with as many words, syllables): none of them tunes the check.
PHRASES = (("I want to go home", "The dog is hungry now", 5), ("Good night", "Sit down", 2))
VOICES = ((US, None), (Voice("en-gb+f3", 130), 20.0))


@pytest.fixture(scope="module")
def checked():
    """(kind, truth, said) of every word of every take of the small set."""
    rng = np.random.default_rng(11)
    rows = []
    for text, other, syllables in PHRASES:
        for voice, snr in VOICES:
            for take in takes(text, other, syllables, voice, snr, rng):
                for r, truth in zip(check_words(take.audio, SR, text), take.truth, strict=True):
                    rows.append((take.kind, truth, r.said))
    return rows


def test_no_word_is_credited_on_a_hum_and_few_on_la_la(checked):
    assert not [row for row in checked if row[0] == "hum" and row[2] is True]
    la = [row for row in checked if row[0] == "la"]
    assert sum(row[2] is True for row in la) <= 0.15 * len(la)


def test_the_phrase_said_is_credited_far_more_than_other_words(checked):
    def credited(kind):
        rows = [r for r in checked if r[0] == kind]
        return sum(r[2] is True for r in rows) / len(rows)

    assert credited("correct") >= 0.2
    assert credited("other") <= 0.1
    assert credited("correct") >= 3 * credited("other")


def test_decisions_are_right_nine_times_in_ten_and_the_rest_undecided_rather_than_guessed(checked):
    tally = Counter("undecided" if said is None else said == truth for _, truth, said in checked)
    assert tally[True] / (tally[True] + tally[False]) >= 0.9
    not_said = [truth for _, truth, said in checked if said is False]
    assert not_said and sum(not truth for truth in not_said) / len(not_said) >= 0.9


def test_words_said_but_missed_by_the_decoder_are_undecided_not_marked_not_said(checked):
    """The decoder misses words of correct takes (four to six in ten, docs/words.md); a "not
    said" there would fail a patient who said the phrase. Here en-us hears only "sil uh sil
    ay sil" in "good night", and "want" and "go" in "I want to go home"."""
    assert not [row for row in checked if row[0] in ("correct", "swapped") and row[2] is False]
    for text in ("Good night", "I want to go home"):
        results = check_words(speak(text.lower(), US), SR, text)
        missed = [r for r in results if r.start_s is None]
        assert missed and all(r.said is None and 0.3 < r.confidence < 0.6 for r in missed)


def test_a_wrong_phrase_or_a_hum_still_gets_not_said(checked):
    """Evidence of absence: words of the phrase missing from half a phrase with nothing else
    said, words that fit another phrase's sound far worse than any word said, a hum."""
    wrong = [row for row in checked if row[0] in ("other", "half", "la") and row[2] is False]
    assert wrong and not [row for row in wrong if row[1]]
    hummed = check_words(hum(5, np.random.default_rng(3)), SR, "I want to go home")
    assert [r.said for r in hummed] == [False] * 5


def test_a_spoken_phrase_gives_each_word_its_place(tmp_path):
    y = speak("i want to go home", US)
    results = check_words(y, SR, "I want to go home")
    assert [r.word for r in results] == ["i", "want", "to", "go", "home"]
    heard = [r for r in results if r.start_s is not None]
    assert heard and [r.start_s for r in heard] == sorted(r.start_s for r in heard)
    assert all(0 <= r.start_s < r.end_s <= len(y) / SR for r in heard)
    assert all((r.said is True) == (r.confidence >= 0.6) for r in results)
    assert all(r.start_s is None and r.end_s is None for r in results if r not in heard)


def test_a_name_no_dictionary_lists_is_pronounced_by_rule_and_checked():
    assert recognizer().phones("kasia") == KASIA
    results = check_words(speak("call kasia", US), SR, "Call Kasia!")
    assert [r.word for r in results] == ["call", "kasia"]
    assert [r.said for r in check_words(np.zeros(SR, np.float32), SR, "Call Kasia!")] == [False, False]


def test_silence_credits_nothing_and_a_quiet_take_reads_like_a_loud_one():
    assert [r.said for r in check_words(np.zeros(SR, np.float32), SR, "Thank you")] == [False, False]
    y = speak("i want to go home", US)
    assert check_words(y * 0.02, SR, "I want to go home") == check_words(y, SR, "I want to go home")


def test_a_phrase_without_words_is_one_clear_error():
    with pytest.raises(WordCheckError, match="no words"):
        check_words(np.zeros(SR, np.float32), SR, "... !")
    assert phrase_words("Yes, I'd like coffee.") == ("yes", "i'd", "like", "coffee")


def test_the_recogniser_is_loaded_once_even_when_threads_ask_at_once():
    import threading

    from mitpractice.words import recognizer as module

    module._loaded.cache_clear()
    got = []
    threads = [threading.Thread(target=lambda: got.append(recognizer())) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(got) == 3 and got[0] is got[1] is got[2] is recognizer()


def test_a_sung_take_is_undecided_word_by_word_and_keeps_the_places_of_the_words_found():
    """The product's own sung targets: judged as speech, two decisions in three were right
    (benchmarks/words.py --sung), so the check does not judge sung takes."""
    from mitpractice.melody import set_melody
    from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
    from mitpractice.synth import synthesize

    phrase_set = load_phrase_set(bundled_phrases_dir() / "family.toml")
    found = 0
    for phrase in phrase_set.phrases[:4]:
        sung = synthesize(phrase, set_melody(phrase_set, phrase, "C3", 3, 60))
        as_sung = check_words(sung.audio, sung.sr, phrase.text, sung=True)
        as_spoken = check_words(sung.audio, sung.sr, phrase.text)
        assert [r.said for r in as_sung] == [None] * len(as_spoken)
        assert all(0.3 < r.confidence < 0.6 for r in as_sung)
        assert [(r.start_s, r.end_s) for r in as_sung] == [(r.start_s, r.end_s) for r in as_spoken]
        found += sum(r.start_s is not None for r in as_sung)
    assert found
