"""The receipt of fees and charges collected for a dossier (a local form, without a number in the circulars)."""

from __future__ import annotations

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, Spacer

from counter_app.domain.document_kinds import DocumentKind
from counter_app.printing.blocks import IDENTIFIER_LABEL, PROCEDURE_LABEL, dossier_code_row, two_signatures
from counter_app.printing.data import FeeReceiptData
from counter_app.printing.formatting import amount_in_words, long_moment, money
from counter_app.printing.frame import FormFrame, render_form
from counter_app.printing.layout import FormTable, field, paragraph


def _body(data: FeeReceiptData, frame: FormFrame) -> list[Flowable]:
    styles, width, body = frame.styles, frame.width, frame.body
    story: list[Flowable] = [
        dossier_code_row(data.dossier_code, styles, width),
        field("Họ và tên người nộp", data.payer.name, body),
        field(IDENTIFIER_LABEL, data.payer.identifier, body),
        field("Địa chỉ", data.payer.address, body),
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
        two_signatures("NGƯỜI NỘP TIỀN", "NGƯỜI THU TIỀN", [data.payer.name, data.clerk_name], styles, width),
    ]
    return story


def render_fee_receipt(data: FeeReceiptData) -> bytes:
    """Items, total in figures and in words, how and when it was paid, both signatures."""
    return render_form(data, DocumentKind.FEE_RECEIPT, lambda frame: _body(data, frame), number=data.number)
