"""Events received from the central stored locally: inserted as they are, their dossiers re-derived, the
attachment rows of their papers added, the pull cursor advanced with them.
"""

from __future__ import annotations

import itertools
import json
import logging
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import column, select, table
from sqlalchemy.orm import Session

from counter_app.domain.clock import to_vn
from counter_app.domain.dossier import DossierState
from counter_app.domain.event_delivery import EventDelivery
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.stored_events import replay_stored
from counter_app.errors import RuleError
from counter_app.storage.bulk_load import LOCAL_EVENT_COLUMNS
from counter_app.storage.database import Database
from counter_app.storage.event_order import replay_key, replay_order
from counter_app.storage.models import ATTACHMENT_PULLED, AttachmentRow, DossierRow, EventRow
from counter_app.storage.outbox import ORIGIN_CENTRAL, OutboxEvent
from counter_app.storage.pull_cursor import CURSOR_KEY, PullCursor
from counter_app.storage.repositories.dossiers import DossierRepository
from counter_app.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# SQLite allows 32766 parameters per statement; stay far below.
_CHUNK = 500


@dataclass(frozen=True)
class StoredPull:
    inserted: int
    dossiers: frozenset[str]
    failed: int


# The event table without type processing, to insert pulled events with their text timestamps as they are.
_EVENT_TABLE = table("event", *(column(name) for name in LOCAL_EVENT_COLUMNS))


def _chunks(items: Sequence[str]) -> Iterable[Sequence[str]]:
    for start in range(0, len(items), _CHUNK):
        yield items[start : start + _CHUNK]


def unknown_dossiers(database: Database, dossier_uuids: Sequence[str]) -> list[str]:
    """Those of these dossiers of which the local store holds no event at all."""
    known: set[str] = set()
    with UnitOfWork(database) as uow:
        for chunk in _chunks(dossier_uuids):
            known.update(
                uow.session.scalars(select(EventRow.dossier_uuid).where(EventRow.dossier_uuid.in_(chunk)).distinct())
            )
    return [u for u in dossier_uuids if u not in known]


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
                    "lamport": e.lamport,
                    "clerk": e.clerk,
                    "origin": origin,
                    "sync_state": EventDelivery.SENT,
                    "sync_error": "",
                    "prev_hash": e.prev_hash,
                    "hash": e.hash,
                }
                for e in fresh
            ],
        )
    return fresh


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
        if event.kind not in (EventKind.ATTACHMENT_ADDED, EventKind.ATTACHMENT_EXEMPTED) or not event.dossier_uuid:
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
    for event, body in sorted(candidates, key=lambda c: replay_key(c[0])):
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
    if event.kind == EventKind.ATTACHMENT_ADDED:
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
            .where(EventRow.dossier_uuid.in_(chunk), EventRow.sync_state != EventDelivery.DEAD)
            .order_by(EventRow.dossier_uuid, *replay_order())
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
