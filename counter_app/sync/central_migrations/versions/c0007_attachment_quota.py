"""per-agency quota of attachment storage, read by the sync service before it takes a new file

Revision ID: c0007
Revises: c0006
Create Date: 2026-12-07 21:00:00

The sync service refuses a new attachment file when the blobs an agency started would exceed its quota
(counter_app.central.attachments). An agency without a row here has the service's default quota; the city's
administrator sets another with `INSERT … ON CONFLICT` as the schema's owner. The service reads only its caller's
row (row-level security, as the other tables).
"""

from __future__ import annotations

from alembic import context, op

revision = "c0007"
down_revision = "c0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    roles = context.config.attributes["roles"]
    counters = f'"{roles.counters}"'
    statements = [
        """CREATE TABLE central.attachment_quota (
            agency_code text PRIMARY KEY REFERENCES central.agency (code),
            max_bytes bigint NOT NULL CHECK (max_bytes >= 0)
        )""",
        "REVOKE ALL ON central.attachment_quota FROM PUBLIC",
        f"GRANT SELECT ON central.attachment_quota TO {counters}",
        "ALTER TABLE central.attachment_quota ENABLE ROW LEVEL SECURITY",
        f"""CREATE POLICY attachment_quota_read ON central.attachment_quota FOR SELECT TO {counters}
            USING (agency_code = (SELECT central.agency_of(current_user)))""",
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP TABLE IF EXISTS central.attachment_quota")
