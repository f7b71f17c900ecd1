"""Attempts and their audio (``attempts``, ``attempt_audio``): saving a take whole, its
score, the therapist's review, the review query and progress per day."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Any

import numpy as np
import soundfile as sf
from sqlalchemy import Date, Interval, and_, case, cast, func, insert, literal, literal_column, select, update

from mitpractice import days
from mitpractice.errors import StoreError
from mitpractice.phrases import parse_phrase_set
from mitpractice.store.base import StoreBase
from mitpractice.store.records import (
    SING_ALONG_KEY,
    SORT_KEYS,
    Attempt,
    AttemptPage,
    AttemptQuery,
    DayProgress,
    NewAttempt,
    dumps,
)
from mitpractice.store.schema import assignments, attempt_audio, attempts
from mitpractice.store.values import decode_flac, encode_flac, new_id

#: The most attempts one page of the review query returns.
MAX_PAGE = 1000


class AttemptTables(StoreBase):
    """Takes saved with their audio in one transaction, scored, reviewed and queried."""

    def save_attempt(self, new: NewAttempt, audio: np.ndarray, sr: int) -> Attempt:
        """Store a take: its row and its audio (FLAC) in one transaction, unscored.

        Saving the same ``new.id`` twice stores it once (a recovered take, a bundle).
        """
        if new.phrase_set_id:
            record = self._set_version(new.phrase_set_id)
            if record.set_id != new.set_id:
                raise StoreError(f"phrase set version {new.phrase_set_id} is of {record.set_id!r}, "
                                 f"not {new.set_id!r}")
        else:
            record = self.phrase_set_record(new.set_id)
        phrase = parse_phrase_set(record.toml, record.set_id).phrase(new.phrase_id)
        probe = self._is_probe(new.patient_id, new.set_id, new.phrase_id, phrase.probe)
        flac = encode_flac(audio, sr)
        attempt_id = new.id or new_id()
        row = dict(
            id=attempt_id,
            patient_id=new.patient_id,
            session_id=new.session_id,
            phrase_set_id=record.id,
            set_id=record.set_id,
            phrase_id=new.phrase_id,
            syllables=len(phrase.syllables),
            probe=probe,
            step=new.step,
            started_at=new.started_at,
            duration_s=len(audio) / sr,
            low_hz=new.low_hz,
            interval=new.interval,
            tempo=new.tempo,
            latency_s=new.latency_s,
            tapping=new.tapping,
            taps_json=dumps(list(new.taps_s)),
            model=new.model,
            mode=new.mode,
            recovered=new.recovered,
            score_json=None if new.sing_along is None else dumps({SING_ALONG_KEY: new.sing_along.to_json()}),
            note="",
            flagged=False,
        )
        with self.transaction("save the attempt") as conn:
            if (
                new.id is not None
                and conn.execute(select(attempts.c.id).where(attempts.c.id == new.id)).first() is not None
            ):
                return self.attempt(new.id)
            conn.execute(insert(attempts).values(**row))
            conn.execute(insert(attempt_audio).values(attempt_id=attempt_id, sr=sr, flac=flac))
        return self.attempt(attempt_id)

    def _is_probe(self, patient_id: str, set_id: str, phrase_id: str, default: bool) -> bool:
        with self._read() as conn:
            probe = conn.execute(
                select(assignments.c.probe).where(
                    and_(
                        assignments.c.patient_id == patient_id,
                        assignments.c.set_id == set_id,
                        assignments.c.phrase_id == phrase_id,
                        assignments.c.removed_at.is_(None),
                    )
                )
            ).scalar()
        return bool(default if probe is None else probe)

    def set_score(self, attempt_id: str, score: Any) -> Attempt:
        """Add the automatic score (a :class:`mitpractice.scoring.Score`) to a saved attempt
        (its sing-along record, kept in the score JSON, stays)."""
        data = score.to_json()
        values = dict(
            voiced=bool(data["voiced"]),
            melodic=float(data["melodic"]),
            rhythmic=float(data["rhythmic"]),
            overall=float(data["overall"]),
            score_json=dumps(data),
            model=score.model or None,
            mode=data.get("mode", "sung"),
        )
        values = {k: v for k, v in values.items() if v is not None}
        with self.transaction("save the score") as conn:
            kept = conn.execute(select(attempts.c.score_json).where(attempts.c.id == attempt_id)).scalar()
            record = None if kept is None else json.loads(kept).get(SING_ALONG_KEY)
            if record is not None:
                values["score_json"] = dumps({**data, SING_ALONG_KEY: record})
            found = conn.execute(
                update(attempts).where(attempts.c.id == attempt_id).values(**values)
            ).rowcount
        if not found:
            raise StoreError(f"no attempt with id {attempt_id!r}")
        return self.attempt(attempt_id)

    def review(
        self,
        attempt_id: str,
        *,
        override: float | bool | None = False,
        note: str | None = None,
        flagged: bool | None = None,
    ) -> Attempt:
        """The therapist's word on an attempt: an override score (0–100, or None to clear it),
        a note, a flag. Arguments left out are left as they are."""
        values: dict[str, Any] = {}
        if override is not False:
            if override is not None and not 0 <= float(override) <= 100:
                raise StoreError(f"an override score is 0–100, not {override}")
            values["override"] = None if override is None else float(override)
        if note is not None:
            values["note"] = note
        if flagged is not None:
            values["flagged"] = bool(flagged)
        if values:
            with self.transaction("save the review") as conn:
                if not conn.execute(
                    update(attempts).where(attempts.c.id == attempt_id).values(**values)
                ).rowcount:
                    raise StoreError(f"no attempt with id {attempt_id!r}")
        return self.attempt(attempt_id)

    def attempt(self, attempt_id: str) -> Attempt:
        with self._read() as conn:
            row = conn.execute(select(attempts).where(attempts.c.id == attempt_id)).mappings().first()
        if row is None:
            raise StoreError(f"no attempt with id {attempt_id!r}")
        return _attempt(row)

    def find_attempt(self, id_or_prefix: str) -> Attempt:
        """An attempt by its id or a unique start of it (as the command line shows 8 characters)."""
        with self._read() as conn:
            ids = (
                conn.execute(
                    select(attempts.c.id)
                    .where(attempts.c.id.startswith(id_or_prefix, autoescape=True))
                    .limit(2)
                )
                .scalars()
                .all()
            )
        if len(ids) != 1:
            raise StoreError(f"{'no' if not ids else 'more than one'} attempt with id {id_or_prefix!r}")
        return self.attempt(ids[0])

    def attempt_audio(self, attempt_id: str) -> tuple[np.ndarray, int]:
        """The attempt's recording, as it was saved."""
        with self._read() as conn:
            flac = conn.execute(
                select(attempt_audio.c.flac).where(attempt_audio.c.attempt_id == attempt_id)
            ).scalar()
        if flac is None:
            raise StoreError(f"no attempt with id {attempt_id!r}")
        try:
            return decode_flac(flac)
        except (sf.LibsndfileError, RuntimeError, ValueError) as exc:
            raise StoreError(f"attempt {attempt_id}: its stored recording is damaged "
                             f"({str(exc).splitlines()[0] if str(exc) else type(exc).__name__})") from None

    def attempts(self, query: AttemptQuery | None = None) -> AttemptPage:
        """The review query: filtered, sorted, one page (and how many match in all)."""
        query = query or AttemptQuery()
        if query.sort not in SORT_KEYS:
            raise StoreError(f"cannot sort attempts by {query.sort!r}; choose one of {', '.join(SORT_KEYS)}")
        if not 1 <= query.limit <= MAX_PAGE or query.offset < 0:
            raise StoreError(f"a page holds 1–{MAX_PAGE} attempts from offset 0 on")
        final = func.coalesce(attempts.c.override, attempts.c.overall)
        conditions = []
        for column, value in (
            (attempts.c.patient_id, query.patient_id),
            (attempts.c.set_id, query.set_id),
            (attempts.c.phrase_id, query.phrase_id),
            (attempts.c.step, query.step),
            (attempts.c.flagged, query.flagged),
            (attempts.c.probe, query.probe),
        ):
            if value is not None:
                conditions.append(column == value)
        if query.since is not None:
            conditions.append(attempts.c.started_at >= query.since)
        if query.until is not None:
            conditions.append(attempts.c.started_at < query.until)
        if query.min_score is not None:
            conditions.append(final >= query.min_score)
        if query.max_score is not None:
            conditions.append(final <= query.max_score)
        where = and_(True, *conditions)
        key = final if query.sort == "overall" else attempts.c[query.sort]
        order = [key.desc() if query.descending else key.asc(), attempts.c.started_at.desc(), attempts.c.id]
        if query.sort in ("overall", "melodic", "rhythmic"):  # unscored attempts last either way
            order.insert(0, case((key.is_(None), 1), else_=0))
        with self._read() as conn:
            total = conn.execute(select(func.count()).select_from(attempts).where(where)).scalar_one()
            rows = (
                conn.execute(
                    select(attempts).where(where).order_by(*order).offset(query.offset).limit(query.limit)
                )
                .mappings()
                .all()
            )
        return AttemptPage(attempts=tuple(_attempt(r) for r in rows), total=total, offset=query.offset)

    def iter_attempts(self, query: AttemptQuery | None = None) -> Iterator[Attempt]:
        """Every attempt the query matches, page by page (exports, bundles, reports)."""
        query = query or AttemptQuery()
        offset = 0
        while True:
            page = self.attempts(AttemptQuery(**{**query.__dict__, "offset": offset, "limit": MAX_PAGE}))
            yield from page.attempts
            offset += len(page.attempts)
            if not page.attempts or offset >= page.total:
                return

    def unscored_attempts(self, limit: int = MAX_PAGE) -> list[str]:
        """Ids of attempts with no automatic score yet (a take recovered after a crash, one
        whose scoring failed), oldest first, at most ``limit``."""
        with self._read() as conn:
            return list(
                conn.execute(
                    select(attempts.c.id)
                    .where(attempts.c.voiced.is_(None))
                    .order_by(attempts.c.started_at, attempts.c.id)
                    .limit(limit)
                ).scalars()
            )

    def progress(
        self,
        patient_id: str,
        since: datetime | None = None,
        until: datetime | None = None,
        tz: tzinfo | None = None,
    ) -> list[DayProgress]:
        """Per local calendar day, trained and probe phrases apart: attempts, minutes sung, mean
        melodic and rhythmic scores of the voiced attempts, and the longest phrase attempted.

        A day is a calendar day in the zone ``tz`` (``None``: this computer's zone, daylight
        saving included; see :mod:`mitpractice.days`). The grouping runs in the database: the
        zone's offsets over the attempts' span are found first, and each attempt is moved by
        the offset in force at its instant before its date is taken.
        """
        conditions = [attempts.c.patient_id == patient_id]
        if since is not None:
            conditions.append(attempts.c.started_at >= since)
        if until is not None:
            conditions.append(attempts.c.started_at < until)
        where = and_(*conditions)
        span = select(
            select(func.min(attempts.c.started_at)).where(where).scalar_subquery(),
            select(func.max(attempts.c.started_at)).where(where).scalar_subquery(),
        )
        with self._read() as conn:
            first, last = conn.execute(span).one()
            if first is None:
                return []
            first, last = _utc(first), _utc(last)
            offset, changes = days.offset_changes(first, last + timedelta(seconds=1), tz)
            local = _local_date(attempts.c.started_at, offset, changes, conn.dialect.name)
            day = literal_column("local_day")  # grouped by its name: one computation a row
            voiced = attempts.c.voiced.is_(True)
            stmt = (
                select(
                    local.label("local_day"),
                    attempts.c.probe,
                    func.count().label("n"),
                    func.sum(attempts.c.duration_s).label("seconds"),
                    func.avg(case((voiced, attempts.c.melodic))).label("melodic"),
                    func.avg(case((voiced, attempts.c.rhythmic))).label("rhythmic"),
                    func.max(attempts.c.syllables).label("longest"),
                )
                .where(where)
                .group_by(day, attempts.c.probe)
                .order_by(day, attempts.c.probe)
            )
            rows = conn.execute(stmt).mappings().all()
        return [
            DayProgress(
                day=_as_date(r["local_day"]),
                probe=bool(r["probe"]),
                attempts=r["n"],
                minutes=float(r["seconds"] or 0) / 60,
                melodic=_opt(r["melodic"]),
                rhythmic=_opt(r["rhythmic"]),
                longest_phrase=int(r["longest"] or 0),
            )
            for r in rows
        ]

    def minutes_today(self, patient_id: str, tz: tzinfo | None = None) -> float:
        """Minutes sung so far today, for the daily goal: today is the calendar day in the
        zone ``tz`` (``None``: this computer's, the patient's own)."""
        today = days.today(tz)
        since, until = days.day_span(today, today, tz)
        with self._read() as conn:
            seconds = conn.execute(
                select(func.sum(attempts.c.duration_s)).where(
                    attempts.c.patient_id == patient_id,
                    attempts.c.started_at >= since,
                    attempts.c.started_at < until,
                )
            ).scalar()
        return float(seconds or 0) / 60


def _attempt(r) -> Attempt:
    return Attempt(
        id=r["id"],
        patient_id=r["patient_id"],
        session_id=r["session_id"],
        phrase_set_id=r["phrase_set_id"],
        set_id=r["set_id"],
        phrase_id=r["phrase_id"],
        syllables=r["syllables"],
        probe=bool(r["probe"]),
        step=r["step"],
        started_at=r["started_at"],
        duration_s=r["duration_s"],
        low_hz=r["low_hz"],
        interval=r["interval"],
        tempo=r["tempo"],
        latency_s=r["latency_s"],
        tapping=bool(r["tapping"]),
        taps_s=tuple(json.loads(r["taps_json"])),
        model=r["model"],
        mode=r["mode"],
        recovered=bool(r["recovered"]),
        voiced=None if r["voiced"] is None else bool(r["voiced"]),
        melodic=r["melodic"],
        rhythmic=r["rhythmic"],
        overall=r["overall"],
        score_json=None if r["score_json"] is None else json.loads(r["score_json"]),
        override=r["override"],
        note=r["note"],
        flagged=bool(r["flagged"]),
    )


def _as_date(value: date | str) -> date:
    """A date as the backend returns it (SQLite's date() gives text)."""
    return value if isinstance(value, date) else date.fromisoformat(value)


def _utc(t: datetime) -> datetime:
    return t.replace(tzinfo=UTC) if t.tzinfo is None else t.astimezone(UTC)


def _local_date(column, offset: int, changes: Sequence[tuple[datetime, int]], dialect: str):
    """SQL for the local calendar date of a UTC time column, given the zone's offset (seconds)
    at the start and its changes (:func:`mitpractice.days.offset_changes`)."""
    if dialect == "sqlite":  # times are text 'YYYY-MM-DD HH:MM:SS'; date() takes a modifier
        shift = lambda seconds: literal(f"{seconds:+d} seconds")  # noqa: E731
    else:  # PostgreSQL: a timestamp (without zone, UTC) plus an interval
        shift = lambda seconds: literal_column(f"interval '{seconds:d} seconds'", Interval)  # noqa: E731
    if not changes and offset == 0:  # UTC, or a zone at UTC's offset all through the span
        return func.date(column) if dialect == "sqlite" else cast(column, Date)
    moved = shift(offset)
    if changes:
        whens, current = [], offset
        for instant, new in changes:
            whens.append((column < instant, shift(current)))
            current = new
        moved = case(*whens, else_=shift(current))
    if dialect == "sqlite":
        return func.date(column, moved)
    return cast(column + moved, Date)


def _opt(value: Any) -> float | None:
    return None if value is None else float(value)
