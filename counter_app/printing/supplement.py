"""Mẫu 02: Phiếu yêu cầu bổ sung, hoàn thiện hồ sơ."""

from __future__ import annotations

from reportlab.platypus import Flowable, Paragraph

from counter_app.domain.document_kinds import DocumentKind
from counter_app.printing.barcodes import qr_matrix
from counter_app.printing.blocks import QR_CAPTION, SIGN_NOTE, applicant_fields, codes_row, is_web_link, procedure_field
from counter_app.printing.data import SupplementData
from counter_app.printing.formatting import clean, long_moment
from counter_app.printing.frame import FormFrame, render_form
from counter_app.printing.layout import field, numbered, signatures

REQUEST_LABEL = "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:"


def _body(data: SupplementData, frame: FormFrame) -> list[Flowable]:
    styles, width, body = frame.styles, frame.width, frame.body
    caption = [field("Mã hồ sơ", data.dossier_code, body)] if data.dossier_code else []
    story: list[Flowable] = [
        codes_row(
            barcode_text=data.dossier_code or data.slip_id or data.number,
            qr=qr_matrix(data.qr_text) if data.qr_text else None,
            styles=styles,
            width=width,
            caption=caption,
            qr_note=QR_CAPTION if is_web_link(data.qr_text) else "",
        ),
        *applicant_fields(data.applicant, styles),
    ]
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
    story.append(signatures([(), ("NGƯỜI HƯỚNG DẪN", SIGN_NOTE)], styles, names=["", data.guide_name], width=width))
    return story


def render_supplement(data: SupplementData) -> bytes:
    """The list of what to add and why, signed by the clerk who guided the applicant."""
    return render_form(data, DocumentKind.SUPPLEMENT, lambda frame: _body(data, frame), number=data.number)
