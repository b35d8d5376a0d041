"""Tests of due dates: §5 worked examples, holidays, time zones, working hours, pause and restart."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta, timezone

import holidays
import pytest

from counter_app.domain.calendar import WorkingCalendar
from counter_app.domain.clock import VN_TZ
from counter_app.domain.deadlines import (
    Appointment,
    DueMode,
    OfficeHours,
    ProcessingTime,
    compute_appointment,
    extend_for_pause,
    restart_appointment,
    working_day_end,
    working_day_start,
)
from counter_app.errors import ValidationError
from counter_app.services.catalogue.calendar_files import load_shipped_years

SAME_DAY = ProcessingTime(0, time(15, 0))
ESTIMATED_VERSION = f"holidays-{holidays.__version__}-estimated"  # type: ignore[attr-defined]


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar(load_shipped_years())


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def due(received: datetime, days: int, cal: WorkingCalendar, mode: DueMode = DueMode.DAYS) -> datetime:
    return compute_appointment(received, ProcessingTime(days), cal, mode=mode).due


# --- domain.md §5 worked examples --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("received", "processing", "expected"),
    [
        (vn(2026, 3, 2, 10), ProcessingTime(3), vn(2026, 3, 5, 17)),
        (vn(2026, 3, 6, 16, 45), ProcessingTime(1), vn(2026, 3, 9, 17)),
        (vn(2026, 1, 9, 10), ProcessingTime(1), vn(2026, 1, 10, 17)),
        (vn(2026, 3, 10, 14, 59), SAME_DAY, vn(2026, 3, 10, 17)),
        (vn(2026, 3, 10, 15, 1), SAME_DAY, vn(2026, 3, 11, 17)),
    ],
)
def test_worked_examples(
    cal: WorkingCalendar, received: datetime, processing: ProcessingTime, expected: datetime
) -> None:
    appointment = compute_appointment(received, processing, cal)
    assert appointment == Appointment(expected, "vn-2026.1", False)
    assert appointment.due.utcoffset() == timedelta(hours=7)


# --- days mode ---------------------------------------------------------------------------------------------


def test_tet_2025(cal: WorkingCalendar) -> None:
    # Fri 24/1/2025; off 25/1 - 2/2; Mon 3/2 is day 1.
    assert due(vn(2025, 1, 24, 10), 1, cal) == vn(2025, 2, 3, 17)
    assert due(vn(2025, 1, 23, 10), 2, cal) == vn(2025, 2, 3, 17)


def test_tet_2026(cal: WorkingCalendar) -> None:
    # Thu 12/2/2026: Fri 13/2 is day 1; off 14/2 - 22/2; Mon 23/2 day 2, Tue 24/2 day 3.
    assert due(vn(2026, 2, 12, 9), 3, cal) == vn(2026, 2, 24, 17)


def test_substitute_day_off_27_april_2026(cal: WorkingCalendar) -> None:
    assert due(vn(2026, 4, 24, 9), 1, cal) == vn(2026, 4, 28, 17)


def test_2_january_2026_is_off(cal: WorkingCalendar) -> None:
    # Wed 31/12/2025: 1/1 and 2/1 off, weekend, Mon 5/1.
    appointment = compute_appointment(vn(2025, 12, 31, 9), ProcessingTime(1), cal)
    assert appointment.due == vn(2026, 1, 5, 17)
    assert appointment.calendar_version == "vn-2025.1+vn-2026.1"
    assert not appointment.estimated


def test_24_november_2026_is_off(cal: WorkingCalendar) -> None:
    assert due(vn(2026, 11, 23, 9), 1, cal) == vn(2026, 11, 25, 17)


@pytest.mark.parametrize(
    ("received", "expected"),
    [
        (vn(2025, 4, 25, 10), vn(2025, 4, 26, 17)),
        (vn(2026, 1, 9, 10), vn(2026, 1, 10, 17)),
        (vn(2026, 8, 21, 10), vn(2026, 8, 22, 17)),
    ],
)
def test_working_saturdays_count(cal: WorkingCalendar, received: datetime, expected: datetime) -> None:
    assert due(received, 1, cal) == expected


def test_receipt_on_a_working_saturday_is_not_counted(cal: WorkingCalendar) -> None:
    assert due(vn(2026, 1, 10, 9), 1, cal) == vn(2026, 1, 12, 17)
    assert due(vn(2026, 1, 10, 9), 0, cal) == vn(2026, 1, 10, 17)


def test_receipt_at_a_saturday_opening(cal: WorkingCalendar) -> None:
    # Sat 7/3/2026 is not a counting day: day 1 is Mon 9/3; N = 0 also gives Mon 9/3.
    assert due(vn(2026, 3, 7, 8), 1, cal) == vn(2026, 3, 9, 17)
    assert due(vn(2026, 3, 7, 8), 2, cal) == vn(2026, 3, 10, 17)
    assert due(vn(2026, 3, 7, 8), 0, cal) == vn(2026, 3, 9, 17)


def test_receipt_on_a_holiday(cal: WorkingCalendar) -> None:
    assert due(vn(2026, 1, 1, 9), 1, cal) == vn(2026, 1, 5, 17)


def test_zero_days_on_a_working_day(cal: WorkingCalendar) -> None:
    assert due(vn(2026, 3, 4, 16, 59), 0, cal) == vn(2026, 3, 4, 17)


def test_receipt_in_another_time_zone_uses_the_vietnamese_day(cal: WorkingCalendar) -> None:
    # 23:30 UTC on Sun 1/3 is 06:30 on Mon 2/3 in Vietnam.
    appointment = compute_appointment(datetime(2026, 3, 1, 23, 30, tzinfo=UTC), ProcessingTime(3), cal)
    assert appointment.due == vn(2026, 3, 5, 17)
    # 20:00 in New York on Thu 5/3 (UTC-5) is 08:00 on Fri 6/3 in Vietnam.
    new_york = timezone(timedelta(hours=-5))
    assert due(datetime(2026, 3, 5, 20, 0, tzinfo=new_york), 1, cal) == vn(2026, 3, 9, 17)


def test_naive_datetime_is_vietnamese_time(cal: WorkingCalendar) -> None:
    assert due(datetime(2026, 3, 2, 10), 3, cal) == vn(2026, 3, 5, 17)


def test_custom_closing_time(cal: WorkingCalendar) -> None:
    hours = OfficeHours.parse("08:00-12:00,13:30-16:30")
    appointment = compute_appointment(vn(2026, 3, 2, 10), ProcessingTime(3), cal, hours)
    assert appointment.due == vn(2026, 3, 5, 16, 30)


def test_year_boundary_uses_the_estimated_2027(cal: WorkingCalendar) -> None:
    # Thu 31/12/2026; Fri 1/1/2027 is Tết Dương lịch; weekend; Mon 4/1/2027.
    appointment = compute_appointment(vn(2026, 12, 31, 10), ProcessingTime(1), cal)
    assert appointment.due == vn(2027, 1, 4, 17)
    assert appointment.calendar_version == f"vn-2026.1+{ESTIMATED_VERSION}"
    assert appointment.estimated


def test_tet_2027_estimated(cal: WorkingCalendar) -> None:
    # holidays puts Tết 2027 on Thu 4/2 - Wed 10/2; Wed 3/2 is the last working day before it.
    appointment = compute_appointment(vn(2027, 2, 3, 10), ProcessingTime(1), cal)
    assert appointment.due == vn(2027, 2, 11, 17)
    assert appointment.calendar_version == ESTIMATED_VERSION
    assert appointment.estimated


# --- same-day procedures -----------------------------------------------------------------------------------


def test_same_day_cutoff_itself_is_not_after(cal: WorkingCalendar) -> None:
    assert compute_appointment(vn(2026, 3, 10, 15, 0), SAME_DAY, cal).due == vn(2026, 3, 10, 17)
    late = vn(2026, 3, 10, 15, 0) + timedelta(seconds=1)
    assert compute_appointment(late, SAME_DAY, cal).due == vn(2026, 3, 11, 17)


def test_same_day_on_a_non_working_day(cal: WorkingCalendar) -> None:
    assert compute_appointment(vn(2026, 3, 7, 9), SAME_DAY, cal).due == vn(2026, 3, 9, 17)
    assert compute_appointment(vn(2026, 2, 13, 15, 30), SAME_DAY, cal).due == vn(2026, 2, 23, 17)


def test_same_day_cutoff_belongs_to_the_procedure(cal: WorkingCalendar) -> None:
    early = ProcessingTime(0, time(11, 0))
    assert compute_appointment(vn(2026, 3, 10, 11, 30), early, cal).due == vn(2026, 3, 11, 17)


def test_same_day_in_hours_mode_behaves_as_days(cal: WorkingCalendar) -> None:
    appointment = compute_appointment(vn(2026, 3, 10, 14), SAME_DAY, cal, mode=DueMode.HOURS)
    assert appointment.due == vn(2026, 3, 10, 17)


# --- hours mode --------------------------------------------------------------------------------------------


def test_hours_mode_counts_from_the_moment_of_receipt(cal: WorkingCalendar) -> None:
    # Mon 2/3 10:00-11:30 (1.5 h) + 13:00-17:00 (4 h) + Tue 07:30-10:00 (2.5 h) = 8 h.
    assert due(vn(2026, 3, 2, 10), 1, cal, DueMode.HOURS) == vn(2026, 3, 3, 10)


def test_hours_mode_ends_at_the_end_of_a_period(cal: WorkingCalendar) -> None:
    # Mon 13:00-17:00 + Tue 07:30-11:30 = 8 h exactly: 11:30, not 13:00.
    assert due(vn(2026, 3, 2, 13), 1, cal, DueMode.HOURS) == vn(2026, 3, 3, 11, 30)


def test_hours_mode_received_at_lunch_starts_at_the_afternoon(cal: WorkingCalendar) -> None:
    assert due(vn(2026, 3, 2, 12), 1, cal, DueMode.HOURS) == vn(2026, 3, 3, 11, 30)


def test_hours_mode_received_after_closing_starts_next_working_day(cal: WorkingCalendar) -> None:
    assert due(vn(2026, 3, 2, 18), 1, cal, DueMode.HOURS) == vn(2026, 3, 3, 17)
    # Two days: Tue 3/3 and Wed 4/3, a full 16 h, ending at Wed's closing.
    assert due(vn(2026, 3, 2, 18), 2, cal, DueMode.HOURS) == vn(2026, 3, 4, 17)


def test_hours_mode_received_before_opening(cal: WorkingCalendar) -> None:
    assert due(vn(2026, 3, 2, 6), 1, cal, DueMode.HOURS) == vn(2026, 3, 2, 17)


def test_hours_mode_received_on_a_saturday(cal: WorkingCalendar) -> None:
    assert due(vn(2026, 3, 7, 9), 1, cal, DueMode.HOURS) == vn(2026, 3, 9, 17)


def test_hours_mode_uses_a_working_saturday(cal: WorkingCalendar) -> None:
    # Fri 9/1/2026 14:00-17:00 (3 h) + Sat 10/1 07:30-11:30 (4 h) + 13:00-14:00 (1 h).
    assert due(vn(2026, 1, 9, 14), 1, cal, DueMode.HOURS) == vn(2026, 1, 10, 14)


def test_hours_mode_across_tet_2026(cal: WorkingCalendar) -> None:
    # Fri 13/2 15:00-17:00 (2 h), then Tết to Sun 22/2, Mon 23/2 07:30-11:30 (4 h) + 13:00-15:00 (2 h).
    assert due(vn(2026, 2, 13, 15), 1, cal, DueMode.HOURS) == vn(2026, 2, 23, 15)


def test_hours_mode_zero_days_behaves_as_days(cal: WorkingCalendar) -> None:
    assert due(vn(2026, 3, 2, 10), 0, cal, DueMode.HOURS) == vn(2026, 3, 2, 17)
    assert due(vn(2026, 3, 7, 10), 0, cal, DueMode.HOURS) == vn(2026, 3, 9, 17)


def test_hours_mode_in_another_time_zone(cal: WorkingCalendar) -> None:
    # 03:00 UTC is 10:00 in Vietnam.
    received = datetime(2026, 3, 2, 3, 0, tzinfo=UTC)
    assert due(received, 1, cal, DueMode.HOURS) == vn(2026, 3, 3, 10)


# --- pause and restart -------------------------------------------------------------------------------------


def test_pause_moves_the_due_date_by_the_paused_working_days(cal: WorkingCalendar) -> None:
    appointment = compute_appointment(vn(2026, 3, 2, 10), ProcessingTime(3), cal)
    # Requested Tue 3/3, received Fri 6/3: 4/3, 5/3, 6/3 paused -> Thu 5/3 + 3 = Tue 10/3.
    extended = extend_for_pause(appointment, vn(2026, 3, 3, 9), vn(2026, 3, 6, 14), cal)
    assert extended.due == vn(2026, 3, 10, 17)
    assert extended.calendar_version == "vn-2026.1"
    assert not extended.estimated


def test_pause_over_a_weekend(cal: WorkingCalendar) -> None:
    appointment = compute_appointment(vn(2026, 3, 2, 10), ProcessingTime(5), cal)
    assert appointment.due == vn(2026, 3, 9, 17)
    # Requested Fri 6/3, received Mon 9/3: only Mon counts -> Tue 10/3.
    extended = extend_for_pause(appointment, vn(2026, 3, 6, 9), vn(2026, 3, 9, 8), cal)
    assert extended.due == vn(2026, 3, 10, 17)


def test_pause_within_one_day_changes_nothing(cal: WorkingCalendar) -> None:
    appointment = compute_appointment(vn(2026, 3, 2, 10), ProcessingTime(3), cal)
    assert extend_for_pause(appointment, vn(2026, 3, 3, 9), vn(2026, 3, 3, 16), cal) == appointment


def test_pause_keeps_the_hour_of_an_hours_mode_appointment(cal: WorkingCalendar) -> None:
    appointment = compute_appointment(vn(2026, 3, 2, 10), ProcessingTime(1), cal, mode=DueMode.HOURS)
    assert appointment.due == vn(2026, 3, 3, 10)
    extended = extend_for_pause(appointment, vn(2026, 3, 2, 15), vn(2026, 3, 4, 9), cal)
    assert extended.due == vn(2026, 3, 5, 10)


def test_pause_skips_holidays_when_moving(cal: WorkingCalendar) -> None:
    appointment = compute_appointment(vn(2026, 4, 22, 10), ProcessingTime(2), cal)
    assert appointment.due == vn(2026, 4, 24, 17)
    # One paused working day (Thu 23/4): Fri 24/4 + 1 = Tue 28/4 (Mon 27/4 is off).
    extended = extend_for_pause(appointment, vn(2026, 4, 22, 15), vn(2026, 4, 23, 10), cal)
    assert extended.due == vn(2026, 4, 28, 17)


def test_pause_into_an_estimated_year(cal: WorkingCalendar) -> None:
    appointment = compute_appointment(vn(2026, 12, 28, 10), ProcessingTime(3), cal)
    assert appointment.due == vn(2026, 12, 31, 17)
    assert not appointment.estimated
    extended = extend_for_pause(appointment, vn(2026, 12, 29, 9), vn(2026, 12, 30, 9), cal)
    assert extended.due == vn(2027, 1, 4, 17)
    assert extended.estimated
    assert extended.calendar_version == f"vn-2026.1+{ESTIMATED_VERSION}"


def test_pause_refuses_a_resume_before_the_request(cal: WorkingCalendar) -> None:
    appointment = compute_appointment(vn(2026, 3, 2, 10), ProcessingTime(3), cal)
    with pytest.raises(ValidationError) as info:
        extend_for_pause(appointment, vn(2026, 3, 4, 9), vn(2026, 3, 3, 9), cal)
    assert info.value.field == "resumed_at"


def test_restart_counts_a_fresh_period_from_the_supplement(cal: WorkingCalendar) -> None:
    # Supplement received Fri 6/3/2026: Mon 9, Tue 10, Wed 11.
    appointment = restart_appointment(vn(2026, 3, 6, 9), ProcessingTime(3), cal)
    assert appointment.due == vn(2026, 3, 11, 17)
    hours_mode = restart_appointment(vn(2026, 3, 6, 13), ProcessingTime(1), cal, mode=DueMode.HOURS)
    assert hours_mode.due == vn(2026, 3, 9, 11, 30)


# --- office hours ------------------------------------------------------------------------------------------


def test_office_hours_default_and_text() -> None:
    hours = OfficeHours()
    assert hours.opening == time(7, 30)
    assert hours.closing == time(17, 0)
    assert str(hours) == "07:30-11:30,13:00-17:00"
    assert OfficeHours.parse("07:30-11:30,13:00-17:00") == hours
    assert OfficeHours.parse(" 7:30 - 11:30 , 13:00-17:00 ") == hours


def test_office_hours_single_period() -> None:
    hours = OfficeHours.parse("08:00-16:00")
    assert (hours.opening, hours.closing) == (time(8), time(16))
    assert str(hours) == "08:00-16:00"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "07:30",
        "07:30-11:30;13:00-17:00",
        "7h30-11h30",
        "11:30-07:30",
        "07:30-07:30",
        "25:00-26:00",
        "07:30-11:70",
        "13:00-17:00,07:30-11:30",
        "07:30-12:00,11:30-17:00",
    ],
)
def test_office_hours_refusals(text: str) -> None:
    with pytest.raises(ValidationError) as info:
        OfficeHours.parse(text)
    assert info.value.field == "office_hours"
    assert info.value.message


def test_working_day_start_and_end() -> None:
    day = date(2026, 3, 2)
    assert working_day_start(day, OfficeHours()) == vn(2026, 3, 2, 7, 30)
    assert working_day_end(day, OfficeHours()) == vn(2026, 3, 2, 17)


def test_negative_processing_time_is_refused() -> None:
    with pytest.raises(ValidationError):
        ProcessingTime(-1)
