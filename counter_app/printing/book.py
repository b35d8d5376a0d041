"""Mẫu 07: Sổ theo dõi hồ sơ, the tracking book of one field of procedures, as a landscape table."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, Paragraph, Spacer

from counter_app.printing.data import BookData, BookRow
from counter_app.printing.formatting import clean, clock_time, nfc, short_date
from counter_app.printing.header import form_top
from counter_app.printing.layout import FormTable, Styles, content_width, paragraph, single_copy_pdf, styles_for
from counter_app.printing.rule_sets import FormKind, form_info

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
_CELL_PADDING = 3


def _moment(moment: datetime | None) -> str:
    """Date over time, so a narrow column never cuts a date in half."""
    if moment is None:
        return ""
    return f"{short_date(moment)}<br/>{clock_time(moment)}"


def _column_widths(data: BookData, cell: ParagraphStyle, width: float) -> list[float]:
    def needed(text: str) -> float:
        return float(stringWidth(nfc(text), cell.fontName, cell.fontSize)) + 2 * _CELL_PADDING + 1

    fitted = {column: needed(sample) for column, sample in _FITTED_SAMPLES.items()}
    fitted[1] = max((needed(row.dossier_code) for row in data.rows), default=22 * mm)
    rest = width - sum(fitted.values())
    total = sum(share for share in _SHARES if share is not None)
    return [fitted[column] if share is None else rest * share / total for column, share in enumerate(_SHARES)]


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


def render_book(data: BookData) -> bytes:
    """The book's rows under a column header repeated on every page; pages are numbered."""
    info = form_info(data.rule_set, FormKind.BOOK)
    styles = styles_for(data.page_size)
    width = content_width(styles, data.page_size, landscape_page=True)
    cell, head = _cell_styles(styles)
    story: list[Flowable] = form_top(
        data.header, number=None, issued_at=data.issued_at, title=info.title, styles=styles, width=width
    )
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
            ("LEFTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), _CELL_PADDING),
        ]
    )
    story.append(table)
    return single_copy_pdf(
        story,
        styles,
        page_size=data.page_size,
        form_number=info.number,
        title=info.title,
        author=data.header.unit_name,
        reprint=data.reprint,
        reprint_number=data.reprint_number,
        landscape_page=True,
        page_numbers=True,
    )
