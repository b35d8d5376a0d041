"""SQLAlchemy models of the local database: agency, counters, catalogue, dossiers, events, documents, calendar."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import (
    DDL,
    Boolean,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
    UniqueConstraint,
    case,
    event,
    exists,
    false,
    text,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from counter_app.domain.event_delivery import EventDelivery
from counter_app.domain.event_kinds import EventKind
from counter_app.storage.types import VnDateTime

NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


# The event kinds the report figures count per period, the only rows of ix_event_kind_time. A query uses that
# index only when its WHERE names one of these kinds as a literal (storage/report_queries/).
REPORT_EVENT_KINDS = (EventKind.SUPPLEMENT_REQUESTED, EventKind.REAPPOINTED, EventKind.HANDED_OVER)
REPORT_EVENT_KINDS_SQL = " OR ".join(f"kind = '{kind}'" for kind in REPORT_EVENT_KINDS)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class AgencyRow(Base):
    __tablename__ = "agency"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    parent_authority: Mapped[str] = mapped_column(String(200), default="")
    place: Mapped[str] = mapped_column(String(100), default="")
    counter_digits: Mapped[int] = mapped_column(Integer, default=1)
    number_digits: Mapped[int] = mapped_column(Integer, default=3)


class CounterRow(Base):
    """A counter of an agency known to this installation (its own, and those learnt from the central)."""

    __tablename__ = "counter"

    agency_code: Mapped[str] = mapped_column(ForeignKey("agency.code"), primary_key=True)
    number: Mapped[int] = mapped_column(Integer, primary_key=True)
    label: Mapped[str] = mapped_column(String(100), default="")


class ProcedureRow(Base):
    __tablename__ = "procedure"

    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    name: Mapped[str] = mapped_column(String(300))
    name_key: Mapped[str] = mapped_column(String(300), index=True)
    field: Mapped[str] = mapped_column(String(200))
    deciding_agency: Mapped[str] = mapped_column(String(200))
    days: Mapped[int] = mapped_column(Integer)
    same_day_cutoff: Mapped[str | None] = mapped_column(String(5))
    fee: Mapped[int] = mapped_column(Integer, default=0)
    supplement_rule: Mapped[str] = mapped_column(String(10), default="pause")
    demo: Mapped[bool] = mapped_column(Boolean, default=False)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    papers: Mapped[list[ProcedurePaperRow]] = relationship(
        order_by="ProcedurePaperRow.position", cascade="all, delete-orphan", lazy="selectin"
    )


class ProcedurePaperRow(Base):
    __tablename__ = "procedure_paper"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    procedure_code: Mapped[str] = mapped_column(ForeignKey("procedure.code", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    originals: Mapped[int] = mapped_column(Integer, default=1)
    copies: Mapped[int] = mapped_column(Integer, default=0)


class DossierRow(Base):
    """The current state of a dossier or a counter slip, a projection of its events (the events are the truth)."""

    __tablename__ = "dossier"
    __table_args__ = (
        Index("ix_dossier_stage_due", "stage", "due_at"),
        Index("ix_dossier_received", "received_at"),
        # reports: resolved / ended in a period, open at a moment (finished_at IS NULL OR >= moment)
        Index("ix_dossier_finished", "finished_at"),
        # the tracking book of one field, in order of reception
        Index("ix_dossier_field_received", "field", "received_at"),
    )

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), default="dossier")  # dossier | supplement_slip | refusal_slip
    code: Mapped[str | None] = mapped_column(String(60), unique=True)
    slip: Mapped[str | None] = mapped_column(String(40), unique=True)
    agency_code: Mapped[str] = mapped_column(String(40))
    counter: Mapped[int] = mapped_column(Integer)
    rule_set: Mapped[str] = mapped_column(String(20), default="TT03-2025")
    procedure_code: Mapped[str] = mapped_column(String(40), index=True)
    procedure_name: Mapped[str] = mapped_column(String(300))
    field: Mapped[str] = mapped_column(String(200), default="")
    deciding_agency: Mapped[str] = mapped_column(String(200), default="")
    stage: Mapped[str] = mapped_column(String(30))
    status: Mapped[int] = mapped_column(Integer, index=True)
    channel: Mapped[int] = mapped_column(Integer, default=1)
    applicant_kind: Mapped[str] = mapped_column(String(20), default="person")
    applicant_name: Mapped[str] = mapped_column(String(200))
    name_key: Mapped[str] = mapped_column(String(200), index=True)
    applicant_identifier: Mapped[str] = mapped_column(String(20), index=True, default="")
    applicant_birth_date: Mapped[str | None] = mapped_column(String(10))
    applicant_sex: Mapped[str | None] = mapped_column(String(10))
    applicant_address: Mapped[str] = mapped_column(Text, default="")
    applicant_phone: Mapped[str] = mapped_column(String(20), index=True, default="")
    applicant_email: Mapped[str] = mapped_column(String(200), default="")
    filer_name: Mapped[str] = mapped_column(String(200), default="")
    filer_identifier: Mapped[str] = mapped_column(String(20), default="")
    filer_phone: Mapped[str] = mapped_column(String(20), default="")
    filer_authorisation: Mapped[str] = mapped_column(String(300), default="")
    result_delivery: Mapped[str] = mapped_column(String(10), default="desk")  # desk | post | online
    postal_address: Mapped[str] = mapped_column(Text, default="")
    sets_count: Mapped[int] = mapped_column(Integer, default=1)
    fee: Mapped[int] = mapped_column(Integer, default=0)
    fee_paid: Mapped[bool] = mapped_column(Boolean, default=False)
    processing_days: Mapped[int] = mapped_column(Integer, default=0)
    same_day_cutoff: Mapped[str | None] = mapped_column(String(5))
    supplement_rule: Mapped[str] = mapped_column(String(10), default="pause")
    received_at: Mapped[datetime] = mapped_column(VnDateTime())
    due_at: Mapped[datetime | None] = mapped_column(VnDateTime())
    original_due_at: Mapped[datetime | None] = mapped_column(VnDateTime())
    calendar_version: Mapped[str] = mapped_column(String(200), default="")
    calendar_estimated: Mapped[bool] = mapped_column(Boolean, default=False)
    paused_at: Mapped[datetime | None] = mapped_column(VnDateTime())
    finished_at: Mapped[datetime | None] = mapped_column(VnDateTime())
    reappointed: Mapped[bool] = mapped_column(Boolean, default=False)
    supervisor_flag: Mapped[str] = mapped_column(String(300), default="")
    reason: Mapped[str] = mapped_column(Text, default="")
    book_volume: Mapped[int] = mapped_column(Integer, default=1)
    book_index: Mapped[int] = mapped_column(Integer, default=0)
    event_count: Mapped[int] = mapped_column(Integer, default=0)
    updated_at: Mapped[datetime] = mapped_column(VnDateTime())
    papers: Mapped[list[DossierPaperRow]] = relationship(
        order_by="DossierPaperRow.position", cascade="all, delete-orphan", lazy="selectin"
    )


# The name search: an FTS5 trigram index over dossier.name_key (the folded applicant name), kept in step by
# triggers so that every writer of dossier rows (the ORM, bulk inserts, plain SQL) keeps it right. Contentless:
# its rowid is the key (reception second << 31) + dossier rowid, unique and in order of reception, so the most
# recent matches come first from `ORDER BY rowid DESC` (storage/repositories/dossiers.py; the dossier's rowid is the
# key's low 31 bits). SQLAlchemy has no model for a virtual table: these statements run after the tables are
# created (metadata.create_all), and migration 0003 holds a frozen copy of them. A migration that rebuilds the
# dossier table (Alembic batch mode on SQLite) drops these triggers and must create them again, and must keep
# the dossiers' rowids (the index names them).
NAME_SEARCH_TABLE = "dossier_name_fts"
NAME_SEARCH_DDL = (
    "CREATE VIRTUAL TABLE dossier_name_fts USING fts5(name_key, content='', tokenize='trigram', detail='full')",
    "CREATE TRIGGER dossier_name_fts_insert AFTER INSERT ON dossier BEGIN "
    "INSERT INTO dossier_name_fts(rowid, name_key) "
    "VALUES ((CAST(strftime('%s', new.received_at) AS INTEGER) << 31) + new.rowid, new.name_key); END",
    "CREATE TRIGGER dossier_name_fts_delete AFTER DELETE ON dossier BEGIN "
    "INSERT INTO dossier_name_fts(dossier_name_fts, rowid, name_key) "
    "VALUES ('delete', (CAST(strftime('%s', old.received_at) AS INTEGER) << 31) + old.rowid, old.name_key); END",
    "CREATE TRIGGER dossier_name_fts_update AFTER UPDATE OF name_key, received_at ON dossier BEGIN "
    "INSERT INTO dossier_name_fts(dossier_name_fts, rowid, name_key) "
    "VALUES ('delete', (CAST(strftime('%s', old.received_at) AS INTEGER) << 31) + old.rowid, old.name_key); "
    "INSERT INTO dossier_name_fts(rowid, name_key) "
    "VALUES ((CAST(strftime('%s', new.received_at) AS INTEGER) << 31) + new.rowid, new.name_key); END",
)


def is_name_search_table(name: str) -> bool:
    """The FTS5 table and its shadow tables (`dossier_name_fts_data`, …), which no model declares."""
    return name == NAME_SEARCH_TABLE or name.startswith(NAME_SEARCH_TABLE + "_")


class DossierPaperRow(Base):
    __tablename__ = "dossier_paper"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    dossier_uuid: Mapped[str] = mapped_column(ForeignKey("dossier.uuid", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(300))
    originals: Mapped[int] = mapped_column(Integer, default=0)
    copies: Mapped[int] = mapped_column(Integer, default=0)
    missing: Mapped[bool] = mapped_column(Boolean, default=False)


# The outbox: which of this counter's events the central has not acknowledged yet, as (seq, uuid) keys in the
# order a push reads them (migration 0006). A trigger lists every event recorded here (origin local) as it is
# inserted, whoever inserts it (the ORM, bulk loads, plain SQL); a push removes a batch's keys once the central
# committed it: a range delete in a narrow table, where marking each event row sent rewrote the whole log's
# pages (~30 MB of WAL for 10,000 dossiers). A dead letter leaves it too, with event.sync_state = 2.
EVENT_OUTBOX_TABLE = "event_outbox"
EVENT_OUTBOX_DDL = (
    "CREATE TRIGGER event_outbox_insert AFTER INSERT ON event "
    "WHEN new.origin = 'local' AND new.sync_state = 0 BEGIN "
    "INSERT INTO event_outbox(seq, uuid) VALUES (new.seq, new.uuid); END",
    "CREATE TRIGGER event_outbox_delete AFTER DELETE ON event BEGIN "
    "DELETE FROM event_outbox WHERE seq = old.seq AND uuid = old.uuid; END",
)


class EventRow(Base):
    """Append-only log: every change of a dossier (and of shared data) as one event, the unit of sync."""

    __tablename__ = "event"
    __table_args__ = (
        UniqueConstraint("agency_code", "counter", "seq"),
        # a dossier's events in replay order (storage.event_order), and its highest lamport for the next event
        Index("ix_event_dossier", "dossier_uuid", "lamport"),
        # reports: events of one of the kinds they count, in a period. Partial: an index on every kind would be
        # chosen over ix_event_dossier for "kind = 'dossier.transferred' AND dossier_uuid IN (…)" (sync).
        Index("ix_event_kind_time", "kind", "occurred_at", sqlite_where=text(REPORT_EVENT_KINDS_SQL)),
        # the tracking book: when each dossier was handed over, from the index alone
        Index(
            "ix_event_handed_over",
            "dossier_uuid",
            "occurred_at",
            sqlite_where=text(f"kind = '{EventKind.HANDED_OVER}'"),
        ),
    )

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    dossier_uuid: Mapped[str | None] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(60))
    payload: Mapped[str] = mapped_column(Text)  # JSON, sorted keys
    occurred_at: Mapped[datetime] = mapped_column(VnDateTime())
    agency_code: Mapped[str] = mapped_column(String(40))
    counter: Mapped[int] = mapped_column(Integer)
    seq: Mapped[int] = mapped_column(Integer)  # per counter, gap-free, the order of the counter's own log
    # Lamport clock of the dossier: 1 + the highest of the dossier's events the recording counter held (0 without
    # a dossier); first in the replay order (storage.event_order). Not sealed by the audit chain. The server
    # default is only there because SQLite adds a NOT NULL column with one (migration 0009): every writer sets it.
    lamport: Mapped[int] = mapped_column(Integer, server_default=text("0"))
    clerk: Mapped[str] = mapped_column(String(100), default="")
    origin: Mapped[str] = mapped_column(String(10), default="local")  # local | central (pulled)
    # 2: dead letter (sync_error says why). Otherwise delivered unless listed in event_outbox; 1 marks the events
    # pulled from the central, and those sent before migration 0006. Read it through DELIVERY_STATE.
    sync_state: Mapped[int] = mapped_column(Integer, default=0)
    sync_error: Mapped[str] = mapped_column(Text, default="")
    # tamper evidence: HMAC chain per counter (prev_hash of seq n is hash of seq n-1)
    prev_hash: Mapped[str] = mapped_column(String(64), default="")
    hash: Mapped[str] = mapped_column(String(64), default="")


class EventOutboxRow(Base):
    """An event of this counter not yet acknowledged by the central (EVENT_OUTBOX_DDL keeps the list)."""

    __tablename__ = EVENT_OUTBOX_TABLE
    __table_args__ = ({"sqlite_with_rowid": False},)

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)


# An event's delivery, as the clerk and the audit see it: 0 unsent, 1 on the central (sent, or pulled from it),
# 2 dead letter. A look-up of the outbox's primary key per event.
DELIVERY_STATE = case(
    (EventRow.sync_state == EventDelivery.DEAD, EventDelivery.DEAD),
    (
        exists().where(EventOutboxRow.seq == EventRow.seq, EventOutboxRow.uuid == EventRow.uuid),
        EventDelivery.PENDING,
    ),
    else_=EventDelivery.SENT,
)


class DocumentRow(Base):
    """A printed document: its number, its archived PDF and how often it was printed."""

    __tablename__ = "document"
    __table_args__ = (UniqueConstraint("number_key"),)

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    dossier_uuid: Mapped[str] = mapped_column(ForeignKey("dossier.uuid"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    number: Mapped[str] = mapped_column(String(60))  # as printed after "Số:"
    number_key: Mapped[str] = mapped_column(String(80))  # agency + year + number: unique
    created_at: Mapped[datetime] = mapped_column(VnDateTime())
    path: Mapped[str] = mapped_column(Text, default="")
    print_count: Mapped[int] = mapped_column(Integer, default=0)
    reprint_count: Mapped[int] = mapped_column(Integer, default=0)


class SequenceRow(Base):
    """Last number used in a numbering scope (a counter's day of dossier codes, a counter's year of documents)."""

    __tablename__ = "number_sequence"

    scope: Mapped[str] = mapped_column(String(80), primary_key=True)
    last: Mapped[int] = mapped_column(Integer, default=0)


class CalendarYearRow(Base):
    __tablename__ = "calendar_year"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    version: Mapped[str] = mapped_column(String(100))
    source: Mapped[str] = mapped_column(Text)
    data: Mapped[str] = mapped_column(Text)  # the import format, JSON
    origin: Mapped[str] = mapped_column(String(20), default="shipped")  # shipped | imported | central
    imported_at: Mapped[datetime] = mapped_column(VnDateTime())


class SettingRow(Base):
    __tablename__ = "setting"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[str] = mapped_column(Text)


class DraftRow(Base):
    """An unfinished intake form, kept so that nothing typed is lost across screens and restarts."""

    __tablename__ = "draft"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    data: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(VnDateTime())


class UserAccountRow(Base):
    """A clerk's, supervisor's or administrator's account on this installation."""

    __tablename__ = "user_account"

    name: Mapped[str] = mapped_column(String(60), primary_key=True)
    full_name: Mapped[str] = mapped_column(String(200), default="")
    title: Mapped[str] = mapped_column(String(100), default="", server_default="")  # chức vụ
    role: Mapped[str] = mapped_column(String(20))  # clerk | supervisor | admin
    password_hash: Mapped[str] = mapped_column(Text)  # Argon2id, PHC string
    disabled: Mapped[bool] = mapped_column(Boolean, default=False)
    failed_count: Mapped[int] = mapped_column(Integer, default=0)
    last_failed_at: Mapped[datetime | None] = mapped_column(VnDateTime())
    created_at: Mapped[datetime] = mapped_column(VnDateTime())
    # a password reset by an administrator: the next sign-in asks for a new one before anything else
    must_change_password: Mapped[bool] = mapped_column(Boolean, default=False, server_default=false())


# AttachmentRow.sync_state: waiting for upload, on the central, upload failed (retried), or pulled: digitised at
# another counter, held by the central, its file fetched here only when the dossier is opened
ATTACHMENT_PENDING, ATTACHMENT_UPLOADED, ATTACHMENT_FAILED, ATTACHMENT_PULLED = 0, 1, 2, 3
ATTACHMENT_ON_CENTRAL = (ATTACHMENT_UPLOADED, ATTACHMENT_PULLED)


class AttachmentRow(Base):
    """A scanned or added paper of a dossier: one PDF per paper, stored under the data folder by its SHA-256."""

    __tablename__ = "attachment"
    __table_args__ = (Index("ix_attachment_dossier", "dossier_uuid", "paper_position"),)

    uuid: Mapped[str] = mapped_column(String(36), primary_key=True)
    dossier_uuid: Mapped[str] = mapped_column(ForeignKey("dossier.uuid"))
    paper_position: Mapped[int] = mapped_column(Integer)
    paper_name: Mapped[str] = mapped_column(String(300), default="")
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    pages: Mapped[int] = mapped_column(Integer, default=0)
    size: Mapped[int] = mapped_column(Integer, default=0)
    exempt_reason: Mapped[str] = mapped_column(Text, default="")  # set when the paper is exempt from digitisation
    created_at: Mapped[datetime] = mapped_column(VnDateTime())
    clerk: Mapped[str] = mapped_column(String(100), default="")
    sync_state: Mapped[int] = mapped_column(Integer, default=0)  # 0 pending, 1 uploaded, 2 error
    uploaded_bytes: Mapped[int] = mapped_column(Integer, default=0)
    sync_error: Mapped[str] = mapped_column(Text, default="")


for _statement in EVENT_OUTBOX_DDL:  # once both tables exist
    event.listen(Base.metadata, "after_create", DDL(_statement).execute_if(dialect="sqlite"))  # type: ignore[no-untyped-call]
for _statement in NAME_SEARCH_DDL:
    # DDL() formats its text with %: the strftime('%s', …) of the triggers is written %%s for it
    _ddl = DDL(_statement.replace("%", "%%"))  # type: ignore[no-untyped-call]
    event.listen(DossierRow.__table__, "after_create", _ddl.execute_if(dialect="sqlite"))
