"""Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

from __future__ import annotations

from reportlab.platypus import Flowable, Paragraph

from counter_app.printing.blocks import applicant_fields, codes_row, procedure_field
from counter_app.printing.data import RefusalData
from counter_app.printing.formatting import clean
from counter_app.printing.header import form_top
from counter_app.printing.layout import content_width, field, signatures, single_copy_pdf, styles_for
from counter_app.printing.rule_sets import FormKind, form_info

SIGN_NOTE = "(Ký và ghi rõ họ tên)"
REASON_LEAD = "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:"


def render_refusal(data: RefusalData) -> bytes:
    """The refusal with its reason, signed by the filer and the clerk."""
    info = form_info(data.rule_set, FormKind.REFUSAL)
    styles = styles_for(data.page_size)
    width = content_width(styles, data.page_size)
    body = styles.body
    story: list[Flowable] = form_top(
        data.header, number=data.number, issued_at=data.issued_at, title=info.title, styles=styles, width=width
    )
    story.append(
        codes_row(
            barcode_text=data.dossier_code or data.slip_id or data.number,
            qr=None,
            styles=styles,
            width=width,
            caption=[field("Đơn vị tiếp nhận", data.receiving_unit, body)],
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
    story.append(field("Mã hồ sơ (nếu có)", data.dossier_code, body))
    story.append(procedure_field(data.procedure_name, data.procedure_code, styles))
    story.append(
        Paragraph(
            f"Sau khi xem xét, đối chiếu hồ sơ với quy định, {clean(data.receiving_unit)} {clean(REASON_LEAD)} "
            f"<b>{clean(data.reason)}</b>",
            body,
        )
    )
    story.append(Paragraph("Xin thông báo để Ông (Bà)/Tổ chức được biết và thực hiện.", body))
    story.append(
        signatures(
            [("NGƯỜI NỘP HỒ SƠ", SIGN_NOTE), ("NGƯỜI TIẾP NHẬN HỒ SƠ", SIGN_NOTE)],
            styles,
            names=[data.applicant_name, data.clerk_name],
            width=width,
        )
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
