"""Scoring stored attempts that have no score (recovered after a crash, scoring failed), without
Qt, on a real SQLite file: the score comes from the stored recording and the attempt's own
settings, and equals what scoring the take at once would have given."""

from __future__ import annotations

from datetime import UTC, datetime

import numpy as np
import pytest

from mitpractice.errors import StoreError
from mitpractice.melody import set_melody
from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
from mitpractice.scoring import score_audio
from mitpractice.store import NewAttempt, Store
from mitpractice.store.rescore import score_stored_attempt, score_unscored
from mitpractice.synth.targets import sung_target

LOW_HZ = 196.0


@pytest.fixture
def store(tmp_path):
    with Store.open(f"sqlite:///{tmp_path / 'store.sqlite3'}") as opened:
        yield opened


@pytest.fixture(scope="module")
def sung():
    """'Thank you' sung on the patient's tune (the app's own sung voice as the attempt)."""
    phrase_set = load_phrase_set(bundled_phrases_dir() / "greetings.toml")
    phrase = phrase_set.phrase("thank-you")
    melody = set_melody(phrase_set, phrase, low=LOW_HZ)
    target = sung_target(phrase_set.id, phrase, melody)
    return np.asarray(target.audio, dtype=np.float32), target.sr, melody


def _save(store, patient_id, audio, sr, **extra):
    return store.save_attempt(
        NewAttempt(patient_id=patient_id, set_id="greetings", phrase_id="thank-you", step="repeat",
                   started_at=datetime.now(UTC), low_hz=LOW_HZ, interval=3.0, tempo=60.0, **extra),
        audio, sr,
    )


def test_a_recovered_attempt_is_scored_from_its_stored_recording(store, sung):
    audio, sr, melody = sung
    ann = store.add_patient("Ann")
    saved = _save(store, ann.id, audio, sr, recovered=True)
    assert not saved.scored and store.unscored_attempts() == [saved.id]

    scored = score_stored_attempt(store, saved.id)

    assert scored.scored and scored.voiced and scored.recovered
    expected = score_audio(audio, sr, melody, model=saved.model, mode=saved.mode)
    assert scored.overall == pytest.approx(expected.overall, abs=1.0)
    assert scored.overall >= 70  # the tune itself, sung on the attempt's own notes
    assert store.attempt(saved.id).overall == scored.overall  # stored
    assert store.unscored_attempts() == []


def test_every_unscored_attempt_is_scored_and_one_that_cannot_be_is_reported(store, sung):
    audio, sr, _ = sung
    ann = store.add_patient("Ann")
    first = _save(store, ann.id, audio, sr, recovered=True)
    second = _save(store, ann.id, np.zeros(sr, np.float32), sr)  # silence: scored as not voiced
    broken = _save(store, ann.id, audio, sr, model="no-such-tracker")  # e.g. a newer version's
    scored, failed = score_unscored(store)
    assert {a.id for a in scored} == {first.id, second.id}
    assert [attempt_id for attempt_id, _ in failed] == [broken.id] and "no-such-tracker" in failed[0][1]
    assert store.attempt(second.id).scored and not store.attempt(second.id).voiced
    assert score_unscored(store)[0] == []  # nothing twice; the broken one is left for next time
    assert store.unscored_attempts() == [broken.id]

    with pytest.raises(StoreError, match="no attempt"):
        score_stored_attempt(store, "not-an-attempt")


def _damaged_record(audio, sr):
    """A sing-along record damaged past what its reading checks (an echo path with no band):
    it fails deep in the scorer, with no error of the app's own."""
    from mitpractice.practice.echo import EchoPath, EchoRecord
    from mitpractice.practice.replay import PlayedTarget, SingAlongRecord

    path = EchoPath(sr=sr, response=np.r_[0.5, np.zeros(99)], offset_s=0.1, return_db=-6.0,
                    cancellation_db=25.0, band_hz=0.0)
    return SingAlongRecord(target=PlayedTarget.of(audio, hum=False, taps=False, fade=False),
                           target_start_s=0.5, echo=EchoRecord(path=path, played_at_s=0.4), referee=None)


def test_an_attempt_that_fails_in_an_unforeseen_way_is_reported_and_the_others_are_scored(store, sung):
    """That attempt is reported, and the ones after it are scored."""
    audio, sr, _ = sung
    ann = store.add_patient("Ann")
    damaged = _save(store, ann.id, audio, sr, sing_along=_damaged_record(audio, sr))
    after = _save(store, ann.id, audio, sr, recovered=True)

    scored, failed = score_unscored(store)

    assert [a.id for a in scored] == [after.id]
    assert [attempt_id for attempt_id, _ in failed] == [damaged.id] and failed[0][1].startswith("ValueError")
    assert store.unscored_attempts() == [damaged.id]


def test_the_review_draws_the_recording_of_an_attempt_whose_record_cannot_be_replayed(store, sung):
    """The therapist still sees and hears the attempt: its raw recording's pitch line."""
    from mitpractice.gui.therapist.review import load_detail
    from mitpractice.pitch import track_pitch

    audio, sr, _ = sung
    ann = store.add_patient("Ann")
    damaged = _save(store, ann.id, audio, sr, sing_along=_damaged_record(audio, sr))
    detail = load_detail(store, damaged)
    stored, _ = store.attempt_audio(damaged.id)
    np.testing.assert_array_equal(detail.track.f0_hz, track_pitch(stored, sr, damaged.model).f0_hz)


def test_scoring_stops_when_asked(store, sung):
    audio, sr, _ = sung
    ann = store.add_patient("Ann")
    for _ in range(3):
        _save(store, ann.id, audio, sr, recovered=True)
    calls = []

    def stop():
        calls.append(1)
        return len(calls) > 1

    scored, _ = score_unscored(store, stop)
    assert len(scored) == 1 and len(store.unscored_attempts()) == 2
