"""Therapists' recorded models: notes found, pattern checked, kept in the store, preferred;
models kept in the old folder before the store are moved into it.

The "therapist" is the independent voice-like generator of the scoring tests, so the notes
found can be compared with the truth the generator knows.
"""

from __future__ import annotations

import json
import math
import stat

import numpy as np
import pytest
import soundfile as sf
from attempt_voice import VOICES, attempt_syllables
from attempt_voice import sing as voice_sing

from mitpractice.audiofile import write_audio
from mitpractice.cli import main
from mitpractice.errors import AudioError, StoreError
from mitpractice.files import data_dir
from mitpractice.melody import target_melody
from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
from mitpractice.store import Store
from mitpractice.synth import SingOptions, forget_model, recorded_target, save_model, sung_target
from mitpractice.synth.recordings import melody_json

WOMAN, MAN = VOICES[1], VOICES[0]
SET_FILE = bundled_phrases_dir() / "greetings.toml"


@pytest.fixture(autouse=True)
def private_dirs(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "cache"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))


@pytest.fixture
def store(private_dirs):
    """The store in the data folder, as the command line opens it."""
    opened = Store.open()
    yield opened
    opened.close()


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


def test_recorded_model_notes_match_what_was_sung(tmp_path, phrase, store):
    path, truth = record(tmp_path, "LHL", (1, 1, 1))
    target = save_model(path, "greetings", phrase, store=store)
    assert target.source == "recording"
    notes = target.melody.notes
    first = truth.syllables[0].onset_s
    assert abs(target.start_s - first) < 0.08
    for note, sung in zip(notes, truth.syllables, strict=True):
        assert abs(note.onset_s - (sung.onset_s - first)) < 0.08, (note, sung)
        assert abs(cents(note.pitch_hz, WOMAN.low_hz * 2 ** (sung.semitones / 12))) < 40, note
    assert target.melody.interval == pytest.approx(4.0, abs=0.4)
    assert target.melody.tempo == pytest.approx(72.0, rel=0.1)


def test_model_is_kept_in_the_store_privately_and_preferred_to_synthesis(tmp_path, phrase, store):
    path, _ = record(tmp_path, "LHL", (1, 1, 1))
    saved = save_model(path, "greetings", phrase, store=store)
    kept = store.recorded_model("greetings", phrase.id, None)
    assert kept is not None and kept.notes["phrase_id"] == phrase.id and kept.sr == saved.sr
    assert stat.S_IMODE(data_dir().stat().st_mode) == 0o700
    assert stat.S_IMODE(store.sqlite_file.stat().st_mode) == 0o600
    assert not (data_dir() / "recorded-targets").exists()  # one home for kept data: the store

    again = recorded_target("greetings", phrase, store=store)
    assert again is not None and np.allclose(again.audio, saved.audio, atol=1e-4)
    assert again.melody == saved.melody and again.start_s == saved.start_s

    melody = target_melody(phrase, low="C3")
    assert sung_target("greetings", phrase, melody, store=store).source == "recording"
    assert sung_target("greetings", phrase, melody).source == "synth"  # no store: the voice
    assert sung_target("greetings", phrase, melody, SingOptions(hum=True), store=store).source == "synth"
    assert sung_target("other-set", phrase, melody, store=store).source == "synth"
    tapped = sung_target("greetings", phrase, melody, SingOptions(taps=True), store=store)
    beat = round((tapped.start_s + tapped.melody.notes[1].onset_s) * tapped.sr)
    extra = np.abs(tapped.audio[beat : beat + 200] - saved.audio[beat : beat + 200])
    assert extra.max() > 0.05  # a tap on the recording's own beat

    assert forget_model("greetings", phrase.id, store=store)
    assert recorded_target("greetings", phrase, store=store) is None
    assert sung_target("greetings", phrase, melody, store=store).source == "synth"


def test_a_patients_own_model_comes_before_the_sets(tmp_path, phrase, store):
    set_path, _ = record(tmp_path, "LHL", (1, 1, 1), voice=WOMAN, name="set.flac")
    own_path, _ = record(tmp_path, "LHL", (1, 1, 2), voice=MAN, name="own.flac")
    p7, p8 = store.add_patient("Pat Seven").id, store.add_patient("Pat Eight").id
    save_model(set_path, "greetings", phrase, store=store)
    save_model(own_path, "greetings", phrase, patient=p7, store=store)
    own = recorded_target("greetings", phrase, patient=p7, store=store)
    other = recorded_target("greetings", phrase, patient=p8, store=store)
    assert abs(cents(own.melody.low_hz, MAN.low_hz)) < 50
    assert abs(cents(other.melody.low_hz, WOMAN.low_hz)) < 50
    with pytest.raises(StoreError, match="no patient"):
        save_model(own_path, "greetings", phrase, patient="p9", store=store)


def test_models_kept_before_the_store_are_moved_into_it(tmp_path, phrase):
    with Store.open() as store:
        ann = store.add_patient("Ann").id
    old = data_dir() / "recorded-targets" / "greetings"
    path, _ = record(tmp_path, "LHL", (1, 1, 1))
    y, sr = sf.read(str(path), dtype="float32")
    from mitpractice.synth.recordings import extract_notes

    notes = melody_json(*extract_notes(y, sr, phrase))
    for folder in (old, old / f"patient-{ann}", old / "patient-p7"):  # p7: no such patient
        folder.mkdir(parents=True)
        write_audio(folder / "good-morning.flac", y, sr)
        (folder / "good-morning.json").write_text(json.dumps(notes), "utf-8")

    with Store.open() as store:
        assert store.moved_models.moved == 2
        for owner in (None, ann):
            kept = recorded_target("greetings", phrase, patient=owner, store=store)
            assert kept is not None and np.allclose(kept.audio, y, atol=1e-4), owner
        assert store.recorded_model("greetings", "good-morning", ann).notes == notes
    moved = data_dir() / "recorded-targets.moved-to-store"
    assert not (data_dir() / "recorded-targets").exists()
    assert (moved / "greetings" / "patient-p7" / "good-morning.flac").exists()  # nothing lost
    with Store.open() as store:  # once only
        assert store.moved_models.moved == 0


@pytest.mark.parametrize(
    ("levels", "beats", "message"),
    [
        ("HLH", (1, 1, 1), "pattern LHL: it is sung upside down"),  # inverted
        ("LLL", (1, 1, 1), "high notes are not above the low ones"),  # monotone
        # Another, longer phrase: extra singing, or syllables stretched over two notes.
        ("LHLHL", (1, 1, 1, 1, 1), "outside the 3 syllables|should be"),
    ],
)
def test_a_recording_that_does_not_fit_the_phrase_is_refused(tmp_path, phrase, levels, beats, message,
                                                             store):
    path, _ = record(tmp_path, levels, beats)
    with pytest.raises(AudioError, match=message):
        save_model(path, "greetings", phrase, store=store)
    assert recorded_target("greetings", phrase, store=store) is None


def test_silence_is_refused(tmp_path, phrase, store):
    path = tmp_path / "silence.wav"
    sf.write(str(path), np.zeros(32000, dtype=np.float32), 16000)
    with pytest.raises(AudioError, match="no singing"):
        save_model(path, "greetings", phrase, store=store)


def test_cli_keeps_a_recording_and_refuses_a_bad_one(tmp_path, capsys):
    assert main(["patients", "add", "Pat One"]) == 0
    p1 = capsys.readouterr().out.strip()
    good, _ = record(tmp_path, "LHL", (1, 1, 1), name="good.wav")
    out = tmp_path / "out.wav"
    argv = ["synth", str(SET_FILE), "good-morning", "-o", str(out), "--from-recording", str(good)]
    assert main([*argv, "--patient", "pat one"]) == 0
    assert "recorded model, kept" in capsys.readouterr().out
    assert sf.info(str(out)).duration == pytest.approx(sf.info(str(good)).duration, abs=0.01)
    with Store.open() as store:
        assert store.recorded_model("greetings", "good-morning", p1) is not None
        assert store.recorded_model("greetings", "good-morning", None) is None
    assert main(["synth", str(SET_FILE), "good-morning", "--from-recording", str(good)]) == 0  # no -o
    assert "recorded model, kept" in capsys.readouterr().out
    with Store.open() as store:
        assert store.recorded_model("greetings", "good-morning", None) is not None
    played = tmp_path / "played.wav"
    assert main(["synth", str(SET_FILE), "good-morning", "-o", str(played), "--prefer-recording",
                 "--patient", p1]) == 0
    assert "(recording)" in capsys.readouterr().out

    bad, _ = record(tmp_path, "HLH", (1, 1, 1), name="bad.wav")
    argv = ["synth", str(SET_FILE), "good-morning", "-o", str(out), "--from-recording", str(bad)]
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert "upside down" in err and err.count("\n") == 1
    assert main(["synth", str(SET_FILE), "good-morning", "--forget-recording", "--patient", "Pat"]) == 0
    with Store.open() as store:
        assert store.recorded_model("greetings", "good-morning", p1) is None
    assert main(["synth", str(SET_FILE), "good-morning", "--from-recording", str(good),
                 "--patient", "nobody"]) == 2
    assert "no patient 'nobody'" in capsys.readouterr().err
