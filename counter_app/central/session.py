"""The service's PostgreSQL sessions: one least-privileged role, acting for one authenticated counter at a time."""

from __future__ import annotations

from dataclasses import dataclass

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

Connection = psycopg.Connection[TupleRow]

# Read by central.agency_of / central.counter_of for members of the service role (central migration c0005).
AGENCY_SETTING = "counter_app.agency"
COUNTER_SETTING = "counter_app.counter"


@dataclass(frozen=True)
class Counter:
    """Who a credential belongs to, as the central registered it."""

    agency_code: str
    counter: int
    counter_digits: int
    number_digits: int


def configure(conn: Connection, service_role: str) -> None:
    """For every new pooled connection: the service's role (whatever login opened it) and UTC on the wire."""
    conn.autocommit = True
    conn.execute(sql.SQL("SET ROLE {}").format(sql.Identifier(service_role)))
    conn.execute("SET TIME ZONE 'UTC'")
    act_for_nobody(conn)


def act_for_nobody(conn: Connection) -> None:
    """Between requests (and before authentication) the session acts for no counter: every policy denies."""
    conn.execute("SELECT set_config(%s, '', false), set_config(%s, '', false)", [AGENCY_SETTING, COUNTER_SETTING])


def authenticate(conn: Connection, digest: bytes) -> Counter | None:
    row = conn.execute(
        "SELECT agency_code, counter, counter_digits, number_digits FROM central.authenticate(%s)", [digest]
    ).fetchone()
    return Counter(str(row[0]), int(row[1]), int(row[2]), int(row[3])) if row else None


def act_for(conn: Connection, counter: Counter) -> None:
    """Every later statement on this session is checked by row-level security as this counter's."""
    conn.execute(
        "SELECT set_config(%s, %s, false), set_config(%s, %s, false)",
        [AGENCY_SETTING, counter.agency_code, COUNTER_SETTING, str(counter.counter)],
    )
