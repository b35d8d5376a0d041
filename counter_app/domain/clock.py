"""Vietnam's time zone and the clock protocol; the domain never reads the clock itself, it is handed one."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Protocol
from zoneinfo import ZoneInfo

VN_TZ = ZoneInfo("Asia/Ho_Chi_Minh")


class Clock(Protocol):
    def now(self) -> datetime:
        """The current moment, timezone-aware, in Vietnam's time."""
        ...


def to_vn(moment: datetime) -> datetime:
    """The same moment in Vietnam's time; a naive datetime is taken as Vietnamese local time."""
    if moment.tzinfo is None:
        return moment.replace(tzinfo=VN_TZ)
    return moment.astimezone(VN_TZ)


# How far a counter's clock may be from the central's before a sync refuses (and the doctor warns): events carry
# the counter's time (deadlines, reports). A dossier's events replay in causal order whatever the clocks (their
# Lamport clock first, storage.event_order); time only orders the steps recorded without knowing of each other.
MAX_CLOCK_SKEW = timedelta(minutes=5)
