"""A Mẫu 02 slip completed at the counter: its intake as a pre-fill, and the checks before the dossier is taken in."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import date, datetime

from counter_app.domain.dossier import KIND_SUPPLEMENT_SLIP, SLIP_STAGE, DossierState
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.intake import IntakeForm
from counter_app.errors import RuleError
from counter_app.services.common.views import ProcedureView
from counter_app.storage.unit_of_work import UnitOfWork

# the key of the dossier's opening event naming the slip it completes (the state has no column for it)
FROM_SLIP_FIELD = "from_slip"


@dataclass(frozen=True)
class SlipPaperView:
    """One paper of the completed intake: handed in at the first visit, asked for by the slip, or neither."""

    name: str
    originals: int
    copies: int
    handed_in: bool
    asked: bool


@dataclass(frozen=True)
class SupplementIntakeView:
    """What the intake is pre-filled with when the applicant comes back with a Mẫu 02 slip."""

    slip: str
    uuid: str
    written_at: datetime
    procedure: ProcedureView
    form: IntakeForm  # the applicant and the reception choices as on the slip (no papers, no reason)
    papers: tuple[SlipPaperView, ...]
    asked: str  # what the slip asked for, as one line (the papers and the reason)


def require_open_slip(uow: UnitOfWork, state: DossierState, key: str) -> None:
    """RuleError unless `state` is a Mẫu 02 slip still waiting for the applicant (in the caller's transaction)."""
    if state.kind != KIND_SUPPLEMENT_SLIP:
        raise RuleError(f"“{key.strip()}” không phải phiếu yêu cầu bổ sung, hoàn thiện hồ sơ (Mẫu 02).")
    if state.stage != SLIP_STAGE:
        codes = [
            str(json.loads(e.payload).get("code", ""))
            for e in uow.events.for_dossier(state.uuid)
            if e.kind == EventKind.SLIP_COMPLETED
        ]
        made = f": hồ sơ {codes[-1]}" if codes and codes[-1] else ""
        raise RuleError(f"Phiếu yêu cầu bổ sung {state.slip} đã được tiếp nhận bổ sung{made}; không tiếp nhận lần nữa.")


def _vn_birth(iso: str | None) -> str:
    return date.fromisoformat(iso).strftime("%d/%m/%Y") if iso else ""


def supplement_intake_view(state: DossierState, procedure: ProcedureView) -> SupplementIntakeView:
    """The slip's intake: the procedure's papers in the catalogue's order, each marked as on the slip."""
    on_slip = {p.name: p for p in state.papers}
    papers = [
        SlipPaperView(
            p.name,
            on_slip[p.name].originals if p.name in on_slip else p.originals,
            on_slip[p.name].copies if p.name in on_slip else p.copies,
            handed_in=p.name in on_slip and not on_slip[p.name].missing,
            asked=p.name in on_slip and on_slip[p.name].missing,
        )
        for p in procedure.papers
    ]
    known = {p.name for p in procedure.papers}
    # what the slip holds beyond today's catalogue: a paper since removed, an item typed as missing
    papers += [
        SlipPaperView(p.name, p.originals, p.copies, handed_in=not p.missing, asked=p.missing)
        for p in state.papers
        if p.name not in known
    ]
    asked = [p.name for p in state.papers if p.missing]
    form = IntakeForm(
        procedure_code=state.procedure_code,
        name=state.applicant_name,
        identifier=state.applicant_identifier,
        applicant_kind=state.applicant_kind,
        birth_date=_vn_birth(state.applicant_birth_date),
        sex=state.applicant_sex or "",
        address=state.applicant_address,
        phone=state.applicant_phone,
        email=state.applicant_email,
        filer_name=state.filer_name,
        filer_identifier=state.filer_identifier,
        filer_phone=state.filer_phone,
        filer_authorisation=state.filer_authorisation,
        channel=state.channel,
        result_delivery=state.result_delivery,
        postal_address=state.postal_address,
        sets_count=state.sets_count,
    )
    return SupplementIntakeView(
        slip=state.slip or "",
        uuid=state.uuid,
        written_at=state.received_at,
        procedure=procedure,
        form=form,
        papers=tuple(papers),
        asked="; ".join([*asked, *([state.reason] if state.reason else [])]),
    )
