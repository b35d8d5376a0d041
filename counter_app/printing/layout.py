"""Page geometry, paragraph styles and the building blocks every form shares (fields, lists, signatures)."""

from __future__ import annotations

import io
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from reportlab import rl_config
from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_JUSTIFY
from reportlab.lib.pagesizes import A4, A5, landscape
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import BaseDocTemplate, Flowable, Frame, LayoutError, PageTemplate, Paragraph, Spacer, Table
from reportlab.platypus import KeepTogether as _KeepTogether

from counter_app.domain.reprint import reprint_mark
from counter_app.printing import fonts
from counter_app.printing.data import PageSize
from counter_app.printing.formatting import clean

REPRINT_MARK = reprint_mark(0)  # the stamp's first words; reprint_mark(n) adds the count
_PAGES = {PageSize.A4: A4, PageSize.A5: A5}


@dataclass(frozen=True, slots=True)
class Styles:
    """Paragraph styles and sizes for one paper size; A5 scales everything down to keep a copy on one page."""

    body: ParagraphStyle
    small: ParagraphStyle
    center: ParagraphStyle
    center_bold: ParagraphStyle
    title: ParagraphStyle
    cell: ParagraphStyle
    cell_head: ParagraphStyle
    margin: float
    signature_space: float
    barcode_module: float
    barcode_height: float
    qr_size: float
    mark_size: float


_styles: dict[PageSize, Styles] = {}
_styles_lock = threading.Lock()


def styles_for(page_size: PageSize) -> Styles:
    """The styles of `page_size`; registers the fonts first, so every renderer starts here.

    Made once per paper size: the styles are never changed after creation (forms derive new ones), so every
    document, in any thread, can share them.
    """
    styles = _styles.get(page_size)
    if styles is None:
        with _styles_lock:
            styles = _styles.get(page_size) or _make_styles(page_size)
            _styles[page_size] = styles
    return styles


def _make_styles(page_size: PageSize) -> Styles:
    fonts.register_fonts()
    small_paper = page_size is PageSize.A5
    size = 8.5 if small_paper else 11.0
    leading = size * 1.32

    def style(name: str, **overrides: Any) -> ParagraphStyle:
        base: dict[str, Any] = {"fontName": fonts.REGULAR, "fontSize": size, "leading": leading}
        base.update(overrides)
        return ParagraphStyle(name, **base)

    return Styles(
        body=style("body", alignment=TA_JUSTIFY, spaceAfter=size * 0.2),
        small=style("small", fontSize=size * 0.85, leading=leading * 0.85),
        center=style("center", alignment=TA_CENTER),
        center_bold=style("center_bold", alignment=TA_CENTER, fontName=fonts.BOLD),
        title=style(
            "title",
            alignment=TA_CENTER,
            fontName=fonts.BOLD,
            fontSize=size * 1.25,
            leading=size * 1.6,
            spaceBefore=size * 0.6,
        ),
        cell=style("cell", fontSize=size * 0.85, leading=leading * 0.85),
        cell_head=style(
            "cell_head", fontSize=size * 0.85, leading=leading * 0.85, fontName=fonts.BOLD, alignment=TA_CENTER
        ),
        margin=(11 if small_paper else 16) * mm,
        signature_space=(14 if small_paper else 20) * mm,
        barcode_module=(0.33 if small_paper else 0.38) * mm,
        barcode_height=(10 if small_paper else 12) * mm,
        qr_size=(19 if small_paper else 24) * mm,
        mark_size=size * 1.1,
    )


class FormTable(Table):  # type: ignore[misc]  # reportlab ships no type information
    """A Table whose cells default to Noto Sans.

    reportlab sets each cell's font even when the cell holds flowables, Helvetica unless told otherwise, and
    that puts an unembedded Helvetica in every PDF.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.setStyle([("FONTNAME", (0, 0), (-1, -1), fonts.REGULAR)])


def content_width(styles: Styles, page_size: PageSize, *, landscape_page: bool = False) -> float:
    """Width of the text frame (see `build_pdf` for the margins)."""
    width = (landscape(_PAGES[page_size]) if landscape_page else _PAGES[page_size])[0]
    return float(width - styles.margin * 2.25)


def paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A paragraph of plain text (escaped and NFC-normalised)."""
    return Paragraph(clean(text), style)


def field(label: str, value: str, style: ParagraphStyle, *, bold: bool = True) -> Paragraph:
    """`Label: value`, the value in bold so the citizen finds it at a glance."""
    shown = clean(value) if value else "…"
    return Paragraph(f"{clean(label)}: {'<b>' + shown + '</b>' if bold else shown}", style)


def numbered(items: Sequence[str], style: ParagraphStyle, *, indent: float = 6 * mm) -> list[Flowable]:
    """A numbered list with hanging indents."""
    item_style = ParagraphStyle(f"{style.name}_item", parent=style, leftIndent=indent, firstLineIndent=-indent * 0.6)
    if not items:
        return [Paragraph("(không có)", item_style)]
    return [Paragraph(f"{number}. {clean(item)}", item_style) for number, item in enumerate(items, start=1)]


def signatures(blocks: Sequence[Sequence[str]], styles: Styles, *, names: Sequence[str], width: float) -> Flowable:
    """Signature columns: a bold title, notes in italics, space to sign, then the printed name.

    An empty block leaves its column empty (a single signature sits on the right, as on letters). The columns
    are kept on one page with the space above them.
    """
    return _KeepTogether(signature_rows(blocks, styles, names=names, width=width))


def signature_rows(
    blocks: Sequence[Sequence[str]], styles: Styles, *, names: Sequence[str], width: float
) -> list[Flowable]:
    """What `signatures` keeps together: the space above the columns, and the columns."""
    italic = ParagraphStyle("sig_note", parent=styles.center, fontName=fonts.ITALIC)
    cells: list[list[Flowable]] = []
    for lines, name in zip(blocks, names, strict=True):
        if not lines:
            cells.append([])
            continue
        title, *notes = lines
        cell: list[Flowable] = [paragraph(title, styles.center_bold)]
        cell += [paragraph(note, italic) for note in notes]
        cell.append(Spacer(1, styles.signature_space))
        cell.append(paragraph(name, styles.center_bold) if name else Spacer(1, styles.center.leading))
        cells.append(cell)
    table = FormTable([cells], colWidths=[width / len(cells)] * len(cells), hAlign="CENTER")
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 2)])
    return [Spacer(1, styles.body.leading * 0.6), table]


class CopyLabel(Flowable):  # type: ignore[misc]  # reportlab ships no type information
    """Invisible marker: from the page it lands on, pages carry `label` (e.g. "Liên 1: Lưu") in their margin."""

    def __init__(self, decor: PageDecor, label: str) -> None:
        super().__init__()
        self.decor = decor
        self.label = label

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        return 0, 0

    def draw(self) -> None:
        self.decor.copy_label = self.label


class PageDecor:
    """What goes in the top margin of every page: the form number, the copy label, the reprint stamp."""

    def __init__(
        self, styles: Styles, *, form_number: str, reprint: bool, page_numbers: bool, reprint_number: int = 0
    ) -> None:
        self.styles = styles
        self.form_number = form_number
        self.reprint = reprint
        self.reprint_number = reprint_number
        self.page_numbers = page_numbers
        self.copy_label = ""

    def __call__(self, canvas: Canvas, doc: BaseDocTemplate) -> None:
        self.draw(canvas, doc.pagesize, doc.page)

    def draw(self, canvas: Canvas, pagesize: tuple[float, float], page: int) -> None:
        width, height = pagesize
        margin = self.styles.margin
        size = self.styles.mark_size
        baseline = height - margin * 0.55
        canvas.saveState()
        right = [text for text in (self.form_number, self.copy_label) if text]
        if right:
            canvas.setFont(fonts.BOLD, size * 0.85)
            canvas.drawRightString(width - margin, baseline, " – ".join(right))
        if self.reprint:
            mark = reprint_mark(self.reprint_number)
            canvas.setFont(fonts.BOLD, size)
            stamp_width = canvas.stringWidth(mark, fonts.BOLD, size) + size
            canvas.setStrokeColor(colors.red)
            canvas.setFillColor(colors.red)
            canvas.setLineWidth(1.2)
            canvas.rect(margin, baseline - size * 0.4, stamp_width, size * 1.5, stroke=1, fill=0)
            canvas.drawString(margin + size / 2, baseline, mark)
        if self.page_numbers:
            canvas.setFont(fonts.REGULAR, size * 0.8)
            canvas.setFillColor(colors.black)
            canvas.drawCentredString(width / 2, margin * 0.45, f"Trang {page}")
        canvas.restoreState()


def _margins(styles: Styles) -> dict[str, float]:
    margin = styles.margin
    # the left margin is wider: the binding side, as on administrative documents
    return {"leftMargin": margin * 1.25, "rightMargin": margin, "topMargin": margin, "bottomMargin": margin}


def _text_frame(pagesize: tuple[float, float], styles: Styles) -> Frame:
    """The one frame of every page: the page less its margins, without padding."""
    m = _margins(styles)
    return Frame(
        m["leftMargin"],
        m["bottomMargin"],
        pagesize[0] - m["leftMargin"] - m["rightMargin"],
        pagesize[1] - m["topMargin"] - m["bottomMargin"],
        leftPadding=0,
        rightPadding=0,
        topPadding=0,
        bottomPadding=0,
    )


def build_pdf(
    story: list[Flowable],
    styles: Styles,
    decor: PageDecor,
    *,
    page_size: PageSize,
    title: str,
    author: str,
    landscape_page: bool = False,
) -> bytes:
    """Lay `story` out on pages of `page_size` and return the PDF."""
    # ASCII85 only makes binary streams 25 % larger and costs ~4 ms per font subset in pure Python; every
    # PDF reader takes binary streams. The switch is process-wide, and printing is reportlab's only user.
    rl_config.useA85 = 0
    pagesize = landscape(_PAGES[page_size]) if landscape_page else _PAGES[page_size]
    output = io.BytesIO()
    document = BaseDocTemplate(
        output,
        pagesize=pagesize,
        **_margins(styles),
        title=title,
        author=author,
        creator="counter_app",
        lang="vi",
        initialFontName=fonts.REGULAR,  # else every page references an unembedded Helvetica
    )
    document.addPageTemplates([PageTemplate(id="page", frames=[_text_frame(pagesize, styles)], onPageEnd=decor)])
    document.build(story)
    return output.getvalue()


def copies_pdf(
    story: Sequence[Flowable],
    styles: Styles,
    decor: PageDecor,
    *,
    labels: Sequence[str],
    page_size: PageSize,
    title: str,
    author: str,
) -> bytes | None:
    """One page laid out once and printed as several copies, each page with its own label in the margin.

    The page is drawn once into a PDF form (XObject) that every copy's page shows: laying out and drawing
    the receipt's paragraphs, tables and codes is most of its cost, and the copies differ only in their
    label. None when `story` does not fit on one page (the caller then lays each copy out on its own pages);
    `story` must not hold flowables that split on purpose (KeepTogether) or act on the document.
    """
    rl_config.useA85 = 0  # see build_pdf
    pagesize = _PAGES[page_size]
    output = io.BytesIO()
    canvas = Canvas(output, pagesize=pagesize, initialFontName=fonts.REGULAR, lang="vi")
    # the document information BaseDocTemplate writes for the other forms
    canvas.setTitle(title)
    canvas.setAuthor(author)
    canvas.setSubject(None)
    canvas.setCreator("counter_app")
    canvas.setProducer(None)
    canvas.setKeywords([])
    frame = _text_frame(pagesize, styles)
    canvas.beginForm("copy")
    try:
        for flowable in story:
            if not frame.add(flowable, canvas):
                return None
    except LayoutError:
        return None
    canvas.endForm()
    for page, label in enumerate(labels, start=1):
        canvas.doForm("copy")
        decor.copy_label = label
        decor.draw(canvas, pagesize, page)
        canvas.showPage()
    canvas.save()
    return output.getvalue()


def single_copy_pdf(
    story: list[Flowable],
    styles: Styles,
    *,
    page_size: PageSize,
    form_number: str,
    title: str,
    author: str,
    reprint: bool,
    reprint_number: int = 0,
    landscape_page: bool = False,
    page_numbers: bool = False,
) -> bytes:
    """A form printed once (every form but the receipt)."""
    decor = PageDecor(
        styles, form_number=form_number, reprint=reprint, reprint_number=reprint_number, page_numbers=page_numbers
    )
    return build_pdf(
        story, styles, decor, page_size=page_size, title=title, author=author, landscape_page=landscape_page
    )
