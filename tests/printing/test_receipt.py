"""Mẫu 01 read back from the PDF: every label and value of domain.md §3, both copies, barcode and QR."""

from __future__ import annotations

import dataclasses
import subprocess
import unicodedata
from datetime import UTC, datetime
from pathlib import Path

from pdf_readback import decode_symbols, page_count, page_size_pts, pdf_text, write_pdf
from print_samples import DOSSIER_CODE, QR_TEXT

from counter_app.printing.data import Filer, PageSize, Paper, ReceiptData
from counter_app.printing.receipt import render_receipt

HEADER_TEXTS = (
    "UBND PHƯỜNG SÀI GÒN",
    "TRUNG TÂM PHỤC VỤ HÀNH CHÍNH CÔNG",
    "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
    "Độc lập - Tự do - Hạnh phúc",
    "Số: 100012/TTPVHCC",
    "Sài Gòn, ngày 02 tháng 3 năm 2026",
    "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ",
)
# labels of domain.md §3 with the sample's values, as a reader of the paper would see them
FIELD_TEXTS = (
    f"Mã hồ sơ: {DOSSIER_CODE}",
    "Trung tâm Phục vụ hành chính công phường Sài Gòn",
    "Ủy ban nhân dân phường Sài Gòn",
    "Tiếp nhận hồ sơ của Ông (Bà)/Tổ chức: Nguyễn Thị Ánh Tuyết",
    "Số định danh cá nhân/tổ chức: 079190012345",
    "Địa chỉ: 12 Lê Lợi, phường Sài Gòn",
    "0903123456",
    "tuyet@example.vn",
    "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
    "1.001193",
    "Thành phần hồ sơ nộp gồm:",
    "1. Tờ khai đăng ký khai sinh (bản chính: 1, bản sao: 0)",
    "2. Giấy chứng sinh (bản chính: 1, bản sao: 0)",
    "3. Giấy tờ tùy thân của người đi đăng ký (bản chính: 0, bản sao: 1)",
    "Số lượng hồ sơ: 01 (bộ)",
    "Thời gian giải quyết hồ sơ theo quy định là: 3 ngày làm việc",
    "Thời gian nhận hồ sơ: 10 giờ 00 phút, ngày 02 tháng 3 năm 2026",
    "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 05 tháng 3 năm 2026",
    "Đăng ký nhận kết quả tại: Bộ phận Một cửa",
    "Phí, lệ phí: 8.000 đồng (đã nộp)",
    "Vào Sổ theo dõi hồ sơ, Quyển số 01/2026, Số thứ tự 125",
    "NGƯỜI NỘP HỒ SƠ",
    "NGƯỜI TIẾP NHẬN HỒ SƠ",
    "(Ký và ghi rõ họ tên)",
    "Trần Văn Ổn",
)


def test_both_copies_carry_every_label_and_value(receipt: ReceiptData, tmp_path: Path) -> None:
    path = write_pdf(render_receipt(receipt), tmp_path)

    assert page_count(path) == 2
    for page in (1, 2):
        text = pdf_text(path, page=page)
        for expected in HEADER_TEXTS + FIELD_TEXTS:
            assert expected in text, f"page {page}: {expected!r} missing"
        assert "Mẫu 01" in text
        assert "BẢN IN LẠI" not in text


def test_page_one_is_kept_and_page_two_goes_to_the_applicant(receipt: ReceiptData, tmp_path: Path) -> None:
    path = write_pdf(render_receipt(receipt), tmp_path)

    first, second = pdf_text(path, page=1), pdf_text(path, page=2)

    assert "Liên 1: Lưu" in first
    assert "Liên 2" not in first
    assert "Liên 2: Giao người nộp" in second
    assert "Liên 1" not in second


def test_barcode_and_qr_scan_on_both_copies(receipt: ReceiptData, tmp_path: Path) -> None:
    path = write_pdf(render_receipt(receipt), tmp_path)

    for page in (1, 2):
        assert sorted(decode_symbols(path, page=page)) == sorted([f"CODE-128:{DOSSIER_CODE}", f"QR-Code:{QR_TEXT}"])


def test_reprint_is_stamped_on_every_page(receipt: ReceiptData, tmp_path: Path) -> None:
    path = write_pdf(render_receipt(dataclasses.replace(receipt, reprint=True)), tmp_path)

    assert page_count(path) == 2
    assert "BẢN IN LẠI" in pdf_text(path, page=1)
    assert "BẢN IN LẠI" in pdf_text(path, page=2)


def test_a5_keeps_one_copy_per_page_and_still_scans(receipt: ReceiptData, tmp_path: Path) -> None:
    path = write_pdf(render_receipt(dataclasses.replace(receipt, page_size=PageSize.A5)), tmp_path)

    width, height = page_size_pts(path)
    assert (round(width), round(height)) == (420, 595)  # A5: 148 x 210 mm
    assert page_count(path) == 2
    for page in (1, 2):
        text = pdf_text(path, page=page)
        assert "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 05 tháng 3 năm 2026" in text
        assert "NGƯỜI TIẾP NHẬN HỒ SƠ" in text
        assert sorted(decode_symbols(path, page=page)) == sorted([f"CODE-128:{DOSSIER_CODE}", f"QR-Code:{QR_TEXT}"])


def test_authorised_filer_is_printed_and_signs(receipt: ReceiptData, filer: Filer, tmp_path: Path) -> None:
    path = write_pdf(render_receipt(dataclasses.replace(receipt, filer=filer)), tmp_path)

    text = pdf_text(path, page=1)
    assert "Người nộp hồ sơ theo ủy quyền: Lê Văn Ấn" in text
    assert "079088000111" in text
    assert "0912000111" in text
    assert "Giấy ủy quyền số 12/2026 ngày 01/3/2026" in text
    # the signature names come after the signature titles: the filer signs, not the applicant
    signatures = text[text.index("NGƯỜI NỘP HỒ SƠ") :]
    assert "Lê Văn Ấn" in signatures
    assert "Nguyễn Thị Ánh Tuyết" not in signatures


def test_same_day_unpaid_fee_and_missing_book_entry(receipt: ReceiptData, tmp_path: Path) -> None:
    changed = dataclasses.replace(receipt, processing_days=0, fee_paid=False, book_index=None, sets_count=2)
    text = pdf_text(write_pdf(render_receipt(changed), tmp_path), page=1)

    assert "Thời gian giải quyết hồ sơ theo quy định là: trong ngày" in text
    assert "Phí, lệ phí: 8.000 đồng (chưa nộp)" in text
    assert "Số thứ tự …" in text
    assert "Số lượng hồ sơ: 02 (bộ)" in text


def test_free_procedure_says_no_fee(receipt: ReceiptData, tmp_path: Path) -> None:
    text = pdf_text(write_pdf(render_receipt(dataclasses.replace(receipt, fee=0)), tmp_path), page=1)

    assert "Phí, lệ phí: không thu" in text


def test_times_are_vietnamese_whatever_the_zone_given(receipt: ReceiptData, tmp_path: Path) -> None:
    # 03:00 UTC is 10:00 in Ho Chi Minh City; 10:30 UTC is 17:30, written on the 24-hour clock
    changed = dataclasses.replace(
        receipt,
        received_at=datetime(2026, 3, 2, 3, 0, tzinfo=UTC),
        due_at=datetime(2026, 3, 5, 10, 30, tzinfo=UTC),
    )
    text = pdf_text(write_pdf(render_receipt(changed), tmp_path), page=1)

    assert "Thời gian nhận hồ sơ: 10 giờ 00 phút, ngày 02 tháng 3 năm 2026" in text
    assert "Thời gian trả kết quả giải quyết hồ sơ: 17 giờ 30 phút, ngày 05 tháng 3 năm 2026" in text


def test_decomposed_input_is_printed_precomposed(receipt: ReceiptData, tmp_path: Path) -> None:
    decomposed = unicodedata.normalize("NFD", "Nguyễn Thị Ánh Tuyết")
    assert decomposed != "Nguyễn Thị Ánh Tuyết"
    path = write_pdf(
        render_receipt(dataclasses.replace(receipt, applicant=dataclasses.replace(receipt.applicant, name=decomposed))),
        tmp_path,
    )

    raw = subprocess.run(
        ["pdftotext", "-enc", "UTF-8", "-f", "1", "-l", "1", str(path), "-"],
        capture_output=True,
        check=True,
        text=True,
    ).stdout
    assert "Nguyễn Thị Ánh Tuyết" in raw
    assert decomposed not in raw


def test_old_rule_set_keeps_the_receipt_title(receipt: ReceiptData, tmp_path: Path) -> None:
    path = write_pdf(render_receipt(dataclasses.replace(receipt, rule_set="TT01-2018")), tmp_path)

    text = pdf_text(path, page=1)
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in text
    assert "Mẫu 01" in text


def test_longest_dossier_code_still_scans_on_a5(receipt: ReceiptData, tmp_path: Path) -> None:
    longest = "000.17.22.H56-260302-120001"  # two counter digits, four number digits
    changed = dataclasses.replace(receipt, dossier_code=longest, page_size=PageSize.A5)
    path = write_pdf(render_receipt(changed), tmp_path)

    assert page_count(path) == 2
    assert sorted(decode_symbols(path, page=2)) == sorted([f"CODE-128:{longest}", f"QR-Code:{QR_TEXT}"])


def test_a_copy_running_over_a_page_keeps_its_label(receipt: ReceiptData, tmp_path: Path) -> None:
    papers = tuple(Paper(f"Giấy tờ kèm theo số {number}", 1, 1) for number in range(1, 31))
    changed = dataclasses.replace(receipt, papers=papers, page_size=PageSize.A5)
    path = write_pdf(render_receipt(changed), tmp_path)

    pages = page_count(path)
    assert pages >= 4 and pages % 2 == 0  # each copy takes the same number of pages
    half = pages // 2
    for page in range(1, pages + 1):
        text = pdf_text(path, page=page)
        expected, other = ("Liên 1: Lưu", "Liên 2") if page <= half else ("Liên 2: Giao người nộp", "Liên 1")
        assert expected in text
        assert other not in text
    assert "GIẤY TIẾP NHẬN HỒ SƠ VÀ HẸN TRẢ KẾT QUẢ" in pdf_text(path, page=half + 1)
    assert "30. Giấy tờ kèm theo số 30 (bản chính: 1, bản sao: 1)" in pdf_text(path)


def test_a_one_page_copy_is_laid_out_once_and_shown_on_both_pages(receipt: ReceiptData) -> None:
    pdf = render_receipt(receipt)

    # one form holds the copy; each page shows it (and adds its own label), so the page is drawn once
    assert pdf.count(b"/Subtype /Form") == 1
    assert pdf.count(b"/FormXob.copy ") == 2


def test_a_long_copy_is_laid_out_per_copy(receipt: ReceiptData) -> None:
    papers = tuple(Paper(f"Giấy tờ kèm theo số {number}", 1, 1) for number in range(1, 31))

    pdf = render_receipt(dataclasses.replace(receipt, papers=papers, page_size=PageSize.A5))

    assert b"/Subtype /Form" not in pdf
