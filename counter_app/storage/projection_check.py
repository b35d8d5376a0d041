"""The dossier rows checked against their events: each row must be what the domain's replay of its events gives.

The audit chain seals the events; the `dossier` table is only their projection, and it is what the window shows,
what forms print and what a push sends. An edit made to a row directly in the file (a name, an identifier, a due
date) breaks no link of the chain: replaying the dossier's events and comparing the result with the row finds
it, and names the fields that differ (their names only, never the values: they are personal data).
"""

from __future__ import annotations

import dataclasses
import itertools
import json
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from counter_app.domain.clock import to_vn
from counter_app.domain.dossier import DossierState, replay
from counter_app.domain.event_delivery import EventDelivery
from counter_app.errors import RuleError
from counter_app.storage.event_order import replay_order
from counter_app.storage.models import DossierRow, EventRow
from counter_app.storage.repositories.dossiers import state_from_row

# What a difference is, besides the names of the fields that differ.
NO_ROW = "no_row"  # events of a dossier the table does not hold
NO_EVENTS = "no_events"  # a row no event made
NOT_REPLAYABLE = "not_replayable"  # its events do not make a dossier (an edited event would be caught by the chain)

CHUNK = 500


@dataclass(frozen=True)
class ProjectionDifference:
    """A dossier whose row is not what its events make."""

    uuid: str
    code: str  # the dossier code or slip number as the row has it ("" for NO_ROW)
    fields: tuple[str, ...]  # DossierState field names that differ, or one of NO_ROW / NO_EVENTS / NOT_REPLAYABLE

    def as_dict(self) -> dict[str, object]:
        return {"uuid": self.uuid, "code": self.code, "fields": list(self.fields)}


def differing_fields(replayed: DossierState, stored: DossierState) -> tuple[str, ...]:
    return tuple(f.name for f in dataclasses.fields(replayed) if getattr(replayed, f.name) != getattr(stored, f.name))


def _replayed(events: Sequence[tuple[str, str, datetime | str]]) -> DossierState | None:
    def moment(at: datetime | str) -> datetime:
        return to_vn(datetime.fromisoformat(at) if isinstance(at, str) else at)

    try:
        return replay((kind, json.loads(payload), moment(at)) for kind, payload, at in events)
    except (RuleError, ValueError, KeyError, TypeError):
        return None


def _row_chunks(session: Session) -> Iterator[list[DossierRow]]:
    """Every dossier row, CHUNK at a time in uuid order (keyset: a million rows never sit in memory at once)."""
    after = ""
    while True:
        rows = list(
            session.scalars(select(DossierRow).where(DossierRow.uuid > after).order_by(DossierRow.uuid).limit(CHUNK))
        )
        if not rows:
            return
        yield rows
        after = rows[-1].uuid
        session.expunge_all()


def projection_differences(session: Session) -> list[ProjectionDifference]:
    """Every dossier whose row differs from the replay of its events (dead letters left out), in uuid order."""
    found: list[ProjectionDifference] = []
    for rows in _row_chunks(session):
        uuids = [row.uuid for row in rows]
        events = session.execute(
            select(EventRow.dossier_uuid, EventRow.kind, EventRow.payload, EventRow.occurred_at)
            .where(EventRow.dossier_uuid.in_(uuids), EventRow.sync_state != EventDelivery.DEAD)
            .order_by(EventRow.dossier_uuid, *replay_order())
        ).all()
        by_dossier = {
            uuid: [(kind, payload, at) for _u, kind, payload, at in group]
            for uuid, group in itertools.groupby(events, key=lambda r: r[0])
        }
        for row in rows:
            code = row.code or row.slip or ""
            mine = by_dossier.get(row.uuid)
            if not mine:
                found.append(ProjectionDifference(row.uuid, code, (NO_EVENTS,)))
                continue
            replayed = _replayed(mine)
            if replayed is None:
                found.append(ProjectionDifference(row.uuid, code, (NOT_REPLAYABLE,)))
                continue
            fields = differing_fields(replayed, state_from_row(row))
            if fields:
                found.append(ProjectionDifference(row.uuid, code, fields))
    orphans = session.scalars(
        select(EventRow.dossier_uuid)
        .where(EventRow.dossier_uuid != "", EventRow.sync_state != EventDelivery.DEAD)
        .where(~EventRow.dossier_uuid.in_(select(DossierRow.uuid)))
        .distinct()
    ).all()
    found += [ProjectionDifference(uuid, "", (NO_ROW,)) for uuid in orphans if uuid]
    return sorted(found, key=lambda d: d.uuid)
