"""Mẫu 04 read back: every item domain.md §3 lists, the head's signature, the title of each rule set."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pdf_readback import decode_symbols, page_count, pdf_text, write_pdf
from print_samples import DOSSIER_CODE

from counter_app.printing.apology import render_apology
from counter_app.printing.data import ApologyData, PageSize

NEW_TITLE = "PHIẾU XIN LỖI VÀ ĐỀ NGHỊ GIA HẠN THỜI GIAN GIẢI QUYẾT"
OLD_TITLE = "PHIẾU XIN LỖI VÀ HẸN LẠI NGÀY TRẢ KẾT QUẢ"


def test_every_item_of_the_letter_is_printed(apology: ApologyData, tmp_path: Path) -> None:
    path = write_pdf(render_apology(apology), tmp_path)

    assert page_count(path) == 1
    text = pdf_text(path)
    expected = (
        "THÀNH PHỐ HỒ CHÍ MINH",
        "ỦY BAN NHÂN DÂN PHƯỜNG SÀI GÒN",
        "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM",
        "Độc lập - Tự do - Hạnh phúc",
        "Số: 15/PXL",
        "Sài Gòn, ngày 04 tháng 3 năm 2026",
        NEW_TITLE,
        "Mẫu 04",
        "Kính gửi: Bà Nguyễn Thị Ánh Tuyết",
        # the date the dossier was received, the procedure, the identifier and the dossier code
        "Ngày tiếp nhận hồ sơ: ngày 02 tháng 3 năm 2026",
        "Đăng ký khai sinh",
        "Số định danh cá nhân/tổ chức: 079190012345",
        f"Mã hồ sơ: {DOSSIER_CODE}",
        # the original appointment, and that it was missed
        "Thời gian hẹn trả kết quả giải quyết hồ sơ: 17 giờ 00 phút, ngày 05 tháng 3 năm 2026",
        "chưa trả kết quả giải quyết hồ sơ của Ông (Bà)/Tổ chức đúng hạn",
        "Lý do: Cần xác minh thông tin hộ tịch tại địa phương khác",
        # the apology for the delay, the trouble and the cost
        "Sự chậm trễ này đã gây phiền hà, tốn kém chi phí và thời gian",
        "xin lỗi Ông (Bà)/Tổ chức",
        "Thời gian hẹn trả kết quả mới: 17 giờ 00 phút, ngày 10 tháng 3 năm 2026",
        # signed by the head of the deciding agency
        "THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ",
        "CHỦ TỊCH",
        "(Ký, ghi rõ họ tên và đóng dấu)",
        "Hoàng Minh Đức",
        "Hình thức gửi: Thư điện tử",
    )
    for item in expected:
        assert item in text, f"{item!r} missing"
    assert "NGƯỜI TIẾP NHẬN HỒ SƠ" not in text  # the clerk does not sign the apology
    assert "BẢN IN LẠI" not in text


def test_head_signs_below_the_title(apology: ApologyData, tmp_path: Path) -> None:
    text = pdf_text(write_pdf(render_apology(apology), tmp_path), layout=False)

    head = text.index("THỦ TRƯỞNG CƠ QUAN, ĐƠN VỊ")
    assert head < text.index("CHỦ TỊCH", head) < text.index("Hoàng Minh Đức", head)


def test_old_rule_set_uses_the_2018_title(apology: ApologyData, tmp_path: Path) -> None:
    path = write_pdf(render_apology(dataclasses.replace(apology, rule_set="TT01-2018")), tmp_path)

    text = pdf_text(path)
    assert OLD_TITLE in text
    assert NEW_TITLE not in text
    assert "Mẫu 04" in text


def test_letter_barcode_scans_on_a5(apology: ApologyData, tmp_path: Path) -> None:
    path = write_pdf(render_apology(dataclasses.replace(apology, page_size=PageSize.A5, reprint=True)), tmp_path)

    assert decode_symbols(path, page=1) == [f"CODE-128:{DOSSIER_CODE}"]
    text = pdf_text(path)
    assert "BẢN IN LẠI" in text
    assert "Hoàng Minh Đức" in text
