"""the outbox's own index: unsent local events in the order the sync reads them

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-25 02:30:00

ix_event_sync (sync_state, seq) held every event, sent or not: a push read the unsent ones through it and sorted
each seq's events by uuid in a temporary B-tree, and acknowledging moved every sent event to another place in
it. ix_event_pending holds the unsent local events only, in the push's (seq, uuid) order: reading is a walk of
the index, counting them reads the index alone, and an acknowledgement removes entries from a small index.
Queries must spell the index's condition out (`sync_state = 0 AND origin = 'local'`, literals, not parameters)
for SQLite to use it.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

PENDING_SQL = "sync_state = 0 AND origin = 'local'"


def upgrade() -> None:
    # plain CREATE/DROP INDEX: SQLite adds and drops indexes without copying the table (no batch mode needed)
    op.create_index("ix_event_pending", "event", ["seq", "uuid"], unique=False, sqlite_where=sa.text(PENDING_SQL))
    op.drop_index("ix_event_sync", table_name="event")


def downgrade() -> None:
    op.create_index("ix_event_sync", "event", ["sync_state", "seq"], unique=False)
    op.drop_index("ix_event_pending", table_name="event")
