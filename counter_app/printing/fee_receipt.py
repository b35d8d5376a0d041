"""The receipt of fees and charges collected for a dossier (a local form, without a number in the circulars)."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Spacer

from counter_app.printing.blocks import IDENTIFIER_LABEL, PROCEDURE_LABEL, codes_row
from counter_app.printing.data import FeeReceiptData
from counter_app.printing.formatting import amount_in_words, long_moment, money
from counter_app.printing.header import form_top
from counter_app.printing.layout import (
    FormTable,
    content_width,
    field,
    paragraph,
    signatures,
    single_copy_pdf,
    styles_for,
)
from counter_app.printing.rule_sets import FormKind, form_info

SIGN_NOTE = "(Ký và ghi rõ họ tên)"


def render_fee_receipt(data: FeeReceiptData) -> bytes:
    """Items, total in figures and in words, how and when it was paid, both signatures."""
    info = form_info(data.rule_set, FormKind.FEE_RECEIPT)
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
    story += [
        field("Họ và tên người nộp", data.payer_name, body),
        field(IDENTIFIER_LABEL, data.payer_identifier, body),
        field("Địa chỉ", data.address, body),
        field(PROCEDURE_LABEL, data.procedure_name, body),
        field("Thu tại bước", data.stage, body),
        Spacer(1, body.leading * 0.3),
    ]
    amount_style = ParagraphStyle("amount", parent=styles.cell, alignment=TA_RIGHT)
    rows: list[list[object]] = [
        [paragraph(title, styles.cell_head) for title in ("STT", "Nội dung thu", "Số tiền")],
    ]
    rows += [
        [
            paragraph(str(number), styles.cell),
            paragraph(item.name, styles.cell),
            paragraph(money(item.amount), amount_style),
        ]
        for number, item in enumerate(data.items, start=1)
    ]
    rows.append(["", paragraph("Tổng cộng", styles.cell_head), paragraph(money(data.total), amount_style)])
    table = FormTable(rows, colWidths=[width * 0.08, width * 0.62, width * 0.30], repeatRows=1)
    table.setStyle([("GRID", (0, 0), (-1, -1), 0.5, colors.black), ("VALIGN", (0, 0), (-1, -1), "MIDDLE")])
    story += [
        table,
        Spacer(1, body.leading * 0.3),
        field("Số tiền bằng chữ", amount_in_words(data.total), body),
        field("Hình thức thanh toán", data.payment_method, body),
        field("Thời gian thu", long_moment(data.collected_at), body),
        signatures(
            [("NGƯỜI NỘP TIỀN", SIGN_NOTE), ("NGƯỜI THU TIỀN", SIGN_NOTE)],
            styles,
            names=[data.payer_name, data.clerk_name],
            width=width,
        ),
    ]
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
