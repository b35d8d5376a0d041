"""a Lamport clock per dossier in every event, first in the order a dossier's events are replayed

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-08 02:00:00

A dossier's events were replayed in time order (then agency, counter, seq). Counters' clocks may differ by up to
ten minutes and events keep whole seconds, so a step recorded after its cause (its counter had pulled the cause)
could sort before it, and the replay was illegal or different on another copy. `event.lamport` is 1 + the highest
lamport of the dossier's events the recording counter held (0 without a dossier), and it comes first in the
replay order (storage.event_order). The events already held are numbered 1, 2, … per dossier in exactly the old
order, so no dossier's state changes. One UPDATE with a window function, whatever the size of the log.

ix_event_dossier (dossier_uuid, occurred_at) becomes (dossier_uuid, lamport): it gives a dossier's highest
lamport at each new event, and a dossier's events in replay order.

SQLite adds a NOT NULL column only with a default (0 here); rebuilding the event table to drop it would copy
every row and take its triggers with it. The application sets the column on every insert.
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None

# The replay order before this revision (a frozen copy of storage.event_order.REPLAY_COLUMNS as of 0008).
OLD_ORDER = "occurred_at, agency_code, counter, seq"

BACKFILL = f"""
UPDATE event SET lamport = numbered.n
FROM (SELECT uuid, row_number() OVER (PARTITION BY dossier_uuid ORDER BY {OLD_ORDER}) AS n
      FROM event WHERE dossier_uuid IS NOT NULL) AS numbered
WHERE event.uuid = numbered.uuid
"""  # noqa: S608 - constants of this file


def upgrade() -> None:
    op.add_column("event", sa.Column("lamport", sa.Integer(), nullable=False, server_default=sa.text("0")))
    op.execute(BACKFILL)
    # plain CREATE/DROP INDEX: SQLite adds and drops indexes without copying the table (no batch mode needed)
    op.drop_index("ix_event_dossier", table_name="event")
    op.create_index("ix_event_dossier", "event", ["dossier_uuid", "lamport"], unique=False)


def downgrade() -> None:
    op.drop_index("ix_event_dossier", table_name="event")
    op.create_index("ix_event_dossier", "event", ["dossier_uuid", "occurred_at"], unique=False)
    op.execute("ALTER TABLE event DROP COLUMN lamport")  # SQLite ≥ 3.35 drops an unindexed column in place
