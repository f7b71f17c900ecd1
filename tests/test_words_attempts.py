"""The words stored with an attempt come out of ``attempts --json`` and the CSV export, and
the practice window's words reach the store (without a migration: the score JSON)."""

from __future__ import annotations

import csv
import io
import json

import pytest
import soundfile as sf
from word_takes import SR, Voice, speak

from mitpractice.cli import main

pytestmark = pytest.mark.usefixtures("data_dir")


@pytest.fixture(scope="module")
def spoken_thank_you(tmp_path_factory):
    path = tmp_path_factory.mktemp("spoken") / "thank-you.wav"
    sf.write(path, speak("thank you", Voice("en-us", 150)), SR)
    return path


def test_attempts_json_and_csv_list_the_words_of_checked_attempts_only(capsys, spoken_thank_you, tmp_path):
    assert main(["patients", "add", "Ann", "--low", "A3"]) == 0
    for words in (["--words"], []):
        assert main(["score", "greetings", "thank-you", str(spoken_thank_you), "--patient", "Ann", "--save",
                     "--json", "--mode", "sprechgesang", "--step", "spoken-delayed", *words]) == 0
    capsys.readouterr()
    assert main(["attempts", "Ann", "--json"]) == 0
    unchecked, checked = json.loads(capsys.readouterr().out)  # newest first
    assert unchecked["words"] is None
    assert [(w["word"], w["said"]) for w in checked["words"]] == [("thank", True), ("you", True)]
    assert checked["words"][0]["start_s"] < checked["words"][1]["start_s"]

    assert main(["attempts", "Ann", "--csv"]) == 0
    rows = list(csv.DictReader(io.StringIO(capsys.readouterr().out)))
    assert [r["words"] for r in rows] == ["", "thank you"]
    out = tmp_path / "attempts.csv"
    assert main(["export", "Ann", "-o", str(out)]) == 0
    assert [r["words"] for r in csv.DictReader(out.open())] == ["", "thank you"]
