"""Lateness to the minute (the receipt prints hh:mm), and the exact refusal of a new appointment day.

domain.md §5: an open dossier is overdue *after* its appointment moment; the printed appointment has an hour and
a minute, so the whole minute 17:00 (up to 17:00:59.999999) is still "at" a 17:00 appointment. §10 (Mẫu 04):
the new appointment is a working day strictly after the current one; the refusal says which day and, for a
named holiday, which holiday.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from counter_app.domain.calendar import CalendarDay, CalendarYear, WorkingCalendar
from counter_app.domain.clock import VN_TZ
from counter_app.domain.deadlines import OfficeHours
from counter_app.domain.lateness import Lateness, Timeliness, check_new_appointment_day, lateness, timeliness
from counter_app.domain.status import Status
from counter_app.errors import ValidationError

HOURS = OfficeHours()
# 2026 as domain.md §7 has it around the days used here: Tết 14/2-22/2 off (named), no swapped day in March.
CAL = WorkingCalendar(
    [
        CalendarYear(
            year=2026,
            version="test-2026",
            source="domain.md §7",
            days_off=tuple(CalendarDay(date(2026, 2, d), "Tết Nguyên đán") for d in range(14, 23)),
            working_days=(),
        )
    ]
)
DUE = datetime(2026, 3, 9, 17, 0, tzinfo=VN_TZ)  # Mon 09/03/2026 17:00
LAST_INSTANT_OF_THE_MINUTE = timedelta(seconds=59, microseconds=999_999)


def test_an_appointment_is_not_passed_until_its_minute_is_over() -> None:
    at_the_last_microsecond = DUE + LAST_INSTANT_OF_THE_MINUTE
    assert lateness(Status.PROCESSING, DUE, at_the_last_microsecond, CAL, HOURS) is Lateness.DUE_SOON
    assert lateness(Status.PROCESSING, DUE, DUE + timedelta(minutes=1), CAL, HOURS) is Lateness.OVERDUE


def test_a_result_ready_within_the_minute_of_the_appointment_is_on_time() -> None:
    assert timeliness(DUE + LAST_INSTANT_OF_THE_MINUTE, DUE) is Timeliness.ON_TIME
    assert timeliness(DUE + timedelta(minutes=1), DUE) is Timeliness.LATE


def test_a_new_day_not_after_the_current_due_day_is_refused() -> None:
    with pytest.raises(ValidationError) as info:
        check_new_appointment_day(date(2026, 3, 9), DUE, CAL, HOURS)
    assert info.value.field == "new_date"
    assert info.value.message == "Ngày hẹn mới phải sau ngày hẹn hiện tại (09/03/2026)."


def test_an_ordinary_weekend_day_is_refused_without_a_name() -> None:
    # Sat 14/03/2026: not a working day, and no holiday to name.
    with pytest.raises(ValidationError) as info:
        check_new_appointment_day(date(2026, 3, 14), DUE, CAL, HOURS)
    assert info.value.field == "new_date"
    assert info.value.message == "Ngày 14/03/2026 không phải ngày làm việc; chọn ngày khác."


def test_a_holiday_is_refused_with_its_name() -> None:
    # Tue 17/02/2026 is in Tết (a weekday off): the refusal names the holiday.
    current_due = datetime(2026, 2, 13, 17, 0, tzinfo=VN_TZ)
    with pytest.raises(ValidationError) as info:
        check_new_appointment_day(date(2026, 2, 17), current_due, CAL, HOURS)
    assert info.value.field == "new_date"
    assert info.value.message == "Ngày 17/02/2026 không phải ngày làm việc (Tết Nguyên đán); chọn ngày khác."
