"""Procedures as the values the services give out (views), and a catalogue file read as procedures."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from counter_app.domain.procedure import PaperSpec, ProcedureSpec
from counter_app.errors import ValidationError
from counter_app.services.common.views import PaperView, ProcedureView


@dataclass(frozen=True)
class AdminProcedureView(ProcedureView):
    """A procedure as the administration screen lists it: inactive ones included."""

    active: bool = True


def procedure_view(spec: ProcedureSpec) -> ProcedureView:
    papers = tuple(PaperView(p.name, p.originals, p.copies) for p in spec.papers)
    return ProcedureView(
        code=spec.code,
        name=spec.name,
        field=spec.field,
        deciding_agency=spec.deciding_agency,
        days=spec.days,
        same_day_cutoff=spec.same_day_cutoff,
        fee=spec.fee,
        supplement_rule=spec.supplement_rule,
        demo=spec.demo,
        papers=papers,
    )


def admin_view(spec: ProcedureSpec) -> AdminProcedureView:
    base = procedure_view(spec)
    return AdminProcedureView(**{f: getattr(base, f) for f in base.__dataclass_fields__}, active=spec.active)


def procedure_specs(data: dict[str, Any], *, demo: bool) -> list[ProcedureSpec]:
    """Catalogue JSON as procedures, validated (each procedure needs a code, a name and a time)."""
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
        papers = tuple(
            PaperSpec(name=str(p["name"]), originals=int(p.get("originals", 0)), copies=int(p.get("copies", 0)))
            for p in item.get("papers", [])
        )
        spec = ProcedureSpec(
            code=code,
            name=name,
            field=str(item.get("field", "")),
            deciding_agency=str(item.get("deciding_agency", "")),
            days=days,
            same_day_cutoff=str(cutoff) if cutoff else None,
            fee=int(item.get("fee", 0)),
            supplement_rule=str(item.get("supplement_rule", "pause")),
            papers=papers,
            active=True,
            demo=demo,
        )
        result.append(spec)
    return result
