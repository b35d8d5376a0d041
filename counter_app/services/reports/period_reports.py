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

import itertools
import json
import logging
import threading
from collections.abc import Callable, Iterable, Iterator
from dataclasses import fields, replace
from datetime import date, datetime, time, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app.domain.clock import VN_TZ, to_vn
from counter_app.domain.dossier import KIND_REFUSAL_SLIP, KIND_SUPPLEMENT_SLIP
from counter_app.domain.status import Stage
from counter_app.errors import ValidationError
from counter_app.printing.data import OfficeHeader, PageSize
from counter_app.private_files import replacing
from counter_app.services.catalogue.working_calendar import CalendarService
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.export_paths import check_export_path
from counter_app.services.common.export_record import record_export
from counter_app.services.common.settings import Settings
from counter_app.services.desk.late import DELIVERY_LABELS
from counter_app.services.reports.report_views import (
    AgencyLateCount,
    AgencyOverdue,
    BreakdownRow,
    DashboardView,
    DayCount,
    ExportResult,
    LateCase,
    LateReport,
    MonthRate,
    ReportPeriod,
    StatsReport,
)
from counter_app.storage.report_queries import AnswerCount, BookLine, GroupCounts, LateLine, ReportQueries

if TYPE_CHECKING:
    from counter_app.services.reports.spreadsheets import SheetSpec

log = logging.getLogger(__name__)

REPORTS = ("book", "stats", "late")
FORMATS = ("pdf", "xlsx")
NO_DOSSIER = "Không có hồ sơ trong kỳ"
BOOK_PAGE = 2_000  # rows per read: short read transactions, a progress report and a cancel check each
Progress = Callable[[int, int], None]

_COUNTERS = tuple(f.name for f in fields(GroupCounts) if f.name != "key")


def _add(a: GroupCounts, b: GroupCounts) -> GroupCounts:
    return replace(a, **{name: getattr(a, name) + getattr(b, name) for name in _COUNTERS})


def _breakdown(
    groups: Iterable[GroupCounts], key: Callable[[GroupCounts], tuple[str, str]]
) -> tuple[BreakdownRow, ...]:
    """Group rows added up by `key` (code, name), largest intake first."""
    merged: dict[tuple[str, str], GroupCounts] = {}
    for group in groups:
        k = key(group)
        merged[k] = _add(merged[k], group) if k in merged else group
    rows = [
        BreakdownRow(key=k[0], name=k[1], **{name: getattr(g, name) for name in _COUNTERS}) for k, g in merged.items()
    ]
    rows.sort(key=lambda r: (-r.received, -r.resolved, r.name, r.key))
    return tuple(rows)


def _total(groups: Iterable[GroupCounts], name: str) -> int:
    return sum(getattr(g, name) for g in groups)


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
            q = ReportQueries(uow.session)
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
            supplement_requests = q.events("dossier.supplement_requested", begin, finish)
            apologies = q.events("dossier.reappointed", begin, finish)
            answers = q.hand_over_answers(begin, finish)
        ratings, likes, dislikes, dissatisfied, handed_over = _answers(answers)
        return StatsReport(
            period=period,
            received=_total(groups, "received"),
            received_by_channel=channels,
            refused=refused,
            supplement_slips=supplement_slips,
            supplement_requests=supplement_requests,
            resolved_early=_total(groups, "resolved_early"),
            resolved_on_time=_total(groups, "resolved_on_time"),
            resolved_late=_total(groups, "resolved_late"),
            withdrawn=_total(groups, "withdrawn"),
            stopped=_total(groups, "stopped"),
            pending=_total(groups, "pending"),
            overdue=_total(groups, "overdue"),
            late_without_apology=_total(groups, "late_without_apology"),
            apologies=apologies,
            fees=_total(groups, "fees"),
            handed_over=handed_over,
            ratings=ratings,
            likes=likes,
            dislikes=dislikes,
            dissatisfied=dissatisfied,
            by_agency=_breakdown(groups, lambda g: (g.key.deciding_agency, g.key.deciding_agency)),
            by_field=_breakdown(groups, lambda g: (g.key.field, g.key.field)),
            by_procedure=_breakdown(groups, lambda g: (g.key.procedure_code, g.key.procedure_name)),
        )

    # --- late cases ---------------------------------------------------------------------------------------------

    def get_late_report(self, start: date, end: date) -> LateReport:
        period = self.period(start, end)
        with self.context.uow() as uow:
            lines = list(ReportQueries(uow.session).late_lines(period.start_at, period.end_at, period.as_of))
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
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> ExportResult:
        """Write report `report` (book, stats or late) of the period into `out` as `fmt` (pdf or xlsx)."""
        if report not in REPORTS:
            raise ValidationError("report", f"Không có báo cáo “{report}”; chọn: {', '.join(REPORTS)}.")
        if report == "book":
            return self.export_book(start, end, fmt, out, field=field, progress=progress, cancel=cancel)
        if report == "stats":
            return self.export_stats(start, end, fmt, out, progress=progress, cancel=cancel)
        return self.export_late(start, end, fmt, out, progress=progress, cancel=cancel)

    def list_book_fields(self, start: date, end: date) -> list[tuple[str, int]]:
        """The fields with dossiers received in the period, and how many: one book each."""
        period = self.period(start, end)
        with self.context.uow() as uow:
            return ReportQueries(uow.session).book_fields(period.start_at, period.end_at)

    def export_book(
        self,
        start: date,
        end: date,
        fmt: str,
        out: Path,
        *,
        field: str | None = None,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> ExportResult:
        """Mẫu 07 of one field (`field`) or of every field of the period, each its own book (PDF) or sheet."""
        from counter_app.services.reports import report_files as files
        from counter_app.services.reports.spreadsheets import SheetSpec, check_cancel, write_workbook

        _check_format(fmt)
        out = check_export_path(self.context, out)
        period = self.period(start, end)
        books = self.list_book_fields(start, end)
        if field is not None:
            wanted = " ".join(field.split())
            books = [b for b in books if b[0] == wanted] or [(wanted, 0)]
        # a period without dossiers still gives a book, with its header and no line
        books = books or [(NO_DOSSIER, 0)]
        total = sum(n for _f, n in books)
        done = [0]

        def lines(name: str) -> Iterator[tuple[int, BookLine]]:
            position = 0
            after: tuple[datetime, str] | None = None
            while True:
                check_cancel(cancel)
                with self.context.uow() as uow:
                    page = ReportQueries(uow.session).book_page(
                        period.start_at, period.end_at, name, after=after, limit=BOOK_PAGE
                    )
                for line in page:
                    position += 1
                    yield position, line
                done[0] += len(page)
                if fmt == "pdf" and progress is not None:
                    # reading is the first half of a PDF's work, drawing the second (see below)
                    progress(done[0] // 2, total)
                if len(page) < BOOK_PAGE:
                    return
                after = (page[-1].received_at, page[-1].uuid)

        if fmt == "xlsx":
            days = self._book_days(period, None if field is None else [b[0] for b in books])
            sheets = itertools.chain(
                (
                    SheetSpec(
                        name or "Không ghi lĩnh vực",
                        files.BOOK_COLUMNS,
                        (files.book_cells(ln, i) for i, ln in lines(name)),
                    )
                    for name, _n in books
                ),
                [days],
            )
            rows = write_workbook(
                out,
                sheets,
                title=f"Sổ theo dõi hồ sơ {period.start:%d/%m/%Y}–{period.end:%d/%m/%Y}",
                total_rows=total,
                progress=progress,
                cancel=cancel,
            )
            return self._recorded(ExportResult("book", fmt, out, rows, period))
        from counter_app.printing.book_volumes import render_books
        from counter_app.printing.data import BookData

        header, settings = self._header()
        data = [
            BookData(
                header=header,
                rule_set=settings.rule_set,
                field_name=name or "(không ghi lĩnh vực)",
                volume=str(settings.book_volume),
                rows=tuple(files.book_row(ln, i) for i, ln in lines(name)),
                issued_at=self.context.clock.now(),
                page_size=PageSize(settings.page_size),
            )
            for name, _n in books
        ]
        check_cancel(cancel)
        read = sum(len(b.rows) for b in data)

        def drawn(lines: int) -> None:
            # after each page of the PDF: a cancel raises ExportCancelled out of the rendering
            check_cancel(cancel)
            if progress is not None:
                progress((read + lines) // 2, total)

        _write_file(out, render_books(data, (period.start, period.end), on_drawn=drawn))
        if progress is not None:
            progress(read, total)
        return self._recorded(ExportResult("book", fmt, out, read, period))

    def _book_days(self, period: ReportPeriod, fields: list[str] | None) -> SheetSpec:
        """The day figures of the book's fields (every field when None) and their chart sheet."""
        from counter_app.services.reports import report_files as files

        with self.context.uow() as uow:
            q = ReportQueries(uow.session)
            received = q.received_per_day(period.start_at, period.end_at, fields=fields)
            resolved = q.resolved_per_day(period.start_at, period.end_at, fields=fields)
        return files.book_day_sheet(period.start, period.end, received, resolved)

    def export_stats(
        self,
        start: date,
        end: date,
        fmt: str,
        out: Path,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> ExportResult:
        from counter_app.printing.stats_report import render_stats_report
        from counter_app.services.reports import report_files as files

        _check_format(fmt)
        out = check_export_path(self.context, out)
        report = self.get_stats(start, end)
        self._export_report(
            fmt,
            out,
            sheets=lambda: files.stats_sheets(report),
            title="Báo cáo thống kê",
            render=lambda header, settings: render_stats_report(
                files.stats_print_data(report, header, **self._print_fields(settings))
            ),
            progress=progress,
            cancel=cancel,
        )
        return ExportResult("stats", fmt, out, report.received, report.period)

    def export_late(
        self,
        start: date,
        end: date,
        fmt: str,
        out: Path,
        *,
        progress: Progress | None = None,
        cancel: threading.Event | None = None,
    ) -> ExportResult:
        from counter_app.printing.late_report import render_late_report
        from counter_app.services.reports import report_files as files

        _check_format(fmt)
        out = check_export_path(self.context, out)
        report = self.get_late_report(start, end)
        self._export_report(
            fmt,
            out,
            sheets=lambda: files.late_sheets(report),
            title="Báo cáo hồ sơ quá hạn",
            render=lambda header, settings: render_late_report(
                files.late_print_data(report, header, **self._print_fields(settings))
            ),
            progress=progress,
            cancel=cancel,
        )
        return self._recorded(ExportResult("late", fmt, out, len(report.cases), report.period))

    def _recorded(self, result: ExportResult) -> ExportResult:
        """The book and the late-case report name citizens: their export is recorded (who, what, how many rows)."""
        record_export(self.context, f"report.{result.report}.{result.format}", result.rows)
        return result

    def _print_fields(self, settings: Settings) -> dict[str, Any]:
        return {
            "issued_at": self.context.clock.now(),
            "preparer": settings.clerk_name,
            "head_name": settings.head_name,
            "page_size": PageSize(settings.page_size),
        }

    def _export_report(
        self,
        fmt: str,
        out: Path,
        *,
        sheets: Callable[[], Any],
        title: str,
        render: Callable[[OfficeHeader, Settings], bytes],
        progress: Progress | None,
        cancel: threading.Event | None,
    ) -> None:
        """One report as a workbook or a PDF; the report itself is already computed (one step of progress)."""
        from counter_app.services.reports.spreadsheets import check_cancel, write_workbook

        check_cancel(cancel)
        if fmt == "xlsx":
            write_workbook(out, sheets(), title=title, cancel=cancel)
        else:
            header, settings = self._header()
            _write_file(out, render(header, settings))
        if progress is not None:
            progress(1, 1)

    def _header(self) -> tuple[OfficeHeader, Settings]:
        settings = self.context.settings()
        with self.context.uow() as uow:
            agency = uow.agencies.get(settings.agency_code)
            name, parent = (agency.name, agency.parent_authority) if agency else (settings.agency_code, "")
        return OfficeHeader(parent_authority=parent or name, unit_name=name, place=settings.place), settings

    # --- dashboard ----------------------------------------------------------------------------------------------

    def get_dashboard(self, *, days: int = 30, months: int = 12) -> DashboardView:
        """Dossiers received per day (last `days` days), on-time rate per month (last `months`), overdue now."""
        now = self.context.clock.now()
        today = to_vn(now).date()
        first_day = today - timedelta(days=max(1, days) - 1)
        tomorrow = datetime.combine(today + timedelta(days=1), time(0, 0), tzinfo=VN_TZ)
        year, month = today.year, today.month - (max(1, months) - 1)
        while month < 1:
            year, month = year - 1, month + 12
        first_month = datetime(year, month, 1, tzinfo=VN_TZ)
        with self.context.uow() as uow:
            q = ReportQueries(uow.session)
            per_day = q.received_per_day(datetime.combine(first_day, time(0, 0), tzinfo=VN_TZ), tomorrow)
            per_month = {m.month: m for m in q.resolved_per_month(first_month, tomorrow)}
            open_groups = q.open_at(now)
        day_counts = tuple(
            DayCount(first_day + timedelta(days=i), per_day.get(first_day + timedelta(days=i), 0))
            for i in range((today - first_day).days + 1)
        )
        month_rates = []
        for _ in range(max(1, months)):
            found = per_month.get(f"{year:04d}-{month:02d}")
            resolved = found.early + found.on_time + found.late if found else 0
            month_rates.append(MonthRate(year, month, resolved, found.early + found.on_time if found else 0))
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
        agencies = [
            AgencyOverdue(row.key, row.overdue, row.late_without_apology)
            for row in _breakdown(open_groups, lambda g: (g.key.deciding_agency, g.key.deciding_agency))
            if row.overdue
        ]
        agencies.sort(key=lambda a: (-a.overdue, a.agency))
        return DashboardView(
            as_of=now,
            days=day_counts,
            months=tuple(month_rates),
            overdue_by_agency=tuple(agencies),
            pending=_total(open_groups, "pending"),
            overdue=_total(open_groups, "overdue"),
            received_today=per_day.get(today, 0),
        )


def _check_format(fmt: str) -> None:
    if fmt not in FORMATS:
        raise ValidationError("format", f"Định dạng tệp “{fmt}” không được hỗ trợ; chọn: {', '.join(FORMATS)}.")


def _write_file(path: Path, content: bytes) -> None:
    """Written whole beside the target, then renamed: nobody opens half a PDF."""
    with replacing(path) as partial:
        partial.write_bytes(content)


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
