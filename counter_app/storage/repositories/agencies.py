"""Agencies and their counters."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from counter_app.storage.models import AgencyRow, CounterRow


@dataclass(frozen=True)
class Agency:
    """An agency as stored: its names for the printed forms, and the widths of its dossier codes (fixed once)."""

    code: str
    name: str
    parent_authority: str = ""
    place: str = ""
    counter_digits: int = 1
    number_digits: int = 3


class AgencyRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, code: str) -> Agency | None:
        row = self.session.get(AgencyRow, code)
        if row is None:
            return None
        return Agency(row.code, row.name, row.parent_authority, row.place, row.counter_digits, row.number_digits)

    def put(self, agency: Agency) -> None:
        self.session.merge(
            AgencyRow(
                code=agency.code,
                name=agency.name,
                parent_authority=agency.parent_authority,
                place=agency.place,
                counter_digits=agency.counter_digits,
                number_digits=agency.number_digits,
            )
        )

    def add_counter(self, agency_code: str, number: int) -> None:
        if self.session.get(CounterRow, (agency_code, number)) is None:
            self.session.add(CounterRow(agency_code=agency_code, number=number))
