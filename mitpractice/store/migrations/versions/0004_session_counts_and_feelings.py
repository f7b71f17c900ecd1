"""A practice session keeps the phrases finished in it and how the patient felt before and
after (``sessions.phrases_done``, ``feeling_before``, ``feeling_after``).

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-07
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.add_column(sa.Column("phrases_done", sa.Integer(), nullable=False, server_default="0"))
        batch_op.add_column(sa.Column("feeling_before", sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column("feeling_after", sa.Integer(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("sessions", schema=None) as batch_op:
        batch_op.drop_column("feeling_after")
        batch_op.drop_column("feeling_before")
        batch_op.drop_column("phrases_done")
