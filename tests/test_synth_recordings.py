"""Therapists' recorded models: notes found, pattern checked, kept privately, preferred.

The "therapist" is the independent voice-like generator of the scoring tests, so the notes
found can be compared with the truth the generator knows.
"""

from __future__ import annotations

import math
import stat

import numpy as np
import pytest
import soundfile as sf
from attempt_voice import VOICES, attempt_syllables
from attempt_voice import sing as voice_sing

from mitpractice.cli import main
from mitpractice.errors import AudioError
from mitpractice.melody import target_melody
from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
from mitpractice.synth import SingOptions, forget_model, recorded_target, save_model, sung_target
from mitpractice.synth.recordings import model_path, recordings_dir

WOMAN, MAN = VOICES[1], VOICES[0]
SET_FILE = bundled_phrases_dir() / "greetings.toml"


@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture(scope="module")
def phrase():
    return load_phrase_set(SET_FILE).phrase("good-morning")  # LHL


def record(tmp_path, levels, beats, voice=WOMAN, interval=4.0, tempo=72.0, name="model.flac"):
    """A therapist singing ``levels`` written to a FLAC file; returns the path and the truth."""
    syllables = attempt_syllables(levels, beats, interval=interval, beat_s=60.0 / tempo, seed=3)
    attempt = voice_sing(syllables, voice, lead_s=0.5, tail_s=0.5)
    path = tmp_path / name
    sf.write(str(path), attempt.y, attempt.sr)
    return path, attempt


def cents(a, b):
    return 1200 * math.log2(a / b)


def test_recorded_model_notes_match_what_was_sung(tmp_path, phrase):
    path, truth = record(tmp_path, "LHL", (1, 1, 1))
    target = save_model(path, "greetings", phrase)
    assert target.source == "recording"
    notes = target.melody.notes
    first = truth.syllables[0].onset_s
    assert abs(target.start_s - first) < 0.08
    for note, sung in zip(notes, truth.syllables, strict=True):
        assert abs(note.onset_s - (sung.onset_s - first)) < 0.08, (note, sung)
        assert abs(cents(note.pitch_hz, WOMAN.low_hz * 2 ** (sung.semitones / 12))) < 40, note
    assert target.melody.interval == pytest.approx(4.0, abs=0.4)
    assert target.melody.tempo == pytest.approx(72.0, rel=0.1)


def test_model_is_kept_privately_and_preferred_to_synthesis(tmp_path, phrase):
    path, _ = record(tmp_path, "LHL", (1, 1, 1))
    saved = save_model(path, "greetings", phrase)
    stored = model_path("greetings", phrase.id)
    assert stored.exists() and stored.with_suffix(".json").exists()
    for folder in (stored.parent, recordings_dir(), recordings_dir().parent):
        assert stat.S_IMODE(folder.stat().st_mode) == 0o700, folder
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    assert not list(stored.parent.glob(".*.part"))  # atomic writes leave no temporary files

    again = recorded_target("greetings", phrase)
    assert again is not None and np.allclose(again.audio, saved.audio, atol=1e-4)
    assert again.melody == saved.melody and again.start_s == saved.start_s

    melody = target_melody(phrase, low="C3")
    assert sung_target("greetings", phrase, melody).source == "recording"
    assert sung_target("greetings", phrase, melody, SingOptions(hum=True)).source == "synth"
    assert sung_target("other-set", phrase, melody).source == "synth"
    tapped = sung_target("greetings", phrase, melody, SingOptions(taps=True))
    beat = round((tapped.start_s + tapped.melody.notes[1].onset_s) * tapped.sr)
    extra = np.abs(tapped.audio[beat : beat + 200] - saved.audio[beat : beat + 200])
    assert extra.max() > 0.05  # a tap on the recording's own beat

    assert forget_model("greetings", phrase.id)
    assert recorded_target("greetings", phrase) is None
    assert sung_target("greetings", phrase, melody).source == "synth"


def test_a_patients_own_model_comes_before_the_sets(tmp_path, phrase):
    set_path, _ = record(tmp_path, "LHL", (1, 1, 1), voice=WOMAN, name="set.flac")
    own_path, _ = record(tmp_path, "LHL", (1, 1, 2), voice=MAN, name="own.flac")
    save_model(set_path, "greetings", phrase)
    save_model(own_path, "greetings", phrase, patient="p7")
    own = recorded_target("greetings", phrase, patient="p7")
    other = recorded_target("greetings", phrase, patient="p8")
    assert abs(cents(own.melody.low_hz, MAN.low_hz)) < 50
    assert abs(cents(other.melody.low_hz, WOMAN.low_hz)) < 50
    assert stat.S_IMODE(model_path("greetings", phrase.id, "p7").parent.stat().st_mode) == 0o700


@pytest.mark.parametrize(
    ("levels", "beats", "message"),
    [
        ("HLH", (1, 1, 1), "pattern LHL: it is sung upside down"),  # inverted
        ("LLL", (1, 1, 1), "high notes are not above the low ones"),  # monotone
        # Another, longer phrase: extra singing, or syllables stretched over two notes.
        ("LHLHL", (1, 1, 1, 1, 1), "outside the 3 syllables|should be"),
    ],
)
def test_a_recording_that_does_not_fit_the_phrase_is_refused(tmp_path, phrase, levels, beats, message):
    path, _ = record(tmp_path, levels, beats)
    with pytest.raises(AudioError, match=message):
        save_model(path, "greetings", phrase)
    assert recorded_target("greetings", phrase) is None


def test_silence_is_refused(tmp_path, phrase):
    path = tmp_path / "silence.wav"
    sf.write(str(path), np.zeros(32000, dtype=np.float32), 16000)
    with pytest.raises(AudioError, match="no singing"):
        save_model(path, "greetings", phrase)


def test_cli_keeps_a_recording_and_refuses_a_bad_one(tmp_path, capsys):
    good, _ = record(tmp_path, "LHL", (1, 1, 1), name="good.wav")
    out = tmp_path / "out.wav"
    argv = ["synth", str(SET_FILE), "good-morning", "-o", str(out), "--from-recording", str(good)]
    assert main([*argv, "--patient", "p1"]) == 0
    assert "recorded model, kept" in capsys.readouterr().out
    assert sf.info(str(out)).duration == pytest.approx(sf.info(str(good)).duration, abs=0.01)
    assert model_path("greetings", "good-morning", "p1").exists()
    assert main(["synth", str(SET_FILE), "good-morning", "--from-recording", str(good)]) == 0  # no -o
    assert "recorded model, kept" in capsys.readouterr().out
    assert model_path("greetings", "good-morning", None).exists()

    bad, _ = record(tmp_path, "HLH", (1, 1, 1), name="bad.wav")
    argv = ["synth", str(SET_FILE), "good-morning", "-o", str(out), "--from-recording", str(bad)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "upside down" in err and err.count("\n") == 1
    assert main(["synth", str(SET_FILE), "good-morning", "--forget-recording", "--patient", "p1"]) == 0
    assert not model_path("greetings", "good-morning", "p1").exists()
