"""The outbox: this counter's events not yet on the central, read in the counter's order, and their acknowledgement.

Every function here opens its own short local transaction; none is ever held across network I/O (sync.push reads
what to send, sends, then records the acknowledgement here in its own short write).
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from typing import Any, NamedTuple

from sqlalchemy import func, select

from counter_app.domain.event_delivery import EventDelivery
from counter_app.storage.database import Database
from counter_app.storage.models import EventOutboxRow
from counter_app.storage.unit_of_work import UnitOfWork

ORIGIN_LOCAL, ORIGIN_CENTRAL = "local", "central"


class OutboxEvent(NamedTuple):
    """One event as stored, in central.event's column order (CENTRAL_EVENT_COLUMNS).

    A named tuple: a push builds tens of thousands of them, and a tuple is what COPY writes.
    `occurred_at` stays the stored ISO 8601 text (Vietnam's offset), which PostgreSQL reads as a timestamptz:
    no conversion on the way out, and the same text on the way back in.
    """

    uuid: str
    dossier_uuid: str | None
    kind: str
    payload: str
    occurred_at: str
    agency_code: str
    counter: int
    seq: int
    clerk: str
    prev_hash: str = ""  # the audit chain's link (storage.event_chain), carried to the central as it is
    hash: str = ""
    # the dossier's Lamport clock (storage.event_order); None only in a push of a client that predates it, where
    # the central gives it one (docs/sync-api.md)
    lamport: int | None = None

    def row(self) -> tuple[Any, ...]:
        return tuple(self)


def count_pending(database: Database) -> int:
    """This counter's events not yet on the central (the outbox's length)."""
    with UnitOfWork(database) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(EventOutboxRow)) or 0)


_PENDING_SQL = (
    "SELECT e.uuid, e.dossier_uuid, e.kind, e.payload, e.occurred_at, e.agency_code, e.counter, e.seq, e.clerk, "
    "e.prev_hash, e.hash, e.lamport FROM event_outbox o JOIN event e ON e.uuid = o.uuid "
    "WHERE (o.seq, o.uuid) > (?, ?) ORDER BY o.seq, o.uuid LIMIT ?"
)


def read_pending_events(database: Database, after: tuple[int, str] | None, limit: int) -> list[OutboxEvent]:
    """The next unsent local events in the counter's own order, after the keyset (seq, uuid) `after`."""
    with UnitOfWork(database) as uow:
        connection = uow.session.connection()  # begins the read transaction
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        events = list(map(OutboxEvent._make, cursor.execute(_PENDING_SQL, (*(after or (0, "")), limit))))
        cursor.close()
    return events


# Marks a whole batch sent in one statement: its events are the outbox's keys between its first and last (a batch
# is read as a contiguous run of the outbox in (seq, uuid) order, and new events come after it).
_ACK_SPAN = "DELETE FROM event_outbox WHERE (seq, uuid) >= (?, ?) AND (seq, uuid) <= (?, ?)"
# By uuid, whatever the events' state: each found through the event's primary key, then the outbox's.
_ACK_SENT = (
    "DELETE FROM event_outbox WHERE (seq, uuid) IN "
    "(SELECT seq, uuid FROM event WHERE uuid IN (SELECT value FROM json_each(?)))"
)
_ACK_DEAD = (
    f"UPDATE event SET sync_state = {EventDelivery.DEAD}, sync_error = ? WHERE uuid = ?",  # noqa: S608
    "DELETE FROM event_outbox WHERE (seq, uuid) IN (SELECT seq, uuid FROM event WHERE uuid = ?)",
)

Span = tuple[tuple[int, str], tuple[int, str]]


def acknowledge(database: Database, sent: Sequence[str], dead: dict[str, str], span: Span | None = None) -> None:
    """After the central committed: mark `sent` sent and `dead` (uuid -> reason) dead letters, in one short write.

    `span`: the (seq, uuid) keys of the batch's first and last events when `sent` and `dead` together are the whole
    batch: the events are then marked by that range, in one statement, rather than looked up one by one.
    """
    if not sent and not dead:
        return
    with UnitOfWork(database, write=True) as uow:
        cursor = uow.session.connection().connection.driver_connection.cursor()  # type: ignore[union-attr]
        if sent and span is not None:
            (first_seq, first_uuid), (last_seq, last_uuid) = span
            cursor.execute(_ACK_SPAN, (first_seq, first_uuid, last_seq, last_uuid))
        elif sent:
            cursor.execute(_ACK_SENT, (json.dumps(list(sent)),))
        mark_dead, unlist = _ACK_DEAD
        cursor.executemany(mark_dead, [(reason[:2000], uuid) for uuid, reason in dead.items()])
        cursor.executemany(unlist, [(uuid,) for uuid in dead])
        cursor.close()
        uow.commit()
