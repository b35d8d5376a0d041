"""Frozen view objects of the reports (period, statistics, late cases, dashboard) handed to the UI and the CLI."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from counter_app.domain.clock import VN_TZ
from counter_app.errors import ValidationError

CHANNEL_NAMES = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
MAX_PERIOD_DAYS = 3660  # ten years: a longer period is a typing mistake, not a report


def rate(part: int, whole: int) -> float | None:
    """part / whole as a fraction; None when there is nothing to divide (shown "—", never 0% or 100%)."""
    return part / whole if whole else None


@dataclass(frozen=True)
class ReportPeriod:
    """Calendar days `start`..`end`, both included, in Vietnam's time; open dossiers are counted at `as_of`."""

    start: date
    end: date
    as_of: datetime

    @classmethod
    def of(cls, start: date, end: date, now: datetime) -> ReportPeriod:
        if end < start:
            raise ValidationError("to", f"Ngày cuối kỳ ({end:%d/%m/%Y}) trước ngày đầu kỳ ({start:%d/%m/%Y}).")
        if (end - start).days > MAX_PERIOD_DAYS:
            raise ValidationError("from", "Kỳ báo cáo dài quá mười năm; kiểm tra lại ngày đầu kỳ.")
        end_at = datetime.combine(end + timedelta(days=1), time(0, 0), tzinfo=VN_TZ)
        return cls(start, end, min(end_at, now))

    @property
    def start_at(self) -> datetime:
        return datetime.combine(self.start, time(0, 0), tzinfo=VN_TZ)

    @property
    def end_at(self) -> datetime:
        """00:00 of the day after `end`: the period is [start_at, end_at)."""
        return datetime.combine(self.end + timedelta(days=1), time(0, 0), tzinfo=VN_TZ)

    def as_dict(self) -> dict[str, Any]:
        return {"from": self.start.isoformat(), "to": self.end.isoformat(), "as_of": self.as_of}


@dataclass(frozen=True)
class BreakdownRow:
    """One procedure, field or deciding agency of the statistics."""

    key: str
    name: str
    received: int = 0
    fees: int = 0
    resolved_early: int = 0
    resolved_on_time: int = 0
    resolved_late: int = 0
    withdrawn: int = 0
    stopped: int = 0
    pending: int = 0
    overdue: int = 0
    late_without_apology: int = 0

    @property
    def resolved(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def on_time_rate(self) -> float | None:
        """(early + on time) / (resolved + overdue): open dossiers already overdue count as late."""
        return rate(self.resolved_early + self.resolved_on_time, self.resolved + self.overdue)

    def as_dict(self) -> dict[str, Any]:
        return {
            "key": self.key,
            "name": self.name,
            "received": self.received,
            "fees": self.fees,
            "resolved": self.resolved,
            "resolved_early": self.resolved_early,
            "resolved_on_time": self.resolved_on_time,
            "resolved_late": self.resolved_late,
            "withdrawn": self.withdrawn,
            "stopped": self.stopped,
            "pending": self.pending,
            "overdue": self.overdue,
            "late_without_apology": self.late_without_apology,
            "on_time_rate": self.on_time_rate,
        }


@dataclass(frozen=True)
class StatsReport:
    period: ReportPeriod
    received: int
    received_by_channel: dict[int, int]
    refused: int
    supplement_slips: int
    supplement_requests: int
    resolved_early: int
    resolved_on_time: int
    resolved_late: int
    withdrawn: int
    stopped: int
    pending: int
    overdue: int
    late_without_apology: int
    apologies: int
    fees: int
    handed_over: int
    ratings: tuple[int, int, int, int, int]
    likes: int
    dislikes: int
    dissatisfied: int
    by_agency: tuple[BreakdownRow, ...] = ()
    by_field: tuple[BreakdownRow, ...] = ()
    by_procedure: tuple[BreakdownRow, ...] = ()

    @property
    def supplements(self) -> int:
        return self.supplement_slips + self.supplement_requests

    @property
    def resolved(self) -> int:
        return self.resolved_early + self.resolved_on_time + self.resolved_late

    @property
    def on_time_rate(self) -> float | None:
        """(early + on time) among the dossiers whose lateness is known: resolved in the period, plus open and
        overdue at the report's moment (they are late already); None when there is none."""
        return rate(self.resolved_early + self.resolved_on_time, self.resolved + self.overdue)

    @property
    def overdue_rate(self) -> float | None:
        """Late among the dossiers whose lateness is known: resolved in the period, plus open and overdue."""
        return rate(self.resolved_late + self.overdue, self.resolved + self.overdue)

    @property
    def dislike_rate(self) -> float | None:
        """Dissatisfied hand-overs among the hand-overs of the period."""
        return rate(self.dissatisfied, self.handed_over)

    @property
    def satisfaction(self) -> float | None:
        """QĐ 766/QĐ-TTg: 100% − (overdue rate + dislike rate), as a fraction, never below 0.

        A rate that cannot be computed takes nothing away; None when neither can be.
        """
        if self.overdue_rate is None and self.dislike_rate is None:
            return None
        return max(0.0, 1.0 - ((self.overdue_rate or 0.0) + (self.dislike_rate or 0.0)))

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.period.as_dict(),
            "received": self.received,
            "received_by_channel": {str(k): v for k, v in sorted(self.received_by_channel.items())},
            "refused": self.refused,
            "supplements": self.supplements,
            "supplement_slips": self.supplement_slips,
            "supplement_requests": self.supplement_requests,
            "resolved": self.resolved,
            "resolved_early": self.resolved_early,
            "resolved_on_time": self.resolved_on_time,
            "resolved_late": self.resolved_late,
            "pending": self.pending,
            "overdue": self.overdue,
            "apologies": self.apologies,
            "late_without_apology": self.late_without_apology,
            "withdrawn": self.withdrawn,
            "stopped": self.stopped,
            "fees": self.fees,
            "on_time_rate": self.on_time_rate,
            "overdue_rate": self.overdue_rate,
            "dislike_rate": self.dislike_rate,
            "satisfaction": self.satisfaction,
            "handed_over": self.handed_over,
            "ratings": {str(level): n for level, n in enumerate(self.ratings, start=1)},
            "likes": self.likes,
            "dislikes": self.dislikes,
            "dissatisfied": self.dissatisfied,
            "by_agency": [row.as_dict() for row in self.by_agency],
            "by_field": [row.as_dict() for row in self.by_field],
            "by_procedure": [row.as_dict() for row in self.by_procedure],
        }


@dataclass(frozen=True)
class LateCase:
    """One dossier of the late report."""

    code: str
    procedure_code: str
    procedure_name: str
    applicant_name: str
    deciding_agency: str
    received_at: datetime
    first_due_at: datetime | None  # the appointment before the re-appointment (or the only one)
    due_at: datetime | None  # the appointment in force at the report's moment
    finished_at: datetime | None  # result ready (or ended) before the report's moment
    resolved_late: bool
    overdue: bool
    days_late: int  # working days after the due day, up to the day of the result or the report's moment
    situation: str
    reason: str = ""
    letter_number: str = ""
    letter_at: datetime | None = None
    letter_delivery: str = ""
    new_due_at: datetime | None = None

    @property
    def apologised(self) -> bool:
        return bool(self.letter_number)

    def as_dict(self) -> dict[str, Any]:
        return {
            "code": self.code,
            "procedure_code": self.procedure_code,
            "deciding_agency": self.deciding_agency,
            "received_at": self.received_at,
            "due_at": self.due_at,
            "first_due_at": self.first_due_at,
            "finished_at": self.finished_at,
            "resolved_late": self.resolved_late,
            "overdue": self.overdue,
            "days_late": self.days_late,
            "situation": self.situation,
            "reason": self.reason,
            "letter_number": self.letter_number or None,
            "letter_at": self.letter_at,
            "letter_delivery": self.letter_delivery or None,
            "new_due_at": self.new_due_at,
        }


@dataclass(frozen=True)
class AgencyLateCount:
    agency: str
    dossiers: int
    resolved_late: int
    overdue: int
    overdue_without_apology: int
    apologies: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "agency": self.agency,
            "dossiers": self.dossiers,
            "resolved_late": self.resolved_late,
            "overdue": self.overdue,
            "overdue_without_apology": self.overdue_without_apology,
            "apologies": self.apologies,
        }


@dataclass(frozen=True)
class LateReport:
    period: ReportPeriod
    cases: tuple[LateCase, ...]
    totals: tuple[AgencyLateCount, ...]

    def as_dict(self) -> dict[str, Any]:
        return {
            **self.period.as_dict(),
            "dossiers": len(self.cases),
            "cases": [c.as_dict() for c in self.cases],
            "totals": [t.as_dict() for t in self.totals],
        }


@dataclass(frozen=True)
class ExportResult:
    report: str  # book | stats | late
    format: str  # pdf | xlsx
    path: Path
    rows: int
    period: ReportPeriod

    def as_dict(self) -> dict[str, Any]:
        return {
            "report": self.report,
            "format": self.format,
            "path": str(self.path),
            "rows": self.rows,
            **self.period.as_dict(),
        }


@dataclass(frozen=True)
class DayCount:
    day: date
    count: int


@dataclass(frozen=True)
class MonthRate:
    year: int
    month: int
    resolved: int
    in_time: int  # early + on time

    @property
    def rate(self) -> float | None:
        return self.in_time / self.resolved if self.resolved else None


@dataclass(frozen=True)
class AgencyOverdue:
    agency: str
    overdue: int
    without_apology: int


@dataclass(frozen=True)
class DashboardView:
    """What the dashboard draws, computed at `as_of`."""

    as_of: datetime
    days: tuple[DayCount, ...]
    months: tuple[MonthRate, ...]
    overdue_by_agency: tuple[AgencyOverdue, ...]
    pending: int = 0
    overdue: int = 0
    received_today: int = 0
