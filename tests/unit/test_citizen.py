"""Citizen data: names, personal identifiers, tax codes, phones, e-mail, ID-card QR, masking."""

from __future__ import annotations

import unicodedata
from datetime import date

import pytest

from counter_app.domain.citizen import (
    PROVINCE_CODES,
    IdCardData,
    fold,
    looks_like_id_card_qr,
    mask_identifier,
    normalize_name,
    normalize_sex,
    parse_id_card_qr,
    validate_email,
    validate_personal_id,
    validate_phone,
    validate_tax_code,
)
from counter_app.errors import ValidationError

TODAY = date(2026, 3, 2)

# --- fold and names ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Nguyễn Thị Đào", "nguyen thi dao"),
        ("  TRẦN   văn\tƠn ", "tran van on"),
        (unicodedata.normalize("NFD", "Lê Hữu Đức"), "le huu duc"),
        ("Phường Sài Gòn", "phuong sai gon"),
        ("", ""),
    ],
)
def test_fold(text: str, expected: str) -> None:
    assert fold(text) == expected


def test_normalize_name_composes_decomposed_letters() -> None:
    decomposed = "Nguye\u0302\u0303n  Va\u0306n   An"
    name = normalize_name(decomposed)
    assert name == "Nguy\u1ec5n V\u0103n An"
    assert len(name.split()[0]) == 6


@pytest.mark.parametrize("name", ["Nguyễn Thị Đào", "H'Hen Niê", "Nguyễn Thị-Lan", "Y Moan Ê Ban", "J. R. Smith"])
def test_normalize_name_accepts_real_names(name: str) -> None:
    assert normalize_name(name) == name


@pytest.mark.parametrize(
    ("typed", "fragment"),
    [
        ("", "Chưa nhập"),
        ("   ", "Chưa nhập"),
        ("Nguyễn Văn 2", "chữ số"),
        ("Nguyễn@Văn", "@"),
        ("Trần_Văn", "_"),
        ("...", "chữ cái"),
    ],
)
def test_normalize_name_refuses(typed: str, fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        normalize_name(typed, field="applicant_name")
    assert caught.value.field == "applicant_name"
    assert fragment in caught.value.message


@pytest.mark.parametrize(("typed", "expected"), [("Nam", "Nam"), ("nữ", "Nữ"), ("NU", "Nữ"), (" nam ", "Nam")])
def test_normalize_sex(typed: str, expected: str) -> None:
    assert normalize_sex(typed) == expected


def test_normalize_sex_refuses_other_values() -> None:
    with pytest.raises(ValidationError) as caught:
        normalize_sex("khác")
    assert caught.value.field == "sex"


# --- personal identifier -------------------------------------------------------------------------------


def test_province_list_has_the_63_units() -> None:
    assert len(PROVINCE_CODES) == 63
    assert PROVINCE_CODES["001"] == "Hà Nội"
    assert PROVINCE_CODES["079"] == "Hồ Chí Minh"
    assert PROVINCE_CODES["096"] == "Cà Mau"


@pytest.mark.parametrize(
    ("typed", "birth", "sex"),
    [
        ("079203001234", date(2003, 7, 1), "Nam"),  # HCMC, male, born 2003
        ("079 303 001 234", date(2003, 7, 1), "Nữ"),  # HCMC, female, born 2003
        ("001185000123", date(1985, 1, 1), "Nữ"),  # Hà Nội, female, 1985
        ("096090000001", date(1990, 12, 31), "Nam"),  # Cà Mau, male, 1990
        ("048226000001", date(2026, 1, 1), "Nam"),  # Đà Nẵng, male, born this year
    ],
)
def test_personal_id_accepts_consistent_identifiers(typed: str, birth: date, sex: str) -> None:
    expected = typed.replace(" ", "")
    assert validate_personal_id(typed, today=TODAY, birth_date=birth, sex=sex) == expected
    assert validate_personal_id(typed) == expected


@pytest.mark.parametrize(
    ("typed", "kwargs", "fragment"),
    [
        ("", {}, "Chưa nhập"),
        ("07920300123", {}, "12 chữ số"),
        ("0792030012345", {}, "12 chữ số"),
        ("07920300123A", {}, "chỉ gồm chữ số"),
        ("003203001234", {}, "“003”"),  # 003 is not a province code
        ("097203001234", {}, "“097”"),
        ("079427001234", {"today": TODAY}, "2127"),  # born in 2127
        ("079227001234", {"today": TODAY}, "2027"),  # next year
        ("079203001234", {"birth_date": date(2004, 1, 1)}, "2003"),
        ("079203001234", {"birth_date": date(1903, 1, 1)}, "2003"),
        ("079203001234", {"sex": "Nữ"}, "Nam"),
        ("079303001234", {"sex": "nam"}, "Nữ"),
    ],
)
def test_personal_id_refuses_with_a_precise_message(typed: str, kwargs: dict[str, object], fragment: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_personal_id(typed, field="applicant_id", **kwargs)  # type: ignore[arg-type]
    assert caught.value.field == "applicant_id"
    assert fragment in caught.value.message


def test_personal_id_far_centuries_are_only_refused_against_today() -> None:
    assert validate_personal_id("079427001234") == "079427001234"


# --- tax code ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0100109106", "0100109106"),
        (" 0300588569 ", "0300588569"),
        ("0100109106-001", "0100109106-001"),
        ("0100109106001", "0100109106-001"),
        ("0300588569 - 012", "0300588569-012"),
    ],
)
def test_tax_code_accepts(typed: str, expected: str) -> None:
    assert validate_tax_code(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "0100109107",  # check digit should be 6
        "0300588560",  # check digit should be 9
        "0000000000",  # weighted sum 0: check would be 10, no valid code
        "010010910",
        "01001091066",
        "0100109106-01",
        "0100109106/001",
        "0100109106-000",
        "01001O9106",
    ],
)
def test_tax_code_refuses(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_tax_code(typed, field="org_tax_code")
    assert caught.value.field == "org_tax_code"


# --- phone and e-mail ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("0912345678", "0912345678"),
        ("0912 345 678", "0912345678"),
        ("0912.345.678", "0912345678"),
        ("0387-123-456", "0387123456"),
        ("+84 912 345 678", "0912345678"),
        ("+84 (0) 912 345 678", "0912345678"),
        ("84912345678", "0912345678"),
        ("0562345678", "0562345678"),
        ("0701234567", "0701234567"),
        ("0812345678", "0812345678"),
        ("028 3829 5555", "02838295555"),
        ("+84 28 3829 5555", "02838295555"),
        ("842838295555", "02838295555"),
    ],
)
def test_phone_accepts_and_normalises(typed: str, expected: str) -> None:
    assert validate_phone(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "0112345678",
        "0612345678",
        "091234567",
        "09123456789",
        "0283829555",
        "+1 212 555 0100",
        "09l2345678",
        "số 0912345678",
    ],
)
def test_phone_refuses(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_phone(typed)
    assert caught.value.field == "phone"


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("an.nguyen@example.vn", "an.nguyen@example.vn"),
        (" An.Nguyen@Example.GOV.VN ", "An.Nguyen@example.gov.vn"),
        ("a+tag@mail.hochiminhcity.gov.vn", "a+tag@mail.hochiminhcity.gov.vn"),
    ],
)
def test_email_accepts(typed: str, expected: str) -> None:
    assert validate_email(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "a@b",
        "a b@c.vn",
        "@c.vn",
        "a@.vn",
        "a@@c.vn",
        "a@c..vn",
        "a.@c.vn",
        "a@-c.vn",
        "nguyễn@c.vn",
        "a@c.v",
    ],
)
def test_email_refuses(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_email(typed, field="applicant_email")
    assert caught.value.field == "applicant_email"


# --- ID-card QR ----------------------------------------------------------------------------------------

QR = "079203001234|025123456|Nguyễn Văn An|15042003|Nam|12 Lê Lợi, Phường Sài Gòn, TP Hồ Chí Minh|20082021"


def test_parse_id_card_qr() -> None:
    assert parse_id_card_qr(QR + "\r\n") == IdCardData(
        identifier="079203001234",
        old_identifier="025123456",
        full_name="Nguyễn Văn An",
        birth_date=date(2003, 4, 15),
        sex="Nam",
        address="12 Lê Lợi, Phường Sài Gòn, TP Hồ Chí Minh",
        issue_date=date(2021, 8, 20),
    )


def test_parse_id_card_qr_without_old_identifier_and_decomposed_text() -> None:
    text = unicodedata.normalize("NFD", "001185000123||Trần Thị Bích|01011985|Nữ|Phường Ba Đình, Hà Nội|10102022")
    data = parse_id_card_qr(text)
    assert data.old_identifier == ""
    assert data.full_name == "Trần Thị Bích"
    assert data.sex == "Nữ"
    assert data.address == "Phường Ba Đình, Hà Nội"


@pytest.mark.parametrize(
    "text",
    [
        "",
        "079203001234",
        "079203001234|025123456|Nguyễn Văn An|15042003|Nam|12 Lê Lợi|",
        QR + "|extra",
        QR.replace("15042003", "31022003"),  # 31 February
        QR.replace("15042003", "1504203"),
        QR.replace("15042003", "15042004"),  # identifier says 2003
        QR.replace("|Nam|", "|Nữ|"),  # identifier says male
        QR.replace("|Nam|", "|X|"),
        QR.replace("Nguyễn Văn An", ""),
        QR.replace("20082021", "20082001"),  # issued before birth
        QR.replace("025123456", "02512345"),
        QR.replace("12 Lê Lợi, Phường Sài Gòn, TP Hồ Chí Minh", " "),
        QR.replace("079203001234", "099203001234"),
        "000.17.22.H56-210531-1001",
    ],
)
def test_parse_id_card_qr_refuses_malformed_scans(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        parse_id_card_qr(text)
    assert caught.value.field == "scan"
    assert caught.value.message


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (QR, True),
        (QR + "\n", True),
        ("001185000123||Trần Thị Bích|01011985|Nữ|Hà Nội|10102022", True),
        ("000.17.22.H56-210531-1001", False),
        ("079203001234", False),
        ("079203001234|025123456|Nguyễn Văn An|15042003|Nam|12 Lê Lợi", False),
    ],
)
def test_looks_like_id_card_qr(text: str, expected: bool) -> None:
    assert looks_like_id_card_qr(text) is expected


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("079203001234", "********1234"),
        ("0100109106", "******9106"),
        ("1234", "****"),
        ("", ""),
    ],
)
def test_mask_identifier(value: str, expected: str) -> None:
    assert mask_identifier(value) == expected


def test_lacks_marks_tells_a_stripped_name() -> None:
    from counter_app.domain.citizen import lacks_marks

    assert lacks_marks("Nguyen Thi Au")
    assert not lacks_marks("Nguyễn Thị Ấu")
    assert not lacks_marks("Do Dinh Đuc")  # đ alone is a mark
    assert not lacks_marks("Nguye\u0302\u0303n")  # decomposed marks count too
    assert not lacks_marks("12")  # no letters: nothing to say
