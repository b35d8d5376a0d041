"""the outbox as its own narrow table: acknowledging a push deletes keys instead of rewriting event rows

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-25 05:00:00

A push acknowledged its events by setting `event.sync_state = 1` on each: SQLite rewrites a whole row (with its
payload) to change one column, so acknowledging 10,000 dossiers' 38,600 events wrote ~30 MB of WAL and took
~0.5 s, a fifth of the sync. `event_outbox` lists the (seq, uuid) keys of the events not yet acknowledged, in
the order a push reads them; a trigger adds every event recorded here as it is inserted, and the
acknowledgement deletes a batch's range of keys (~0.03 s). It replaces ix_event_pending, which held the same keys.
The events pending at the upgrade are listed; those sent keep their sync_state 1.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None

PENDING_SQL = "sync_state = 0 AND origin = 'local'"

# Frozen copy of counter_app.storage.models.EVENT_OUTBOX_DDL as of this revision (a migration never imports the
# application's models).
EVENT_OUTBOX_DDL = (
    "CREATE TRIGGER event_outbox_insert AFTER INSERT ON event "
    "WHEN new.origin = 'local' AND new.sync_state = 0 BEGIN "
    "INSERT INTO event_outbox(seq, uuid) VALUES (new.seq, new.uuid); END",
    "CREATE TRIGGER event_outbox_delete AFTER DELETE ON event BEGIN "
    "DELETE FROM event_outbox WHERE seq = old.seq AND uuid = old.uuid; END",
)


def upgrade() -> None:
    op.create_table(
        "event_outbox",
        sa.Column("seq", sa.Integer(), autoincrement=False, nullable=False),
        sa.Column("uuid", sa.String(length=36), nullable=False),
        sa.PrimaryKeyConstraint("seq", "uuid", name=op.f("pk_event_outbox")),
        sqlite_with_rowid=False,
    )
    op.execute(f"INSERT INTO event_outbox (seq, uuid) SELECT seq, uuid FROM event WHERE {PENDING_SQL}")  # noqa: S608
    for statement in EVENT_OUTBOX_DDL:
        op.execute(statement)
    op.drop_index("ix_event_pending", table_name="event")


def downgrade() -> None:
    # what is unsent goes back into the rows' state (the events no longer listed were acknowledged)
    op.execute(
        "UPDATE event SET sync_state = 1 WHERE origin = 'local' AND sync_state = 0 "
        "AND NOT EXISTS (SELECT 1 FROM event_outbox o WHERE o.seq = event.seq AND o.uuid = event.uuid)"
    )
    op.create_index("ix_event_pending", "event", ["seq", "uuid"], unique=False, sqlite_where=sa.text(PENDING_SQL))
    op.execute("DROP TRIGGER event_outbox_delete")
    op.execute("DROP TRIGGER event_outbox_insert")
    op.drop_table("event_outbox")
