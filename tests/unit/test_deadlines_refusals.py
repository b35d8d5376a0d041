"""The refusals of the due-date inputs name the field and say what is wrong, in Vietnamese, word for word.

The clerk (or the administrator typing office hours) reads these messages next to the field they name, so a
changed field or message is a visible change. Expected texts are the product's wording; the cases are worked
out from domain.md §5 (office hours 07:30-11:30 and 13:00-17:00 by default, processing time in working days).
"""

from __future__ import annotations

from datetime import datetime, time

import pytest

from counter_app.domain.calendar import WorkingCalendar
from counter_app.domain.clock import VN_TZ
from counter_app.domain.deadlines import (
    DueMode,
    OfficeHours,
    ProcessingTime,
    compute_appointment,
    extend_for_pause,
)
from counter_app.errors import ValidationError
from counter_app.services.catalogue.calendar_files import load_shipped_years


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


@pytest.fixture(scope="module")
def cal() -> WorkingCalendar:
    return WorkingCalendar(load_shipped_years())


# --- office hours ------------------------------------------------------------------------------------------


def test_office_hours_without_any_period_are_refused() -> None:
    with pytest.raises(ValidationError) as info:
        OfficeHours(())
    assert info.value.field == "office_hours"
    assert info.value.message == "Giờ làm việc phải có ít nhất một buổi."


def test_empty_office_hours_text_is_refused_with_an_example() -> None:
    with pytest.raises(ValidationError) as info:
        OfficeHours.parse("   ")
    assert info.value.field == "office_hours"
    assert info.value.message == "Chưa nhập giờ làm việc (ví dụ: 07:30-11:30,13:00-17:00)."


@pytest.mark.parametrize(
    "periods",
    [
        # only the start of the morning carries a zone
        ((time(7, 30, tzinfo=VN_TZ), time(11, 30)), (time(13, 0), time(17, 0))),
        # only the end of the afternoon carries a zone
        ((time(7, 30), time(11, 30)), (time(13, 0), time(17, 0, tzinfo=VN_TZ))),
        # both ends of a period
        ((time(7, 30, tzinfo=VN_TZ), time(11, 30, tzinfo=VN_TZ)),),
    ],
    ids=["start-only", "end-only", "both"],
)
def test_office_hours_with_a_time_zone_are_refused(periods: tuple[tuple[time, time], ...]) -> None:
    # Office hours are wall-clock times of the Vietnamese day (§5): a zone on either end is refused.
    with pytest.raises(ValidationError) as info:
        OfficeHours(periods)
    assert info.value.field == "office_hours"
    assert info.value.message == "Giờ làm việc không được kèm múi giờ."


def test_a_period_may_start_when_the_previous_one_ends(cal: WorkingCalendar) -> None:
    # Touching periods do not overlap: an office without a lunch break may write its day as two periods.
    hours = OfficeHours.parse("07:30-11:30,11:30-17:00")
    assert (hours.opening, hours.closing) == (time(7, 30), time(17, 0))
    assert str(hours) == "07:30-11:30,11:30-17:00"
    # 1 working day = 8 working hours from Mon 02/03/2026 08:00: 3 h 30 to 11:30, then 4 h 30 from 11:30 = 16:00.
    appointment = compute_appointment(vn(2026, 3, 2, 8), ProcessingTime(1), cal, hours, DueMode.HOURS)
    assert appointment.due == vn(2026, 3, 2, 16)


# --- processing time ---------------------------------------------------------------------------------------


def test_a_negative_processing_time_is_refused_on_its_field() -> None:
    with pytest.raises(ValidationError) as info:
        ProcessingTime(-1)
    assert info.value.field == "processing_time"
    assert info.value.message == "Thời hạn giải quyết không được là số âm."


# --- pause -------------------------------------------------------------------------------------------------


def test_a_supplement_received_before_it_was_requested_is_refused(cal: WorkingCalendar) -> None:
    appointment = compute_appointment(vn(2026, 3, 2, 10), ProcessingTime(3), cal)
    with pytest.raises(ValidationError) as info:
        extend_for_pause(appointment, vn(2026, 3, 4, 9), vn(2026, 3, 3, 16), cal)
    assert info.value.field == "resumed_at"
    assert info.value.message == "Ngày nhận hồ sơ bổ sung không được trước ngày yêu cầu bổ sung."
