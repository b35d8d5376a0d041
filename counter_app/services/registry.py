"""Services: the typed registry of every service, built by bootstrap; the only object the window holds.

The services every start needs are built at once; the others are built on first use (`_Lazy`), so that their
modules and what they import (reportlab, openpyxl, cryptography, alembic...) load only when asked for: the
window's start and a short command pay only for what they use. What a window may or may not offer is said by
explicit capabilities, never found out by probing attributes (probing a lazy one would build it).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Generic, TypeVar, overload

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
from counter_app.services.installation.counter_profile import CounterProfileService
from counter_app.services.installation.setup import SetupService
from counter_app.services.syncing.credential_store import SyncCredentialStore
from counter_app.services.syncing.sync_runs import SyncService
from counter_app.services.syncing.sync_status import SyncStatusService

if TYPE_CHECKING:
    from argon2 import PasswordHasher

    from counter_app.services.attachments.digitisation import AttachmentService
    from counter_app.services.desk.drafts import DraftService
    from counter_app.services.desk.re_entry import ReEntryService
    from counter_app.services.documents.apology_letters import ApologyLetterService
    from counter_app.services.documents.print_records import PrintRecordService
    from counter_app.services.documents.printed_documents import DocumentService
    from counter_app.services.installation.demo import DemoDataService
    from counter_app.services.maintenance.backups import BackupService
    from counter_app.services.maintenance.integrity import IntegrityService
    from counter_app.services.reports.period_reports import ReportService

T = TypeVar("T")
_BUILD_LOCK = threading.RLock()  # a service asked for by two threads at once is built once


class _Lazy(Generic[T]):
    """A service built on first use, from the other services; then an ordinary attribute of the instance."""

    def __init__(self, build: Callable[[Services], T]) -> None:
        self._build = build
        self._name = ""

    def __set_name__(self, owner: type, name: str) -> None:
        self._name = name

    @overload
    def __get__(self, instance: None, owner: type) -> _Lazy[T]: ...
    @overload
    def __get__(self, instance: Services, owner: type) -> T: ...
    def __get__(self, instance: Services | None, owner: type) -> T | _Lazy[T]:
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


def _apology_letters(s: Services) -> ApologyLetterService:
    from counter_app.services.documents.apology_letters import ApologyLetterService

    return ApologyLetterService(s.late, s.documents)


def _print_records(s: Services) -> PrintRecordService:
    from counter_app.services.documents.print_records import PrintRecordService

    return PrintRecordService(s.documents, s.settings)


def _demo(s: Services) -> DemoDataService:
    from counter_app.services.installation.demo import DemoDataService

    return DemoDataService(s.context, s.calendar, s.catalogue, s.dossiers)


def _re_entry(s: Services) -> ReEntryService:
    from counter_app.services.desk.re_entry import ReEntryService

    return ReEntryService(s.intake)


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


@dataclass(frozen=True)
class Capabilities:
    """What this installation's window offers beyond the desk's core (each off only in a narrowed set-up)."""

    documents: bool = True  # rendering and printing the forms
    attachments: bool = True  # digitising the papers (scans, files)


@dataclass(frozen=True)
class Services:
    """Every service of one installation over one database; `context` is for bootstrap and the command line, the
    window goes through the services only (a test forbids `.context.` under counter_app/ui)."""

    context: ServiceContext
    accounts: AccountService
    audit: AuditService
    calendar: CalendarService
    catalogue: CatalogueService
    setup: SetupService
    settings: CounterProfileService
    intake: IntakeService
    dossiers: DossierService
    late: LateService
    queue: QueueService
    sync: SyncService
    sync_status: SyncStatusService
    capabilities: Capabilities = Capabilities()
    # built on first use
    documents = _Lazy(_documents)
    print_records = _Lazy(_print_records)
    apology_letters = _Lazy(_apology_letters)
    demo = _Lazy(_demo)
    re_entry = _Lazy(_re_entry)
    drafts = _Lazy(_drafts)
    reports = _Lazy(_reports)
    backup = _Lazy(_backup)
    integrity = _Lazy(_integrity)
    attachments = _Lazy(_attachments)

    @property
    def clock(self) -> Clock:
        """The installation's clock (the drill clock in a drill): what "today" is on every screen."""
        return self.context.clock

    def bound_to_acting_clerk(self, call: Callable[[], T]) -> Callable[[], T]:
        """`call`, to be run later, acting as the person at the counter now: an action queued before a sign-out
        and a sign-in is recorded under the person who asked for it, never the next one."""
        person = self.context.acting
        context = self.context

        def acting() -> T:
            with context.acting_as(person):
                return call()

        return acting

    def close(self) -> None:
        self.context.database.dispose()


def build_registry(context: ServiceContext, *, hasher: PasswordHasher | None = None) -> Services:
    """Wire the services over `context` (its database opened and upgraded); `hasher`: see AccountService."""
    calendar = CalendarService(context)
    catalogue = CatalogueService(context)
    setup = SetupService(context, calendar, catalogue)
    accounts = AccountService(context, hasher=hasher)
    dossiers = DossierService(context, calendar)
    sync = SyncService(context)
    sync_credentials = SyncCredentialStore(context.data_dir, context.vault)
    return Services(
        context=context,
        accounts=accounts,
        audit=AuditService(context, sync_credential=sync_credentials.load),
        calendar=calendar,
        catalogue=catalogue,
        setup=setup,
        settings=CounterProfileService(context, setup, accounts, sync_credentials),
        intake=IntakeService(context, calendar),
        dossiers=dossiers,
        late=LateService(context, calendar, dossiers),
        queue=QueueService(context, calendar),
        sync=sync,
        sync_status=SyncStatusService(context, sync),
    )
