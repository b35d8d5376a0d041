"""The dossier's life at the desk after intake: find, timeline, transfer, supplement, result, hand-over, mistakes."""

from __future__ import annotations

import json
from datetime import datetime
from typing import Any

from counter_app.domain.citizen import fold, mask_identifier, normalize_name, validate_personal_id
from counter_app.domain.clock import to_vn
from counter_app.domain.codes import looks_like_dossier_code
from counter_app.domain.deadlines import Appointment, extend_for_pause, restart_appointment
from counter_app.domain.dossier import (
    BACK_ENTRY_FIELD,
    CORRECTABLE_FIELDS,
    OPENING_KINDS,
    RE_ENTRY_FIELD,
    SLIP_STAGE_LABELS,
    DossierState,
    encode_value,
)
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.intake import DELIVERIES
from counter_app.domain.printed_text import REASON_MAX, printed_text
from counter_app.domain.roles import Permission
from counter_app.domain.status import Stage, Status
from counter_app.domain.status_link import code_in_scan
from counter_app.errors import FormInvalid, RuleError, ValidationError
from counter_app.services.catalogue.working_calendar import CalendarService, processing_time
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.event_writer import find_dossier, record_event
from counter_app.services.common.views import DossierView, EventView

EVENT_LABELS: dict[str, str] = {
    EventKind.DOSSIER_ACCEPTED: "Tiếp nhận hồ sơ",
    EventKind.SLIP_SUPPLEMENT: "Yêu cầu bổ sung, hoàn thiện hồ sơ tại quầy",
    EventKind.SLIP_REFUSED: "Từ chối tiếp nhận hồ sơ",
    EventKind.SLIP_COMPLETED: "Tiếp nhận bổ sung: đã lập hồ sơ",
    EventKind.TRANSFERRED: "Chuyển hồ sơ đến cơ quan giải quyết",
    EventKind.SUPPLEMENT_REQUESTED: "Cơ quan giải quyết yêu cầu bổ sung hồ sơ",
    EventKind.SUPPLEMENT_RECEIVED: "Nhận hồ sơ bổ sung của công dân",
    EventKind.PAYMENT_REQUESTED: "Yêu cầu thực hiện nghĩa vụ tài chính",
    EventKind.PAYMENT_RECEIVED: "Đã thực hiện nghĩa vụ tài chính",
    EventKind.RESULT_READY: "Kết quả đã về Bộ phận Một cửa",
    EventKind.HANDED_OVER: "Trả kết quả",
    EventKind.WITHDRAWN: "Công dân rút hồ sơ",
    EventKind.STOPPED: "Dừng xử lý",
    EventKind.VOIDED: "Hủy hồ sơ tiếp nhận nhầm",
    EventKind.CORRECTED: "Sửa thông tin tiếp nhận",
    EventKind.REAPPOINTED: "Xin lỗi và hẹn lại ngày trả kết quả",
    EventKind.FLAGGED: "Báo lãnh đạo xem xét",
    EventKind.DOCUMENT_PRINTED: "Lập giấy tờ",
    EventKind.DOCUMENT_SENT_TO_PRINTER: "In giấy tờ ra máy in",
    EventKind.ATTACHMENT_ADDED: "Số hóa giấy tờ",
    EventKind.ATTACHMENT_EXEMPTED: "Giấy tờ không số hóa",
}


def dossier_view(state: DossierState, *, masked: bool = False) -> DossierView:
    """The view of a dossier; `masked` for lists shown to roles that do not need identifiers in full."""
    stage = state.stage_enum
    return DossierView(
        uuid=state.uuid,
        kind=state.kind,
        code=state.code,
        slip=state.slip,
        procedure_code=state.procedure_code,
        procedure_name=state.procedure_name,
        applicant_name=state.applicant_name,
        applicant_identifier=mask_identifier(state.applicant_identifier) if masked else state.applicant_identifier,
        applicant_phone=state.applicant_phone,
        status=state.status,
        status_name=Status(state.status).label,
        stage=state.stage,
        stage_name=stage.label if stage else SLIP_STAGE_LABELS.get(state.stage, "Chờ bổ sung, hoàn thiện hồ sơ"),
        received_at=state.received_at,
        due_at=state.due_at,
        original_due_at=state.original_due_at,
        reappointed=state.reappointed,
        paused=state.paused_at is not None,
        deciding_agency=state.deciding_agency,
        fee=state.fee,
        fee_paid=state.fee_paid,
    )


def _clean_reason(reason: str, field: str = "reason", *, printed: bool = False) -> str:
    """A reason, single-spaced; a `printed` one (Mẫu 02, Mẫu 05) also within the forms' limit and characters."""
    if printed:
        cleaned = printed_text(reason, field, "Lý do", REASON_MAX)
    else:
        cleaned = " ".join(reason.split())
        if len(cleaned) > 2000:
            raise ValidationError(field, "Lý do quá dài (tối đa 2000 ký tự).")
    if not cleaned:
        raise ValidationError(field, "Cần ghi lý do.")
    return cleaned


class DossierService:
    def __init__(self, context: ServiceContext, calendar: CalendarService) -> None:
        self.context = context
        self.calendar = calendar

    # queries
    def get_state(self, code: str) -> DossierState:
        """By dossier code, slip number or UUID."""
        with self.context.uow() as uow:
            return find_dossier(uow, code)

    def get_dossier(self, code: str) -> DossierView:
        """The view of a dossier by code (a scanned barcode), slip number or UUID.

        A scanned code is one look-up of the unique index on code; the view shows no papers, so they are not
        loaded (the second query of `get_state`).
        """
        key = code_in_scan(code)  # a scanned receipt QR is a status link carrying the code
        with self.context.uow() as uow:
            state = uow.dossiers.by_code(key, papers=False)
        return dossier_view(state) if state is not None else dossier_view(self.get_state(code))

    def find(self, text: str, limit: int = 200) -> list[DossierView]:
        cleaned = text.strip()
        if not cleaned:
            return []
        folded = "" if looks_like_dossier_code(cleaned.upper()) else fold(cleaned)
        with self.context.uow() as uow:
            states = uow.dossiers.search(cleaned, folded=folded, limit=limit, papers=False)  # views show none
        masked = self.context.masks_lists()
        return [dossier_view(s, masked=masked) for s in states]

    def timeline(self, code: str) -> list[EventView]:
        state = self.get_state(code)
        with self.context.uow() as uow:
            rows = uow.events.for_dossier(state.uuid)
            return [
                EventView(
                    uuid=r.uuid,
                    kind=r.kind,
                    label=EVENT_LABELS.get(r.kind, r.kind),
                    occurred_at=r.occurred_at,
                    clerk=r.clerk,
                    counter=r.counter,
                    details=_event_details(r.kind, json.loads(r.payload)),
                )
                for r in rows
            ]

    # commands
    def _apply(
        self,
        code: str,
        kind: EventKind,
        payload: dict[str, Any],
        at: datetime | None = None,
        permission: Permission = Permission.DESK,
    ) -> DossierView:
        self.context.require(permission)
        now = at or self.context.clock.now()
        with self.context.uow(write=True) as uow:
            state = find_dossier(uow, code)
            new_state = record_event(uow, self.context, state, kind, payload, now, state.uuid)
            uow.commit()
        return dossier_view(new_state)

    def transfer(self, code: str, to_agency: str = "", note: str = "") -> DossierView:
        state = self.get_state(code)
        return self._apply(code, EventKind.TRANSFERRED, {"to": to_agency or state.deciding_agency, "note": note})

    def request_supplement(self, code: str, reason: str) -> DossierView:
        state = self.get_state(code)
        if state.stage == Stage.SUPPLEMENT_REQUESTED.value:
            raise RuleError("Hồ sơ đang chờ bổ sung; chỉ được yêu cầu bổ sung một lần.")
        with self.context.uow() as uow:
            earlier = [e for e in uow.events.for_dossier(state.uuid) if e.kind == EventKind.SUPPLEMENT_REQUESTED]
        payload: dict[str, Any] = {"reason": _clean_reason(reason, printed=True)}
        if earlier:
            # the law allows one supplement request; a second one makes the dossier count as late
            payload["second_request"] = True
        return self._apply(code, EventKind.SUPPLEMENT_REQUESTED, payload)

    def receive_supplement(self, code: str) -> DossierView:
        state = self.get_state(code)
        if state.paused_at is None or state.due_at is None:
            raise RuleError("Hồ sơ không ở trạng thái chờ bổ sung.")
        now = self.context.clock.now()
        calendar = self.calendar.working_calendar()
        hours = self.context.settings().hours
        appointment = Appointment(state.due_at, state.calendar_version, state.calendar_estimated)
        if state.supplement_rule == "restart":
            moved = restart_appointment(
                now,
                processing_time(state.processing_days, state.same_day_cutoff),
                calendar,
                hours,
                self.context.settings().mode,
            )
        else:
            moved = extend_for_pause(appointment, state.paused_at, now, calendar, hours)
        return self._apply(
            code,
            EventKind.SUPPLEMENT_RECEIVED,
            {"due_at": encode_value(moved.due), "rule": state.supplement_rule},
            now,
        )

    def request_payment(self, code: str, amount: int = 0) -> DossierView:
        return self._apply(code, EventKind.PAYMENT_REQUESTED, {"amount": amount})

    def receive_payment(self, code: str) -> DossierView:
        return self._apply(code, EventKind.PAYMENT_RECEIVED, {})

    def result_ready(self, code: str) -> DossierView:
        return self._apply(code, EventKind.RESULT_READY, {})

    def hand_over(
        self,
        code: str,
        *,
        to_name: str = "",
        to_identifier: str = "",
        fee_collected: bool = False,
        by_post: bool = False,
        waybill: str = "",
        rating: int | None = None,
        like: bool | None = None,
    ) -> DossierView:
        errors: dict[str, str] = {}
        payload: dict[str, Any] = {"by_post": by_post, "fee_collected": fee_collected}
        if to_name.strip() or to_identifier.strip():
            try:
                payload["to_name"] = normalize_name(to_name, "to_name")
            except ValidationError as exc:
                errors[exc.field] = exc.message
            try:
                payload["to_identifier"] = validate_personal_id(
                    to_identifier, today=self.context.clock.now().date(), field="to_identifier"
                )
            except ValidationError as exc:
                errors[exc.field] = exc.message
        if by_post:
            if not waybill.strip():
                errors["waybill"] = "Cần ghi số vận đơn bưu chính."
            payload["waybill"] = waybill.strip()
        if rating is not None:
            if not 1 <= rating <= 5:
                errors["rating"] = "Mức đánh giá phải từ 1 đến 5."
            payload["rating"] = rating
        if like is not None:
            payload["like"] = like
        if errors:
            raise FormInvalid(errors)
        return self._apply(code, EventKind.HANDED_OVER, payload)

    def withdraw(self, code: str, reason: str) -> DossierView:
        return self._apply(code, EventKind.WITHDRAWN, {"reason": _clean_reason(reason, printed=True)})

    def void(self, code: str, reason: str) -> DossierView:
        return self._apply(code, EventKind.VOIDED, {"reason": _clean_reason(reason)}, permission=Permission.VOID)

    def flag_for_supervisor(self, code: str, reason: str) -> DossierView:
        return self._apply(code, EventKind.FLAGGED, {"reason": _clean_reason(reason)})

    def correct(self, code: str, changes: dict[str, Any], reason: str) -> DossierView:
        """Correct intake data: records each field's old and new value and why."""
        state = self.get_state(code)
        unknown = set(changes) - CORRECTABLE_FIELDS
        if unknown:
            raise ValidationError("field", f"Không được sửa trường: {', '.join(sorted(unknown))}.")
        if "applicant_name" in changes:
            changes["applicant_name"] = normalize_name(str(changes["applicant_name"]), "applicant_name")
        if "applicant_identifier" in changes and state.applicant_kind == "person":
            changes["applicant_identifier"] = validate_personal_id(
                str(changes["applicant_identifier"]),
                today=self.context.clock.now().date(),
                field="applicant_identifier",
            )
        if "result_delivery" in changes and changes["result_delivery"] not in DELIVERIES:
            raise ValidationError("result_delivery", "Hình thức nhận kết quả không hợp lệ.")
        diff = {
            k: [encode_value(getattr(state, k)), encode_value(v)] for k, v in changes.items() if getattr(state, k) != v
        }
        if not diff:
            raise ValidationError("field", "Không có thông tin nào thay đổi.")
        return self._apply(code, EventKind.CORRECTED, {"changes": diff, "reason": _clean_reason(reason)})


def _event_details(kind: str, payload: dict[str, Any]) -> str:
    if kind == EventKind.SLIP_COMPLETED:
        return f"Mã hồ sơ: {payload.get('code', '')}"
    for key, what in (
        (RE_ENTRY_FIELD, "Nhập lại từ liên lưu"),
        (BACK_ENTRY_FIELD, "Nhập sau hồ sơ tiếp nhận trên giấy"),
    ):
        if kind in OPENING_KINDS and isinstance(payload.get(key), dict):
            received = to_vn(datetime.fromisoformat(str(payload["received_at"])))
            return f"{what} (tiếp nhận lúc {received:%d/%m/%Y %H:%M}); lý do: {payload[key].get('reason') or '—'}"
    if kind == EventKind.DOSSIER_ACCEPTED and payload.get("from_slip"):
        return f"Bổ sung theo phiếu yêu cầu bổ sung số {payload['from_slip']}"
    if kind == EventKind.CORRECTED:
        return "; ".join(f"{k}: {v[0]} → {v[1]}" for k, v in payload.get("changes", {}).items()) + (
            f" (lý do: {payload.get('reason', '')})"
        )
    if kind == EventKind.REAPPOINTED:
        due = to_vn(datetime.fromisoformat(payload["new_due_at"]))
        return f"Hẹn lại: {due:%d/%m/%Y %H:%M}; lý do: {payload.get('reason', '')}"
    if kind == EventKind.HANDED_OVER:
        parts = []
        if payload.get("to_name"):
            parts.append(f"Người nhận: {payload['to_name']}")
        if payload.get("by_post"):
            parts.append(f"Gửi bưu chính, vận đơn {payload.get('waybill', '')}")
        if "rating" in payload:
            parts.append(f"Đánh giá: {payload['rating']}/5")
        return "; ".join(parts)
    if kind == EventKind.SUPPLEMENT_RECEIVED:
        due = to_vn(datetime.fromisoformat(payload["due_at"]))
        return f"Hạn trả mới: {due:%d/%m/%Y %H:%M}"
    if payload.get("reason"):
        return f"Lý do: {payload['reason']}"
    if kind == EventKind.DOCUMENT_SENT_TO_PRINTER:
        printed = f"{payload.get('pages', 0)} trang, máy in {payload.get('printer', '')}"
        return f"{payload.get('title', '')} số {payload.get('number', '')}: {printed}"
    if kind == EventKind.DOCUMENT_PRINTED:
        again = ""
        if payload.get("reprint"):
            count = f" lần {payload['reprint_number']}" if payload.get("reprint_number") else ""
            why = f"; lý do: {payload['reprint_reason_text']}" if payload.get("reprint_reason_text") else ""
            again = f" (bản in lại{count}{why})"
        return f"{payload.get('title', payload.get('kind', ''))} số {payload.get('number', '')}{again}"
    return ""
