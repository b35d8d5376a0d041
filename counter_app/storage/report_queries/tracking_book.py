"""The tracking book's queries: the fields of a period and one page of a field's book."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import (
    Select,
    and_,
    func,
    or_,
    select,
    type_coerce,
)
from sqlalchemy.orm import Session, aliased

from counter_app.domain.event_kinds import EventKind
from counter_app.storage.models import DossierRow, EventRow
from counter_app.storage.report_queries.records import BookLine
from counter_app.storage.report_queries.sql_terms import _kind, _taken_in, _unindexed


def book_fields(session: Session, start: datetime, end: datetime) -> list[tuple[str, int]]:
    """The fields with dossiers taken in during [start, end), with how many, in alphabetical order."""
    # grouped on `field || ''`: grouped on the column, the planner would walk all of ix_dossier_field_received
    # (every dossier ever) to spare itself a sort of the period's few fields
    field = _unindexed(DossierRow.field)
    query = (
        select(field, func.count())
        .where(_taken_in(), DossierRow.received_at >= start, DossierRow.received_at < end)
        .group_by(field)
        .order_by(field)
    )
    return [(str(f), int(n)) for f, n in session.execute(query)]


def book_page(
    session: Session, start: datetime, end: datetime, field: str, *, after: tuple[datetime, str] | None, limit: int
) -> list[BookLine]:
    """One page of the book of `field`, in order of reception, after the (received_at, uuid) `after`."""
    handed = aliased(EventRow)
    returned = (
        select(func.min(handed.occurred_at))
        # the literal kind lets the partial ix_event_handed_over answer from the index alone
        .where(handed.dossier_uuid == DossierRow.uuid, handed.kind == _kind(EventKind.HANDED_OVER))
        .correlate(DossierRow)
        .scalar_subquery()
    )
    query: Select[Any] = select(
        DossierRow.uuid,
        DossierRow.book_index,
        DossierRow.code,
        DossierRow.procedure_name,
        DossierRow.applicant_name,
        DossierRow.applicant_address,
        DossierRow.applicant_phone,
        DossierRow.deciding_agency,
        DossierRow.field,
        DossierRow.received_at,
        DossierRow.due_at,
        type_coerce(returned, DossierRow.received_at.type),
        DossierRow.result_delivery,
    ).where(_taken_in(), DossierRow.field == field, DossierRow.received_at >= start, DossierRow.received_at < end)
    if after is not None:
        moment, uuid = after
        query = query.where(
            or_(
                DossierRow.received_at > moment,
                and_(DossierRow.received_at == moment, DossierRow.uuid > uuid),
            )
        )
    query = query.order_by(DossierRow.received_at, DossierRow.uuid).limit(limit)
    return [
        BookLine(
            uuid=r[0],
            book_index=int(r[1] or 0),
            code=str(r[2] or ""),
            procedure_name=r[3],
            applicant_name=r[4],
            applicant_address=r[5] or "",
            applicant_phone=r[6] or "",
            deciding_agency=r[7] or "",
            field=r[8] or "",
            received_at=r[9],
            due_at=r[10],
            returned_at=r[11],
            result_delivery=r[12] or "",
        )
        for r in session.execute(query)
    ]
