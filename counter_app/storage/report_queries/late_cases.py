"""The late report's query: dossiers resolved late, overdue at a moment, or given an apology."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import datetime
from typing import Any

from sqlalchemy import (
    and_,
    exists,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from counter_app.domain.clock import to_vn
from counter_app.domain.event_kinds import EventKind
from counter_app.storage.models import DossierRow, EventRow
from counter_app.storage.report_queries.records import LateLine
from counter_app.storage.report_queries.sql_terms import (
    _AsOf,
    _late_when_resolved,
    _resolved_between,
    _taken_in,
    _unindexed,
)


def late_lines(session: Session, start: datetime, end: datetime, moment: datetime) -> Iterator[LateLine]:
    """Dossiers resolved late in [start, end), overdue at `moment`, or given an apology in [start, moment)."""
    as_of = _AsOf(moment)
    resolved_late = and_(_resolved_between(start, end), _late_when_resolved())
    apology = aliased(EventRow)
    letter = and_(
        apology.dossier_uuid == DossierRow.uuid,
        _unindexed(apology.kind) == EventKind.REAPPOINTED,
        apology.occurred_at < moment,
    )
    # `reappointed` of the projection is true for every dossier with a letter: a cheap test before the look-up
    apologised_in_period = and_(DossierRow.reappointed.is_(True), exists().where(letter, apology.occurred_at >= start))

    def letter_column(column: Any) -> Any:
        return select(column).where(letter).order_by(apology.occurred_at).limit(1).scalar_subquery()

    query = (
        select(
            DossierRow.uuid,
            DossierRow.code,
            DossierRow.procedure_code,
            DossierRow.procedure_name,
            DossierRow.applicant_name,
            DossierRow.deciding_agency,
            DossierRow.stage,
            DossierRow.received_at,
            DossierRow.due_at,
            as_of.due_text,
            DossierRow.finished_at,
            resolved_late,
            as_of.overdue,
            type_coerce(letter_column(apology.occurred_at), DossierRow.received_at.type),
            letter_column(apology.payload),
        )
        .where(_taken_in(), or_(resolved_late, as_of.overdue, apologised_in_period))
        .order_by(DossierRow.deciding_agency, DossierRow.received_at, DossierRow.uuid)
    )
    for r in session.execute(query):
        yield LateLine(
            uuid=r[0],
            code=str(r[1] or ""),
            procedure_code=r[2],
            procedure_name=r[3],
            applicant_name=r[4],
            deciding_agency=r[5] or "",
            stage=r[6],
            received_at=r[7],
            due_at=r[8],
            due_then=to_vn(datetime.fromisoformat(r[9])) if r[9] else None,
            finished_at=r[10],
            resolved_late=bool(r[11]),
            overdue=bool(r[12]),
            apology_at=r[13],
            apology_payload=r[14],
        )
