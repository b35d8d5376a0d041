"""Mẫu 07 of one or several fields in one PDF: each field's book starts on a new page with its own header.

A year's book has a hundred thousand lines. A reportlab Table lays out every cell as a paragraph and splits
the remaining table again at every page (about 10 ms a line, and more the longer the table); here the lines are
measured once with the font's metrics and drawn straight on the page by `BookLines`, a flowable that splits
itself page by page, so the cost stays proportional to the number of lines (well under 1 ms each). The heading
of the form above the first page of each book is still ordinary platypus.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from functools import lru_cache

from reportlab.lib import colors
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.utils import simpleSplit
from reportlab.pdfbase.pdfmetrics import stringWidth
from reportlab.pdfgen.textobject import PDFTextObject
from reportlab.platypus import Flowable, PageBreak, Paragraph, Spacer

from counter_app.domain.document_kinds import DocumentKind

# The book's column widths are book.py's; its helpers are private there because they had one user until now.
from counter_app.printing.book import COLUMNS, _cell_styles, _column_widths
from counter_app.printing.data import BookData, BookRow
from counter_app.printing.formatting import clean, clock_time, nfc, short_date
from counter_app.printing.frame import form_frame
from counter_app.printing.report_layout import CELL_PADDING, HEAD_GREY, one_line_width

# Called after each page of lines is drawn with the number of lines drawn so far; it may raise to stop.
DrawnCallback = Callable[[int], None]
_GRID = 0.5


def _widths(data: BookData, cell: ParagraphStyle, width: float) -> list[float]:
    """book.py's widths, with STT as wide as the largest index.

    The receipt's "Số thứ tự" has six digits or more (counter, then five), and book.py sizes STT for four:
    the number would break across two lines.
    """
    widths = _column_widths(data, cell, width)
    widest = max((str(row.index) for row in data.rows), key=len, default="")
    needed = one_line_width(widest, cell)
    if needed > widths[0]:
        # taken from the widest text column (Tên TTHC), which wraps anyway
        widths[2] -= needed - widths[0]
        widths[0] = needed
    return widths


def _moment(moment: datetime | None) -> tuple[str, ...]:
    """Date over time, so a narrow column never cuts a date in half."""
    return () if moment is None else (short_date(moment), clock_time(moment))


@dataclass(frozen=True, slots=True)
class _Font:
    name: str
    size: float
    leading: float


class _Wrapper:
    """Lines of a cell's text at a column's width; the repeated texts (procedures, agencies) are split once."""

    def __init__(self, font: _Font, widths: Sequence[float]) -> None:
        self.font = font
        self.inner = [w - 2 * CELL_PADDING for w in widths]
        self._cached = lru_cache(maxsize=65_536)(self._split)

    def _split(self, text: str, column: int) -> tuple[str, ...]:
        if not text:
            return ()
        return tuple(simpleSplit(nfc(text), self.font.name, self.font.size, self.inner[column]))

    def lines(self, text: str, column: int, *, repeated: bool = False) -> tuple[str, ...]:
        """`repeated`: a text that recurs (a procedure, an agency, a name): split once, then looked up."""
        return self._cached(text, column) if repeated else self._split(text, column)

    def _address_phone(self, text: str) -> tuple[str, ...]:
        """ "address / phone": the address (shared by a household, a street number) is split once, the phone put
        after its last line when it fits there."""
        address, separator, phone = text.rpartition(" / ")
        if not separator or not address:
            return self.lines(text, 4)
        lines = list(self.lines(address, 4, repeated=True))
        tail = nfc(f"/ {phone}")
        joined = f"{lines[-1]} {tail}" if lines else tail
        if stringWidth(joined, self.font.name, self.font.size) <= self.inner[4]:
            lines[-1:] = [joined]
        else:
            lines += self.lines(tail, 4)
        return tuple(lines)

    def row(self, row: BookRow) -> tuple[tuple[str, ...], ...]:
        return (
            (str(row.index),),
            (nfc(row.dossier_code),),
            self.lines(row.procedure_name, 2, repeated=True),
            self.lines(row.applicant_name, 3, repeated=True),
            self._address_phone(row.address_phone),
            self.lines(row.deciding_agency, 5, repeated=True),
            _moment(row.received_at),
            _moment(row.due_at),
            _moment(row.returned_at),
            self.lines(row.delivery_method, 9, repeated=True),
            (),
        )


class _Layout:
    """The lines of every row of one book and their heights, measured once and shared by the page pieces."""

    def __init__(self, rows: Sequence[BookRow], widths: Sequence[float], cell: _Font, head: _Font) -> None:
        self.rows = rows
        self.widths = list(widths)
        self.cell = cell
        self.head = head
        self._wrapper = _Wrapper(cell, widths)
        heading = _Wrapper(head, widths)
        self.heading = tuple(heading.lines(title, i) for i, title in enumerate(COLUMNS))
        self.heading_height = self._height(self.heading, head)
        self._lines: list[tuple[tuple[str, ...], ...]] = []
        self._heights: list[float] = []
        self._operators: dict[tuple[str, float, str], str] = {}

    @staticmethod
    def _height(cells: Sequence[Sequence[str]], font: _Font) -> float:
        return max(1, *(len(c) for c in cells)) * font.leading + 2 * CELL_PADDING

    def measure(self, upto: int) -> None:
        """Lay out the rows before `upto` (rows are measured as the pages reach them)."""
        for row in self.rows[len(self._lines) : upto]:
            cells = self._wrapper.row(row)
            self._lines.append(cells)
            self._heights.append(self._height(cells, self.cell))

    def height(self, index: int) -> float:
        self.measure(index + 1)
        return self._heights[index]

    def lines(self, index: int) -> tuple[tuple[str, ...], ...]:
        self.measure(index + 1)
        return self._lines[index]

    def show(self, text: PDFTextObject, font: _Font, line: str) -> None:
        """`line` at the text object's origin, its PDF operators made once per distinct line and font.

        Dates, times, procedures and agencies repeat on every page; reportlab would map each of them to the
        font's subsets again. The operators are made with no font subset selected, so that they select theirs
        and hold wherever they are replayed (relies on PDFTextObject's `_formatText`, `_code` and `_curSubset`;
        the book tests read every PDF back).
        """
        key = (font.name, font.size, line)
        operators = self._operators.get(key)
        if operators is None:
            text._curSubset = -1
            operators = self._operators[key] = text._formatText(line)
        text._code.append(operators)
        text._curSubset = -1


class BookLines(Flowable):  # type: ignore[misc]  # reportlab ships no type information
    """Rows `start`..`end` of a book under the column heading, drawn directly on the canvas.

    `split` hands the frame the rows that fit and keeps the rest for the next page (each page repeats the
    heading), measuring only the rows it looks at: a page costs its own rows, whatever the book's length.
    """

    def __init__(self, layout: _Layout, start: int, end: int, on_drawn: DrawnCallback | None = None) -> None:
        super().__init__()
        self.layout = layout
        self.start = start
        self.end = end
        self.on_drawn = on_drawn
        self.width = sum(layout.widths)
        self.height = 0.0

    def _fitting(self, available: float) -> tuple[int, float]:
        """How many rows from `start` fit in `available` points under the heading, and their height."""
        used = self.layout.heading_height
        count = 0
        while self.start + count < self.end:
            row = self.layout.height(self.start + count)
            if used + row > available:
                break
            used += row
            count += 1
        return count, used

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        count, used = self._fitting(avail_height)
        # all rows fit: their height; else a height that does not fit, so that the frame asks for a split
        self.height = used if self.start + count >= self.end else avail_height + 1
        return self.width, self.height

    def split(self, avail_width: float, avail_height: float) -> list[Flowable]:
        count, _used = self._fitting(avail_height)
        if count == 0:
            return []  # not even one row: start on the next page
        return [
            BookLines(self.layout, self.start, self.start + count, self.on_drawn),
            BookLines(self.layout, self.start + count, self.end, self.on_drawn),
        ]

    def draw(self) -> None:
        canvas = self.canv
        layout = self.layout
        lefts = [sum(layout.widths[:i]) for i in range(len(layout.widths) + 1)]
        top = self.height
        canvas.saveState()
        # heading: grey band, bold centred titles
        canvas.setFillColor(HEAD_GREY)
        canvas.rect(0, top - layout.heading_height, self.width, layout.heading_height, stroke=0, fill=1)
        canvas.setFillColor(colors.black)
        text = canvas.beginText()
        self._cells(text, layout.heading, top, layout.heading_height, layout.head, lefts, centred=True)
        bottoms = [top - layout.heading_height]
        y = bottoms[0]
        for index in range(self.start, self.end):
            height = layout.height(index)
            self._cells(text, layout.lines(index), y, height, layout.cell, lefts, centred=False)
            y -= height
            bottoms.append(y)
        canvas.drawText(text)
        # the grid: one path for the whole page
        canvas.setLineWidth(_GRID)
        canvas.setStrokeColor(colors.black)
        path = canvas.beginPath()
        for line_y in (top, *bottoms):
            path.moveTo(0, line_y)
            path.lineTo(self.width, line_y)
        for x in lefts:
            path.moveTo(x, top)
            path.lineTo(x, y)
        canvas.drawPath(path, stroke=1, fill=0)
        canvas.restoreState()
        if self.on_drawn is not None:
            self.on_drawn(self.end)

    def _cells(
        self,
        text: PDFTextObject,
        cells: Sequence[Sequence[str]],
        top: float,
        height: float,
        font: _Font,
        lefts: Sequence[float],
        *,
        centred: bool,
    ) -> None:
        text.setFont(font.name, font.size, font.leading)
        widths = self.layout.widths
        # first baseline: as a paragraph sets it, one font size below the top padding
        first = top - CELL_PADDING - font.size
        if centred:  # the heading's titles are centred vertically too
            first -= (height - _Layout._height(cells, font)) / 2
        for column, lines in enumerate(cells):
            baseline = first
            for line in lines:
                if centred:
                    x = lefts[column] + (widths[column] - stringWidth(line, font.name, font.size)) / 2
                else:
                    x = lefts[column] + CELL_PADDING
                text.setTextOrigin(x, baseline)
                self.layout.show(text, font, line)
                baseline -= font.leading


def render_books(
    books: Sequence[BookData],
    period: tuple[date, date] | None = None,
    *,
    on_drawn: DrawnCallback | None = None,
) -> bytes:
    """The books of `books` (one per field), a page break before each but the first; `period` under the title.

    `on_drawn(lines)` is called after each page with the number of lines drawn so far (all books together); an
    exception it raises (a cancelled export) stops the rendering.
    """
    if not books:
        raise ValueError("no book to render")
    first = books[0]
    frame = form_frame(first, DocumentKind.BOOK, landscape_page=True)
    styles, width = frame.styles, frame.width
    cell, head = _cell_styles(styles)
    story: list[Flowable] = []
    drawn_before = 0
    for number, data in enumerate(books):
        if number:
            story.append(PageBreak())
        story += frame.top(data.header, number=None, issued_at=data.issued_at)
        subtitle = f"Lĩnh vực: <b>{clean(data.field_name)}</b>"
        if data.volume:
            subtitle += f"&nbsp;&nbsp;&nbsp;&nbsp;Quyển số: <b>{clean(data.volume)}</b>"
        story.append(Paragraph(subtitle, styles.center))
        if period is not None:
            story.append(Paragraph(f"Từ ngày {period[0]:%d/%m/%Y} đến ngày {period[1]:%d/%m/%Y}", styles.center))
        story.append(Spacer(1, styles.body.leading * 0.5))
        layout = _Layout(
            data.rows,
            _widths(data, cell, width),
            _Font(cell.fontName, cell.fontSize, cell.leading),
            _Font(head.fontName, head.fontSize, head.leading),
        )
        story.append(BookLines(layout, 0, len(data.rows), _offset(on_drawn, drawn_before)))
        drawn_before += len(data.rows)
    return frame.pdf(story, author=first.header.unit_name, page_numbers=True)


def _offset(on_drawn: DrawnCallback | None, before: int) -> DrawnCallback | None:
    if on_drawn is None:
        return None
    return lambda drawn: on_drawn(before + drawn)
