"""Mẫu 01: Giấy tiếp nhận hồ sơ và hẹn trả kết quả, two copies in one PDF."""

from __future__ import annotations

from reportlab.platypus import Flowable, PageBreak, Paragraph

from counter_app.domain.document_kinds import DocumentKind
from counter_app.printing.barcodes import QrMatrix, qr_matrix
from counter_app.printing.blocks import QR_CAPTION, SIGN_NOTE, applicant_fields, codes_row, is_web_link, procedure_field
from counter_app.printing.data import Filer, ReceiptData
from counter_app.printing.formatting import clean, count, long_moment, money, short_date
from counter_app.printing.frame import FormFrame, form_frame
from counter_app.printing.layout import (
    CopyLabel,
    PageDecor,
    Styles,
    build_pdf,
    copies_pdf,
    field,
    numbered,
    signature_rows,
    signatures,
)

COPY_LABELS = ("Liên 1: Lưu", "Liên 2: Giao người nộp")
# under the title of a receipt re-entered from its kept copy after a restore lost the dossier: the code and the
# received time are those printed on that copy, not a fresh intake's
RE_ENTRY_MARK = "NHẬP LẠI TỪ LIÊN LƯU"


def processing_time_text(days: int) -> str:
    return "trong ngày" if days == 0 else f"{days} ngày làm việc"


def fee_text(fee: int, paid: bool) -> str:
    if fee == 0:
        return "không thu"
    return f"{money(fee)} ({'đã nộp' if paid else 'chưa nộp'})"


def _filer_fields(filer: Filer, styles: Styles) -> list[Flowable]:
    parts = [f"Người nộp hồ sơ theo ủy quyền: <b>{clean(filer.name)}</b>"]
    if filer.identifier:
        parts.append(f"Số định danh cá nhân: <b>{clean(filer.identifier)}</b>")
    if filer.phone:
        parts.append(f"Số điện thoại: <b>{clean(filer.phone)}</b>")
    if filer.email:
        parts.append(f"Email: <b>{clean(filer.email)}</b>")
    flowables: list[Flowable] = [Paragraph("; ".join(parts), styles.body)]
    if filer.authorisation:
        flowables.append(field("Văn bản ủy quyền", filer.authorisation, styles.body))
    return flowables


def _copy(data: ReceiptData, frame: FormFrame, qr: QrMatrix | None, *, one_page: bool) -> list[Flowable]:
    """One copy's story; `one_page` leaves the signatures unwrapped, for a copy laid out on a single page."""
    styles, width, body = frame.styles, frame.width, frame.body
    story = frame.top(data.header, number=data.number, issued_at=data.issued_at)
    if data.re_entered_at is not None:  # before the spacer that closes the top
        mark = f"{RE_ENTRY_MARK} ngày {short_date(data.re_entered_at)}"
        story.insert(len(story) - 1, Paragraph(mark, styles.center_bold))
    story.append(
        codes_row(
            barcode_text=data.dossier_code,
            qr=qr,
            styles=styles,
            width=width,
            caption=[
                field("Mã hồ sơ", data.dossier_code, body),
                field("Đơn vị tiếp nhận", data.receiving_unit, body),
                field("Cơ quan giải quyết hồ sơ", data.deciding_agency, body),
            ],
            qr_note=QR_CAPTION if is_web_link(data.qr_text) else "",  # a bare code opens nothing on a phone
        )
    )
    story += applicant_fields(data.applicant, styles)
    if data.filer is not None:
        story += _filer_fields(data.filer, styles)
    story.append(procedure_field(data.procedure_name, data.procedure_code, styles))
    story.append(Paragraph("Thành phần hồ sơ nộp gồm:", body))
    story += numbered(
        [f"{paper.name} (bản chính: {paper.originals}, bản sao: {paper.copies})" for paper in data.papers], body
    )
    story += [
        Paragraph(f"Số lượng hồ sơ: <b>{count(data.sets_count)}</b> (bộ)", body),
        field("Thời gian giải quyết hồ sơ theo quy định là", processing_time_text(data.processing_days), body),
        field("Thời gian nhận hồ sơ", long_moment(data.received_at), body),
        field("Thời gian trả kết quả giải quyết hồ sơ", long_moment(data.due_at), body),
        field("Đăng ký nhận kết quả tại", data.result_delivery, body),
        field("Phí, lệ phí", fee_text(data.fee, data.fee_paid), body),
        Paragraph(
            f"Vào Sổ theo dõi hồ sơ, Quyển số <b>{clean(data.book_volume) or '…'}</b>, "
            f"Số thứ tự <b>{'…' if data.book_index is None else data.book_index}</b>",
            body,
        ),
    ]
    filer_name = data.filer.name if data.filer is not None else data.applicant.name
    blocks = [("NGƯỜI NỘP HỒ SƠ", SIGN_NOTE), ("NGƯỜI TIẾP NHẬN HỒ SƠ", SIGN_NOTE)]
    names = [filer_name, data.clerk_name]
    if one_page:
        story += signature_rows(blocks, styles, names=names, width=width)
    else:
        story.append(signatures(blocks, styles, names=names, width=width))
    return story


def render_receipt(data: ReceiptData) -> bytes:
    """Both copies of the receipt: page 1 is kept with the control slip, page 2 goes to the applicant.

    A copy that fits on one page (nearly all) is laid out and drawn once and shown on both pages; a longer
    one is laid out per copy, each copy starting on a new page with its label on each of its pages.
    """
    frame = form_frame(data, DocumentKind.RECEIPT)
    styles = frame.styles
    qr = qr_matrix(data.qr_text) if data.qr_text else None  # once for both copies
    decor = PageDecor(
        styles,
        form_number=frame.form_number,
        reprint=data.reprint,
        reprint_number=data.reprint_number,
        page_numbers=False,
    )
    title, author = frame.title, data.header.unit_name
    pdf = copies_pdf(
        _copy(data, frame, qr, one_page=True),
        styles,
        decor,
        labels=COPY_LABELS,
        page_size=data.page_size,
        title=title,
        author=author,
    )
    if pdf is not None:
        return pdf
    story: list[Flowable] = []
    for position, label in enumerate(COPY_LABELS):
        if position:
            story.append(PageBreak())
        story.append(CopyLabel(decor, label))
        story += _copy(data, frame, qr, one_page=False)
    return build_pdf(story, styles, decor, page_size=data.page_size, title=title, author=author)
