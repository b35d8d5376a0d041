"""Repositories: the only code that reads and writes rows; they speak domain values, not SQL, to services."""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import asdict, fields
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, func, insert, literal_column, or_, select, update
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, noload
from sqlalchemy.sql.elements import ColumnClause

from counter_app.domain.audit_chain import ChainLink
from counter_app.domain.dossier import DossierState, PaperEntry
from counter_app.storage import restore_hold
from counter_app.storage.event_chain import AuditKeys, ChainWriter
from counter_app.storage.models import (
    ATTACHMENT_FAILED,
    ATTACHMENT_PENDING,
    NAME_SEARCH_TABLE,
    AgencyRow,
    AttachmentRow,
    CalendarYearRow,
    CounterRow,
    DocumentRow,
    DossierPaperRow,
    DossierRow,
    DraftRow,
    EventRow,
    ProcedurePaperRow,
    ProcedureRow,
    SequenceRow,
    SettingRow,
    UserAccountRow,
)
from counter_app.storage.types import vn_text

_STATE_COLUMNS = tuple(f.name for f in fields(DossierState) if f.name != "papers")


# The name search (models.NAME_SEARCH_DDL). A fragment of one or two letters is looked for among this many
# most recent dossiers (see DossierRepository.name_rowids).
_RECENT_SCAN = 2_000
_ROWID_BITS = (1 << 31) - 1  # the dossier's rowid in a key of the name index
_DOSSIER_ROWID = literal_column("dossier.rowid", Integer())
_TEXT_MAX = "\U0010ffff"  # sorts after every character: code >= p AND code < p + _TEXT_MAX is "starts with p"
_FTS_NEWEST = sql_text(
    f"SELECT rowid FROM {NAME_SEARCH_TABLE} WHERE {NAME_SEARCH_TABLE} MATCH :phrase ORDER BY rowid DESC LIMIT :limit"  # noqa: S608
)


def _like_escape(fragment: str) -> str:
    return fragment.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def state_from_row(row: DossierRow, *, papers: bool = True) -> DossierState:
    """The state held in `row`; with `papers=False` its papers are left out (and not loaded)."""
    values: dict[str, Any] = {name: getattr(row, name) for name in _STATE_COLUMNS}
    if not papers:
        return DossierState(**values)
    entries = tuple(
        PaperEntry(name=p.name, originals=p.originals, copies=p.copies, missing=p.missing) for p in row.papers
    )
    return DossierState(**values, papers=entries)


class DossierRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, uuid: str) -> DossierState | None:
        row = self.session.get(DossierRow, uuid)
        return state_from_row(row) if row else None

    def by_code(self, code: str, *, papers: bool = True) -> DossierState | None:
        """The dossier with this code; `papers=False` spares the second query that loads its papers."""
        query = select(DossierRow).where(DossierRow.code == code)
        if not papers:
            query = query.options(noload(DossierRow.papers))
        row = self.session.scalars(query).first()
        return state_from_row(row, papers=papers) if row else None

    def by_slip(self, slip: str) -> DossierState | None:
        row = self.session.scalars(select(DossierRow).where(DossierRow.slip == slip)).first()
        return state_from_row(row) if row else None

    def save(self, state: DossierState) -> None:
        """Write the projection of a dossier (insert or update), papers included."""
        row = self.session.get(DossierRow, state.uuid)
        from counter_app.domain.citizen import fold

        if row is None:
            row = DossierRow(uuid=state.uuid)
            self.session.add(row)
        for name in _STATE_COLUMNS:
            if name != "uuid":
                setattr(row, name, getattr(state, name))
        row.name_key = fold(state.applicant_name)
        if [(p.name, p.originals, p.copies, p.missing) for p in row.papers] != [
            (p.name, p.originals, p.copies, p.missing) for p in state.papers
        ]:
            row.papers = [
                DossierPaperRow(position=i, name=p.name, originals=p.originals, copies=p.copies, missing=p.missing)
                for i, p in enumerate(state.papers, start=1)
            ]

    def insert_many(self, states: Sequence[DossierState]) -> None:
        """Bulk insert of new dossiers (generated data, imports): core inserts, no ORM objects."""
        from counter_app.domain.citizen import fold

        rows = []
        papers: list[dict[str, Any]] = []
        for state in states:
            values = {name: getattr(state, name) for name in _STATE_COLUMNS}
            values["name_key"] = fold(state.applicant_name)
            rows.append(values)
            papers.extend(
                {
                    "dossier_uuid": state.uuid,
                    "position": i,
                    "name": p.name,
                    "originals": p.originals,
                    "copies": p.copies,
                    "missing": p.missing,
                }
                for i, p in enumerate(state.papers, start=1)
            )
        # render_nulls: the dossiers whose optional fields (code, dates, ...) are unset go in the same batch as the
        # others; otherwise the ORM groups rows by which keys are not None, one statement per group (a pull of
        # 10,000 dossiers took 2,400 of them). A None only ever stands in a nullable column.
        if rows:
            self.session.execute(insert(DossierRow).execution_options(render_nulls=True), rows)
        if papers:
            self.session.execute(insert(DossierPaperRow).execution_options(render_nulls=True), papers)

    def search(self, text: str, *, folded: str, limit: int = 200, papers: bool = True) -> list[DossierState]:
        """By code (exact or prefix), slip, identifier, phone, or a diacritic-folded name fragment; newest first.

        Each way is its own indexed look-up (one OR of them all reads every dossier): codes, slips, identifiers
        and phones through their indexes, names through the trigram index (`name_rowids`). With `papers=False`
        (a list of results) the states come without their papers, read as plain rows (no ORM objects).
        """
        text = text.strip()
        columns = [DossierRow.__table__.c[name] for name in _STATE_COLUMNS]
        exact = or_(
            DossierRow.code == text,
            DossierRow.slip == text,
            DossierRow.applicant_identifier == text,
            DossierRow.applicant_phone == text,
        )
        queries = [select(*columns).where(exact).order_by(DossierRow.received_at.desc()).limit(limit)]
        if len(text) >= 3:
            # a prefix as a range of the unique index on code (LIKE 'x%' is case-insensitive and uses no index)
            prefix = text.upper()
            queries.append(
                select(*columns)
                .where(DossierRow.code >= prefix, DossierRow.code < prefix + _TEXT_MAX)
                .order_by(DossierRow.received_at.desc())
                .limit(limit)
            )
        if folded:
            rowids = self.name_rowids(folded, limit=limit)
            if rowids:
                # the name checked again: an index entry left behind by some unforeseen writer names a wrong row
                holds = DossierRow.name_key.like("%" + _like_escape(folded) + "%", escape="\\")
                queries.append(select(*columns).where(_DOSSIER_ROWID.in_(rowids), holds))
        found: dict[str, DossierState] = {}
        for query in queries:
            for row in self.session.execute(query):
                state = DossierState(**row._asdict())
                found.setdefault(state.uuid, state)
        states = sorted(found.values(), key=lambda s: (s.received_at, s.uuid), reverse=True)[:limit]
        if not papers:
            return states
        return [self.get(state.uuid) or state for state in states]

    def name_rowids(self, folded: str, *, limit: int) -> list[int]:
        """Rowids of the `limit` most recently received dossiers whose folded name holds `folded`, newest first.

        Three letters or more: the trigram index, whose rowids are in order of reception (models.NAME_SEARCH_DDL),
        walked from the newest and stopped at the `limit`-th match. One or two letters hold no trigram: the
        most recent `_RECENT_SCAN` dossiers are searched (search as you type: the third letter searches all).
        """
        if len(folded) < 3:
            holds = DossierRow.name_key.like("%" + _like_escape(folded) + "%", escape="\\")
            recent = (
                select(_DOSSIER_ROWID)
                .select_from(DossierRow)
                .order_by(DossierRow.received_at.desc())
                .limit(_RECENT_SCAN)
                .correlate(None)
            )
            query = (
                select(_DOSSIER_ROWID)
                .where(_DOSSIER_ROWID.in_(recent), holds)
                .order_by(DossierRow.received_at.desc())
                .limit(limit)
            )
            return [int(r) for r in self.session.scalars(query)]
        phrase = '"' + folded.replace('"', '""') + '"'
        keys = self.session.execute(_FTS_NEWEST, {"phrase": phrase, "limit": limit}).scalars()
        return [int(key) & _ROWID_BITS for key in keys]

    def open_dossiers(self, statuses: Sequence[int]) -> list[DossierState]:
        rows = self.session.scalars(
            select(DossierRow).where(DossierRow.status.in_(statuses)).order_by(DossierRow.due_at)
        ).all()
        return [state_from_row(r) for r in rows]

    def open_due_before(self, statuses: Sequence[int], moment: datetime) -> list[DossierState]:
        """Open dossiers whose appointment is before `moment` (text order of VnDateTime is time order)."""
        rows = self.session.scalars(
            select(DossierRow)
            .where(DossierRow.status.in_(statuses), DossierRow.due_at.is_not(None), DossierRow.due_at < moment)
            .order_by(DossierRow.due_at)
        ).all()
        return [state_from_row(r) for r in rows]

    def received_between(self, start: datetime, end: datetime, limit: int | None = None) -> list[DossierState]:
        query = (
            select(DossierRow)
            .where(DossierRow.received_at >= start, DossierRow.received_at < end)
            .order_by(DossierRow.received_at.desc())
        )
        if limit is not None:
            query = query.limit(limit)
        return [state_from_row(r) for r in self.session.scalars(query).all()]

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(DossierRow)) or 0)

    # --- Work-queue queries (services/desk/queue.py, the window's queue tabs) -------------------------------------
    # Paged (offset/limit) so the window loads one page of rows at a time, never the whole table.

    def received_page(self, start: datetime, end: datetime, *, offset: int, limit: int) -> list[DossierState]:
        """Dossiers and slips received in [start, end), newest first."""
        rows = self.session.scalars(
            select(DossierRow)
            .where(DossierRow.received_at >= start, DossierRow.received_at < end)
            .order_by(DossierRow.received_at.desc(), DossierRow.uuid)
            .offset(offset)
            .limit(limit)
        ).all()
        return [state_from_row(r) for r in rows]

    def count_received(self, start: datetime, end: datetime) -> int:
        query = select(func.count()).where(DossierRow.received_at >= start, DossierRow.received_at < end)
        return int(self.session.scalar(query.select_from(DossierRow)) or 0)

    def open_due_page(
        self,
        statuses: Sequence[int],
        *,
        due_from: datetime | None,
        due_before: datetime | None,
        offset: int,
        limit: int,
    ) -> list[DossierState]:
        """Dossiers in `statuses` with due_from <= due_at < due_before (either bound optional), earliest first."""
        query = select(DossierRow).where(*self._due_conditions(statuses, due_from, due_before))
        rows = self.session.scalars(
            query.order_by(DossierRow.due_at, DossierRow.uuid).offset(offset).limit(limit)
        ).all()
        return [state_from_row(r) for r in rows]

    def count_open_due(self, statuses: Sequence[int], *, due_from: datetime | None, due_before: datetime | None) -> int:
        query = select(func.count()).where(*self._due_conditions(statuses, due_from, due_before))
        return int(self.session.scalar(query.select_from(DossierRow)) or 0)

    @staticmethod
    def _due_conditions(statuses: Sequence[int], due_from: datetime | None, due_before: datetime | None) -> list[Any]:
        # VnDateTime stores sortable ISO text in one offset, so text comparison is time comparison
        conditions: list[Any] = [DossierRow.status.in_(statuses), DossierRow.due_at.is_not(None)]
        if due_from is not None:
            conditions.append(DossierRow.due_at >= due_from)
        if due_before is not None:
            conditions.append(DossierRow.due_at < due_before)
        return conditions

    def status_page(self, statuses: Sequence[int], *, offset: int, limit: int) -> list[DossierState]:
        """Dossiers in `statuses`, the longest waiting first."""
        rows = self.session.scalars(
            select(DossierRow)
            .where(DossierRow.status.in_(statuses))
            .order_by(DossierRow.updated_at, DossierRow.uuid)
            .offset(offset)
            .limit(limit)
        ).all()
        return [state_from_row(r) for r in rows]

    def count_status(self, statuses: Sequence[int]) -> int:
        query = select(func.count()).where(DossierRow.status.in_(statuses))
        return int(self.session.scalar(query.select_from(DossierRow)) or 0)


class EventRepository:
    """The event log; every row appended here is linked into its counter's audit chain (storage.event_chain)."""

    def __init__(self, session: Session, keys: AuditKeys | None = None) -> None:
        self.session = session
        self.keys = keys

    def _writer(self, agency_code: str, counter: int) -> ChainWriter:
        restore_hold.check(self.session)  # a restored database writes nothing before its first sync
        return ChainWriter(self.session, self.keys, SettingsRepository(self.session), agency_code, counter)

    def append(
        self,
        *,
        uuid: str,
        kind: str,
        dossier_uuid: str | None,
        payload: dict[str, Any],
        occurred_at: datetime,
        agency_code: str,
        counter: int,
        clerk: str,
    ) -> EventRow:
        text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
        writer = self._writer(agency_code, counter)
        change = writer.key_change(vn_text(occurred_at), clerk)
        if change is not None:
            self.session.add(_key_change_row(change, occurred_at))
            self.session.flush()  # in seq order: the key change before the caller's event
        link = writer.link(
            ChainLink(uuid, kind, dossier_uuid, text, vn_text(occurred_at), agency_code, counter, 0, clerk, "")
        )
        row = EventRow(
            uuid=uuid,
            kind=kind,
            dossier_uuid=dossier_uuid,
            payload=text,
            occurred_at=occurred_at,
            agency_code=agency_code,
            counter=counter,
            seq=link.seq,
            clerk=clerk,
            prev_hash=link.prev_hash,
            hash=link.hash,
        )
        self.session.add(row)
        return row

    def append_many(
        self,
        rows: Sequence[tuple[str, dict[str, Any], datetime, str]],
        *,
        agency_code: str,
        counter: int,
        clerk: str,
    ) -> None:
        """Bulk append (kind, payload, occurred_at, dossier_uuid) in order, for generated data and imports."""
        from counter_app.domain.codes import new_uuid

        if not rows:
            return
        writer = self._writer(agency_code, counter)
        values = []
        change = writer.key_change(vn_text(rows[0][2]), clerk)
        if change is not None:
            self.session.add(_key_change_row(change, rows[0][2]))
            self.session.flush()
        for kind, payload, at, dossier_uuid in rows:
            text = json.dumps(payload, ensure_ascii=False, sort_keys=True)
            link = writer.link(
                ChainLink(str(new_uuid()), kind, dossier_uuid, text, vn_text(at), agency_code, counter, 0, clerk, "")
            )
            values.append(
                {
                    "uuid": link.uuid,
                    "kind": kind,
                    "dossier_uuid": dossier_uuid,
                    "payload": text,
                    "occurred_at": at,
                    "agency_code": agency_code,
                    "counter": counter,
                    "seq": link.seq,
                    "clerk": clerk,
                    "origin": "local",
                    "sync_state": 0,
                    "sync_error": "",
                    "prev_hash": link.prev_hash,
                    "hash": link.hash,
                }
            )
        self.session.execute(insert(EventRow), values)

    def for_dossier(self, dossier_uuid: str) -> list[EventRow]:
        return list(
            self.session.scalars(
                select(EventRow)
                .where(EventRow.dossier_uuid == dossier_uuid)
                .order_by(EventRow.occurred_at, EventRow.agency_code, EventRow.counter, EventRow.seq)
            ).all()
        )


def _key_change_row(change: ChainLink, occurred_at: datetime) -> EventRow:
    """The row of the event that records a new audit key for a chain sealed with a lost one (event_chain)."""
    return EventRow(
        uuid=change.uuid,
        kind=change.kind,
        dossier_uuid=None,
        payload=change.payload,
        occurred_at=occurred_at,
        agency_code=change.agency_code,
        counter=change.counter,
        seq=change.seq,
        clerk=change.clerk,
        prev_hash=change.prev_hash,
        hash=change.hash,
    )


class ProcedureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, code: str) -> ProcedureRow | None:
        return self.session.get(ProcedureRow, code)

    def search(self, folded: str = "", code_prefix: str = "") -> list[ProcedureRow]:
        query = select(ProcedureRow).where(ProcedureRow.active.is_(True))
        if folded or code_prefix:
            query = query.where(
                or_(
                    ProcedureRow.name_key.contains(folded),
                    ProcedureRow.code.startswith(code_prefix or folded),
                )
            )
        return list(self.session.scalars(query.order_by(ProcedureRow.field, ProcedureRow.name)).all())

    def upsert(self, row: ProcedureRow, papers: list[ProcedurePaperRow]) -> None:
        existing = self.session.get(ProcedureRow, row.code)
        if existing is None:
            row.papers = papers
            self.session.add(row)
            return
        for column in ProcedureRow.__table__.columns.keys():  # noqa: SIM118 - a ColumnCollection, not a dict
            setattr(existing, column, getattr(row, column))
        existing.papers = papers

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(ProcedureRow)) or 0)


class CalendarRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[CalendarYearRow]:
        return list(self.session.scalars(select(CalendarYearRow).order_by(CalendarYearRow.year)).all())

    def put(self, year: int, version: str, source: str, data: dict[str, Any], origin: str, at: datetime) -> None:
        row = self.session.get(CalendarYearRow, year) or CalendarYearRow(year=year)
        row.version, row.source, row.origin, row.imported_at = version, source, origin, at
        row.data = json.dumps(data, ensure_ascii=False, sort_keys=True)
        self.session.add(row)


class SettingsRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> str | None:
        row = self.session.get(SettingRow, key)
        return row.value if row else None

    def all(self) -> dict[str, str]:
        return {r.key: r.value for r in self.session.scalars(select(SettingRow)).all()}

    def put(self, key: str, value: str) -> None:
        row = self.session.get(SettingRow, key) or SettingRow(key=key)
        row.value = value
        self.session.add(row)


class AgencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, code: str) -> AgencyRow | None:
        return self.session.get(AgencyRow, code)

    def put(self, row: AgencyRow) -> AgencyRow:
        return self.session.merge(row)

    def add_counter(self, agency_code: str, number: int) -> None:
        if self.session.get(CounterRow, (agency_code, number)) is None:
            self.session.add(CounterRow(agency_code=agency_code, number=number))


class SequenceRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def next(self, scope: str) -> int:
        """The next number of a scope; safe because write transactions begin IMMEDIATE (one writer at a time)."""
        row = self.session.get(SequenceRow, scope)
        if row is None:
            row = SequenceRow(scope=scope, last=0)
            self.session.add(row)
        row.last += 1
        return row.last

    def set(self, scope: str, last: int) -> None:
        row = self.session.get(SequenceRow, scope) or SequenceRow(scope=scope)
        row.last = last
        self.session.add(row)

    def peek(self, scope: str) -> int:
        row = self.session.get(SequenceRow, scope)
        return row.last if row else 0

    def raise_to(self, scope: str, number: int) -> None:
        """Make `number` used in the scope: the next one issued comes after it (a higher last stays)."""
        row = self.session.get(SequenceRow, scope)
        if row is None:
            self.session.add(SequenceRow(scope=scope, last=number))
        elif row.last < number:
            row.last = number


class DocumentRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: DocumentRow) -> None:
        self.session.add(row)

    def latest(self, dossier_uuid: str, kind: str) -> DocumentRow | None:
        return self.session.scalars(
            select(DocumentRow)
            .where(DocumentRow.dossier_uuid == dossier_uuid, DocumentRow.kind == kind)
            .order_by(DocumentRow.created_at.desc())
        ).first()

    def get(self, uuid: str) -> DocumentRow | None:
        return self.session.get(DocumentRow, uuid)


class DraftRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, key: str) -> dict[str, Any] | None:
        row = self.session.get(DraftRow, key)
        return dict(json.loads(row.data)) if row else None

    def put(self, key: str, data: dict[str, Any], at: datetime) -> None:
        row = self.session.get(DraftRow, key) or DraftRow(key=key)
        row.data, row.updated_at = json.dumps(data, ensure_ascii=False), at
        self.session.add(row)

    def delete(self, key: str) -> None:
        row = self.session.get(DraftRow, key)
        if row is not None:
            self.session.delete(row)


class AttachmentRepository:
    """Rows of scanned papers; a paper's current attachment is its latest row (earlier ones stay as history)."""

    # created_at has one-second precision and a drill clock stands still: SQLite's rowid orders ties by insertion
    _INSERTED: ColumnClause[Any] = literal_column("attachment.rowid")

    def __init__(self, session: Session) -> None:
        self.session = session

    def add(self, row: AttachmentRow) -> None:
        self.session.add(row)

    def for_dossier(self, dossier_uuid: str) -> list[AttachmentRow]:
        """Every row of a dossier, by paper, oldest first."""
        return list(
            self.session.scalars(
                select(AttachmentRow)
                .where(AttachmentRow.dossier_uuid == dossier_uuid)
                .order_by(AttachmentRow.paper_position, AttachmentRow.created_at, self._INSERTED)
            ).all()
        )

    def current(self, dossier_uuid: str) -> dict[int, AttachmentRow]:
        """The latest row of each paper of a dossier, by paper position."""
        return {row.paper_position: row for row in self.for_dossier(dossier_uuid)}

    def stored(self) -> list[AttachmentRow]:
        """Every row that names a stored file (not exemptions), oldest first."""
        return list(
            self.session.scalars(
                select(AttachmentRow)
                .where(AttachmentRow.sha256 != "")
                .order_by(AttachmentRow.created_at, self._INSERTED)
            ).all()
        )

    def with_sha(self, sha256: str) -> list[AttachmentRow]:
        return list(self.session.scalars(select(AttachmentRow).where(AttachmentRow.sha256 == sha256)).all())

    def pending_uploads(self) -> list[AttachmentRow]:
        return list(
            self.session.scalars(
                select(AttachmentRow)
                .where(
                    AttachmentRow.sha256 != "", AttachmentRow.sync_state.in_((ATTACHMENT_PENDING, ATTACHMENT_FAILED))
                )
                .order_by(AttachmentRow.created_at, self._INSERTED)
            ).all()
        )

    def set_sync_state(self, sha256: str, state: int, *, uploaded_bytes: int, error: str = "") -> int:
        """Set the upload state of every row of one stored file; returns how many rows changed."""
        result = self.session.execute(
            update(AttachmentRow)
            .where(AttachmentRow.sha256 == sha256)
            .values(sync_state=state, uploaded_bytes=uploaded_bytes, sync_error=error)
        )
        return int(getattr(result, "rowcount", 0) or 0)


def paper_rows(papers: Sequence[PaperEntry]) -> list[dict[str, Any]]:
    return [asdict(p) for p in papers]


class UserAccountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, name: str) -> UserAccountRow | None:
        return self.session.get(UserAccountRow, name)

    def all(self) -> list[UserAccountRow]:
        return list(self.session.scalars(select(UserAccountRow).order_by(UserAccountRow.name)).all())

    def add(self, row: UserAccountRow) -> None:
        self.session.add(row)

    def count(self, *, role: str | None = None, enabled_only: bool = False) -> int:
        query = select(func.count()).select_from(UserAccountRow)
        if role is not None:
            query = query.where(UserAccountRow.role == role)
        if enabled_only:
            query = query.where(UserAccountRow.disabled.is_(False))
        return int(self.session.scalar(query) or 0)
