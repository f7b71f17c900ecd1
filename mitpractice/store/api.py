"""The store: one API for the practice window, the therapist's workspace and the command line.

Every method is one transaction. ``save_attempt`` writes the attempt's row and its audio
(FLAC) together, so an attempt is stored whole or not at all; its score is added afterwards
(``set_score``), because what the patient sang is saved the moment the take ends.

Examples
--------
>>> import tempfile
>>> store = Store.open(f"sqlite:///{tempfile.mkdtemp()}/demo.sqlite3")
>>> patient = store.add_patient("Ann", low="A3")
>>> round(patient.low_hz)
220
>>> store.find_patient("ann").id == patient.id
True
>>> store.close()
"""

from __future__ import annotations

import hashlib
import io
import json
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, date, datetime, timedelta, tzinfo
from pathlib import Path
from typing import Any

import numpy as np
import soundfile as sf
from sqlalchemy import (
    Connection,
    Date,
    Interval,
    and_,
    case,
    cast,
    delete,
    func,
    insert,
    literal,
    literal_column,
    select,
    update,
)
from sqlalchemy.engine import Engine
from sqlalchemy.exc import SQLAlchemyError

from mitpractice import days
from mitpractice.errors import StoreError
from mitpractice.files import data_dir
from mitpractice.melody import DEFAULT_INTERVAL, DEFAULT_LOW, DEFAULT_TEMPO, note_to_hz
from mitpractice.phrases import PhraseSet, parse_phrase_set
from mitpractice.store import engine as engines
from mitpractice.store import migrate
from mitpractice.store.privacy import secure_data_folder, secure_file
from mitpractice.store.records import (
    DEFAULT_DAILY_GOAL_MIN,
    LEVELS,
    SORT_KEYS,
    Assignment,
    Attempt,
    AttemptPage,
    AttemptQuery,
    DayProgress,
    NewAttempt,
    Patient,
    PhraseSetRecord,
    PracticeSession,
    RecordedModel,
    SessionSummary,
    TestResult,
    dumps,
)
from mitpractice.store.schema import (
    assignments,
    attempt_audio,
    attempts,
    patients,
    phrase_sets,
    recorded_models,
    sessions,
    settings,
    test_results,
)

#: The most attempts one page of the review query returns.
MAX_PAGE = 1000
#: What an :class:`Assignment` holds (the removal mark is the store's and the bundles' only).
_ASSIGNMENT_COLUMNS = [c for c in assignments.c if c.name != "removed_at"]


def now() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return str(uuid.uuid4())


def encode_flac(y: np.ndarray, sr: int) -> bytes:
    """Mono float audio as 16-bit FLAC bytes (lossless for what a microphone gives)."""
    buffer = io.BytesIO()
    sf.write(buffer, np.clip(np.asarray(y, dtype=np.float32), -1.0, 1.0), sr, format="FLAC", subtype="PCM_16")
    return buffer.getvalue()


def decode_flac(data: bytes) -> tuple[np.ndarray, int]:
    y, sr = sf.read(io.BytesIO(data), dtype="float32", always_2d=False)
    return y, int(sr)


class Store:
    """Patients, phrase sets, assignments, sessions and attempts in one database.

    Open it with :meth:`open`; it migrates the database first. Use one ``Store`` per process
    (it holds a connection pool) and :meth:`close` it at the end.
    """

    def __init__(self, engine: Engine, url: str, kept_copy: Path | None = None) -> None:
        self.engine = engine
        self.url = url
        #: The copy of the SQLite file kept before the last migration, if one was made now.
        self.kept_copy = kept_copy
        self._writer = engines.writer(engine)
        self.sqlite_file = engines.sqlite_path(url)
        #: What :meth:`open` moved in from the folder of recorded models kept before the store.
        self.moved_models = None

    # ----------------------------------------------------------------- opening
    @classmethod
    def open(cls, url: str | None = None) -> Store:
        """Open (and create or migrate) the store at ``url`` (see :func:`engine.database_url`).

        Raises
        ------
        StoreError
            The data folder cannot be written; the file is not a mitpractice database, is
            damaged or holds another program's tables; the server cannot be reached.
        """
        url = engines.database_url(url)
        path = engines.sqlite_path(url)
        secure_data_folder(data_dir())  # journals and exports live there whatever the database
        if path is not None:
            _make_folder(path.parent)
            try:
                engines.check_sqlite_file(path)
            except StoreError as exc:
                copy = migrate.last_copy(path)
                if copy is None:
                    raise
                raise StoreError(f"{exc}; the copy kept before the last migration is {copy}") from None
        engine = engines.create(url)
        where = str(path) if path is not None else engines._safe(url)
        try:
            foreign = engines.foreign_tables(engine)
            if foreign:
                raise StoreError(
                    f"{where}: not a mitpractice database (it holds the tables "
                    f"{', '.join(foreign[:4])}{'...' if len(foreign) > 4 else ''})"
                )
            kept = migrate.upgrade(engine, path)
        except SQLAlchemyError as exc:
            engine.dispose()
            error = engines.friendly(exc, where)
            copy = migrate.last_copy(path) if path is not None else None
            if copy is not None:
                error = StoreError(f"{error}; the copy kept before the last migration is {copy}")
            raise error from None
        except StoreError:
            engine.dispose()
            raise
        if path is not None:
            secure_file(path)  # and its -wal and -shm files
        store = cls(engine, url, kept)
        from mitpractice.store.legacy import move_recorded_targets

        try:
            store.moved_models = move_recorded_targets(store)
        except BaseException:
            store.close()
            raise
        return store

    def close(self) -> None:
        self.engine.dispose()

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    @contextmanager
    def _write(self, what: str) -> Iterator[Connection]:
        try:
            with self._writer.begin() as conn:
                yield conn
        except StoreError:
            raise
        except SQLAlchemyError as exc:
            raise engines.friendly(exc, f"{self._where()}: cannot {what}") from None

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        try:
            with self.engine.connect() as conn:
                yield conn
        except SQLAlchemyError as exc:
            raise engines.friendly(exc, self._where()) from None

    def _where(self) -> str:
        return str(self.sqlite_file) if self.sqlite_file is not None else engines._safe(self.url)

    # ----------------------------------------------------------------- patients
    def add_patient(
        self,
        name: str,
        *,
        low: str | float = DEFAULT_LOW,
        interval: float = DEFAULT_INTERVAL,
        tempo: float = DEFAULT_TEMPO,
        level: str = "elementary",
        tapping: bool = False,
        daily_goal_min: float = DEFAULT_DAILY_GOAL_MIN,
        notes: str = "",
        id: str | None = None,
    ) -> Patient:
        """Create a patient; ``low`` is a note name (``C3``) or Hz."""
        row = _patient_values(
            name=name,
            low=low,
            interval=interval,
            tempo=tempo,
            level=level,
            tapping=tapping,
            daily_goal_min=daily_goal_min,
            notes=notes,
        )
        stamp = now()
        row.update(id=id or new_id(), thresholds_json="{}", created_at=stamp, updated_at=stamp)
        with self._write("add the patient") as conn:
            conn.execute(insert(patients).values(**row))
        return self.patient(row["id"])

    def update_patient(self, patient_id: str, **changes: Any) -> Patient:
        """Change a patient's settings: any of ``name, low, interval, tempo, level, tapping,
        daily_goal_min, notes, thresholds`` (a dict of step id → pass score)."""
        current = self.patient(patient_id)
        thresholds = changes.pop("thresholds", None)
        unknown = set(changes) - {
            "name",
            "low",
            "interval",
            "tempo",
            "level",
            "tapping",
            "daily_goal_min",
            "notes",
        }
        if unknown:
            raise StoreError(f"a patient has no setting {sorted(unknown)[0]!r}")
        merged = {
            "name": current.name,
            "low": current.low_hz,
            "interval": current.interval,
            "tempo": current.tempo,
            "level": current.level,
            "tapping": current.tapping,
            "daily_goal_min": current.daily_goal_min,
            "notes": current.notes,
            **changes,
        }
        row = _patient_values(**merged)
        if thresholds is not None:
            row["thresholds_json"] = dumps(_thresholds(thresholds))
        row["updated_at"] = now()
        with self._write("change the patient") as conn:
            conn.execute(update(patients).where(patients.c.id == patient_id).values(**row))
        return self.patient(patient_id)

    def patients(self) -> list[Patient]:
        """Every patient, by name."""
        with self._read() as conn:
            rows = conn.execute(select(patients).order_by(patients.c.name, patients.c.created_at))
            return [_patient(r) for r in rows.mappings()]

    def patient(self, patient_id: str) -> Patient:
        with self._read() as conn:
            row = conn.execute(select(patients).where(patients.c.id == patient_id)).mappings().first()
        if row is None:
            raise StoreError(f"no patient with id {patient_id!r}")
        return _patient(row)

    def find_patient(self, id_or_name: str) -> Patient:
        """The patient with this id, or the one whose name matches (case-insensitive, or a
        unique start of it); :class:`StoreError` if none or several match."""
        everyone = self.patients()
        for p in everyone:
            if p.id == id_or_name:
                return p
        wanted = id_or_name.strip().casefold()
        for matches in (
            [p for p in everyone if p.name.casefold() == wanted],
            [p for p in everyone if p.name.casefold().startswith(wanted)],
            [p for p in everyone if p.id.startswith(id_or_name)],
        ):
            if len(matches) == 1:
                return matches[0]
            if len(matches) > 1:
                names = ", ".join(f"{p.name} ({p.id[:8]})" for p in matches[:4])
                raise StoreError(f"{id_or_name!r} matches several patients: {names}; give the id")
        raise StoreError(f"no patient {id_or_name!r} (see: mitpractice patients list)")

    # ----------------------------------------------------------------- clinical tests
    def add_test_result(
        self, patient_id: str, test: str, taken_on: date, value: float | None = None, text: str = ""
    ) -> TestResult:
        """Record a clinical test (WAB, BNT, ANELT, CIUs per minute, or free-form) on a date."""
        self.patient(patient_id)
        if not test.strip():
            raise StoreError("a test result needs the test's name")
        if value is None and not text.strip():
            raise StoreError(f"the {test} result needs a value or a text")
        row = dict(
            id=new_id(),
            patient_id=patient_id,
            test=test.strip(),
            taken_on=taken_on,
            value=value,
            text=text,
            created_at=now(),
        )
        with self._write("add the test result") as conn:
            conn.execute(insert(test_results).values(**row))
        return TestResult(
            id=row["id"], patient_id=patient_id, test=row["test"], taken_on=taken_on, value=value, text=text
        )

    def test_results(self, patient_id: str) -> list[TestResult]:
        with self._read() as conn:
            rows = conn.execute(
                select(test_results)
                .where(test_results.c.patient_id == patient_id)
                .order_by(test_results.c.taken_on, test_results.c.test)
            ).mappings()
            return [
                TestResult(
                    id=r["id"],
                    patient_id=r["patient_id"],
                    test=r["test"],
                    taken_on=r["taken_on"],
                    value=r["value"],
                    text=r["text"],
                )
                for r in rows
            ]

    def delete_test_result(self, result_id: str) -> None:
        with self._write("delete the test result") as conn:
            conn.execute(delete(test_results).where(test_results.c.id == result_id))

    # ----------------------------------------------------------------- phrase sets
    def import_phrase_set(self, source: str | Path, *, text: str | None = None) -> PhraseSetRecord:
        """Keep a phrase set's TOML text (validated first); importing the same text again
        returns the version already kept.

        ``source`` is a file, or (with ``text``) the name to give the text in messages.
        """
        if text is None:
            from mitpractice.phrases import load_phrase_set

            path = Path(source)
            parsed = load_phrase_set(path)
            text = path.read_text("utf-8")
        else:
            parsed = parse_phrase_set(text, source)
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        with self._read() as conn:
            row = conn.execute(select(phrase_sets).where(phrase_sets.c.sha256 == digest)).mappings().first()
        if row is not None:
            return _set_record(row)
        record = dict(
            id=new_id(), set_id=parsed.id, title=parsed.title, toml=text, sha256=digest, imported_at=now()
        )
        try:
            with self._write("import the phrase set") as conn:
                conn.execute(insert(phrase_sets).values(**record))
        except StoreError:
            with self._read() as conn:  # imported by another process at the same moment
                row = (
                    conn.execute(select(phrase_sets).where(phrase_sets.c.sha256 == digest)).mappings().first()
                )
            if row is None:
                raise
            return _set_record(row)
        return PhraseSetRecord(**record)

    def phrase_set_versions(self) -> list[PhraseSetRecord]:
        """Every imported version of every set, the newest of each set first."""
        with self._read() as conn:
            rows = conn.execute(
                select(phrase_sets).order_by(phrase_sets.c.set_id, phrase_sets.c.imported_at.desc())
            )
            return [_set_record(r) for r in rows.mappings()]

    def phrase_set_record(self, set_id: str) -> PhraseSetRecord:
        """The newest imported version of a set; bundled sets are imported on first use."""
        with self._read() as conn:
            row = (
                conn.execute(
                    select(phrase_sets)
                    .where(phrase_sets.c.set_id == set_id)
                    .order_by(phrase_sets.c.imported_at.desc())
                    .limit(1)
                )
                .mappings()
                .first()
            )
        if row is not None:
            return _set_record(row)
        bundled = _bundled_set_file(set_id)
        if bundled is None:
            raise StoreError(f"no phrase set {set_id!r} in the store or among the bundled sets")
        return self.import_phrase_set(bundled)

    def phrase_set(self, set_id_or_version: str) -> PhraseSet:
        """A set parsed from its kept text: by set id (the newest version) or version id."""
        with self._read() as conn:
            row = (
                conn.execute(select(phrase_sets).where(phrase_sets.c.id == set_id_or_version))
                .mappings()
                .first()
            )
        record = _set_record(row) if row is not None else self.phrase_set_record(set_id_or_version)
        return parse_phrase_set(record.toml, f"{record.set_id} (imported {record.imported_at:%Y-%m-%d})")

    def _set_version(self, version_id: str) -> PhraseSetRecord:
        with self._read() as conn:
            row = conn.execute(select(phrase_sets).where(phrase_sets.c.id == version_id)).mappings().first()
        if row is None:
            raise StoreError(f"no phrase set version {version_id!r} in the store")
        return _set_record(row)

    # ----------------------------------------------------------------- assignments
    def assign(
        self, patient_id: str, set_id: str, phrase_ids: Sequence[str] = (), *, probe: bool = False
    ) -> list[Assignment]:
        """Assign a set (all of it, or the phrases named) to a patient, trained or as probes.

        Assigning a phrase again updates it to the newest version of the set and to ``probe``,
        and puts a removed phrase back on the programme.
        """
        self.patient(patient_id)
        record = self.phrase_set_record(set_id)
        parsed = parse_phrase_set(record.toml, record.set_id)
        wanted = list(phrase_ids) or [p.id for p in parsed.phrases]
        for phrase_id in wanted:
            parsed.phrase(phrase_id)  # PhraseError for an unknown phrase
        stamp = now()
        with self._write("assign the phrases") as conn:
            for phrase_id in wanted:
                existing = conn.execute(
                    select(assignments.c.id).where(
                        and_(
                            assignments.c.patient_id == patient_id,
                            assignments.c.set_id == record.set_id,
                            assignments.c.phrase_id == phrase_id,
                        )
                    )
                ).scalar()
                values = dict(phrase_set_id=record.id, probe=probe, assigned_at=stamp, removed_at=None)
                if existing:
                    conn.execute(update(assignments).where(assignments.c.id == existing).values(**values))
                else:
                    conn.execute(
                        insert(assignments).values(
                            id=new_id(),
                            patient_id=patient_id,
                            set_id=record.set_id,
                            phrase_id=phrase_id,
                            **values,
                        )
                    )
        return [
            a for a in self.assignments(patient_id) if a.set_id == record.set_id and a.phrase_id in wanted
        ]

    def unassign(self, patient_id: str, set_id: str, phrase_ids: Sequence[str] = ()) -> int:
        """Take phrases (or a whole set) off a patient's programme; returns how many.

        The rows stay, marked with the time of the removal (``removed_at``), so that a bundle
        carries the removal to the other computer; :meth:`assignments` no longer lists them.
        """
        condition = and_(
            assignments.c.patient_id == patient_id,
            assignments.c.set_id == set_id,
            assignments.c.removed_at.is_(None),
        )
        if phrase_ids:
            condition = and_(condition, assignments.c.phrase_id.in_(list(phrase_ids)))
        with self._write("unassign the phrases") as conn:
            return conn.execute(update(assignments).where(condition).values(removed_at=now())).rowcount

    def assignments(self, patient_id: str) -> list[Assignment]:
        """A patient's programme, in the order the phrases were assigned and stand in their set
        (phrases taken off it are left out)."""
        with self._read() as conn:
            rows = (
                conn.execute(
                    select(*_ASSIGNMENT_COLUMNS)
                    .where(and_(assignments.c.patient_id == patient_id, assignments.c.removed_at.is_(None)))
                    .order_by(assignments.c.assigned_at)
                )
                .mappings()
                .all()
            )
        result = [Assignment(**dict(r)) for r in rows]
        order = {}
        for record_id in {a.phrase_set_id for a in result}:
            parsed = self.phrase_set(record_id)
            order.update({(parsed.id, p.id): i for i, p in enumerate(parsed.phrases)})
        return sorted(result, key=lambda a: (a.assigned_at, a.set_id, order.get((a.set_id, a.phrase_id), 0)))

    # ----------------------------------------------------------------- sessions
    def start_session(self, patient_id: str) -> PracticeSession:
        self.patient(patient_id)
        session = PracticeSession(id=new_id(), patient_id=patient_id, started_at=now(), ended_at=None)
        with self._write("start the session") as conn:
            conn.execute(
                insert(sessions).values(id=session.id, patient_id=patient_id, started_at=session.started_at)
            )
        return session

    def end_session(self, session_id: str) -> None:
        with self._write("end the session") as conn:
            conn.execute(update(sessions).where(sessions.c.id == session_id).values(ended_at=now()))

    def update_session(self, session_id: str, *, phrases_done: int | None = None,
                       feeling_before: int | None = None, feeling_after: int | None = None) -> None:
        """Keep the phrases finished in a session and how the patient felt (1–5); None: unchanged."""
        values = {k: v for k, v in (("phrases_done", phrases_done), ("feeling_before", feeling_before),
                                    ("feeling_after", feeling_after)) if v is not None}
        for name in ("feeling_before", "feeling_after"):
            if not 1 <= values.get(name, 1) <= 5:
                raise StoreError(f"{name} is 1 to 5, not {values[name]}")
        with self._write("keep the session") as conn:
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

    # ----------------------------------------------------------------- attempts
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
            note="",
            flagged=False,
        )
        with self._write("save the attempt") as conn:
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
        """Add the automatic score (a :class:`mitpractice.scoring.Score`) to a saved attempt."""
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
        with self._write("save the score") as conn:
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
            with self._write("save the review") as conn:
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
        return decode_flac(flac)

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

    # ----------------------------------------------------------------- recorded models
    def save_recorded_model(
        self,
        set_id: str,
        phrase_id: str,
        patient_id: str | None,
        audio: np.ndarray,
        sr: int,
        notes: dict[str, Any],
    ) -> RecordedModel:
        """Keep a therapist's model of a phrase (for one patient, or for all), replacing the old."""
        flac = encode_flac(audio, sr)
        model = RecordedModel(
            id=new_id(),
            set_id=set_id,
            phrase_id=phrase_id,
            patient_id=patient_id,
            sr=sr,
            flac=flac,
            notes=notes,
            created_at=now(),
        )
        with self._write("keep the recorded model") as conn:
            conn.execute(delete(recorded_models).where(_model_key(set_id, phrase_id, patient_id)))
            conn.execute(
                insert(recorded_models).values(
                    id=model.id,
                    set_id=set_id,
                    phrase_id=phrase_id,
                    patient_id=patient_id,
                    sr=sr,
                    flac=flac,
                    notes_json=dumps(notes),
                    created_at=model.created_at,
                )
            )
        return model

    def recorded_model(self, set_id: str, phrase_id: str, patient_id: str | None) -> RecordedModel | None:
        with self._read() as conn:
            row = (
                conn.execute(select(recorded_models).where(_model_key(set_id, phrase_id, patient_id)))
                .mappings()
                .first()
            )
        if row is None:
            return None
        return RecordedModel(
            id=row["id"],
            set_id=row["set_id"],
            phrase_id=row["phrase_id"],
            patient_id=row["patient_id"],
            sr=row["sr"],
            flac=row["flac"],
            notes=json.loads(row["notes_json"]),
            created_at=row["created_at"],
        )

    def forget_recorded_model(self, set_id: str, phrase_id: str, patient_id: str | None) -> bool:
        with self._write("delete the recorded model") as conn:
            return (
                conn.execute(
                    delete(recorded_models).where(_model_key(set_id, phrase_id, patient_id))
                ).rowcount
                > 0
            )

    # ----------------------------------------------------------------- settings
    def setting(self, key: str, default: str | None = None) -> str | None:
        with self._read() as conn:
            value = conn.execute(select(settings.c.value).where(settings.c.key == key)).scalar()
        return default if value is None else value

    def set_setting(self, key: str, value: str) -> None:
        with self._write("save the setting") as conn:
            if conn.execute(update(settings).where(settings.c.key == key).values(value=value)).rowcount == 0:
                conn.execute(insert(settings).values(key=key, value=value))

    def is_empty(self) -> bool:
        """True when the store holds no patient, set or attempt (restore refuses otherwise)."""
        with self._read() as conn:
            return all(
                conn.execute(select(func.count()).select_from(t)).scalar_one() == 0
                for t in (patients, phrase_sets, attempts, recorded_models)
            )


# --------------------------------------------------------------------- rows to records
def _patient_values(
    *,
    name: str,
    low: str | float,
    interval: float,
    tempo: float,
    level: str,
    tapping: bool,
    daily_goal_min: float,
    notes: str,
) -> dict[str, Any]:
    from mitpractice.errors import ParameterError
    from mitpractice.phrases import INTERVAL_LIMITS, TEMPO_LIMITS

    name = str(name).strip()
    if not name:
        raise StoreError("a patient needs a name")
    if level not in LEVELS:
        raise StoreError(f"level must be one of {', '.join(LEVELS)}, not {level!r}")
    try:
        low_hz = float(low) if isinstance(low, int | float) else note_to_hz(low)
    except (ParameterError, ValueError) as exc:
        raise StoreError(f"low pitch: {exc}") from None
    for label, value, (lo, hi) in (("interval", interval, INTERVAL_LIMITS), ("tempo", tempo, TEMPO_LIMITS)):
        if not lo <= float(value) <= hi:
            raise StoreError(f"{label} must lie between {lo:g} and {hi:g}, not {value:g}")
    if not 0 < float(daily_goal_min) <= 24 * 60:
        raise StoreError(f"the daily goal is minutes between 1 and 1440, not {daily_goal_min:g}")
    return dict(
        name=name,
        low_hz=low_hz,
        interval=float(interval),
        tempo=float(tempo),
        level=level,
        tapping=bool(tapping),
        daily_goal_min=float(daily_goal_min),
        notes=str(notes),
    )


def _thresholds(values: dict[str, float]) -> dict[str, float]:
    out = {}
    for step, score in values.items():
        if not 0 <= float(score) <= 100:
            raise StoreError(f"the pass score of step {step!r} is 0–100, not {score}")
        out[str(step)] = float(score)
    return out


def _patient(r) -> Patient:
    return Patient(
        id=r["id"],
        name=r["name"],
        low_hz=r["low_hz"],
        interval=r["interval"],
        tempo=r["tempo"],
        level=r["level"],
        tapping=bool(r["tapping"]),
        daily_goal_min=r["daily_goal_min"],
        thresholds=json.loads(r["thresholds_json"]),
        notes=r["notes"],
        created_at=r["created_at"],
        updated_at=r["updated_at"],
    )


def _set_record(r) -> PhraseSetRecord:
    return PhraseSetRecord(
        id=r["id"],
        set_id=r["set_id"],
        title=r["title"],
        toml=r["toml"],
        sha256=r["sha256"],
        imported_at=r["imported_at"],
    )


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


def _model_key(set_id: str, phrase_id: str, patient_id: str | None):
    owner = (
        recorded_models.c.patient_id.is_(None)
        if patient_id is None
        else recorded_models.c.patient_id == patient_id
    )
    return and_(recorded_models.c.set_id == set_id, recorded_models.c.phrase_id == phrase_id, owner)


def _make_folder(folder: Path) -> None:
    try:
        folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    except OSError as exc:
        raise StoreError(f"{folder}: cannot create the database's folder: {exc.strerror or exc}") from None


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


def _bundled_set_file(set_id: str) -> Path | None:
    from mitpractice.phrases import bundled_phrases_dir, load_phrase_set

    for path in sorted(bundled_phrases_dir().glob("*.toml")):
        if path.stem == set_id or load_phrase_set(path).id == set_id:
            return path
    return None
