"""The reports as files: the sheets of each XLSX and the printing records of each PDF, built from the views."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from datetime import date, datetime, timedelta

from counter_app.domain.intake import DELIVERIES
from counter_app.printing.data import BookRow, OfficeHeader, PageSize
from counter_app.printing.late_report import AgencyLateTotal, LateReportData, LateReportLine
from counter_app.printing.stats_report import (
    BreakdownLine,
    BreakdownTable,
    StatsReportData,
    SummaryLine,
    ValueKind,
)
from counter_app.services.reports.report_views import CHANNEL_NAMES, BreakdownRow, LateReport, StatsReport
from counter_app.services.reports.spreadsheets import CellKind, CellValue, ChartSpec, Column, Formatted, SheetSpec
from counter_app.storage.report_queries import BookLine

BOOK_COLUMNS = (
    Column("STT", CellKind.INT, 8),
    Column("Mã hồ sơ", CellKind.TEXT, 27),
    Column("Tên TTHC", CellKind.TEXT, 34),
    Column("Tên tổ chức, cá nhân", CellKind.TEXT, 24),
    Column("Địa chỉ/SĐT", CellKind.TEXT, 36),
    Column("Cơ quan chủ trì giải quyết", CellKind.TEXT, 26),
    Column("Nhận hồ sơ", CellKind.DATETIME, 17),
    Column("Hẹn trả kết quả", CellKind.DATETIME, 17),
    Column("Trả kết quả", CellKind.DATETIME, 17),
    Column("Phương thức nhận kết quả", CellKind.TEXT, 22),
    Column("Ký nhận", CellKind.TEXT, 14),
)


# --- tracking book ----------------------------------------------------------------------------------------------


def address_phone(line: BookLine) -> str:
    return " / ".join(part for part in (line.applicant_address, line.applicant_phone) if part)


def delivery_label(code: str) -> str:
    return DELIVERIES.get(code, code)


def book_index(line: BookLine, position: int) -> int:
    """The receipt's "Số thứ tự" when it has one, else the line's position in the book."""
    return line.book_index or position


def book_row(line: BookLine, position: int) -> BookRow:
    return BookRow(
        index=book_index(line, position),
        dossier_code=line.code,
        procedure_name=line.procedure_name,
        applicant_name=line.applicant_name,
        address_phone=address_phone(line),
        deciding_agency=line.deciding_agency,
        received_at=line.received_at,
        due_at=line.due_at or line.received_at,
        returned_at=line.returned_at,
        delivery_method=delivery_label(line.result_delivery),
    )


def book_cells(line: BookLine, position: int) -> list[CellValue]:
    return [
        book_index(line, position),
        line.code,
        line.procedure_name,
        line.applicant_name,
        address_phone(line),
        line.deciding_agency,
        line.received_at,
        line.due_at,
        line.returned_at,
        delivery_label(line.result_delivery),
        None,
    ]


BOOK_DAY_COLUMNS = (
    Column("Ngày", CellKind.DATE, 12),
    Column("Tiếp nhận", CellKind.INT, 12),
    Column("Giải quyết đúng hạn", CellKind.INT, 14),  # early and on time
    Column("Giải quyết quá hạn", CellKind.INT, 14),
)
BOOK_DAY_SHEET = "Số liệu theo ngày"
BOOK_CHART_SHEET = "Biểu đồ theo ngày"


def book_day_sheet(
    start: date,
    end: date,
    received: Mapping[date, int],
    resolved: Mapping[date, tuple[int, int, int]],
) -> SheetSpec:
    """Received, resolved on time (early or on the due day) and resolved late per day of `start`..`end`, and
    their bar chart on a sheet of its own."""
    rows: list[list[CellValue]] = []
    day = start
    while day <= end:
        early, on_time, late = resolved.get(day, (0, 0, 0))
        rows.append([day, received.get(day, 0), early + on_time, late])
        day += timedelta(days=1)
    period = f"tháng {start:%m/%Y}" if _whole_month(start, end) else f"từ {start:%d/%m/%Y} đến {end:%d/%m/%Y}"
    chart = ChartSpec(
        title=BOOK_CHART_SHEET,
        heading=f"Hồ sơ tiếp nhận và giải quyết theo ngày, {period}",
        x_title="Ngày",
        y_title="Số hồ sơ",
    )
    return SheetSpec(BOOK_DAY_SHEET, BOOK_DAY_COLUMNS, rows, chart=chart, counted=False)


def _whole_month(start: date, end: date) -> bool:
    return start.day == 1 and (end + timedelta(days=1)).day == 1 and (start.year, start.month) == (end.year, end.month)


# --- statistics -------------------------------------------------------------------------------------------------

_BREAKDOWN_COLUMNS = (
    Column("Tiếp nhận", CellKind.INT, 11),
    Column("Trước hạn", CellKind.INT, 11),
    Column("Đúng hạn", CellKind.INT, 11),
    Column("Quá hạn", CellKind.INT, 11),
    Column("Tỷ lệ đúng hạn", CellKind.RATE, 12),
    Column("Rút hồ sơ", CellKind.INT, 11),
    Column("Dừng xử lý", CellKind.INT, 11),
    Column("Đang giải quyết", CellKind.INT, 13),
    Column("Đang quá hạn", CellKind.INT, 12),
    Column("Quá hạn chưa xin lỗi", CellKind.INT, 14),
    Column("Phí, lệ phí đã thu (đồng)", CellKind.MONEY, 16),
)


def _breakdown_cells(row: BreakdownRow) -> list[CellValue]:
    return [
        row.received,
        row.resolved_early,
        row.resolved_on_time,
        row.resolved_late,
        row.on_time_rate,
        row.withdrawn,
        row.stopped,
        row.pending,
        row.overdue,
        row.late_without_apology,
        row.fees,
    ]


ON_TIME_RATE_LABEL = "Tỷ lệ giải quyết đúng hạn (tính cả hồ sơ đang quá hạn)"


def summary_lines(report: StatsReport) -> list[tuple[str, int | float | None, ValueKind, int]]:
    """(label, value, kind, level) of the summary, in the order a ward's monthly report reads them.

    A rate is None when it has nothing to divide: the files show "—", never 0% or 100%.
    """
    count, money, ratio = ValueKind.COUNT, ValueKind.MONEY, ValueKind.RATE
    lines: list[tuple[str, int | float | None, ValueKind, int]] = [("Hồ sơ tiếp nhận", report.received, count, 0)]
    lines += [
        (f"{CHANNEL_NAMES.get(channel, f'Kênh {channel}')}", n, count, 1)
        for channel, n in sorted(report.received_by_channel.items())
    ]
    lines += [
        ("Từ chối tiếp nhận (Mẫu 03)", report.refused, count, 0),
        ("Yêu cầu bổ sung, hoàn thiện hồ sơ", report.supplements, count, 0),
        ("Tại Bộ phận Một cửa (Mẫu 02)", report.supplement_slips, count, 1),
        ("Trong quá trình giải quyết", report.supplement_requests, count, 1),
        ("Hồ sơ đã giải quyết", report.resolved, count, 0),
        ("Trước hạn", report.resolved_early, count, 1),
        ("Đúng hạn", report.resolved_on_time, count, 1),
        ("Quá hạn", report.resolved_late, count, 1),
        (ON_TIME_RATE_LABEL, report.on_time_rate, ratio, 0),
        ("Công dân rút hồ sơ", report.withdrawn, count, 0),
        ("Dừng xử lý", report.stopped, count, 0),
        ("Hồ sơ đang giải quyết cuối kỳ", report.pending, count, 0),
        ("Đang quá hạn", report.overdue, count, 1),
        ("Quá hạn chưa có phiếu xin lỗi", report.late_without_apology, count, 1),
        ("Phiếu xin lỗi, hẹn lại ngày trả kết quả (Mẫu 04)", report.apologies, count, 0),
        ("Phí, lệ phí đã thu", report.fees, money, 0),
        ("Lượt trả kết quả", report.handed_over, count, 0),
        ("Tỷ lệ hồ sơ quá hạn", report.overdue_rate, ratio, 0),
        ("Tỷ lệ không hài lòng", report.dislike_rate, ratio, 0),
        ("Mức độ hài lòng (100% - tỷ lệ quá hạn - tỷ lệ không hài lòng)", report.satisfaction, ratio, 0),
    ]
    return lines


_KIND_CELLS = {ValueKind.COUNT: CellKind.INT, ValueKind.MONEY: CellKind.MONEY, ValueKind.RATE: CellKind.RATE}


def stats_sheets(report: StatsReport) -> list[SheetSpec]:
    summary: list[list[CellValue | Formatted]] = [
        [("   " if level else "") + label, Formatted(value, _KIND_CELLS[kind])]
        for label, value, kind, level in summary_lines(report)
    ]
    ratings: list[list[CellValue | Formatted]] = [
        [f"Mức {level}", n] for level, n in enumerate(report.ratings, start=1)
    ]
    ratings += [["Hài lòng (thích)", report.likes], ["Không hài lòng (không thích)", report.dislikes]]
    return [
        SheetSpec("Tổng hợp", (Column("Chỉ tiêu", CellKind.TEXT, 60), Column("Số liệu", CellKind.INT, 18)), summary),
        SheetSpec(
            "Theo cơ quan",
            (Column("Cơ quan chủ trì giải quyết", CellKind.TEXT, 36), *_BREAKDOWN_COLUMNS),
            [[row.name, *_breakdown_cells(row)] for row in report.by_agency],
        ),
        SheetSpec(
            "Theo lĩnh vực",
            (Column("Lĩnh vực", CellKind.TEXT, 36), *_BREAKDOWN_COLUMNS),
            [[row.name, *_breakdown_cells(row)] for row in report.by_field],
        ),
        SheetSpec(
            "Theo thủ tục",
            (Column("Mã TTHC", CellKind.TEXT, 14), Column("Tên TTHC", CellKind.TEXT, 40), *_BREAKDOWN_COLUMNS),
            [[row.key, row.name, *_breakdown_cells(row)] for row in report.by_procedure],
        ),
        SheetSpec("Đánh giá", (Column("Đánh giá", CellKind.TEXT, 30), Column("Số lượt", CellKind.INT, 12)), ratings),
    ]


def _lines(rows: Sequence[BreakdownRow]) -> tuple[BreakdownLine, ...]:
    return tuple(
        BreakdownLine(
            name=row.name if row.key == row.name else f"{row.name} ({row.key})",
            received=row.received,
            early=row.resolved_early,
            on_time=row.resolved_on_time,
            late=row.resolved_late,
            on_time_rate=row.on_time_rate,
            withdrawn=row.withdrawn,
            pending=row.pending,
            overdue=row.overdue,
        )
        for row in rows
    )


def stats_print_data(
    report: StatsReport,
    header: OfficeHeader,
    *,
    issued_at: datetime,
    preparer: str,
    head_name: str,
    page_size: PageSize,
) -> StatsReportData:
    return StatsReportData(
        header=header,
        period_start=report.period.start,
        period_end=report.period.end,
        as_of=report.period.as_of,
        summary=tuple(
            SummaryLine(label=label, value=value, kind=kind, level=level)
            for label, value, kind, level in summary_lines(report)
        ),
        ratings=report.ratings,
        likes=report.likes,
        dislikes=report.dislikes,
        tables=(
            BreakdownTable(
                title="Theo cơ quan chủ trì giải quyết",
                heading="Cơ quan chủ trì giải quyết",
                lines=_lines(report.by_agency),
            ),
            BreakdownTable(title="Theo lĩnh vực", heading="Lĩnh vực", lines=_lines(report.by_field)),
            BreakdownTable(
                title="Theo thủ tục hành chính", heading="Thủ tục hành chính", lines=_lines(report.by_procedure)
            ),
        ),
        preparer=preparer,
        head_name=head_name,
        issued_at=issued_at,
        page_size=page_size,
    )


# --- late cases -------------------------------------------------------------------------------------------------

LATE_COLUMNS = (
    Column("STT", CellKind.INT, 7),
    Column("Mã hồ sơ", CellKind.TEXT, 27),
    Column("Mã TTHC", CellKind.TEXT, 12),
    Column("Tên TTHC", CellKind.TEXT, 32),
    Column("Tên tổ chức, cá nhân", CellKind.TEXT, 24),
    Column("Cơ quan chủ trì giải quyết", CellKind.TEXT, 26),
    Column("Nhận hồ sơ", CellKind.DATETIME, 17),
    Column("Hẹn trả kết quả", CellKind.DATETIME, 17),
    Column("Có kết quả / kết thúc", CellKind.DATETIME, 17),
    Column("Tình trạng", CellKind.TEXT, 34),
    Column("Số ngày làm việc quá hạn", CellKind.INT, 12),
    Column("Lý do chậm", CellKind.TEXT, 36),
    Column("Số phiếu xin lỗi", CellKind.TEXT, 18),
    Column("Ngày phiếu xin lỗi", CellKind.DATETIME, 17),
    Column("Cách gửi phiếu", CellKind.TEXT, 24),
    Column("Hẹn trả mới", CellKind.DATETIME, 17),
)
LATE_TOTAL_COLUMNS = (
    Column("Cơ quan chủ trì giải quyết", CellKind.TEXT, 36),
    Column("Số hồ sơ trong báo cáo", CellKind.INT, 14),
    Column("Đã giải quyết quá hạn", CellKind.INT, 14),
    Column("Đang quá hạn", CellKind.INT, 14),
    Column("Trong đó chưa có phiếu xin lỗi", CellKind.INT, 16),
    Column("Phiếu xin lỗi đã gửi", CellKind.INT, 14),
)


def _late_rows(report: LateReport) -> Iterator[list[CellValue]]:
    for index, case in enumerate(report.cases, start=1):
        yield [
            index,
            case.code,
            case.procedure_code,
            case.procedure_name,
            case.applicant_name,
            case.deciding_agency,
            case.received_at,
            case.first_due_at,
            case.finished_at,
            case.situation,
            case.days_late,
            case.reason or None,
            case.letter_number or None,
            case.letter_at,
            case.letter_delivery or None,
            case.new_due_at,
        ]


def late_sheets(report: LateReport) -> list[SheetSpec]:
    return [
        SheetSpec("Hồ sơ quá hạn", LATE_COLUMNS, _late_rows(report)),
        SheetSpec(
            "Theo cơ quan",
            LATE_TOTAL_COLUMNS,
            [
                [t.agency, t.dossiers, t.resolved_late, t.overdue, t.overdue_without_apology, t.apologies]
                for t in report.totals
            ],
        ),
    ]


def late_print_data(
    report: LateReport,
    header: OfficeHeader,
    *,
    issued_at: datetime,
    preparer: str,
    head_name: str,
    page_size: PageSize,
) -> LateReportData:
    return LateReportData(
        header=header,
        period_start=report.period.start,
        period_end=report.period.end,
        as_of=report.period.as_of,
        lines=tuple(
            LateReportLine(
                index=index,
                dossier_code=case.code,
                procedure_name=case.procedure_name,
                applicant_name=case.applicant_name,
                deciding_agency=case.deciding_agency,
                received_at=case.received_at,
                first_due_at=case.first_due_at,
                situation=case.situation,
                days_late=case.days_late,
                reason=case.reason,
                letter_number=case.letter_number,
                letter_at=case.letter_at,
                letter_delivery=case.letter_delivery,
                new_due_at=case.new_due_at,
            )
            for index, case in enumerate(report.cases, start=1)
        ),
        totals=tuple(
            AgencyLateTotal(
                agency=t.agency,
                dossiers=t.dossiers,
                resolved_late=t.resolved_late,
                overdue=t.overdue,
                overdue_without_apology=t.overdue_without_apology,
                apologies=t.apologies,
            )
            for t in report.totals
        ),
        preparer=preparer,
        head_name=head_name,
        issued_at=issued_at,
        page_size=page_size,
    )
