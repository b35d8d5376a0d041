"""a Lamport clock per dossier in every event, first in the order a dossier's events are replayed

Revision ID: c0009
Revises: c0008
Create Date: 2026-12-08 02:00:00

As the local revision 0009: `central.event.lamport` is 1 + the highest lamport of the dossier's events the
recording counter held (0 without a dossier), and it comes first in the replay order of every copy
(storage.event_order.REPLAY_ORDER_SQL). The events already held are numbered 1, 2, … per dossier in exactly the old
order (time, then agency compared as bytes, counter, seq), so no dossier's state changes; one UPDATE with a window
function. A counter sends the lamport with each event (the sync service's role may insert the column); an event
that comes without one (a client that predates it) gets 1 + the highest lamport of its dossier's events on the
central when it is inserted, events inserted before it by the same statement included (a row trigger that sees
them, as the owner: row-level security hides none of the dossier's events from it).

No index is added: the central reads a dossier's events through ix_event_dossier (dossier_uuid) and sorts them in
memory (a dossier has a few), the highest lamport of a dossier included.
"""

from __future__ import annotations

from alembic import context, op

revision = "c0009"
down_revision = "c0008"
branch_labels = None
depends_on = None

# The replay order before this revision (a frozen copy of storage.event_order.REPLAY_ORDER_SQL as of c0008).
OLD_ORDER = 'occurred_at, agency_code COLLATE "C", counter, seq'

BACKFILL = f"""
UPDATE central.event e SET lamport = numbered.n
FROM (SELECT uuid, CASE WHEN dossier_uuid IS NULL THEN 0
                        ELSE row_number() OVER (PARTITION BY dossier_uuid ORDER BY {OLD_ORDER}) END AS n
      FROM central.event) AS numbered
WHERE e.uuid = numbered.uuid
"""  # noqa: S608 - constants of this file


def upgrade() -> None:
    # Role names come from central_schema.roles_for (letters, digits and underscores only), never from input.
    roles = context.config.attributes["roles"]
    counters = f'"{roles.counters}"'
    statements = [
        "ALTER TABLE central.event ADD COLUMN lamport integer",
        BACKFILL,
        "ALTER TABLE central.event ALTER COLUMN lamport SET NOT NULL",
        "ALTER TABLE central.event ADD CONSTRAINT event_lamport_not_negative CHECK (lamport >= 0)",
        """CREATE FUNCTION central.assign_event_lamport() RETURNS trigger
            LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$
            BEGIN
                IF NEW.dossier_uuid IS NULL THEN
                    NEW.lamport := 0;
                ELSE
                    SELECT coalesce(max(e.lamport), 0) + 1 INTO NEW.lamport
                    FROM central.event e WHERE e.dossier_uuid = NEW.dossier_uuid;
                END IF;
                RETURN NEW;
            END $$""",
        "REVOKE ALL ON FUNCTION central.assign_event_lamport() FROM PUBLIC",
        """CREATE TRIGGER event_lamport BEFORE INSERT ON central.event
            FOR EACH ROW WHEN (NEW.lamport IS NULL) EXECUTE FUNCTION central.assign_event_lamport()""",
        f"GRANT INSERT (lamport) ON central.event TO {counters}",
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS event_lamport ON central.event")
    op.execute("DROP FUNCTION IF EXISTS central.assign_event_lamport()")
    op.execute("ALTER TABLE central.event DROP COLUMN IF EXISTS lamport")
