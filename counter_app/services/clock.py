"""Clocks: the system's, and the drill clock of `--now` that starts at a given moment and runs on."""

from __future__ import annotations

import time
from datetime import datetime, timedelta

from counter_app.domain.clock import VN_TZ, to_vn
from counter_app.errors import ValidationError


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
    return moment.replace(tzinfo=VN_TZ)
