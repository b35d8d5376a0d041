"""The unit of work: one session, one transaction, the repositories over it; nothing commits by accident."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import AbstractContextManager, contextmanager
from types import TracebackType

from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.orm import Session

from counter_app.errors import StorageFailure
from counter_app.storage import restore_hold
from counter_app.storage.bulk_load import BulkLoader
from counter_app.storage.database import Database
from counter_app.storage.event_chain import AuditKeys
from counter_app.storage.report_queries import ReportQueries
from counter_app.storage.repositories.accounts import UserAccountRepository
from counter_app.storage.repositories.admin_log import AdminEventRepository
from counter_app.storage.repositories.agencies import AgencyRepository
from counter_app.storage.repositories.attachments import AttachmentRepository
from counter_app.storage.repositories.audit_chains import AuditChainRepository
from counter_app.storage.repositories.calendar import CalendarRepository
from counter_app.storage.repositories.documents import DocumentRepository
from counter_app.storage.repositories.dossiers import DossierRepository
from counter_app.storage.repositories.drafts import DraftRepository
from counter_app.storage.repositories.events import EventRepository
from counter_app.storage.repositories.procedures import ProcedureRepository
from counter_app.storage.repositories.sequences import SequenceRepository
from counter_app.storage.repositories.settings import SettingsRepository


class UnitOfWork:
    """`with uow: ...; uow.commit()`; leaving the block without commit rolls everything back."""

    session: Session

    def __init__(self, database: Database, *, write: bool = False, audit_keys: AuditKeys | None = None) -> None:
        self.database = database
        self.write = write
        self.audit_keys = audit_keys  # without them, appending an event is refused (it could not be chained)

    def __enter__(self) -> UnitOfWork:
        factory = self.database.write_sessions if self.write else self.database.read_sessions
        self.session = factory()
        self.dossiers = DossierRepository(self.session)
        self.events = EventRepository(self.session, self.audit_keys)
        self.procedures = ProcedureRepository(self.session)
        self.calendar = CalendarRepository(self.session)
        self.settings = SettingsRepository(self.session)
        self.agencies = AgencyRepository(self.session)
        self.sequences = SequenceRepository(self.session)
        self.documents = DocumentRepository(self.session)
        self.drafts = DraftRepository(self.session)
        self.attachments = AttachmentRepository(self.session)
        self.users = UserAccountRepository(self.session)
        self.admin_log = AdminEventRepository(self.session)
        self.chains = AuditChainRepository(self.session)
        self.reports = ReportQueries(self.session)  # the reports' read-only aggregate queries
        self.bulk = BulkLoader(self.session, self.audit_keys)  # many new dossiers at once (demo data)
        return self

    def __exit__(
        self, exc_type: type[BaseException] | None, exc: BaseException | None, tb: TracebackType | None
    ) -> None:
        # close() rolls back whatever was not committed, and leaves loaded values readable (rollback() expires them)
        self.session.close()

    def commit(self) -> None:
        if not self.write:
            raise RuntimeError("a read-only unit of work cannot commit")
        self.session.commit()

    def on_hold(self) -> bool:
        """Whether the database, restored from a backup, writes nothing before its first sync (storage.restore_hold)."""
        return restore_hold.is_held(self.session)

    def no_autoflush(self) -> AbstractContextManager[None]:
        """A block in which reads do not first write what was changed (many changes that need no chain link)."""
        return self.session.no_autoflush  # type: ignore[return-value]


@contextmanager
def storage_failures() -> Iterator[None]:
    """The database's errors inside the block raised as StorageFailure, for a service that goes on without the data."""
    try:
        yield
    except SQLAlchemyError as exc:
        raise StorageFailure("Không đọc hoặc ghi được cơ sở dữ liệu.", detail=type(exc).__name__) from exc
