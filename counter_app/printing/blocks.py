"""Blocks several forms print alike: the applicant's lines, the procedure line, the barcode/QR row, the signatures."""

from __future__ import annotations

from collections.abc import Sequence

from reportlab.platypus import Flowable, Paragraph, Spacer

from counter_app.printing.barcodes import Code128Flowable, QrFlowable, QrMatrix
from counter_app.printing.data import Applicant
from counter_app.printing.formatting import clean
from counter_app.printing.layout import FormTable, Styles, field, signatures

APPLICANT_LABEL = "Tiếp nhận hồ sơ của Ông (Bà)/Tổ chức"
IDENTIFIER_LABEL = "Số định danh cá nhân/tổ chức"
PROCEDURE_LABEL = "Nội dung yêu cầu giải quyết"
SIGN_NOTE = "(Ký và ghi rõ họ tên)"
QR_CAPTION = "Quét mã QR để theo dõi tình trạng hồ sơ"  # printed beside a QR that opens the status page


def is_web_link(text: str) -> bool:
    """Whether a QR's text is an address a phone opens (the status page), not a bare dossier code."""
    return text.strip().lower().startswith(("https://", "http://"))


def applicant_fields(applicant: Applicant, styles: Styles, *, name_label: str = APPLICANT_LABEL) -> list[Flowable]:
    """Name, identifier, address and contacts; empty contacts are left as "…" for the clerk to see."""
    contacts = f"Số điện thoại: <b>{clean(applicant.phone) or '…'}</b>"
    if applicant.email:
        contacts += f"&nbsp;&nbsp;&nbsp;&nbsp;Email: <b>{clean(applicant.email)}</b>"
    return [
        field(name_label, applicant.name, styles.body),
        field(IDENTIFIER_LABEL, applicant.identifier, styles.body),
        field("Địa chỉ", applicant.address, styles.body),
        Paragraph(contacts, styles.body),
    ]


def two_signatures(left: str, right: str, names: Sequence[str], styles: Styles, width: float) -> Flowable:
    """The two signatures a desk form ends with (the applicant's, the clerk's), each over a written name."""
    return signatures([(left, SIGN_NOTE), (right, SIGN_NOTE)], styles, names=names, width=width)


def dossier_code_row(code: str, styles: Styles, width: float) -> FormTable:
    """The dossier code in words and as a Code 128, without a QR code."""
    caption = [field("Mã hồ sơ", code, styles.body)]
    return codes_row(barcode_text=code, qr=None, styles=styles, width=width, caption=caption)


def procedure_text(name: str, code: str) -> str:
    """The procedure's name followed by its code in the national database when known."""
    return f"{name} (Mã TTHC: {code})" if code else name


def procedure_field(name: str, code: str, styles: Styles) -> Paragraph:
    return field(PROCEDURE_LABEL, procedure_text(name, code), styles.body)


def codes_row(
    *,
    barcode_text: str,
    qr: QrMatrix | None,
    styles: Styles,
    width: float,
    caption: list[Flowable] | None = None,
    qr_note: str = "",
) -> FormTable:
    """`caption` and the Code 128 of `barcode_text` on the left, the QR code on the right when given.

    `qr_note` (what the QR is for) is one line in italics at the foot of the left column, beside the QR.

    When the symbol would have to be narrowed below a scannable module width to fit beside the QR code, it
    takes a row of its own across the full width instead.
    """
    qr_width = styles.qr_size if qr is not None else 0.0
    symbol = Code128Flowable(
        barcode_text,
        module_width=styles.barcode_module,
        bar_height=styles.barcode_height,
        font_size=styles.small.fontSize,
    )
    left: list[Flowable] = [*(caption or [])]
    if qr is not None and qr_note:
        left.append(Paragraph(f"<i>{clean(qr_note)}</i>", styles.body))
    left.append(Spacer(1, styles.body.fontSize * 0.3))
    right: list[Flowable] = [QrFlowable(qr, size=qr_width)] if qr is not None else []
    beside = symbol.min_width <= width - qr_width
    rows: list[list[object]] = [[[*left, symbol] if beside else left, right]]
    commands: list[tuple[object, ...]] = [
        ("VALIGN", (0, 0), (-1, -1), "TOP"),
        ("LEFTPADDING", (0, 0), (-1, -1), 0),
        ("RIGHTPADDING", (0, 0), (-1, -1), 0),
        ("TOPPADDING", (0, 0), (-1, -1), 0),
        ("BOTTOMPADDING", (0, 0), (-1, -1), 0),
    ]
    if not beside:
        rows.append([symbol, ""])
        commands.append(("SPAN", (0, 1), (1, 1)))
    table = FormTable(rows, colWidths=[width - qr_width, qr_width])
    table.setStyle(commands)
    return table
