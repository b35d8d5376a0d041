"""render_document picks the form from the data's type; rule sets and page sizes are honoured."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import pytest
from pdf_readback import page_count, page_size_pts, pdf_text, write_pdf

from counter_app.domain.document_kinds import RULE_SETS, DocumentKind, form_info
from counter_app.errors import ValidationError
from counter_app.printing.data import (
    ApologyData,
    BookData,
    ControlSlipData,
    Document,
    FeeReceiptData,
    PageSize,
    ReceiptData,
    RefusalData,
    SupplementData,
    WithdrawalData,
)
from counter_app.printing.render import render_document
from counter_app.private_files import replacing


def test_each_document_type_gets_its_own_form(
    receipt: ReceiptData,
    supplement: SupplementData,
    refusal: RefusalData,
    apology: ApologyData,
    withdrawal: WithdrawalData,
    control_slip: ControlSlipData,
    fee_receipt: FeeReceiptData,
    book: BookData,
    tmp_path: Path,
) -> None:
    titles: dict[str, Document] = {
        "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ": receipt,
        "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ": supplement,
        "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ": refusal,
        "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT": apology,
        "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ": withdrawal,
        "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ": control_slip,
        "BIÊN NHẬN THU PHÍ, LỆ PHÍ": fee_receipt,
        "SỔ THEO DÕI HỒ SƠ": book,
    }
    for number, (title, doc) in enumerate(titles.items()):
        text = pdf_text(write_pdf(render_document(doc), tmp_path, f"{number}.pdf"), page=1)
        assert title in text
        others = [other for other in titles if other != title]
        assert not [other for other in others if other in text]


def test_page_size_parameter_overrides_the_data(refusal: RefusalData, tmp_path: Path) -> None:
    assert refusal.page_size is PageSize.A4

    path = write_pdf(render_document(refusal, page_size=PageSize.A5), tmp_path)

    width, height = page_size_pts(path)
    assert (round(width), round(height)) == (420, 595)


def test_unknown_document_type_is_refused() -> None:
    with pytest.raises(TypeError, match="no printed form"):
        render_document("not a document")  # type: ignore[arg-type]


def test_unknown_rule_set_is_a_validation_error(refusal: RefusalData) -> None:
    with pytest.raises(ValidationError) as caught:
        render_document(dataclasses.replace(refusal, rule_set="TT99-2030"))
    assert caught.value.field == "rule_set"
    assert "TT99-2030" in caught.value.message


def test_a_rendered_document_is_written_whole(receipt: ReceiptData, tmp_path: Path) -> None:
    """As the archive of printed documents writes it: into a partial file, renamed once complete."""
    target = tmp_path / "giay-tiep-nhan.pdf"

    with replacing(target) as partial:
        partial.write_bytes(render_document(receipt))

    assert page_count(target) == 2
    assert [path.name for path in tmp_path.iterdir()] == ["giay-tiep-nhan.pdf"]


def test_both_rule_sets_define_every_form() -> None:
    assert set(RULE_SETS) == {"TT03-2025", "TT01-2018"}
    for forms in RULE_SETS.values():
        assert set(forms) == set(DocumentKind)


def test_form_numbers_follow_each_circular() -> None:
    # TT 03/2025: Mẫu 01..07; TT 01/2018 had six forms: the control slip was Mẫu 05 and the book Mẫu 06
    kinds = (DocumentKind.RECEIPT, DocumentKind.CONTROL, DocumentKind.BOOK)
    new = [form_info("TT03-2025", kind).number for kind in kinds]
    old = [form_info("TT01-2018", kind).number for kind in kinds]
    assert new == ["Mẫu 01", "Mẫu 06", "Mẫu 07"]
    assert old == ["Mẫu 01", "Mẫu 05", "Mẫu 06"]
