"""Lateness (domain.md §5 "Product decision, precisely"): due soon, overdue, paused, closed; timeliness; new dates."""

from __future__ import annotations

from datetime import UTC, date, datetime, time

import pytest

from counter_app.domain.calendar import CalendarDay, CalendarYear, WorkingCalendar
from counter_app.domain.clock import VN_TZ
from counter_app.domain.deadlines import OfficeHours
from counter_app.domain.lateness import Lateness, Timeliness, check_new_appointment_day, lateness, timeliness
from counter_app.errors import ValidationError


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=VN_TZ)


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=UTC)


def _off(year: int, *days: tuple[int, int]) -> tuple[CalendarDay, ...]:
    return tuple(CalendarDay(date(year, m, d), "nghỉ") for m, d in days)


# domain.md §7, written out by hand
Y2025 = CalendarYear(
    year=2025,
    version="test-2025",
    source="domain.md §7",
    days_off=_off(
        2025,
        (1, 1),
        *((1, d) for d in range(25, 32)),
        (2, 1),
        (2, 2),
        (4, 7),
        (4, 30),
        *((5, d) for d in range(1, 5)),
        (8, 30),
        (8, 31),
        (9, 1),
        (9, 2),
    ),
    working_days=(CalendarDay(date(2025, 4, 26), "làm bù"),),
)
Y2026 = CalendarYear(
    year=2026,
    version="test-2026",
    source="domain.md §7",
    days_off=_off(
        2026,
        *((1, d) for d in range(1, 5)),
        *((2, d) for d in range(14, 23)),
        (4, 27),
        (4, 30),
        (5, 1),
        (8, 29),
        (8, 30),
        (8, 31),
        (9, 1),
        (9, 2),
        (11, 24),
    ),
    working_days=(CalendarDay(date(2026, 1, 10), "làm bù"), CalendarDay(date(2026, 8, 22), "làm bù")),
)
CAL = WorkingCalendar([Y2025, Y2026])
HOURS = OfficeHours()

RECEIVED, PROCESSING, SUPPLEMENT, PAYMENT = 2, 4, 5, 6


# (due, now, expected) for an open dossier; the due-soon window opens at 07:30 of the working day before the due day
CASES = [
    # weekend before the due day: due Mon 09/3/2026 17:00, the working day before is Fri 06/3
    (vn(2026, 3, 9, 17), vn(2026, 3, 5, 17), Lateness.ON_TRACK),
    (vn(2026, 3, 9, 17), vn(2026, 3, 6, 7, 29), Lateness.ON_TRACK),
    (vn(2026, 3, 9, 17), vn(2026, 3, 6, 7, 30), Lateness.DUE_SOON),
    (vn(2026, 3, 9, 17), vn(2026, 3, 7, 10), Lateness.DUE_SOON),
    (vn(2026, 3, 9, 17), vn(2026, 3, 9, 17), Lateness.DUE_SOON),
    (vn(2026, 3, 9, 17), vn(2026, 3, 9, 17, 0, 59), Lateness.DUE_SOON),  # the appointment is given to the minute
    (vn(2026, 3, 9, 17), vn(2026, 3, 9, 17, 1), Lateness.OVERDUE),
    # due Mon 23/2/2026, the first working day after Tết (14/2-22/2): the day before is Fri 13/2
    (vn(2026, 2, 23, 17), vn(2026, 2, 12, 17), Lateness.ON_TRACK),
    (vn(2026, 2, 23, 17), vn(2026, 2, 13, 7, 29), Lateness.ON_TRACK),
    (vn(2026, 2, 23, 17), vn(2026, 2, 13, 7, 30), Lateness.DUE_SOON),
    (vn(2026, 2, 23, 17), vn(2026, 2, 18, 10), Lateness.DUE_SOON),
    (vn(2026, 2, 23, 17), vn(2026, 2, 23, 17, 1), Lateness.OVERDUE),
    # due Tue 24/2: the day before is Mon 23/2, so nothing during Tết
    (vn(2026, 2, 24, 17), vn(2026, 2, 20, 10), Lateness.ON_TRACK),
    (vn(2026, 2, 24, 17), vn(2026, 2, 23, 7, 29), Lateness.ON_TRACK),
    (vn(2026, 2, 24, 17), vn(2026, 2, 23, 7, 30), Lateness.DUE_SOON),
    # due Mon 12/1/2026: the day before is the swapped working Saturday 10/1
    (vn(2026, 1, 12, 17), vn(2026, 1, 9, 16), Lateness.ON_TRACK),
    (vn(2026, 1, 12, 17), vn(2026, 1, 10, 7, 30), Lateness.DUE_SOON),
    # due Mon 05/1/2026 after the New Year days off (1/1-4/1): the day before is Wed 31/12/2025
    (vn(2026, 1, 5, 17), vn(2025, 12, 30, 17), Lateness.ON_TRACK),
    (vn(2026, 1, 5, 17), vn(2025, 12, 31, 7, 30), Lateness.DUE_SOON),
    (vn(2026, 1, 5, 17), vn(2026, 1, 2, 9), Lateness.DUE_SOON),
    # another time zone: 00:30 UTC is 07:30 in Vietnam, 10:01 UTC is 17:01
    (vn(2026, 3, 9, 17), utc(2026, 3, 6, 0, 29), Lateness.ON_TRACK),
    (vn(2026, 3, 9, 17), utc(2026, 3, 6, 0, 30), Lateness.DUE_SOON),
    (vn(2026, 3, 9, 17), utc(2026, 3, 9, 10, 0), Lateness.DUE_SOON),
    (vn(2026, 3, 9, 17), utc(2026, 3, 9, 10, 1), Lateness.OVERDUE),
]


@pytest.mark.parametrize(("due", "now", "expected"), CASES)
@pytest.mark.parametrize("status", [RECEIVED, PROCESSING, PAYMENT])
def test_open_dossiers(status: int, due: datetime, now: datetime, expected: Lateness) -> None:
    assert lateness(status, due, now, CAL, HOURS) is expected


def test_the_window_opens_with_the_office() -> None:
    hours = OfficeHours(((time(8, 0), time(12, 0)), (time(13, 30), time(17, 30))))
    due = vn(2026, 3, 9, 17, 30)
    assert lateness(RECEIVED, due, vn(2026, 3, 6, 7, 59), CAL, hours) is Lateness.ON_TRACK
    assert lateness(RECEIVED, due, vn(2026, 3, 6, 8, 0), CAL, hours) is Lateness.DUE_SOON
    assert lateness(RECEIVED, due, vn(2026, 3, 9, 17, 30), CAL, hours) is Lateness.DUE_SOON
    assert lateness(RECEIVED, due, vn(2026, 3, 9, 17, 31), CAL, hours) is Lateness.OVERDUE


@pytest.mark.parametrize(
    "now", [vn(2026, 3, 1, 9), vn(2026, 3, 6, 10), vn(2026, 3, 9, 16), vn(2026, 3, 20, 9), vn(2027, 1, 4, 9)]
)
def test_waiting_for_a_supplement_is_never_due_soon_nor_overdue(now: datetime) -> None:
    assert lateness(SUPPLEMENT, vn(2026, 3, 9, 17), now, CAL, HOURS) is Lateness.PAUSED


@pytest.mark.parametrize("status", [1, 3, 7, 8, 9, 10])
@pytest.mark.parametrize("now", [vn(2026, 3, 6, 10), vn(2026, 3, 20, 9)])
def test_closed_statuses_are_never_listed(status: int, now: datetime) -> None:
    assert lateness(status, vn(2026, 3, 9, 17), now, CAL, HOURS) is Lateness.CLOSED


def test_an_open_dossier_without_appointment_is_not_judged() -> None:
    assert lateness(RECEIVED, None, vn(2026, 3, 9, 18), CAL, HOURS) is Lateness.CLOSED


DUE = vn(2026, 3, 9, 17)


@pytest.mark.parametrize(
    ("finished", "expected"),
    [
        (vn(2026, 3, 6, 16), Timeliness.EARLY),
        (vn(2026, 3, 8, 23, 59), Timeliness.EARLY),
        (vn(2026, 3, 9, 0, 0), Timeliness.ON_TIME),
        (vn(2026, 3, 9, 8), Timeliness.ON_TIME),
        (vn(2026, 3, 9, 17), Timeliness.ON_TIME),
        (vn(2026, 3, 9, 17, 0, 45), Timeliness.ON_TIME),
        (vn(2026, 3, 9, 17, 1), Timeliness.LATE),
        (vn(2026, 3, 10, 8), Timeliness.LATE),
        # 23:00 UTC on 08/3 is 06:00 on 09/3 in Vietnam: on the due day, not before it
        (utc(2026, 3, 8, 23), Timeliness.ON_TIME),
        (utc(2026, 3, 9, 10, 1), Timeliness.LATE),
    ],
)
def test_timeliness(finished: datetime, expected: Timeliness) -> None:
    assert timeliness(finished, DUE) is expected


@pytest.mark.parametrize(
    ("new_day", "current_due"),
    [
        (date(2026, 2, 13), vn(2026, 2, 13, 17)),  # the current due day itself
        (date(2026, 2, 12), vn(2026, 2, 13, 17)),  # before it
        (date(2026, 2, 14), vn(2026, 2, 13, 17)),  # Tết (a Saturday too)
        (date(2026, 2, 17), vn(2026, 2, 13, 17)),  # Tết on a weekday
        (date(2026, 3, 7), vn(2026, 3, 6, 17)),  # an ordinary Saturday
        (date(2026, 1, 11), vn(2026, 1, 9, 17)),  # Sunday after the working Saturday
        (date(2026, 4, 27), vn(2026, 4, 24, 17)),  # substitute day off for Giỗ Tổ
        # 20:00 UTC on 12/2 is 03:00 on 13/2 in Vietnam: the current due day is 13/2
        (date(2026, 2, 13), utc(2026, 2, 12, 20)),
    ],
)
def test_a_new_date_must_be_a_working_day_after_the_current_due_day(new_day: date, current_due: datetime) -> None:
    with pytest.raises(ValidationError) as info:
        check_new_appointment_day(new_day, current_due, CAL, HOURS)
    assert info.value.field == "new_date"
    assert "ngày" in info.value.message.lower()


def test_a_holiday_is_named_in_the_refusal() -> None:
    with pytest.raises(ValidationError) as info:
        check_new_appointment_day(date(2026, 2, 17), vn(2026, 2, 13, 17), CAL, HOURS)
    assert "17/02/2026" in info.value.message


@pytest.mark.parametrize(
    ("new_day", "current_due", "hours", "expected"),
    [
        (date(2026, 2, 23), vn(2026, 2, 13, 17), HOURS, vn(2026, 2, 23, 17)),
        (date(2026, 2, 24), vn(2026, 2, 23, 17), HOURS, vn(2026, 2, 24, 17)),
        (date(2026, 1, 10), vn(2026, 1, 9, 17), HOURS, vn(2026, 1, 10, 17)),  # the working Saturday
        (
            date(2026, 3, 10),
            vn(2026, 3, 9, 17, 30),
            OfficeHours(((time(8, 0), time(12, 0)), (time(13, 30), time(17, 30)))),
            vn(2026, 3, 10, 17, 30),
        ),
    ],
)
def test_the_new_appointment_is_the_closing_time_of_the_new_day(
    new_day: date, current_due: datetime, hours: OfficeHours, expected: datetime
) -> None:
    result = check_new_appointment_day(new_day, current_due, CAL, hours)
    assert result == expected
    assert result.utcoffset() == expected.utcoffset()
