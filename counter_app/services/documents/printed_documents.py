"""Printed documents of a dossier: numbered once, rendered from its state, archived, reprints marked and counted."""

from __future__ import annotations

import json
import logging
import shutil
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from counter_app.domain.codes import DocumentNumber, Numbering, issue_document_number
from counter_app.domain.document_kinds import DOSSIER_DOCUMENTS, HISTORY_TITLES, SYMBOLS, DocumentKind
from counter_app.domain.dossier import (
    KIND_REFUSAL_SLIP,
    KIND_SUPPLEMENT_SLIP,
    RE_ENTRY_FIELD,
    RE_ENTRY_RECEIPT,
    DossierState,
)
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.number_scopes import document_scope
from counter_app.domain.reprint import ReprintReason, parse_reprint_reason, reprint_reason_text
from counter_app.domain.roles import Permission
from counter_app.domain.status import Stage
from counter_app.errors import NotFoundError, RuleError
from counter_app.identities import new_uuid
from counter_app.private_files import replacing
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.event_writer import find_dossier, numbering_of, record_event
from counter_app.services.common.export_paths import check_export_path
from counter_app.services.common.export_record import record_export
from counter_app.services.desk.dossiers import DossierService
from counter_app.storage.repositories.documents import PrintedDocument
from counter_app.storage.repositories.events import StoredEvent
from counter_app.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# forms that print part of the dossier's history (see document_data.build_document), or number from it
KINDS_WITH_HISTORY = frozenset({DocumentKind.WITHDRAWAL, DocumentKind.APOLOGY, DocumentKind.CONTROL})
# Mẫu 05 is the notice that processing stopped: at the applicant's request (withdrawn) or otherwise (stopped)
STOPPED_STAGES = frozenset({Stage.WITHDRAWN.value, Stage.STOPPED.value})
# the status link needs the opening event
KINDS_WITH_EVENTS = KINDS_WITH_HISTORY | {
    DocumentKind.RECEIPT,
    DocumentKind.SUPPLEMENT,
    DocumentKind.REFUSAL,
    DocumentKind.WITHDRAWAL,  # their officer is who recorded the act (form_records.CERTIFIED_ACTS)
}
# documents of a dossier taken in (a slip has no dossier code)
KINDS_NEEDING_CODE = KINDS_WITH_HISTORY | {DocumentKind.RECEIPT, DocumentKind.FEE_RECEIPT}


@dataclass(frozen=True)
class DocumentResult:
    kind: str
    number: str
    path: Path
    reprint: bool
    document_uuid: str
    reprint_number: int = 0  # 1 for the first reprint; 0 for the first print
    dossier_uuid: str = ""  # whose history the document (and each print of it) adds to


class DocumentService:
    def __init__(self, context: ServiceContext, dossiers: DossierService) -> None:
        self.context = context
        self.dossiers = dossiers

    def render(
        self,
        code: str,
        kind: str,
        out: Path | None = None,
        *,
        reason: ReprintReason | str | None = None,
        reason_note: str = "",
    ) -> DocumentResult:
        """Render the document of a dossier (a reprint if it was printed before), archive it, record it.

        A reprint needs the reprint permission and a `reason` (ReprintReason or its value; OTHER with a short
        `reason_note`); it is stamped "BẢN IN LẠI lần N", N counting the reprints, and the reason is recorded.
        A first print ignores both.
        """
        if kind not in DOSSIER_DOCUMENTS:
            raise NotFoundError(f"Không có loại giấy tờ “{kind}”.")
        self.context.require(Permission.PRINT)
        if out is not None:  # before a number is issued: a refused path must cost nothing
            out = check_export_path(self.context, out)
        now = self.context.clock.now()
        # imported here: reportlab costs hundreds of ms and only printing needs it
        from counter_app.printing.render import render_document
        from counter_app.services.documents.form_records import build_document, certifying_clerk

        # One write transaction reads what the document shows, numbers it, renders it and records it: the
        # number is used only if all of it commits, and what is printed is what the event is recorded on.
        with self.context.uow(write=True) as uow:
            state = find_dossier(uow, code)
            self._check_kind(state, kind)
            existing = uow.documents.latest(state.uuid, kind)
            reprint = existing is not None
            reprint_number = 0
            why = ""
            if existing is not None:
                self.context.require(Permission.REPRINT)  # the role first: a clerk is told who may, not why
                why = reprint_reason_text(parse_reprint_reason(reason), reason_note)
                reprint_number = existing.reprint_count + 1
            # only these forms print the dossier's history; a receipt needs its opening event (the status key)
            events = uow.events.for_dossier(state.uuid) if kind in KINDS_WITH_EVENTS else []
            agency = uow.agencies.get(state.agency_code)
            agency_info = (agency.name, agency.parent_authority) if agency else (state.agency_code, "")
            numbering = Numbering(agency.counter_digits, agency.number_digits) if agency else Numbering()
            number = existing.number if existing else ""
            if not number:
                number = self._fixed_number(state, kind, events, numbering)
            if not number:
                number = self._issue_number(uow, kind, now)
            clerk = certifying_clerk(kind, events)
            data = build_document(
                kind,
                state,
                events,
                self.context.settings(),
                agency_info,
                number,
                now,
                reprint,
                reprint_number,
                officer=self._officer(uow, clerk) if clerk else self.context.officer_name,
            )
            pdf = render_document(data)
            path = self._archive(state, kind, number, pdf, now, reprint_number)
            document_uuid = existing.uuid if existing else str(new_uuid())
            if existing is None:
                uow.documents.add(
                    PrintedDocument(
                        uuid=document_uuid,
                        dossier_uuid=state.uuid,
                        kind=kind,
                        number=number,
                        number_key=f"{state.agency_code}:{now.year}:{kind}:{number}:{document_uuid[:8]}",
                        created_at=now,
                        path=str(path),
                        print_count=0,
                        reprint_count=0,
                    )
                )
            else:
                uow.documents.record_reprint(existing.uuid, reprint_number, str(path))
            payload: dict[str, object] = {
                "document_uuid": document_uuid,
                "kind": kind,
                "title": HISTORY_TITLES[DocumentKind(kind)],
                "number": number,
                "reprint": reprint,
            }
            if reprint:
                payload |= {
                    "reprint_number": reprint_number,
                    "reprint_reason": parse_reprint_reason(reason).value,
                    "reprint_reason_text": why,
                }
            record_event(
                uow,
                self.context,
                state,
                EventKind.DOCUMENT_PRINTED,
                payload,
                now,
                state.uuid,
            )
            uow.commit()
        if out is not None:
            with replacing(out) as partial:
                shutil.copyfile(path, partial)
        return DocumentResult(kind, number, out or path, reprint, document_uuid, reprint_number, state.uuid)

    def reprint(
        self, document_uuid: str, *, reason: ReprintReason | str | None, reason_note: str = ""
    ) -> DocumentResult:
        """Render a document again as a reprint (its reason required, see `render`), found by its own id."""
        with self.context.uow() as uow:
            row = uow.documents.get(document_uuid)
        if row is None:
            raise NotFoundError("Không tìm thấy giấy tờ đã lập để in lại.")
        return self.render(row.dossier_uuid, row.kind, reason=reason or "", reason_note=reason_note)

    def save_copy(self, document_uuid: str, target: Path) -> Path:
        """A copy of an archived document where the clerk chose (a USB drive, a folder to mail from): recorded as an
        export, written whole and private (temporary file, renamed), never onto the application's own data."""
        self.context.require(Permission.PRINT)
        with self.context.uow() as uow:
            row = uow.documents.get(document_uuid)
        if row is None or not row.path or not Path(row.path).is_file():
            raise NotFoundError("Không tìm thấy tệp PDF của giấy tờ này trong kho lưu để sao chép.")
        destination = check_export_path(self.context, target)
        with replacing(destination) as partial:
            shutil.copyfile(row.path, partial)
        record_export(self.context, f"document.{row.kind}", 1)
        return destination

    def record_sent_to_printer(self, document_uuid: str, printer: str, pages: int) -> None:
        """A printer accepted the document: count it and record it in the dossier's history."""
        now = self.context.clock.now()
        with self.context.uow(write=True) as uow:
            row = uow.documents.get(document_uuid)
            if row is None:
                raise NotFoundError("Không tìm thấy giấy tờ đã lập để ghi nhận việc in.")
            uow.documents.count_print(row.uuid)
            current = uow.dossiers.get(row.dossier_uuid)
            payload = {
                "document_uuid": document_uuid,
                "kind": row.kind,
                "number": row.number,
                "printer": printer,
                "pages": pages,
                "title": HISTORY_TITLES[DocumentKind(row.kind)],
            }
            record_event(uow, self.context, current, EventKind.DOCUMENT_SENT_TO_PRINTER, payload, now, row.dossier_uuid)
            uow.commit()

    def _check_kind(self, state: DossierState, kind: str) -> None:
        asked = state.code is not None and state.stage == Stage.SUPPLEMENT_REQUESTED.value
        if kind == DocumentKind.SUPPLEMENT and state.kind != KIND_SUPPLEMENT_SLIP and not asked:
            raise RuleError(
                "Phiếu yêu cầu bổ sung chỉ in cho phiếu số đã lập khi hồ sơ chưa đầy đủ, "
                "hoặc cho hồ sơ đang chờ công dân bổ sung."
            )
        if kind == DocumentKind.REFUSAL and state.kind != KIND_REFUSAL_SLIP:
            raise RuleError("Phiếu từ chối chỉ in cho hồ sơ đã bị từ chối tiếp nhận.")
        if kind in KINDS_NEEDING_CODE and state.code is None:
            raise RuleError("Giấy tờ này chỉ in cho hồ sơ đã được tiếp nhận (có mã hồ sơ).")
        if kind == DocumentKind.WITHDRAWAL and state.stage not in STOPPED_STAGES:
            raise RuleError(
                "Thông báo dừng giải quyết (Mẫu 05) chỉ in khi hồ sơ đã dừng giải quyết hoặc công dân đã rút hồ sơ."
            )
        if kind == DocumentKind.FEE_RECEIPT and state.fee <= 0:
            raise RuleError("Thủ tục này không thu phí, lệ phí: không có biên nhận thu phí để in.")
        if kind == DocumentKind.FEE_RECEIPT and not state.fee_paid:
            raise RuleError(
                "Hồ sơ chưa ghi nhận đã nộp phí, lệ phí: chưa in được biên nhận thu phí. "
                "Ghi nhận việc thu phí (khi trả kết quả) rồi in lại."
            )
        if kind == DocumentKind.APOLOGY and not state.reappointed:
            raise RuleError("Hồ sơ chưa có phiếu xin lỗi và hẹn lại; hãy ghi nhận việc hẹn lại trước.")

    @staticmethod
    def _officer(uow: UnitOfWork, clerk: str) -> str:
        """The full name of the account that recorded an act (its name when it has none; without accounts the
        event already holds the clerk's name)."""
        account = uow.users.get(clerk)
        return (account.full_name or account.name) if account is not None else clerk

    @staticmethod
    def _fixed_number(state: DossierState, kind: str, events: list[StoredEvent], numbering: Numbering) -> str:
        """Numbers given when the slip or letter was recorded (slips, apology letters)."""
        if kind in {DocumentKind.SUPPLEMENT, DocumentKind.REFUSAL} and state.slip:
            return DocumentNumber.parse_slip(state.slip, numbering).display()
        if kind == DocumentKind.APOLOGY:
            for e in reversed(events):
                if e.kind == EventKind.REAPPOINTED:
                    return str(json.loads(e.payload)["letter_number"])
        if kind == DocumentKind.RECEIPT:  # re-entered from Liên 1 with the receipt number printed on it
            for e in events:
                if e.kind == EventKind.DOSSIER_ACCEPTED:
                    number = json.loads(e.payload).get(RE_ENTRY_FIELD, {}).get(RE_ENTRY_RECEIPT, "")
                    if number:
                        return str(number)
        return ""

    def _issue_number(self, uow: UnitOfWork, kind: str, now: datetime) -> str:
        settings = self.context.settings()
        symbol = SYMBOLS[DocumentKind(kind)]
        numbering = numbering_of(uow, settings.agency_code)
        scope = document_scope(settings.agency_code, settings.counter, symbol, now.year)
        number = issue_document_number(now.year, settings.counter, uow.sequences.peek(scope), symbol, numbering)
        uow.sequences.next(scope)
        return number.display()

    def _archive(
        self, state: DossierState, kind: str, number: str, pdf: bytes, now: datetime, reprint_number: int
    ) -> Path:
        folder = self.context.archive_dir / f"{state.received_at:%Y}" / f"{state.received_at:%m}"
        key = (state.code or state.slip or state.uuid).replace("/", "_")
        # the count keeps two reprints within one second apart (each archived copy is the one its event names)
        suffix = f"-in-lai-{reprint_number}-{now:%Y%m%d%H%M%S}" if reprint_number else ""
        path = folder / f"{key}-{kind}{suffix}.pdf"
        with replacing(path) as partial:
            partial.write_bytes(pdf)
        return path
