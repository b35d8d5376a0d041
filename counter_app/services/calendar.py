"""The working calendar as the installation knows it (shipped, imported, from the central) and due dates."""

from __future__ import annotations

import json
from datetime import datetime, time
from pathlib import Path

from counter_app.domain.calendar import CalendarYear, WorkingCalendar, load_calendar_file, load_shipped_years
from counter_app.domain.codes import new_uuid
from counter_app.domain.deadlines import Appointment, DueMode, ProcessingTime, compute_appointment
from counter_app.domain.roles import Permission
from counter_app.errors import ValidationError
from counter_app.services.context import ServiceContext
from counter_app.services.views import AppointmentView


def processing_time(days: int, same_day_cutoff: str | None) -> ProcessingTime:
    cutoff = None
    if same_day_cutoff:
        hours, minutes = same_day_cutoff.split(":")
        cutoff = time(int(hours), int(minutes))
    return ProcessingTime(days=days, same_day_cutoff=cutoff)


class CalendarService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self._calendar: WorkingCalendar | None = None

    def working_calendar(self) -> WorkingCalendar:
        """Years stored in the database (shipped, imported or from the central) over the rules' estimate."""
        if self._calendar is None:
            with self.context.uow() as uow:
                years = [CalendarYear.from_json_dict(json.loads(r.data)) for r in uow.calendar.all()]
            self._calendar = WorkingCalendar(years)
        return self._calendar

    def get_year(self, year: int) -> CalendarYear:
        return self.working_calendar().year(year)

    def seed_shipped(self) -> int:
        """Store the shipped official years that the database does not hold yet (never over an import)."""
        now = self.context.clock.now()
        with self.context.uow() as uow:
            known = {r.year for r in uow.calendar.all()}
        missing = [cal for cal in load_shipped_years() if cal.year not in known]
        if not missing:
            return 0
        added = 0
        with self.context.uow(write=True) as uow:
            known = {r.year for r in uow.calendar.all()}
            for cal in missing:
                if cal.year not in known:
                    uow.calendar.put(cal.year, cal.version, cal.source, cal.to_json_dict(), "shipped", now)
                    added += 1
            uow.commit()
        self._calendar = None
        return added

    def import_file(self, path: Path) -> CalendarYear:
        """An administrator's import of a year's official decision; invalid files change nothing."""
        self.context.require(Permission.CALENDAR)
        if not path.is_file():
            raise ValidationError("file", f"Không tìm thấy tệp lịch “{path}”.")
        cal = load_calendar_file(path)
        if cal.estimated:
            raise ValidationError("calendar", "Tệp nhập phải là lịch chính thức, không phải lịch ước tính.")
        with self.context.uow(write=True) as uow:
            uow.calendar.put(
                cal.year, cal.version, cal.source, cal.to_json_dict(), "imported", self.context.clock.now()
            )
            uow.events.append(
                uuid=str(new_uuid()),
                kind="calendar.imported",
                dossier_uuid=None,
                payload=cal.to_json_dict(),
                occurred_at=self.context.clock.now(),
                agency_code=self.context.settings().agency_code,
                counter=self.context.settings().counter,
                clerk=self.context.clerk,
            )
            uow.commit()
        self._calendar = None
        return cal

    def appointment(
        self, received: datetime, days: int, same_day_cutoff: str | None = None, mode: DueMode | None = None
    ) -> AppointmentView:
        settings = self.context.settings()
        result: Appointment = compute_appointment(
            received,
            processing_time(days, same_day_cutoff),
            self.working_calendar(),
            settings.hours,
            mode or settings.mode,
        )
        return AppointmentView(result.due, result.calendar_version, result.estimated)
