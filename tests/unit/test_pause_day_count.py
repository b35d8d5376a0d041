"""The pause of a supplement moves the due date by the working days after the request up to the supplement.

domain.md §5: the clock stops from the request to the day the supplement is received, and the due date moves by
the paused working days. The request day is not a paused day (work was done on it), the day the supplement
comes back is. Each case here gives another due date if the request day were counted instead of the return day;
the dates are counted by hand on the 2026 calendar of domain.md §7.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from counter_app.domain.calendar import WorkingCalendar
from counter_app.domain.clock import VN_TZ
from counter_app.domain.deadlines import ProcessingTime, compute_appointment, extend_for_pause
from counter_app.services.catalogue.calendar_files import load_shipped_years


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar(load_shipped_years())


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def test_a_pause_from_a_wednesday_to_a_saturday_moves_the_due_date_by_two_days(cal: WorkingCalendar) -> None:
    # Received Mon 2/3, 5 working days: Tue 3, Wed 4, Thu 5, Fri 6, Mon 9 -> Mon 9/3 17:00.
    appointment = compute_appointment(vn(2026, 3, 2, 10), ProcessingTime(5), cal)
    assert appointment.due == vn(2026, 3, 9, 17)
    # Requested Wed 4/3, supplement brought to a Saturday opening on Sat 7/3: paused Thu 5, Fri 6 (2 days).
    # Mon 9/3 + 2 working days = Wed 11/3 (counting Wed 4, Thu 5, Fri 6 would give Thu 12/3).
    extended = extend_for_pause(appointment, vn(2026, 3, 4, 14), vn(2026, 3, 7, 9), cal)
    assert extended.due == vn(2026, 3, 11, 17)


def test_a_pause_requested_on_a_saturday_counts_the_monday_it_ends(cal: WorkingCalendar) -> None:
    appointment = compute_appointment(vn(2026, 3, 2, 10), ProcessingTime(5), cal)
    # Requested at the Saturday opening of 7/3, supplement Mon 9/3 at 08:00: the Monday is paused (1 day).
    # Mon 9/3 + 1 = Tue 10/3 (counting Sat 7 and Sun 8 instead would leave it at Mon 9/3).
    extended = extend_for_pause(appointment, vn(2026, 3, 7, 9), vn(2026, 3, 9, 8), cal)
    assert extended.due == vn(2026, 3, 10, 17)


def test_a_pause_ending_on_the_first_day_of_tet(cal: WorkingCalendar) -> None:
    # Received Mon 9/2/2026, 3 working days: Tue 10, Wed 11, Thu 12 -> Thu 12/2 17:00.
    appointment = compute_appointment(vn(2026, 2, 9, 10), ProcessingTime(3), cal)
    assert appointment.due == vn(2026, 2, 12, 17)
    # Requested Thu 12/2, supplement on Sat 14/2 (a day off of Tết): paused Fri 13 only (1 day).
    # Thu 12/2 + 1 working day: Fri 13/2 (counting Thu 12 and Fri 13 would give Mon 23/2, after Tết).
    extended = extend_for_pause(appointment, vn(2026, 2, 12, 9), vn(2026, 2, 14, 9), cal)
    assert extended.due == vn(2026, 2, 13, 17)
