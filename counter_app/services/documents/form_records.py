"""What each printed form is given: a dossier's state and history turned into the printing layer's records."""

from __future__ import annotations

import json
from dataclasses import replace
from datetime import datetime
from typing import Any

from counter_app.domain.citizen import fold
from counter_app.domain.clock import to_vn
from counter_app.domain.document_kinds import DocumentKind
from counter_app.domain.dossier import RE_ENTRY_FIELD, DossierState
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.lateness import letter_delivery_label, timeliness
from counter_app.domain.status_link import STATUS_KEY_FIELD, status_link
from counter_app.printing.data import (
    ApologyData,
    Applicant,
    ControlSlipData,
    Document,
    FeeItem,
    FeeReceiptData,
    Filer,
    HandOver,
    OfficeHeader,
    PageSize,
    Paper,
    ReceiptData,
    RefusalData,
    SupplementData,
    WithdrawalData,
)
from counter_app.services.common.settings import Settings
from counter_app.services.installation.setup import DEMO_AGENCY_CODE
from counter_app.storage.repositories.events import StoredEvent

DESK = "Bộ phận Một cửa"
DEMO_CODE_PREFIX = "DEMO."  # the demo catalogue's invented procedure codes (resources/catalogue/demo.json)


def printed_procedure_code(code: str, settings: Settings) -> str:
    """The mã TTHC an official form prints: an invented demo code only in the demo profile, else nothing."""
    if code.upper().startswith(DEMO_CODE_PREFIX) and settings.agency_code != DEMO_AGENCY_CODE:
        return ""
    return code


def _events(events: list[StoredEvent], kind: str) -> list[tuple[datetime, dict[str, Any]]]:
    return [(e.occurred_at, json.loads(e.payload)) for e in events if e.kind == kind]


def _delivery(state: DossierState) -> str:
    if state.result_delivery == "post":
        return f"Qua dịch vụ bưu chính công ích: {state.postal_address or state.applicant_address}"
    return DESK


def _expanded(name: str) -> str:
    return " ".join(name.split()).replace("UBND ", "Ủy ban nhân dân ")


def deciding_agency_header(deciding: str, unit: str, parent: str, place: str) -> OfficeHeader:
    """The header of a letter the deciding agency signs (Mẫu 04): that agency, not the desk that received.

    A catalogue names the deciding agency generically ("Ủy ban nhân dân phường"); when that is the desk's own
    parent authority ("UBND phường Sài Gòn"), the letter carries the authority's full name. The desk's unit
    heads the letter only when it decides itself.
    """
    name = " ".join(deciding.split())
    if not name or fold(name) == fold(unit):
        return OfficeHeader(parent_authority=parent or unit, unit_name=unit, place=place)
    if parent and fold(_expanded(parent)).startswith(fold(_expanded(name))):
        name = _expanded(parent)
    return OfficeHeader(parent_authority="", unit_name=name, place=place)


def _qr_text(state: DossierState, settings: Settings, events: list[StoredEvent]) -> str:
    """The city's status page of this dossier (learnt at a sync through the service), else the bare code."""
    code = state.code or state.slip or state.uuid
    opened = _events(events, EventKind.DOSSIER_ACCEPTED)
    key = str(opened[0][1].get(STATUS_KEY_FIELD, "")) if opened else ""
    return status_link(settings.status_url_template, code, key)


# The act each form certifies: the officer it names is whoever recorded that act, so a reprint (by anyone, any
# day) names the person who received, refused or took the request, as the original did. A fee receipt is not
# in the table: it is dated when it is printed (collected_at) and names the person collecting then.
CERTIFIED_ACTS: dict[str, tuple[str, ...]] = {
    DocumentKind.RECEIPT: (EventKind.DOSSIER_ACCEPTED,),
    DocumentKind.SUPPLEMENT: (EventKind.SLIP_SUPPLEMENT, EventKind.SUPPLEMENT_REQUESTED),
    DocumentKind.REFUSAL: (EventKind.SLIP_REFUSED,),
    DocumentKind.WITHDRAWAL: (EventKind.WITHDRAWN, EventKind.STOPPED),
}


def certifying_clerk(kind: str, events: list[StoredEvent]) -> str:
    """The account (or, without accounts, the clerk's name) that recorded the act the form certifies; ""."""
    acts = CERTIFIED_ACTS.get(kind, ())
    return next((e.clerk for e in reversed(events) if e.kind in acts and e.clerk), "")


def build_document(
    kind: str,
    state: DossierState,
    events: list[StoredEvent],
    settings: Settings,
    agency: tuple[str, str],
    number: str,
    now: datetime,
    reprint: bool,
    reprint_number: int = 0,
    *,
    officer: str = "",
) -> Document:
    """The printing layer's record of a form; `officer`: the full name printed as the receiving officer."""
    agency_name, parent = agency
    header = OfficeHeader(
        parent_authority=parent or agency_name, unit_name=agency_name, place=settings.place, drill=settings.drill
    )
    page = PageSize(settings.page_size)
    common: dict[str, Any] = {
        "header": header,
        "rule_set": state.rule_set,
        "number": number,
        "issued_at": now,
        "reprint": reprint,
        "reprint_number": reprint_number,
        "page_size": page,
    }
    person = Applicant(
        name=state.applicant_name,
        identifier=state.applicant_identifier,
        address=state.applicant_address,
        phone=state.applicant_phone,
        email=state.applicant_email,
    )
    applicant: dict[str, Any] = {
        "applicant": person,
        "procedure_name": state.procedure_name,
        "procedure_code": printed_procedure_code(state.procedure_code, settings),
    }
    code = state.code or ""
    if kind == DocumentKind.RECEIPT:
        assert state.due_at is not None
        filer = (
            Filer(
                name=state.filer_name,
                identifier=state.filer_identifier,
                phone=state.filer_phone,
                authorisation=state.filer_authorisation,
            )
            if state.filer_name
            else None
        )
        return ReceiptData(
            **common,
            **applicant,
            dossier_code=code,
            receiving_unit=agency_name,
            deciding_agency=state.deciding_agency,
            filer=filer,
            papers=tuple(Paper(p.name, p.originals, p.copies) for p in state.papers if not p.missing),
            sets_count=state.sets_count,
            processing_days=state.processing_days,
            received_at=state.received_at,
            due_at=state.original_due_at or state.due_at,
            result_delivery=_delivery(state),
            book_volume=str(state.book_volume),
            book_index=state.book_index or None,
            fee=state.fee,
            fee_paid=state.fee_paid,
            qr_text=_qr_text(state, settings, events),
            clerk_name=officer,
            re_entered_at=next(
                (at for at, payload in _events(events, EventKind.DOSSIER_ACCEPTED) if RE_ENTRY_FIELD in payload), None
            ),
        )
    if kind == DocumentKind.SUPPLEMENT:
        link = _qr_text(state, settings, events) if code else ""  # a slip made at the counter has no code yet
        return SupplementData(
            **common,
            slip_id=state.slip or "",
            dossier_code=code,
            qr_text=link if link != code else "",  # the status link only: the barcode already carries the code
            **applicant,
            received_at=state.received_at,
            missing_items=tuple(p.name for p in state.papers if p.missing),
            reason=state.reason or "Hồ sơ chưa đầy đủ thành phần theo quy định.",
            contact_name=officer,
            contact_phone=settings.contact_phone,
            guide_name=officer,
        )
    if kind == DocumentKind.REFUSAL:
        return RefusalData(
            **common,
            slip_id=state.slip or "",
            **applicant,
            receiving_unit=agency_name,
            dossier_code=code,
            reason=state.reason,
            clerk_name=officer,
        )
    if kind == DocumentKind.WITHDRAWAL:
        stops = _events(events, EventKind.WITHDRAWN) + _events(events, EventKind.STOPPED)
        withdrawn = sorted(stops, key=lambda e: e[0])
        at, payload = withdrawn[-1] if withdrawn else (now, {"reason": state.reason})
        return WithdrawalData(
            **common,
            **applicant,
            dossier_code=code,
            requested_at=at,
            reason=str(payload.get("reason", "")),
            clerk_name=officer,
        )
    if kind == DocumentKind.APOLOGY:
        assert state.due_at is not None
        at, payload = _events(events, EventKind.REAPPOINTED)[-1]
        letter_head = replace(
            deciding_agency_header(state.deciding_agency, agency_name, parent, settings.place), drill=settings.drill
        )
        return ApologyData(
            **(common | {"header": letter_head}),
            addressee=state.applicant_name,
            agency_name=letter_head.unit_name,
            received_at=state.received_at,
            procedure_name=state.procedure_name,
            procedure_code=applicant["procedure_code"],
            applicant=person,
            dossier_code=code,
            original_due_at=to_vn(datetime.fromisoformat(payload["previous_due_at"])),
            reason=str(payload["reason"]),
            new_due_at=state.due_at,
            head_name=settings.head_name,
            head_title=settings.head_title,
            delivered_via=letter_delivery_label(str(payload.get("delivered", ""))),
        )
    if kind == DocumentKind.CONTROL:
        assert state.due_at is not None
        return ControlSlipData(
            **common,
            dossier_code=code,
            applicant_name=state.applicant_name,
            procedure_name=state.procedure_name,
            deciding_agency=state.deciding_agency,
            received_at=state.received_at,
            due_at=state.due_at,
            original_due_at=state.original_due_at,
            hand_overs=_hand_overs(state, events, agency_name),
        )
    if kind == DocumentKind.FEE_RECEIPT:
        return FeeReceiptData(
            **common,
            dossier_code=code,
            payer=person,
            procedure_name=state.procedure_name,
            items=(FeeItem(f"Phí, lệ phí: {state.procedure_name}", state.fee),),
            collected_at=now,
            clerk_name=officer,
        )
    raise ValueError(kind)


def _hand_overs(state: DossierState, events: list[StoredEvent], desk: str) -> tuple[HandOver, ...]:
    """Mẫu 06 rows: the desk hands the dossier to the deciding agency; the result comes back to the desk."""
    rows = []
    for e in events:
        if e.kind == EventKind.TRANSFERRED:
            payload = json.loads(e.payload)
            rows.append(
                HandOver(giver=desk, receiver=str(payload.get("to") or state.deciding_agency), at=e.occurred_at)
            )
        elif e.kind == EventKind.RESULT_READY and state.due_at is not None:
            result = timeliness(e.occurred_at, state.due_at).label.lower()
            rows.append(HandOver(giver=state.deciding_agency, receiver=desk, at=e.occurred_at, result=result))
        elif e.kind == EventKind.REAPPOINTED:
            payload = json.loads(e.payload)
            new_due = to_vn(datetime.fromisoformat(payload["new_due_at"]))
            rows.append(
                HandOver(
                    giver=state.deciding_agency,
                    receiver=desk,
                    at=e.occurred_at,
                    note=f"Hẹn lại ngày trả kết quả: {new_due:%d/%m/%Y}",
                )
            )
    return tuple(rows)
