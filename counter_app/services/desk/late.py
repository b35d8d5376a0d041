"""Late cases: which dossiers need an apology now, and the one re-appointment with its letter (Mẫu 04)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from counter_app.domain.clock import to_vn
from counter_app.domain.codes import issue_document_number
from counter_app.domain.dossier import encode_value
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.lateness import (
    LETTER_DELIVERIES,
    Lateness,
    check_new_appointment_day,
    earliest_new_appointment_day,
    lateness,
)
from counter_app.domain.number_scopes import document_scope
from counter_app.domain.printed_text import REASON_MAX, printed_text
from counter_app.domain.roles import Permission
from counter_app.domain.status import Status
from counter_app.errors import RuleError, ValidationError
from counter_app.services.catalogue.working_calendar import CalendarService
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.event_writer import numbering_of, record_event
from counter_app.services.desk.dossiers import DossierService

APOLOGY_SYMBOL = "PXL"
DELIVERY_LABELS = LETTER_DELIVERIES  # the dialog's choices and the reports' column: the letter's own words
OPEN_STATUSES = (int(Status.RECEIVED), int(Status.PROCESSING), int(Status.FINANCIAL_OBLIGATION))
# The due-soon window starts at most this long before the appointment (the longest run of days off is Tết).
_HORIZON = timedelta(days=21)


@dataclass(frozen=True)
class LateView:
    code: str
    uuid: str
    applicant_name: str
    procedure_name: str
    deciding_agency: str
    due: datetime
    original_due: datetime | None
    state: Lateness
    apology: bool  # an apology letter (with the one re-appointment) was issued
    supervisor_flag: str


@dataclass(frozen=True)
class ApologyResult:
    code: str
    letter_number: str
    new_due: datetime
    previous_due: datetime


class LateService:
    def __init__(self, context: ServiceContext, calendar: CalendarService, dossiers: DossierService) -> None:
        self.context = context
        self.calendar = calendar
        self.dossiers = dossiers

    def list_late(self, now: datetime | None = None) -> list[LateView]:
        """Due-soon and overdue open dossiers; overdue without apology first, then by appointment."""
        moment = now or self.context.clock.now()
        calendar = self.calendar.working_calendar()
        hours = self.context.settings().hours
        with self.context.uow() as uow:
            candidates = uow.dossiers.open_due_before(OPEN_STATUSES, moment + _HORIZON)
        result = []
        for s in candidates:
            assert s.due_at is not None
            state = lateness(s.status, s.due_at, moment, calendar, hours)
            if state in (Lateness.DUE_SOON, Lateness.OVERDUE):
                result.append(
                    LateView(
                        code=s.code or s.uuid,
                        uuid=s.uuid,
                        applicant_name=s.applicant_name,
                        procedure_name=s.procedure_name,
                        deciding_agency=s.deciding_agency,
                        due=s.due_at,
                        original_due=s.original_due_at,
                        state=state,
                        apology=s.reappointed,
                        supervisor_flag=s.supervisor_flag,
                    )
                )
        result.sort(key=lambda v: (v.apology, v.state != Lateness.OVERDUE, v.due))
        return result

    def suggest_new_date(self, code: str) -> date:
        """The earliest date the letter may give: a working day after today and after the current appointment.

        An overdue dossier's next working day after its appointment may already be past; that is never offered.
        """
        state = self.dossiers.get_state(code)
        now = self.context.clock.now()
        return earliest_new_appointment_day(state.due_at or now, to_vn(now).date(), self.calendar.working_calendar())

    def reappoint(self, code: str, *, reason: str, new_date: date, delivered: str = "in_person") -> ApologyResult:
        """Record the apology and the one new appointment allowed by law; a second one is refused and flagged."""
        self.context.require(Permission.REAPPOINT)
        cleaned = printed_text(reason, "reason", "Lý do", REASON_MAX)  # printed on Mẫu 04
        if not cleaned:
            raise ValidationError("reason", "Cần ghi lý do chậm trả kết quả do cơ quan giải quyết nêu.")
        if delivered not in DELIVERY_LABELS:
            raise ValidationError(
                "delivered", f"Cách gửi phiếu phải là một trong: {', '.join(DELIVERY_LABELS.values())}."
            )
        state = self.dossiers.get_state(code)
        if state.reappointed:
            self.dossiers.flag_for_supervisor(code, "Đề nghị hẹn lại lần thứ hai đã bị từ chối.")
            raise RuleError(
                "Hồ sơ này đã được xin lỗi và hẹn lại một lần; pháp luật chỉ cho phép hẹn lại một lần. "
                "Hồ sơ đã được báo lãnh đạo xem xét."
            )
        if not Status(state.status).is_open or state.due_at is None:
            raise RuleError(
                f"Hồ sơ đang ở trạng thái “{Status(state.status).label}”, không phải hồ sơ đang giải quyết; "
                "không thể hẹn lại."
            )
        settings = self.context.settings()
        now = self.context.clock.now()
        new_due = check_new_appointment_day(
            new_date, state.due_at, self.calendar.working_calendar(), settings.hours, today=to_vn(now).date()
        )
        with self.context.uow(write=True) as uow:
            numbering = numbering_of(uow, settings.agency_code)
            scope = document_scope(settings.agency_code, settings.counter, APOLOGY_SYMBOL, now.year)
            number = issue_document_number(
                now.year, settings.counter, uow.sequences.peek(scope), APOLOGY_SYMBOL, numbering
            )
            uow.sequences.next(scope)
            current = uow.dossiers.get(state.uuid)
            payload = {
                "reason": cleaned,
                "new_due_at": encode_value(new_due),
                "previous_due_at": encode_value(state.due_at),
                "delivered": delivered,
                "letter_number": number.display(),
            }
            record_event(uow, self.context, current, EventKind.REAPPOINTED, payload, now, state.uuid)
            uow.commit()
        return ApologyResult(state.code or state.uuid, number.display(), new_due, state.due_at)
