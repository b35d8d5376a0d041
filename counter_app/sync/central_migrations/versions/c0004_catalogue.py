"""the city's catalogue and calendar on the central: published procedures and calendar years

Revision ID: c0004
Revises: c0003
Create Date: 2026-11-24 23:00:00
"""

from __future__ import annotations

from alembic import context, op

revision = "c0004"
down_revision = "c0003"
branch_labels = None
depends_on = None

_DIGEST = "CHECK (digest ~ '^[0-9a-f]{64}$')"


def upgrade() -> None:
    roles = context.config.attributes["roles"]
    counters = f'"{roles.counters}"'
    statements = [
        # One published version per procedure: what every counter's catalogue becomes at its next sync.
        f"""CREATE TABLE central.published_procedure (
            code text PRIMARY KEY CHECK (code ~ '^[A-Za-z0-9][A-Za-z0-9._-]*$' AND length(code) <= 40),
            data jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object' AND data ->> 'code' = code),
            digest text NOT NULL {_DIGEST},
            catalogue_version text NOT NULL DEFAULT '',
            published_at timestamptz NOT NULL DEFAULT now(),
            published_by text NOT NULL DEFAULT session_user
        )""",
        # One official calendar per year (days off and swapped working days, the import format).
        f"""CREATE TABLE central.published_calendar (
            year integer PRIMARY KEY CHECK (year BETWEEN 2000 AND 2100),
            version text NOT NULL CHECK (version <> ''),
            data jsonb NOT NULL CHECK (jsonb_typeof(data) = 'object' AND (data ->> 'year')::integer = year),
            digest text NOT NULL {_DIGEST},
            published_at timestamptz NOT NULL DEFAULT now(),
            published_by text NOT NULL DEFAULT session_user
        )""",
        # Counters only read; the owner (the tables' owner) alone writes. Row-level security with a read-only
        # policy keeps it so even if a write right were granted by mistake.
        "REVOKE ALL ON central.published_procedure, central.published_calendar FROM PUBLIC",
        f"GRANT SELECT ON central.published_procedure, central.published_calendar TO {counters}",
        "ALTER TABLE central.published_procedure ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE central.published_calendar ENABLE ROW LEVEL SECURITY",
        f"CREATE POLICY published_procedure_read ON central.published_procedure FOR SELECT TO {counters} USING (true)",
        f"CREATE POLICY published_calendar_read ON central.published_calendar FOR SELECT TO {counters} USING (true)",
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    for table in ("published_calendar", "published_procedure"):
        op.execute(f"DROP TABLE IF EXISTS central.{table} CASCADE")
