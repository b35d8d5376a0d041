"""Reports: statistics of a period, the late-case report, the tracking book (Mẫu 07), their files, the dashboard.

Definitions (also in docs/reports.md). A period is the Vietnamese calendar days `from`..`to`, both included:
[00:00 of `from`, 00:00 of the day after `to`) in Asia/Ho_Chi_Minh time.

- received: dossiers accepted at the counter (kind `dossier`, not voided) whose reception is in the period;
  also per channel (1 direct, 2 online, 3 public post). A voided dossier was taken in by mistake and is left
  out of every figure and of the book.
- refused: refusal slips (Mẫu 03) made in the period.
- supplements: supplement slips made at the counter (Mẫu 02) in the period plus supplement requests of the
  deciding agency during processing (`dossier.supplement_requested`) recorded in the period.
- resolved_early / resolved_on_time / resolved_late: dossiers whose result came back to the desk (stage
  result_ready or returned) with `finished_at` in the period, classified by domain.lateness.timeliness(
  finished_at, due_at) where due_at is the current appointment (the new one after a re-appointment, moved by
  supplement pauses). A dossier that had a second supplement request counts as late whatever the dates
  (domain.md §5).
- withdrawn / stopped: dossiers withdrawn by the applicant / stopped, with `finished_at` in the period; they
  are not "resolved".
- The report's moment `as_of` is the end of the `to` day (00:00 of the next day), or now when that is still to
  come. pending = dossiers open at `as_of`: received before it and not finished (result, withdrawal, stop) by it
  — statuses 2, 4, 5 and 6. overdue = pending dossiers whose clock ran at `as_of` (not waiting for a
  supplement) and whose appointment in force at `as_of` had passed (domain.lateness.lateness: overdue once the
  minute is after the appointment). For a past `as_of` both are rebuilt from the event log, so last month's
  report gives the same figures whenever it is printed.
- apologies: re-appointments with an apology letter (`dossier.reappointed`) recorded in the period.
- late_without_apology: overdue dossiers with no re-appointment recorded before `as_of`.
- fees: sum of the fee of the dossiers received in the period whose fee is recorded as paid (đồng).
- on_time_rate = (early + on time) / (resolved + overdue): a dossier open and overdue at `as_of` is late already,
  so it counts among the late figures. Every rate is None when there is nothing to divide, shown "—" on screen,
  in the PDF and in the XLSX, never 0% or 100% (domain.md §10).
- satisfaction = 1 − (overdue rate + dislike rate), QĐ 766/QĐ-TTg, as a fraction never below 0, where overdue
  rate = (resolved late + overdue) / (resolved + overdue), the late share of the dossiers whose lateness is
  known, and dislike rate = dissatisfied hand-overs / hand-overs in the period; a hand-over is dissatisfied
  when the applicant answered "dislike", or gave no like/dislike and rated 1 or 2 of 5. A rate with nothing to
  divide takes nothing away; satisfaction is None when neither rate can be computed.
- ratings: hand-overs of the period per rating 1..5; likes and dislikes count the like/dislike answers.
- The late report lists every dossier resolved late in the period, overdue at `as_of`, or given an apology
  letter in the period, with the letter (number, date, how it was delivered) and the new appointment, and
  totals per deciding agency.
- The book (Mẫu 07) of a field lists the dossiers received in the period in order of reception; STT is the
  "Số thứ tự" printed on the receipt (Mẫu 01) when it has one. "Hẹn trả kết quả" is the current appointment and
  "Trả kết quả" the hand-over to the applicant. Its XLSX ends with the figures per day of the period (received,
  resolved early or on time, resolved late, by the day of the result) and their bar chart on a sheet of its own.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypedDict, TypeVar, Unpack

from counter_app.domain.clock import to_vn
from counter_app.domain.dossier import KIND_REFUSAL_SLIP, KIND_SUPPLEMENT_SLIP
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.status import Stage
from counter_app.errors import ValidationError
from counter_app.printing.data import OfficeHeader, PageSize
from counter_app.services.catalogue.working_calendar import CalendarService
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.export_paths import check_export_path
from counter_app.services.common.export_record import record_export
from counter_app.services.common.settings import Settings
from counter_app.services.desk.late import DELIVERY_LABELS
from counter_app.services.reports.export_files import check_format, write_file
from counter_app.services.reports.group_totals import breakdown, group_total
from counter_app.services.reports.report_views import (
    AgencyLateCount,
    DashboardView,
    ExportResult,
    LateCase,
    LateReport,
    ReportPeriod,
    StatsReport,
)
from counter_app.storage.report_queries import AnswerCount, LateLine

if TYPE_CHECKING:
    pass

log = logging.getLogger(__name__)
_Report = TypeVar("_Report", StatsReport, LateReport)

REPORTS = ("book", "stats", "late")
NO_DOSSIER = "Không có hồ sơ trong kỳ"
Progress = Callable[[int, int], None]


class Watch(TypedDict, total=False):
    """What a long export reports to and listens to: `progress(done, total)` and a request to cancel."""

    progress: Progress | None
    cancel: threading.Event | None


def _answers(answers: list[AnswerCount]) -> tuple[tuple[int, int, int, int, int], int, int, int, int]:
    """(ratings 1..5, likes, dislikes, dissatisfied, hand-overs)."""
    ratings = [0, 0, 0, 0, 0]
    likes = dislikes = dissatisfied = total = 0
    for a in answers:
        total += a.count
        if a.rating is not None and 1 <= a.rating <= 5:
            ratings[a.rating - 1] += a.count
        if a.like is True:
            likes += a.count
        elif a.like is False:
            dislikes += a.count
        if a.like is False or (a.like is None and a.rating is not None and a.rating <= 2):
            dissatisfied += a.count
    return (ratings[0], ratings[1], ratings[2], ratings[3], ratings[4]), likes, dislikes, dissatisfied, total


class ReportService:
    def __init__(self, context: ServiceContext, calendar: CalendarService) -> None:
        self.context = context
        self.calendar = calendar

    def period(self, start: date, end: date) -> ReportPeriod:
        return ReportPeriod.of(start, end, self.context.clock.now())

    # --- statistics -------------------------------------------------------------------------------------------

    def get_stats(self, start: date, end: date) -> StatsReport:
        period = self.period(start, end)
        begin, finish = period.start_at, period.end_at
        with self.context.uow() as uow:
            q = uow.reports
            intake = q.intake(begin, finish)
            groups = [
                *intake.groups,
                *q.resolved(begin, finish),
                *q.ended(begin, finish),
                *q.open_at(period.as_of),
            ]
            channels = intake.by_channel
            refused = intake.slips.get(KIND_REFUSAL_SLIP, 0)
            supplement_slips = intake.slips.get(KIND_SUPPLEMENT_SLIP, 0)
            supplement_requests = q.events(EventKind.SUPPLEMENT_REQUESTED, begin, finish)
            apologies = q.events(EventKind.REAPPOINTED, begin, finish)
            answers = q.hand_over_answers(begin, finish)
        ratings, likes, dislikes, dissatisfied, handed_over = _answers(answers)
        return StatsReport(
            period=period,
            received=group_total(groups, "received"),
            received_by_channel=channels,
            refused=refused,
            supplement_slips=supplement_slips,
            supplement_requests=supplement_requests,
            resolved_early=group_total(groups, "resolved_early"),
            resolved_on_time=group_total(groups, "resolved_on_time"),
            resolved_late=group_total(groups, "resolved_late"),
            withdrawn=group_total(groups, "withdrawn"),
            stopped=group_total(groups, "stopped"),
            pending=group_total(groups, "pending"),
            overdue=group_total(groups, "overdue"),
            late_without_apology=group_total(groups, "late_without_apology"),
            apologies=apologies,
            fees=group_total(groups, "fees"),
            handed_over=handed_over,
            ratings=ratings,
            likes=likes,
            dislikes=dislikes,
            dissatisfied=dissatisfied,
            by_agency=breakdown(groups, lambda g: (g.key.deciding_agency, g.key.deciding_agency)),
            by_field=breakdown(groups, lambda g: (g.key.field, g.key.field)),
            by_procedure=breakdown(groups, lambda g: (g.key.procedure_code, g.key.procedure_name)),
        )

    # --- late cases ---------------------------------------------------------------------------------------------

    def get_late_report(self, start: date, end: date) -> LateReport:
        period = self.period(start, end)
        with self.context.uow() as uow:
            lines = list(uow.reports.late_lines(period.start_at, period.end_at, period.as_of))
        cases = tuple(self._late_case(line, period) for line in lines)
        totals: dict[str, list[int]] = {}
        for case in cases:
            total = totals.setdefault(case.deciding_agency, [0, 0, 0, 0, 0])
            total[0] += 1
            total[1] += case.resolved_late
            total[2] += case.overdue
            total[3] += case.overdue and not case.apologised
            total[4] += case.letter_at is not None and period.start_at <= case.letter_at < period.as_of
        return LateReport(
            period=period,
            cases=cases,
            totals=tuple(AgencyLateCount(agency, *counts) for agency, counts in sorted(totals.items())),
        )

    def _late_case(self, line: LateLine, period: ReportPeriod) -> LateCase:
        calendar = self.calendar.working_calendar()
        payload: dict[str, Any] = json.loads(line.apology_payload) if line.apology_payload else {}
        previous = payload.get("previous_due_at")
        new_due = payload.get("new_due_at")
        first_due = to_vn(datetime.fromisoformat(previous)) if previous else line.due_then
        finished = line.finished_at if line.finished_at is not None and line.finished_at < period.as_of else None
        days_late = 0
        if line.resolved_late and finished is not None and line.due_at is not None:
            days_late = calendar.working_days_between(to_vn(line.due_at).date(), to_vn(finished).date())
        elif line.overdue and line.due_then is not None:
            last_day = to_vn(period.as_of - timedelta(seconds=1)).date()
            days_late = calendar.working_days_between(to_vn(line.due_then).date(), last_day)
        return LateCase(
            code=line.code,
            procedure_code=line.procedure_code,
            procedure_name=line.procedure_name,
            applicant_name=line.applicant_name,
            deciding_agency=line.deciding_agency,
            received_at=line.received_at,
            first_due_at=first_due,
            due_at=line.due_then,
            finished_at=finished,
            resolved_late=line.resolved_late,
            overdue=line.overdue,
            days_late=days_late,
            situation=_situation(line, finished, bool(payload)),
            reason=str(payload.get("reason", "")),
            letter_number=str(payload.get("letter_number", "")),
            letter_at=line.apology_at,
            letter_delivery=DELIVERY_LABELS.get(str(payload.get("delivered", "")), ""),
            new_due_at=to_vn(datetime.fromisoformat(new_due)) if new_due else None,
        )

    # --- files --------------------------------------------------------------------------------------------------

    def export(
        self,
        report: str,
        start: date,
        end: date,
        fmt: str,
        out: Path,
        *,
        field: str | None = None,
        **watch: Unpack[Watch],
    ) -> ExportResult:
        """Write report `report` (book, stats or late) of the period into `out` as `fmt` (pdf or xlsx)."""
        if report not in REPORTS:
            raise ValidationError("report", f"Không có báo cáo “{report}”; chọn: {', '.join(REPORTS)}.")
        if report == "book":
            return self.export_book(start, end, fmt, out, field=field, **watch)
        if report == "stats":
            return self.export_stats(start, end, fmt, out, **watch)
        return self.export_late(start, end, fmt, out, **watch)

    def list_book_fields(self, start: date, end: date) -> list[tuple[str, int]]:
        """The fields with dossiers received in the period, and how many: one book each."""
        period = self.period(start, end)
        with self.context.uow() as uow:
            return uow.reports.book_fields(period.start_at, period.end_at)

    def export_book(
        self, start: date, end: date, fmt: str, out: Path, *, field: str | None = None, **watch: Unpack[Watch]
    ) -> ExportResult:
        """Mẫu 07 of one field (`field`) or of every field of the period, each its own book (PDF) or sheet."""
        from counter_app.services.reports.book_export import write_book

        check_format(fmt)
        out = check_export_path(self.context, out)
        period = self.period(start, end)
        books = self.list_book_fields(start, end)
        if field is not None:
            wanted = " ".join(field.split())
            books = [b for b in books if b[0] == wanted] or [(wanted, 0)]
        # a period without dossiers still gives a book, with its header and no line
        books = books or [(NO_DOSSIER, 0)]
        rows = write_book(
            self.context,
            period,
            books,
            fmt,
            out,
            fields=None if field is None else [b[0] for b in books],
            read_header=self._header,
            progress=watch.get("progress"),
            cancel=watch.get("cancel"),
        )
        return self._recorded(ExportResult("book", fmt, out, rows, period))

    def export_stats(self, start: date, end: date, fmt: str, out: Path, **watch: Unpack[Watch]) -> ExportResult:
        report, out = self._export_period("stats", fmt, out, lambda: self.get_stats(start, end), **watch)
        return ExportResult("stats", fmt, out, report.received, report.period)

    def export_late(self, start: date, end: date, fmt: str, out: Path, **watch: Unpack[Watch]) -> ExportResult:
        report, out = self._export_period("late", fmt, out, lambda: self.get_late_report(start, end), **watch)
        return self._recorded(ExportResult("late", fmt, out, len(report.cases), report.period))

    def _recorded(self, result: ExportResult) -> ExportResult:
        """The book and the late-case report name citizens: their export is recorded (who, what, how many rows)."""
        record_export(self.context, f"report.{result.report}.{result.format}", result.rows)
        return result

    def _export_period(
        self,
        kind: str,
        fmt: str,
        out: Path,
        compute: Callable[[], _Report],
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> tuple[_Report, Path]:
        """The statistics ("stats") or the late-case report ("late") of a period as a workbook or a PDF; the
        report is computed once (one step of progress). Returns it with the path written."""
        from counter_app.services.reports.spreadsheets import check_cancel, write_workbook

        check_format(fmt)
        out = check_export_path(self.context, out)
        report = compute()
        title, sheets, print_data, render = _period_export(kind)
        check_cancel(cancel)
        if fmt == "xlsx":
            write_workbook(out, sheets(report), title=title, cancel=cancel)
        else:
            header, settings = self._header()
            fields = {
                "issued_at": self.context.clock.now(),
                "preparer": self.context.officer_name,  # the person exporting (settings only without accounts)
                "head_name": settings.head_name,
                "page_size": PageSize(settings.page_size),
            }
            write_file(out, render(print_data(report, header, **fields)))
        if progress is not None:
            progress(1, 1)
        return report, out

    def _header(self) -> tuple[OfficeHeader, Settings]:
        settings = self.context.settings()
        with self.context.uow() as uow:
            agency = uow.agencies.get(settings.agency_code)
            name, parent = (agency.name, agency.parent_authority) if agency else (settings.agency_code, "")
        return OfficeHeader(parent_authority=parent or name, unit_name=name, place=settings.place), settings

    # --- dashboard ----------------------------------------------------------------------------------------------

    def get_dashboard(self, *, days: int = 30, months: int = 12) -> DashboardView:
        """Dossiers received per day (last `days` days), on-time rate per month (last `months`), overdue now."""
        from counter_app.services.reports.dashboard import get_dashboard

        return get_dashboard(self.context, days=days, months=months)


def _period_export(kind: str) -> tuple[str, Callable[..., Any], Callable[..., Any], Callable[[Any], bytes]]:
    """Title, sheets, print data and renderer of a period report (imported at the first export: reportlab)."""
    from counter_app.services.reports import report_files as files

    if kind == "stats":
        from counter_app.printing.stats_report import render_stats_report

        return "Báo cáo thống kê", files.stats_sheets, files.stats_print_data, render_stats_report
    from counter_app.printing.late_report import render_late_report

    return "Báo cáo hồ sơ quá hạn", files.late_sheets, files.late_print_data, render_late_report


def _situation(line: LateLine, finished: datetime | None, apologised: bool) -> str:
    if line.resolved_late and finished is not None:
        return f"Đã có kết quả ngày {to_vn(finished):%d/%m/%Y}, quá hạn"
    if line.overdue:
        return "Đang quá hạn, " + ("đã xin lỗi và hẹn lại" if apologised else "chưa có phiếu xin lỗi")
    if finished is not None:
        if line.stage in (Stage.RESULT_READY.value, Stage.RETURNED.value):
            return f"Đã có kết quả ngày {to_vn(finished):%d/%m/%Y}, trong hạn hẹn lại"
        stage = Stage(line.stage)
        return f"{stage.label} ngày {to_vn(finished):%d/%m/%Y}"
    return "Đang giải quyết theo ngày hẹn lại"
