"""Mẫu 05: Thông báo dừng giải quyết hồ sơ, at the applicant's request."""

from __future__ import annotations

from reportlab.platypus import Flowable, Paragraph

from counter_app.printing.blocks import applicant_fields, codes_row, procedure_field
from counter_app.printing.data import WithdrawalData
from counter_app.printing.formatting import clean, long_moment
from counter_app.printing.header import form_top
from counter_app.printing.layout import content_width, field, signatures, single_copy_pdf, styles_for
from counter_app.printing.rule_sets import FormKind, form_info

SIGN_NOTE = "(Ký và ghi rõ họ tên)"


def render_withdrawal(data: WithdrawalData) -> bytes:
    """The notice that processing stops: the dossier, who asked, when and why."""
    info = form_info(data.rule_set, FormKind.WITHDRAWAL)
    styles = styles_for(data.page_size)
    width = content_width(styles, data.page_size)
    body = styles.body
    story: list[Flowable] = form_top(
        data.header, number=data.number, issued_at=data.issued_at, title=info.title, styles=styles, width=width
    )
    story.append(
        codes_row(
            barcode_text=data.dossier_code,
            qr=None,
            styles=styles,
            width=width,
            caption=[field("Mã hồ sơ", data.dossier_code, body)],
        )
    )
    story += applicant_fields(
        name=data.applicant_name,
        identifier=data.applicant_identifier,
        address=data.address,
        phone=data.phone,
        email=data.email,
        styles=styles,
        name_label="Ông (Bà)/Tổ chức đề nghị",
    )
    story.append(procedure_field(data.procedure_name, data.procedure_code, styles))
    story.append(field("Thời gian đề nghị dừng giải quyết hồ sơ", long_moment(data.requested_at), body))
    story.append(field("Lý do", data.reason, body))
    story.append(
        Paragraph(
            f"{clean(data.header.unit_name)} thông báo dừng giải quyết hồ sơ nêu trên theo đề nghị của "
            "Ông (Bà)/Tổ chức.",
            body,
        )
    )
    story.append(
        signatures(
            [("NGƯỜI ĐỀ NGHỊ", SIGN_NOTE), ("NGƯỜI TIẾP NHẬN HỒ SƠ", SIGN_NOTE)],
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
