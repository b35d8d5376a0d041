"""Clocks: the system's, and the drill clock of `--now` that starts at a given moment and runs on."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from counter_app.domain.clock import VN_TZ, to_vn
from counter_app.errors import ValidationError

# the years a dossier code or a document number can carry (domain.codes) and a calendar can hold (domain.calendar)
FIRST_YEAR, LAST_YEAR = 2000, 2099


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(VN_TZ)


class DrillClock:
    """Starts at `start` (Vietnamese local time) and advances with real time, for drills and tests."""

    def __init__(self, start: datetime) -> None:
        self._start = to_vn(start)
        self._origin = time.monotonic()

    def now(self) -> datetime:
        return self._start + timedelta(seconds=time.monotonic() - self._origin)


def parse_local_moment(text: str, field: str = "now") -> datetime:
    """'YYYY-MM-DD HH:MM' (or with a T) as a Vietnamese local moment."""
    cleaned = text.strip().replace("T", " ")
    try:
        moment = datetime.strptime(cleaned, "%Y-%m-%d %H:%M")  # noqa: DTZ007 - Vietnamese local time, zone set below
    except ValueError:
        raise ValidationError(
            field, f"Thời điểm “{text}” không hợp lệ: cần dạng YYYY-MM-DD HH:MM, ví dụ 2026-03-02 10:00."
        ) from None
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:
        # dates far out overflow the deadline and report arithmetic; codes and calendars stop there anyway
        raise ValidationError(
            field, f"Thời điểm “{text}” nằm ngoài khoảng ứng dụng làm việc được (các năm {FIRST_YEAR}–{LAST_YEAR})."
        )
    return moment.replace(tzinfo=VN_TZ)
