"""Digitisation at the counter: scan or add a dossier's papers, one stored PDF per paper, exemptions, checks.

A paper's current attachment is its latest row; earlier rows (replaced scans) stay as history, and their files
stay in the store. Each change is one event of the dossier, written with its row in one short transaction,
after the slow part (scanning, assembling, hashing) is done outside any transaction.
"""

from __future__ import annotations

import logging
import re
import tempfile
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime
from pathlib import Path

from counter_app.domain.dossier import DossierState
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.roles import Permission
from counter_app.errors import NotFoundError, RuleError, ValidationError
from counter_app.identities import new_uuid
from counter_app.services.attachments.document_scanners import (
    MODES,
    SOURCES,
    Scanner,
    ScannerDevice,
    ScanRequest,
    default_scanner,
)
from counter_app.services.attachments.file_checks import verify_attachments
from counter_app.services.attachments.file_store import AttachmentStore
from counter_app.services.attachments.paper_checks import attachment_view, paper_to_digitise
from counter_app.services.attachments.pdf_assembly import Progress, assemble_pdf
from counter_app.services.attachments.views import (
    EXEMPTIONS,
    AttachmentProblem,
    AttachmentView,
    PaperDigitisation,
    PendingUpload,
    PreparedAttachment,
)
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.event_writer import record_event
from counter_app.services.desk.dossiers import DossierService
from counter_app.storage.repositories.attachments import Attachment
from counter_app.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

MAX_NOTE = 500
_SHA256 = re.compile(r"[0-9a-f]{64}")


class AttachmentService:
    def __init__(self, context: ServiceContext, dossiers: DossierService, scanner: Scanner | None = None) -> None:
        self.context = context
        self.dossiers = dossiers
        self._scanner = scanner
        self.store = AttachmentStore(context.data_dir / "attachments")

    @property
    def scanner(self) -> Scanner:
        if self._scanner is None:
            self._scanner = default_scanner()
        return self._scanner

    # queries
    def checklist(self, code: str) -> list[PaperDigitisation]:
        """Every paper of the dossier's checklist with its current attachment (or None)."""
        state = self.dossiers.get_state(code)
        with self.context.uow() as uow:
            current = uow.attachments.current(state.uuid)
            return [
                PaperDigitisation(
                    paper=i,
                    name=p.name,
                    originals=p.originals,
                    copies=p.copies,
                    missing=p.missing,
                    attachment=self._view(current[i]) if i in current else None,
                )
                for i, p in enumerate(state.papers, start=1)
            ]

    def _view(self, row: Attachment) -> AttachmentView:
        here = not row.sha256 or not row.pulled or self.store.path_of(row.sha256).is_file()
        return attachment_view(row, file_here=here)

    def files_to_fetch(self, code: str) -> int:
        """How many current papers of the dossier were digitised at another counter and are not on this machine
        yet (SyncService.fetch_attachments brings them from the central)."""
        return sum(
            1
            for p in self.checklist(code)
            if p.attachment is not None and not p.attachment.exempt and not p.attachment.file_here
        )

    def list_attachments(self, code: str) -> list[AttachmentView]:
        """The current stored PDF of each paper that has one (exemptions left out), by paper."""
        return [p.attachment for p in self.checklist(code) if p.attachment is not None and not p.attachment.exempt]

    def pdf_path(self, sha256: str) -> Path:
        """Where a stored PDF is (for a viewer); NotFoundError when it is not there."""
        path = self.store.path_of(sha256)
        if not _SHA256.fullmatch(sha256) or not path.is_file():
            raise NotFoundError("Không tìm thấy tệp số hóa này trên máy.")
        return path

    # commands
    def add_files(
        self,
        code: str,
        paper: int,
        files: Sequence[Path],
        *,
        append: bool = False,
        progress: Progress | None = None,
    ) -> AttachmentView:
        """Combine PDF, JPEG and PNG files in order into the paper's one PDF, store it and record it."""
        return self.record(self.prepare_files(code, paper, files, append=append, progress=progress))

    def prepare_files(
        self,
        code: str,
        paper: int,
        files: Sequence[Path],
        *,
        append: bool = False,
        progress: Progress | None = None,
    ) -> PreparedAttachment:
        """The slow half of `add_files` (no database write): check, combine, store by content."""
        self.context.require(Permission.DESK)
        state = self.dossiers.get_state(code)
        paper_to_digitise(state, paper)
        paths = [Path(f) for f in files]
        if not paths:
            raise ValidationError("files", "Cần ít nhất một tệp (PDF, JPEG hoặc PNG) để đính kèm.")
        for path in paths:
            if not path.is_file():
                raise ValidationError("files", f"Không tìm thấy tệp “{path}”.")
        return self._prepare(state, paper, paths, "files", append, progress)

    def scan_paper(
        self,
        code: str,
        paper: int,
        *,
        device: str | None = None,
        source: str | None = None,
        mode: str | None = None,
        resolution: int | None = None,
        pages: int | None = None,
        append: bool = False,
        progress: Progress | None = None,
    ) -> AttachmentView:
        """Scan a paper (settings give the device, source, mode and resolution unless passed) and record it."""
        prepared = self.prepare_scan(
            code,
            paper,
            device=device,
            source=source,
            mode=mode,
            resolution=resolution,
            pages=pages,
            append=append,
            progress=progress,
        )
        return self.record(prepared)

    def prepare_scan(
        self,
        code: str,
        paper: int,
        *,
        device: str | None = None,
        source: str | None = None,
        mode: str | None = None,
        resolution: int | None = None,
        pages: int | None = None,
        append: bool = False,
        progress: Progress | None = None,
    ) -> PreparedAttachment:
        """The slow half of `scan_paper` (no database write): scan, combine, store by content."""
        self.context.require(Permission.DESK)
        state = self.dossiers.get_state(code)
        paper_to_digitise(state, paper)
        settings = self.context.settings()
        source = source or settings.scan_source
        mode = mode or settings.scan_mode
        resolution = resolution or settings.scan_resolution
        if source not in SOURCES:
            raise ValidationError("source", "Cách quét chỉ nhận: feeder (khay nạp giấy) hoặc flatbed (mặt kính).")
        if mode not in MODES:
            raise ValidationError("mode", "Chế độ màu chỉ nhận: Gray (xám) hoặc Color (màu).")
        if pages is not None and pages < 1:
            raise ValidationError("pages", "Số trang cần quét phải từ 1 trở lên.")
        device = device or settings.scanner_device or self._only_device()
        with tempfile.TemporaryDirectory(prefix="counter-scan-") as folder:
            request = ScanRequest(device, mode, resolution, source, pages)
            images = self.scanner.scan(request, Path(folder) / "pages", progress)
            log.info("scanned %d pages", len(images))
            return self._prepare(state, paper, images, "scan", append, progress)

    def _only_device(self) -> str:
        devices = self.scanner.list_devices()
        if not devices:
            raise NotFoundError("Không tìm thấy máy quét nào. Kiểm tra máy quét đã bật và đã nối với máy tính.")
        if len(devices) > 1:
            names = ", ".join(d.name for d in devices)
            raise ValidationError(
                "device",
                f"Có nhiều máy quét ({names}); chọn một "
                "(--device hoặc “Máy quét giấy tờ của quầy” ở Thiết lập › Máy quét).",
            )
        self.choose_scanner(devices[0].name)
        return devices[0].name

    def _prepare(
        self,
        state: DossierState,
        paper: int,
        paths: list[Path],
        source: str,
        append: bool,
        progress: Progress | None,
    ) -> PreparedAttachment:
        base = ""
        if append:
            with self.context.uow() as uow:
                current = uow.attachments.current(state.uuid).get(paper)
            if current is not None and current.sha256:
                base = current.sha256
                paths = [self.pdf_path(base), *paths]
        with self.store.writing() as (output, stored):
            assembled = assemble_pdf(paths, output, progress)
        result = stored[0]
        if progress is not None:
            progress(1, 1, f"Đã lưu {assembled.pages} trang")
        return PreparedAttachment(state.uuid, paper, result.sha256, assembled.pages, result.size, source, base)

    def record(self, prepared: PreparedAttachment) -> AttachmentView:
        """Record a prepared PDF as the paper's attachment: its row and the dossier's event, one transaction.

        Recording the same PDF the paper already has changes nothing (no second event).
        """
        self.context.require(Permission.DESK)
        now = self.context.clock.now()
        with self.context.uow(write=True) as uow:
            state = self._state(uow, prepared.dossier_uuid)
            entry = paper_to_digitise(state, prepared.paper)
            current = uow.attachments.current(state.uuid).get(prepared.paper)
            if current is not None and current.sha256 == prepared.sha256 and not current.exempt_reason:
                return attachment_view(current)
            current_sha = current.sha256 if current is not None else ""
            if prepared.base_sha256 and prepared.base_sha256 != current_sha:
                raise RuleError("Giấy tờ này vừa được cập nhật ở nơi khác; hãy mở lại hồ sơ rồi quét thêm trang.")
            row = self._row(state.uuid, prepared.paper, entry.name, now)
            row = replace(row, sha256=prepared.sha256, pages=prepared.pages, size=prepared.size)
            uow.attachments.add(row)
            payload = {
                "attachment": row.uuid,
                "paper": prepared.paper,
                "paper_name": entry.name,
                "pages": prepared.pages,
                "size": prepared.size,
                "sha256": prepared.sha256,
                "source": prepared.source,
                "replaces": current_sha,
            }
            record_event(uow, self.context, state, EventKind.ATTACHMENT_ADDED, payload, now, state.uuid)
            uow.commit()
            return attachment_view(row)

    def exempt_paper(self, code: str, paper: int, reason: str, note: str = "") -> AttachmentView:
        """Record that a paper is not digitised and why (a key of EXEMPTIONS, Thông tư 03/2025 art. 5(2))."""
        self.context.require(Permission.DESK)
        if reason not in EXEMPTIONS:
            choices = "; ".join(f"{k} ({v})" for k, v in EXEMPTIONS.items())
            raise ValidationError("exempt", f"Lý do không số hóa chỉ nhận: {choices}.")
        note = " ".join(note.split())
        if len(note) > MAX_NOTE:
            raise ValidationError("note", f"Ghi chú quá dài (tối đa {MAX_NOTE} ký tự).")
        state = self.dossiers.get_state(code)
        now = self.context.clock.now()
        with self.context.uow(write=True) as uow:
            state = self._state(uow, state.uuid)
            entry = paper_to_digitise(state, paper)
            current = uow.attachments.current(state.uuid).get(paper)
            row = self._row(state.uuid, paper, entry.name, now)
            row = replace(row, exempt_reason=f"{reason}: {note}" if note else reason)
            uow.attachments.add(row)
            payload = {
                "attachment": row.uuid,
                "paper": paper,
                "paper_name": entry.name,
                "exemption": reason,
                "note": note,
                "replaces": current.sha256 if current is not None else "",
            }
            record_event(uow, self.context, state, EventKind.ATTACHMENT_EXEMPTED, payload, now, state.uuid)
            uow.commit()
            return attachment_view(row)

    def _state(self, uow: UnitOfWork, dossier_uuid: str) -> DossierState:
        state = uow.dossiers.get(dossier_uuid)
        if state is None:
            raise NotFoundError("Không tìm thấy hồ sơ.")
        return state

    def _row(self, dossier_uuid: str, paper: int, name: str, now: datetime) -> Attachment:
        return Attachment(
            uuid=str(new_uuid()),
            dossier_uuid=dossier_uuid,
            paper_position=paper,
            paper_name=name,
            sha256="",
            pages=0,
            size=0,
            exempt_reason="",
            created_at=now,
            clerk=self.context.clerk,
            sync_state=0,
            uploaded_bytes=0,
            sync_error="",
        )

    # scanners
    def list_scanners(self) -> list[ScannerDevice]:
        return self.scanner.list_devices()

    def choose_scanner(self, device: str) -> None:
        """Remember the scanner of this counter (setting `scanner_device`)."""
        with self.context.uow(write=True) as uow:
            uow.settings.put("scanner_device", device.strip())
            uow.commit()
        self.context.forget_settings()

    # checks (the audit's `verify` calls this)
    def verify_attachments(self) -> AttachmentProblem | None:
        """Every stored file exists and hashes to its name and its rows; the first problem found, or None."""
        return verify_attachments(self.context)

    # uploads (the sync engineer's side)
    def pending_uploads(self) -> list[PendingUpload]:
        """Stored files not yet uploaded to the central (one entry per file, oldest first)."""
        seen: set[str] = set()
        pending = []
        with self.context.uow() as uow:
            for row in uow.attachments.pending_uploads():
                if row.sha256 in seen:
                    continue
                seen.add(row.sha256)
                pending.append(
                    PendingUpload(
                        row.sha256,
                        self.store.path_of(row.sha256),
                        row.size,
                        row.uploaded_bytes,
                        row.dossier_uuid,
                        row.paper_position,
                    )
                )
        return pending

    def mark_uploaded(self, sha256: str) -> int:
        """The central holds this file: every row naming it is uploaded; returns how many rows changed."""
        return self._set_sync(sha256, 1, "")

    def record_upload_error(self, sha256: str, error: str) -> int:
        """An upload of this file failed (it stays pending and is retried); the error is kept for the screen."""
        return self._set_sync(sha256, 2, error[:2000])

    def _set_sync(self, sha256: str, state: int, error: str) -> int:
        with self.context.uow(write=True) as uow:
            rows = uow.attachments.with_sha(sha256) if sha256 else []
            if not rows:
                raise NotFoundError("Không có tệp số hóa nào với mã băm này.")
            uploaded = rows[0].size if state == 1 else 0
            changed = uow.attachments.set_sync_state(sha256, state, uploaded_bytes=uploaded, error=error)
            uow.commit()
        return changed
