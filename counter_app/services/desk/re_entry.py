"""Re-entry from "Liên 1": a dossier a restore lost, entered again under its printed code and time by a supervisor.

After a restore from an older backup the numbering scopes skip past every number the lost file may have printed
(services.maintenance.restore_numbers), so the dossiers it held are left without a record while the desk keeps
their "Liên 1: Lưu" copies. Re-entering one records its opening event under the code and received time printed
on that copy: no number is issued (the code was issued before the restore, at or below the scope's last number,
and the sequences never move back), the re-entry and its reason are recorded in the event, and the supervisor who
enters it is the event's clerk. The due date is computed from the received time as for any intake. The receipt
number printed on the copy may be given too: the dossier's receipt is then printed again under that number (the
citizen's copy and the archive agree) instead of taking a new one.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import datetime

from counter_app.domain.clock import to_vn
from counter_app.domain.codes import DocumentNumber, DossierCode, parse_document_number
from counter_app.domain.document_kinds import SYMBOLS, DocumentKind
from counter_app.domain.dossier import RE_ENTRY_FIELD, RE_ENTRY_RECEIPT
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.intake import IntakeForm
from counter_app.domain.number_scopes import document_scope, dossier_scope
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

    def re_enter(
        self, form: IntakeForm, code: str, received_at: datetime, reason: str, receipt_number: str = ""
    ) -> IntakeResult:
        """Record the dossier printed under `code` at `received_at` (its Liên 1 copy), with why it is re-entered,
        and the receipt number printed on it if given ("" when the copy shows none or it is unreadable).

        Refused (PermissionDenied) unless a supervisor or an administrator is signed in where accounts exist;
        refused (FormInvalid, the field named) for a code of another counter or agency, of another day than the
        received time, never issued, or already present, for a received time in the future, without a reason, and
        for a receipt number not of this counter's receipts of that year, never issued, or already in use.
        """
        self.context.require(Permission.BACK_ENTRY)
        cleaned = clean_reason(reason, "reason", "Lý do nhập lại")
        if not cleaned:
            raise FormInvalid({"reason": "Cần ghi lý do nhập lại hồ sơ (ví dụ: mất dữ liệu sau khi phục hồi)."})
        now = self.context.clock.now()
        claim = self._claim(code, received_at, now)
        draft = self.intake.draft_accepted(replace(form, received_at=claim.received_at), back_entry_checked=False)
        state = replace(draft.state, code=str(claim.code), book_index=0)
        receipt = self._receipt(receipt_number, claim)
        with self.context.uow(write=True) as uow:
            self._check_unused(uow, claim)
            re_entry: dict[str, str] = {"reason": cleaned}
            if receipt is not None:
                self._check_receipt_unused(uow, receipt)
                re_entry[RE_ENTRY_RECEIPT] = receipt.display()
            payload = self.intake.accepted_payload(state) | {RE_ENTRY_FIELD: re_entry}
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

    def _receipt(self, text: str, claim: _Claim) -> DocumentNumber | None:
        """The printed receipt number read with this agency's numbering, of this counter and the received year."""
        if not text.strip():
            return None
        settings = self.context.settings()
        try:
            number = parse_document_number(text, claim.received_at.year, claim.code.numbering)
        except ValidationError as exc:
            raise FormInvalid({"receipt": exc.message}) from None
        symbol = SYMBOLS[DocumentKind.RECEIPT]
        if number.symbol != symbol or number.counter != settings.counter:
            raise FormInvalid(
                {
                    "receipt": f"Số {number.display()} không phải số giấy tiếp nhận do quầy này cấp (dạng "
                    f"{settings.counter}…/{symbol}); ghi đúng số in sau “Số:” trên liên lưu, hoặc để trống."
                }
            )
        return number

    def _check_receipt_unused(self, uow: UnitOfWork, number: DocumentNumber) -> None:
        """Issued before (at or below the year's last receipt number) and carried by no other document or claim."""
        settings = self.context.settings()
        shown = number.display()
        scope = document_scope(settings.agency_code, settings.counter, number.symbol, number.year)
        if number.number > uow.sequences.peek(scope):
            raise FormInvalid(
                {"receipt": f"Số giấy tiếp nhận {shown} chưa từng được cấp tại quầy này năm {number.year}."}
            )
        taken = uow.documents.number_used(settings.agency_code, number.year, DocumentKind.RECEIPT, shown)
        if taken or uow.events.re_entry_claims(RE_ENTRY_RECEIPT, shown):
            raise FormInvalid({"receipt": f"Số giấy tiếp nhận {shown} đã thuộc một hồ sơ khác của quầy."})

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
