"""The sung targets, measured as a listener's ear would: pitch, rhythm, words, options.

Pitch is measured twice, with Praat (an independent tracker, through parselmouth) and with the
app's own CREPE tracker: at least 85 % of the voiced frames must lie within 50 cents of the
note sounding at that moment, the high notes must take their share of the phrase's beats, and
the voiced span must match the phrase's length at the tempo.
"""

from __future__ import annotations

import functools
import itertools
import math

import numpy as np
import parselmouth
import pytest
from synth_measures import crepe_track, measure, praat_track

from mitpractice.cli import main
from mitpractice.melody import set_melody, target_melody
from mitpractice.phrases import Phrase, PhraseSet, bundled_phrases_dir, iter_phrase_sets
from mitpractice.synth import SingOptions, sing, synthesize
from mitpractice.synth.singing import formant_shift
from mitpractice.synth.syllables import phrase_syllables

REGISTERS = ("C3", "A3")  # a male and a female low pitch
LENGTHS = (2, 5, 8)  # syllables: elementary, intermediate, advanced


@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch):
    """Cache and data folders of the test only, never the user's."""
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


def bundled() -> list[tuple[PhraseSet, Phrase]]:
    """Every bundled phrase with its set."""
    return [(s, p) for s in iter_phrase_sets([bundled_phrases_dir()]) for p in s.phrases]


def sample(n_syllables: int) -> tuple[PhraseSet, Phrase]:
    return next(item for item in bundled() if len(item[1].syllables) == n_syllables)


@functools.cache
def sung(n_syllables: int, low: str, hum: bool = False):
    phrase_set, phrase = sample(n_syllables)
    melody = set_melody(phrase_set, phrase, low)
    return phrase, melody, sing(phrase, melody, SingOptions(hum=hum))


@pytest.mark.parametrize("tracker", [praat_track, crepe_track], ids=["praat", "crepe-tiny"])
@pytest.mark.parametrize("low", REGISTERS)
@pytest.mark.parametrize("n_syllables", LENGTHS)
def test_sung_phrase_is_on_its_notes_in_time(n_syllables, low, tracker):
    _, melody, target = sung(n_syllables, low)
    m = measure(*tracker(target.audio, target.sr), melody, target.start_s)
    assert m["on_note"] >= 0.85, m
    assert abs(m["high_share"] - m["high_beats"]) <= 0.15, m
    assert abs(m["span"] - 1.0) <= 0.15, m


def test_every_bundled_phrase_splits_into_its_syllables():
    for phrase_set, phrase in bundled():
        parts = phrase_syllables(phrase.text, phrase.syllables)
        assert [p.text for p in parts] == list(phrase.syllables), (phrase_set.id, phrase.id)
        assert all(p.nucleus for p in parts), (phrase_set.id, phrase.id, parts)


def test_vowels_start_on_the_beat_and_consonants_lead():
    """The voice sounds from the first consonant, a little before the beat, and every
    syllable's vowel begins within 50 ms of its note's onset (Praat's voicing onsets)."""
    _, melody, target = sung(5, "C3")
    times, f0 = praat_track(target.audio, target.sr)
    for note in melody.notes:
        beat = target.start_s + note.onset_s
        first = times[(times >= beat - 0.15) & (times < beat + 0.3)]
        # Voiced at the beat (or within 50 ms), and on the note by 80 ms after it.
        assert len(first) and first[0] <= beat + 0.05, note
        after = f0[(times >= beat + 0.08) & (times < beat + 0.3)]
        assert abs(1200 * math.log2(np.median(after) / note.pitch_hz)) < 50, note
    assert target.audio[: int(0.1 * target.sr)].std() == 0.0  # silence before the lead-in


def hf_share(y: np.ndarray, sr: int, a: float, b: float, cutoff: float = 3000.0) -> float:
    """Share of the energy above ``cutoff`` between times a and b: high for s, t, th."""
    seg = y[int(a * sr) : int(b * sr)] * np.hanning(int(b * sr) - int(a * sr))
    spec = np.abs(np.fft.rfft(seg)) ** 2
    freqs = np.fft.rfftfreq(len(seg), 1 / sr)
    return float(spec[freqs >= cutoff].sum() / spec.sum())


def test_words_keep_their_consonants_and_humming_has_none():
    """'See you': the 's' before the first beat is a hiss (energy above 3 kHz) that the held
    vowel and the hum lack."""
    phrase = Phrase(id="see-you", text="See you", syllables=("see", "you"), pitches="HL")
    melody = target_melody(phrase, low="C3")
    words = sing(phrase, melody)
    hum = sing(phrase, melody, SingOptions(hum=True))
    beat = words.start_s
    consonant = hf_share(words.audio, words.sr, beat - 0.08, beat)
    vowel = hf_share(words.audio, words.sr, beat + 0.2, beat + 0.6)
    assert consonant > 0.8 and vowel < 0.1
    assert hf_share(hum.audio, hum.sr, beat - 0.08, beat + 1.8) < vowel


def test_female_register_moves_the_formants_not_only_the_pitch():
    """At A3 the spectral envelope is stretched: Praat's F2 and F3 of the held vowels sit
    about the formant shift higher than at C3, so the voice is not a sped-up man's."""
    assert formant_shift(130.8) == 1.0 and formant_shift(220.0) > 1.1

    def formants(target, melody):
        sound = parselmouth.Sound(target.audio.astype(np.float64), sampling_frequency=target.sr)
        formant = sound.to_formant_burg(time_step=0.01, max_number_of_formants=5, maximum_formant=5500)
        values = []
        for note in melody.notes:
            start = target.start_s + note.onset_s
            times = np.arange(start + 0.15, start + note.duration_s - 0.25, 0.01)
            values.append([np.nanmedian([formant.get_value_at_time(k, t) for t in times]) for k in (2, 3)])
        return np.array(values)

    _, male_melody, male = sung(5, "C3")
    _, female_melody, female = sung(5, "A3")
    ratio = float(np.median(formants(female, female_melody) / formants(male, male_melody)))
    assert 1.08 < ratio < 1.3, ratio


def test_low_register_notes_have_a_strong_fundamental():
    """At C3 the held notes' first harmonic is near the strongest one, as in a chest voice,
    not 15-20 dB down as in the voice's speech (thin, and easy to hear an octave too high)."""
    _, melody, target = sung(5, "C3")
    sr = target.sr
    levels = []
    for note in melody.notes:
        a = target.start_s + note.onset_s + 0.3
        seg = target.audio[int(a * sr) : int((a + 0.2) * sr)]
        spec = 20 * np.log10(np.abs(np.fft.rfft(seg * np.hanning(len(seg)))) + 1e-12)
        freqs = np.fft.rfftfreq(len(seg), 1 / sr)
        h1 = spec[np.argmin(np.abs(freqs - note.pitch_hz))]
        levels.append(h1 - spec[(freqs > 80) & (freqs < 4000)].max())
    assert np.median(levels) > -6.0, levels


def rms(y: np.ndarray, sr: int, a: float, b: float) -> float:
    return float(np.sqrt(np.mean(y[int(a * sr) : int(b * sr)].astype(np.float64) ** 2)))


def test_humming_is_on_the_notes_with_each_syllable_heard():
    _, melody, target = sung(5, "C3", hum=True)
    m = measure(*praat_track(target.audio, target.sr), melody, target.start_s)
    assert m["on_note"] >= 0.85 and abs(m["span"] - 1.0) <= 0.15, m
    # A dip in loudness just before every beat after the first marks each hummed syllable.
    for prev, note in itertools.pairwise(melody.notes):
        beat = target.start_s + note.onset_s
        held = rms(target.audio, target.sr, beat - 0.5 * prev.duration_s, beat - 0.15)
        assert rms(target.audio, target.sr, beat - 0.05, beat - 0.01) < 0.6 * held


def test_taps_fall_on_every_beat_and_only_there():
    phrase, melody, plain = sung(5, "C3")
    tapped = sing(phrase, melody, SingOptions(taps=True))
    extra = np.abs(tapped.audio.astype(np.float64) - plain.audio)
    sr = plain.sr
    assert extra.max() > 0.05
    on_beats = np.zeros(len(extra), dtype=bool)
    for note in melody.notes:
        i = round((plain.start_s + note.onset_s) * sr)
        assert extra[i : i + int(0.01 * sr)].max() > 0.05  # a tap at this beat
        on_beats[i : i + int(0.045 * sr)] = True
    assert extra[~on_beats].max() < 1e-4


def test_fading_voice_fades_over_the_phrase():
    phrase, melody, plain = sung(5, "C3")
    faded = sing(phrase, melody, SingOptions(fade=True))
    first, last = melody.notes[0], melody.notes[-1]
    a, b = faded.start_s + first.onset_s, faded.start_s + first.offset_s - 0.1
    assert rms(faded.audio, faded.sr, a, b) == pytest.approx(rms(plain.audio, plain.sr, a, b), rel=0.02)
    gain = []
    for n in melody.notes:
        a, b = faded.start_s + n.onset_s + 0.1, faded.start_s + n.offset_s - 0.1
        gain.append(rms(faded.audio, faded.sr, a, b) / rms(plain.audio, plain.sr, a, b))
    assert all(x >= y for x, y in itertools.pairwise(gain)), gain  # never louder again
    assert gain[-1] < 0.03, gain
    # Taps keep the beat when the voice has gone.
    both = sing(phrase, melody, SingOptions(fade=True, taps=True))
    i = round((both.start_s + last.onset_s) * both.sr)
    assert np.abs(both.audio[i : i + int(0.01 * both.sr)]).max() > 0.05


def test_loudness_is_normalised_whatever_the_phrase():
    levels = []
    for n in LENGTHS:
        _, melody, target = sung(n, "A3")
        note = melody.notes[0]
        levels.append(20 * math.log10(rms(target.audio, target.sr, target.start_s + note.onset_s + 0.1,
                                          target.start_s + note.offset_s - 0.15)))
    assert max(levels) - min(levels) < 4.0, levels
    assert all(np.abs(sung(n, "A3")[2].audio).max() <= 0.9 for n in LENGTHS)


def test_cached_target_is_identical_and_not_synthesised_again(monkeypatch, tmp_path):
    import mitpractice.synth.cache as cache

    phrase_set, phrase = sample(2)
    melody = set_melody(phrase_set, phrase, "D3")
    first = synthesize(phrase, melody)
    files = list((tmp_path / "cache" / "mitpractice" / "targets").glob("*.wav"))
    assert len(files) == 1

    def no_singing(*args, **kwargs):
        raise AssertionError("synthesised again despite the cache")

    monkeypatch.setattr(cache, "sing", no_singing)
    second = synthesize(phrase, melody)
    assert np.array_equal(first.audio, second.audio) and first.sr == second.sr
    assert second.start_s == first.start_s
    with pytest.raises(AssertionError, match="synthesised again"):
        synthesize(phrase, melody, SingOptions(taps=True))  # other options: another target
    with pytest.raises(AssertionError, match="synthesised again"):
        synthesize(phrase, set_melody(phrase_set, phrase, "D3", tempo=melody.tempo + 10))


def test_a_target_made_where_the_cache_cannot_be_written_equals_the_cached_one(monkeypatch, tmp_path):
    """A full or read-only cache costs only speed: the target played is sample for sample the
    one a later start makes and caches, so a take's record of it (for rescoring it with the
    app's voice taken off) matches the target made again."""
    phrase_set, phrase = sample(2)
    melody = set_melody(phrase_set, phrase, "D3")
    (tmp_path / "cache").write_text("not a folder")  # the cache folder cannot be made
    unwritten = synthesize(phrase, melody)
    (tmp_path / "cache").unlink()
    cached = synthesize(phrase, melody)
    assert list((tmp_path / "cache" / "mitpractice" / "targets").glob("*.wav"))
    assert np.array_equal(unwritten.audio, cached.audio) and unwritten.sr == cached.sr


def test_the_window_s_spoken_words_are_made_once_then_come_from_the_cache(monkeypatch, tmp_path):
    import mitpractice.synth.cache as cache
    from mitpractice.synth import spoken_words

    audio, sr = spoken_words("What did you say?")
    assert sr == 22_050 and 0.5 < len(audio) / sr < 3.0 and np.abs(audio).max() > 0.1
    folder = tmp_path / "cache" / "mitpractice" / "spoken"
    [made] = folder.glob("*.wav")
    # The user's cache is theirs alone, as everything the app writes.
    assert (folder.stat().st_mode & 0o777, made.stat().st_mode & 0o777) == (0o700, 0o600)

    def no_speaking(*args, **kwargs):
        raise AssertionError("spoken again despite the cache")

    monkeypatch.setattr(cache, "speak", no_speaking)
    again, _ = spoken_words("What did you say?")
    assert np.array_equal(audio, again)
    with pytest.raises(AssertionError, match="spoken again"):
        spoken_words("Listen to the tune.")  # other words: made anew


def test_cli_writes_the_sung_target(tmp_path, capsys):
    import soundfile as sf

    set_file = next(bundled_phrases_dir().glob("*.toml"))
    phrase_set = next(iter_phrase_sets([set_file]))
    phrase = phrase_set.phrases[0]
    out = tmp_path / "target.wav"
    assert main(["synth", str(set_file), phrase.id, "-o", str(out), "--low", "A3", "--tempo", "80"]) == 0
    info = sf.info(str(out))
    melody = set_melody(phrase_set, phrase, "A3", tempo=80)
    assert info.duration == pytest.approx(0.25 + melody.duration_s + 0.25, abs=0.02)
    y, sr = sf.read(str(out))
    m = measure(*praat_track(y, sr), melody, 0.25)
    assert m["on_note"] >= 0.85 and abs(m["span"] - 1) <= 0.15, m
    assert "A3/C4" in capsys.readouterr().out


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["no-such-phrase"], "no phrase with id 'no-such-phrase'"),
        (["{id}", "--low", "H3"], "not a note or a frequency"),
        (["{id}", "--low", "5000"], "outside the singing range"),
        (["{id}", "--tempo", "500"], "tempo"),
    ],
)
def test_cli_bad_input_exits_2_with_one_line(tmp_path, capsys, args, message):
    set_file = next(bundled_phrases_dir().glob("*.toml"))
    first = next(iter_phrase_sets([set_file])).phrases[0].id
    argv = ["synth", str(set_file), *(a.format(id=first) for a in args), "-o", str(tmp_path / "x.wav")]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "x.wav").exists()


def test_syllables_spelled_unlike_the_words_are_still_sung_on_their_notes():
    """A therapist's own phrase may spell syllables as they sound ('mis-ter' for 'Mr.'); each
    syllable is then spoken on its own, and still sung on its note."""
    phrase = Phrase(id="mister-smith", text="Mr. Smith", syllables=("mis", "ter", "smith"), pitches="HLH")
    parts = phrase_syllables(phrase.text, phrase.syllables)
    assert [p.text for p in parts] == ["mis", "ter", "smith"] and all(p.nucleus for p in parts)
    melody = target_melody(phrase, low="G3", interval=5, tempo=80)
    target = sing(phrase, melody)
    m = measure(*praat_track(target.audio, target.sr), melody, target.start_s)
    assert m["on_note"] >= 0.85 and abs(m["span"] - 1) <= 0.15, m
    assert abs(m["high_share"] - m["high_beats"]) <= 0.15, m


def test_cache_drops_the_least_recently_played_targets(tmp_path):
    import os

    from mitpractice.synth.cache import prune

    folder = tmp_path / "targets"
    folder.mkdir()
    for i, name in enumerate(["old", "played", "new"]):
        (folder / f"{name}.wav").write_bytes(b"x" * 1000)
        os.utime(folder / f"{name}.wav", (1000 + i, 1000 + i))
    os.utime(folder / "played.wav", (5000, 5000))  # played again most recently
    prune(folder, 2500)
    assert sorted(p.name for p in folder.iterdir()) == ["new.wav", "played.wav"]
    prune(folder, 2500)  # under the limit: nothing more goes
    assert len(list(folder.iterdir())) == 2
