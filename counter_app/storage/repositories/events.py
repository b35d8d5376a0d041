"""The event log: appending events linked into their counter's audit chain, reading a dossier's events, and the
audit trail (every event, filtered and paged)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import Select, func, or_, select
from sqlalchemy.orm import Session

from counter_app.domain.audit_chain import ChainLink
from counter_app.domain.event_delivery import EventDelivery
from counter_app.domain.event_kinds import EventKind
from counter_app.storage import restore_hold
from counter_app.storage.event_chain import AuditKeys, ChainWriter
from counter_app.storage.event_order import replay_order
from counter_app.storage.models import DELIVERY_STATE, DossierRow, EventRow
from counter_app.storage.repositories.settings import SettingsRepository
from counter_app.storage.types import vn_text


@dataclass(frozen=True)
class StoredEvent:
    """An event of the log as stored: `payload` is its JSON text (sorted keys), `origin` local or central."""

    uuid: str
    kind: str
    dossier_uuid: str | None
    payload: str
    occurred_at: datetime
    agency_code: str
    counter: int
    seq: int
    clerk: str
    origin: str


@dataclass(frozen=True)
class Delivery:
    """How far a dossier's own events got to the central: how many wait, how many were refused, and why."""

    pending: int
    failed: int
    error: str  # the central's reason for a refused one ("" when none)


@dataclass(frozen=True)
class TrailFilter:
    """What the audit trail shows: every field optional; `since`/`until` bound `occurred_at` (until excluded)."""

    clerk: str = ""
    kind_prefix: str = ""  # "dossier." for a family, or one whole kind
    dossier: str = ""  # a dossier's code or slip number, or a part of one
    since: datetime | None = None
    until: datetime | None = None


@dataclass(frozen=True)
class TrailRecord:
    """One event of the audit trail: who, what, when, which dossier (its code or slip number, "" for none)."""

    uuid: str
    kind: str
    occurred_at: datetime
    clerk: str
    agency_code: str
    counter: int
    seq: int
    dossier_code: str
    payload: str


def _stored(row: EventRow) -> StoredEvent:
    return StoredEvent(
        uuid=row.uuid,
        kind=row.kind,
        dossier_uuid=row.dossier_uuid,
        payload=row.payload,
        occurred_at=row.occurred_at,
        agency_code=row.agency_code,
        counter=row.counter,
        seq=row.seq,
        clerk=row.clerk,
        origin=row.origin,
    )


class EventRepository:
    """The event log; every row appended here is linked into its counter's audit chain (storage.event_chain)."""

    def __init__(self, session: Session, keys: AuditKeys | None = None) -> None:
        self.session = session
        self.keys = keys

    def _writer(self, agency_code: str, counter: int) -> ChainWriter:
        restore_hold.check(self.session)  # a restored database writes nothing before its first sync
        return ChainWriter(self.session, self.keys, SettingsRepository(self.session), agency_code, counter)

    def append(
        self,
        *,
        uuid: str,
        kind: str,
        dossier_uuid: str | None,
        payload: dict[str, Any],
        occurred_at: datetime,
        agency_code: str,
        counter: int,
        clerk: str,
    ) -> None:
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        writer = self._writer(agency_code, counter)
        change = writer.key_change(vn_text(occurred_at), clerk)
        if change is not None:
            self.session.add(_key_change_row(change, occurred_at))
            self.session.flush()  # in seq order: the key change before the caller's event
        link = writer.link(
            ChainLink(uuid, kind, dossier_uuid, text, vn_text(occurred_at), agency_code, counter, 0, clerk, "")
        )
        row = EventRow(
            uuid=uuid,
            kind=kind,
            dossier_uuid=dossier_uuid,
            payload=text,
            occurred_at=occurred_at,
            agency_code=agency_code,
            counter=counter,
            seq=link.seq,
            lamport=self._next_lamport(dossier_uuid),
            clerk=clerk,
            prev_hash=link.prev_hash,
            hash=link.hash,
        )
        self.session.add(row)

    def _next_lamport(self, dossier_uuid: str | None) -> int:
        """1 + the highest lamport of the dossier's events held here, own and pulled (storage.event_order); 0
        without a dossier. One look-up of ix_event_dossier; autoflush makes this session's earlier events count."""
        if dossier_uuid is None:
            return 0
        highest = self.session.scalar(select(func.max(EventRow.lamport)).where(EventRow.dossier_uuid == dossier_uuid))
        return 1 + int(highest or 0)

    def delivery(self, dossier_uuid: str) -> Delivery:
        """The delivery of the events this counter recorded for a dossier (pulled ones are the central's)."""
        rows = self.session.execute(
            select(DELIVERY_STATE, func.count(), func.max(EventRow.sync_error))
            .where(EventRow.dossier_uuid == dossier_uuid, EventRow.origin == "local")
            .group_by(DELIVERY_STATE)
        ).all()
        counts = {int(state): int(count) for state, count, _error in rows}
        error = next((str(err) for state, _count, err in rows if state == EventDelivery.DEAD), "")
        return Delivery(counts.get(EventDelivery.PENDING, 0), counts.get(EventDelivery.DEAD, 0), error)

    def trail(self, what: TrailFilter, *, offset: int = 0, limit: int = 100) -> tuple[list[TrailRecord], int]:
        """One page of the audit trail (newest first) and the number of matching events."""
        return trail_page(self.session, what, offset=offset, limit=limit)

    def trail_clerks(self) -> list[str]:
        return trail_clerks(self.session)

    def re_entry_claims(self, field: str, value: str) -> bool:
        """Whether a re-entry already recorded `value` under `field` of its record (payloads are stored as JSON
        text with ", " and ": " separators, `append`'s json.dumps)."""
        needle = json.dumps({field: value}, ensure_ascii=False)[1:-1]
        query = (
            select(EventRow.uuid)
            .where(EventRow.kind == EventKind.DOSSIER_ACCEPTED, EventRow.payload.contains(needle, autoescape=True))
            .limit(1)
        )
        return self.session.scalar(query) is not None

    def for_dossier(self, dossier_uuid: str) -> list[StoredEvent]:
        """A dossier's events in the order of the fold (storage.event_order)."""
        query = select(EventRow).where(EventRow.dossier_uuid == dossier_uuid).order_by(*replay_order())
        return [_stored(row) for row in self.session.scalars(query)]


def _trail_query(what: TrailFilter) -> Select[Any]:
    dossier_code = func.coalesce(DossierRow.code, DossierRow.slip, "")
    query = select(EventRow, dossier_code).outerjoin(DossierRow, DossierRow.uuid == EventRow.dossier_uuid)
    if what.clerk:
        query = query.where(EventRow.clerk == what.clerk)
    if what.kind_prefix:
        query = query.where(
            or_(EventRow.kind == what.kind_prefix, EventRow.kind.startswith(what.kind_prefix, autoescape=True))
        )
    if what.dossier:
        part = what.dossier.strip()
        query = query.where(
            or_(DossierRow.code.contains(part, autoescape=True), DossierRow.slip.contains(part, autoescape=True))
        )
    if what.since is not None:
        query = query.where(EventRow.occurred_at >= what.since)
    if what.until is not None:
        query = query.where(EventRow.occurred_at < what.until)
    return query


def trail_page(session: Session, what: TrailFilter, *, offset: int, limit: int) -> tuple[list[TrailRecord], int]:
    """One page of the audit trail, newest first, and how many events match in all."""
    query = _trail_query(what)
    total = int(session.scalar(select(func.count()).select_from(query.subquery())) or 0)
    ordered = query.order_by(EventRow.occurred_at.desc(), EventRow.seq.desc()).offset(offset).limit(limit)
    records = [
        TrailRecord(
            row.uuid,
            row.kind,
            row.occurred_at,
            row.clerk,
            row.agency_code,
            row.counter,
            row.seq,
            str(code or ""),
            row.payload,
        )
        for row, code in session.execute(ordered)
    ]
    return records, total


def trail_clerks(session: Session) -> list[str]:
    """Every name that recorded an event, for the trail's filter."""
    return [str(n) for n in session.scalars(select(EventRow.clerk).distinct().order_by(EventRow.clerk)) if n]


def _key_change_row(change: ChainLink, occurred_at: datetime) -> EventRow:
    """The row of the event that records a new audit key for a chain sealed with a lost one (event_chain)."""
    return EventRow(
        uuid=change.uuid,
        kind=change.kind,
        dossier_uuid=None,
        payload=change.payload,
        occurred_at=occurred_at,
        agency_code=change.agency_code,
        counter=change.counter,
        seq=change.seq,
        lamport=0,  # no dossier
        clerk=change.clerk,
        prev_hash=change.prev_hash,
        hash=change.hash,
    )
