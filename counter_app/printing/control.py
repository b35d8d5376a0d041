"""Mẫu 06: Phiếu kiểm soát quá trình giải quyết hồ sơ, the slip that travels with the dossier."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.lib import colors
from reportlab.platypus import Flowable, Paragraph, Spacer

from counter_app.domain.document_kinds import DocumentKind
from counter_app.printing import fonts
from counter_app.printing.blocks import codes_row
from counter_app.printing.data import ControlSlipData, HandOver
from counter_app.printing.formatting import clean, long_moment, nfc
from counter_app.printing.frame import FormFrame, render_form
from counter_app.printing.layout import FormTable, Styles, field, paragraph

COLUMNS = (
    "Tên cơ quan",
    "Thời gian giao nhận hồ sơ",
    "Kết quả giải quyết hồ sơ (trước hạn/đúng hạn/quá hạn)",
    "Ghi chú",
)
RESULTS = ("trước hạn", "đúng hạn", "quá hạn")
BLANK_MOMENT = "… giờ … phút, ngày … tháng … năm …"
_SHARES = (0.30, 0.36, 0.19, 0.15)


class CheckBoxes(Flowable):  # type: ignore[misc]  # reportlab ships no type information
    """Empty squares with labels, one per line, to tick by hand (Noto Sans has no ☐ glyph)."""

    def __init__(self, labels: Sequence[str], font_size: float) -> None:
        super().__init__()
        self.labels = [nfc(label) for label in labels]
        self.font_size = font_size
        self.line = font_size * 1.5

    def wrap(self, avail_width: float, avail_height: float) -> tuple[float, float]:
        self.width = avail_width
        self.height = self.line * len(self.labels)
        return self.width, self.height

    def draw(self) -> None:
        canvas = self.canv
        side = self.font_size * 0.9
        canvas.setStrokeColor(colors.black)
        canvas.setLineWidth(0.6)
        canvas.setFont(fonts.REGULAR, self.font_size)
        for position, label in enumerate(self.labels):
            baseline = self.height - (position + 1) * self.line + self.font_size * 0.35
            canvas.rect(0, baseline - self.font_size * 0.1, side, side, stroke=1, fill=0)
            canvas.drawString(side + self.font_size * 0.5, baseline, label)


def _signature_pair(styles: Styles) -> FormTable:
    table = FormTable(
        [[paragraph("Người giao", styles.cell_head), paragraph("Người nhận", styles.cell_head)]],
        rowHeights=[styles.signature_space * 0.9],
    )
    table.setStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)])
    return table


def _row(number: int, hand_over: HandOver | None, styles: Styles) -> list[object]:
    cell = styles.cell
    giver = clean(hand_over.giver) if hand_over else "……………………"
    receiver = clean(hand_over.receiver) if hand_over else "……………………"
    names = Paragraph(f"{number}. Giao: <b>{giver}</b><br/>Nhận: <b>{receiver}</b>", cell)
    moment = long_moment(hand_over.at) if hand_over and hand_over.at else BLANK_MOMENT
    time_cell = [paragraph(moment, cell), Spacer(1, cell.leading * 0.3), _signature_pair(styles)]
    result: Flowable
    if hand_over and hand_over.result:
        result = Paragraph(f"<b>{clean(hand_over.result)}</b>", cell)
    else:
        result = CheckBoxes([label.capitalize() for label in RESULTS], cell.fontSize)
    note = paragraph(hand_over.note, cell) if hand_over else ""
    return [names, time_cell, result, note]


def _body(data: ControlSlipData, frame: FormFrame) -> list[Flowable]:
    styles, width, body = frame.styles, frame.width, frame.body
    story: list[Flowable] = []
    caption = [field("Mã hồ sơ", data.dossier_code, body)]
    if data.applicant_name:
        caption.append(field("Tổ chức, cá nhân", data.applicant_name, body))
    story.append(codes_row(barcode_text=data.dossier_code, qr=None, styles=styles, width=width, caption=caption))
    if data.procedure_name:
        story.append(field("Tên thủ tục hành chính", data.procedure_name, body))
    story += [
        field("Cơ quan giải quyết hồ sơ", data.deciding_agency, body),
        field("Cơ quan phối hợp giải quyết", "; ".join(data.cooperating_agencies) or "không có", body),
        field("Thời gian nhận hồ sơ", long_moment(data.received_at), body),
    ]
    if data.original_due_at is not None:
        story.append(field("Thời gian hẹn trả kết quả ban đầu", long_moment(data.original_due_at), body))
        story.append(field("Thời gian hẹn trả kết quả (đã hẹn lại)", long_moment(data.due_at), body))
    else:
        story.append(field("Thời gian hẹn trả kết quả", long_moment(data.due_at), body))
    rows: list[list[object]] = [[paragraph(title, styles.cell_head) for title in COLUMNS]]
    hand_overs: list[HandOver | None] = [*data.hand_overs, *([None] * data.blank_rows)]
    rows += [_row(number, hand_over, styles) for number, hand_over in enumerate(hand_overs, start=1)]
    table = FormTable(rows, colWidths=[width * share for share in _SHARES], repeatRows=1)
    table.setStyle(
        [
            ("GRID", (0, 0), (-1, -1), 0.5, colors.black),
            ("VALIGN", (0, 0), (-1, 0), "MIDDLE"),
            ("VALIGN", (0, 1), (-1, -1), "TOP"),
            ("BACKGROUND", (0, 0), (-1, 0), colors.Color(0.92, 0.92, 0.92)),
        ]
    )
    story += [Spacer(1, body.leading * 0.5), table]
    return story


def render_control_slip(data: ControlSlipData) -> bytes:
    """The slip with the hand-overs known so far and blank rows for the next ones."""
    return render_form(data, DocumentKind.CONTROL, lambda frame: _body(data, frame), number=data.number)
