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
