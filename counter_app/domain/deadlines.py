"""Due dates of dossiers: office hours, processing times, appointments, pauses and restarts."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from enum import StrEnum

from counter_app.domain.calendar import WorkingCalendar
from counter_app.domain.clock import VN_TZ, to_vn
from counter_app.errors import ValidationError

HOURS_PER_WORKING_DAY = 8
DEFAULT_SAME_DAY_CUTOFF = time(15, 0)
_PERIOD = re.compile(r"\s*(\d{1,2}):(\d{2})\s*-\s*(\d{1,2}):(\d{2})\s*")
_DEFAULT_PERIODS: tuple[tuple[time, time], ...] = ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0)))


def _hours_error(message: str) -> ValidationError:
    return ValidationError("office_hours", message)


def _hhmm(moment: time) -> str:
    return f"{moment.hour:02d}:{moment.minute:02d}"


@dataclass(frozen=True)
class OfficeHours:
    """The office's working periods of a day, sorted and not overlapping."""

    periods: tuple[tuple[time, time], ...] = _DEFAULT_PERIODS

    def __post_init__(self) -> None:
        if not self.periods:
            raise _hours_error("Giờ làm việc phải có ít nhất một buổi.")
        previous_end: time | None = None
        for start, end in self.periods:
            if start.tzinfo is not None or end.tzinfo is not None:
                raise _hours_error("Giờ làm việc không được kèm múi giờ.")
            if start >= end:
                raise _hours_error(f"Buổi {_hhmm(start)}-{_hhmm(end)}: giờ bắt đầu phải trước giờ kết thúc.")
            if previous_end is not None and start < previous_end:
                raise _hours_error(
                    f"Buổi bắt đầu lúc {_hhmm(start)} chồng lên buổi trước hoặc không theo thứ tự thời gian."
                )
            previous_end = end

    @property
    def opening(self) -> time:
        """When the first period of the day starts."""
        return self.periods[0][0]

    @property
    def closing(self) -> time:
        """When the last period of the day ends."""
        return self.periods[-1][1]

    @classmethod
    def parse(cls, text: str) -> OfficeHours:
        """Parse "07:30-11:30,13:00-17:00"; refuses malformed, unsorted or overlapping periods."""
        if not text.strip():
            raise _hours_error("Chưa nhập giờ làm việc (ví dụ: 07:30-11:30,13:00-17:00).")
        periods: list[tuple[time, time]] = []
        for part in text.split(","):
            match = _PERIOD.fullmatch(part)
            if match is None:
                raise _hours_error(f"Buổi làm việc “{part.strip()}” không đúng dạng HH:MM-HH:MM (ví dụ: 07:30-11:30).")
            h1, m1, h2, m2 = (int(g) for g in match.groups())
            try:
                periods.append((time(h1, m1), time(h2, m2)))
            except ValueError:
                raise _hours_error(f"Buổi làm việc “{part.strip()}” có giờ không hợp lệ.") from None
        return cls(tuple(periods))

    def __str__(self) -> str:
        return ",".join(f"{_hhmm(start)}-{_hhmm(end)}" for start, end in self.periods)


class DueMode(StrEnum):
    """How the hour of an appointment is set: closing time of the due day, or counted working hours."""

    DAYS = "days"
    HOURS = "hours"


@dataclass(frozen=True)
class ProcessingTime:
    """A procedure's processing time in working days; a same-day procedure has days = 0 and a cut-off."""

    days: int
    same_day_cutoff: time | None = None

    def __post_init__(self) -> None:
        if self.days < 0:
            raise ValidationError("processing_time", "Thời hạn giải quyết không được là số âm.")


@dataclass(frozen=True)
class Appointment:
    """When the result is promised, and which calendar data set that date."""

    due: datetime
    calendar_version: str
    estimated: bool


def working_day_start(day: date, hours: OfficeHours) -> datetime:
    """The opening moment of `day`, in Vietnam's time."""
    return datetime.combine(day, hours.opening, tzinfo=VN_TZ)


def working_day_end(day: date, hours: OfficeHours) -> datetime:
    """The closing moment of `day`, in Vietnam's time."""
    return datetime.combine(day, hours.closing, tzinfo=VN_TZ)


def _days_spanned(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


def _appointment(due: datetime, first_day: date, calendar: WorkingCalendar) -> Appointment:
    version, estimated = calendar.version_for(_days_spanned(first_day, due.date()))
    return Appointment(due=due, calendar_version=version, estimated=estimated)


def _due_day(received: datetime, processing: ProcessingTime, calendar: WorkingCalendar) -> date:
    receipt_day = received.date()
    if processing.same_day_cutoff is not None and processing.days == 0:
        # The cut-off itself is not "after" it: 15:00:00 is still same day, 15:00:01 is not.
        in_time = received.time() <= processing.same_day_cutoff
        if in_time and calendar.is_working_day(receipt_day):
            return receipt_day
        return calendar.next_working_day(receipt_day)
    return calendar.add_working_days(receipt_day, processing.days)


def _count_working_hours(
    received: datetime, total: timedelta, calendar: WorkingCalendar, hours: OfficeHours
) -> datetime:
    remaining = total
    day = received.date()
    # Only the receipt day is entered part way; every later day is counted from its opening.
    earliest = received
    if not calendar.is_working_day(day):
        day = calendar.next_working_day(day)
        earliest = working_day_start(day, hours)
    while True:
        for start, end in hours.periods:
            period_start = datetime.combine(day, start, tzinfo=VN_TZ)
            period_end = datetime.combine(day, end, tzinfo=VN_TZ)
            begin = max(period_start, earliest)
            if begin >= period_end:
                continue
            available = period_end - begin
            # `<=` so that a count ending exactly at the end of a period ends there, not at the next start.
            if remaining <= available:
                return begin + remaining
            remaining -= available
        day = calendar.next_working_day(day)
        earliest = working_day_start(day, hours)


def compute_appointment(
    received: datetime,
    processing: ProcessingTime,
    calendar: WorkingCalendar,
    hours: OfficeHours = OfficeHours(),
    mode: DueMode = DueMode.DAYS,
) -> Appointment:
    """The appointment for a complete dossier received at `received` (any zone; counted in Vietnam's days)."""
    received_vn = to_vn(received)
    if mode is DueMode.HOURS and processing.days > 0:
        total = timedelta(hours=HOURS_PER_WORKING_DAY * processing.days)
        due = _count_working_hours(received_vn, total, calendar, hours)
    else:
        due = working_day_end(_due_day(received_vn, processing, calendar), hours)
    return _appointment(due, received_vn.date(), calendar)


def extend_for_pause(
    appointment: Appointment,
    paused_at: datetime,
    resumed_at: datetime,
    calendar: WorkingCalendar,
    hours: OfficeHours = OfficeHours(),
) -> Appointment:
    """Move the due date by the working days the clock stood still (paused day < d <= resumed day).

    The hour of the appointment is kept; `hours` is accepted for symmetry with the other calculations.
    """
    del hours
    paused_day = to_vn(paused_at).date()
    resumed_day = to_vn(resumed_at).date()
    if resumed_day < paused_day:
        raise ValidationError("resumed_at", "Ngày nhận hồ sơ bổ sung không được trước ngày yêu cầu bổ sung.")
    paused_days = calendar.working_days_between(paused_day, resumed_day)
    if paused_days == 0:
        return appointment
    old_due = to_vn(appointment.due)
    new_day = calendar.add_working_days(old_due.date(), paused_days)
    new_due = datetime.combine(new_day, old_due.timetz())
    version, estimated = calendar.version_for(_days_spanned(paused_day, new_day))
    return Appointment(
        due=new_due,
        calendar_version=version,
        estimated=estimated or appointment.estimated,
    )


def restart_appointment(
    resumed_at: datetime,
    processing: ProcessingTime,
    calendar: WorkingCalendar,
    hours: OfficeHours = OfficeHours(),
    mode: DueMode = DueMode.DAYS,
) -> Appointment:
    """A fresh period counted from the receipt of the supplement, as if the dossier were received then."""
    return compute_appointment(resumed_at, processing, calendar, hours, mode)
