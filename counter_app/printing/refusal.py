"""Mẫu 03: Phiếu từ chối tiếp nhận giải quyết hồ sơ."""

from __future__ import annotations

from reportlab.platypus import Flowable, Paragraph

from counter_app.domain.document_kinds import DocumentKind
from counter_app.printing.blocks import applicant_fields, codes_row, procedure_field, two_signatures
from counter_app.printing.data import RefusalData
from counter_app.printing.formatting import clean
from counter_app.printing.frame import FormFrame, render_form
from counter_app.printing.layout import field

REASON_LEAD = "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau:"


def _body(data: RefusalData, frame: FormFrame) -> list[Flowable]:
    styles, width, body = frame.styles, frame.width, frame.body
    return [
        codes_row(
            barcode_text=data.dossier_code or data.slip_id or data.number,
            qr=None,
            styles=styles,
            width=width,
            caption=[field("Đơn vị tiếp nhận", data.receiving_unit, body)],
        ),
        *applicant_fields(data.applicant, styles),
        field("Mã hồ sơ (nếu có)", data.dossier_code, body),
        procedure_field(data.procedure_name, data.procedure_code, styles),
        Paragraph(
            f"Sau khi xem xét, đối chiếu hồ sơ với quy định, {clean(data.receiving_unit)} {clean(REASON_LEAD)} "
            f"<b>{clean(data.reason)}</b>",
            body,
        ),
        Paragraph("Xin thông báo để Ông (Bà)/Tổ chức được biết và thực hiện.", body),
        two_signatures(
            "NGƯỜI NỘP HỒ SƠ", "NGƯỜI TIẾP NHẬN HỒ SƠ", [data.applicant.name, data.clerk_name], styles, width
        ),
    ]


def render_refusal(data: RefusalData) -> bytes:
    """The refusal with its reason, signed by the filer and the clerk."""
    return render_form(data, DocumentKind.REFUSAL, lambda frame: _body(data, frame), number=data.number)
