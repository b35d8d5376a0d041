"""event chain on the central: each event's prev_hash and hash, each counter's chain head, refusal of forks and rewrites

Revision ID: c0003
Revises: c0002
Create Date: 2026-11-24 23:00:00
"""

from __future__ import annotations

from alembic import context, op

revision = "c0003"
down_revision = "c0002"
branch_labels = None
depends_on = None

# Raised by the central when a counter's events do not continue the chain head it holds, or rewrite an event it
# already holds (central_schema.SQLSTATE_CHAIN_REFUSED).
_CHAIN_REFUSED = "CA409"

# The check shared by the event trigger and withhold_event(): `{links}` is a FROM item `l` with the
# (agency_code, counter, seq, prev_hash, hash) of the links being added. Each counter's links must continue
# its head (or start the chain at seq 1 after ""), and continue one another. A head with an empty hash comes
# from events stored before the central kept hashes: the next link is accepted after it whatever its prev_hash
# and seq.
_CHECK_LINKS = """
    SELECT n.agency_code, n.counter, n.seq INTO bad
    FROM (
        SELECT l.agency_code, l.counter, l.seq, l.prev_hash,
               lag(l.seq) OVER w AS before_seq, lag(l.hash) OVER w AS before_hash,
               row_number() OVER w AS position
        FROM {links}
        WINDOW w AS (PARTITION BY l.agency_code, l.counter ORDER BY l.seq)
    ) n
    LEFT JOIN central.chain_head h ON h.agency_code = n.agency_code AND h.counter = n.counter
    WHERE CASE
        WHEN n.position > 1 THEN n.seq <> n.before_seq + 1 OR n.prev_hash <> n.before_hash
        WHEN h.agency_code IS NULL THEN n.seq <> 1 OR n.prev_hash <> ''
        WHEN h.hash = '' THEN n.seq <= h.seq
        ELSE n.seq <> h.seq + 1 OR n.prev_hash <> h.hash
    END
    ORDER BY n.agency_code, n.counter, n.seq
    LIMIT 1;
    IF FOUND THEN
        RAISE EXCEPTION 'event chain of counter %:% does not continue the head held by the central at seq %',
            bad.agency_code, bad.counter, bad.seq
            USING ERRCODE = 'CA409', HINT = 'chain_fork';
    END IF;
    INSERT INTO central.chain_head AS h (agency_code, counter, seq, hash, updated_at)
    SELECT DISTINCT ON (l.agency_code, l.counter) l.agency_code, l.counter, l.seq, l.hash, now()
    FROM {links}
    ORDER BY l.agency_code, l.counter, l.seq DESC
    ON CONFLICT (agency_code, counter) DO UPDATE SET seq = EXCLUDED.seq, hash = EXCLUDED.hash, updated_at = now();
"""


_ONE_LINK = (
    "(VALUES (my_agency, my_counter, event_seq, event_prev_hash, event_hash)) "
    "AS l (agency_code, counter, seq, prev_hash, hash)"
)


def upgrade() -> None:
    # Role names come from central_schema.roles_for (letters, digits and underscores only), never from input.
    roles = context.config.attributes["roles"]
    counters = f'"{roles.counters}"'
    statements = [
        # Cheaper inserts (issue 5): server_seq is an identity counters cannot set, so its own unique index only
        # cost time at every insert; the dossier index keeps its leading column, the only one queries use
        # (a dossier's few events are sorted in memory).
        "ALTER TABLE central.event DROP CONSTRAINT event_server_seq_key",
        "DROP INDEX central.ix_event_dossier",
        "CREATE INDEX ix_event_dossier ON central.event (dossier_uuid)",
        "ALTER TABLE central.event ADD COLUMN prev_hash text NOT NULL DEFAULT ''",
        "ALTER TABLE central.event ADD COLUMN hash text NOT NULL DEFAULT ''",
        # The newest link of each counter's chain the central holds: an event or a withheld link.
        """CREATE TABLE central.chain_head (
            agency_code text NOT NULL,
            counter integer NOT NULL,
            seq integer NOT NULL,
            hash text NOT NULL,
            updated_at timestamptz NOT NULL DEFAULT now(),
            PRIMARY KEY (agency_code, counter)
        )""",
        # Chains that reached the central before it kept hashes: their heads have an empty hash.
        """INSERT INTO central.chain_head (agency_code, counter, seq, hash)
            SELECT agency_code, counter, max(seq), '' FROM central.event GROUP BY agency_code, counter""",
        # The links of events the central refused (dead letters on the counter): uuid, place in the chain and
        # hashes, without content, so that the chain goes on past them and they cannot be rewritten later.
        """CREATE TABLE central.event_withheld (
            uuid uuid PRIMARY KEY,
            agency_code text NOT NULL,
            counter integer NOT NULL,
            seq integer NOT NULL,
            prev_hash text NOT NULL,
            hash text NOT NULL,
            reason text NOT NULL DEFAULT '',
            stored_at timestamptz NOT NULL DEFAULT now(),
            UNIQUE (agency_code, counter, seq)
        )""",
        # Every statement that adds events: the chain check over the whole batch at once, as the owner (who
        # sees every head), then the heads move. Named after event_dossier_agency so that an event for another
        # agency's dossier is reported as such first (statement triggers fire in name order).
        f"""CREATE FUNCTION central.check_event_chain() RETURNS trigger
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$
            DECLARE bad record;
            BEGIN
                PERFORM 1 FROM central.chain_head h
                    WHERE (h.agency_code, h.counter) IN (SELECT DISTINCT agency_code, counter FROM new_events)
                    ORDER BY h.agency_code, h.counter FOR UPDATE;
                {_CHECK_LINKS.format(links="new_events AS l")}
                RETURN NULL;
            END $$""",  # noqa: S608
        """CREATE TRIGGER event_extends_chain AFTER INSERT ON central.event
            REFERENCING NEW TABLE AS new_events FOR EACH STATEMENT
            EXECUTE FUNCTION central.check_event_chain()""",
        # A counter records the link of an event the central refused, in its own name only.
        f"""CREATE FUNCTION central.withhold_event(event_uuid uuid, event_seq integer, event_prev_hash text,
                                                  event_hash text, why text) RETURNS void
            LANGUAGE plpgsql SECURITY DEFINER SET search_path = pg_catalog, pg_temp
            AS $$
            DECLARE
                my_agency text := central.agency_of(session_user);
                my_counter integer := central.counter_of(session_user);
                held text;
                bad record;
            BEGIN
                IF my_agency IS NULL THEN
                    RAISE EXCEPTION 'not a counter login' USING ERRCODE = '42501';
                END IF;
                SELECT x.hash INTO held FROM (
                    SELECT e.hash FROM central.event e WHERE e.uuid = event_uuid
                    UNION ALL SELECT w.hash FROM central.event_withheld w WHERE w.uuid = event_uuid) AS x LIMIT 1;
                IF FOUND THEN
                    IF held <> '' AND held <> event_hash THEN
                        RAISE EXCEPTION 'event % is already held with another hash', event_uuid
                            USING ERRCODE = 'CA409', HINT = 'chain_rewrite';
                    END IF;
                    RETURN;
                END IF;
                PERFORM 1 FROM central.chain_head h WHERE h.agency_code = my_agency AND h.counter = my_counter
                    FOR UPDATE;
                {_CHECK_LINKS.format(links=_ONE_LINK)}
                INSERT INTO central.event_withheld (uuid, agency_code, counter, seq, prev_hash, hash, reason)
                    VALUES (event_uuid, my_agency, my_counter, event_seq, event_prev_hash, event_hash, left(why, 2000));
            END $$""",  # noqa: S608
        # The hashes of the calling counter's own events. A policy on `event` cannot read `event` itself
        # (infinite recursion of policies); a view reads it with its owner's rights, to whom RLS does not apply,
        # and keeps to the caller's own chain.
        """CREATE VIEW central.own_event_hash AS
            SELECT e.uuid, e.hash FROM central.event e
            WHERE e.agency_code = (SELECT central.agency_of(current_user))
              AND e.counter = (SELECT central.counter_of(current_user))""",
        # A rewrite: an event whose uuid the central holds (or withheld) with another hash. Checked on every
        # proposed row, also those ON CONFLICT DO NOTHING would skip (RLS checks come before the conflict).
        f"""CREATE POLICY event_no_rewrite ON central.event AS RESTRICTIVE FOR INSERT TO {counters}
            WITH CHECK (
                NOT EXISTS (SELECT 1 FROM central.own_event_hash e
                            WHERE e.uuid = event.uuid AND e.hash <> '' AND e.hash <> event.hash)
                AND NOT EXISTS (SELECT 1 FROM central.event_withheld w
                                WHERE w.uuid = event.uuid AND w.hash <> event.hash))""",  # noqa: S608
        f"GRANT INSERT (prev_hash, hash) ON central.event TO {counters}",
        f"GRANT SELECT ON central.chain_head, central.event_withheld, central.own_event_hash TO {counters}",
        f"GRANT EXECUTE ON FUNCTION central.withhold_event(uuid, integer, text, text, text) TO {counters}",
        "ALTER TABLE central.chain_head ENABLE ROW LEVEL SECURITY",
        "ALTER TABLE central.event_withheld ENABLE ROW LEVEL SECURITY",
        f"""CREATE POLICY chain_head_read ON central.chain_head FOR SELECT TO {counters}
            USING (agency_code = (SELECT central.agency_of(current_user)))""",
        f"""CREATE POLICY event_withheld_read ON central.event_withheld FOR SELECT TO {counters}
            USING (agency_code = (SELECT central.agency_of(current_user)))""",
    ]
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    op.execute("DROP POLICY IF EXISTS event_no_rewrite ON central.event")
    op.execute("DROP VIEW IF EXISTS central.own_event_hash")
    op.execute("DROP TRIGGER IF EXISTS event_extends_chain ON central.event")
    op.execute("DROP FUNCTION IF EXISTS central.withhold_event(uuid, integer, text, text, text)")
    op.execute("DROP FUNCTION IF EXISTS central.check_event_chain()")
    op.execute("DROP TABLE IF EXISTS central.event_withheld, central.chain_head")
    op.execute("ALTER TABLE central.event DROP COLUMN IF EXISTS hash, DROP COLUMN IF EXISTS prev_hash")
    op.execute("DROP INDEX IF EXISTS central.ix_event_dossier")
    op.execute("CREATE INDEX ix_event_dossier ON central.event (dossier_uuid, occurred_at, agency_code, counter, seq)")
    op.execute("ALTER TABLE central.event ADD CONSTRAINT event_server_seq_key UNIQUE (server_seq)")
