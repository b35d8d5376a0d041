"""catalogue and calendar administration: the administration log (admin_event)

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "admin_event",
        sa.Column("id", sa.Integer(), autoincrement=True, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.Column("occurred_at", sa.String(length=32), nullable=False),
        sa.Column("kind", sa.String(length=40), nullable=False),
        sa.Column("subject", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=10), nullable=False),
        sa.Column("clerk", sa.String(length=100), nullable=False),
        sa.Column("role", sa.String(length=20), nullable=False),
        sa.Column("agency_code", sa.String(length=40), nullable=False),
        sa.Column("counter", sa.Integer(), nullable=False),
        sa.Column("before", sa.Text(), nullable=False),
        sa.Column("after", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_admin_event")),
        sa.UniqueConstraint("uuid", name=op.f("uq_admin_event_uuid")),
    )
    with op.batch_alter_table("admin_event", schema=None) as batch_op:
        batch_op.create_index("ix_admin_event_occurred", ["occurred_at"], unique=False)
        batch_op.create_index("ix_admin_event_subject", ["subject", "occurred_at"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("admin_event", schema=None) as batch_op:
        batch_op.drop_index("ix_admin_event_subject")
        batch_op.drop_index("ix_admin_event_occurred")
    op.drop_table("admin_event")
