"""Practice sessions: the ``sessions`` table."""

from __future__ import annotations

from datetime import datetime, tzinfo

from sqlalchemy import func, insert, select, update

from mitpractice import days
from mitpractice.errors import StoreError
from mitpractice.practice.session import FEELINGS
from mitpractice.store.base import StoreBase
from mitpractice.store.records import PracticeSession, SessionSummary
from mitpractice.store.schema import attempts, sessions
from mitpractice.store.values import new_id, now


class SessionTables(StoreBase):
    """A practice session begun and ended (its attempts point to it), the phrases finished in
    it and how the patient felt before and after."""

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

    def update_session(self, session_id: str, *, phrases_done: int | None = None,
                       feeling_before: int | None = None, feeling_after: int | None = None) -> None:
        """Keep the phrases finished in a session and how the patient felt (1–5); None: unchanged."""
        values = {k: v for k, v in (("phrases_done", phrases_done), ("feeling_before", feeling_before),
                                    ("feeling_after", feeling_after)) if v is not None}
        for name in ("feeling_before", "feeling_after"):
            if name in values and values[name] not in FEELINGS:
                raise StoreError(f"{name} is 1 to 5, not {values[name]}")
        with self.transaction("keep the session") as conn:
            conn.execute(update(sessions).where(sessions.c.id == session_id).values(**values))

    def sessions(self, patient_id: str, since: datetime | None = None) -> list[SessionSummary]:
        """The patient's practice sessions, newest first, with the minutes sung and the takes
        of each (from its attempts); only those started at ``since`` or later if given."""
        counted = (select(attempts.c.session_id, func.count().label("n"),
                          func.coalesce(func.sum(attempts.c.duration_s), 0).label("seconds"))
                   .where(attempts.c.patient_id == patient_id).group_by(attempts.c.session_id).subquery())
        query = (select(sessions, counted.c.n, counted.c.seconds)
                 .outerjoin(counted, counted.c.session_id == sessions.c.id)
                 .where(sessions.c.patient_id == patient_id)
                 .order_by(sessions.c.started_at.desc(), sessions.c.id))
        if since is not None:
            query = query.where(sessions.c.started_at >= since)
        with self._read() as conn:
            rows = conn.execute(query).mappings().all()
        return [SessionSummary(id=r["id"], patient_id=r["patient_id"], started_at=r["started_at"],
                               ended_at=r["ended_at"], minutes=float(r["seconds"] or 0) / 60,
                               phrases_done=r["phrases_done"], attempts=int(r["n"] or 0),
                               feeling_before=r["feeling_before"], feeling_after=r["feeling_after"])
                for r in rows]

    def phrases_done_today(self, patient_id: str, tz: tzinfo | None = None) -> int:
        """Phrases finished today over all sessions (see :meth:`minutes_today` for "today")."""
        since, until = days.day_span(days.today(tz), days.today(tz), tz)
        with self._read() as conn:
            return int(conn.execute(select(func.sum(sessions.c.phrases_done)).where(
                sessions.c.patient_id == patient_id, sessions.c.started_at >= since,
                sessions.c.started_at < until)).scalar() or 0)
