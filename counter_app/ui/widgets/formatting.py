"""How the UI writes dates (dd/mm/yyyy), times (24-hour), money and processing times in Vietnamese."""

from __future__ import annotations

from datetime import date, datetime

from counter_app.domain.clock import to_vn

WEEKDAYS = ("Thứ Hai", "Thứ Ba", "Thứ Tư", "Thứ Năm", "Thứ Sáu", "Thứ Bảy", "Chủ nhật")


def vn_date(value: date | datetime | None) -> str:
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_vn(value).date()
    return f"{value:%d/%m/%Y}"


def vn_moment(value: datetime | None) -> str:
    """`05/03/2026 17:00`."""
    if value is None:
        return "—"
    return f"{to_vn(value):%d/%m/%Y %H:%M}"


def vn_appointment(value: datetime) -> str:
    """`17:00 Thứ Năm, 05/03/2026`: how a due date is read out to the applicant."""
    moment = to_vn(value)
    return f"{moment:%H:%M} {WEEKDAYS[moment.weekday()]}, {moment:%d/%m/%Y}"


def weekday(value: date) -> str:
    return WEEKDAYS[value.weekday()]


def money(amount: int) -> str:
    """`8.000 đ` (Vietnamese thousands separator); `Không thu` for zero."""
    if amount <= 0:
        return "Không thu"
    return f"{amount:,}".replace(",", ".") + " đ"


def processing_text(days: int, same_day_cutoff: str | None) -> str:
    if days == 0 and same_day_cutoff:
        return f"Trong ngày (nhận trước {same_day_cutoff})"
    if days == 0:
        return "Trong ngày"
    return f"{days} ngày làm việc"


def iso_to_vn_date(text: str | None) -> str:
    """A stored ISO date (`1990-09-05`) as `05/09/1990`; anything else unchanged."""
    if not text:
        return ""
    try:
        return vn_date(date.fromisoformat(text))
    except ValueError:
        return text
