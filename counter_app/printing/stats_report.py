"""The statistics report as a PDF: the summary figures, ratings, and tables per agency, field and procedure."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from enum import StrEnum

from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from counter_app.printing.data import OfficeHeader, PageSize
from counter_app.printing.formatting import clean, money
from counter_app.printing.layout import paragraph
from counter_app.printing.report_layout import (
    KeepWithTail,
    count_text,
    grid_table,
    headings,
    rate_text,
    report_opening,
    report_signatures,
    small_cells,
)

TITLE = "BÁO CÁO TÌNH HÌNH TIẾP NHẬN VÀ GIẢI QUYẾT HỒ SƠ"
BREAKDOWN_COLUMNS = (
    "STT",
    "",  # the group's own heading (agency, field or procedure)
    "Tiếp nhận",
    "Giải quyết trước hạn",
    "Giải quyết đúng hạn",
    "Giải quyết quá hạn",
    "Tỷ lệ đúng hạn",
    "Rút hồ sơ",
    "Đang giải quyết",
    "Đang quá hạn",
)
_BREAKDOWN_SHARES = (0.05, 0.31, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08, 0.08)


class ValueKind(StrEnum):
    COUNT = "count"
    MONEY = "money"
    RATE = "rate"


@dataclass(frozen=True, slots=True, kw_only=True)
class SummaryLine:
    """One figure of the summary; `level` 1 indents it under the line above."""

    label: str
    value: int | float | None  # None: a rate with nothing to divide, printed "—"
    kind: ValueKind = ValueKind.COUNT
    level: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakdownLine:
    name: str
    received: int
    early: int
    on_time: int
    late: int
    on_time_rate: float | None  # None when no dossier's lateness is known: printed "—"
    withdrawn: int
    pending: int
    overdue: int


@dataclass(frozen=True, slots=True, kw_only=True)
class BreakdownTable:
    title: str
    heading: str  # of the name column: "Cơ quan chủ trì giải quyết", "Lĩnh vực", "Thủ tục hành chính"
    lines: tuple[BreakdownLine, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StatsReportData:
    header: OfficeHeader
    period_start: date
    period_end: date  # included
    as_of: datetime
    summary: tuple[SummaryLine, ...]
    ratings: tuple[int, int, int, int, int]  # hand-overs rated 1..5
    likes: int
    dislikes: int
    tables: tuple[BreakdownTable, ...]
    preparer: str = ""
    head_name: str = ""
    issued_at: datetime
    page_size: PageSize = PageSize.A4


def _value(line: SummaryLine) -> str:
    if line.kind is ValueKind.RATE or line.value is None:
        return rate_text(line.value)
    if line.kind is ValueKind.MONEY:
        return money(int(line.value))
    return count_text(int(line.value))


def render_stats_report(data: StatsReportData) -> bytes:
    frame, story = report_opening(data, TITLE)
    styles, width = frame.styles, frame.width
    cell, head, number = small_cells(styles, 0.85)

    story.append(Paragraph("<b>I. SỐ LIỆU TỔNG HỢP</b>", styles.body))
    rows: list[list[object]] = [headings(("Chỉ tiêu", "Số liệu"), head)]
    for line in data.summary:
        label = clean(line.label)
        shown = f"&nbsp;&nbsp;&nbsp;&nbsp;– {label}" if line.level else f"<b>{label}</b>"
        rows.append([Paragraph(shown, cell), paragraph(_value(line), number)])
    story.append(grid_table(rows, (width * 0.45, width * 0.18)))
    story.append(Spacer(1, styles.body.leading * 0.6))

    ratings = [headings(("Mức đánh giá", "1", "2", "3", "4", "5", "Hài lòng", "Không hài lòng"), head)]
    ratings.append(
        [
            paragraph("Số lượt", cell),
            *(paragraph(count_text(n), number) for n in data.ratings),
            paragraph(count_text(data.likes), number),
            paragraph(count_text(data.dislikes), number),
        ]
    )
    story.append(
        KeepTogether(
            [
                Paragraph("<b>II. ĐÁNH GIÁ CỦA TỔ CHỨC, CÁ NHÂN KHI NHẬN KẾT QUẢ</b>", styles.body),
                grid_table(ratings, [width * 0.14] + [width * 0.08] * 5 + [width * 0.12] * 2),
            ]
        )
    )
    signatures: list[Flowable] = [report_signatures(styles, width, preparer=data.preparer, head=data.head_name)]
    if not data.tables:
        story += signatures
    for number_of_table, table in enumerate(data.tables, start=3):
        story.append(Spacer(1, styles.body.leading * 0.6))
        title = Paragraph(f"<b>{_roman(number_of_table)}. {clean(table.title.upper())}</b>", styles.body)
        titles = list(BREAKDOWN_COLUMNS)
        titles[1] = table.heading
        body: list[list[object]] = [headings(titles, head)]
        for index, group in enumerate(table.lines, start=1):
            counts = (group.received, group.early, group.on_time, group.late)
            body.append(
                [
                    paragraph(str(index), number),
                    paragraph(group.name or "(không ghi)", cell),
                    *(paragraph(count_text(n), number) for n in counts),
                    paragraph(rate_text(group.on_time_rate), number),
                    *(paragraph(count_text(n), number) for n in (group.withdrawn, group.pending, group.overdue)),
                ]
            )
        grid = grid_table(body, [width * share for share in _BREAKDOWN_SHARES])
        # each title stays with its table's first rows; the signatures go with the last table's last rows
        story.append(KeepWithTail(grid, signatures if number_of_table == len(data.tables) + 2 else (), lead=[title]))
    return frame.pdf(story, author=data.header.unit_name, page_numbers=True)


def _roman(number: int) -> str:
    return ("I", "II", "III", "IV", "V", "VI", "VII", "VIII", "IX", "X")[number - 1]
