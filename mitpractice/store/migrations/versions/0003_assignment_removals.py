"""A phrase taken off a patient's programme is marked (``assignments.removed_at``) instead of
deleted, so a bundle carries the removal between home and the clinic.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

import mitpractice.store.schema

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.add_column(sa.Column("removed_at", mitpractice.store.schema.UTCDateTime(), nullable=True))


def downgrade() -> None:
    # The removed phrases go for good, as they did before this revision.
    op.execute(sa.text("DELETE FROM assignments WHERE removed_at IS NOT NULL"))
    with op.batch_alter_table("assignments", schema=None) as batch_op:
        batch_op.drop_column("removed_at")
