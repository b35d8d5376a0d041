"""Values shared by the printing tests and their fixtures (written by hand from domain.md)."""

from __future__ import annotations

from datetime import datetime

from counter_app.domain.clock import VN_TZ

DOSSIER_CODE = "000.17.22.H56-260302-1001"  # domain.md §4: agency identifier, YYMMDD, counter 1 number 001
QR_TEXT = "https://dichvucong.gov.vn/p/home/dvc-tra-cuu-ho-so.html?ma=000.17.22.H56-260302-1001"


def vn(year: int, month: int, day: int, hour: int = 0, minute: int = 0) -> datetime:
    """A moment in Vietnam's time."""
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)
