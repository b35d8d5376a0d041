"""The export dialog's choices: the reports, the formats, the quick periods and the suggested file name."""

from __future__ import annotations

from calendar import monthrange
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from PySide6.QtCore import QDate, QStandardPaths


@dataclass(frozen=True)
class ReportChoice:
    key: str  # as services.reports.export names it
    label: str
    file_stem: str  # ASCII: file names travel by USB sticks and e-mail to machines with other code pages


REPORTS = (
    ReportChoice("book", "Sổ theo dõi hồ sơ (Mẫu 07)", "so-theo-doi"),
    ReportChoice("stats", "Báo cáo thống kê", "thong-ke"),
    ReportChoice("late", "Báo cáo hồ sơ quá hạn", "ho-so-qua-han"),
)
FORMATS = (("pdf", "PDF (.pdf)"), ("xlsx", "Excel (.xlsx)"))
ALL_FIELDS = "Tất cả lĩnh vực"
RUNNING_MONTH = "Tháng này"  # the quick choice that is also the default period


def month_of(day: date) -> tuple[date, date]:
    return day.replace(day=1), day.replace(day=monthrange(day.year, day.month)[1])


def quick_periods(today: date) -> dict[str, tuple[date, date]]:
    """The quick choices: the running month, quarter and year up to today, and the whole previous month."""
    last_month = month_of(today.replace(day=1) - timedelta(days=1))
    quarter_start = date(today.year, 3 * ((today.month - 1) // 3) + 1, 1)
    return {
        RUNNING_MONTH: (today.replace(day=1), today),
        "Tháng trước": last_month,
        "Quý này": (quarter_start, today),
        "Năm nay": (date(today.year, 1, 1), today),
    }


def suggested_name(report: str, fmt: str, start: date, end: date) -> str:
    """so-theo-doi-2026-11.pdf for a whole month (or the running one), else with both days."""
    stem = next(r.file_stem for r in REPORTS if r.key == report)
    if start.day == 1 and (start.year, start.month) == (end.year, end.month):
        period = f"{start:%Y-%m}"
    else:
        period = f"{start:%Y-%m-%d}_{end:%Y-%m-%d}"
    return f"{stem}-{period}.{fmt}"


def documents_folder() -> Path:
    located = QStandardPaths.writableLocation(QStandardPaths.StandardLocation.DocumentsLocation)
    return Path(located) if located else Path.home()


def to_date(value: QDate) -> date:
    return date(value.year(), value.month(), value.day())


def to_qdate(value: date) -> QDate:
    return QDate(value.year, value.month, value.day)
