"""Sample documents for the printing tests, with values written by hand from domain.md."""

from __future__ import annotations

import pytest
from print_samples import DOSSIER_CODE, QR_TEXT, vn

from counter_app.printing.data import (
    ApologyData,
    Applicant,
    BookData,
    BookRow,
    ControlSlipData,
    FeeItem,
    FeeReceiptData,
    Filer,
    HandOver,
    OfficeHeader,
    Paper,
    ReceiptData,
    RefusalData,
    SupplementData,
    WithdrawalData,
)

HEADER = OfficeHeader(
    parent_authority="UBND phường Sài Gòn", unit_name="Trung tâm Phục vụ hành chính công", place="Sài Gòn"
)


@pytest.fixture
def receipt() -> ReceiptData:
    # domain.md §5, first worked example: received Mon 02/3/2026 10:00, 3 working days, due Thu 05/3/2026 17:00
    return ReceiptData(
        header=HEADER,
        number="100012/TTPVHCC",
        dossier_code=DOSSIER_CODE,
        receiving_unit="Trung tâm Phục vụ hành chính công phường Sài Gòn",
        deciding_agency="Ủy ban nhân dân phường Sài Gòn",
        applicant=Applicant(
            name="Nguyễn Thị Ánh Tuyết",
            identifier="079190012345",
            address="12 Lê Lợi, phường Sài Gòn",
            phone="0903123456",
            email="tuyet@example.vn",
        ),
        procedure_name="Đăng ký khai sinh",
        procedure_code="1.001193",
        papers=(
            Paper("Tờ khai đăng ký khai sinh", 1, 0),
            Paper("Giấy chứng sinh", 1, 0),
            Paper("Giấy tờ tùy thân của người đi đăng ký", 0, 1),
        ),
        sets_count=1,
        processing_days=3,
        received_at=vn(2026, 3, 2, 10, 0),
        due_at=vn(2026, 3, 5, 17, 0),
        result_delivery="Bộ phận Một cửa",
        book_volume="01/2026",
        book_index=125,
        fee=8000,
        fee_paid=True,
        qr_text=QR_TEXT,
        clerk_name="Trần Văn Ổn",
        issued_at=vn(2026, 3, 2, 10, 5),
    )


@pytest.fixture
def filer() -> Filer:
    return Filer(
        name="Lê Văn Ấn",
        identifier="079088000111",
        phone="0912000111",
        authorisation="Giấy ủy quyền số 12/2026 ngày 01/3/2026",
    )


@pytest.fixture
def supplement() -> SupplementData:
    return SupplementData(
        header=HEADER,
        number="100013/PBS",
        received_at=vn(2026, 3, 2, 14, 30),
        applicant=Applicant(
            name="Phạm Quốc Huỳnh",
            identifier="079095004567",
            address="45 Nguyễn Huệ, phường Sài Gòn",
            phone="0908765432",
        ),
        procedure_name="Đăng ký kết hôn",
        missing_items=("Giấy xác nhận tình trạng hôn nhân của bên nữ", "Bản sao giấy tờ tùy thân của bên nam"),
        reason="Hồ sơ thiếu giấy tờ theo quy định",
        contact_name="Võ Thị Hạnh",
        contact_phone="02838223344",
        guide_name="Võ Thị Hạnh",
        issued_at=vn(2026, 3, 2, 14, 40),
    )


@pytest.fixture
def refusal() -> RefusalData:
    return RefusalData(
        header=HEADER,
        number="100014/PTC",
        receiving_unit="Trung tâm Phục vụ hành chính công phường Sài Gòn",
        applicant=Applicant(
            name="Đặng Thị Mỹ Dung",
            identifier="079187001234",
            address="8 Hàm Nghi, phường Sài Gòn",
            phone="0911222333",
            email="dung@example.vn",
        ),
        procedure_name="Đăng ký hộ kinh doanh",
        reason="Ngành nghề đăng ký thuộc danh mục cấm kinh doanh",
        clerk_name="Trần Văn Ổn",
        issued_at=vn(2026, 3, 3, 9, 15),
    )


@pytest.fixture
def apology() -> ApologyData:
    return ApologyData(
        header=OfficeHeader(
            parent_authority="Thành phố Hồ Chí Minh", unit_name="Ủy ban nhân dân phường Sài Gòn", place="Sài Gòn"
        ),
        number="15/PXL",
        addressee="Bà Nguyễn Thị Ánh Tuyết",
        agency_name="Ủy ban nhân dân phường Sài Gòn",
        received_at=vn(2026, 3, 2, 10, 0),
        procedure_name="Đăng ký khai sinh",
        applicant=Applicant(
            name="Nguyễn Thị Ánh Tuyết",
            identifier="079190012345",
        ),
        dossier_code=DOSSIER_CODE,
        original_due_at=vn(2026, 3, 5, 17, 0),
        reason="Cần xác minh thông tin hộ tịch tại địa phương khác",
        new_due_at=vn(2026, 3, 10, 17, 0),
        head_name="Hoàng Minh Đức",
        head_title="Chủ tịch",
        delivered_via="Thư điện tử",
        issued_at=vn(2026, 3, 4, 8, 0),
    )


@pytest.fixture
def withdrawal() -> WithdrawalData:
    return WithdrawalData(
        header=HEADER,
        number="100015/TBD",
        dossier_code=DOSSIER_CODE,
        applicant=Applicant(
            name="Nguyễn Thị Ánh Tuyết",
            identifier="079190012345",
            address="12 Lê Lợi, phường Sài Gòn",
            phone="0903123456",
        ),
        procedure_name="Đăng ký khai sinh",
        requested_at=vn(2026, 3, 3, 15, 20),
        reason="Gia đình muốn bổ sung tên đệm cho cháu",
        clerk_name="Trần Văn Ổn",
        issued_at=vn(2026, 3, 3, 15, 30),
    )


@pytest.fixture
def control_slip() -> ControlSlipData:
    return ControlSlipData(
        header=HEADER,
        number="100012/PKS",
        dossier_code=DOSSIER_CODE,
        applicant_name="Nguyễn Thị Ánh Tuyết",
        procedure_name="Đăng ký khai sinh",
        deciding_agency="Ủy ban nhân dân phường Sài Gòn",
        cooperating_agencies=("Công an phường Sài Gòn",),
        received_at=vn(2026, 3, 2, 10, 0),
        due_at=vn(2026, 3, 10, 17, 0),
        original_due_at=vn(2026, 3, 5, 17, 0),
        hand_overs=(
            HandOver(
                giver="Bộ phận Một cửa",
                receiver="Phòng Văn hóa - Xã hội",
                at=vn(2026, 3, 2, 14, 0),
                result="trước hạn",
                note="Đủ hồ sơ",
            ),
            HandOver(giver="Phòng Văn hóa - Xã hội", receiver="Bộ phận Một cửa"),
        ),
        blank_rows=2,
        issued_at=vn(2026, 3, 2, 10, 5),
    )


@pytest.fixture
def fee_receipt() -> FeeReceiptData:
    return FeeReceiptData(
        header=HEADER,
        number="100016/BLP",
        dossier_code=DOSSIER_CODE,
        payer=Applicant(
            name="Nguyễn Thị Ánh Tuyết",
            identifier="079190012345",
            address="12 Lê Lợi, phường Sài Gòn",
        ),
        procedure_name="Chứng thực bản sao từ bản chính",
        items=(FeeItem("Phí chứng thực bản sao (2 trang)", 4000), FeeItem("Phí chứng thực bản sao (3 trang)", 6000)),
        collected_at=vn(2026, 3, 2, 10, 2),
        clerk_name="Trần Văn Ổn",
        issued_at=vn(2026, 3, 2, 10, 2),
    )


@pytest.fixture
def book() -> BookData:
    rows = tuple(
        BookRow(
            index=index,
            dossier_code=f"000.17.22.H56-260302-1{index:03d}",
            procedure_name="Đăng ký khai sinh",
            applicant_name=f"Lý Thị Hồng Ngọc {index}",
            address_phone="12 Lê Lợi / 0903123456",
            deciding_agency="UBND phường Sài Gòn",
            received_at=vn(2026, 3, 2, 8, 0),
            due_at=vn(2026, 3, 5, 17, 0),
            returned_at=vn(2026, 3, 5, 9, 30) if index == 1 else None,
            delivery_method="Trực tiếp",
        )
        for index in range(1, 61)
    )
    return BookData(header=HEADER, field_name="Hộ tịch", volume="01/2026", rows=rows, issued_at=vn(2026, 3, 6, 8))
