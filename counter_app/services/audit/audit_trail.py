"""The audit trail for the window: the whole event log filtered and paged, and the verification's verdict in words."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from counter_app.domain.roles import Permission
from counter_app.services.audit.chain_checks import AuditReport
from counter_app.services.common.context import ServiceContext
from counter_app.services.desk.dossiers import EVENT_LABELS
from counter_app.storage.repositories.events import TrailFilter

PAGE_SIZE = 100

# events of no dossier, named for the trail (the dossiers' own kinds are named in desk.dossiers)
OTHER_LABELS: dict[str, str] = {
    "catalogue.procedure_saved": "Lưu thủ tục trong danh mục",
    "catalogue.procedure_deactivated": "Ngừng áp dụng thủ tục",
    "audit.key_replaced": "Thay khóa niêm phong nhật ký",
    "data.exported": "Xuất dữ liệu (in, báo cáo)",
    "user.added": "Thêm tài khoản",
    "user.disabled": "Vô hiệu hóa tài khoản",
    "user.enabled": "Mở lại tài khoản",
    "user.changed": "Sửa thông tin, vai trò tài khoản",
    "user.password_reset": "Quản trị viên đặt lại mật khẩu",
    "user.password_changed": "Tự đổi mật khẩu",
}

# the families offered by the trail's filter: (label, kind prefix)
KIND_FAMILIES: tuple[tuple[str, str], ...] = (
    ("Mọi thao tác", ""),
    ("Hồ sơ", "dossier."),
    ("Phiếu tại quầy (Mẫu 02, 03)", "slip."),
    ("Giấy tờ in", "document."),
    ("Số hóa giấy tờ", "attachment."),
    ("Danh mục thủ tục", "catalogue."),
    ("Tài khoản", "user."),
    ("Xuất dữ liệu", "data."),
    ("Khóa niêm phong", "audit."),
)


def kind_label(kind: str) -> str:
    return EVENT_LABELS.get(kind) or OTHER_LABELS.get(kind) or kind


@dataclass(frozen=True)
class TrailQuery:
    """What the person asked to see; empty fields do not filter. `until` is excluded."""

    clerk: str = ""
    kind_prefix: str = ""
    dossier: str = ""
    since: datetime | None = None
    until: datetime | None = None
    page: int = 0


@dataclass(frozen=True)
class TrailEntry:
    occurred_at: datetime
    clerk: str
    kind: str
    what: str  # the kind in Vietnamese
    dossier_code: str
    counter: str  # "000.17.22.H56 · quầy 1"
    seq: int


@dataclass(frozen=True)
class TrailPage:
    entries: tuple[TrailEntry, ...]
    total: int
    page: int
    pages: int


def trail_page(context: ServiceContext, query: TrailQuery) -> TrailPage:
    """One page of the trail, newest first (supervisor or administrator)."""
    context.require(Permission.AUDIT)
    page = max(0, query.page)
    what = TrailFilter(query.clerk.strip(), query.kind_prefix, query.dossier.strip(), query.since, query.until)
    with context.uow() as uow:
        records, total = uow.events.trail(what, offset=page * PAGE_SIZE, limit=PAGE_SIZE)
    entries = tuple(
        TrailEntry(
            r.occurred_at,
            r.clerk,
            r.kind,
            kind_label(r.kind),
            r.dossier_code,
            f"{r.agency_code} · quầy {r.counter}",
            r.seq,
        )
        for r in records
    )
    return TrailPage(entries, total, page, max(1, -(-total // PAGE_SIZE)))


def trail_clerks(context: ServiceContext) -> list[str]:
    context.require(Permission.AUDIT)
    with context.uow() as uow:
        return uow.events.trail_clerks()


def verdict_text(report: AuditReport) -> str:
    """The verification's verdict as the window says it (the command line says the same in more detail)."""
    central = f" {report.central.message}" if report.central.message else ""
    if report.broken is not None:
        b = report.broken
        more = f" Còn {len(report.all_breaks) - 1} chỗ bị phá vỡ khác." if len(report.all_breaks) > 1 else ""
        return (
            f"Nhật ký BỊ PHÁ VỠ tại quầy {b.counter} của cơ quan {b.agency_code}, sự kiện số {b.seq}: "
            f"{b.message}.{more}{central}"
        )
    if report.attachment is not None:
        return f"Tệp số hóa KHÔNG CÒN NGUYÊN VẸN: {report.attachment.message}{central}"
    if report.dossiers:
        names = ", ".join(d.code or d.uuid for d in report.dossiers[:10])
        return f"{len(report.dossiers)} hồ sơ có dữ liệu KHÁC với nhật ký đã niêm phong: {names}.{central}"
    return f"Nhật ký nguyên vẹn: đã kiểm tra {report.checked} sự kiện của {report.chains} quầy.{central}"
