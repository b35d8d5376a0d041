"""Composition root without Qt: opens the database, upgrades it, builds the services; used by cli and app."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from pathlib import Path

from counter_app.domain.clock import Clock
from counter_app.services.calendar import CalendarService
from counter_app.services.catalogue import CatalogueService
from counter_app.services.context import ServiceContext
from counter_app.services.demo import DemoDataService
from counter_app.services.documents import DocumentService
from counter_app.services.dossiers import DossierService
from counter_app.services.drafts import DraftService
from counter_app.services.intake import IntakeService
from counter_app.services.late import LateService
from counter_app.services.queue import QueueService
from counter_app.services.setup import SetupService
from counter_app.storage.database import open_database
from counter_app.storage.migrate import upgrade

log = logging.getLogger(__name__)


@dataclass
class Services:
    context: ServiceContext
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

    def close(self) -> None:
        self.context.database.dispose()


def build_services(db_path: Path, clock: Clock, *, data_dir: Path | None = None, clerk: str = "") -> Services:
    """Open (creating and upgrading as needed) the local database at `db_path` and wire the services."""
    fresh = not db_path.exists()
    database = open_database(db_path)
    upgrade(database.writer)
    context = ServiceContext(database=database, clock=clock, data_dir=data_dir or db_path.parent, clerk=clerk)
    calendar = CalendarService(context)
    catalogue = CatalogueService(context)
    setup = SetupService(context, calendar, catalogue)
    dossiers = DossierService(context, calendar)
    services = Services(
        context=context,
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
    )
    if fresh:
        log.info("new local database created")
    setup.ensure_seeded()
    return services
