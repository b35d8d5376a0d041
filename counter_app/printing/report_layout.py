"""What the printed reports share: numbers written the Vietnamese way, the period line, tables and signatures."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, datetime, timedelta
from typing import Protocol

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer
from reportlab.platypus.flowables import _listWrapOn

from counter_app.domain.clock import to_vn
from counter_app.printing.data import OfficeHeader, PageSize
from counter_app.printing.formatting import clean, nfc
from counter_app.printing.frame import FormFrame, frame_for
from counter_app.printing.layout import FormTable, Styles, paragraph, signatures

HEAD_GREY = colors.Color(0.92, 0.92, 0.92)
CELL_PADDING = 3


def count_text(number: int) -> str:
    """`12.345`: Vietnamese groups thousands with dots."""
    return f"{number:,}".replace(",", ".")


NO_RATE = "—"


def rate_text(fraction: float | None) -> str:
    """`96,4%`: one decimal, with the Vietnamese decimal comma; "—" for a rate with nothing to divide."""
    if fraction is None:
        return NO_RATE
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


def one_line_width(text: str, cell: ParagraphStyle) -> float:
    """The width of a column that shows `text` on one line in `cell`, padding included."""
    return float(stringWidth(nfc(text), cell.fontName, cell.fontSize)) + 2 * CELL_PADDING + 1


def column_widths(
    shares: Sequence[float | None], samples: dict[int, str], codes: Iterable[str], cell: ParagraphStyle, width: float
) -> list[float]:
    """Widths across `width`: a column whose share is None fits its sample on one line (column 1 the widest of the
    dossier `codes`), so that a code or a date is never broken; the others share the rest by their shares."""
    fitted = {column: one_line_width(sample, cell) for column, sample in samples.items()}
    fitted[1] = max((one_line_width(code, cell) for code in codes), default=22 * mm)
    rest = width - sum(fitted.values())
    total = sum(share for share in shares if share is not None)
    return [fitted[column] if share is None else rest * share / total for column, share in enumerate(shares)]


class PeriodReport(Protocol):
    """What every printed report of a period has (the statistics, the late-case report)."""

    @property
    def header(self) -> OfficeHeader: ...
    @property
    def issued_at(self) -> datetime: ...
    @property
    def page_size(self) -> PageSize: ...
    @property
    def period_start(self) -> date: ...
    @property
    def period_end(self) -> date: ...
    @property
    def as_of(self) -> datetime: ...


def report_opening(data: PeriodReport, title: str) -> tuple[FormFrame, list[Flowable]]:
    """A report's landscape frame (no form number) and how it opens: header and title, the period and the moment
    the open dossiers are counted at."""
    frame = frame_for(data.page_size, form_number="", title=title, landscape_page=True)
    story = frame.top(data.header, number=None, issued_at=data.issued_at)
    story += period_lines(data.period_start, data.period_end, data.as_of, frame.styles)
    story.append(Spacer(1, frame.body.leading * 0.6))
    return frame, story


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


class KeepWithTail(Flowable):  # type: ignore[misc]
    """`lead`, `body` and `tail` in a row, where `tail` (the signatures) never stands alone on a page and `lead`
    (a section heading) never stays behind at the bottom of one.

    When they do not all fit in the space left, `body` (a table, repeating its heading row) is split: its first
    part goes with `lead`, and its last rows go on with `tail` — also when the whole table would fit and only the
    signatures would not, so that a page never holds nothing but signatures. Like KeepTogether it always asks
    the frame to split it; it is meant for a story's top level, not inside another KeepTogether.
    """

    def __init__(self, body: Flowable, tail: Sequence[Flowable], lead: Sequence[Flowable] = ()) -> None:
        super().__init__()
        self._lead, self._body, self._tail = list(lead), body, list(tail)

    def _content(self) -> list[Flowable]:
        return [*self._lead, self._body, *self._tail]

    def _height(self, flowables: Sequence[Flowable], width: float) -> float:
        return float(_listWrapOn(_measured(flowables), width, self.canv)[1]) if flowables else 0.0

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        width, _height = _listWrapOn(_measured(self._content()), avail_width, self.canv)
        return width, 0xFFFFFF  # always split: split() decides where the page ends

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        content = self._content()
        if self._height(content, avail_width) <= avail_height:
            return content
        lead_height = self._height(self._lead, avail_width)
        body_height = self._body.wrapOn(self.canv, avail_width, avail_height)[1]
        room = min(avail_height - lead_height, body_height - 1)  # leave at least the body's last row for the tail
        parts = self._body.splitOn(self.canv, avail_width, room) if room > 0 else []
        if len(parts) < 2:
            return []  # nothing can go on this page: all of it starts the next one
        return [*self._lead, *parts[:-1], KeepWithTail(parts[-1], self._tail)]

    def getSpaceBefore(self) -> float:  # noqa: N802 - reportlab's name
        return float(self._content()[0].getSpaceBefore())

    def getSpaceAfter(self) -> float:  # noqa: N802 - reportlab's name
        return float(self._content()[-1].getSpaceAfter())


def _measured(flowables: Sequence[Flowable]) -> list[Flowable]:
    """`flowables` with each KeepTogether opened: it reports an endless height to force its own split."""
    opened: list[Flowable] = []
    for flowable in flowables:
        opened += _measured(flowable._content) if isinstance(flowable, KeepTogether) else [flowable]
    return opened
