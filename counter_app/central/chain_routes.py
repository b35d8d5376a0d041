"""The sync service's read of the caller's own audit chain (API v1), for `audit verify` on the counter.

`GET /v1/chain?after=SEQ&limit=N` answers the links the central holds of the calling counter's chain (agency and
counter from the credential, never from the query) after SEQ, in seq order: every stored event with its content
as the counter hashed it, and the link (uuid, place, hashes) of every event the central refused (a dead letter
on the counter), which it keeps so that the chain goes on past it. The counter compares them with its own chain
(domain.audit_chain.compare_with_central): a row edited, deleted or slipped in on the central, and the newest
events deleted on the counter, show there. Each page is read in one read-only snapshot and ends on a whole seq.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import FastAPI, Query
from psycopg_pool import ConnectionPool
from pydantic import BaseModel

from counter_app.central.access import Credential, acting
from counter_app.central.session import Connection
from counter_app.domain.clock import to_vn

MAX_CHAIN_PAGE = 5000
DEFAULT_CHAIN_PAGE = 2000

# The same counter's events and withheld links, one seq order (a tampered central may hold both at one seq: both
# are answered, the event first). Row-level security lets the caller's agency read both tables; the filter keeps
# to the caller's own counter.
_LINKS = """
SELECT seq, uuid::text, false AS withheld, kind, dossier_uuid::text, payload, occurred_at, clerk, prev_hash, hash
FROM central.event WHERE agency_code = %(agency)s AND counter = %(counter)s AND seq > %(after)s
UNION ALL
SELECT seq, uuid::text, true, '', NULL, '', NULL, '', prev_hash, hash
FROM central.event_withheld WHERE agency_code = %(agency)s AND counter = %(counter)s AND seq > %(after)s
ORDER BY 1, 3
LIMIT %(limit)s
"""


class ChainLinkOut(BaseModel):
    """One link of the caller's chain as the central holds it."""

    seq: int
    uuid: str
    prev_hash: str
    hash: str
    withheld: bool  # refused by the central: only the link is kept, the content fields are empty
    kind: str = ""
    dossier_uuid: str | None = None
    payload: str = ""
    occurred_at: str = ""  # ISO 8601 at the second in Vietnam's time: the text the counter stored and hashed
    clerk: str = ""


class ChainOut(BaseModel):
    agency_code: str  # whose chain this is: the credential's counter
    counter: int
    links: list[ChainLinkOut]
    more: bool  # the page is full: ask again after the last link's seq


def _link(row: tuple[Any, ...]) -> ChainLinkOut:
    seq, uuid, withheld, kind, dossier_uuid, payload, occurred_at, clerk, prev_hash, hash_ = row
    return ChainLinkOut(
        seq=int(seq),
        uuid=str(uuid),
        prev_hash=str(prev_hash),
        hash=str(hash_),
        withheld=bool(withheld),
        kind=str(kind),
        dossier_uuid=None if dossier_uuid is None else str(dossier_uuid),
        payload=str(payload),
        occurred_at="" if occurred_at is None else to_vn(occurred_at).isoformat(timespec="seconds"),
        clerk=str(clerk),
    )


def chain_page(
    conn: Connection, agency_code: str, counter: int, after: int, limit: int
) -> tuple[list[ChainLinkOut], bool]:
    """The links after `after`, at most `limit` unless one seq holds two rows, and whether more follow. A page
    never ends inside a seq, so that the next page, asked after its last seq, misses nothing."""
    with conn.transaction():
        conn.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        rows = conn.execute(
            _LINKS, {"agency": agency_code, "counter": counter, "after": after, "limit": limit + 2}
        ).fetchall()
    links = [_link(row) for row in rows]
    if len(links) <= limit:
        return links, False
    # one seq holds at most two rows (an event and a withheld link): the limit's seq is whole within limit + 2
    last = links[limit - 1].seq
    whole = [link for link in links if link.seq <= last]
    return whole, len(whole) < len(links)


def add_chain_routes(app: FastAPI, pool: ConnectionPool[Connection]) -> None:
    @app.get("/v1/chain", response_model=ChainOut, tags=["audit"])
    def chain(
        credential: Credential,
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_CHAIN_PAGE)] = DEFAULT_CHAIN_PAGE,
    ) -> ChainOut:
        """The links the central holds of the caller's own audit chain after seq `after`, in seq order: its
        events with their content and hashes, and the links (uuid, seq, hashes) of the events it refused
        (`withheld`). `more`: ask again with `after` = the last link's seq. For `audit verify` on the counter."""
        with acting(pool, credential) as (conn, counter):
            links, more = chain_page(conn, counter.agency_code, counter.counter, after, limit)
        return ChainOut(agency_code=counter.agency_code, counter=counter.counter, links=links, more=more)
