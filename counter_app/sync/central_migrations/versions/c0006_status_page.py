"""the citizen's status page: the public fields of one dossier, for its code and its key only

Revision ID: c0006
Revises: c0005
Create Date: 2026-12-07 19:00:00

The receipt's QR opens `<public_url>/s/<code>?k=<key>` (counter_app.central.status_page). The page runs as the
service role acting for no counter, so every row-level security policy denies it; rather than widen a policy,
`central.public_status` (SECURITY DEFINER) returns only what the page shows, and only when the key matches the
one the counter put in the dossier's opening event (`status_key`, 128 random bits: codes are sequential). The
applicant's name leaves the database masked; the identifier, address and phone never leave it.
"""

from __future__ import annotations

from alembic import context, op

revision = "c0006"
down_revision = "c0005"
branch_labels = None
depends_on = None

# Frozen copies of counter_app.domain.status_link's payload fields and key shape as of this revision.
STATUS_KEY_FIELD = "status_key"
DESK_PHONE_FIELD = "desk_phone"
KEY_PATTERN = "^[A-Za-z0-9_-]{22}$"

_SIGNATURE = "central.public_status(text, text)"


def upgrade() -> None:
    roles = context.config.attributes["roles"]
    service = f'"{roles.service}"'
    # each word keeps its first third (at least one letter): "Nguyễn Thị Đào" -> "Ng**** T** Đ**"
    masked = (
        "(SELECT string_agg(left(w, greatest(1, length(w) / 3)) || repeat('*', length(w) - greatest(1, length(w) / 3)),"
        " ' ' ORDER BY n) FROM regexp_split_to_table(btrim(d.applicant_name), '\\s+') WITH ORDINALITY AS t(w, n))"
    )
    statements = [
        f"""CREATE FUNCTION {_SIGNATURE.replace("(text, text)", "(dossier_code text, status_key text)")}
            RETURNS TABLE (
                procedure_name text, receiving_unit text, received_at timestamptz, due_at timestamptz,
                original_due_at timestamptz, reappointed boolean, reappoint_reason text, stage text,
                supplement_reason text, finished_at timestamptz, result_delivery text, applicant text,
                desk_phone text
            )
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$
            SELECT d.procedure_name, a.name, d.received_at, d.due_at, d.original_due_at, d.reappointed,
                   CASE WHEN d.reappointed THEN
                       (SELECT r.payload::jsonb ->> 'reason' FROM central.event r
                        WHERE r.dossier_uuid = d.uuid AND r.kind = 'dossier.reappointed'
                        ORDER BY r.occurred_at DESC, r.seq DESC LIMIT 1)
                   END,
                   d.stage,
                   CASE WHEN d.stage = 'supplement_requested' THEN d.reason ELSE '' END,
                   d.finished_at, d.result_delivery, {masked},
                   coalesce(o.body ->> '{DESK_PHONE_FIELD}', '')
            FROM central.dossier d
            JOIN central.agency a ON a.code = d.receiving_agency_code
            CROSS JOIN LATERAL (
                SELECT e.payload::jsonb AS body FROM central.event e
                WHERE e.dossier_uuid = d.uuid AND e.kind = 'dossier.accepted' LIMIT 1
            ) o
            WHERE d.code = upper($1) AND d.kind = 'dossier'
              AND $2 ~ '{KEY_PATTERN}' AND o.body ->> '{STATUS_KEY_FIELD}' = $2
            $$""",  # noqa: S608 - constants of this module, no input
        f"REVOKE ALL ON FUNCTION {_SIGNATURE} FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION {_SIGNATURE} TO {service}",
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute(f"DROP FUNCTION IF EXISTS {_SIGNATURE}")
