"""The store's tables (SQLAlchemy Core), as DESIGN.md "Storage" lists them.

Ids are UUIDs (text) and times UTC, so two stores merge without clashes (bundles, restore).
Each attempt's audio sits in its own table, so the review queries never read the blobs, and is
written in the same transaction as the attempt's row.

The migrations under ``migrations/versions`` create exactly these tables; a change here needs a
new migration (``tests/test_store_migrations.py`` compares the two, on SQLite and PostgreSQL).
"""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    Column,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    LargeBinary,
    MetaData,
    String,
    Table,
    Text,
    TypeDecorator,
    UniqueConstraint,
)

#: Length of a UUID in its text form.
ID_LENGTH = 36


class UTCDateTime(TypeDecorator):
    """A timezone-aware UTC time on every backend (SQLite keeps no zone, so store naive UTC)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("times given to the store must be timezone-aware")
        return value.astimezone(UTC).replace(tzinfo=None)

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        return None if value is None else value.replace(tzinfo=UTC)


metadata = MetaData(
    naming_convention={
        "ix": "ix_%(table_name)s_%(column_0_N_name)s",
        "uq": "uq_%(table_name)s_%(column_0_N_name)s",
        "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
        "pk": "pk_%(table_name)s",
    }
)


def _id() -> Column:
    return Column("id", String(ID_LENGTH), primary_key=True)


def _patient_fk() -> Column:
    return Column("patient_id", String(ID_LENGTH), ForeignKey("patients.id", ondelete="CASCADE"),
                  nullable=False)


patients = Table(
    "patients", metadata,
    _id(),
    Column("name", Text, nullable=False),
    Column("low_hz", Float, nullable=False),
    Column("interval", Float, nullable=False),
    Column("tempo", Float, nullable=False),
    Column("level", String(16), nullable=False),
    Column("tapping", Boolean, nullable=False),
    Column("daily_goal_min", Float, nullable=False),
    Column("thresholds_json", Text, nullable=False),  # per-step pass thresholds, {} = defaults
    Column("notes", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Column("updated_at", UTCDateTime, nullable=False),
)

test_results = Table(
    "test_results", metadata,
    _id(),
    _patient_fk(),
    Column("test", Text, nullable=False),  # WAB, BNT, ANELT, CIU/min or free-form
    Column("taken_on", Date, nullable=False),
    Column("value", Float),
    Column("text", Text, nullable=False),  # a free-form result, or a remark beside the value
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "patient_id", "taken_on"),
)

phrase_sets = Table(
    "phrase_sets", metadata,
    _id(),
    Column("set_id", String(64), nullable=False),
    Column("title", Text, nullable=False),
    Column("toml", Text, nullable=False),
    Column("sha256", String(64), nullable=False, unique=True),
    Column("imported_at", UTCDateTime, nullable=False),
    Index(None, "set_id", "imported_at"),
)

assignments = Table(
    "assignments", metadata,
    _id(),
    _patient_fk(),
    Column("phrase_set_id", String(ID_LENGTH), ForeignKey("phrase_sets.id"), nullable=False),
    Column("set_id", String(64), nullable=False),
    Column("phrase_id", String(64), nullable=False),
    Column("probe", Boolean, nullable=False),
    Column("assigned_at", UTCDateTime, nullable=False),
    # When the phrase was taken off the programme (None while it is on it). The row stays, so
    # a bundle carries the removal to the other computer; assigning again clears it.
    Column("removed_at", UTCDateTime),
    UniqueConstraint("patient_id", "set_id", "phrase_id"),
)

sessions = Table(
    "sessions", metadata,
    _id(),
    _patient_fk(),
    Column("started_at", UTCDateTime, nullable=False),
    Column("ended_at", UTCDateTime),
    # Phrases finished in the session (through their steps, or stopped; not skipped), so
    # today's count survives a restart of the app.
    Column("phrases_done", Integer, nullable=False, server_default="0"),
    # How the patient felt at the start and the end, 1 (bad) to 5 (good); None: not asked
    # or skipped.
    Column("feeling_before", Integer),
    Column("feeling_after", Integer),
    Index(None, "patient_id", "started_at"),
)

attempts = Table(
    "attempts", metadata,
    _id(),
    _patient_fk(),
    Column("session_id", String(ID_LENGTH), ForeignKey("sessions.id", ondelete="SET NULL")),
    Column("phrase_set_id", String(ID_LENGTH), ForeignKey("phrase_sets.id"), nullable=False),
    Column("set_id", String(64), nullable=False),
    Column("phrase_id", String(64), nullable=False),
    Column("syllables", Integer, nullable=False),  # the phrase's length, for "longest reached"
    Column("probe", Boolean, nullable=False),
    Column("step", String(32), nullable=False),
    Column("started_at", UTCDateTime, nullable=False),
    Column("duration_s", Float, nullable=False),
    Column("low_hz", Float, nullable=False),
    Column("interval", Float, nullable=False),
    Column("tempo", Float, nullable=False),
    Column("latency_s", Float, nullable=False),
    Column("tapping", Boolean, nullable=False),
    Column("taps_json", Text, nullable=False),  # tap times (s from the take's start)
    Column("model", String(32), nullable=False),
    Column("mode", String(16), nullable=False),
    Column("recovered", Boolean, nullable=False),
    # Filled when the attempt is scored (it is saved first, scored after).
    Column("voiced", Boolean),
    Column("melodic", Float),
    Column("rhythmic", Float),
    Column("overall", Float),
    Column("score_json", Text),
    # The therapist's word.
    Column("override", Float),
    Column("note", Text, nullable=False),
    Column("flagged", Boolean, nullable=False),
    Index(None, "patient_id", "started_at"),
    Index(None, "patient_id", "set_id", "phrase_id", "started_at"),  # one phrase of one patient
    Index(None, "set_id", "phrase_id"),
    Index(None, "overall"),
    Index(None, "flagged", "started_at"),  # the flagged list, newest first
)

attempt_audio = Table(
    "attempt_audio", metadata,
    Column("attempt_id", String(ID_LENGTH), ForeignKey("attempts.id", ondelete="CASCADE"),
           primary_key=True),
    Column("sr", Integer, nullable=False),
    Column("flac", LargeBinary, nullable=False),
)

recorded_models = Table(
    "recorded_models", metadata,
    _id(),
    Column("set_id", String(64), nullable=False),
    Column("phrase_id", String(64), nullable=False),
    Column("patient_id", String(ID_LENGTH), ForeignKey("patients.id", ondelete="CASCADE")),
    Column("sr", Integer, nullable=False),
    Column("flac", LargeBinary, nullable=False),
    Column("notes_json", Text, nullable=False),
    Column("created_at", UTCDateTime, nullable=False),
    Index(None, "set_id", "phrase_id"),
)

settings = Table(
    "settings", metadata,
    Column("key", String(64), primary_key=True),
    Column("value", Text, nullable=False),
)
