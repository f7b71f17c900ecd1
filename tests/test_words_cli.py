"""``mitpractice score --words``: the JSON's ``words`` (DESIGN.md contract), the summary's marks,
the words stored with a saved attempt and its Praat ``words`` tier; without ``--words`` the
recogniser is not even imported."""

from __future__ import annotations

import json
import subprocess
import sys

import numpy as np
import pytest
import soundfile as sf
from praatio import textgrid
from word_takes import SR, Voice, speak

from mitpractice.cli import main
from mitpractice.phrases import bundled_phrases_dir
from mitpractice.reports.textgrid import TIERS, WORDS_TIER

GREETINGS = bundled_phrases_dir() / "greetings.toml"


pytestmark = pytest.mark.usefixtures("data_dir")


@pytest.fixture(scope="module")
def spoken_other(tmp_path_factory):
    path = tmp_path_factory.mktemp("spoken") / "come-home.wav"
    sf.write(path, speak("come home", Voice("en-us", 150)), SR)
    return path


def run(capsys, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_json_gains_one_word_object_per_word_of_the_phrase(capsys, spoken_thank_you, spoken_other):
    code, out, _ = run(capsys, "score", str(GREETINGS), "thank-you", str(spoken_thank_you),
                       "--words", "--json")
    assert code == 0
    words = json.loads(out)["words"]
    assert [w["word"] for w in words] == ["thank", "you"]
    for w in words:
        assert set(w) == {"word", "said", "confidence", "start_s", "end_s"}
        assert w["said"] is not False  # said, or missed by the decoder: never "not said"
        assert (w["said"] is True) == (0.6 <= w["confidence"] <= 1)
    heard = [w for w in words if w["start_s"] is not None]
    assert [w["word"] for w in words if w["said"]] == ["you"] and heard
    for w in heard:
        assert 0 <= w["start_s"] < w["end_s"] <= sf.info(str(spoken_thank_you)).duration

    code, out, _ = run(capsys, "score", str(GREETINGS), "thank-you", str(spoken_other), "--words", "--json")
    words = json.loads(out)["words"]
    assert [w["said"] for w in words] != [True, True]
    for w in words:
        assert (w["start_s"] is None) == (w["end_s"] is None)
        if w["said"] is False and w["start_s"] is None:
            assert w["confidence"] < 0.3

    code, out, _ = run(capsys, "score", str(GREETINGS), "thank-you", str(spoken_thank_you), "--json")
    assert "words" not in json.loads(out)


def test_summary_marks_the_words_not_said(capsys, spoken_thank_you, tmp_path):
    code, out, _ = run(capsys, "score", str(GREETINGS), "thank-you", str(spoken_thank_you), "--words")
    assert code == 0 and "  words: thank [could not tell]  you\n" in out
    quiet = tmp_path / "quiet.wav"
    sf.write(quiet, np.zeros(SR, np.float32), SR)
    code, out, _ = run(capsys, "score", str(GREETINGS), "thank-you", str(quiet), "--words")
    assert "words: thank [not said]  you [not said]" in out


def test_saved_attempt_keeps_its_words_and_praat_gets_a_words_tier(capsys, spoken_thank_you, tmp_path):
    run(capsys, "patients", "add", "Ann", "--low", "A3")
    code, out, _ = run(capsys, "score", "greetings", "thank-you", str(spoken_thank_you), "--patient", "Ann",
                       "--save", "--words", "--json", "--mode", "sprechgesang", "--step", "spoken-delayed")
    assert code == 0
    scored = json.loads(out)
    from mitpractice.store import Store

    with Store.open() as store:
        assert store.attempt(scored["attempt_id"]).score_json["words"] == scored["words"]
    assert main(["textgrid", scored["attempt_id"][:8], "-o", str(tmp_path / "praat")]) == 0
    [path] = (tmp_path / "praat").glob("*.TextGrid")
    grid = textgrid.openTextgrid(str(path), includeEmptyIntervals=False)
    assert grid.tierNames == (*TIERS, WORDS_TIER)
    entries = grid.getTier(WORDS_TIER).entries
    heard = [w for w in scored["words"] if w["start_s"] is not None]
    marks = {True: "{}", None: "{}?", False: "({})"}
    assert [e.label for e in entries] == [marks[w["said"]].format(w["word"]) for w in heard]
    assert "you" in [e.label for e in entries]
    for e, w in zip(entries, heard, strict=True):
        assert e.start == pytest.approx(w["start_s"], abs=1e-3)
        assert e.end == pytest.approx(w["end_s"], abs=1e-3)


def test_scoring_without_words_does_not_load_the_recogniser_and_the_check_needs_no_qt(tmp_path):
    quiet = tmp_path / "quiet.wav"
    sf.write(quiet, np.zeros(SR // 2, np.float32), SR)
    code = (
        "import sys\nfrom mitpractice.cli import main\n"
        f"main(['score', {str(GREETINGS)!r}, 'thank-you', {str(quiet)!r}, '--json'])\n"
        "assert 'pocketsphinx' not in sys.modules and 'mitpractice.words' not in sys.modules\n"
        f"main(['score', {str(GREETINGS)!r}, 'thank-you', {str(quiet)!r}, '--json', '--words'])\n"
        "assert 'pocketsphinx' in sys.modules and 'PySide6' not in sys.modules\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr


def test_a_sung_take_has_every_word_marked_could_not_tell(capsys, tmp_path):
    """The app's own sung target, scored as a take: it was sung (its melody is there), so the
    check does not judge its words, and the summary says so word by word."""
    target = tmp_path / "sung.wav"
    assert main(["synth", str(GREETINGS), "good-morning", "-o", str(target), "--low", "C3"]) == 0
    capsys.readouterr()
    code, out, _ = run(capsys, "score", str(GREETINGS), "good-morning", str(target), "--words", "--json")
    assert code == 0
    words = json.loads(out)["words"]
    assert [w["word"] for w in words] == ["good", "morning"]
    assert [w["said"] for w in words] == [None, None]
    code, out, _ = run(capsys, "score", str(GREETINGS), "good-morning", str(target), "--words")
    assert "words: good [could not tell]  morning [could not tell]" in out
