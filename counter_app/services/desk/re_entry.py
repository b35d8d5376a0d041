"""Re-entry from "Liên 1": a dossier a restore lost, entered again under its printed code and time by a supervisor.

After a restore from an older backup the numbering scopes skip past every number the lost file may have printed
(services.maintenance.restore_numbers), so the dossiers it held are left without a record while the desk keeps
their "Liên 1: Lưu" copies. Re-entering one records its opening event under the code and received time printed
on that copy: no number is issued (the code was issued before the restore, at or below the scope's last number,
and the sequences never move back), the re-entry and its reason are recorded in the event, and the supervisor who
enters it is the event's clerk. The due date is computed from the received time as for any intake.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from counter_app.domain.clock import to_vn
from counter_app.domain.codes import DossierCode
from counter_app.domain.dossier import RE_ENTRY_FIELD
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.intake import IntakeForm
from counter_app.domain.number_scopes import dossier_scope
from counter_app.domain.roles import Permission
from counter_app.errors import FormInvalid, ValidationError
from counter_app.services.common.event_writer import numbering_of, record_event
from counter_app.services.common.views import IntakeResult
from counter_app.services.desk.intake import RECEIVED_TOLERANCE, IntakeService, clean_reason
from counter_app.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class _Claim:
    """The printed code and time, checked against this counter's numbering."""

    code: DossierCode
    received_at: datetime


class ReEntryService:
    def __init__(self, intake: IntakeService) -> None:
        self.intake = intake
        self.context = intake.context

    def re_enter(self, form: IntakeForm, code: str, received_at: datetime, reason: str) -> IntakeResult:
        """Record the dossier printed under `code` at `received_at` (its Liên 1 copy), with why it is re-entered.

        Refused (PermissionDenied) unless a supervisor or an administrator is signed in where accounts exist;
        refused (FormInvalid, the field named) for a code of another counter or agency, of another day than the
        received time, never issued, or already present, for a received time in the future, and without a reason.
        """
        self.context.require(Permission.BACK_ENTRY)
        cleaned = clean_reason(reason, "reason", "Lý do nhập lại")
        if not cleaned:
            raise FormInvalid({"reason": "Cần ghi lý do nhập lại hồ sơ (ví dụ: mất dữ liệu sau khi phục hồi)."})
        now = self.context.clock.now()
        claim = self._claim(code, received_at, now)
        draft = self.intake.draft_accepted(replace(form, received_at=claim.received_at), back_entry_checked=False)
        state = replace(draft.state, code=str(claim.code), book_index=0)
        with self.context.uow(write=True) as uow:
            self._check_unused(uow, claim)
            payload = self.intake.accepted_payload(state) | {RE_ENTRY_FIELD: {"reason": cleaned}}
            state = record_event(uow, self.context, None, EventKind.DOSSIER_ACCEPTED, payload, draft.now, state.uuid)
            uow.commit()
        return IntakeResult(state.uuid, state.code, None, state.due_at, state.calendar_version, "re_enter")

    def _claim(self, code: str, received_at: datetime, now: datetime) -> _Claim:
        """The code read with this agency's numbering and matched to this counter and to the received day."""
        settings = self.context.settings()
        with self.context.uow() as uow:
            numbering = numbering_of(uow, settings.agency_code)
        try:
            parsed = DossierCode.parse(code, numbering)
        except ValidationError as exc:
            raise FormInvalid({"code": exc.message}) from None
        shown = str(parsed)
        if parsed.agency_code != settings.agency_code or parsed.counter != settings.counter:
            raise FormInvalid(
                {
                    "code": f"Mã hồ sơ {shown} không phải mã do quầy này cấp (quầy {settings.counter} của cơ quan "
                    f"{settings.agency_code}); chỉ nhập lại được hồ sơ của chính quầy này."
                }
            )
        received = to_vn(received_at)
        if received > now + RECEIVED_TOLERANCE:
            raise FormInvalid(
                {
                    "received": f"Thời điểm tiếp nhận {received:%d/%m/%Y %H:%M} ở tương lai (bây giờ là "
                    f"{to_vn(now):%d/%m/%Y %H:%M}); ghi đúng thời điểm in trên liên lưu."
                }
            )
        if received.date() != parsed.day:
            raise FormInvalid(
                {
                    "received": f"Thời điểm tiếp nhận {received:%d/%m/%Y %H:%M} không cùng ngày với mã hồ sơ {shown} "
                    f"(ngày {parsed.day:%d/%m/%Y}); ghi đúng thời điểm in trên liên lưu."
                }
            )
        return _Claim(parsed, received)

    def _check_unused(self, uow: UnitOfWork, claim: _Claim) -> None:
        """Not present here, and issued before (at or below the scope's last number): a code the restore skipped
        past, never a number the counter has yet to give."""
        shown = str(claim.code)
        if uow.dossiers.by_code(shown) is not None:
            raise FormInvalid({"code": f"Hồ sơ {shown} đã có trong dữ liệu của quầy; không nhập lại."})
        scope = dossier_scope(claim.code.agency_code, claim.code.counter, claim.code.day)
        if claim.code.number > uow.sequences.peek(scope):
            raise FormInvalid(
                {
                    "code": f"Mã hồ sơ {shown} chưa từng được cấp tại quầy này; chỉ nhập lại được hồ sơ đã in liên "
                    "lưu. Hồ sơ mới tiếp nhận theo cách thông thường để được cấp mã mới."
                }
            )
