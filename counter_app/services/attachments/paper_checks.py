"""A dossier's papers as digitisation sees them: the paper to scan checked, an attachment row shown as its view."""

from __future__ import annotations

from counter_app.domain.dossier import KIND_DOSSIER, DossierState, PaperEntry
from counter_app.errors import RuleError, ValidationError
from counter_app.services.attachments.views import AttachmentView
from counter_app.storage.repositories.attachments import Attachment


def attachment_view(row: Attachment, *, file_here: bool = True) -> AttachmentView:
    reason, _, note = row.exempt_reason.partition(":")
    return AttachmentView(
        paper=row.paper_position,
        paper_name=row.paper_name,
        pages=row.pages,
        size=row.size,
        sha256=row.sha256,
        synced=row.on_central,
        sync_state=row.sync_state,
        exempt_reason=reason.strip(),
        exempt_note=note.strip(),
        created_at=row.created_at,
        clerk=row.clerk,
        file_here=file_here,
    )


def paper_to_digitise(state: DossierState, paper: int) -> PaperEntry:
    name = state.code or state.slip or state.uuid
    if state.kind != KIND_DOSSIER:
        raise RuleError(f"“{name}” là phiếu, không phải hồ sơ đã tiếp nhận, nên không số hóa giấy tờ.")
    count = len(state.papers)
    if count == 0:
        raise ValidationError("paper", f"Hồ sơ {name} không có giấy tờ nào trong danh mục thành phần hồ sơ.")
    if not 1 <= paper <= count:
        listed = f"thành phần hồ sơ có {count} giấy tờ (số 1 đến {count})"
        raise ValidationError("paper", f"Hồ sơ {name} không có giấy tờ số {paper}; {listed}.")
    entry = state.papers[paper - 1]
    if entry.missing:
        raise RuleError(f"Giấy tờ số {paper} “{entry.name}” còn thiếu, chưa nộp, nên chưa số hóa được.")
    return entry
