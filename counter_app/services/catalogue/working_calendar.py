"""The working calendar as the installation knows it (shipped, imported, from the central) and due dates."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time
from pathlib import Path

from counter_app.domain.calendar import CalendarDay, CalendarYear, WorkingCalendar
from counter_app.domain.deadlines import Appointment, DueMode, ProcessingTime, compute_appointment
from counter_app.domain.roles import Permission
from counter_app.errors import ValidationError
from counter_app.identities import new_uuid
from counter_app.services.catalogue.calendar_files import load_calendar_file, load_shipped_years
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.views import AppointmentView


def processing_time(days: int, same_day_cutoff: str | None) -> ProcessingTime:
    cutoff = None
    if same_day_cutoff:
        hours, minutes = same_day_cutoff.split(":")
        cutoff = time(int(hours), int(minutes))
    return ProcessingTime(days=days, same_day_cutoff=cutoff)


@dataclass(frozen=True)
class CalendarImportPreview:
    """What importing a decision would change in its year, shown before the administrator confirms."""

    new: CalendarYear
    current: CalendarYear
    added_off: tuple[CalendarDay, ...]
    removed_off: tuple[CalendarDay, ...]
    added_working: tuple[CalendarDay, ...]
    removed_working: tuple[CalendarDay, ...]

    @property
    def changes_anything(self) -> bool:
        return self.new.to_json_dict() != self.current.to_json_dict()


def _diff(new: tuple[CalendarDay, ...], old: tuple[CalendarDay, ...]) -> tuple[CalendarDay, ...]:
    old_dates: set[date] = {d.date for d in old}
    return tuple(d for d in new if d.date not in old_dates)


class CalendarService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context
        self._calendar: WorkingCalendar | None = None
        self._stamp: tuple[object, ...] | None = None

    def _stored_stamp(self) -> tuple[object, ...]:
        """A cheap fingerprint of the stored years: another process (a command-line import, a sync) may change them."""
        with self.context.uow() as uow:
            return uow.calendar.stamp()

    def working_calendar(self) -> WorkingCalendar:
        """Years stored in the database (shipped, imported or from the central) over the rules' estimate."""
        stamp = self._stored_stamp()
        calendar = self._calendar
        if calendar is None or stamp != self._stamp:
            with self.context.uow() as uow:
                years = [CalendarYear.from_json_dict(r.data) for r in uow.calendar.all()]
            calendar = WorkingCalendar(years)
            self._calendar, self._stamp = calendar, stamp
        return calendar

    def get_year(self, year: int) -> CalendarYear:
        return self.working_calendar().year(year)

    def may_import_decisions(self) -> bool:
        """Whether the signed-in role may import a calendar decision (the screens show or hide the action by it)."""
        return self.context.may(Permission.CALENDAR)

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

    def _read_decision(self, path: Path) -> CalendarYear:
        if not path.is_file():
            raise ValidationError("file", f"Không tìm thấy tệp lịch “{path}”.")
        cal = load_calendar_file(path)
        if cal.estimated:
            raise ValidationError("calendar", "Tệp nhập phải là lịch chính thức, không phải lịch ước tính.")
        return cal

    def preview_file(self, path: Path) -> CalendarImportPreview:
        """Read and check a decision file and say what it would change; nothing is stored."""
        self.context.require(Permission.CALENDAR)
        cal = self._read_decision(path)
        current = self.working_calendar().year(cal.year)
        return CalendarImportPreview(
            new=cal,
            current=current,
            added_off=_diff(cal.days_off, current.days_off),
            removed_off=_diff(current.days_off, cal.days_off),
            added_working=_diff(cal.working_days, current.working_days),
            removed_working=_diff(current.working_days, cal.working_days),
        )

    def import_file(self, path: Path) -> CalendarYear:
        """An administrator's import of a year's official decision; invalid files change nothing."""
        self.context.require(Permission.CALENDAR)
        return self.import_year(self._read_decision(path))

    def import_year(self, cal: CalendarYear) -> CalendarYear:
        """Store a year's official decision over what was known of the year (the estimate, shipped or imported data).

        Appointments already given keep their dates (domain.md §5); those computed afterwards use the new year.
        Recorded in the administration log with the year before and after, and in the audit chain.
        """
        from counter_app.services.catalogue.admin_log import CALENDAR_IMPORTED, record_admin_event

        self.context.require(Permission.CALENDAR)
        if cal.estimated:
            raise ValidationError("calendar", "Tệp nhập phải là lịch chính thức, không phải lịch ước tính.")
        before = self.working_calendar().year(cal.year)
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
            record_admin_event(
                self.context,
                uow,
                kind=CALENDAR_IMPORTED,
                subject=f"calendar:{cal.year}",
                before=before.to_json_dict(),
                after=cal.to_json_dict(),
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
