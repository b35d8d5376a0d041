"""Recording a dossier's events: finding the dossier, the agency's numbering, and the event written with the state."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from counter_app.domain.codes import Numbering
from counter_app.domain.dossier import DossierState, apply_event
from counter_app.domain.event_kinds import EventKind
from counter_app.errors import NotFoundError, RuleError
from counter_app.identities import new_uuid
from counter_app.services.common.context import ServiceContext
from counter_app.storage.unit_of_work import UnitOfWork


def find_dossier(uow: UnitOfWork, key: str) -> DossierState:
    """A dossier (or slip) by its code, slip number or UUID, in the caller's transaction; NotFoundError if none."""
    text = key.strip()
    state = uow.dossiers.by_code(text.upper()) or uow.dossiers.by_slip(text.upper()) or uow.dossiers.get(text)
    if state is None:
        raise NotFoundError(f"Không tìm thấy hồ sơ “{key}”.")
    return state


def numbering_of(uow: UnitOfWork, agency_code: str) -> Numbering:
    """The widths of the agency's codes and numbers, fixed when it was set up."""
    agency = uow.agencies.get(agency_code)
    if agency is None:
        raise RuleError("Quầy chưa được thiết lập cơ quan. Chạy “counter-app init” hoặc mở màn hình thiết lập.")
    return Numbering(agency.counter_digits, agency.number_digits)


def record_event(
    uow: UnitOfWork,
    context: ServiceContext,
    state: DossierState | None,
    kind: EventKind,
    payload: dict[str, Any],
    at: datetime,
    dossier_uuid: str,
) -> DossierState:
    """Apply one event to a dossier and write both in the caller's transaction (the outbox is the event log)."""
    new_state = apply_event(state, kind, payload, at)
    settings = context.settings()
    uow.events.append(
        uuid=str(new_uuid()),
        kind=kind,
        dossier_uuid=dossier_uuid,
        payload=payload,
        occurred_at=at,
        agency_code=settings.agency_code,
        counter=settings.counter,
        clerk=context.clerk,
    )
    if state is None:
        uow.dossiers.insert_many([new_state])  # a new dossier: nothing to look up or compare
    else:
        uow.dossiers.save(new_state)
    return new_state
