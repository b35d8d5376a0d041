"""attachment files on the central: blobs in 1 MiB chunks, the dossiers' attachments, row-level security

Revision ID: c0002
Revises: c0001
Create Date: 2026-11-24 22:00:00
"""

from __future__ import annotations

from alembic import context, op

revision = "c0002"
down_revision = "c0001"
branch_labels = None
depends_on = None

_SHA = "CHECK (sha256 ~ '^[0-9a-f]{64}$')"
# A counter sees a dossier's rows when its agency received or decides the dossier (as the dossier policies).
_VISIBLE_DOSSIER = """dossier_uuid IN (
    SELECT d.uuid FROM central.dossier d
    WHERE (SELECT central.agency_of(current_user)) IN (d.receiving_agency_code, d.deciding_agency_code))"""


def upgrade() -> None:
    roles = context.config.attributes["roles"]
    counters = f'"{roles.counters}"'
    statements = [
        # One row per distinct file content: a file in dossiers of several agencies is stored once.
        f"""CREATE TABLE central.attachment_blob (
            sha256 text PRIMARY KEY {_SHA},
            size bigint NOT NULL CHECK (size >= 0),
            agency_code text NOT NULL REFERENCES central.agency (code),
            complete boolean NOT NULL DEFAULT false,
            created_at timestamptz NOT NULL DEFAULT now(),
            completed_at timestamptz
        )""",
        """CREATE TABLE central.attachment_chunk (
            sha256 text NOT NULL REFERENCES central.attachment_blob (sha256),
            idx integer NOT NULL CHECK (idx >= 0),
            data bytea NOT NULL,
            PRIMARY KEY (sha256, idx)
        )""",
        # Chunks are large: keep them out of TOAST compression (scans and PDFs barely compress).
        "ALTER TABLE central.attachment_chunk ALTER COLUMN data SET STORAGE EXTERNAL",
        # Which file each paper of a dossier got, from the dossier's `attachment.added` events.
        f"""CREATE TABLE central.dossier_attachment (
            event_uuid uuid PRIMARY KEY REFERENCES central.event (uuid),
            dossier_uuid uuid NOT NULL,
            paper integer NOT NULL,
            sha256 text NOT NULL {_SHA},
            size bigint NOT NULL,
            occurred_at timestamptz NOT NULL
        )""",
        "CREATE INDEX ix_dossier_attachment_dossier ON central.dossier_attachment (dossier_uuid, paper, occurred_at)",
        "CREATE INDEX ix_dossier_attachment_sha ON central.dossier_attachment (sha256)",
        # Made by the central itself as the events arrive, so it always matches the event log.
        """CREATE FUNCTION central.record_dossier_attachments() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$
            BEGIN
                -- materialized: only attachment events' payloads are parsed, whatever the planner does
                WITH added AS MATERIALIZED (
                    SELECT n.uuid, n.dossier_uuid, n.occurred_at, n.payload FROM new_events n
                    WHERE n.kind = 'attachment.added' AND n.dossier_uuid IS NOT NULL
                ), parsed AS MATERIALIZED (
                    SELECT a.uuid, a.dossier_uuid, a.occurred_at, a.payload::jsonb AS body FROM added a
                )
                INSERT INTO central.dossier_attachment (event_uuid, dossier_uuid, paper, sha256, size, occurred_at)
                SELECT p.uuid, p.dossier_uuid, (p.body ->> 'paper')::integer, p.body ->> 'sha256',
                       coalesce((p.body ->> 'size')::bigint, 0), p.occurred_at
                FROM parsed p
                WHERE (p.body ->> 'sha256') ~ '^[0-9a-f]{64}$'
                ON CONFLICT (event_uuid) DO NOTHING;
                RETURN NULL;
            END $$""",
        """CREATE TRIGGER event_dossier_attachment AFTER INSERT ON central.event
            REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT
            EXECUTE FUNCTION central.record_dossier_attachments()""",
        # Completing a blob is the central's own check: the chunks' total size and the SHA-256 of their
        # concatenation must match. Chunks that add up to the size but not to the hash are damaged and removed,
        # so that the next upload sends them again. Returns 'complete', 'missing' (chunks still to send),
        # 'damaged' or 'unknown'.
        """CREATE FUNCTION central.complete_attachment(blob_sha256 text) RETURNS text
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$
            DECLARE
                expected bigint;
                done boolean;
                stored bigint;
                digest text;
            BEGIN
                SELECT b.size, b.complete INTO expected, done
                FROM central.attachment_blob b WHERE b.sha256 = blob_sha256 FOR UPDATE;
                IF NOT FOUND THEN
                    RETURN 'unknown';
                END IF;
                IF done THEN
                    RETURN 'complete';
                END IF;
                SELECT coalesce(sum(length(c.data)), 0) INTO stored
                FROM central.attachment_chunk c WHERE c.sha256 = blob_sha256;
                IF stored < expected THEN
                    RETURN 'missing';
                END IF;
                SELECT encode(sha256(coalesce(string_agg(c.data, ''::bytea ORDER BY c.idx), ''::bytea)), 'hex')
                INTO digest FROM central.attachment_chunk c WHERE c.sha256 = blob_sha256;
                IF stored <> expected OR digest <> blob_sha256 THEN
                    DELETE FROM central.attachment_chunk c WHERE c.sha256 = blob_sha256;
                    RETURN 'damaged';
                END IF;
                UPDATE central.attachment_blob b SET complete = true, completed_at = now()
                WHERE b.sha256 = blob_sha256;
                RETURN 'complete';
            END $$""",
        "REVOKE ALL ON central.attachment_blob, central.attachment_chunk, central.dossier_attachment FROM PUBLIC",
        "REVOKE ALL ON FUNCTION central.record_dossier_attachments(), central.complete_attachment(text) FROM PUBLIC",
        f"GRANT SELECT, INSERT (sha256, size, agency_code) ON central.attachment_blob TO {counters}",
        f"GRANT SELECT, INSERT ON central.attachment_chunk TO {counters}",
        f"GRANT SELECT ON central.dossier_attachment TO {counters}",
        f"GRANT EXECUTE ON FUNCTION central.complete_attachment(text) TO {counters}",
        "ALTER TABLE central.attachment_blob ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE central.attachment_chunk ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE central.dossier_attachment ENABLE ROW LEVEL SECURITY",
        f"""CREATE POLICY dossier_attachment_read ON central.dossier_attachment FOR SELECT TO {counters}
            USING ({_VISIBLE_DOSSIER})""",
        # A blob is seen by the agency that uploaded it and by every agency that sees a dossier naming it.
        f"""CREATE POLICY attachment_blob_read ON central.attachment_blob FOR SELECT TO {counters}
            USING (agency_code = (SELECT central.agency_of(current_user))
                   OR sha256 IN (SELECT a.sha256 FROM central.dossier_attachment a WHERE a.{_VISIBLE_DOSSIER}))""",  # noqa: S608
        f"""CREATE POLICY attachment_blob_insert ON central.attachment_blob FOR INSERT TO {counters}
            WITH CHECK (agency_code = (SELECT central.agency_of(current_user)) AND NOT complete)""",
        f"""CREATE POLICY attachment_chunk_read ON central.attachment_chunk FOR SELECT TO {counters}
            USING (sha256 IN (SELECT b.sha256 FROM central.attachment_blob b))""",  # noqa: S608
        # Chunks go only into a blob the counter sees and that is not complete yet (a complete blob is frozen),
        # each at most 1 MiB and at an index inside the blob's size.
        f"""CREATE POLICY attachment_chunk_insert ON central.attachment_chunk FOR INSERT TO {counters}
            WITH CHECK (length(data) <= 1048576 AND sha256 IN (
                SELECT b.sha256 FROM central.attachment_blob b
                WHERE NOT b.complete AND idx::bigint * 1048576 < b.size))""",  # noqa: S608
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TRIGGER IF EXISTS event_dossier_attachment ON central.event")
    for table in ("dossier_attachment", "attachment_chunk", "attachment_blob"):
        op.execute(f"DROP TABLE IF EXISTS central.{table} CASCADE")
    for function in ("complete_attachment(text)", "record_dossier_attachments()"):
        op.execute(f"DROP FUNCTION IF EXISTS central.{function}")
