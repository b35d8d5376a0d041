"""Composition root without Qt: opens the database, upgrades it, builds the services; used by cli and app."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from counter_app.domain.clock import Clock
from counter_app.services.accounts import AccountService
from counter_app.services.attachments import AttachmentService
from counter_app.services.audit import AuditService
from counter_app.services.backup import BackupService
from counter_app.services.calendar import CalendarService
from counter_app.services.catalogue import CatalogueService
from counter_app.services.context import ServiceContext
from counter_app.services.demo import DemoDataService
from counter_app.services.doctor import DoctorService
from counter_app.services.documents import DocumentService
from counter_app.services.dossiers import DossierService
from counter_app.services.drafts import DraftService
from counter_app.services.intake import IntakeService
from counter_app.services.integrity import IntegrityService
from counter_app.services.late import LateService
from counter_app.services.queue import QueueService
from counter_app.services.reports import ReportService
from counter_app.services.setup import SetupService
from counter_app.services.sync_service import SyncService
from counter_app.storage.database import open_database
from counter_app.storage.migrate import current_revision, needs_upgrade, upgrade

log = logging.getLogger(__name__)


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
    documents: DocumentService
    late: LateService
    demo: DemoDataService
    queue: QueueService
    drafts: DraftService
    sync: SyncService
    reports: ReportService
    backup: BackupService
    integrity: IntegrityService
    attachments: AttachmentService

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
    context = ServiceContext(database=open_database(db_path), clock=clock, data_dir=data_dir or db_path.parent)
    backup = BackupService(context)
    integrity = IntegrityService(context, backup)
    return Maintenance(context, backup, integrity, DoctorService(context, backup, integrity))


def build_services(db_path: Path, clock: Clock, *, data_dir: Path | None = None, clerk: str = "") -> Services:
    """Open (creating and upgrading as needed) the local database at `db_path` and wire the services."""
    fresh = not db_path.exists()
    database = open_database(db_path)
    context = ServiceContext(database=database, clock=clock, data_dir=data_dir or db_path.parent, clerk=clerk)
    backup = BackupService(context)
    if not fresh and needs_upgrade(database.writer) and current_revision(database.writer) is not None:
        log.info("schema upgrade ahead: backup first to %s", backup.backup_before_upgrade().name)
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
        documents=DocumentService(context, dossiers),
        late=LateService(context, calendar, dossiers),
        demo=DemoDataService(context, calendar, catalogue, dossiers),
        queue=QueueService(context, calendar),
        drafts=DraftService(context),
        sync=SyncService(context),
        reports=ReportService(context, calendar),
        backup=backup,
        integrity=IntegrityService(context, backup),
        attachments=AttachmentService(context, dossiers),
    )
    if fresh:
        log.info("new local database created")
    setup.ensure_seeded()
    return services
