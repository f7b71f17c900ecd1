"""A therapist's recorded model moved to each patient's key and tempo (WORLD).

The therapist is the independent voice-like generator of the scoring tests; the retuned model
is measured with the app's own pitch tracker and scorer, as a patient's attempt would be, and
its syllables must sit on the patient's notes.
"""

from __future__ import annotations

import math

import numpy as np
import pytest
from attempt_voice import VOICES, attempt_syllables
from attempt_voice import sing as voice_sing

from mitpractice.errors import ParameterError
from mitpractice.melody import target_melody
from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
from mitpractice.pitch import track_pitch
from mitpractice.scoring import score_track
from mitpractice.synth import SungTarget, extract_notes
from mitpractice.synth.retune import retune

WOMAN = VOICES[1]
#: A retuned syllable must land within this of the patient's note (cents): the scorer gives
#: full credit within about half a semitone (PROTOCOL.md), so a quarter tone is a safe margin.
PITCH_TOLERANCE_CENTS = 35.0
#: A retuned syllable must start within this of the patient's beat (s): the scorer's onset
#: precision is about two pitch frames and a consonant's length.
ONSET_TOLERANCE_S = 0.09


@pytest.fixture(scope="module")
def phrase():
    return load_phrase_set(bundled_phrases_dir() / "greetings.toml").phrase("good-morning")  # LHL


@pytest.fixture(scope="module")
def model(phrase):
    """The therapist (a woman, 220 Hz) sings it a major third apart at 72 beats a minute."""
    syllables = attempt_syllables("LHL", (1, 1, 1), interval=4.0, beat_s=60.0 / 72.0, seed=5)
    sung = voice_sing(syllables, WOMAN, lead_s=0.5, tail_s=0.5)
    melody, start = extract_notes(sung.y, sung.sr, phrase)
    return SungTarget(sung.y.astype(np.float32), sung.sr, melody, start, "recording")


def cents(a: float, b: float) -> float:
    return 1200.0 * math.log2(a / b)


@pytest.mark.parametrize(
    ("low", "interval", "tempo"),
    [("A2", 3.0, 60.0), ("E3", 5.0, 84.0), ("C4", 7.0, 48.0)],
    ids=["man-minor-third-slow", "fourth-faster", "fifth-slower"],
)
def test_retuned_model_lands_on_the_patients_notes(phrase, model, low, interval, tempo):
    wanted = target_melody(phrase, low=low, interval=interval, tempo=tempo)
    out = retune(model, wanted)
    assert out.melody is wanted and out.source == "recording"
    # Measured as a patient's attempt is: the app's tracker and scorer.
    track = track_pitch(out.audio, out.sr, "crepe-tiny")
    score = score_track(track, wanted, audio=out.audio, sr=out.sr)
    assert score.voiced and score.melodic > 85 and score.rhythmic > 85, score.to_json()
    assert score.interval_semitones == pytest.approx(interval, abs=0.5)
    for note, sung in zip(wanted.notes, score.syllables, strict=True):
        assert sung.detected, sung
        assert abs(cents(sung.pitch_hz, note.pitch_hz)) < PITCH_TOLERANCE_CENTS, (note, sung)
        assert abs(sung.onset_s - (out.start_s + note.onset_s)) < ONSET_TOLERANCE_S, (note, sung)
    # The phrase ends where the patient's last note ends, not where the therapist's did.
    assert out.duration_s == pytest.approx(
        model.duration_s - model.melody.duration_s + wanted.duration_s, abs=0.02
    )


def test_the_therapists_own_key_and_tempo_change_nothing_audible(phrase, model):
    same = retune(model, model.melody)
    assert same.duration_s == pytest.approx(model.duration_s, abs=0.01)
    track = track_pitch(same.audio, same.sr, "crepe-tiny")
    score = score_track(track, model.melody, audio=same.audio, sr=same.sr)
    for note, sung in zip(model.melody.notes, score.syllables, strict=True):
        assert abs(cents(sung.pitch_hz, note.pitch_hz)) < PITCH_TOLERANCE_CENTS


def test_a_melody_of_another_phrase_is_refused(model):
    from mitpractice.phrases import Phrase

    other = target_melody(Phrase(id="hi", text="Hi", syllables=("hi",), pitches="H"))
    with pytest.raises(ParameterError, match="notes"):
        retune(model, other)


def test_a_kept_model_is_played_in_each_patients_key(tmp_path, phrase, model, monkeypatch):
    import soundfile as sf

    from mitpractice.synth import SingOptions, save_model, sung_target

    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    path = tmp_path / "model.wav"
    sf.write(str(path), model.audio, model.sr)
    from mitpractice.store import Store

    store = Store.open(f"sqlite:///{tmp_path}/store.sqlite3")
    save_model(path, "greetings", phrase, store=store)
    for low in ("A2", "D3"):
        wanted = target_melody(phrase, low=low, interval=3.0, tempo=60.0)
        heard = sung_target("greetings", phrase, wanted, SingOptions(taps=True), store=store)
        assert heard.source == "recording" and heard.melody is wanted
        track = track_pitch(heard.audio, heard.sr, "crepe-tiny")
        score = score_track(track, wanted, audio=heard.audio, sr=heard.sr)
        for note, sung in zip(wanted.notes, score.syllables, strict=True):
            assert abs(cents(sung.pitch_hz, note.pitch_hz)) < PITCH_TOLERANCE_CENTS, (low, note, sung)
    store.close()
