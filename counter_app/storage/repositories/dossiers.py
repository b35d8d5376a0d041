"""The dossiers' projection: look-ups by code, slip and name, the work-queue pages, and saving a fold's state."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import fields
from datetime import datetime
from typing import Any

from sqlalchemy import Integer, func, insert, literal_column, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session, noload

from counter_app.domain.citizen import fold
from counter_app.domain.dossier import DossierState, PaperEntry
from counter_app.storage.models import NAME_SEARCH_TABLE, DossierPaperRow, DossierRow

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

    def open_due_before(self, statuses: Sequence[int], moment: datetime) -> list[DossierState]:
        """Open dossiers whose appointment is before `moment` (text order of VnDateTime is time order)."""
        rows = self.session.scalars(
            select(DossierRow)
            .where(DossierRow.status.in_(statuses), DossierRow.due_at.is_not(None), DossierRow.due_at < moment)
            .order_by(DossierRow.due_at)
        ).all()
        return [state_from_row(r) for r in rows]

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(DossierRow)) or 0)

    def recent_procedure_codes(self, agency_code: str, counter: int, *, limit: int, scan: int) -> list[str]:
        """The procedures of the dossiers and slips this counter received last, newest first, each once.

        Only the `scan` most recent receptions of the database are read (the reception index walked backwards),
        whichever counter received them, so the cost stays the same whatever the size of the table and however
        many dossiers of other counters the central sent here; fewer than `limit` codes come back when this
        counter's receptions among them hold fewer distinct procedures.
        """
        recent = (
            select(DossierRow.procedure_code, DossierRow.agency_code, DossierRow.counter, DossierRow.received_at)
            .order_by(DossierRow.received_at.desc())
            .limit(scan)
            .subquery()
        )
        rows = self.session.scalars(
            select(recent.c.procedure_code)
            .where(recent.c.agency_code == agency_code, recent.c.counter == counter)
            .order_by(recent.c.received_at.desc())
        )
        codes: list[str] = []
        for code in rows:
            if code not in codes:
                codes.append(code)
                if len(codes) == limit:
                    break
        return codes

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
