"""Practice sessions in the store: phrases finished (kept over a restart of the app) and how
the patient felt, on SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from mitpractice.errors import StoreError
from mitpractice.store import Store
from mitpractice.store.schema import sessions


@pytest.fixture
def store(store_on_each_backend) -> Store:
    return store_on_each_backend


def test_phrases_done_today_add_up_over_sessions_and_leave_other_days_out(store):
    ann = store.add_patient("Ann")
    first, second = store.start_session(ann.id), store.start_session(ann.id)
    store.update_session(first.id, phrases_done=3)
    store.update_session(second.id, phrases_done=1)
    yesterday = store.start_session(ann.id)
    store.update_session(yesterday.id, phrases_done=7)
    with store.engine.begin() as conn:
        conn.execute(sessions.update().where(sessions.c.id == yesterday.id)
                     .values(started_at=datetime.now(UTC) - timedelta(days=1, hours=1)))
    assert store.phrases_done_today(ann.id) == 4
    assert store.phrases_done_today(store.add_patient("Bea").id) == 0


def test_a_feeling_outside_one_to_five_is_refused(store):
    ann = store.add_patient("Ann")
    session = store.start_session(ann.id)
    with pytest.raises(StoreError, match="feeling_after is 1 to 5"):
        store.update_session(session.id, feeling_after=6)


def test_sessions_newest_first_with_minutes_takes_and_feelings(store):
    import numpy as np

    from mitpractice.store import NewAttempt

    ann, bea = store.add_patient("Ann"), store.add_patient("Bea")
    older, newer = store.start_session(ann.id), store.start_session(ann.id)
    with store.engine.begin() as conn:
        conn.execute(sessions.update().where(sessions.c.id == older.id)
                     .values(started_at=datetime(2026, 11, 2, 9, tzinfo=UTC)))
    for seconds in (30, 60):
        store.save_attempt(NewAttempt(patient_id=ann.id, set_id="greetings", phrase_id="hello",
                                      step="unison", started_at=datetime.now(UTC), low_hz=220.0,
                                      interval=3.0, tempo=60.0, session_id=newer.id),
                           np.zeros(seconds * 8000, np.float32), 8000)
    store.update_session(newer.id, phrases_done=1, feeling_before=2, feeling_after=4)
    store.end_session(newer.id)
    store.start_session(bea.id)

    first, second = store.sessions(ann.id)
    assert (first.id, second.id) == (newer.id, older.id)
    assert first.minutes == pytest.approx(1.5) and first.attempts == 2 and first.phrases_done == 1
    assert (first.feeling_before, first.feeling_after) == (2, 4) and first.ended_at is not None
    assert (second.minutes, second.attempts, second.feeling_before, second.ended_at) == (0.0, 0, None, None)
    assert [s.id for s in store.sessions(ann.id, since=datetime(2026, 11, 3, tzinfo=UTC))] == [newer.id]
