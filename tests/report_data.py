"""A patient's five weeks of practice in a real SQLite store, for the report and TextGrid tests.

A few attempts are the bundled voice singing the target, stored with their audio and scored by
the real scorer (from frozen pitch tracks, tests/frozen_tracks.py); the rest reuse those scores'
JSON with melody and rhythm moved along a learning curve (trained phrases improve faster than
probes, tapping helps a little), so the charts have something to show and every number in the
report can be checked against them.
"""

from __future__ import annotations

import copy
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta

import frozen_tracks
import numpy as np

from mitpractice.store import NewAttempt, Store

#: The first day of the practice (a Monday) and how many weeks it runs.
FIRST_DAY = date(2026, 10, 5)
WEEKS = 5
TRAINED = ("thank-you", "good-morning", "hello")
PROBES = ("goodbye",)
SET_ID = "greetings"


@dataclass(frozen=True)
class StoredScore:
    """What :meth:`Store.set_score` reads of a Score: its JSON and its model."""

    data: dict
    model: str = "crepe-tiny"

    def to_json(self) -> dict:
        return self.data


@dataclass(frozen=True)
class Practice:
    store: Store
    patient_id: str
    real_ids: tuple[str, ...]  # attempts with real sung audio and the real scorer's score
    all_ids: tuple[str, ...]


def sung_attempt(phrase_id: str, low_hz: float, interval: float, tempo: float):
    """The bundled voice singing the phrase's target: audio, sr, the real scorer's Score of it
    and the target melody."""
    from mitpractice.melody import target_melody
    from mitpractice.phrases import bundled_phrases_dir, load_phrase_set
    from mitpractice.scoring import score_audio
    from mitpractice.synth import sung_target

    phrase = load_phrase_set(bundled_phrases_dir() / f"{SET_ID}.toml").phrase(phrase_id)
    melody = target_melody(phrase, low_hz, interval, tempo)
    target = sung_target(SET_ID, phrase, melody)
    return target.audio, target.sr, score_audio(target.audio, target.sr, melody, model="crepe-tiny"), melody


def moved(score: dict, melodic: float, rhythmic: float, voiced: bool = True) -> dict:
    """A copy of a real score's JSON with other melody and rhythm scores."""
    data = copy.deepcopy(score)
    data.update(voiced=voiced, melodic=round(melodic, 1), rhythmic=round(rhythmic, 1))
    data["overall"] = round((melodic + rhythmic) / 2, 1)
    if not voiced:  # as the scorer reports silence: every score 0, no syllable heard
        data.update(melodic=0.0, rhythmic=0.0, overall=0.0, interval_semitones=None, tempo_ratio=None,
                    target_start_s=None)
        data["syllables"] = [
            dict(s, detected=False, onset_s=None, offset_s=None, pitch_hz=None, pitch_semitones=None,
                 pitch_ok=False, timing_ok=False)
            for s in data["syllables"]
        ]
    return data


def practise(url: str, *, name: str = "Ann Example", real: int = 2) -> Practice:
    """Five weeks of practice, five days a week, for a new patient in the store at ``url``."""
    from mitpractice.scoring import score_audio

    store = Store.open(url)
    patient = store.add_patient(
        name, low="A3", interval=3, tempo=60, level="elementary", daily_goal_min=2,
        notes="Right hemiparesis; practises with her husband in the mornings.",
    )
    store.assign(patient.id, SET_ID, TRAINED)
    store.assign(patient.id, SET_ID, PROBES, probe=True)
    store.add_test_result(patient.id, "WAB", FIRST_DAY - timedelta(days=2), 41.5)
    store.add_test_result(patient.id, "BNT", FIRST_DAY + timedelta(days=16), 22)
    store.add_test_result(patient.id, "ANELT", FIRST_DAY + timedelta(days=17), text="A-scale 28")
    store.add_test_result(patient.id, "WAB", FIRST_DAY + timedelta(weeks=WEEKS) - timedelta(days=1), 48)

    sung = {}
    with frozen_tracks.tracking():
        for phrase_id in (*TRAINED, *PROBES):
            sung[phrase_id] = sung_attempt(phrase_id, patient.low_hz, patient.interval, patient.tempo)
    real_ids, all_ids = [], []
    rng = np.random.default_rng(7)
    for week in range(WEEKS):
        for weekday in range(5):
            day = FIRST_DAY + timedelta(weeks=week, days=weekday)
            progress = (week * 5 + weekday) / (WEEKS * 5)
            tapping = weekday % 2 == 0
            for n, phrase_id in enumerate((*TRAINED, *PROBES) * 2):
                if week == 0 and phrase_id == "good-morning":
                    continue  # a longer phrase is added in the second week
                audio, sr, score, _ = sung[phrase_id]
                when = datetime.combine(day, datetime.min.time(), UTC) + timedelta(hours=9, minutes=2 * n)
                new = NewAttempt(
                    patient_id=patient.id, set_id=SET_ID, phrase_id=phrase_id,
                    step="unison" if week < 2 else "repetition", started_at=when,
                    low_hz=patient.low_hz, interval=patient.interval, tempo=patient.tempo,
                    tapping=tapping,
                )
                # a take runs on in silence until the patient (or Space) ends it
                audio = np.concatenate([audio, np.zeros(int(sr * rng.uniform(9, 16)), np.float32)])
                if len(real_ids) < real and phrase_id in TRAINED:
                    attempt = store.save_attempt(new, audio, sr)
                    melody = sung[phrase_id][3]
                    with frozen_tracks.tracking():
                        store.set_score(attempt.id, score_audio(audio, sr, melody, model="crepe-tiny"))
                    real_ids.append(attempt.id)
                    all_ids.append(attempt.id)
                    continue
                gain = 35 if phrase_id in TRAINED else 15
                melodic = min(100.0, 45 + gain * progress + rng.normal(0, 4) + (3 if tapping else 0))
                rhythmic = min(100.0, 50 + gain * progress + rng.normal(0, 4) + (4 if tapping else 0))
                voiced = not (week == 1 and weekday == 2 and n == 0)  # one take with no singing
                attempt = store.save_attempt(new, audio, sr)
                store.set_score(attempt.id, StoredScore(moved(score.to_json(), melodic, rhythmic, voiced)))
                all_ids.append(attempt.id)
    return Practice(store=store, patient_id=patient.id, real_ids=tuple(real_ids), all_ids=tuple(all_ids))


#: The therapist's word on a few attempts of the shared practice: (index in ``all_ids``,
#: override, note, flagged).
REVIEWS = (
    (5, 95.0, "", False),
    (40, None, "Second syllable late again; tapping helped.", True),
    (120, 30.0, "Sang 'good night' instead: scored by hand.", False),
)

_shared: dict[str, Practice] = {}


def shared(tmp_path_factory) -> Practice:
    """The practice above with :data:`REVIEWS` applied, built once per test process (the
    tests only read it)."""
    if "practice" not in _shared:
        folder = tmp_path_factory.mktemp("practice")
        practice = practise(f"sqlite:///{folder / 'store.sqlite3'}")
        for index, override, note, flagged in REVIEWS:
            practice.store.review(
                practice.all_ids[index],
                override=override if override is not None else False,
                note=note or None,
                flagged=flagged,
            )
        _shared["practice"] = practice
    return _shared["practice"]
