"""no counter logins: the per-counter PostgreSQL roles end, only the sync service acts for counters

Revision ID: c0008
Revises: c0007
Create Date: 2026-12-07 23:00:00

Counters sync only through the sync service with a credential (issue 18). Each login role that `add-counter`
made before (recorded in `central.counter.role_name`) leaves the counters' group and is dropped; the column is
cleared and may stay empty (new counters get no role). Any other direct member of the group leaves it too: the
service role is its only member from now on. `central.agency_of` / `central.counter_of` keep only the service's
branch (the two settings of central/session.py, for members of the service role); the branch that mapped a login
role to its counter through `role_name` goes, so no row-level security policy can be satisfied by a role's name
any more. Row-level security itself stays on, as defence in depth behind the service's own checks. `central.hello`
names the counter the service acts for instead of looking a login up.

Dropping roles needs the administrator's CREATEROLE, not the owner's rights the migrations run with
(central_admin.init_central sets the role): those statements run as the session's own user, then the owner's
role is set again.
"""

from __future__ import annotations

import re

from alembic import context, op
from sqlalchemy import text

from counter_app.sync.central_schema import CentralRoles

revision = "c0008"
down_revision = "c0007"
branch_labels = None
depends_on = None

# Frozen copies of counter_app.central.session's setting names as of this revision.
AGENCY_SETTING = "counter_app.agency"
COUNTER_SETTING = "counter_app.counter"


def _old_counter_role(prefix: str, agency_code: str, number: int) -> str:
    """The login name the old `add-counter` gave a counter (central_schema.CentralRoles.counter_role as of c0007)."""
    return f"{prefix}_{re.sub(r'[^a-z0-9]+', '_', agency_code.lower()).strip('_')}_{number}"


def _role_functions(service: str) -> list[str]:
    # only a member of the service role reads the settings; for any other role (a login, the owner) NULL: no
    # agency, no counter, every policy denies
    acting = f"pg_catalog.pg_has_role($1, '{service}', 'MEMBER')"
    return [
        f"""CREATE OR REPLACE FUNCTION central.agency_of(role_name text) RETURNS text
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$ SELECT CASE WHEN {acting} THEN nullif(current_setting('{AGENCY_SETTING}', true), '') END $$""",
        f"""CREATE OR REPLACE FUNCTION central.counter_of(role_name text) RETURNS integer
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$ SELECT CASE WHEN {acting}
                              THEN nullif(current_setting('{COUNTER_SETTING}', true), '')::integer END $$""",
        # same signature and columns as c0001's; the agency and counter are those the service acts for
        """CREATE OR REPLACE FUNCTION central.hello(client_protocol integer, role_name text)
            RETURNS TABLE (revision text, server_now timestamptz, agency_code text, counter integer,
                           counter_digits integer, number_digits integer)
            LANGUAGE plpgsql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$
            DECLARE minimum integer;
            BEGIN
                SELECT c.min_client_protocol INTO minimum FROM central.compat c;
                IF client_protocol < minimum THEN
                    RAISE EXCEPTION 'client protocol % is older than the minimum %', client_protocol, minimum
                        USING ERRCODE = 'CA426';
                END IF;
                RETURN QUERY
                    SELECT (SELECT v.version_num::text FROM central.alembic_version v LIMIT 1), now(),
                           a.code, central.counter_of(hello.role_name),
                           a.counter_digits::integer, a.number_digits::integer
                    FROM (SELECT 1) AS one
                    LEFT JOIN central.agency a ON a.code = central.agency_of(hello.role_name);
            END $$""",
    ]


def _logins_to_end(roles: CentralRoles) -> tuple[list[str], list[str]]:
    """(quoted names of the counters' old logins to drop, quoted names of other members to take out of the group),
    read as the owner (row-level security hides central.counter from anyone else but a superuser)."""
    bind = op.get_bind()
    prefix, group, service = roles.prefix, roles.counters, roles.service
    registered = bind.execute(
        text(
            "SELECT c.agency_code, c.number, c.role_name, quote_ident(c.role_name) FROM central.counter c "
            "JOIN pg_catalog.pg_roles r ON r.rolname = c.role_name"
        )
    ).all()
    # only a role with the very name the old code gave that counter is dropped: a name typed into the table by
    # hand could be anybody's
    drop = [quoted for agency, number, name, quoted in registered if name == _old_counter_role(prefix, agency, number)]
    members = bind.execute(
        text(
            "SELECT quote_ident(m.rolname) FROM pg_catalog.pg_auth_members am "
            "JOIN pg_catalog.pg_roles g ON g.oid = am.roleid JOIN pg_catalog.pg_roles m ON m.oid = am.member "
            "WHERE g.rolname = :group AND m.rolname <> :service"
        ),
        {"group": group, "service": service},
    ).all()
    return drop, [quoted for (quoted,) in members if quoted not in drop]


def upgrade() -> None:
    roles = context.config.attributes["roles"]
    group = f'"{roles.counters}"'
    drop, leave = _logins_to_end(roles)
    acting_as = op.get_bind().execute(text("SELECT quote_ident(current_user)")).scalar_one()
    op.execute("RESET ROLE")
    for login in drop:
        op.execute(f"REVOKE {group} FROM {login}")
        op.execute(f"DROP ROLE IF EXISTS {login}")  # it owns nothing: the owner role owns every object
    for member in leave:
        op.execute(f"REVOKE {group} FROM {member}")
    op.execute(f"SET ROLE {acting_as}")
    for statement in [
        "ALTER TABLE central.counter ALTER COLUMN role_name DROP NOT NULL",  # its UNIQUE allows many NULLs
        "UPDATE central.counter SET role_name = NULL WHERE role_name IS NOT NULL",
        "COMMENT ON COLUMN central.counter.role_name IS "
        "'the login role a counter had before c0008; always NULL since (counters sync through the sync service)'",
        *_role_functions(roles.service),
    ]:
        op.execute(statement)


def downgrade() -> None:
    # The ended logins cannot come back: their passwords were shown once and are nowhere. Going back to c0007
    # leaves the service's branch of the functions in place (c0005's form would need the logins), so a central
    # downgraded this way is still served by the sync service only.
    pass
