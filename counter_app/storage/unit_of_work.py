"""The unit of work: one session, one transaction, the repositories over it; nothing commits by accident."""

from __future__ import annotations

from types import TracebackType

from sqlalchemy.orm import Session

from counter_app.storage.bulk_load import BulkLoader
from counter_app.storage.database import Database
from counter_app.storage.event_chain import AuditKeys
from counter_app.storage.repositories import (
    AgencyRepository,
    AttachmentRepository,
    CalendarRepository,
    DocumentRepository,
    DossierRepository,
    DraftRepository,
    EventRepository,
    ProcedureRepository,
    SequenceRepository,
    SettingsRepository,
    UserAccountRepository,
)


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
