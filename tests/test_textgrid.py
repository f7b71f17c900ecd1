"""An attempt to Praat: the WAV and the TextGrid written from a real store, read back with
praatio, their intervals compared with the scorer's JSON; ``mitpractice textgrid``."""

from __future__ import annotations

import dataclasses
import stat

import numpy as np
import pytest
import report_data
import soundfile as sf
from praatio import textgrid

from mitpractice.cli import main
from mitpractice.errors import StoreError
from mitpractice.reports.textgrid import TIERS, attempt_melody, attempt_tiers, export_attempt


@pytest.fixture(scope="module")
def practice(tmp_path_factory):
    return report_data.shared(tmp_path_factory)


def read_back(path) -> dict[str, list[tuple[float, float, str]]]:
    grid = textgrid.openTextgrid(str(path), includeEmptyIntervals=False)
    assert grid.tierNames == TIERS
    return {name: [(e.start, e.end, e.label) for e in grid.getTier(name).entries] for name in TIERS}


@pytest.mark.parametrize("which", [0, 1])
def test_the_textgrid_of_a_scored_attempt_matches_its_score(practice, tmp_path, which):
    store = practice.store
    attempt = store.attempt(practice.real_ids[which])
    files = export_attempt(store, attempt.id[:8], tmp_path / "praat")
    assert files.wav.parent == files.textgrid.parent == tmp_path / "praat"
    assert files.wav.stem == files.textgrid.stem  # Praat pairs them by name
    for path in (files.wav, files.textgrid):
        assert stat.S_IMODE(path.stat().st_mode) == 0o600

    audio, sr = store.attempt_audio(attempt.id)
    wav, wav_sr = sf.read(files.wav, dtype="float32")
    assert wav_sr == sr and len(wav) == len(audio)
    assert np.max(np.abs(wav - audio)) < 1e-3

    tiers = read_back(files.textgrid)
    detected = [s for s in attempt.score_json["syllables"] if s["detected"]]
    assert len(detected) == attempt.syllables  # the bundled voice sang every syllable
    assert [label for *_, label in tiers["syllables"]] == [s["text"] for s in detected]
    for (start, end, _), s in zip(tiers["syllables"], detected, strict=True):
        assert start == pytest.approx(s["onset_s"], abs=1e-3)
        assert end == pytest.approx(s["offset_s"], abs=1e-3)
    assert [(a, b) for a, b, _ in tiers["pitch_ok"]] == [(a, b) for a, b, _ in tiers["syllables"]]
    assert [label for *_, label in tiers["pitch_ok"]] == ["ok" if s["pitch_ok"] else "off" for s in detected]

    melody = attempt_melody(store, attempt)
    assert [label for *_, label in tiers["target"]] == [f"{n.syllable} {n.level}" for n in melody.notes]
    for (start, end, _), note in zip(tiers["target"], melody.notes, strict=True):
        assert end - start == pytest.approx(note.duration_s, abs=1e-3)  # the target's own tempo
    # the voice sang the target as written, so its notes start where the syllables were sung
    for (t_start, *_), (s_start, *_) in zip(tiers["target"], tiers["syllables"], strict=True):
        assert t_start == pytest.approx(s_start, abs=0.15)


def test_the_target_starts_where_the_scorer_put_a_late_slow_attempt(practice):
    store = practice.store
    attempt = store.attempt(practice.real_ids[0])
    late = dict(attempt.score_json, tempo_ratio=1.25, target_start_s=1.5)  # as the scorer would store it
    late["syllables"] = [
        dict(s, onset_s=1.5 + 1.25 * note.onset_s, offset_s=1.5 + 1.25 * note.offset_s - 0.1)
        for s, note in zip(attempt.score_json["syllables"], attempt_melody(store, attempt).notes, strict=True)
    ]
    tiers = attempt_tiers(dataclasses.replace(attempt, score_json=late), attempt_melody(store, attempt), 10.0)
    assert tiers.target_start_s == pytest.approx(1.5)
    assert tiers.target[0].start == pytest.approx(1.5)
    assert tiers.syllables[1].start == pytest.approx(1.5 + 1.25 * 1.0)


def test_a_take_with_no_singing_has_only_the_target(practice, tmp_path):
    store = practice.store
    silent = next(store.attempt(i) for i in practice.all_ids if store.attempt(i).voiced is False)
    tiers = read_back(export_attempt(store, silent.id, tmp_path).textgrid)
    assert tiers["syllables"] == [] and tiers["pitch_ok"] == []
    assert tiers["target"][0][0] == pytest.approx(0.0)


def test_intervals_are_clipped_to_the_recording(practice):
    store = practice.store
    attempt = store.attempt(practice.real_ids[0])
    short = attempt_tiers(attempt, attempt_melody(store, attempt), 1.0)
    assert all(i.end <= 1.0 for tier in (short.syllables, short.target, short.pitch_ok) for i in tier)
    assert [i.label for i in short.target] == ["thank H"]  # "you" starts after the first second


def test_mitpractice_textgrid_writes_both_files(practice, tmp_path, monkeypatch, capsys):
    monkeypatch.setenv("MITPRACTICE_DATABASE_URL", practice.store.url)
    attempt_id = practice.real_ids[1]
    assert main(["textgrid", attempt_id[:10], "-o", str(tmp_path / "out")]) == 0
    wav, grid = capsys.readouterr().out.split()
    assert wav.endswith(".wav") and grid.endswith(".TextGrid")
    assert read_back(grid)["syllables"]


@pytest.mark.parametrize(
    "argv, message",
    [
        (["textgrid", "ffffffff-no", "-o", "{tmp}"], "no attempt with id"),
        (["textgrid", "", "-o", "{tmp}"], "more than one attempt"),
        (["textgrid", "{id}", "-o", "{tmp}/a-file"], "cannot create the folder"),
        (["textgrid", "{id}"], "-o/--output"),
    ],
)
def test_mitpractice_textgrid_bad_input_is_one_line_and_exit_2(practice, tmp_path, monkeypatch, capsys, argv,
                                                               message):
    monkeypatch.setenv("MITPRACTICE_DATABASE_URL", practice.store.url)
    (tmp_path / "a-file").write_text("not a folder")
    argv = [a.replace("{tmp}", str(tmp_path)).replace("{id}", practice.real_ids[0]) for a in argv]
    try:
        code = main(argv)
    except SystemExit as exc:
        code = exc.code
    err = capsys.readouterr().err
    assert code == 2
    assert message in err and len(err.strip().splitlines()) == 1 and "Traceback" not in err


def test_an_unknown_attempt_is_a_store_error(practice, tmp_path):
    with pytest.raises(StoreError):
        export_attempt(practice.store, "0000", tmp_path)
