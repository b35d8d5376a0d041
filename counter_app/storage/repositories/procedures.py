"""The catalogue of procedures and their papers, read and written as the domain's ProcedureSpec."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from counter_app.domain.citizen import fold
from counter_app.domain.procedure import PaperSpec, ProcedureSpec
from counter_app.storage.models import ProcedurePaperRow, ProcedureRow

_CHUNK = 500  # codes per IN (...) query, well below SQLite's limit of bound parameters


def _spec(row: ProcedureRow) -> ProcedureSpec:
    return ProcedureSpec(
        code=row.code,
        name=row.name,
        field=row.field,
        deciding_agency=row.deciding_agency,
        days=row.days,
        same_day_cutoff=row.same_day_cutoff,
        fee=row.fee,
        supplement_rule=row.supplement_rule,
        papers=tuple(PaperSpec(p.name, p.originals, p.copies) for p in row.papers),
        active=row.active,
        demo=row.demo,
    )


def _papers(spec: ProcedureSpec) -> list[ProcedurePaperRow]:
    return [
        ProcedurePaperRow(position=i, name=p.name, originals=p.originals, copies=p.copies)
        for i, p in enumerate(spec.papers, start=1)
    ]


def _fill(row: ProcedureRow, spec: ProcedureSpec) -> None:
    row.name, row.name_key, row.field = spec.name, fold(spec.name), spec.field
    row.deciding_agency, row.days, row.same_day_cutoff = spec.deciding_agency, spec.days, spec.same_day_cutoff
    row.fee, row.supplement_rule, row.demo, row.active = spec.fee, spec.supplement_rule, spec.demo, spec.active


class ProcedureRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, code: str) -> ProcedureSpec | None:
        row = self.session.get(ProcedureRow, code)
        return _spec(row) if row else None

    def many(self, codes: Sequence[str]) -> dict[str, ProcedureSpec]:
        """The stored procedures among `codes`, by code: one query per 500 codes (their papers in one more).

        Their rows stay in the session, so a `save` of one of them afterwards runs no query to find it.
        """
        found: dict[str, ProcedureSpec] = {}
        for start in range(0, len(codes), _CHUNK):
            query = select(ProcedureRow).where(ProcedureRow.code.in_(codes[start : start + _CHUNK]))
            found.update((row.code, _spec(row)) for row in self.session.scalars(query))
        return found

    def search(self, folded: str = "", code_prefix: str = "", *, include_inactive: bool = False) -> list[ProcedureSpec]:
        """Procedures whose folded name holds `folded` or whose code starts with `code_prefix` (or `folded`).

        Active ones only, by field and name; with `include_inactive`, all of them, the active ones first.
        """
        query = select(ProcedureRow)
        if not include_inactive:
            query = query.where(ProcedureRow.active.is_(True))
        if folded or code_prefix:
            query = query.where(
                or_(
                    ProcedureRow.name_key.contains(folded),
                    ProcedureRow.code.startswith(code_prefix or folded),
                )
            )
        if include_inactive:
            query = query.order_by(ProcedureRow.active.desc())
        return [_spec(row) for row in self.session.scalars(query.order_by(ProcedureRow.field, ProcedureRow.name))]

    def save(self, spec: ProcedureSpec, *, new: bool = False) -> None:
        """Add or replace a procedure and its papers; `new` (known absent) spares the look-up."""
        existing = None if new else self.session.get(ProcedureRow, spec.code)
        if existing is None:
            row = ProcedureRow(code=spec.code)
            _fill(row, spec)
            row.papers = _papers(spec)
            self.session.add(row)
            return
        _fill(existing, spec)
        existing.papers = _papers(spec)

    def set_active(self, code: str, active: bool) -> None:
        row = self.session.get(ProcedureRow, code)
        if row is not None:
            row.active = active

    def count(self) -> int:
        return int(self.session.scalar(select(func.count()).select_from(ProcedureRow)) or 0)
