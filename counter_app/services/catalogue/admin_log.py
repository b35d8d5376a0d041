"""The administration log: the kinds of change it records, its entries as the screens show them, and the
recording of a change (with its event in the counter's audit chain for a local change)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any

from counter_app.identities import new_uuid
from counter_app.services.common.context import ServiceContext
from counter_app.storage.repositories.admin_log import Actor, AdminEntry
from counter_app.storage.unit_of_work import UnitOfWork

# Kinds of the administration log
PROCEDURE_CREATED = "procedure.created"
PROCEDURE_UPDATED = "procedure.updated"
PROCEDURE_DEACTIVATED = "procedure.deactivated"
CALENDAR_IMPORTED = "calendar.imported"
CENTRAL_APPLIED = "central_version_applied"

ADMIN_KIND_LABELS = {
    PROCEDURE_CREATED: "Thêm thủ tục",
    PROCEDURE_UPDATED: "Sửa thủ tục",
    PROCEDURE_DEACTIVATED: "Ngừng áp dụng thủ tục",
    CALENDAR_IMPORTED: "Nhập quyết định lịch làm việc",
    CENTRAL_APPLIED: "Áp dụng phiên bản của máy chủ trung tâm",
}


@dataclass(frozen=True)
class AdminEventView(AdminEntry):
    """One entry of the administration log, for the screens and the command line: the stored entry and its label."""

    @property
    def label(self) -> str:
        return ADMIN_KIND_LABELS.get(self.kind, self.kind)


def event_view(entry: AdminEntry) -> AdminEventView:
    return AdminEventView(**asdict(entry))


def actor_of(context: ServiceContext) -> Actor:
    settings = context.settings()
    return Actor(clerk=context.clerk, role=context.role, agency_code=settings.agency_code, counter=settings.counter)


def record_admin_event(
    context: ServiceContext,
    uow: UnitOfWork,
    *,
    kind: str,
    subject: str,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
    source: str = "local",
    chain_kind: str | None = None,
) -> None:
    """The administration log entry of a change, and (for a local change) its event in the audit chain."""
    at = context.clock.now()
    actor = actor_of(context)
    uow.admin_log.append(
        uuid=str(new_uuid()), kind=kind, subject=subject, at=at, actor=actor, before=before, after=after, source=source
    )
    if chain_kind is not None:
        uow.events.append(
            uuid=str(new_uuid()),
            kind=chain_kind,
            dossier_uuid=None,
            payload={"admin_kind": kind, "subject": subject, "after": after},
            occurred_at=at,
            agency_code=actor.agency_code,
            counter=actor.counter,
            clerk=actor.clerk,
        )
