"""indexes for reports, code look-up and name search

- event(kind, occurred_at), partial: only the three kinds the report figures count in a period (supplement
  requests, apology letters, hand-overs with their ratings), which read a range of this index instead of scanning
  the whole event log. Partial so that no other query changes plan: an index on every kind would be chosen for
  `kind = 'dossier.transferred' AND dossier_uuid IN (…)` (sync) instead of ix_event_dossier, and read every
  transfer ever recorded for each batch;
- event(dossier_uuid, occurred_at) of hand-overs only (partial): the "Trả kết quả" column of the tracking book,
  one dossier after the other, read from the index alone instead of every event row of each dossier;
- dossier(finished_at): dossiers resolved, withdrawn or stopped in a period, and those still open at a moment
  (finished_at IS NULL OR finished_at >= moment), without reading every dossier ever received;
- dossier(field, received_at): the tracking book of one field, page by page in order of reception, without
  reading the period's dossiers of every other field for each page;
- dossier_name_fts: an FTS5 index with the trigram tokenizer over the folded applicant name (dossier.name_key),
  so a name fragment of three letters or more is found without reading every name. Its rowid is the dossier's
  reception second shifted left 31 bits plus the dossier's rowid: unique, and in order of reception, so that
  "the 50 most recent dossiers whose name holds the fragment" is `MATCH … ORDER BY rowid DESC LIMIT 50`, which
  FTS5 answers by walking its lists from the newest entry and stopping at the 50th (a common fragment costs
  little, a rare one is short anyway). Contentless (the names are in dossier) and kept in step by triggers, so
  every path that writes a dossier row (the ORM, bulk inserts, the demo loader, plain SQL) keeps it right.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 23:00:00
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None

_REPORT_KINDS = "kind = 'dossier.supplement_requested' OR kind = 'dossier.reappointed' OR kind = 'dossier.handed_over'"
# Frozen copies of counter_app.storage.models.NAME_SEARCH_DDL as of this revision (a migration never imports the
# models, which move on); tests/storage checks that the two create the same schema.
_NAME_SEARCH = (
    "CREATE VIRTUAL TABLE dossier_name_fts USING fts5(name_key, content='', tokenize='trigram', detail='full')",
    "CREATE TRIGGER dossier_name_fts_insert AFTER INSERT ON dossier BEGIN "
    "INSERT INTO dossier_name_fts(rowid, name_key) "
    "VALUES ((CAST(strftime('%s', new.received_at) AS INTEGER) << 31) + new.rowid, new.name_key); END",
    "CREATE TRIGGER dossier_name_fts_delete AFTER DELETE ON dossier BEGIN "
    "INSERT INTO dossier_name_fts(dossier_name_fts, rowid, name_key) "
    "VALUES ('delete', (CAST(strftime('%s', old.received_at) AS INTEGER) << 31) + old.rowid, old.name_key); END",
    "CREATE TRIGGER dossier_name_fts_update AFTER UPDATE OF name_key, received_at ON dossier BEGIN "
    "INSERT INTO dossier_name_fts(dossier_name_fts, rowid, name_key) "
    "VALUES ('delete', (CAST(strftime('%s', old.received_at) AS INTEGER) << 31) + old.rowid, old.name_key); "
    "INSERT INTO dossier_name_fts(rowid, name_key) "
    "VALUES ((CAST(strftime('%s', new.received_at) AS INTEGER) << 31) + new.rowid, new.name_key); END",
)


def upgrade() -> None:
    # plain CREATE INDEX: SQLite adds an index without copying the table (no batch mode needed)
    op.create_index(
        "ix_event_kind_time", "event", ["kind", "occurred_at"], unique=False, sqlite_where=sa.text(_REPORT_KINDS)
    )
    op.create_index(
        "ix_event_handed_over",
        "event",
        ["dossier_uuid", "occurred_at"],
        unique=False,
        sqlite_where=sa.text("kind = 'dossier.handed_over'"),
    )
    op.create_index("ix_dossier_finished", "dossier", ["finished_at"], unique=False)
    op.create_index("ix_dossier_field_received", "dossier", ["field", "received_at"], unique=False)
    for statement in _NAME_SEARCH:
        op.execute(statement)
    # index the dossiers already there
    op.execute(
        "INSERT INTO dossier_name_fts(rowid, name_key) "
        "SELECT (CAST(strftime('%s', received_at) AS INTEGER) << 31) + rowid, name_key FROM dossier"
    )


def downgrade() -> None:
    for trigger in ("dossier_name_fts_update", "dossier_name_fts_delete", "dossier_name_fts_insert"):
        op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
    op.execute("DROP TABLE IF EXISTS dossier_name_fts")
    op.drop_index("ix_dossier_field_received", table_name="dossier")
    op.drop_index("ix_event_handed_over", table_name="event")
    op.drop_index("ix_dossier_finished", table_name="dossier")
    op.drop_index("ix_event_kind_time", table_name="event")
