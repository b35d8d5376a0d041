"""central schema: agencies, counters, the event log, the dossier projection, roles' rights and row-level security

Revision ID: c0001
Revises:
Create Date: 2026-11-24 21:00:00
"""

from __future__ import annotations

from alembic import context, op

revision = "c0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Role names come from central_schema.roles_for (letters, digits and underscores only), never from input.
    roles = context.config.attributes["roles"]
    counters = f'"{roles.counters}"'
    statements = [
        # Which clients may talk to this central: raised by an administrator to force an update.
        """CREATE TABLE central.compat (
            singleton boolean PRIMARY KEY DEFAULT true CHECK (singleton),
            min_client_protocol integer NOT NULL
        )""",
        "INSERT INTO central.compat (min_client_protocol) VALUES (1)",
        """CREATE TABLE central.agency (
            code text PRIMARY KEY,
            name text NOT NULL,
            counter_digits smallint NOT NULL DEFAULT 1 CHECK (counter_digits IN (1, 2)),
            number_digits smallint NOT NULL DEFAULT 3 CHECK (number_digits IN (3, 4)),
            created_at timestamptz NOT NULL DEFAULT now()
        )""",
        # The registry of counters: a counter number is taken once; its login role maps to it.
        """CREATE TABLE central.counter (
            agency_code text NOT NULL REFERENCES central.agency (code),
            number integer NOT NULL CHECK (number BETWEEN 1 AND 99),
            role_name text NOT NULL UNIQUE,
            label text NOT NULL DEFAULT '',
            created_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (agency_code, number)
        )""",
        # The event log, insert-only for counters. server_seq orders arrivals; tx_id (the inserting
        # transaction) lets a reader never skip a row committed late with a smaller server_seq.
        """CREATE TABLE central.event (
            server_seq bigint GENERATED ALWAYS AS IDENTITY UNIQUE,
            tx_id xid8 NOT NULL DEFAULT pg_current_xact_id(),
            uuid uuid PRIMARY KEY,
            dossier_uuid uuid,
            kind text NOT NULL,
            payload text NOT NULL,
            occurred_at timestamptz NOT NULL,
            agency_code text NOT NULL,
            counter integer NOT NULL,
            seq integer NOT NULL,
            clerk text NOT NULL DEFAULT '',
            stored_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (agency_code, counter, seq)
        )""",
        "CREATE INDEX ix_event_dossier ON central.event (dossier_uuid, occurred_at, agency_code, counter, seq)",
        "CREATE INDEX ix_event_pull ON central.event (tx_id, server_seq)",
        # The projection: a cache of the replay of each dossier's events, for queries and reports.
        """CREATE TABLE central.dossier (
            uuid uuid PRIMARY KEY,
            receiving_agency_code text NOT NULL REFERENCES central.agency (code),
            deciding_agency_code text NOT NULL,
            kind text NOT NULL,
            code text UNIQUE,
            slip text,
            counter integer NOT NULL,
            rule_set text NOT NULL,
            procedure_code text NOT NULL,
            procedure_name text NOT NULL,
            field text NOT NULL,
            deciding_agency text NOT NULL,
            stage text NOT NULL,
            status integer NOT NULL,
            channel integer NOT NULL,
            applicant_kind text NOT NULL,
            applicant_name text NOT NULL,
            name_key text NOT NULL,
            applicant_identifier text NOT NULL,
            applicant_birth_date text,
            applicant_sex text,
            applicant_address text NOT NULL,
            applicant_phone text NOT NULL,
            applicant_email text NOT NULL,
            filer_name text NOT NULL,
            filer_identifier text NOT NULL,
            filer_phone text NOT NULL,
            filer_authorisation text NOT NULL,
            result_delivery text NOT NULL,
            postal_address text NOT NULL,
            sets_count integer NOT NULL,
            fee bigint NOT NULL,
            fee_paid boolean NOT NULL,
            processing_days integer NOT NULL,
            same_day_cutoff text,
            supplement_rule text NOT NULL,
            received_at timestamptz NOT NULL,
            due_at timestamptz,
            original_due_at timestamptz,
            calendar_version text NOT NULL,
            calendar_estimated boolean NOT NULL,
            paused_at timestamptz,
            finished_at timestamptz,
            reappointed boolean NOT NULL,
            supervisor_flag text NOT NULL,
            reason text NOT NULL,
            book_volume integer NOT NULL,
            book_index integer NOT NULL,
            event_count integer NOT NULL,
            updated_at timestamptz NOT NULL,
            papers text NOT NULL,
            projected_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (receiving_agency_code, slip)
        )""",
        "CREATE INDEX ix_dossier_receiving ON central.dossier (receiving_agency_code, received_at)",
        "CREATE INDEX ix_dossier_deciding ON central.dossier (deciding_agency_code, received_at)",
        "CREATE INDEX ix_dossier_status ON central.dossier (status, due_at)",
        # Role -> agency and counter: the registry is not readable by counters, these functions are.
        """CREATE FUNCTION central.agency_of(role_name text) RETURNS text
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$ SELECT c.agency_code FROM central.counter c WHERE c.role_name = $1 $$""",
        """CREATE FUNCTION central.counter_of(role_name text) RETURNS integer
            LANGUAGE sql STABLE SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$ SELECT c.number FROM central.counter c WHERE c.role_name = $1 $$""",
        # An event may not be added to a dossier of an agency that neither received nor decides it, even by
        # someone who learnt its uuid. Checked once per statement over all new rows (a per-row policy function
        # cost a quarter of the insert time) and as the owner, which sees every dossier where RLS would hide
        # another agency's.
        """CREATE FUNCTION central.check_event_dossiers() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$
            BEGIN
                IF EXISTS (
                    SELECT 1 FROM new_events n JOIN central.dossier d ON d.uuid = n.dossier_uuid
                    WHERE n.agency_code IS DISTINCT FROM d.receiving_agency_code
                      AND n.agency_code IS DISTINCT FROM d.deciding_agency_code
                ) THEN
                    RAISE EXCEPTION 'new row violates row-level security policy: event for a dossier of another agency'
                        USING ERRCODE = '42501';
                END IF;
                RETURN NULL;
            END $$""",
        """CREATE TRIGGER event_dossier_agency AFTER INSERT ON central.event
            REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT
            EXECUTE FUNCTION central.check_event_dossiers()""",
        # Every sync starts here: the central checks the client's protocol, the client checks the schema
        # revision, the clock and who it is.
        """CREATE FUNCTION central.hello(client_protocol integer, role_name text)
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
                           c.agency_code, c.number, a.counter_digits::integer, a.number_digits::integer
                    FROM (SELECT 1) AS one
                    LEFT JOIN central.counter c ON c.role_name = hello.role_name
                    LEFT JOIN central.agency a ON a.code = c.agency_code;
            END $$""",
        # Rights: counters read the agencies and their own agency's registry, read and insert events,
        # read, insert and update the projection; nothing else (no UPDATE/DELETE of events, no DDL).
        "REVOKE ALL ON SCHEMA central FROM PUBLIC",
        f"GRANT USAGE ON SCHEMA central TO {counters}",
        "REVOKE ALL ON ALL TABLES IN SCHEMA central FROM PUBLIC",
        "REVOKE ALL ON ALL FUNCTIONS IN SCHEMA central FROM PUBLIC",
        f"GRANT SELECT ON central.agency, central.counter TO {counters}",
        f"GRANT SELECT ON central.event TO {counters}",
        f"GRANT INSERT (uuid, dossier_uuid, kind, payload, occurred_at, agency_code, counter, seq, clerk) "
        f"ON central.event TO {counters}",
        f"GRANT SELECT, INSERT, UPDATE ON central.dossier TO {counters}",
        f"GRANT EXECUTE ON FUNCTION central.agency_of(text), central.counter_of(text), "
        f"central.hello(integer, text) TO {counters}",
        # Row-level security: a counter sees its agency's rows, and the dossiers (with their events) its
        # agency received or decides.
        "ALTER TABLE central.counter ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE central.event ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE central.dossier ENABLE ROW LEVEL SECURITY",
        f"""CREATE POLICY counter_read ON central.counter FOR SELECT TO {counters}
            USING (agency_code = (SELECT central.agency_of(current_user)))""",
        f"""CREATE POLICY dossier_read ON central.dossier FOR SELECT TO {counters}
            USING ((SELECT central.agency_of(current_user)) IN (receiving_agency_code, deciding_agency_code))""",
        f"""CREATE POLICY dossier_insert ON central.dossier FOR INSERT TO {counters}
            WITH CHECK ((SELECT central.agency_of(current_user)) IN (receiving_agency_code, deciding_agency_code))""",
        f"""CREATE POLICY dossier_update ON central.dossier FOR UPDATE TO {counters}
            USING ((SELECT central.agency_of(current_user)) IN (receiving_agency_code, deciding_agency_code))
            WITH CHECK ((SELECT central.agency_of(current_user)) IN (receiving_agency_code, deciding_agency_code))""",
        f"""CREATE POLICY event_read ON central.event FOR SELECT TO {counters}
            USING (agency_code = (SELECT central.agency_of(current_user))
                   OR dossier_uuid IN (
                       SELECT d.uuid FROM central.dossier d
                       WHERE (SELECT central.agency_of(current_user))
                             IN (d.receiving_agency_code, d.deciding_agency_code)))""",  # noqa: S608
        f"""CREATE POLICY event_insert ON central.event FOR INSERT TO {counters}
            WITH CHECK (agency_code = (SELECT central.agency_of(current_user))
                        AND counter = (SELECT central.counter_of(current_user)))""",
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    for table in ("dossier", "event", "counter", "agency", "compat"):
        op.execute(f"DROP TABLE IF EXISTS central.{table} CASCADE")
    for function in (
        "hello(integer, text)",
        "check_event_dossiers()",
        "counter_of(text)",
        "agency_of(text)",
    ):
        op.execute(f"DROP FUNCTION IF EXISTS central.{function}")
