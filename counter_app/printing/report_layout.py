"""What the printed reports share: numbers written the Vietnamese way, the period line, tables and signatures."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Paragraph

from counter_app.domain.clock import to_vn
from counter_app.printing.formatting import clean
from counter_app.printing.layout import FormTable, Styles, paragraph, signatures

HEAD_GREY = colors.Color(0.92, 0.92, 0.92)
CELL_PADDING = 3


def count_text(number: int) -> str:
    """`12.345`: Vietnamese groups thousands with dots."""
    return f"{number:,}".replace(",", ".")


def rate_text(fraction: float) -> str:
    """`96,4%`: one decimal, with the Vietnamese decimal comma."""
    return f"{fraction * 100:.1f}%".replace(".", ",")


def period_lines(start: date, end: date, as_of: datetime, styles: Styles) -> list[Flowable]:
    """`Từ ngày … đến ngày …` and the moment the open dossiers are counted at."""
    moment = to_vn(as_of)
    if (moment.hour, moment.minute) == (0, 0):  # the end of the day before, as reports write it
        at, shown_day = "24:00", moment.date() - timedelta(days=1)
    else:
        at, shown_day = f"{moment:%H:%M}", moment.date()
    return [
        Paragraph(f"Từ ngày <b>{start:%d/%m/%Y}</b> đến ngày <b>{end:%d/%m/%Y}</b>", styles.center),
        Paragraph(clean(f"(Hồ sơ đang giải quyết và quá hạn tính đến {at} ngày {shown_day:%d/%m/%Y})"), styles.center),
    ]


def small_cells(styles: Styles, scale: float = 0.78) -> tuple[ParagraphStyle, ParagraphStyle, ParagraphStyle]:
    """Cell, heading and right-aligned number styles for wide landscape tables."""
    size = styles.body.fontSize * scale
    cell = ParagraphStyle("report_cell", parent=styles.cell, fontSize=size, leading=size * 1.25)
    head = ParagraphStyle("report_head", parent=styles.cell_head, fontSize=size, leading=size * 1.25)
    number = ParagraphStyle("report_number", parent=cell, alignment=2)
    return cell, head, number


def grid_table(rows: list[list[object]], widths: Sequence[float], *, total_row: bool = False) -> FormTable:
    """A table with a grey heading repeated on every page; `total_row` sets the last row in bold type."""
    table = FormTable(rows, colWidths=list(widths), repeatRows=1)
    style: list[tuple[object, ...]] = [
        ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
        ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
        ("VALIGN", (0, 1), (-1, -1), "TOP"),
        ("BACKGROUND", (0, 0), (-1, 0), HEAD_GREY),
        ("LEFTPADDING", (0, 0), (-1, -1), CELL_PADDING),
        ("RIGHTPADDING", (0, 0), (-1, -1), CELL_PADDING),
    ]
    if total_row and len(rows) > 1:
        style.append(("BACKGROUND", (0, -1), (-1, -1), HEAD_GREY))
    table.setStyle(style)
    return table


def headings(titles: Sequence[str], style: ParagraphStyle) -> list[object]:
    return [paragraph(title, style) for title in titles]


def report_signatures(styles: Styles, width: float, *, preparer: str, head: str) -> Flowable:
    """The preparer on the left, the head of the unit on the right, as under every administrative report."""
    return signatures(
        [
            ["NGƯỜI LẬP BIỂU", "(Ký và ghi rõ họ tên)"],
            ["THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ", "(Ký, ghi rõ họ tên và đóng dấu)"],
        ],
        styles,
        names=[preparer, head],
        width=width,
    )
