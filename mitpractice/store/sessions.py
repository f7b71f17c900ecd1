"""Practice sessions: the ``sessions`` table."""

from __future__ import annotations

from sqlalchemy import insert, update

from mitpractice.store.base import StoreBase
from mitpractice.store.records import PracticeSession
from mitpractice.store.schema import sessions
from mitpractice.store.values import new_id, now


class SessionTables(StoreBase):
    """A practice session begun and ended (its attempts point to it)."""

    def start_session(self, patient_id: str) -> PracticeSession:
        self.patient(patient_id)
        session = PracticeSession(id=new_id(), patient_id=patient_id, started_at=now(), ended_at=None)
        with self.transaction("start the session") as conn:
            conn.execute(
                insert(sessions).values(id=session.id, patient_id=patient_id, started_at=session.started_at)
            )
        return session

    def end_session(self, session_id: str) -> None:
        with self.transaction("end the session") as conn:
            conn.execute(update(sessions).where(sessions.c.id == session_id).values(ended_at=now()))
