"""The word check's screens fit every screen size, from 1024x600 to 1920x1080 (the checks of
tests/test_gui_layout.py): the practice window's result with "I heard: …", the review with its
words row, the patient's settings with "Spoken steps need the words".

With ``MITPRACTICE_SCREENSHOTS=docs/img`` each is kept as ``fit-<screen>-<width>x<height>.png``.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")
sys.path.insert(0, str(Path(__file__).resolve().parent))

from layout_check import layout_problems
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication
from test_gui_layout import SIZES, demo_file  # noqa: F401 (a fixture)

from mitpractice.gui.practice.session import Phase
from mitpractice.words import WordResult


def _check(window, name: str, size: tuple[int, int]) -> None:
    QApplication.processEvents()
    assert (window.width(), window.height()) == size, f"{name}: the window did not fit {size}"
    problems = layout_problems(window)
    folder = os.environ.get("MITPRACTICE_SCREENSHOTS")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        window.grab().save(str(Path(folder) / f"fit-{name}-{size[0]}x{size[1]}.png"))
    assert not problems, f"{name} at {size}:\n" + "\n".join(problems)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_result_of_a_spoken_step_with_the_words_heard_fits(fresh_data, qtbot, size):
    from mitpractice.gui.app import make_app, style
    from mitpractice.gui.practice.window import PracticeWindow
    from mitpractice.gui.practice.workers import TakeOutcome, WordsOutcome
    from mitpractice.scoring import SyllableResult
    from mitpractice.store import Store

    with Store.open() as store:  # the longest phrase of the bundled sets, at the advanced level
        patient = store.add_patient("Ann Example", level="advanced")
        store.assign(patient.id, "answers", ["my-daughter-is-coming-tomorrow"])
    style(make_app())
    window = PracticeWindow()
    qtbot.addWidget(window)
    window.resize(*size)
    window.show()
    with qtbot.waitSignal(window.practice_ready, timeout=20_000):
        pass
    qtbot.keyClick(window, Qt.Key.Key_Space)  # "How are you feeling?" skipped
    c = window.controller
    c.jump_to_step("spoken-delayed")
    syllables = tuple(
        SyllableResult(index=n.index, text=n.syllable, target=n.level, detected=True, pitch_ok=True,
                       timing_ok=n.index != 2, onset_s=1.0 + n.onset_s, offset_s=1.0 + n.offset_s)
        for n in c.melody.notes)
    score = SimpleNamespace(overall=78.0, voiced=True, melodic=10.0, syllables=syllables, tempo_ratio=1.0,
                            feedback=["Well done!", "Keep the beat even."])
    score.to_json = lambda: {"tempo_ratio": 1.0, "syllables": [s.to_json() for s in syllables]}
    c.live.check_words.disconnect()  # this screen shows the words handed over below
    c.flow.phase = Phase.SCORING
    c._on_outcome(TakeOutcome(attempt_id="a", result=SimpleNamespace(score=score, together=None),
                              audio=np.zeros(16_000, np.float32), sr=16_000, taps_s=()))
    said = {"my": True, "daughter": True, "is": False, "coming": None, "tomorrow": True}
    c._on_words(WordsOutcome("a", tuple(WordResult(word=w, said=s, confidence=0.5) for w, s in said.items())))
    assert window.practice.heard.text() == "I heard: my daughter … tomorrow"
    _check(window, "practice-result-words", size)
    window.close()


@pytest.fixture(scope="module")
def spoken_take():
    """ "See you soon" said by an espeak-ng voice, scored and word-checked for real."""
    from dataclasses import replace

    from word_takes import SR, Voice, speak

    from mitpractice.melody import target_melody
    from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
    from mitpractice.scoring import score_audio
    from mitpractice.words import check_words

    phrase = load_phrase_set(bundled_phrases_dir() / "greetings.toml").phrase("see-you-soon")
    quiet = np.zeros(SR // 2, np.float32)
    audio = np.concatenate([quiet, speak("how are you", Voice("en-us", 100)).astype(np.float32), quiet])
    score = score_audio(audio, SR, target_melody(phrase, 130.8, 3.0, 60.0), mode="sprechgesang")
    return audio, replace(score, words=check_words(audio, SR, phrase.text))


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[0]}x{s[1]}")
def test_the_review_with_its_words_row_and_the_words_setting_fit(tmp_path, demo_file, spoken_take, qtbot,  # noqa: F811
                                                                 size):
    from datetime import UTC, date, datetime, time

    from mitpractice.gui.app import make_app
    from mitpractice.gui.therapist.window import Workspace
    from mitpractice.gui.workers import wait_for_jobs
    from mitpractice.store import Store
    from mitpractice.store.records import NewAttempt

    make_app()
    copy = tmp_path / "demo.sqlite3"
    shutil.copy(demo_file, copy)
    with Store.open(f"sqlite:///{copy}") as store:
        patient = store.patients()[0]
        store.assign(patient.id, "greetings", ["see-you-soon"])
        audio, score = spoken_take
        # The demo's takes are at 10:00-10:59 here, today too: the spoken take comes after them
        # at any time of day (with the clock's time it was not the newest before 10:00).
        newest = datetime.combine(date.today(), time(11)).astimezone(UTC)
        attempt = store.save_attempt(NewAttempt(
            patient_id=patient.id, set_id="greetings", phrase_id="see-you-soon", step="spoken-delayed",
            started_at=newest, low_hz=patient.low_hz, interval=patient.interval,
            tempo=patient.tempo, mode="sprechgesang"), audio, 16_000)
        store.set_score(attempt.id, score)
        window = Workspace(store)
        qtbot.addWidget(window)
        window.resize(*size)
        window.show()
        window.show_page("review")
        page = window.pages["review"]
        page.table.selectRow(0)  # the newest: the spoken take
        qtbot.waitUntil(lambda: page.detail is not None, timeout=60_000)
        assert page.detail.attempt.id == attempt.id and page.words_row.isVisible()
        _check(window, "therapist-review-words", size)
        window.show_page("patients")
        assert window.pages["patients"].words.isVisible()
        _check(window, "therapist-patients-words", size)
        window.close()
        wait_for_jobs()
