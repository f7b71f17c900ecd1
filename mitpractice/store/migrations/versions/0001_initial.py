"""The first tables: patients, tests, phrase sets, assignments, sessions, attempts, audio,
recorded models and settings.

Revision ID: 0001
Revises:
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

import mitpractice.store.schema

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "patients",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("name", sa.Text(), nullable=False),
        sa.Column("low_hz", sa.Float(), nullable=False),
        sa.Column("interval", sa.Float(), nullable=False),
        sa.Column("tempo", sa.Float(), nullable=False),
        sa.Column("level", sa.String(length=16), nullable=False),
        sa.Column("tapping", sa.Boolean(), nullable=False),
        sa.Column("daily_goal_min", sa.Float(), nullable=False),
        sa.Column("thresholds_json", sa.Text(), nullable=False),
        sa.Column("notes", sa.Text(), nullable=False),
        sa.Column("created_at", mitpractice.store.schema.UTCDateTime(), nullable=False),
        sa.Column("updated_at", mitpractice.store.schema.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_patients")),
    )
    op.create_table(
        "phrase_sets",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("set_id", sa.String(length=64), nullable=False),
        sa.Column("title", sa.Text(), nullable=False),
        sa.Column("toml", sa.Text(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("imported_at", mitpractice.store.schema.UTCDateTime(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_phrase_sets")),
        sa.UniqueConstraint("sha256", name=op.f("uq_phrase_sets_sha256")),
    )
    with op.batch_alter_table("phrase_sets", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_phrase_sets_set_id_imported_at"), ["set_id", "imported_at"], unique=False
        )

    op.create_table(
        "settings",
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("value", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_settings")),
    )
    op.create_table(
        "assignments",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("phrase_set_id", sa.String(length=36), nullable=False),
        sa.Column("set_id", sa.String(length=64), nullable=False),
        sa.Column("phrase_id", sa.String(length=64), nullable=False),
        sa.Column("probe", sa.Boolean(), nullable=False),
        sa.Column("assigned_at", mitpractice.store.schema.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_assignments_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["phrase_set_id"], ["phrase_sets.id"], name=op.f("fk_assignments_phrase_set_id_phrase_sets")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_assignments")),
        sa.UniqueConstraint(
            "patient_id", "set_id", "phrase_id", name=op.f("uq_assignments_patient_id_set_id_phrase_id")
        ),
    )
    op.create_table(
        "recorded_models",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("set_id", sa.String(length=64), nullable=False),
        sa.Column("phrase_id", sa.String(length=64), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=True),
        sa.Column("sr", sa.Integer(), nullable=False),
        sa.Column("flac", sa.LargeBinary(), nullable=False),
        sa.Column("notes_json", sa.Text(), nullable=False),
        sa.Column("created_at", mitpractice.store.schema.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_recorded_models_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_recorded_models")),
    )
    with op.batch_alter_table("recorded_models", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_recorded_models_set_id_phrase_id"), ["set_id", "phrase_id"], unique=False
        )

    op.create_table(
        "sessions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("started_at", mitpractice.store.schema.UTCDateTime(), nullable=False),
        sa.Column("ended_at", mitpractice.store.schema.UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_sessions_patient_id_patients"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sessions")),
    )
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_sessions_patient_id_started_at"), ["patient_id", "started_at"], unique=False
        )

    op.create_table(
        "test_results",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("test", sa.Text(), nullable=False),
        sa.Column("taken_on", sa.Date(), nullable=False),
        sa.Column("value", sa.Float(), nullable=True),
        sa.Column("text", sa.Text(), nullable=False),
        sa.Column("created_at", mitpractice.store.schema.UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["patients.id"],
            name=op.f("fk_test_results_patient_id_patients"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_test_results")),
    )
    with op.batch_alter_table("test_results", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_test_results_patient_id_taken_on"), ["patient_id", "taken_on"], unique=False
        )

    op.create_table(
        "attempts",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("patient_id", sa.String(length=36), nullable=False),
        sa.Column("session_id", sa.String(length=36), nullable=True),
        sa.Column("phrase_set_id", sa.String(length=36), nullable=False),
        sa.Column("set_id", sa.String(length=64), nullable=False),
        sa.Column("phrase_id", sa.String(length=64), nullable=False),
        sa.Column("syllables", sa.Integer(), nullable=False),
        sa.Column("probe", sa.Boolean(), nullable=False),
        sa.Column("step", sa.String(length=32), nullable=False),
        sa.Column("started_at", mitpractice.store.schema.UTCDateTime(), nullable=False),
        sa.Column("duration_s", sa.Float(), nullable=False),
        sa.Column("low_hz", sa.Float(), nullable=False),
        sa.Column("interval", sa.Float(), nullable=False),
        sa.Column("tempo", sa.Float(), nullable=False),
        sa.Column("latency_s", sa.Float(), nullable=False),
        sa.Column("tapping", sa.Boolean(), nullable=False),
        sa.Column("taps_json", sa.Text(), nullable=False),
        sa.Column("model", sa.String(length=32), nullable=False),
        sa.Column("mode", sa.String(length=16), nullable=False),
        sa.Column("recovered", sa.Boolean(), nullable=False),
        sa.Column("voiced", sa.Boolean(), nullable=True),
        sa.Column("melodic", sa.Float(), nullable=True),
        sa.Column("rhythmic", sa.Float(), nullable=True),
        sa.Column("overall", sa.Float(), nullable=True),
        sa.Column("score_json", sa.Text(), nullable=True),
        sa.Column("override", sa.Float(), nullable=True),
        sa.Column("note", sa.Text(), nullable=False),
        sa.Column("flagged", sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"], ["patients.id"], name=op.f("fk_attempts_patient_id_patients"), ondelete="CASCADE"
        ),
        sa.ForeignKeyConstraint(
            ["phrase_set_id"], ["phrase_sets.id"], name=op.f("fk_attempts_phrase_set_id_phrase_sets")
        ),
        sa.ForeignKeyConstraint(
            ["session_id"], ["sessions.id"], name=op.f("fk_attempts_session_id_sessions"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempts")),
    )
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attempts_flagged"), ["flagged"], unique=False)
        batch_op.create_index(batch_op.f("ix_attempts_overall"), ["overall"], unique=False)
        batch_op.create_index(
            batch_op.f("ix_attempts_patient_id_started_at"), ["patient_id", "started_at"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_attempts_set_id_phrase_id"), ["set_id", "phrase_id"], unique=False
        )

    op.create_table(
        "attempt_audio",
        sa.Column("attempt_id", sa.String(length=36), nullable=False),
        sa.Column("sr", sa.Integer(), nullable=False),
        sa.Column("flac", sa.LargeBinary(), nullable=False),
        sa.ForeignKeyConstraint(
            ["attempt_id"],
            ["attempts.id"],
            name=op.f("fk_attempt_audio_attempt_id_attempts"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_attempt_audio")),
    )


def downgrade() -> None:
    op.drop_table("attempt_audio")
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_attempts_set_id_phrase_id"))
        batch_op.drop_index(batch_op.f("ix_attempts_patient_id_started_at"))
        batch_op.drop_index(batch_op.f("ix_attempts_overall"))
        batch_op.drop_index(batch_op.f("ix_attempts_flagged"))

    op.drop_table("attempts")
    with op.batch_alter_table("test_results", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_test_results_patient_id_taken_on"))

    op.drop_table("test_results")
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_sessions_patient_id_started_at"))

    op.drop_table("sessions")
    with op.batch_alter_table("recorded_models", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_recorded_models_set_id_phrase_id"))

    op.drop_table("recorded_models")
    op.drop_table("assignments")
    op.drop_table("settings")
    with op.batch_alter_table("phrase_sets", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_phrase_sets_set_id_imported_at"))

    op.drop_table("phrase_sets")
    op.drop_table("patients")
