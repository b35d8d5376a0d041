"""The frame every form and report is laid out in: its paper, the header and title on top, the page decoration."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable

from counter_app.domain.document_kinds import DocumentKind, form_info
from counter_app.printing.data import FormData, OfficeHeader, PageSize
from counter_app.printing.header import form_top
from counter_app.printing.layout import Styles, content_width, single_copy_pdf, styles_for


@dataclass(frozen=True, slots=True)
class FormFrame:
    """A document's paper (size, orientation, styles, text width) and the number and title printed on it."""

    page_size: PageSize
    styles: Styles
    width: float
    form_number: str  # "" for the reports, which have none
    title: str
    landscape_page: bool = False

    @property
    def body(self) -> ParagraphStyle:
        return self.styles.body

    def top(self, header: OfficeHeader, *, number: str | None, issued_at: datetime) -> list[Flowable]:
        """The header and title the document opens with (again after each page break between books)."""
        styles, width = self.styles, self.width
        return form_top(header, number=number, issued_at=issued_at, title=self.title, styles=styles, width=width)

    def pdf(
        self,
        story: list[Flowable],
        *,
        author: str,
        reprint: bool = False,
        reprint_number: int = 0,
        page_numbers: bool = False,
    ) -> bytes:
        """The story printed once, each page marked with the form number (and the reprint, if it is one)."""
        return single_copy_pdf(
            story,
            self.styles,
            page_size=self.page_size,
            form_number=self.form_number,
            title=self.title,
            author=author,
            reprint=reprint,
            reprint_number=reprint_number,
            landscape_page=self.landscape_page,
            page_numbers=page_numbers,
        )


def frame_for(page_size: PageSize, *, form_number: str, title: str, landscape_page: bool = False) -> FormFrame:
    styles = styles_for(page_size)
    width = content_width(styles, page_size, landscape_page=landscape_page)
    return FormFrame(page_size, styles, width, form_number, title, landscape_page)


def form_frame(data: FormData, kind: DocumentKind, *, landscape_page: bool = False) -> FormFrame:
    """The frame of a numbered form: its number and title as the dossier's rule set names them."""
    info = form_info(data.rule_set, kind)
    return frame_for(data.page_size, form_number=info.number, title=info.title, landscape_page=landscape_page)


def render_form(
    data: FormData,
    kind: DocumentKind,
    body: Callable[[FormFrame], list[Flowable]],
    *,
    number: str | None,
    landscape_page: bool = False,
    page_numbers: bool = False,
) -> bytes:
    """A form printed once (every form but the receipt): header and title, then `body(frame)`.

    `number` None leaves out the "Số" line (the tracking book has none).
    """
    frame = form_frame(data, kind, landscape_page=landscape_page)
    story = [*frame.top(data.header, number=number, issued_at=data.issued_at), *body(frame)]
    return frame.pdf(
        story,
        author=data.header.unit_name,
        reprint=data.reprint,
        reprint_number=data.reprint_number,
        page_numbers=page_numbers,
    )
