"""The late-case report as a PDF: every dossier that ran late, its apology letter, and totals per agency."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from reportlab.lib.units import mm
from reportlab.platypus import Paragraph, Spacer

from counter_app.printing.data import OfficeHeader, PageSize
from counter_app.printing.formatting import clean, clock_time, short_date
from counter_app.printing.layout import paragraph
from counter_app.printing.report_layout import (
    KeepWithTail,
    column_widths,
    count_text,
    grid_table,
    headings,
    report_opening,
    report_signatures,
    small_cells,
)

TITLE = "BÁO CÁO HỒ SƠ GIẢI QUYẾT QUÁ HẠN VÀ VIỆC XIN LỖI TỔ CHỨC, CÁ NHÂN"
COLUMNS = (
    "STT",
    "Mã hồ sơ",
    "Tên TTHC",
    "Tên tổ chức, cá nhân",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Tình trạng",
    "Số ngày quá hạn (ngày làm việc)",
    "Lý do chậm",
    "Phiếu xin lỗi (số, ngày, cách gửi)",
    "Hẹn trả mới",
)
# Relative widths of the text columns; None marks a column sized to its content (STT, the code, the dates,
# the count), so that a code or a date is never broken across lines.
_SHARES: tuple[float | None, ...] = (None, None, 0.17, 0.13, 0.12, None, None, 0.15, 0.07, 0.2, 0.16, None)
_FITTED_SAMPLES = {0: "999", 5: "00/00/0000", 6: "00/00/0000", 11: "00/00/0000"}
TOTAL_COLUMNS = (
    "Cơ quan chủ trì giải quyết",
    "Số hồ sơ trong báo cáo",
    "Đã giải quyết quá hạn",
    "Đang quá hạn",
    "Trong đó chưa có phiếu xin lỗi",
    "Phiếu xin lỗi đã gửi",
)


@dataclass(frozen=True, slots=True, kw_only=True)
class LateReportLine:
    index: int
    dossier_code: str
    procedure_name: str
    applicant_name: str
    deciding_agency: str
    received_at: datetime
    first_due_at: datetime | None  # the appointment given at reception (before any re-appointment)
    situation: str  # e.g. "Đã giải quyết quá hạn ngày 09/03/2026"
    days_late: int
    reason: str = ""
    letter_number: str = ""
    letter_at: datetime | None = None
    letter_delivery: str = ""
    new_due_at: datetime | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class AgencyLateTotal:
    agency: str
    dossiers: int
    resolved_late: int
    overdue: int
    overdue_without_apology: int
    apologies: int


@dataclass(frozen=True, slots=True, kw_only=True)
class LateReportData:
    header: OfficeHeader
    period_start: date
    period_end: date
    as_of: datetime
    lines: tuple[LateReportLine, ...]
    totals: tuple[AgencyLateTotal, ...]
    preparer: str = ""
    head_name: str = ""
    issued_at: datetime
    page_size: PageSize = PageSize.A4


def _moment(moment: datetime | None) -> str:
    return "" if moment is None else f"{short_date(moment)}<br/>{clock_time(moment)}"


def _letter(line: LateReportLine) -> str:
    if not line.letter_number:
        return "<b>Chưa có</b>"
    parts = [f"Số {clean(line.letter_number)}"]
    if line.letter_at is not None:
        parts.append(f"ngày {short_date(line.letter_at)}")
    if line.letter_delivery:
        parts.append(clean(line.letter_delivery))
    return "<br/>".join(parts)


def render_late_report(data: LateReportData) -> bytes:
    frame, story = report_opening(data, TITLE)
    styles, width = frame.styles, frame.width
    cell, head, number = small_cells(styles, 0.72)
    story.append(Paragraph("<b>I. DANH SÁCH HỒ SƠ</b>", styles.body))
    if not data.lines:
        story.append(Paragraph("Không có hồ sơ giải quyết quá hạn trong kỳ báo cáo.", styles.body))
    else:
        rows: list[list[object]] = [headings(COLUMNS, head)]
        for line in data.lines:
            rows.append(
                [
                    paragraph(str(line.index), number),
                    paragraph(line.dossier_code, cell),
                    paragraph(line.procedure_name, cell),
                    paragraph(line.applicant_name, cell),
                    paragraph(line.deciding_agency, cell),
                    Paragraph(_moment(line.received_at), cell),
                    Paragraph(_moment(line.first_due_at), cell),
                    paragraph(line.situation, cell),
                    paragraph(count_text(line.days_late) if line.days_late else "", number),
                    paragraph(line.reason, cell),
                    Paragraph(_letter(line), cell),
                    Paragraph(_moment(line.new_due_at), cell),
                ]
            )
        codes = (line.dossier_code for line in data.lines)
        story.append(grid_table(rows, column_widths(_SHARES, _FITTED_SAMPLES, codes, cell, width)))
    story.append(Spacer(1, styles.body.leading * 0.6))
    totals: list[list[object]] = [headings(TOTAL_COLUMNS, head)]
    for total in data.totals:
        totals.append(
            [
                paragraph(total.agency or "(không ghi)", cell),
                *(
                    paragraph(count_text(n), number)
                    for n in (
                        total.dossiers,
                        total.resolved_late,
                        total.overdue,
                        total.overdue_without_apology,
                        total.apologies,
                    )
                ),
            ]
        )
    if len(data.totals) > 1:
        totals.append(
            [
                Paragraph("<b>Tổng cộng</b>", cell),
                *(
                    paragraph(count_text(sum(getattr(t, name) for t in data.totals)), number)
                    for name in ("dossiers", "resolved_late", "overdue", "overdue_without_apology", "apologies")
                ),
            ]
        )
    # the heading stays with the table's first rows, the signatures with its last ones
    story.append(
        KeepWithTail(
            grid_table(totals, [width * 0.3] + [width * 0.12] * 5, total_row=len(data.totals) > 1),
            [Spacer(1, 2 * mm), report_signatures(styles, width, preparer=data.preparer, head=data.head_name)],
            lead=[Paragraph("<b>II. TỔNG HỢP THEO CƠ QUAN CHỦ TRÌ GIẢI QUYẾT</b>", styles.body)],
        )
    )
    return frame.pdf(story, author=data.header.unit_name, page_numbers=True)
