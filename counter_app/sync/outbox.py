"""The local side of sync: the outbox (unsent events), acknowledgements, pulled events, the pull cursor.

Every function here opens its own short local transaction; none is ever held across network I/O.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import Connection, column, func, select, table
from sqlalchemy.orm import Session

from counter_app.domain.clock import to_vn
from counter_app.domain.dossier import DossierState
from counter_app.errors import RuleError
from counter_app.storage.bulk_load import EVENT_COLUMNS
from counter_app.storage.database import Database
from counter_app.storage.models import ATTACHMENT_PULLED, AttachmentRow, DossierRow, EventOutboxRow, EventRow
from counter_app.storage.repositories import DossierRepository
from counter_app.storage.unit_of_work import UnitOfWork
from counter_app.sync.projection import deciding_agency_code, replay_stored

log = logging.getLogger(__name__)

CURSOR_KEY = "sync_cursor"
SENT, PENDING, DEAD = 1, 0, 2
ORIGIN_LOCAL, ORIGIN_CENTRAL = "local", "central"
# SQLite allows 32766 parameters per statement; stay far below.
_CHUNK = 500


class OutboxEvent(NamedTuple):
    """One event as stored, in central.event's column order (EVENT_COLUMNS).

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

    def row(self) -> tuple[Any, ...]:
        return tuple(self)


@dataclass(frozen=True, order=True)
class PullCursor:
    """Position in the central log: (inserting transaction, server_seq); everything up to it is held locally."""

    tx: int = 0
    seq: int = 0

    def text(self) -> str:
        return f"{self.tx}:{self.seq}"

    @classmethod
    def parse(cls, text: str | None) -> PullCursor:
        if not text:
            return cls()
        tx, _, seq = text.partition(":")
        return cls(int(tx), int(seq or 0))


@dataclass(frozen=True)
class LocalDossier:
    """A dossier's local projection, as the central's row, and what is known of its events."""

    row: tuple[Any, ...]  # in central_schema.DOSSIER_COLUMNS order, as central_schema.dossier_row builds it
    event_count: int  # local events of the dossier, dead letters included
    # Only this counter's own events, none in dead letter, applied in time order: the projection is exactly
    # the domain's replay of those events, so the central may take it instead of replaying them again.
    replayable: bool


@dataclass(frozen=True)
class StoredPull:
    inserted: int
    dossiers: frozenset[str]
    failed: int


# The event table without type processing, to insert pulled events with their text timestamps as they are.
_EVENT_TABLE = table("event", *(column(name) for name in EVENT_COLUMNS))
_STATE_FIELDS = tuple(f.name for f in dataclasses.fields(DossierState))
_UUID, _AGENCY, _DECIDING, _EVENT_COUNT = map(
    _STATE_FIELDS.index, ("uuid", "agency_code", "deciding_agency", "event_count")
)


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def count_pending(database: Database) -> int:
    """This counter's events not yet on the central (the outbox's length)."""
    with UnitOfWork(database) as uow:
        return int(uow.session.scalar(select(func.count()).select_from(EventOutboxRow)) or 0)


_PENDING_SQL = (
    "SELECT e.uuid, e.dossier_uuid, e.kind, e.payload, e.occurred_at, e.agency_code, e.counter, e.seq, e.clerk, "
    "e.prev_hash, e.hash FROM event_outbox o JOIN event e ON e.uuid = o.uuid "
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


def read_local_dossiers(
    database: Database, dossier_uuids: Sequence[str], *, agency_code: str, counter: int
) -> dict[str, LocalDossier]:
    """The local projection of these dossiers and what is known of their events, in one short read transaction.

    Read after their events: a dossier changed in between has more local events than the central will hold,
    and the pusher then replays the central's events instead of taking this projection (see push).
    """
    if not dossier_uuids:
        return {}
    with UnitOfWork(database) as uow:
        return _local_dossiers(uow.session.connection(), dossier_uuids, agency_code, counter)


# Fixed SQL (column names from the model, placeholders only). The dossiers come as one JSON array parameter
# (json_each): one statement per batch whatever its size, where SQLite caps the number of parameters.
# Per dossier: its local events, those that are this counter's own and not dead letters, and how many are out of
# time order in the counter's own order (what LocalDossier.replayable needs), counted by SQLite rather than
# row by row in Python.
_EVENTS_SQL = """
SELECT dossier_uuid, count(*), sum(origin = 'local' AND sync_state != 2 AND agency_code = ? AND counter = ?),
       sum(occurred_at < before)
FROM (SELECT dossier_uuid, origin, sync_state, agency_code, counter, occurred_at,
             lag(occurred_at) OVER (PARTITION BY dossier_uuid ORDER BY seq) AS before
      FROM event WHERE dossier_uuid IN (SELECT value FROM json_each(?)))
GROUP BY dossier_uuid
"""
# `+kind`: the dossier index, never an index by kind (which would walk every transfer ever recorded)
_TRANSFERS_SQL = (
    "SELECT dossier_uuid, payload FROM event "
    "WHERE +kind = 'dossier.transferred' AND dossier_uuid IN (SELECT value FROM json_each(?)) "
    "ORDER BY dossier_uuid, seq"
)
# The papers as central_schema.papers_json writes them (keys in order, no spaces), built by SQLite.
_PAPERS_JSON = (
    "(SELECT coalesce(json_group_array(json_object('copies', p.copies, 'missing', json(iif(p.missing, 'true', "
    "'false')), 'name', p.name, 'originals', p.originals)), '[]') "
    "FROM (SELECT * FROM dossier_paper AS p WHERE p.dossier_uuid = dossier.uuid ORDER BY p.position) AS p)"
)
_DOSSIERS_SQL = (
    "SELECT "  # noqa: S608
    + ", ".join(_PAPERS_JSON if name == "papers" else name for name in _STATE_FIELDS)
    + ", name_key FROM dossier WHERE uuid IN (SELECT value FROM json_each(?))"
)


def _local_dossiers(
    connection: Connection, uuids: Sequence[str], agency_code: str, counter: int
) -> dict[str, LocalDossier]:
    """The stored projection rows as they are (ISO text timestamps, 0/1 booleans: what PostgreSQL's COPY reads).

    Plain DB-API on the transaction's own connection: these rows go to COPY untouched, and SQLAlchemy's per-row
    work was most of the cost of a push.
    """
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    wanted = json.dumps(list(uuids))
    events = {row[0]: row[1:] for row in cursor.execute(_EVENTS_SQL, (agency_code, counter, wanted))}
    transfers: dict[str, list[str]] = {}
    for dossier_uuid, payload in cursor.execute(_TRANSFERS_SQL, (wanted,)):
        transfers.setdefault(dossier_uuid, []).append(payload)
    found: dict[str, LocalDossier] = {}
    for *state, name_key in cursor.execute(_DOSSIERS_SQL, (wanted,)):
        uuid = state[_UUID]
        count, own, disorder = events.get(uuid, (0, 0, 0))
        deciding = deciding_agency_code(state[_DECIDING], state[_AGENCY], transfers.get(uuid, ()))
        found[uuid] = LocalDossier(
            row=(*state, deciding, name_key),
            event_count=count,
            replayable=count == state[_EVENT_COUNT] and own == count and not disorder,
        )
    cursor.close()
    return found


# Marks a whole batch sent in one statement: its events are the outbox's keys between its first and last (a batch
# is read as a contiguous run of the outbox in (seq, uuid) order, and new events come after it).
_ACK_SPAN = "DELETE FROM event_outbox WHERE (seq, uuid) >= (?, ?) AND (seq, uuid) <= (?, ?)"
# By uuid, whatever the events' state: each found through the event's primary key, then the outbox's.
_ACK_SENT = (
    "DELETE FROM event_outbox WHERE (seq, uuid) IN "
    "(SELECT seq, uuid FROM event WHERE uuid IN (SELECT value FROM json_each(?)))"
)
_ACK_DEAD = (
    "UPDATE event SET sync_state = 2, sync_error = ? WHERE uuid = ?",
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


def unknown_dossiers(database: Database, dossier_uuids: Sequence[str]) -> list[str]:
    """Those of these dossiers of which the local store holds no event at all."""
    known: set[str] = set()
    with UnitOfWork(database) as uow:
        for chunk in _chunks(dossier_uuids):
            known.update(
                uow.session.scalars(select(EventRow.dossier_uuid).where(EventRow.dossier_uuid.in_(chunk)).distinct())
            )
    return [u for u in dossier_uuids if u not in known]


def read_cursor(database: Database) -> PullCursor:
    with UnitOfWork(database) as uow:
        return PullCursor.parse(uow.settings.get(CURSOR_KEY))


def store_pulled(
    database: Database,
    events: Sequence[OutboxEvent],
    cursor: PullCursor,
    counters: Sequence[tuple[str, int, str]] = (),
) -> StoredPull:
    """Insert pulled events (origin central, already sent), re-derive their dossiers, advance the cursor: atomically."""
    with UnitOfWork(database, write=True) as uow:
        stored = store_received(uow.session, events, ORIGIN_CENTRAL)
        for agency_code, number, _label in counters:
            uow.agencies.add_counter(agency_code, number)
        if cursor > PullCursor.parse(uow.settings.get(CURSOR_KEY)):
            uow.settings.put(CURSOR_KEY, cursor.text())
        uow.commit()
    return stored


def store_received(session: Session, events: Sequence[OutboxEvent], origin: str) -> StoredPull:
    """In the caller's transaction: the events received that the local store lacks (insert_received), their
    dossiers re-derived and the attachment rows of their papers added."""
    fresh = insert_received(session, events, origin)
    touched = sorted({e.dossier_uuid for e in fresh if e.dossier_uuid})
    failed = rederive(session, touched)
    add_pulled_attachments(session, fresh)
    return StoredPull(inserted=len(fresh), dossiers=frozenset(touched), failed=failed)


def insert_received(session: Session, events: Sequence[OutboxEvent], origin: str) -> list[OutboxEvent]:
    """Insert the events received from the central that the local store does not hold yet (by uuid), as they
    are and already delivered; returns those inserted. `origin`: ORIGIN_CENTRAL for another counter's events,
    ORIGIN_LOCAL for this counter's own taken back after a restore (sync.own_history)."""
    known: set[str] = set()
    for chunk in _chunks([e.uuid for e in events]):
        known.update(session.scalars(select(EventRow.uuid).where(EventRow.uuid.in_(chunk))).all())
    fresh = [e for e in events if e.uuid not in known]
    if fresh:
        session.execute(
            _EVENT_TABLE.insert(),
            [
                {
                    "uuid": e.uuid,
                    "dossier_uuid": e.dossier_uuid,
                    "kind": e.kind,
                    "payload": e.payload,
                    "occurred_at": e.occurred_at,
                    "agency_code": e.agency_code,
                    "counter": e.counter,
                    "seq": e.seq,
                    "clerk": e.clerk,
                    "origin": origin,
                    "sync_state": SENT,
                    "sync_error": "",
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                }
                for e in fresh
            ],
        )
    return fresh


ATTACHMENT_ADDED, ATTACHMENT_EXEMPTED = "attachment.added", "attachment.exempted"
_SHA256 = re.compile(r"[0-9a-f]{64}")


def add_pulled_attachments(session: Session, events: Sequence[OutboxEvent]) -> int:
    """The attachment rows of papers digitised (or exempted) at another counter, from their pulled events.

    So that the dossier's papers list them here too. The file itself stays on the central until it is fetched
    (SyncService.fetch_attachments): the row is "synced" (the central holds it, nothing to upload from here)
    and the file is absent from the local store until then. The row keeps the uuid the other counter gave it
    (the event's `attachment`), so a repeated pull adds nothing. Events of dossiers that are not stored here
    (their events did not replay) and malformed payloads are left out. Returns how many rows were added.
    """
    candidates: list[tuple[OutboxEvent, dict[str, Any]]] = []
    for event in events:
        if event.kind not in (ATTACHMENT_ADDED, ATTACHMENT_EXEMPTED) or not event.dossier_uuid:
            continue
        try:
            body = json.loads(event.payload)
        except ValueError:
            continue
        if isinstance(body, dict):
            candidates.append((event, body))
    if not candidates:
        return 0
    dossier_uuids = sorted({e.dossier_uuid for e, _b in candidates if e.dossier_uuid})
    row_uuids = sorted({str(b.get("attachment") or e.uuid) for e, b in candidates})
    dossiers: set[str] = set()
    existing: set[str] = set()
    for chunk in _chunks(dossier_uuids):
        dossiers.update(session.scalars(select(DossierRow.uuid).where(DossierRow.uuid.in_(chunk))))
    for chunk in _chunks(row_uuids):
        existing.update(session.scalars(select(AttachmentRow.uuid).where(AttachmentRow.uuid.in_(chunk))))
    rows: list[AttachmentRow] = []
    # in the dossier's event order: a paper's current attachment is its latest row
    for event, body in sorted(candidates, key=lambda c: (c[0].occurred_at, c[0].agency_code, c[0].counter, c[0].seq)):
        row_uuid = str(body.get("attachment") or event.uuid)
        if event.dossier_uuid not in dossiers or row_uuid in existing:
            continue
        try:
            row = _pulled_attachment_row(event, body, row_uuid)
        except (KeyError, ValueError, TypeError):
            log.warning("attachment event %s not listed: malformed payload", event.uuid)
            continue
        if row is not None:
            existing.add(row_uuid)
            rows.append(row)
    session.add_all(rows)
    return len(rows)


def _pulled_attachment_row(event: OutboxEvent, body: dict[str, Any], row_uuid: str) -> AttachmentRow | None:
    assert event.dossier_uuid is not None
    sha256, size, exemption = "", 0, ""
    if event.kind == ATTACHMENT_ADDED:
        sha256, size = str(body["sha256"]), int(body.get("size") or 0)
        if not _SHA256.fullmatch(sha256):
            return None
    else:
        note = str(body.get("note") or "")
        exemption = f"{body['exemption']}: {note}" if note else str(body["exemption"])
    return AttachmentRow(
        uuid=row_uuid,
        dossier_uuid=event.dossier_uuid,
        paper_position=int(body["paper"]),
        paper_name=str(body.get("paper_name") or ""),
        sha256=sha256,
        pages=int(body.get("pages") or 0),
        size=size,
        exempt_reason=exemption,
        created_at=to_vn(datetime.fromisoformat(event.occurred_at)),
        clerk=event.clerk,
        # on the central already: nothing for this counter to upload; the file comes when the dossier is opened
        sync_state=ATTACHMENT_PULLED,
        uploaded_bytes=size,
        sync_error="",
    )


def rederive(session: Session, dossier_uuids: Sequence[str]) -> int:
    """Replay each dossier over all its local events (dead letters excepted) and save it; returns how many failed.

    A dossier whose events do not replay (two counters did incompatible things offline) keeps its projection;
    its events are all kept, so nothing is lost, and the failure is logged (without personal data).
    """
    repository = DossierRepository(session)
    failed = 0
    for chunk in _chunks(dossier_uuids):
        # the existing rows into the session's identity map at once, so that save() queries nothing row by row;
        # dossiers new to this counter go in with one bulk insert
        existing = set(session.scalars(select(DossierRow).where(DossierRow.uuid.in_(chunk))).all())
        known = {row.uuid for row in existing}
        rows = session.execute(
            select(EventRow.dossier_uuid, EventRow.kind, EventRow.payload, EventRow.occurred_at)
            .where(EventRow.dossier_uuid.in_(chunk), EventRow.sync_state != DEAD)
            .order_by(EventRow.dossier_uuid, EventRow.occurred_at, EventRow.agency_code, EventRow.counter, EventRow.seq)
        ).all()
        fresh: list[DossierState] = []
        with session.no_autoflush:
            for dossier_uuid, group in itertools.groupby(rows, key=lambda r: r[0]):
                try:
                    state = replay_stored((kind, payload, at) for _d, kind, payload, at in group)
                except (RuleError, ValueError, KeyError, TypeError) as exc:
                    failed += 1
                    log.warning("dossier %s does not replay after pull: %s", dossier_uuid, type(exc).__name__)
                    continue
                if dossier_uuid in known:
                    repository.save(state)
                else:
                    fresh.append(state)
        repository.insert_many(fresh)
    return failed
