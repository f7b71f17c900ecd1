"""The store's API on a real SQLite file and on a real PostgreSQL server: patients, phrase sets,
assignments, attempts with their audio, the review query and progress."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import numpy as np
import pytest

from mitpractice.errors import PhraseError, StoreError
from mitpractice.phrases import bundled_phrases_dir
from mitpractice.store import AttemptQuery, NewAttempt, Store


@pytest.fixture
def store(store_on_each_backend) -> Store:
    return store_on_each_backend


def tone(seconds: float = 1.0, sr: int = 16_000, hz: float = 220.0) -> np.ndarray:
    t = np.arange(int(seconds * sr)) / sr
    return (0.3 * np.sin(2 * np.pi * hz * t)).astype(np.float32)


def take(
    patient_id: str,
    phrase_id: str = "thank-you",
    *,
    set_id: str = "greetings",
    when: datetime | None = None,
    step: str = "unison",
    **extra,
) -> NewAttempt:
    return NewAttempt(
        patient_id=patient_id,
        set_id=set_id,
        phrase_id=phrase_id,
        step=step,
        started_at=when or datetime.now(UTC),
        low_hz=220.0,
        interval=3.0,
        tempo=60.0,
        **extra,
    )


class FakeScore:
    """What :meth:`Store.set_score` reads of a Score: its JSON and model."""

    def __init__(self, melodic: float, rhythmic: float, voiced: bool = True) -> None:
        self.model = "crepe-tiny"
        self._json = {
            "phrase_id": "thank-you",
            "voiced": voiced,
            "melodic": melodic,
            "rhythmic": rhythmic,
            "overall": (melodic + rhythmic) / 2,
            "mode": "sung",
            "syllables": [],
            "feedback": [],
        }

    def to_json(self) -> dict:
        return self._json


def test_patients_are_created_edited_listed_and_found_by_name(store):
    ann = store.add_patient("Ann Smith", low="A3", interval=4, tempo=50, level="intermediate")
    store.add_patient("Bob Jones")
    assert ann.low_hz == pytest.approx(220.0)
    assert (ann.interval, ann.tempo, ann.level) == (4.0, 50.0, "intermediate")
    assert [p.name for p in store.patients()] == ["Ann Smith", "Bob Jones"]
    assert store.find_patient("ann smith").id == ann.id
    assert store.find_patient("Bo").name == "Bob Jones"
    assert store.find_patient(ann.id[:8]).id == ann.id
    changed = store.update_patient(ann.id, tempo=45, tapping=True, thresholds={"unison": 70})
    assert (changed.tempo, changed.tapping, changed.thresholds) == (45.0, True, {"unison": 70.0})
    assert changed.updated_at >= ann.updated_at
    assert store.patient(ann.id).tempo == 45.0


def test_bad_patients_and_unknown_names_are_one_clear_error(store):
    store.add_patient("Ann Smith")
    store.add_patient("Ann Brown")
    with pytest.raises(StoreError, match="several patients"):
        store.find_patient("ann")
    with pytest.raises(StoreError, match="no patient 'Zoe'"):
        store.find_patient("Zoe")
    with pytest.raises(StoreError, match="low pitch"):
        store.add_patient("Carl", low="H9")
    with pytest.raises(StoreError, match="tempo"):
        store.add_patient("Carl", tempo=1000)
    with pytest.raises(StoreError, match="level"):
        store.add_patient("Carl", level="expert")
    with pytest.raises(StoreError, match="name"):
        store.add_patient("   ")


def test_clinical_test_results_are_kept_by_date(store):
    ann = store.add_patient("Ann")
    store.add_test_result(ann.id, "WAB", date(2026, 10, 1), 42.5)
    store.add_test_result(ann.id, "notes", date(2026, 9, 1), text="first visit: fluent repetition")
    results = store.test_results(ann.id)
    assert [(r.test, r.taken_on, r.value) for r in results] == [
        ("notes", date(2026, 9, 1), None),
        ("WAB", date(2026, 10, 1), 42.5),
    ]
    with pytest.raises(StoreError):
        store.add_test_result(ann.id, "BNT", date(2026, 10, 1))


def test_a_phrase_set_is_kept_as_its_text_so_later_edits_do_not_change_old_attempts(store, tmp_path):
    source = (bundled_phrases_dir() / "greetings.toml").read_text("utf-8")
    path = tmp_path / "greetings.toml"
    path.write_text(source, "utf-8")
    first = store.import_phrase_set(path)
    assert store.import_phrase_set(path).id == first.id  # the same text is kept once
    ann = store.add_patient("Ann")
    store.assign(ann.id, "greetings", ["thank-you"])
    old = store.save_attempt(take(ann.id), tone(), 16_000)

    path.write_text(source.replace('text = "Thank you"', 'text = "Thanks a lot"'), "utf-8")
    second = store.import_phrase_set(path)
    assert second.id != first.id
    assert store.phrase_set("greetings").phrase("thank-you").text == "Thanks a lot"
    assert store.phrase_set(old.phrase_set_id).phrase("thank-you").text == "Thank you"
    new = store.save_attempt(take(ann.id), tone(), 16_000)
    assert new.phrase_set_id == second.id


def test_assignments_trained_and_probe_and_bundled_sets_on_first_use(store):
    ann = store.add_patient("Ann")
    trained = store.assign(ann.id, "greetings")  # a bundled set, imported on first use
    assert trained and not any(a.probe for a in trained)
    store.assign(ann.id, "needs", ["i-want-some-water"], probe=True)
    mine = store.assignments(ann.id)
    assert ("needs", "i-want-some-water", True) in [(a.set_id, a.phrase_id, a.probe) for a in mine]
    assert len(mine) == len(trained) + 1
    store.assign(ann.id, "needs", ["i-want-some-water"])  # again: now trained, still once
    assert [a.probe for a in store.assignments(ann.id) if a.set_id == "needs"] == [False]
    assert store.unassign(ann.id, "greetings", ["hello"]) == 1
    assert "hello" not in {a.phrase_id for a in store.assignments(ann.id)}
    assert store.unassign(ann.id, "greetings", ["hello"]) == 0  # off the programme already
    again = store.assign(ann.id, "greetings", ["hello"], probe=True)  # back on it
    assert [(a.phrase_id, a.probe) for a in again] == [("hello", True)]
    programme = [(a.set_id, a.phrase_id, a.probe) for a in store.assignments(ann.id)]
    assert ("greetings", "hello", True) in programme
    assert store.unassign(ann.id, "greetings") == len(trained)
    assert [a.set_id for a in store.assignments(ann.id)] == ["needs"]
    with pytest.raises(PhraseError):
        store.assign(ann.id, "needs", ["no-such-phrase"])
    with pytest.raises(StoreError):
        store.assign(ann.id, "no-such-set")


def test_an_attempt_is_saved_with_its_audio_then_scored_then_reviewed(store):
    ann = store.add_patient("Ann")
    session = store.start_session(ann.id)
    audio = tone(2.0)
    saved = store.save_attempt(
        take(ann.id, session_id=session.id, taps_s=(0.5, 1.5), tapping=True), audio, 16_000
    )
    assert not saved.scored and saved.duration_s == pytest.approx(2.0)
    assert saved.taps_s == (0.5, 1.5) and saved.syllables == 2
    y, sr = store.attempt_audio(saved.id)
    assert sr == 16_000
    np.testing.assert_allclose(y, audio, atol=1 / 2**15)

    scored = store.set_score(saved.id, FakeScore(80, 60))
    assert (scored.voiced, scored.melodic, scored.rhythmic, scored.overall) == (True, 80, 60, 70)
    assert scored.score_json["melodic"] == 80
    reviewed = store.review(saved.id, override=85, note="good effort", flagged=True)
    assert (reviewed.override, reviewed.note, reviewed.flagged, reviewed.final_score) == (
        85,
        "good effort",
        True,
        85,
    )
    assert store.review(saved.id, override=None).override is None
    with pytest.raises(StoreError):
        store.review(saved.id, override=120)
    store.end_session(session.id)


def test_a_recovered_take_is_stored_once(store):
    ann = store.add_patient("Ann")
    first = store.save_attempt(
        take(ann.id, id="7f1e1a52-0000-4000-8000-000000000001", recovered=True), tone(), 16_000
    )
    again = store.save_attempt(take(ann.id, id=first.id, recovered=True), tone(), 16_000)
    assert again.id == first.id and first.recovered
    assert store.attempts(AttemptQuery(patient_id=ann.id)).total == 1


def test_the_review_query_filters_sorts_and_pages(store):
    ann, bob = store.add_patient("Ann"), store.add_patient("Bob")
    start = datetime(2026, 11, 1, 9, tzinfo=UTC)
    for i in range(30):
        phrase = "thank-you" if i % 2 else "good-morning"
        saved = store.save_attempt(
            take(ann.id, phrase, when=start + timedelta(days=i), step="unison" if i < 20 else "repeat"),
            tone(0.5),
            16_000,
        )
        store.set_score(saved.id, FakeScore(i * 3, i * 3))
        if i % 10 == 0:
            store.review(saved.id, flagged=True)
    store.save_attempt(take(bob.id, when=start), tone(0.5), 16_000)

    everything = store.attempts(AttemptQuery(patient_id=ann.id, limit=10))
    assert everything.total == 30 and len(everything.attempts) == 10
    assert everything.attempts[0].started_at == start + timedelta(days=29)  # newest first
    second = store.attempts(AttemptQuery(patient_id=ann.id, limit=10, offset=10))
    assert not {a.id for a in second.attempts} & {a.id for a in everything.attempts}

    q = store.attempts(
        AttemptQuery(
            patient_id=ann.id,
            phrase_id="thank-you",
            step="unison",
            min_score=30,
            max_score=60,
            sort="overall",
            descending=False,
        )
    )
    assert [a.overall for a in q.attempts] == [33, 39, 45, 51, 57]
    assert store.attempts(AttemptQuery(flagged=True)).total == 3
    window = store.attempts(
        AttemptQuery(patient_id=ann.id, since=start + timedelta(days=5), until=start + timedelta(days=8))
    )
    assert window.total == 3
    assert len(list(store.iter_attempts(AttemptQuery(patient_id=ann.id)))) == 30
    with pytest.raises(StoreError):
        store.attempts(AttemptQuery(sort="name"))


def test_progress_per_day_keeps_trained_and_probe_phrases_apart(store):
    ann = store.add_patient("Ann")
    store.assign(ann.id, "greetings", ["thank-you"])
    store.assign(ann.id, "needs", ["i-want-some-water"], probe=True)
    day = datetime(2026, 11, 2, 10, tzinfo=UTC)
    for minute, (set_id, phrase, melodic) in enumerate(
        [("greetings", "thank-you", 60), ("greetings", "thank-you", 80), ("needs", "i-want-some-water", 40)]
    ):
        saved = store.save_attempt(
            take(ann.id, phrase, set_id=set_id, when=day + timedelta(minutes=minute)), tone(3.0), 16_000
        )
        store.set_score(saved.id, FakeScore(melodic, 50))
    unvoiced = store.save_attempt(take(ann.id, when=day + timedelta(days=1)), tone(6.0), 16_000)
    store.set_score(unvoiced.id, FakeScore(0, 0, voiced=False))

    rows = store.progress(ann.id)
    by_key = {(r.day, r.probe): r for r in rows}
    trained = by_key[(date(2026, 11, 2), False)]
    probe = by_key[(date(2026, 11, 2), True)]
    assert (trained.attempts, trained.melodic, trained.rhythmic, trained.longest_phrase) == (2, 70, 50, 2)
    assert trained.minutes == pytest.approx(0.1)
    assert (probe.attempts, probe.melodic, probe.longest_phrase) == (1, 40, 5)
    next_day = by_key[(date(2026, 11, 3), False)]
    assert next_day.melodic is None and next_day.minutes == pytest.approx(0.1)


def test_recorded_models_replace_each_other_per_patient(store):
    ann = store.add_patient("Ann")
    store.save_recorded_model("greetings", "thank-you", None, tone(), 16_000, {"n": 1})
    store.save_recorded_model("greetings", "thank-you", None, tone(), 16_000, {"n": 2})
    store.save_recorded_model("greetings", "thank-you", ann.id, tone(), 16_000, {"n": 3})
    assert store.recorded_model("greetings", "thank-you", None).notes == {"n": 2}
    assert store.recorded_model("greetings", "thank-you", ann.id).notes == {"n": 3}
    assert store.forget_recorded_model("greetings", "thank-you", ann.id)
    assert store.recorded_model("greetings", "thank-you", ann.id) is None


def test_settings_and_emptiness(store):
    assert store.is_empty()
    assert store.setting("latency_s") is None
    store.set_setting("latency_s", "0.12")
    store.set_setting("latency_s", "0.10")
    assert store.setting("latency_s") == "0.10"
    store.add_patient("Ann")
    assert not store.is_empty()
