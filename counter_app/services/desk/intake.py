"""Intake at the counter: the three outcomes (accept, ask for a supplement, refuse), each one durable event."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, replace
from datetime import datetime, timedelta
from typing import Any

from counter_app.domain.codes import issue_document_number, issue_dossier_code
from counter_app.domain.document_kinds import SYMBOLS, DocumentKind
from counter_app.domain.dossier import (
    KIND_DOSSIER,
    KIND_REFUSAL_SLIP,
    KIND_SUPPLEMENT_SLIP,
    SLIP_STAGE,
    SLIP_STATUS,
    DossierState,
    PaperEntry,
    opening_payload,
)
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.intake import IntakeForm, validate_applicant
from counter_app.domain.number_scopes import book_index, book_scope, document_scope, dossier_scope
from counter_app.domain.roles import Permission
from counter_app.domain.status import Stage
from counter_app.domain.status_link import DESK_PHONE_FIELD, STATUS_KEY_FIELD
from counter_app.errors import FormInvalid, NotFoundError, RuleError
from counter_app.identities import new_status_key, new_uuid
from counter_app.services.catalogue.procedure_records import procedure_view
from counter_app.services.catalogue.working_calendar import CalendarService
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.event_writer import find_dossier, numbering_of, record_event
from counter_app.services.common.views import IntakeResult
from counter_app.services.desk.slip_completion import (
    FROM_SLIP_FIELD,
    SupplementIntakeView,
    require_open_slip,
    supplement_intake_view,
)
from counter_app.storage.unit_of_work import UnitOfWork

# how far ahead of the clock a typed received time may be: the clerk types the minute, the clock runs on
RECEIVED_TOLERANCE = timedelta(minutes=5)


class IntakeService:
    def __init__(self, context: ServiceContext, calendar: CalendarService) -> None:
        self.context = context
        self.calendar = calendar

    def _base_state(self, form: IntakeForm, outcome: str) -> tuple[DossierState, datetime]:
        self.context.require(Permission.INTAKE)
        settings = self.context.settings()
        if not settings.is_configured:
            raise RuleError("Quầy chưa được thiết lập. Chạy “counter-app init” hoặc mở màn hình thiết lập.")
        with self.context.uow() as uow:
            procedure = uow.procedures.get(form.procedure_code.strip())
            if procedure is None:
                raise FormInvalid({"procedure": f"Không có thủ tục mã “{form.procedure_code}” trong danh mục."})
            if not procedure.active:
                raise FormInvalid({"procedure": f"Thủ tục mã “{procedure.code}” đã ngừng áp dụng, không tiếp nhận."})
            proc = procedure_view(procedure)
        papers = form.papers
        if papers is None:
            papers = tuple(PaperEntry(p.name, p.originals, p.copies) for p in proc.papers)
        now = self.context.clock.now()
        received = form.received_at or now
        if received > now + RECEIVED_TOLERANCE:
            raise FormInvalid(
                {
                    "received": f"Thời điểm tiếp nhận {received:%d/%m/%Y %H:%M} ở tương lai (bây giờ là "
                    f"{now:%d/%m/%Y %H:%M}); chỉ ghi được thời điểm đã xảy ra."
                }
            )
        applicant = validate_applicant(form, received.date())
        if outcome == "supplement":
            missing = tuple(" ".join(unicodedata.normalize("NFC", m).split()) for m in form.missing if m.strip())
            if not missing and not form.reason.strip():
                raise FormInvalid({"missing": "Cần ghi giấy tờ còn thiếu hoặc nội dung cần bổ sung."})
            papers = tuple(p for p in papers if p.name not in missing) + tuple(
                PaperEntry(m, 0, 0, missing=True) for m in missing
            )
        if outcome == "refuse" and not form.reason.strip():
            raise FormInvalid({"reason": "Cần ghi lý do từ chối tiếp nhận."})
        values = {k: v for k, v in asdict(applicant).items() if k != "extra"}
        state = DossierState(
            uuid=str(new_uuid()),
            kind=KIND_DOSSIER,
            agency_code=settings.agency_code,
            counter=settings.counter,
            procedure_code=proc.code,
            procedure_name=proc.name,
            received_at=received,
            stage=Stage.RECEIVED.value,
            status=int(Stage.RECEIVED.status),
            rule_set=settings.rule_set,
            field=proc.field,
            deciding_agency=proc.deciding_agency,
            channel=form.channel,
            result_delivery=form.result_delivery,
            postal_address=" ".join(form.postal_address.split()),
            sets_count=form.sets_count,
            fee=proc.fee,
            fee_paid=form.fee_paid,
            processing_days=proc.days,
            same_day_cutoff=proc.same_day_cutoff,
            supplement_rule=proc.supplement_rule,
            reason=" ".join(unicodedata.normalize("NFC", form.reason).split()),
            book_volume=settings.book_volume,
            papers=papers,
            **values,
        )
        return state, now

    def accept(self, form: IntakeForm) -> IntakeResult:
        """Take in a complete dossier: code, due date and the opening event, committed durably."""
        state, now = self._appointed(form)
        with self.context.uow(write=True) as uow:
            state = self._take_in(uow, state, now, {})
            uow.commit()
        return IntakeResult(state.uuid, state.code, None, state.due_at, state.calendar_version, "accept")

    def _appointed(self, form: IntakeForm) -> tuple[DossierState, datetime]:
        state, now = self._base_state(form, "accept")
        appointment = self.calendar.appointment(state.received_at, state.processing_days, state.same_day_cutoff)
        state = replace(
            state,
            due_at=appointment.due,
            calendar_version=appointment.calendar_version,
            calendar_estimated=appointment.estimated,
        )
        return state, now

    def _take_in(self, uow: UnitOfWork, state: DossierState, now: datetime, extra: dict[str, Any]) -> DossierState:
        """The code and the book line issued and the opening event written, in the caller's transaction."""
        numbering = numbering_of(uow, state.agency_code)
        day = state.received_at.date()
        scope = dossier_scope(state.agency_code, state.counter, day)
        code = issue_dossier_code(state.agency_code, day, state.counter, uow.sequences.peek(scope), numbering)
        uow.sequences.next(scope)
        book = uow.sequences.next(book_scope(state.agency_code, state.counter, state.field, day.year))
        state = replace(state, code=str(code), book_index=book_index(state.counter, book))
        payload = self._accepted_payload(state) | extra
        record_event(uow, self.context, None, EventKind.DOSSIER_ACCEPTED, payload, now, state.uuid)
        return state

    def get_supplement_intake(self, slip: str) -> SupplementIntakeView:
        """The applicant came back with a Mẫu 02 slip: the intake to complete, pre-filled from the slip."""
        self.context.require(Permission.INTAKE)
        with self.context.uow() as uow:
            state = find_dossier(uow, slip)
            require_open_slip(uow, state, slip)
            procedure = uow.procedures.get(state.procedure_code)
            if procedure is None:
                raise RuleError(f"Thủ tục mã “{state.procedure_code}” của phiếu không còn trong danh mục.")
            return supplement_intake_view(state, procedure_view(procedure))

    def accept_supplement(self, slip: str, form: IntakeForm) -> IntakeResult:
        """The slip's dossier taken in, complete now: its own code and appointment; the slip closed in the same
        transaction, so it can be completed only once."""
        state, now = self._appointed(form)
        with self.context.uow(write=True) as uow:
            slip_state = find_dossier(uow, slip)
            require_open_slip(uow, slip_state, slip)
            if state.procedure_code != slip_state.procedure_code:
                raise FormInvalid(
                    {
                        "procedure": f"Phiếu {slip_state.slip} là của thủ tục “{slip_state.procedure_name}”; "
                        "hồ sơ bổ sung phải cùng thủ tục (thủ tục khác: tiếp nhận mới)."
                    }
                )
            state = self._take_in(uow, state, now, {FROM_SLIP_FIELD: slip_state.slip})
            completed = {"dossier_uuid": state.uuid, "code": state.code}
            record_event(uow, self.context, slip_state, EventKind.SLIP_COMPLETED, completed, now, slip_state.uuid)
            uow.commit()
        return IntakeResult(
            state.uuid, state.code, slip_state.slip, state.due_at, state.calendar_version, "complete", slip_state.uuid
        )

    def _accepted_payload(self, state: DossierState) -> dict[str, Any]:
        """The opening event: the state, the status page's key (the code alone must never open the citizen's
        page: codes are sequential) and the desk's phone the page shows; both travel with the events."""
        payload = opening_payload(state)
        payload[STATUS_KEY_FIELD] = new_status_key()
        phone = self.context.settings().contact_phone.strip()
        if phone:
            payload[DESK_PHONE_FIELD] = phone
        return payload

    def request_supplement(self, form: IntakeForm) -> IntakeResult:
        """Mẫu 02: the dossier is incomplete; a slip number, no dossier code."""
        state, now = self._base_state(form, "supplement")
        state = replace(state, kind=KIND_SUPPLEMENT_SLIP, stage=SLIP_STAGE, status=SLIP_STATUS)
        return self._record_slip(state, now, SYMBOLS[DocumentKind.SUPPLEMENT], EventKind.SLIP_SUPPLEMENT, "supplement")

    def refuse(self, form: IntakeForm) -> IntakeResult:
        """Mẫu 03: outside scope or not eligible; the reason is written down."""
        state, now = self._base_state(form, "refuse")
        stage = Stage.REFUSED
        state = replace(state, kind=KIND_REFUSAL_SLIP, stage=stage.value, status=int(stage.status), finished_at=now)
        return self._record_slip(state, now, SYMBOLS[DocumentKind.REFUSAL], EventKind.SLIP_REFUSED, "refuse")

    def _record_slip(
        self, state: DossierState, now: datetime, symbol: str, kind: EventKind, outcome: str
    ) -> IntakeResult:
        with self.context.uow(write=True) as uow:
            numbering = numbering_of(uow, state.agency_code)
            year = state.received_at.year
            scope = document_scope(state.agency_code, state.counter, symbol, year)
            number = issue_document_number(year, state.counter, uow.sequences.peek(scope), symbol, numbering)
            uow.sequences.next(scope)
            state = replace(state, slip=number.slip_id())
            record_event(uow, self.context, None, kind, opening_payload(state), now, state.uuid)
            uow.commit()
        return IntakeResult(state.uuid, None, state.slip, None, "", outcome)

    def get_slip(self, slip: str) -> DossierState:
        with self.context.uow() as uow:
            state = uow.dossiers.by_slip(slip.strip().upper())
        if state is None:
            raise NotFoundError(f"Không tìm thấy phiếu số “{slip}”.")
        return state
