"""The local side of sync: the outbox (unsent events), acknowledgements, pulled events, the pull cursor.

Every function here opens its own short local transaction; none is ever held across network I/O.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, column, func, select, table, update
from sqlalchemy.orm import Session

from counter_app.domain.dossier import DossierState
from counter_app.errors import RuleError
from counter_app.storage.database import Database
from counter_app.storage.models import DossierRow, EventRow
from counter_app.storage.repositories import DossierRepository
from counter_app.storage.unit_of_work import UnitOfWork
from counter_app.sync.projection import TRANSFERRED, deciding_agency_code, replay_stored

log = logging.getLogger(__name__)

CURSOR_KEY = "sync_cursor"
SENT, PENDING, DEAD = 1, 0, 2
ORIGIN_LOCAL, ORIGIN_CENTRAL = "local", "central"
# SQLite allows 32766 parameters per statement; stay far below.
_CHUNK = 500


@dataclass(frozen=True)
class OutboxEvent:
    """One event as stored, in central.event's column order (EVENT_COLUMNS).

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

    def row(self) -> tuple[Any, ...]:
        return (
            self.uuid,
            self.dossier_uuid,
            self.kind,
            self.payload,
            self.occurred_at,
            self.agency_code,
            self.counter,
            self.seq,
            self.clerk,
        )


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
    """A dossier's local projection (values by state field, papers as JSON) and what is known of its events."""

    values: dict[str, Any]
    name_key: str
    event_count: int  # local events of the dossier, dead letters included
    # Only this counter's own events, none in dead letter, applied in time order: the projection is exactly
    # the domain's replay of those events, so the central may take it instead of replaying them again.
    replayable: bool
    deciding_agency_code: str


@dataclass(frozen=True)
class PendingBatch:
    events: list[OutboxEvent]
    dossiers: dict[str, LocalDossier]


@dataclass(frozen=True)
class StoredPull:
    inserted: int
    dossiers: frozenset[str]
    failed: int


# The event table without type processing, to insert pulled events with their text timestamps as they are.
_EVENT_TABLE = table(
    "event",
    *(
        column(name)
        for name in (
            "uuid",
            "dossier_uuid",
            "kind",
            "payload",
            "occurred_at",
            "agency_code",
            "counter",
            "seq",
            "clerk",
            "origin",
            "sync_state",
            "sync_error",
        )
    ),
)
_STATE_FIELDS = tuple(f.name for f in dataclasses.fields(DossierState) if f.name != "papers")


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def count_pending(database: Database) -> int:
    with UnitOfWork(database) as uow:
        query = select(func.count()).where(EventRow.sync_state == PENDING, EventRow.origin == ORIGIN_LOCAL)
        return int(uow.session.scalar(query) or 0)


_PENDING_SQL = (
    "SELECT uuid, dossier_uuid, kind, payload, occurred_at, agency_code, counter, seq, clerk FROM event "
    "WHERE sync_state = 0 AND origin = 'local' AND (seq, uuid) > (?, ?) ORDER BY seq, uuid LIMIT ?"
)


def read_pending(
    database: Database, after: tuple[int, str] | None, limit: int, *, agency_code: str, counter: int
) -> PendingBatch:
    """The next unsent local events in the counter's own order, after the keyset (seq, uuid) `after`,
    with the local projection of their dossiers, read in one snapshot (one short read transaction)."""
    with UnitOfWork(database) as uow:
        connection = uow.session.connection()  # begins the read transaction
        cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
        events = [OutboxEvent(*row) for row in cursor.execute(_PENDING_SQL, (*(after or (0, "")), limit))]
        cursor.close()
        uuids = sorted({e.dossier_uuid for e in events if e.dossier_uuid})
        dossiers: dict[str, LocalDossier] = {}
        for chunk in _chunks(uuids):
            dossiers.update(_local_dossiers(connection, chunk, agency_code, counter))
    return PendingBatch(events, dossiers)


# Fixed SQL (column names from the model, placeholders only); `{}` takes the "?, ?, …" of one chunk.
_PAPERS_SQL = (
    "SELECT dossier_uuid, name, originals, copies, missing FROM dossier_paper WHERE dossier_uuid IN ({}) "
    "ORDER BY dossier_uuid, position"
)
_EVENTS_SQL = (
    "SELECT dossier_uuid, occurred_at, origin, sync_state, agency_code, counter, kind, "
    "CASE WHEN kind = 'dossier.transferred' THEN payload END FROM event WHERE dossier_uuid IN ({}) "
    "ORDER BY dossier_uuid, seq"
)
_DOSSIERS_SQL = "SELECT " + ", ".join(_STATE_FIELDS) + ", name_key FROM dossier WHERE uuid IN ({})"  # noqa: S608


def _local_dossiers(
    connection: Connection, uuids: Sequence[str], agency_code: str, counter: int
) -> dict[str, LocalDossier]:
    """The stored projection rows as they are (ISO text timestamps, 0/1 booleans: what PostgreSQL's COPY reads).

    Plain DB-API on the transaction's own connection: these rows go to COPY untouched, and SQLAlchemy's per-row
    work was most of the cost of a push.
    """
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    marks = ", ".join("?" * len(uuids))
    papers: dict[str, list[dict[str, Any]]] = {}
    for dossier_uuid, name, originals, copies, missing in cursor.execute(_PAPERS_SQL.format(marks), uuids):
        papers.setdefault(dossier_uuid, []).append(
            {"copies": copies, "missing": bool(missing), "name": name, "originals": originals}
        )
    events: dict[str, list[Any]] = {}
    for row in cursor.execute(_EVENTS_SQL.format(marks), uuids):
        events.setdefault(row[0], []).append(row)
    found: dict[str, LocalDossier] = {}
    for *state_row, name_key in cursor.execute(_DOSSIERS_SQL.format(marks), uuids).fetchall():
        values = dict(zip(_STATE_FIELDS, state_row, strict=True))
        uuid = values["uuid"]
        values["papers"] = json.dumps(papers.get(uuid, []), ensure_ascii=False, sort_keys=True)
        own = events.get(uuid, [])
        times = [e[1] for e in own]
        replayable = (
            len(own) == values["event_count"]
            and all(e[2] == ORIGIN_LOCAL and e[3] != DEAD and e[4] == agency_code and e[5] == counter for e in own)
            and times == sorted(times)
        )
        transfers = [e[7] for e in own if e[6] == TRANSFERRED]
        found[uuid] = LocalDossier(
            values=values,
            name_key=name_key,
            event_count=len(own),
            replayable=replayable,
            deciding_agency_code=deciding_agency_code(values["deciding_agency"], values["agency_code"], transfers),
        )
    cursor.close()
    return found


def acknowledge(database: Database, sent: Sequence[str], dead: dict[str, str]) -> None:
    """After the central committed: mark `sent` sent and `dead` (uuid -> reason) dead letters, in one short write."""
    if not sent and not dead:
        return
    events = _EVENT_TABLE
    with UnitOfWork(database, write=True) as uow:
        for chunk in _chunks(sent):
            uow.session.execute(
                # `!= SENT`, not `== PENDING`: an equality would make SQLite walk the (sync_state, seq) index
                # over every pending event instead of looking the uuids up
                update(events).where(events.c.uuid.in_(chunk), events.c.sync_state != SENT).values(sync_state=SENT)
            )
        for uuid, reason in dead.items():
            uow.session.execute(
                update(events).where(events.c.uuid == uuid).values(sync_state=DEAD, sync_error=reason[:2000])
            )
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
        session = uow.session
        uuids = [e.uuid for e in events]
        known: set[str] = set()
        for chunk in _chunks(uuids):
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
                        "origin": ORIGIN_CENTRAL,
                        "sync_state": SENT,
                        "sync_error": "",
                    }
                    for e in fresh
                ],
            )
        touched = sorted({e.dossier_uuid for e in fresh if e.dossier_uuid})
        failed = rederive(session, touched)
        for agency_code, number, _label in counters:
            uow.agencies.add_counter(agency_code, number)
        if cursor > PullCursor.parse(uow.settings.get(CURSOR_KEY)):
            uow.settings.put(CURSOR_KEY, cursor.text())
        uow.commit()
    return StoredPull(inserted=len(fresh), dossiers=frozenset(touched), failed=failed)


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
