"""Mẫu 02, 03, 05, 06, 07 and the fee receipt read back from their PDFs."""

from __future__ import annotations

import dataclasses
from pathlib import Path

from pdf_readback import decode_symbols, page_count, page_size_pts, pdf_text, write_pdf
from print_samples import DOSSIER_CODE

from counter_app.printing.book import render_book
from counter_app.printing.control import render_control_slip
from counter_app.printing.data import (
    BookData,
    ControlSlipData,
    FeeReceiptData,
    PageSize,
    RefusalData,
    SupplementData,
    WithdrawalData,
)
from counter_app.printing.fee_receipt import render_fee_receipt
from counter_app.printing.refusal import render_refusal
from counter_app.printing.supplement import render_supplement
from counter_app.printing.withdrawal import render_withdrawal

NATION = "CỘNG HÒA XÃ HỘI CHỦ NGHĨA VIỆT NAM"
MOTTO = "Độc lập - Tự do - Hạnh phúc"


def assert_all_in(text: str, expected: tuple[str, ...]) -> None:
    missing = [item for item in expected if item not in text]
    assert not missing, f"missing: {missing}"


def test_supplement_lists_what_to_add_and_whom_to_ask(supplement: SupplementData, tmp_path: Path) -> None:
    path = write_pdf(render_supplement(supplement), tmp_path)

    assert page_count(path) == 1
    assert_all_in(
        pdf_text(path),
        (
            NATION,
            MOTTO,
            "Mẫu 02",
            "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ",
            "Số: 100013/PBS",
            "Sài Gòn, ngày 02 tháng 3 năm 2026",
            "Tiếp nhận hồ sơ của Ông (Bà)/Tổ chức: Phạm Quốc Huỳnh",
            "Số định danh cá nhân/tổ chức: 079095004567",
            "Địa chỉ: 45 Nguyễn Huệ, phường Sài Gòn",
            "0908765432",
            "Nội dung yêu cầu giải quyết: Đăng ký kết hôn",
            "Yêu cầu hoàn thiện hồ sơ gồm những nội dung sau:",
            "1. Giấy xác nhận tình trạng hôn nhân của bên nữ",
            "2. Bản sao giấy tờ tùy thân của bên nam",
            "Lý do: Hồ sơ thiếu giấy tờ theo quy định",
            "liên hệ với Võ Thị Hạnh, số điện thoại 02838223344",
            "NGƯỜI HƯỚNG DẪN",
        ),
    )
    # no dossier code was issued: the barcode carries the slip's number
    assert decode_symbols(path, page=1) == ["CODE-128:100013/PBS"]


def test_refusal_writes_the_reason_down(refusal: RefusalData, tmp_path: Path) -> None:
    path = write_pdf(render_refusal(refusal), tmp_path)

    assert page_count(path) == 1
    assert_all_in(
        pdf_text(path),
        (
            NATION,
            "Mẫu 03",
            "PHIẾU TỪ CHỐI TIẾP NHẬN GIẢI QUYẾT HỒ SƠ",
            "Số: 100014/PTC",
            "Sài Gòn, ngày 03 tháng 3 năm 2026",
            "Tiếp nhận hồ sơ của Ông (Bà)/Tổ chức: Đặng Thị Mỹ Dung",
            "Số định danh cá nhân/tổ chức: 079187001234",
            "Địa chỉ: 8 Hàm Nghi, phường Sài Gòn",
            "0911222333",
            "dung@example.vn",
            "Mã hồ sơ (nếu có): …",
            "Nội dung yêu cầu giải quyết: Đăng ký hộ kinh doanh",
            "thông báo không tiếp nhận, giải quyết hồ sơ này với lý do cụ thể như sau: "
            "Ngành nghề đăng ký thuộc danh mục cấm kinh doanh",
            "NGƯỜI NỘP HỒ SƠ",
            "NGƯỜI TIẾP NHẬN HỒ SƠ",
            "Trần Văn Ổn",
        ),
    )


def test_refusal_with_a_dossier_code_prints_and_encodes_it(refusal: RefusalData, tmp_path: Path) -> None:
    path = write_pdf(render_refusal(dataclasses.replace(refusal, dossier_code=DOSSIER_CODE)), tmp_path)

    assert f"Mã hồ sơ (nếu có): {DOSSIER_CODE}" in pdf_text(path)
    assert decode_symbols(path, page=1) == [f"CODE-128:{DOSSIER_CODE}"]


def test_withdrawal_notice(withdrawal: WithdrawalData, tmp_path: Path) -> None:
    path = write_pdf(render_withdrawal(withdrawal), tmp_path)

    assert page_count(path) == 1
    assert_all_in(
        pdf_text(path),
        (
            NATION,
            "Mẫu 05",
            "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ",
            "Số: 100015/TBD",
            f"Mã hồ sơ: {DOSSIER_CODE}",
            "Nguyễn Thị Ánh Tuyết",
            "Số định danh cá nhân/tổ chức: 079190012345",
            "Nội dung yêu cầu giải quyết: Đăng ký khai sinh",
            "Thời gian đề nghị dừng giải quyết hồ sơ: 15 giờ 20 phút, ngày 03 tháng 3 năm 2026",
            "Lý do: Gia đình muốn bổ sung tên đệm cho cháu",
        ),
    )
    assert decode_symbols(path, page=1) == [f"CODE-128:{DOSSIER_CODE}"]


def test_withdrawal_has_no_form_number_under_the_2018_rules(withdrawal: WithdrawalData, tmp_path: Path) -> None:
    text = pdf_text(write_pdf(render_withdrawal(dataclasses.replace(withdrawal, rule_set="TT01-2018")), tmp_path))

    assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "Mẫu" not in text


def test_control_slip_records_hand_overs_and_leaves_rows_to_fill(control_slip: ControlSlipData, tmp_path: Path) -> None:
    path = write_pdf(render_control_slip(control_slip), tmp_path)

    assert page_count(path) == 1
    assert_all_in(
        pdf_text(path),
        (
            NATION,
            "Mẫu 06",
            "PHIẾU KIỂM SOÁT QUÁ TRÌNH GIẢI QUYẾT HỒ SƠ",
            "Số: 100012/PKS",
            f"Mã hồ sơ: {DOSSIER_CODE}",
            "Cơ quan giải quyết hồ sơ: Ủy ban nhân dân phường Sài Gòn",
            "Cơ quan phối hợp giải quyết: Công an phường Sài Gòn",
            "Thời gian nhận hồ sơ: 10 giờ 00 phút, ngày 02 tháng 3 năm 2026",
            "Thời gian hẹn trả kết quả ban đầu: 17 giờ 00 phút, ngày 05 tháng 3 năm 2026",
            "17 giờ 00 phút, ngày 10 tháng 3 năm 2026",
        ),
    )
    # table cells are read in drawing order so that a wrapped cell stays together
    cells = pdf_text(path, layout=False)
    assert_all_in(
        cells,
        (
            "Tên cơ quan",
            "Thời gian giao nhận hồ sơ",
            "Kết quả giải quyết hồ sơ (trước hạn/đúng hạn/quá hạn)",
            "Ghi chú",
            "1. Giao: Bộ phận Một cửa Nhận: Phòng Văn hóa - Xã hội",
            "14 giờ 00 phút, ngày 02 tháng 3 năm 2026",
            "trước hạn",
            "Đủ hồ sơ",
            "2. Giao: Phòng Văn hóa - Xã hội Nhận: Bộ phận Một cửa",
            "4. Giao:",
            "Người giao",
            "Người nhận",
            "Trước hạn",
            "Đúng hạn",
            "Quá hạn",
        ),
    )
    assert "5. Giao:" not in cells  # two hand-overs and two blank rows
    assert cells.count("Đúng hạn") == 3  # check boxes only where the result is still to be ticked
    assert decode_symbols(path, page=1) == [f"CODE-128:{DOSSIER_CODE}"]


def test_fee_receipt_totals_in_figures_and_words(fee_receipt: FeeReceiptData, tmp_path: Path) -> None:
    path = write_pdf(render_fee_receipt(fee_receipt), tmp_path)

    assert page_count(path) == 1
    text = pdf_text(path)
    assert_all_in(
        text,
        (
            NATION,
            "BIÊN NHẬN THU PHÍ, LỆ PHÍ",
            "Số: 100016/BLP",
            f"Mã hồ sơ: {DOSSIER_CODE}",
            "Họ và tên người nộp: Nguyễn Thị Ánh Tuyết",
            "Nội dung yêu cầu giải quyết: Chứng thực bản sao từ bản chính",
            "Phí chứng thực bản sao (2 trang)",
            "4.000 đồng",
            "6.000 đồng",
            "Tổng cộng",
            "10.000 đồng",
            "Số tiền bằng chữ: Mười nghìn đồng",
            "Hình thức thanh toán: Tiền mặt",
            "Thời gian thu: 10 giờ 02 phút, ngày 02 tháng 3 năm 2026",
            "NGƯỜI NỘP TIỀN",
            "NGƯỜI THU TIỀN",
        ),
    )
    assert "Mẫu" not in text  # a local form: neither circular numbers it
    assert decode_symbols(path, page=1) == [f"CODE-128:{DOSSIER_CODE}"]


def test_book_is_a_landscape_table_with_its_header_on_every_page(book: BookData, tmp_path: Path) -> None:
    path = write_pdf(render_book(book), tmp_path)

    width, height = page_size_pts(path)
    assert (round(width), round(height)) == (842, 595)  # A4 landscape
    pages = page_count(path)
    assert pages >= 2  # 60 rows do not fit one page
    columns = (
        "STT",
        "Mã hồ sơ",
        "Tên TTHC",
        "Tên tổ chức, cá nhân",
        "Địa chỉ/SĐT",
        "Cơ quan chủ trì giải quyết",
        "Nhận hồ sơ",
        "Hẹn trả kết quả",
        "Trả kết quả",
        "Phương thức nhận kết quả",
        "Ký nhận",
    )
    for page in range(1, pages + 1):
        text = pdf_text(path, page=page, layout=False)
        assert_all_in(text, columns)
        assert f"Trang {page}" in text
    whole = pdf_text(path, layout=False)
    assert_all_in(whole, ("SỔ THEO DÕI HỒ SƠ", "Mẫu 07", "Lĩnh vực: Hộ tịch", "Quyển số: 01/2026"))
    # every row, each code whole on one line; the first row was returned at 09:30 on 05/3
    assert_all_in(whole, tuple(f"000.17.22.H56-260302-1{index:03d}" for index in range(1, 61)))
    assert_all_in(whole, ("Lý Thị Hồng Ngọc 60", "02/03/2026 08:00", "05/03/2026 17:00", "05/03/2026 09:30"))


def test_book_under_the_2018_rules_is_form_06(book: BookData, tmp_path: Path) -> None:
    short = dataclasses.replace(book, rows=book.rows[:3], rule_set="TT01-2018")
    text = pdf_text(write_pdf(render_book(short), tmp_path))

    assert "Mẫu 06" in text
    assert "Mẫu 07" not in text


def test_every_form_renders_on_a5(
    supplement: SupplementData,
    refusal: RefusalData,
    withdrawal: WithdrawalData,
    control_slip: ControlSlipData,
    fee_receipt: FeeReceiptData,
    tmp_path: Path,
) -> None:
    renders = (
        render_supplement(dataclasses.replace(supplement, page_size=PageSize.A5)),
        render_refusal(dataclasses.replace(refusal, page_size=PageSize.A5)),
        render_withdrawal(dataclasses.replace(withdrawal, page_size=PageSize.A5)),
        render_control_slip(dataclasses.replace(control_slip, page_size=PageSize.A5)),
        render_fee_receipt(dataclasses.replace(fee_receipt, page_size=PageSize.A5)),
    )
    for number, pdf in enumerate(renders):
        path = write_pdf(pdf, tmp_path, f"form{number}.pdf")
        width, height = page_size_pts(path)
        assert (round(width), round(height)) == (420, 595)
        assert NATION in pdf_text(path, page=1)
        assert len(decode_symbols(path, page=1)) == 1
