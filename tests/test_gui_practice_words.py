"""The word check in the practice window: a spoken step's take is checked after its result is
on screen, the patient is told gently what was heard, the words decide the pass where the
patient's setting asks for it, and they are stored with the attempt.

The takes are spoken by an espeak-ng voice and go through the window's own live worker (save,
score, word check), without a sound device.
"""

from __future__ import annotations

import os
from datetime import UTC, datetime

import numpy as np
import pytest
from word_takes import SR, Voice, speak

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from PySide6.QtCore import Qt

from mitpractice.gui.practice.session import Phase
from mitpractice.practice.spoken import words_setting_key


@pytest.fixture(scope="module")
def spoken():
    """The bundled "See you soon", and another phrase as long, said with a second of quiet around."""
    quiet = np.zeros(SR, np.float32)
    return {text: np.concatenate([quiet, speak(text, voice).astype(np.float32), quiet])
            for text, voice in (("see you soon", Voice("en-us+m3", 120)),
                                ("how are you", Voice("en-us", 100)))}


def _window(qtbot, *, words: str | None = None):
    """The practice window for an advanced patient practising "See you soon" (``words``: the
    therapist's "on"/"off", or None for the level's default)."""
    from mitpractice.gui.app import make_app, style
    from mitpractice.gui.practice.window import PracticeWindow
    from mitpractice.store import Store

    with Store.open() as store:
        patient = store.add_patient("Ann", level="advanced")
        # A synthetic voice speaks evenly, where the phrase's rhythm holds its last word: the
        # therapist's low pass score for this step lets the rhythm pass, so the words decide.
        store.update_patient(patient.id, thresholds={"spoken-delayed": 5.0})
        store.assign(patient.id, "greetings", ["see-you-soon"])
        if words is not None:
            store.set_setting(words_setting_key(patient.id), words)
    style(make_app())
    window = PracticeWindow()
    qtbot.addWidget(window)
    window.resize(1366, 768)
    window.show()
    with qtbot.waitSignal(window.practice_ready, timeout=20_000):
        pass
    qtbot.keyClick(window, Qt.Key.Key_Space)  # skips "How are you feeling?"
    return window


def _take(qtbot, window, step_id: str, audio: np.ndarray) -> float:
    """A take of ``audio`` at ``step_id`` through the live worker, as the window's microphone
    hands it over; returns the seconds from the take's end to its words on screen."""
    import time

    from mitpractice.gui.practice.workers import TakeEnd, TakePlan
    from mitpractice.practice.takes import noise_floor_dbfs
    from mitpractice.store.records import NewAttempt

    c = window.controller
    c.jump_to_step(step_id)
    p = c.patient
    attempt = NewAttempt(patient_id=p.id, set_id=c.item.set_id, phrase_id=c.item.phrase.id, step=step_id,
                         started_at=datetime.now(UTC), low_hz=p.low_hz, interval=p.interval, tempo=p.tempo,
                         mode=c.step.mode)
    c.flow.phase = Phase.SCORING  # the take has ended
    c._voice_start_s, c._along = None, False
    shown: list[str] = []
    c.feedback_shown.connect(lambda _s: shown.append(window.practice.result_label.text()))
    c.live.begin.emit(TakePlan(c.melody, c.step.mode, 0.0, noise_floor_dbfs(audio[:SR // 2], SR), 0.0,
                               False, SR))
    c.live.push.emit(audio)
    c._take_ended_at, c._end_reason = time.perf_counter(), "pause"  # ended by the quiet after it
    with qtbot.waitSignal(c.words_shown, timeout=60_000) as blocker:
        c.live.finish.emit(TakeEnd(audio, SR, attempt, None, ()))
    assert shown and shown[0], "the result was on screen before the words"
    return blocker.args[0]


def test_the_patient_sees_what_was_heard_after_the_result_and_the_words_are_stored(fresh_data, qtbot, spoken):
    window = _window(qtbot)  # advanced: the words count by default
    p = window.practice
    _take(qtbot, window, "spoken-delayed", spoken["see you soon"])
    assert p.result_label.text()  # the melody and rhythm result stays
    # "soon" is not surely heard: undecided, it neither shows nor fails the take.
    assert p.heard.isVisible() and p.heard.text() == "I heard: see you …"
    assert "✗" not in p.heard.text()
    c = window.controller
    assert c.flow.passed and c.flow.words_verdict is True
    assert p.main_button.text().startswith("Next: Answer")
    qtbot.waitUntil(lambda: "words" in window.store.attempts().attempts[0].score_json, timeout=10_000)
    (stored,) = window.store.attempts().attempts
    words = stored.score_json["words"]
    assert [(w["word"], w["said"]) for w in words] == [("see", True), ("you", True), ("soon", None)]
    # At their times in the take (its first second is quiet), though the check read less of it.
    assert 1.0 <= words[0]["start_s"] < words[1]["end_s"] <= 1.0 + 2.0
    window.close()


def test_other_words_fail_the_spoken_step_gently_and_it_goes_one_step_back(fresh_data, qtbot, spoken):
    window = _window(qtbot)
    p = window.practice
    _take(qtbot, window, "spoken-delayed", spoken["how are you"])
    c = window.controller
    assert c.last_result.score.overall >= 5  # its rhythm passes: the words fail it
    assert c.flow.words_verdict is False and not c.flow.passed
    assert p.heard.text() == "I heard: … you …"  # what was heard, never a mark on a word
    assert p.main_button.text().startswith("One step back: Keep speaking")
    window.close()


def test_with_the_setting_off_the_words_are_kept_but_the_rhythm_alone_decides(fresh_data, qtbot, spoken):
    window = _window(qtbot, words="off")
    _take(qtbot, window, "spoken-delayed", spoken["how are you"])
    c = window.controller
    assert c.flow.passed and c.flow.words_verdict is None
    # checked and kept for the therapist
    qtbot.waitUntil(lambda: "words" in window.store.attempts().attempts[0].score_json, timeout=10_000)
    window.close()


def test_words_that_cannot_be_stored_do_not_tell_the_patient_their_take_was_not_saved(qtbot):
    """The take is saved before its words are checked: a store that fails to add the words
    must not bring up "Your singing could not be saved ... will be saved when the app starts
    again" (the take is saved, and nothing is saved at the next start)."""
    from mitpractice.errors import StoreError
    from mitpractice.gui.practice.workers import LiveWorker, WordsJob
    from mitpractice.scoring import Score

    class FailingStore:
        def set_score(self, attempt_id, score):
            raise StoreError("the database went away")

    worker = LiveWorker(FailingStore())
    failed, checked = [], []
    worker.failed.connect(failed.append)
    worker.words.connect(checked.append)
    score = Score(phrase_id="thank-you", voiced=True, melodic=10.0, rhythmic=80.0, overall=80.0,
                  interval_semitones=None, tempo_ratio=None, syllables=(), feedback=(), mode="sprechgesang")
    worker.check_words(WordsJob("a1", np.zeros(SR, np.float32), SR, "Thank you", score))
    assert [c.attempt_id for c in checked] == ["a1"]  # the patient still sees the words
    assert failed == []


def test_a_score_that_cannot_be_stored_does_not_tell_the_patient_their_take_was_not_saved(qtbot):
    """The same for the take's score: the take is saved (``saved``), so a failure to add its
    score is no "could not be saved" for the patient; the therapist can score it later."""
    from scoring_cases import melody

    from mitpractice.errors import StoreError
    from mitpractice.gui.practice.workers import LiveWorker, TakeEnd, TakePlan
    from mitpractice.store import NewAttempt

    class ScoreFailingStore:
        def save_attempt(self, new, audio, sr):
            return new

        def set_score(self, attempt_id, score):
            raise StoreError("the database went away")

    worker = LiveWorker(ScoreFailingStore())
    failed, saved = [], []
    worker.failed.connect(failed.append)
    worker.saved.connect(saved.append)
    room = (0.001 * np.random.default_rng(0).standard_normal(SR)).astype(np.float32)
    worker.begin(TakePlan(melody("thank-you"), "sprechgesang", 0.0, -60.0, 0.0, False, SR))
    worker.push(room)
    new = NewAttempt(patient_id="p1", set_id="greetings", phrase_id="thank-you", step="spoken-delayed",
                     started_at=datetime.now(UTC), low_hz=220.0, interval=3, tempo=60, mode="sprechgesang")
    worker.finish(TakeEnd(room, SR, new, None, ()))
    assert len(saved) == 1
    assert failed == []


def test_practice_opens_when_the_computer_s_sound_settings_cannot_be_read(fresh_data, qtbot, monkeypatch):
    """The round trip and the room's echo kept for this computer are read as the practice
    starts; a store that fails just there (locked, a dropped connection) leaves them to be
    measured again, not the window without its practice."""
    from mitpractice.errors import StoreError
    from mitpractice.gui.practice.session import ECHO_SETTING, LATENCY_SETTING
    from mitpractice.store import Store

    real = Store.setting

    def setting(self, key, default=None):
        if key in (ECHO_SETTING, LATENCY_SETTING):
            raise StoreError("database is locked")
        return real(self, key, default)

    monkeypatch.setattr(Store, "setting", setting)
    window = _window(qtbot)
    c = window.controller
    assert c is not None and c.latency_s is None and c.echo_path is None
