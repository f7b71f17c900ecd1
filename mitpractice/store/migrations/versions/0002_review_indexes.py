"""Indexes for the review list measured slow by benchmarks/store.py: one phrase of one patient
(the (set, phrase) index alone read every patient's attempts at that phrase), and the flagged
list across patients in time order (PostgreSQL scanned all attempts).

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29
"""

from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attempts_patient_id_set_id_phrase_id_started_at"),
                              ["patient_id", "set_id", "phrase_id", "started_at"], unique=False)
        batch_op.create_index(batch_op.f("ix_attempts_flagged_started_at"), ["flagged", "started_at"],
                              unique=False)
        batch_op.drop_index(batch_op.f("ix_attempts_flagged"))


def downgrade() -> None:
    with op.batch_alter_table("attempts", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_attempts_flagged"), ["flagged"], unique=False)
        batch_op.drop_index(batch_op.f("ix_attempts_flagged_started_at"))
        batch_op.drop_index(batch_op.f("ix_attempts_patient_id_set_id_phrase_id_started_at"))
