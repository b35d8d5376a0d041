"""Mẫu 04: apology for a late result and the new appointment, signed by the head of the deciding agency."""

from __future__ import annotations

from reportlab.lib.styles import ParagraphStyle
from reportlab.platypus import Flowable, KeepTogether, Paragraph, Spacer

from counter_app.domain.document_kinds import DocumentKind
from counter_app.printing import fonts
from counter_app.printing.blocks import IDENTIFIER_LABEL, dossier_code_row, procedure_text
from counter_app.printing.data import ApologyData
from counter_app.printing.formatting import clean, long_date, long_moment
from counter_app.printing.frame import FormFrame, render_form
from counter_app.printing.layout import FormTable, Styles, field, paragraph

HEAD = "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ"
HEAD_NOTE = "(Ký, ghi rõ họ tên và đóng dấu)"
ADDRESSEE_LABEL = "Kính gửi"


def _closing(data: ApologyData, styles: Styles, width: float) -> Flowable:
    """ "Nơi nhận" on the left, the head's signature on the right, as on every administrative letter."""
    small_bold = ParagraphStyle("recipients_title", parent=styles.small, fontName=fonts.BOLD_ITALIC)
    recipients: list[Flowable] = [
        paragraph("Nơi nhận:", small_bold),
        paragraph("- Như trên;", styles.small),
        paragraph("- Bộ phận Một cửa;", styles.small),
        paragraph("- Lưu: VT.", styles.small),
    ]
    if data.delivered_via:
        recipients.append(Spacer(1, styles.small.leading / 2))
        recipients.append(field("Hình thức gửi", data.delivered_via, styles.small, bold=False))
    italic = ParagraphStyle("head_note", parent=styles.center, fontName=fonts.ITALIC)
    signature: list[Flowable] = [
        paragraph(HEAD, styles.center_bold),
        paragraph(data.head_title.upper(), styles.center_bold),
        paragraph(HEAD_NOTE, italic),
        Spacer(1, styles.signature_space),
        paragraph(data.head_name, styles.center_bold),
    ]
    table = FormTable([[recipients, signature]], colWidths=[width * 0.45, width * 0.55])
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (0, -1), 0)])
    return KeepTogether([Spacer(1, styles.body.leading), table])


def _body(data: ApologyData, frame: FormFrame) -> list[Flowable]:
    styles, width, body = frame.styles, frame.width, frame.body
    agency = clean(data.agency_name)
    story: list[Flowable] = [
        Paragraph(f"{ADDRESSEE_LABEL}: <b>{clean(data.addressee)}</b>", ParagraphStyle("to", parent=styles.center)),
        Spacer(1, body.leading * 0.5),
        dossier_code_row(data.dossier_code, styles, width),
    ]
    story += [
        Paragraph(
            f"Ngày tiếp nhận hồ sơ: <b>{clean(long_date(data.received_at))}</b>. {agency} đã tiếp nhận hồ sơ đề nghị "
            f"giải quyết thủ tục hành chính <b>{clean(procedure_text(data.procedure_name, data.procedure_code))}</b> "
            f"của Ông (Bà)/Tổ chức <b>{clean(data.applicant.name)}</b>; {IDENTIFIER_LABEL}: "
            f"<b>{clean(data.applicant.identifier)}</b>; Mã hồ sơ: <b>{clean(data.dossier_code)}</b>.",
            body,
        ),
        field("Thời gian hẹn trả kết quả giải quyết hồ sơ", long_moment(data.original_due_at), body),
        Paragraph(
            f"Tuy nhiên đến nay, {agency} chưa trả kết quả giải quyết hồ sơ của Ông (Bà)/Tổ chức đúng hạn "
            "ghi trên Giấy tiếp nhận hồ sơ và hẹn trả kết quả.",
            body,
        ),
        field("Lý do", data.reason, body),
        Paragraph(
            "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí và thời gian của Ông (Bà)/Tổ chức. "
            f"{agency} chân thành xin lỗi Ông (Bà)/Tổ chức và đề nghị gia hạn thời gian giải quyết hồ sơ.",
            body,
        ),
        field("Thời gian hẹn trả kết quả mới", long_moment(data.new_due_at), body),
        Paragraph("Xin trân trọng cảm ơn Ông (Bà)/Tổ chức.", body),
        _closing(data, styles, width),
    ]
    return story


def render_apology(data: ApologyData) -> bytes:
    """The letter of Mẫu 04 (TT 03/2025) or Mẫu 04 (TT 01/2018), depending on the dossier's rule set."""
    return render_form(data, DocumentKind.APOLOGY, lambda frame: _body(data, frame), number=data.number)
