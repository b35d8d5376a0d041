"""Stored procedures as the values the services give out (views, specs), and specs and catalogue files as rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from counter_app.domain.citizen import fold
from counter_app.domain.procedure import PaperSpec, ProcedureSpec
from counter_app.errors import ValidationError
from counter_app.services.common.views import PaperView, ProcedureView
from counter_app.storage.models import ProcedurePaperRow, ProcedureRow


@dataclass(frozen=True)
class AdminProcedureView(ProcedureView):
    """A procedure as the administration screen lists it: inactive ones included."""

    active: bool = True


def _described(row: ProcedureRow) -> dict[str, Any]:
    """The fields a view and a spec both take from a stored procedure, its papers apart."""
    return {
        "code": row.code,
        "name": row.name,
        "field": row.field,
        "deciding_agency": row.deciding_agency,
        "days": row.days,
        "same_day_cutoff": row.same_day_cutoff,
        "fee": row.fee,
        "supplement_rule": row.supplement_rule,
        "demo": row.demo,
    }


def procedure_view(row: ProcedureRow) -> ProcedureView:
    papers = tuple(PaperView(p.name, p.originals, p.copies) for p in row.papers)
    return ProcedureView(**_described(row), papers=papers)


def admin_view(row: ProcedureRow) -> AdminProcedureView:
    base = procedure_view(row)
    return AdminProcedureView(**{f: getattr(base, f) for f in base.__dataclass_fields__}, active=row.active)


def procedure_spec(row: ProcedureRow) -> ProcedureSpec:
    """The stored procedure as the domain value the editor and the central compare."""
    papers = tuple(PaperSpec(p.name, p.originals, p.copies) for p in row.papers)
    return ProcedureSpec(**_described(row), papers=papers, active=row.active)


def spec_rows(spec: ProcedureSpec) -> tuple[ProcedureRow, list[ProcedurePaperRow]]:
    row = ProcedureRow(
        code=spec.code,
        name=spec.name,
        name_key=fold(spec.name),
        field=spec.field,
        deciding_agency=spec.deciding_agency,
        days=spec.days,
        same_day_cutoff=spec.same_day_cutoff,
        fee=spec.fee,
        supplement_rule=spec.supplement_rule,
        demo=spec.demo,
        active=spec.active,
    )
    papers = [
        ProcedurePaperRow(position=i, name=p.name, originals=p.originals, copies=p.copies)
        for i, p in enumerate(spec.papers, start=1)
    ]
    return row, papers


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
