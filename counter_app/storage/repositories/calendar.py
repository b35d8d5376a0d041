"""The working calendar's years, as imported (a decision's data per year)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from counter_app.storage.models import CalendarYearRow


@dataclass(frozen=True)
class StoredYear:
    """One stored year of the calendar: its data (the calendar file's JSON) and where it came from."""

    year: int
    version: str
    source: str
    origin: str  # shipped | imported | central
    imported_at: datetime
    data: dict[str, Any]


class CalendarRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def all(self) -> list[StoredYear]:
        rows = self.session.scalars(select(CalendarYearRow).order_by(CalendarYearRow.year))
        return [StoredYear(r.year, r.version, r.source, r.origin, r.imported_at, json.loads(r.data)) for r in rows]

    def stamp(self) -> tuple[tuple[object, ...], ...]:
        """A cheap fingerprint of the stored years (their data's length, not the data), to notice a change."""
        rows = self.session.execute(
            select(
                CalendarYearRow.year,
                CalendarYearRow.version,
                CalendarYearRow.origin,
                CalendarYearRow.imported_at,
                func.length(CalendarYearRow.data),
            ).order_by(CalendarYearRow.year)
        ).all()
        return tuple(tuple(r) for r in rows)

    def put(self, year: int, version: str, source: str, data: dict[str, Any], origin: str, at: datetime) -> None:
        row = self.session.get(CalendarYearRow, year) or CalendarYearRow(year=year)
        row.version, row.source, row.origin, row.imported_at = version, source, origin, at
        row.data = json.dumps(data, ensure_ascii=False, sort_keys=True)
        self.session.add(row)
