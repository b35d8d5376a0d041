"""Lateness, as domain.md §5 decides it: on track, due soon, overdue, paused; and ahead / on time / late."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum

from counter_app.domain.calendar import WorkingCalendar
from counter_app.domain.clock import to_vn
from counter_app.domain.deadlines import OfficeHours, working_day_end, working_day_start
from counter_app.domain.status import Status
from counter_app.errors import ValidationError


class Lateness(StrEnum):
    ON_TRACK = "on_track"
    DUE_SOON = "due_soon"
    OVERDUE = "overdue"
    PAUSED = "paused"  # waiting for the applicant's supplement: the clock does not run
    CLOSED = "closed"  # not open (finished, refused, slip)

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    Lateness.ON_TRACK: "Trong hạn",
    Lateness.DUE_SOON: "Sắp đến hạn",
    Lateness.OVERDUE: "Quá hạn",
    Lateness.PAUSED: "Tạm dừng chờ bổ sung",
    Lateness.CLOSED: "Đã kết thúc",
}


# How the apology letter (Mẫu 04) reaches the applicant: stored key -> what the letter and every screen print
# (domain.md §10: every value printed in Vietnamese, never the key).
LETTER_DELIVERIES: dict[str, str] = {
    "in_person": "Trực tiếp",
    "post": "Qua dịch vụ bưu chính công ích",
    "phone": "Điện thoại",
    "email": "Thư điện tử",
}


def letter_delivery_label(key: str) -> str:
    """The Vietnamese label of a stored delivery key; "" for an unknown one (the key itself is never printed)."""
    return LETTER_DELIVERIES.get(key, "")


class Timeliness(StrEnum):
    EARLY = "early"
    ON_TIME = "on_time"
    LATE = "late"

    @property
    def label(self) -> str:
        return {"early": "Trước hạn", "on_time": "Đúng hạn", "late": "Quá hạn"}[self.value]


def _to_minute(moment: datetime) -> datetime:
    # Appointments are given to the minute (the receipt prints hh:mm): at 17:00:40 an appointment "17:00" has
    # not passed yet, and a running clock must not make it overdue a few milliseconds after 17:00.
    return to_vn(moment).replace(second=0, microsecond=0)


def due_soon_from(due: datetime, calendar: WorkingCalendar, hours: OfficeHours) -> datetime:
    """Start of the working day before the due day: the last day on which the law still allows the apology."""
    return working_day_start(calendar.previous_working_day(to_vn(due).date()), hours)


def lateness(
    status: int, due: datetime | None, now: datetime, calendar: WorkingCalendar, hours: OfficeHours
) -> Lateness:
    """An open dossier (status 2, 4, 6) is due soon from `due_soon_from` until its appointment, overdue after it."""
    if status == Status.SUPPLEMENT_REQUESTED:
        return Lateness.PAUSED
    if not Status(status).is_open or due is None:
        return Lateness.CLOSED
    moment = _to_minute(now)
    if moment > _to_minute(due):
        return Lateness.OVERDUE
    if moment >= due_soon_from(due, calendar, hours):
        return Lateness.DUE_SOON
    return Lateness.ON_TRACK


def timeliness(finished: datetime, due: datetime) -> Timeliness:
    """Trước hạn: finished before the due day; đúng hạn: on the due day up to the appointment; quá hạn: after it."""
    end, appointment = _to_minute(finished), _to_minute(due)
    if end > appointment:
        return Timeliness.LATE
    if end.date() < appointment.date():
        return Timeliness.EARLY
    return Timeliness.ON_TIME


def earliest_new_appointment_day(current_due: datetime, today: date, calendar: WorkingCalendar) -> date:
    """The first day a re-appointment may give: a working day strictly after today and after the current due day."""
    return calendar.next_working_day(max(to_vn(current_due).date(), today))


def check_new_appointment_day(
    new_day: date,
    current_due: datetime,
    calendar: WorkingCalendar,
    hours: OfficeHours,
    *,
    today: date | None = None,
) -> datetime:
    """The new appointment (closing time of `new_day`): a working day after the current due day and after `today`.

    `today` is the caller's (the service reads the clock); a letter never promises a day that has already come.
    """
    if new_day <= to_vn(current_due).date():
        raise ValidationError(
            "new_date",
            f"Ngày hẹn mới phải sau ngày hẹn hiện tại ({to_vn(current_due):%d/%m/%Y}).",
        )
    if today is not None and new_day <= today:
        earliest = earliest_new_appointment_day(current_due, today, calendar)
        raise ValidationError(
            "new_date",
            f"Ngày hẹn mới phải sau ngày hôm nay ({today:%d/%m/%Y}); "
            f"ngày làm việc sớm nhất có thể hẹn là {earliest:%d/%m/%Y}.",
        )
    if not calendar.is_working_day(new_day):
        name = calendar.day_name(new_day)
        why = f" ({name})" if name else ""
        raise ValidationError("new_date", f"Ngày {new_day:%d/%m/%Y} không phải ngày làm việc{why}; chọn ngày khác.")
    return working_day_end(new_day, hours)
