"""the sync service: per-counter credentials, and the service acting for the counter it authenticated

Revision ID: c0005
Revises: c0004
Create Date: 2026-12-07 18:00:00

Counters reach the central through the sync service (counter_app.central) with a credential, not with a login
of their own. The service stores only the SHA-256 of each credential (256 random bits: a slow hash adds nothing),
finds the counter by it (`central.authenticate`, the table itself is not readable by the service), and runs
every transaction as the `…_service` role with the counter's agency and number in two settings. The functions
the row-level security policies call (`agency_of`, `counter_of`) read those settings for the service, so every
policy of the counters applies to the service exactly as to the counter it acts for (defence in depth: the
service checks first). A login that is not a member of the service role cannot use the settings.
"""

from __future__ import annotations

from alembic import context, op

revision = "c0005"
down_revision = "c0004"
branch_labels = None
depends_on = None

# Frozen copies of counter_app.central.session's setting names as of this revision.
AGENCY_SETTING = "counter_app.agency"
COUNTER_SETTING = "counter_app.counter"


def _role_functions(service: str) -> list[str]:
    acting = f"pg_catalog.pg_has_role($1, '{service}', 'MEMBER')"
    return [
        f"""CREATE OR REPLACE FUNCTION central.agency_of(role_name text) RETURNS text
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$ SELECT CASE WHEN {acting}
                              THEN nullif(current_setting('{AGENCY_SETTING}', true), '')
                              ELSE (SELECT c.agency_code FROM central.counter c WHERE c.role_name = $1) END $$""",  # noqa: S608 - the role name is a slug of roles_for
        f"""CREATE OR REPLACE FUNCTION central.counter_of(role_name text) RETURNS integer
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$ SELECT CASE WHEN {acting}
                              THEN nullif(current_setting('{COUNTER_SETTING}', true), '')::integer
                              ELSE (SELECT c.number FROM central.counter c WHERE c.role_name = $1) END $$""",  # noqa: S608
    ]


def upgrade() -> None:
    roles = context.config.attributes["roles"]
    service = f'"{roles.service}"'
    statements = [
        """CREATE TABLE central.counter_credential (
            secret_sha256 bytea PRIMARY KEY CHECK (length(secret_sha256) = 32),
            agency_code text NOT NULL,
            counter integer NOT NULL,
            issued_at timestamptz NOT NULL DEFAULT now(),
            revoked_at timestamptz,
            FOREIGN KEY (agency_code, counter) REFERENCES central.counter (agency_code, number)
        )""",
        # one credential in force per counter: issuing another revokes the previous one first
        """CREATE UNIQUE INDEX ux_counter_credential_active ON central.counter_credential (agency_code, counter)
            WHERE revoked_at IS NULL""",
        """CREATE FUNCTION central.authenticate(secret_sha256 bytea)
            RETURNS TABLE (agency_code text, counter integer, counter_digits integer, number_digits integer)
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$ SELECT c.agency_code, c.counter, a.counter_digits::integer, a.number_digits::integer
                  FROM central.counter_credential c JOIN central.agency a ON a.code = c.agency_code
                  WHERE c.secret_sha256 = $1 AND c.revoked_at IS NULL $$""",
        "REVOKE ALL ON FUNCTION central.authenticate(bytea) FROM PUBLIC",
        f"GRANT EXECUTE ON FUNCTION central.authenticate(bytea) TO {service}",
        *_role_functions(roles.service),
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP FUNCTION IF EXISTS central.authenticate(bytea)")
    op.execute("DROP TABLE IF EXISTS central.counter_credential")
    op.execute(
        """CREATE OR REPLACE FUNCTION central.agency_of(role_name text) RETURNS text
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$ SELECT c.agency_code FROM central.counter c WHERE c.role_name = $1 $$"""
    )
    op.execute(
        """CREATE OR REPLACE FUNCTION central.counter_of(role_name text) RETURNS integer
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$ SELECT c.number FROM central.counter c WHERE c.role_name = $1 $$"""
    )
