"""The header every form shares: issuing office, national motto, "Số: …" and "<place>, ngày … tháng … năm …"."""

from __future__ import annotations

from datetime import datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, HRFlowable, Paragraph, Spacer

from counter_app.printing import fonts
from counter_app.printing.data import OfficeHeader
from counter_app.printing.formatting import clean, long_date, nfc
from counter_app.printing.layout import FormTable, Styles, paragraph

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"
DRILL_MARK = "BẢN DIỄN TẬP"
_LEFT_SHARE = 0.42
_PADDING = 3


def _fitted(style: ParagraphStyle, text: str, width: float, *, floor: float = 0.0) -> ParagraphStyle:
    """`style`, shrunk just enough for `text` to stay on one line, but not below `floor` times its size.

    Past the floor, a long unit name wraps rather than becoming unreadable.
    """
    needed = stringWidth(text, style.fontName, style.fontSize)
    if needed <= width:
        return style
    ratio = max(width / needed, floor)
    return ParagraphStyle(
        f"{style.name}_fit", parent=style, fontSize=style.fontSize * ratio, leading=style.leading * ratio
    )


def header_block(
    header: OfficeHeader, *, number: str | None, issued_at: datetime, styles: Styles, width: float
) -> FormTable:
    """The header table; `number` None leaves out the "Số" line (the tracking book has none)."""
    left_width = width * _LEFT_SHARE
    right_width = width - left_width
    left_text = left_width - 2 * _PADDING
    authority, unit = nfc(header.parent_authority).upper(), nfc(header.unit_name).upper()
    left: list[Flowable] = []
    if authority:  # an agency heading its own letter without a parent line (Mẫu 04 of a ward's committee)
        left.append(paragraph(authority, _fitted(styles.center, authority, left_text, floor=0.85)))
    left += [
        paragraph(unit, _fitted(styles.center_bold, unit, left_text, floor=0.85)),
        HRFlowable(width="35%", thickness=0.6, spaceBefore=1, spaceAfter=0, hAlign="CENTER"),
    ]
    right: list[Flowable] = [
        Paragraph(clean(NATION), _fitted(styles.center_bold, NATION, right_width - 2 * _PADDING)),
        Paragraph(f"<u>{clean(MOTTO)}</u>", styles.center_bold),
    ]
    place_date = paragraph(
        f"{header.place}, {long_date(issued_at)}",
        ParagraphStyle("place_date", parent=styles.center, fontName=fonts.ITALIC),
    )
    number_cell = "" if number is None else paragraph(f"Số: {number or '…'}", styles.center)
    table = FormTable([[left, right], [number_cell, place_date]], colWidths=[left_width, right_width])
    table.setStyle(
        [
            ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ("LEFTPADDING", (0, 0), (-1, -1), _PADDING),
            ("RIGHTPADDING", (0, 0), (-1, -1), _PADDING),
            ("TOPPADDING", (0, 1), (-1, 1), styles.body.fontSize * 0.5),
        ]
    )
    return table


def form_top(
    header: OfficeHeader, *, number: str | None, issued_at: datetime, title: str, styles: Styles, width: float
) -> list[Flowable]:
    """Header and title in bold capitals, the way every form opens; a drill database's forms say so under the title."""
    top: list[Flowable] = [
        header_block(header, number=number, issued_at=issued_at, styles=styles, width=width),
        paragraph(title, styles.title),
    ]
    if header.drill:  # no one may take a training form for a real one
        top.append(paragraph(f"{DRILL_MARK} – KHÔNG CÓ GIÁ TRỊ PHÁP LÝ", styles.center_bold))
    top.append(Spacer(1, styles.body.fontSize * 0.6))
    return top
