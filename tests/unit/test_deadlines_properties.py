"""Property-based tests of due dates over 2025-2027 (shipped years and the estimated 2027)."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from counter_app.domain.calendar import WorkingCalendar
from counter_app.domain.clock import VN_TZ
from counter_app.domain.deadlines import DueMode, ProcessingTime, compute_appointment
from counter_app.services.catalogue.calendar_files import load_shipped_years

# One calendar for the module: building it per example would re-read the files and re-estimate 2027.
CALENDAR = WorkingCalendar(load_shipped_years())

moments = st.datetimes(
    min_value=datetime(2025, 1, 1),
    max_value=datetime(2027, 10, 31, 23, 59),
    timezones=st.just(VN_TZ),
)
day_counts = st.integers(min_value=0, max_value=30)
modes = st.sampled_from(list(DueMode))


def _working_days_after(start: date, end: date) -> int:
    """Counted by walking the days one by one, independently of the arithmetic under test."""
    count = 0
    day = start + timedelta(days=1)
    while day <= end:
        count += CALENDAR.is_working_day(day)
        day += timedelta(days=1)
    return count


@settings(max_examples=300, deadline=None)
@given(received=moments, n=day_counts, mode=modes)
def test_due_day_is_a_working_day(received: datetime, n: int, mode: DueMode) -> None:
    appointment = compute_appointment(received, ProcessingTime(n), CALENDAR, mode=mode)
    assert CALENDAR.is_working_day(appointment.due.date())
    # Only the day: with N = 0, a receipt after closing on a working day is due at that day's closing (§5).
    assert appointment.due.date() >= received.date()


@settings(max_examples=300, deadline=None)
@given(received=moments, n=st.integers(min_value=1, max_value=30))
def test_exactly_n_working_days_after_the_receipt_day(received: datetime, n: int) -> None:
    appointment = compute_appointment(received, ProcessingTime(n), CALENDAR)
    assert _working_days_after(received.date(), appointment.due.date()) == n
    assert appointment.due.time() == time(17, 0)


@settings(max_examples=300, deadline=None)
@given(
    received=moments,
    later_by=st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=20)),
    n=day_counts,
)
def test_a_later_receipt_never_gives_an_earlier_due(received: datetime, later_by: timedelta, n: int) -> None:
    for mode in DueMode:
        first = compute_appointment(received, ProcessingTime(n), CALENDAR, mode=mode)
        second = compute_appointment(received + later_by, ProcessingTime(n), CALENDAR, mode=mode)
        assert second.due >= first.due


@settings(max_examples=300, deadline=None)
@given(received=moments, n=day_counts, more=st.integers(min_value=0, max_value=10))
def test_a_larger_n_never_gives_an_earlier_due(received: datetime, n: int, more: int) -> None:
    for mode in DueMode:
        smaller = compute_appointment(received, ProcessingTime(n), CALENDAR, mode=mode)
        larger = compute_appointment(received, ProcessingTime(n + more), CALENDAR, mode=mode)
        assert larger.due >= smaller.due


@settings(max_examples=200, deadline=None)
@given(received=moments, n=st.integers(min_value=1, max_value=30))
def test_hours_mode_is_never_later_than_days_mode(received: datetime, n: int) -> None:
    # N x 8 h from the moment of receipt fits inside N full working days after the receipt day.
    hours = compute_appointment(received, ProcessingTime(n), CALENDAR, mode=DueMode.HOURS)
    days = compute_appointment(received, ProcessingTime(n), CALENDAR, mode=DueMode.DAYS)
    assert hours.due <= days.due


@settings(max_examples=200, deadline=None)
@given(received=moments, n=day_counts)
def test_estimated_exactly_when_2027_is_touched(received: datetime, n: int) -> None:
    appointment = compute_appointment(received, ProcessingTime(n), CALENDAR)
    assert appointment.estimated == (appointment.due.year >= 2027)
