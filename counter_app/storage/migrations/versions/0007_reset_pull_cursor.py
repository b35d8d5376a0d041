"""every counter reads the central's log again from the start: a stored pull cursor may have skipped events

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-07 18:00:00

Issue 18 reported counters missing other counters' events once the central's transaction ids crossed a power of
ten (a cursor compared as text: `10003` before `1261`), with sync reporting success. A cursor stored by such a
build may lie past events this counter never read, and nothing can tell which. Forgetting it makes the next pull
read the whole visible log again; events already held are recognised by their uuid and skipped
(pulled_events.insert_received), so the cost is one full read, and nothing is duplicated.
"""

from __future__ import annotations

from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None

# Frozen copy of counter_app.storage.pull_cursor.CURSOR_KEY as of this revision.
CURSOR_KEY = "sync_cursor"


def upgrade() -> None:
    op.execute(f"DELETE FROM setting WHERE key = '{CURSOR_KEY}'")  # noqa: S608 - a constant of this file


def downgrade() -> None:
    pass  # a forgotten cursor is only re-read from the start: nothing to put back
