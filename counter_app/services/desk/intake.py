"""Intake at the counter: the three outcomes (accept, ask for a supplement, refuse), each one durable event."""

from __future__ import annotations

import unicodedata
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from counter_app.domain.codes import issue_document_number, issue_dossier_code
from counter_app.domain.document_kinds import SYMBOLS, DocumentKind
from counter_app.domain.dossier import (
    BACK_ENTRY_FIELD,
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
from counter_app.domain.printed_text import REASON_MAX, printed_text
from counter_app.domain.roles import Permission
from counter_app.domain.status import Stage
from counter_app.domain.status_link import DESK_PHONE_FIELD, STATUS_KEY_FIELD
from counter_app.errors import FormInvalid, NotFoundError, RuleError, ValidationError
from counter_app.identities import new_status_key, new_uuid
from counter_app.services.catalogue.procedure_records import procedure_view
from counter_app.services.catalogue.working_calendar import CalendarService
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.event_writer import find_dossier, numbering_of, record_event
from counter_app.services.common.views import IntakeResult, ProcedureView
from counter_app.services.desk.slip_completion import (
    FROM_SLIP_FIELD,
    SupplementIntakeView,
    require_open_slip,
    supplement_intake_view,
)
from counter_app.storage.unit_of_work import UnitOfWork

# the empty procedure picker offers this many of the counter's recent procedures, found among the database's
# last receptions (a bounded read, whatever the size of the table)
RECENT_PROCEDURES = 5
RECENT_SCAN = 2_000
# how far ahead of the clock a typed received time may be: the clerk types the minute, the clock runs on
RECEIVED_TOLERANCE = timedelta(minutes=5)
# How far behind the clock a received time may be typed by any clerk. The citizen in front of the desk was
# received minutes ago (a queue, a long form, a slow PC: well under half an hour); a time older than that is a
# dossier taken on paper earlier (an outage, a power cut) and entered now, which the issue makes a supervisor's
# action with a reason. Shorter would send ordinary busy-hour intakes to the supervisor; longer would let a clerk
# move a legal deadline by most of a morning.
BACK_ENTRY_TOLERANCE = timedelta(minutes=30)


@dataclass(frozen=True)
class DraftIntake:
    """An intake checked and ready to record: the opening state, the moment it is recorded, and what the opening
    event records beside the state (a back-entry)."""

    state: DossierState
    now: datetime
    recorded: dict[str, Any] = field(default_factory=dict)


def clean_reason(text: str, fld: str, label: str) -> str:
    """A reason typed for the record: NFC, single-spaced, printable, within REASON_MAX; "" when blank."""
    if not text.strip():
        return ""
    try:
        return printed_text(text, fld, label, REASON_MAX)
    except ValidationError as exc:
        raise FormInvalid({fld: exc.message}) from None


class IntakeService:
    def __init__(self, context: ServiceContext, calendar: CalendarService) -> None:
        self.context = context
        self.calendar = calendar

    def _back_entry(self, form: IntakeForm, received: datetime, now: datetime) -> dict[str, Any]:
        """What the opening event records of a received time older than BACK_ENTRY_TOLERANCE ({} for a recent one):
        where accounts exist, a supervisor's action with a reason; without accounts, recorded as one all the same."""
        if now - received <= BACK_ENTRY_TOLERANCE:
            return {}
        minutes = int(BACK_ENTRY_TOLERANCE.total_seconds() // 60)
        accounts = self.context.accounts_exist()
        if accounts and not self.context.may(Permission.BACK_ENTRY):
            raise FormInvalid(
                {
                    "received": f"Thời điểm tiếp nhận {received:%d/%m/%Y %H:%M} sớm hơn bây giờ "
                    f"({now:%d/%m/%Y %H:%M}) quá {minutes} phút: nhập sau hồ sơ đã tiếp nhận trên giấy là việc của "
                    "lãnh đạo, giám sát, kèm lý do. Nếu công dân vừa nộp, hãy để thời điểm tiếp nhận là bây giờ."
                }
            )
        reason = clean_reason(form.back_entry_reason, "back_entry_reason", "Lý do nhập sau")
        if accounts and not reason:
            raise FormInvalid(
                {
                    "back_entry_reason": f"Thời điểm tiếp nhận {received:%d/%m/%Y %H:%M} sớm hơn bây giờ quá "
                    f"{minutes} phút: cần ghi lý do nhập sau (ví dụ: mất điện, máy hỏng, đã tiếp nhận trên giấy)."
                }
            )
        return {BACK_ENTRY_FIELD: {"reason": reason}}

    def draft(self, form: IntakeForm, outcome: str, *, back_entry_checked: bool = True) -> DraftIntake:
        """The intake checked: permission, procedure, received time, applicant. `back_entry_checked=False` leaves
        an old received time to the caller (a re-entry from Liên 1 has its own, stricter rule)."""
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
        recorded = self._back_entry(form, received, now) if back_entry_checked else {}
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
        return DraftIntake(state, now, recorded)

    def accept(self, form: IntakeForm) -> IntakeResult:
        """Take in a complete dossier: code, due date and the opening event, committed durably."""
        draft = self.draft_accepted(form)
        with self.context.uow(write=True) as uow:
            state = self._take_in(uow, draft.state, draft.now, draft.recorded)
            uow.commit()
        return IntakeResult(state.uuid, state.code, None, state.due_at, state.calendar_version, "accept")

    def draft_accepted(self, form: IntakeForm, *, back_entry_checked: bool = True) -> DraftIntake:
        """A complete dossier checked, with its appointment computed from its received time."""
        draft = self.draft(form, "accept", back_entry_checked=back_entry_checked)
        state = draft.state
        appointment = self.calendar.appointment(state.received_at, state.processing_days, state.same_day_cutoff)
        state = replace(
            state,
            due_at=appointment.due,
            calendar_version=appointment.calendar_version,
            calendar_estimated=appointment.estimated,
        )
        return replace(draft, state=state)

    def _take_in(self, uow: UnitOfWork, state: DossierState, now: datetime, extra: dict[str, Any]) -> DossierState:
        """The code and the book line issued and the opening event written, in the caller's transaction."""
        numbering = numbering_of(uow, state.agency_code)
        day = state.received_at.date()
        scope = dossier_scope(state.agency_code, state.counter, day)
        code = issue_dossier_code(state.agency_code, day, state.counter, uow.sequences.peek(scope), numbering)
        uow.sequences.next(scope)
        book = uow.sequences.next(book_scope(state.agency_code, state.counter, state.field, day.year))
        state = replace(state, code=str(code), book_index=book_index(state.counter, book))
        payload = self.accepted_payload(state) | extra
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
        draft = self.draft_accepted(form)
        state, now = draft.state, draft.now
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
            state = self._take_in(uow, state, now, draft.recorded | {FROM_SLIP_FIELD: slip_state.slip})
            completed = {"dossier_uuid": state.uuid, "code": state.code}
            record_event(uow, self.context, slip_state, EventKind.SLIP_COMPLETED, completed, now, slip_state.uuid)
            uow.commit()
        return IntakeResult(
            state.uuid, state.code, slip_state.slip, state.due_at, state.calendar_version, "complete", slip_state.uuid
        )

    def accepted_payload(self, state: DossierState) -> dict[str, Any]:
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
        draft = self.draft(form, "supplement")
        state = replace(draft.state, kind=KIND_SUPPLEMENT_SLIP, stage=SLIP_STAGE, status=SLIP_STATUS)
        draft = replace(draft, state=state)
        return self._record_slip(draft, SYMBOLS[DocumentKind.SUPPLEMENT], EventKind.SLIP_SUPPLEMENT, "supplement")

    def refuse(self, form: IntakeForm) -> IntakeResult:
        """Mẫu 03: outside scope or not eligible; the reason is written down."""
        draft = self.draft(form, "refuse")
        stage = Stage.REFUSED
        state = replace(
            draft.state, kind=KIND_REFUSAL_SLIP, stage=stage.value, status=int(stage.status), finished_at=draft.now
        )
        return self._record_slip(
            replace(draft, state=state), SYMBOLS[DocumentKind.REFUSAL], EventKind.SLIP_REFUSED, "refuse"
        )

    def _record_slip(self, draft: DraftIntake, symbol: str, kind: EventKind, outcome: str) -> IntakeResult:
        state, now = draft.state, draft.now
        with self.context.uow(write=True) as uow:
            numbering = numbering_of(uow, state.agency_code)
            year = state.received_at.year
            scope = document_scope(state.agency_code, state.counter, symbol, year)
            number = issue_document_number(year, state.counter, uow.sequences.peek(scope), symbol, numbering)
            uow.sequences.next(scope)
            state = replace(state, slip=number.slip_id())
            payload = opening_payload(state) | draft.recorded
            record_event(uow, self.context, None, kind, payload, now, state.uuid)
            uow.commit()
        return IntakeResult(state.uuid, None, state.slip, None, "", outcome)

    def list_recent_procedures(self, limit: int = RECENT_PROCEDURES) -> list[ProcedureView]:
        """The procedures this counter took in last (dossiers and slips), newest first, each once; those no
        longer in the catalogue or no longer applied are left out. What the empty procedure picker offers."""
        settings = self.context.settings()
        if not settings.is_configured:
            return []
        with self.context.uow() as uow:
            codes = uow.dossiers.recent_procedure_codes(
                settings.agency_code, settings.counter, limit=limit, scan=RECENT_SCAN
            )
            specs = uow.procedures.many(codes)
        return [procedure_view(specs[c]) for c in codes if c in specs and specs[c].active]

    def get_slip(self, slip: str) -> DossierState:
        with self.context.uow() as uow:
            state = uow.dossiers.by_slip(slip.strip().upper())
        if state is None:
            raise NotFoundError(f"Không tìm thấy phiếu số “{slip}”.")
        return state
