"""Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

from __future__ import annotations

from reportlab.platypus import Flowable, Paragraph

from counter_app.printing.barcodes import qr_matrix
from counter_app.printing.blocks import QR_CAPTION, applicant_fields, codes_row, is_web_link, procedure_field
from counter_app.printing.data import SupplementData
from counter_app.printing.formatting import clean, long_moment
from counter_app.printing.header import form_top
from counter_app.printing.layout import (
    content_width,
    field,
    numbered,
    signatures,
    single_copy_pdf,
    styles_for,
)
from counter_app.printing.rule_sets import FormKind, form_info

REQUEST_LABEL = "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:"


def render_supplement(data: SupplementData) -> bytes:
    """The list of what to add and why, signed by the clerk who guided the applicant."""
    info = form_info(data.rule_set, FormKind.SUPPLEMENT)
    styles = styles_for(data.page_size)
    width = content_width(styles, data.page_size)
    body = styles.body
    story: list[Flowable] = form_top(
        data.header, number=data.number, issued_at=data.issued_at, title=info.title, styles=styles, width=width
    )
    caption = [field("Mã hồ sơ", data.dossier_code, body)] if data.dossier_code else []
    story.append(
        codes_row(
            barcode_text=data.dossier_code or data.slip_id or data.number,
            qr=qr_matrix(data.qr_text) if data.qr_text else None,
            styles=styles,
            width=width,
            caption=caption,
            qr_note=QR_CAPTION if is_web_link(data.qr_text) else "",
        )
    )
    story += applicant_fields(
        name=data.applicant_name,
        identifier=data.applicant_identifier,
        address=data.address,
        phone=data.phone,
        email=data.email,
        styles=styles,
    )
    if data.received_at is not None:
        story.append(field("Thời gian nhận hồ sơ", long_moment(data.received_at), body))
    story.append(procedure_field(data.procedure_name, data.procedure_code, styles))
    story.append(Paragraph(clean(REQUEST_LABEL), body))
    story += numbered(data.missing_items, body)
    story.append(field("Lý do", data.reason, body))
    story.append(
        Paragraph(
            "Trong quá trình hoàn thiện hồ sơ, nếu có vướng mắc, Ông (Bà)/Tổ chức liên hệ với "
            f"<b>{clean(data.contact_name) or '…'}</b>, số điện thoại <b>{clean(data.contact_phone) or '…'}</b> "
            "để được hướng dẫn.",
            body,
        )
    )
    story.append(
        signatures([(), ("NGƯỜI HƯỚNG DẪN", "(Ký và ghi rõ họ tên)")], styles, names=["", data.guide_name], width=width)
    )
    return single_copy_pdf(
        story,
        styles,
        page_size=data.page_size,
        form_number=info.number,
        title=info.title,
        author=data.header.unit_name,
        reprint=data.reprint,
        reprint_number=data.reprint_number,
    )
