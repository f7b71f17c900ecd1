"""The words stored with an attempt come out of ``attempts --json`` and the CSV export, and
the practice window's words reach the store (without a migration: the score JSON)."""

from __future__ import annotations

import csv
import io
import json

import pytest

from mitpractice.cli import main

pytestmark = pytest.mark.usefixtures("data_dir")


def test_attempts_json_and_csv_list_the_words_of_checked_attempts_only(capsys, spoken_thank_you, tmp_path):
    assert main(["patients", "add", "Ann", "--low", "A3"]) == 0
    for words in (["--words"], []):
        assert main(["score", "greetings", "thank-you", str(spoken_thank_you), "--patient", "Ann", "--save",
                     "--json", "--mode", "sprechgesang", "--step", "spoken-delayed", *words]) == 0
    capsys.readouterr()
    assert main(["attempts", "Ann", "--json"]) == 0
    unchecked, checked = json.loads(capsys.readouterr().out)  # newest first
    assert unchecked["words"] is None
    assert [(w["word"], w["said"]) for w in checked["words"]] == [("thank", None), ("you", True)]
    assert checked["words"][0]["start_s"] < checked["words"][1]["start_s"]

    assert main(["attempts", "Ann", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["words"] for r in rows] == ["", "thank? you"]
    out = tmp_path / "attempts.csv"
    assert main(["export", "Ann", "-o", str(out)]) == 0
    assert [r["words"] for r in csv.DictReader(out.open())] == ["", "thank? you"]


def test_words_round_trip_through_the_store_on_each_backend(store_on_each_backend):
    from dataclasses import replace
    from datetime import UTC, datetime

    import numpy as np

    from mitpractice.practice.spoken import words_from_json, words_setting_key
    from mitpractice.scoring.score import Score
    from mitpractice.store.records import NewAttempt
    from mitpractice.words import WordResult

    store = store_on_each_backend
    patient = store.add_patient("Ann", level="advanced")
    attempt = store.save_attempt(NewAttempt(
        patient_id=patient.id, set_id="greetings", phrase_id="see-you-soon", step="spoken-delayed",
        started_at=datetime.now(UTC), low_hz=130.8, interval=3.0, tempo=60.0, mode="sprechgesang"),
        np.zeros(16_000, np.float32), 16_000)
    words = (WordResult(word="see", said=True, confidence=0.93, start_s=0.61, end_s=1.02),
             WordResult(word="you", said=None, confidence=0.45, start_s=1.1, end_s=1.3),
             WordResult(word="soon", said=False, confidence=0.05))
    score = Score(phrase_id="see-you-soon", voiced=True, melodic=10.0, rhythmic=80.0, overall=80.0,
                  interval_semitones=None, tempo_ratio=1.0, syllables=(), feedback=(), mode="sprechgesang")
    store.set_score(attempt.id, replace(score, words=words))
    stored = store.attempt(attempt.id)
    assert words_from_json(stored.to_json()["words"]) == words
    assert stored.overall == 80.0  # the rest of the score as before
    store.set_setting(words_setting_key(patient.id), "off")
    assert store.setting(words_setting_key(patient.id)) == "off"
