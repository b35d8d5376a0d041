"""The sync service's count check (API v1): how many events the caller may see up to its pull cursor, and a digest.

`GET /v1/count?tx=&seq=` answers, in one read-only snapshot and under the caller's row-level security:
- `others`: the events of other counters the caller may see at or before the cursor (tx, seq) in the pull's
  order, the set a complete pull up to that cursor stores (the pull leaves the caller's own events out);
- `beyond`: the uuids of such events after the cursor (a dossier met for the first time comes with its whole
  history, which may reach past the cursor), at most MAX_BEYOND of them, so that the counter can leave out
  of its own count those it holds;
- `own`: the caller's own events the central stores, wherever they lie (they never come back by the pull; the
  check runs after the push of the same sync, so every event the counter holds as acknowledged is among them).

The digest of a set is the XOR of the first 64 bits of the MD5 of each event's uuid (lower-case text), as a
signed integer: computed by a streaming aggregate (no sort, no large string; ~10^5 uuids take tens of
milliseconds), and order-free, so that the counter computes the same over its rows in any order and can take
single events out of it again (XOR is its own inverse). Sets of equal size that differ (one event lost, another
one held that the central does not show) get different digests except with a probability of about 2^-64; it is a
check of what a sync stored, not a defence against a forger (storage.held_events computes the same on the counter).
"""

from __future__ import annotations

from typing import Annotated

from fastapi import FastAPI, Query
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from counter_app.central.access import Credential, acting
from counter_app.central.session import Connection

MAX_BEYOND = 5000  # visible events past a fresh cursor are those of the last seconds: far fewer

_XOR = "bit_xor(('x' || left(md5(uuid::text), 16))::bit(64)::bigint)"
_DIGEST = f"coalesce({_XOR}, 0)"

# Other counters' events the caller may see, written as the row-level security policy reads (its agency's events,
# and the events of the dossiers its agency receives or decides), so that the planner reaches them by the
# agency's indexes instead of filtering the whole city's log row by row; the policy still applies underneath,
# with the same result. The caller's own counter is left out, as the pull leaves it out. The two branches are
# disjoint (agency_code = / <>): nothing counted twice.
_OTHERS_VISIBLE = """
WITH others AS (
    SELECT uuid, tx_id, server_seq FROM central.event WHERE agency_code = %(agency)s AND counter <> %(counter)s
    UNION ALL
    SELECT e.uuid, e.tx_id, e.server_seq FROM central.event e
    WHERE e.agency_code <> %(agency)s AND e.dossier_uuid IN (
        SELECT d.uuid FROM central.dossier d
        WHERE d.receiving_agency_code = %(agency)s OR d.deciding_agency_code = %(agency)s)
)
"""

_AT_OR_BEFORE = "(tx_id, server_seq) <= (%(tx)s::text::xid8, %(seq)s)"

# What a complete pull up to the cursor has stored. The cursor is applied in the aggregate (FILTER), not in WHERE:
# as a condition of the scan, the planner combined the pull's index (tx_id, server_seq) with each dossier's
# lookup, and on a central whose statistics predate a large push (a new central, the first syncs) it took 9 s
# for 38,000 events (a bitmap of the whole range per dossier) instead of 40 ms. Every visible event is read
# either way: the count is of all of them up to a fresh cursor.
_OTHERS = f"""{_OTHERS_VISIBLE}
SELECT count(*) FILTER (WHERE {_AT_OR_BEFORE}), coalesce({_XOR} FILTER (WHERE {_AT_OR_BEFORE}), 0) FROM others
"""  # noqa: S608 - constant expressions, no input

# Such events after the cursor, found as the pull finds them: the pull's index from the cursor on, row-level
# security deciding what the caller may see (the same set as _OTHERS_VISIBLE, the caller's own counter left out).
_BEYOND = """
SELECT uuid::text FROM central.event
WHERE (tx_id, server_seq) > (%(tx)s::text::xid8, %(seq)s) AND NOT (agency_code = %(agency)s AND counter = %(counter)s)
LIMIT %(limit)s
"""

_OWN = f"""
SELECT count(*), {_DIGEST} FROM central.event WHERE agency_code = %(agency)s AND counter = %(counter)s
"""  # noqa: S608 - a constant expression, no input


class EventTally(BaseModel):
    """A set of events: how many, and the XOR of the first 64 bits of each uuid's MD5 (signed)."""

    count: int
    digest: int


class CountOut(BaseModel):
    """The count check's answer for the cursor (tx, seq) the counter sent."""

    others: EventTally  # other counters' events the caller may see, at or before the cursor
    beyond: list[str] = Field(description="uuids of such events after the cursor (complete unless `beyond_full`)")
    beyond_full: bool  # more than MAX_BEYOND lie after the cursor: the check cannot be made now
    own: EventTally  # the caller's own events stored on the central


def count_check(conn: Connection, agency_code: str, counter: int, tx: int, seq: int) -> CountOut:
    """The three answers read in one REPEATABLE READ snapshot: what lies after the cursor and what lies before it
    are read at the same moment."""
    params = {"tx": str(tx), "seq": seq, "agency": agency_code, "counter": counter, "limit": MAX_BEYOND + 1}
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        others = conn.execute(_OTHERS, params).fetchone()
        beyond = [str(row[0]) for row in conn.execute(_BEYOND, params).fetchall()]
        own = conn.execute(_OWN, params).fetchone()
    assert others is not None and own is not None
    return CountOut(
        others=EventTally(count=int(others[0]), digest=int(others[1])),
        beyond=beyond[:MAX_BEYOND],
        beyond_full=len(beyond) > MAX_BEYOND,
        own=EventTally(count=int(own[0]), digest=int(own[1])),
    )


def add_count_routes(app: FastAPI, pool: ConnectionPool[Connection]) -> None:
    @app.get("/v1/count", response_model=CountOut, tags=["sync"])
    def count(
        credential: Credential,
        tx: Annotated[int, Query(ge=0)] = 0,
        seq: Annotated[int, Query(ge=0)] = 0,
    ) -> CountOut:
        """The count check after a pull: the events of other counters the caller may see at or before its cursor
        (tx, seq), those after it (uuids), and the caller's own stored events, each set with a digest. The
        counter compares them with what it holds and re-pulls on a mismatch. Read-only."""
        with acting(pool, credential) as (conn, counter):
            return count_check(conn, counter.agency_code, counter.counter, tx, seq)
