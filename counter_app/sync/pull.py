"""Pull: events recorded elsewhere that this counter may see, since its cursor, and the agency's counter registry.

The cursor is (tx_id, server_seq) and only transactions older than every running one are read
(`tx_id < pg_snapshot_xmin(pg_current_snapshot())`): a server_seq alone could be skipped for good when a
transaction that took a smaller number commits after a larger one was read. Transaction ids are compared and
ordered as `xid8` numbers in SQL and as integers in `PullCursor`, never as text (`10003` sorts before `1261`);
tests/integration/test_pull_cursor.py crosses a power of ten between two pushes. Row-level security decides what
"may see" means (the counter's agency, and dossiers its agency receives or decides).
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg.rows import TupleRow

from counter_app.domain.clock import to_vn
from counter_app.domain.dossier import OPENING_KINDS
from counter_app.storage import pull_cursor, pulled_events
from counter_app.storage.database import Database
from counter_app.storage.outbox import OutboxEvent
from counter_app.storage.pull_cursor import PullCursor

log = logging.getLogger(__name__)

DEFAULT_BATCH = 2000

Connection = psycopg.Connection[TupleRow]

# One page of the log after the cursor, this counter's own events left out by the server (a counter that has
# just pushed 40,000 events does not page through them again).
_FETCH = """
SELECT tx_id::text, server_seq, uuid::text, dossier_uuid::text, kind, payload, occurred_at, agency_code, counter,
       seq, clerk, prev_hash, hash, lamport
FROM central.event
WHERE (tx_id, server_seq) > (%(tx)s::text::xid8, %(seq)s)
  AND tx_id < %(horizon)s::text::xid8
  AND NOT (agency_code = %(agency)s AND counter = %(counter)s)
ORDER BY tx_id, server_seq
LIMIT %(limit)s
"""

# Where the cursor may move once the last page is read: the newest position below the horizon, whoever's event
# it is (nothing this counter may see lies between the last page and it).
_END = """
SELECT tx_id::text, server_seq FROM central.event
WHERE (tx_id, server_seq) > (%(tx)s::text::xid8, %(seq)s) AND tx_id < %(horizon)s::text::xid8
ORDER BY tx_id DESC, server_seq DESC
LIMIT 1
"""

_HORIZON = "SELECT pg_snapshot_xmin(pg_current_snapshot())::text"

_COUNTERS = "SELECT agency_code, number, label FROM central.counter ORDER BY agency_code, number"

# The whole visible history of dossiers met for the first time. A dossier becomes visible when it is transferred
# to this agency: its earlier events were invisible when the cursor passed them, and would never come otherwise.
_HISTORY = """
SELECT uuid::text, dossier_uuid::text, kind, payload, occurred_at, agency_code, counter, seq, clerk, prev_hash, hash,
       lamport
FROM central.event WHERE dossier_uuid = ANY(%s::uuid[])
"""


@dataclass
class PullOutcome:
    pulled: int = 0
    failed: int = 0
    counters: int = 0
    dossiers: set[str] = field(default_factory=set)


def received_event(row: tuple[Any, ...]) -> OutboxEvent:
    """A row of central.event in the columns of `_HISTORY` as the local store keeps it."""
    uuid, dossier_uuid, kind, payload, occurred_at, agency, number, seq, clerk, prev_hash, hash_, lamport = row
    return OutboxEvent(
        uuid=uuid,
        dossier_uuid=dossier_uuid,
        kind=kind,
        payload=payload,
        # the text the local store keeps: ISO 8601 at the second, in Vietnam's time
        occurred_at=to_vn(occurred_at).isoformat(timespec="seconds"),
        agency_code=agency,
        counter=number,
        seq=seq,
        clerk=clerk,
        prev_hash=prev_hash,
        hash=hash_,
        lamport=lamport,
    )


@dataclass(frozen=True)
class Page:
    """One page of the central log after a cursor: the events (this counter's own left out), where the cursor
    may move (None: nothing new below the horizon), and whether the page was full (more may follow)."""

    events: list[OutboxEvent]
    end: PullCursor | None
    full: bool


def fetch_page(conn: Connection, cursor: PullCursor, *, agency_code: str, counter: int, limit: int) -> Page:
    """One page in one central transaction, below the horizon taken once for it (the pull and the service)."""
    params: dict[str, Any] = {
        "tx": str(cursor.tx),
        "seq": cursor.seq,
        "agency": agency_code,
        "counter": counter,
        "limit": limit,
    }
    with conn.transaction():
        # taken once, not per row; an earlier horizon than the page's own snapshot only reads less
        horizon = conn.execute(_HORIZON).fetchone()
        assert horizon is not None
        params["horizon"] = horizon[0]
        rows = conn.execute(_FETCH, params).fetchall()
        full = len(rows) == limit
        end = rows[-1][:2] if full else conn.execute(_END, params).fetchone()
    return Page([received_event(row[2:]) for row in rows], PullCursor(int(end[0]), int(end[1])) if end else None, full)


def fetch_history(conn: Connection, dossier_uuids: Sequence[str]) -> list[OutboxEvent]:
    """Every visible event of these dossiers (met for the first time: transferred to this agency)."""
    with conn.transaction():
        return [received_event(row) for row in conn.execute(_HISTORY, [list(dossier_uuids)]).fetchall()]


def fetch_counters(conn: Connection) -> list[tuple[str, int, str]]:
    """The counters registry this counter may see (its agency's)."""
    with conn.transaction():
        return [(str(a), int(n), str(label)) for a, n, label in conn.execute(_COUNTERS).fetchall()]


def pull_pages(
    page_after: Callable[[PullCursor], Page],
    history_of: Callable[[Sequence[str]], list[OutboxEvent]],
    registry: Sequence[tuple[str, int, str]],
    database: Database,
    *,
    on_batch: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
    outcome: PullOutcome | None = None,
) -> PullOutcome:
    """The counter's side of a pull, the pages coming from the sync service (sync.service_client): each page
    stored in one short local write with the cursor it moves to."""
    outcome = outcome if outcome is not None else PullOutcome()
    cursor = pull_cursor.read_cursor(database)
    first = True
    while not (cancel is not None and cancel.is_set()):
        page = page_after(cursor)
        if page.end is None and not first:
            break  # nothing new below the horizon
        events = page.events
        # a dossier whose opening event is in the page starts here: nothing of it can lie behind the cursor
        opened = {e.dossier_uuid for e in events if e.kind in OPENING_KINDS}
        unknown = pulled_events.unknown_dossiers(
            database, sorted({e.dossier_uuid for e in events if e.dossier_uuid and e.dossier_uuid not in opened})
        )
        if unknown:
            events = list({e.uuid: e for e in [*history_of(unknown), *events]}.values())
        if page.end is not None:
            cursor = page.end
        stored = pulled_events.store_pulled(database, events, cursor, registry if first else ())
        if first:
            outcome.counters = len(registry)
        first = False
        outcome.pulled += stored.inserted
        outcome.failed += stored.failed
        outcome.dossiers |= stored.dossiers
        if on_batch is not None:
            on_batch(len(events))
        if not page.full:
            break
    return outcome
