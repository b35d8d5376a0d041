"""Mẫu 07 of one or several fields in one PDF: each field's book starts on a new page with its own header."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

# The book's table is book.py's; its helpers are private there because they had one user until now.
from counter_app.printing.book import COLUMNS, _cell_styles, _column_widths
from counter_app.printing.data import BookData, BookRow
from counter_app.printing.formatting import clean, clock_time, nfc, short_date
from counter_app.printing.header import form_top
from counter_app.printing.layout import content_width, paragraph, single_copy_pdf, styles_for
from counter_app.printing.report_layout import grid_table
from counter_app.printing.rule_sets import FormKind, form_info

_CELL_PADDING = 3


def _widths(data: BookData, cell: ParagraphStyle, width: float) -> list[float]:
    """book.py's widths, with STT as wide as the largest index.

    The receipt's "Số thứ tự" has six digits or more (counter, then five), and book.py sizes STT for four:
    the number would break across two lines.
    """
    widths = _column_widths(data, cell, width)
    widest = max((str(row.index) for row in data.rows), key=len, default="")
    needed = float(stringWidth(nfc(widest), cell.fontName, cell.fontSize)) + 2 * _CELL_PADDING + 1
    if needed > widths[0]:
        # taken from the widest text column (Tên TTHC), which wraps anyway
        widths[2] -= needed - widths[0]
        widths[0] = needed
    return widths


def _moment(moment: datetime | None) -> str:
    return "" if moment is None else f"{short_date(moment)}\n{clock_time(moment)}"


def _row(row: BookRow, cell: ParagraphStyle) -> list[object]:
    """Paragraphs only where text wraps: a month's book has thousands of rows, and each paragraph costs."""
    return [
        str(row.index),
        nfc(row.dossier_code),
        paragraph(row.procedure_name, cell),
        paragraph(row.applicant_name, cell),
        paragraph(row.address_phone, cell),
        paragraph(row.deciding_agency, cell),
        _moment(row.received_at),
        _moment(row.due_at),
        _moment(row.returned_at),
        paragraph(row.delivery_method, cell),
        "",
    ]


def render_books(books: Sequence[BookData], period: tuple[date, date] | None = None) -> bytes:
    """The books of `books` (one per field), a page break before each but the first; `period` under the title."""
    if not books:
        raise ValueError("no book to render")
    first = books[0]
    info = form_info(first.rule_set, FormKind.BOOK)
    styles = styles_for(first.page_size)
    width = content_width(styles, first.page_size, landscape_page=True)
    cell, head = _cell_styles(styles)
    story: list[Flowable] = []
    for number, data in enumerate(books):
        if number:
            story.append(PageBreak())
        story += form_top(
            data.header, number=None, issued_at=data.issued_at, title=info.title, styles=styles, width=width
        )
        subtitle = f"Lĩnh vực: <b>{clean(data.field_name)}</b>"
        if data.volume:
            subtitle += f"&nbsp;&nbsp;&nbsp;&nbsp;Quyển số: <b>{clean(data.volume)}</b>"
        story.append(Paragraph(subtitle, styles.center))
        if period is not None:
            story.append(Paragraph(f"Từ ngày {period[0]:%d/%m/%Y} đến ngày {period[1]:%d/%m/%Y}", styles.center))
        story.append(Spacer(1, styles.body.leading * 0.5))
        rows: list[list[object]] = [[paragraph(title, head) for title in COLUMNS]]
        rows += [_row(row, cell) for row in data.rows]
        table = grid_table(rows, _widths(data, cell, width))
        # the plain-text cells in the paragraphs' type
        table.setStyle([("FONTSIZE", (0, 1), (-1, -1), cell.fontSize), ("LEADING", (0, 1), (-1, -1), cell.leading)])
        story.append(table)
    return single_copy_pdf(
        story,
        styles,
        page_size=first.page_size,
        form_number=info.number,
        title=info.title,
        author=first.header.unit_name,
        reprint=False,
        landscape_page=True,
        page_numbers=True,
    )
