"""Mẫu 05: Thông báo dừng giải quyết hồ sơ, at the applicant's request."""

from __future__ import annotations

from reportlab.platypus import Flowable, Paragraph

from counter_app.domain.document_kinds import DocumentKind
from counter_app.printing.blocks import applicant_fields, dossier_code_row, procedure_field, two_signatures
from counter_app.printing.data import WithdrawalData
from counter_app.printing.formatting import clean, long_moment
from counter_app.printing.frame import FormFrame, render_form
from counter_app.printing.layout import field


def _body(data: WithdrawalData, frame: FormFrame) -> list[Flowable]:
    styles, width, body = frame.styles, frame.width, frame.body
    return [
        dossier_code_row(data.dossier_code, styles, width),
        *applicant_fields(data.applicant, styles, name_label="Ông (Bà)/Tổ chức đề nghị"),
        procedure_field(data.procedure_name, data.procedure_code, styles),
        field("Thời gian đề nghị dừng giải quyết hồ sơ", long_moment(data.requested_at), body),
        field("Lý do", data.reason, body),
        Paragraph(
            f"{clean(data.header.unit_name)} thông báo dừng giải quyết hồ sơ nêu trên theo đề nghị của "
            "Ông (Bà)/Tổ chức.",
            body,
        ),
        two_signatures("NGƯỜI ĐỀ NGHỊ", "NGƯỜI TIẾP NHẬN HỒ SƠ", [data.applicant.name, data.clerk_name], styles, width),
    ]


def render_withdrawal(data: WithdrawalData) -> bytes:
    """The notice that processing stops: the dossier, who asked, when and why."""
    return render_form(data, DocumentKind.WITHDRAWAL, lambda frame: _body(data, frame), number=data.number)
