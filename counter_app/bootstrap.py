"""Composition root without Qt: opens the database, upgrades it, builds the services; used by cli and app.

The services every start needs are built at once; the others are built on first use (`_Lazy`), so that their
modules and what they import (reportlab, openpyxl, cryptography, alembic...) load only when asked for: the
window's start and a short command pay only for what they use.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar, overload

from counter_app.domain.clock import Clock
from counter_app.services.accounts.clerk_accounts import AccountService
from counter_app.services.audit.chain_checks import AuditService
from counter_app.services.catalogue.procedures import CatalogueService
from counter_app.services.catalogue.working_calendar import CalendarService
from counter_app.services.common.context import ServiceContext
from counter_app.services.desk.dossiers import DossierService
from counter_app.services.desk.intake import IntakeService
from counter_app.services.desk.late import LateService
from counter_app.services.desk.queue import QueueService
from counter_app.services.installation.setup import SetupService
from counter_app.services.syncing.sync_runs import SyncService
from counter_app.storage.database import open_database
from counter_app.storage.migrate import current_revision, needs_upgrade, upgrade

if TYPE_CHECKING:
    from counter_app.services.attachments.digitisation import AttachmentService
    from counter_app.services.desk.drafts import DraftService
    from counter_app.services.documents.printed_documents import DocumentService
    from counter_app.services.installation.demo import DemoDataService
    from counter_app.services.maintenance.backups import BackupService
    from counter_app.services.maintenance.doctor import DoctorService
    from counter_app.services.maintenance.integrity import IntegrityService
    from counter_app.services.reports.period_reports import ReportService

log = logging.getLogger(__name__)

T = TypeVar("T")
_BUILD_LOCK = threading.RLock()  # a service asked for by two threads at once is built once


class _Lazy(Generic[T]):
    """A service built on first use, from the other services; then an ordinary attribute of the instance."""

    def __init__(self, build: Callable[[Any], T]) -> None:
        self._build = build
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type) -> _Lazy[T]: ...
    @overload
    def __get__(self, instance: object, owner: type) -> T: ...
    def __get__(self, instance: object | None, owner: type) -> T | _Lazy[T]:
        if instance is None:
            return self
        with _BUILD_LOCK:
            built: T | None = instance.__dict__.get(self._name)
            if built is None:
                built = self._build(instance)
                instance.__dict__[self._name] = built  # found before this descriptor from now on
        return built


def _documents(s: Services) -> DocumentService:
    from counter_app.services.documents.printed_documents import DocumentService

    return DocumentService(s.context, s.dossiers)


def _demo(s: Services) -> DemoDataService:
    from counter_app.services.installation.demo import DemoDataService

    return DemoDataService(s.context, s.calendar, s.catalogue, s.dossiers)


def _drafts(s: Services) -> DraftService:
    from counter_app.services.desk.drafts import DraftService

    return DraftService(s.context)


def _reports(s: Services) -> ReportService:
    from counter_app.services.reports.period_reports import ReportService

    return ReportService(s.context, s.calendar)


def _backup(s: Services) -> BackupService:
    from counter_app.services.maintenance.backups import BackupService

    return BackupService(s.context)


def _integrity(s: Services) -> IntegrityService:
    from counter_app.services.maintenance.integrity import IntegrityService

    return IntegrityService(s.context, s.backup)


def _attachments(s: Services) -> AttachmentService:
    from counter_app.services.attachments.digitisation import AttachmentService

    return AttachmentService(s.context, s.dossiers)


@dataclass
class Services:
    context: ServiceContext
    accounts: AccountService
    audit: AuditService
    calendar: CalendarService
    catalogue: CatalogueService
    setup: SetupService
    intake: IntakeService
    dossiers: DossierService
    late: LateService
    queue: QueueService
    sync: SyncService
    # built on first use
    documents = _Lazy(_documents)
    demo = _Lazy(_demo)
    drafts = _Lazy(_drafts)
    reports = _Lazy(_reports)
    backup = _Lazy(_backup)
    integrity = _Lazy(_integrity)
    attachments = _Lazy(_attachments)

    def close(self) -> None:
        self.context.database.dispose()


@dataclass
class Maintenance:
    """Backup, restore and checks over a database that is neither upgraded nor seeded (it may be damaged)."""

    context: ServiceContext
    backup: BackupService
    integrity: IntegrityService
    doctor: DoctorService

    def close(self) -> None:
        self.context.database.dispose()


def build_maintenance(db_path: Path, clock: Clock, *, data_dir: Path | None = None) -> Maintenance:
    """The maintenance services over `db_path`; nothing is created or changed by building them."""
    from counter_app.services.maintenance.backups import BackupService
    from counter_app.services.maintenance.doctor import DoctorService
    from counter_app.services.maintenance.integrity import IntegrityService

    database = open_database(db_path, create=False, damaged_ok=True)  # a damaged file must still be replaced
    context = ServiceContext(database=database, clock=clock, data_dir=data_dir or db_path.parent)
    backup = BackupService(context)
    integrity = IntegrityService(context, backup)
    return Maintenance(context, backup, integrity, DoctorService(context, backup, integrity))


def build_services(db_path: Path, clock: Clock, *, data_dir: Path | None = None, clerk: str = "") -> Services:
    """Open (creating and upgrading as needed) the local database at `db_path` and wire the services."""
    fresh = not db_path.exists()
    database = open_database(db_path)
    context = ServiceContext(database=database, clock=clock, data_dir=data_dir or db_path.parent, clerk=clerk)
    if not fresh and needs_upgrade(database.writer) and current_revision(database.writer) is not None:
        from counter_app.services.maintenance.backups import BackupService

        log.info("schema upgrade ahead: backup first to %s", BackupService(context).backup_before_upgrade().name)
    upgrade(database.writer)
    calendar = CalendarService(context)
    catalogue = CatalogueService(context)
    setup = SetupService(context, calendar, catalogue)
    dossiers = DossierService(context, calendar)
    services = Services(
        context=context,
        accounts=AccountService(context),
        audit=AuditService(context),
        calendar=calendar,
        catalogue=catalogue,
        setup=setup,
        intake=IntakeService(context, calendar),
        dossiers=dossiers,
        late=LateService(context, calendar, dossiers),
        queue=QueueService(context, calendar),
        sync=SyncService(context),
    )
    if fresh:
        log.info("new local database created")
    setup.ensure_seeded()
    return services
