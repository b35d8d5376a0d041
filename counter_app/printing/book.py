"""Mẫu 07: Sổ theo dõi hồ sơ, the tracking book of one field of procedures, as a landscape table."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph, Spacer

from counter_app.domain.document_kinds import DocumentKind
from counter_app.printing.data import BookData, BookRow
from counter_app.printing.formatting import clean, clock_time, short_date
from counter_app.printing.frame import FormFrame, render_form
from counter_app.printing.layout import FormTable, Styles, paragraph
from counter_app.printing.report_layout import CELL_PADDING, column_widths

COLUMNS = (
    "STT",
    "Mã hồ sơ",
    "Tên TTHC",
    "Tên tổ chức, cá nhân",
    "Địa chỉ/SĐT",
    "Cơ quan chủ trì giải quyết",
    "Nhận hồ sơ",
    "Hẹn trả kết quả",
    "Trả kết quả",
    "Phương thức nhận kết quả",
    "Ký nhận",
)
# Relative widths of the text columns; None marks a column sized to its content (STT, the code, the three
# dates), so that a code or a date is never broken across lines.
_SHARES: tuple[float | None, ...] = (None, None, 0.22, 0.17, 0.19, 0.16, None, None, None, 0.13, 0.13)
_FITTED_SAMPLES = {0: "9999", 6: "00/00/0000", 7: "00/00/0000", 8: "00/00/0000"}


def _moment(moment: datetime | None) -> str:
    """Date over time, so a narrow column never cuts a date in half."""
    if moment is None:
        return ""
    return f"{short_date(moment)}<br/>{clock_time(moment)}"


def _column_widths(data: BookData, cell: ParagraphStyle, width: float) -> list[float]:
    return column_widths(_SHARES, _FITTED_SAMPLES, (row.dossier_code for row in data.rows), cell, width)


def _row(row: BookRow, cell: ParagraphStyle) -> list[object]:
    return [
        paragraph(str(row.index), cell),
        paragraph(row.dossier_code, cell),
        paragraph(row.procedure_name, cell),
        paragraph(row.applicant_name, cell),
        paragraph(row.address_phone, cell),
        paragraph(row.deciding_agency, cell),
        Paragraph(_moment(row.received_at), cell),
        Paragraph(_moment(row.due_at), cell),
        Paragraph(_moment(row.returned_at), cell),
        paragraph(row.delivery_method, cell),
        "",
    ]


def _cell_styles(styles: Styles) -> tuple[ParagraphStyle, ParagraphStyle]:
    """Smaller than other tables: eleven columns share the width of a landscape page."""
    size = styles.body.fontSize * 0.75
    cell = ParagraphStyle("book_cell", parent=styles.cell, fontSize=size, leading=size * 1.25)
    head = ParagraphStyle("book_head", parent=styles.cell_head, fontSize=size, leading=size * 1.25)
    return cell, head


def _body(data: BookData, frame: FormFrame) -> list[Flowable]:
    styles, width = frame.styles, frame.width
    cell, head = _cell_styles(styles)
    story: list[Flowable] = []
    subtitle = f"Lĩnh vực: <b>{clean(data.field_name)}</b>"
    if data.volume:
        subtitle += f"&nbsp;&nbsp;&nbsp;&nbsp;Quyển số: <b>{clean(data.volume)}</b>"
    story.append(Paragraph(subtitle, styles.center))
    story.append(Spacer(1, styles.body.leading * 0.5))
    rows: list[list[object]] = [[paragraph(title, head) for title in COLUMNS]]
    rows += [_row(row, cell) for row in data.rows]
    table = FormTable(rows, colWidths=_column_widths(data, cell, width), repeatRows=1)
    table.setStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
            ("VALIGN", (0, 1), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
            ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ]
    )
    story.append(table)
    return story


def render_book(data: BookData) -> bytes:
    """The book's rows under a column header repeated on every page; pages are numbered."""
    return render_form(
        data, DocumentKind.BOOK, lambda frame: _body(data, frame), number=None, landscape_page=True, page_numbers=True
    )
