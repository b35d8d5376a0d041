"""The catalogue of procedures: listing, search without diacritics, and loading the demo catalogue."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from counter_app.domain.citizen import fold
from counter_app.errors import NotFoundError, ValidationError
from counter_app.services.context import ServiceContext
from counter_app.services.views import PaperView, ProcedureView
from counter_app.storage.models import ProcedurePaperRow, ProcedureRow


def procedure_view(row: ProcedureRow) -> ProcedureView:
    return ProcedureView(
        code=row.code,
        name=row.name,
        field=row.field,
        deciding_agency=row.deciding_agency,
        days=row.days,
        same_day_cutoff=row.same_day_cutoff,
        fee=row.fee,
        supplement_rule=row.supplement_rule,
        demo=row.demo,
        papers=tuple(PaperView(p.name, p.originals, p.copies) for p in row.papers),
    )


def procedure_rows(data: dict[str, Any], *, demo: bool) -> list[tuple[ProcedureRow, list[ProcedurePaperRow]]]:
    """Catalogue JSON as rows, validated (each procedure needs a code, a name and a time)."""
    result = []
    for i, item in enumerate(data.get("procedures", []), start=1):
        try:
            code, name = str(item["code"]).strip(), str(item["name"]).strip()
            days = int(item.get("days", 0))
            cutoff = item.get("same_day_cutoff")
        except (KeyError, TypeError, ValueError) as exc:
            raise ValidationError("catalogue", f"Thủ tục thứ {i} trong danh mục thiếu mã, tên hoặc thời hạn.") from exc
        if not code or not name or days < 0:
            raise ValidationError("catalogue", f"Thủ tục thứ {i} trong danh mục thiếu mã, tên hoặc thời hạn.")
        row = ProcedureRow(
            code=code,
            name=name,
            name_key=fold(name),
            field=str(item.get("field", "")),
            deciding_agency=str(item.get("deciding_agency", "")),
            days=days,
            same_day_cutoff=str(cutoff) if cutoff else None,
            fee=int(item.get("fee", 0)),
            supplement_rule=str(item.get("supplement_rule", "pause")),
            demo=demo,
            active=True,
        )
        papers = [
            ProcedurePaperRow(
                position=j,
                name=str(p["name"]),
                originals=int(p.get("originals", 0)),
                copies=int(p.get("copies", 0)),
            )
            for j, p in enumerate(item.get("papers", []), start=1)
        ]
        result.append((row, papers))
    return result


class CatalogueService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    def list_procedures(self, search: str = "") -> list[ProcedureView]:
        folded = fold(search)
        with self.context.uow() as uow:
            return [procedure_view(r) for r in uow.procedures.search(folded, search.strip())]

    def get_procedure(self, code: str) -> ProcedureView:
        with self.context.uow() as uow:
            row = uow.procedures.get(code.strip())
            if row is None:
                raise NotFoundError(f"Không có thủ tục mã “{code}” trong danh mục.")
            return procedure_view(row)

    def load_catalogue_file(self, path: Path) -> int:
        """Add or replace the procedures of a catalogue JSON file; returns how many."""
        data = json.loads(path.read_text(encoding="utf-8"))
        rows = procedure_rows(data, demo=bool(data.get("demo", False)))
        with self.context.uow(write=True) as uow:
            for row, papers in rows:
                uow.procedures.upsert(row, papers)
            uow.commit()
        return len(rows)
