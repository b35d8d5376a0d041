"""Validation and normalisation of citizen data: names, identifiers, tax codes, phones, e-mail, ID-card QR."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass
from datetime import date

from counter_app.domain.printed_text import NAME_MAX, check_printable
from counter_app.errors import ValidationError

# Province/city of birth registration, first three digits of a personal identifier
# (Thông tư 59/2021/TT-BCA, annex; the 63 units before the 2025 mergers, still printed on every card).
PROVINCE_CODES: dict[str, str] = {
    "001": "Hà Nội",
    "002": "Hà Giang",
    "004": "Cao Bằng",
    "006": "Bắc Kạn",
    "008": "Tuyên Quang",
    "010": "Lào Cai",
    "011": "Điện Biên",
    "012": "Lai Châu",
    "014": "Sơn La",
    "015": "Yên Bái",
    "017": "Hòa Bình",
    "019": "Thái Nguyên",
    "020": "Lạng Sơn",
    "022": "Quảng Ninh",
    "024": "Bắc Giang",
    "025": "Phú Thọ",
    "026": "Vĩnh Phúc",
    "027": "Bắc Ninh",
    "030": "Hải Dương",
    "031": "Hải Phòng",
    "033": "Hưng Yên",
    "034": "Thái Bình",
    "035": "Hà Nam",
    "036": "Nam Định",
    "037": "Ninh Bình",
    "038": "Thanh Hóa",
    "040": "Nghệ An",
    "042": "Hà Tĩnh",
    "044": "Quảng Bình",
    "045": "Quảng Trị",
    "046": "Thừa Thiên Huế",
    "048": "Đà Nẵng",
    "049": "Quảng Nam",
    "051": "Quảng Ngãi",
    "052": "Bình Định",
    "054": "Phú Yên",
    "056": "Khánh Hòa",
    "058": "Ninh Thuận",
    "060": "Bình Thuận",
    "062": "Kon Tum",
    "064": "Gia Lai",
    "066": "Đắk Lắk",
    "067": "Đắk Nông",
    "068": "Lâm Đồng",
    "070": "Bình Phước",
    "072": "Tây Ninh",
    "074": "Bình Dương",
    "075": "Đồng Nai",
    "077": "Bà Rịa - Vũng Tàu",
    "079": "Hồ Chí Minh",
    "080": "Long An",
    "082": "Tiền Giang",
    "083": "Bến Tre",
    "084": "Trà Vinh",
    "086": "Vĩnh Long",
    "087": "Đồng Tháp",
    "089": "An Giang",
    "091": "Kiên Giang",
    "092": "Cần Thơ",
    "093": "Hậu Giang",
    "094": "Sóc Trăng",
    "095": "Bạc Liêu",
    "096": "Cà Mau",
}

MALE = "Nam"
FEMALE = "Nữ"

_SPACES_RE = re.compile(r"\s+")
_NAME_PUNCTUATION = frozenset(" '-.")
_TAX_WEIGHTS = (31, 29, 23, 19, 17, 13, 7, 5, 3)
_PHONE_SEPARATORS_RE = re.compile(r"[\s.\-()]")
_MOBILE_RE = re.compile(r"0[35789][0-9]{8}")
_LANDLINE_RE = re.compile(r"02[0-9]{9}")
_EMAIL_RE = re.compile(
    r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+(?:\.[A-Za-z0-9!#$%&'*+/=?^_`{|}~-]+)*"
    r"@(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?\.)+[A-Za-z]{2,63}"
)
_QR_FIELDS = 7


def fold(text: str) -> str:
    """Diacritic-free lower-case search key: `fold("Nguyễn Thị Đào") == "nguyen thi dao"`."""
    decomposed = unicodedata.normalize("NFD", text)
    bare = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    bare = bare.replace("đ", "d").replace("Đ", "D")
    return _SPACES_RE.sub(" ", bare).strip().lower()


def lacks_marks(text: str) -> bool:
    """Whether `text` has letters and no Vietnamese mark at all (no tone, no circumflex, breve, horn or đ).

    Nearly every Vietnamese full name has at least one; a name read from a scanner in keyboard mode that has
    none was most likely stripped by the scanner's US layout, and is worth a look at the card.
    """
    decomposed = unicodedata.normalize("NFD", text)
    if not any(ch.isalpha() for ch in decomposed):
        return False
    return not any(unicodedata.combining(ch) or ch in "đĐ" for ch in decomposed)


def normalize_name(value: str, field: str = "name") -> str:
    """A person's name, NFC, single-spaced; letters with space, apostrophe, hyphen and dot only."""
    name = _SPACES_RE.sub(" ", unicodedata.normalize("NFC", value)).strip()
    if not name:
        raise ValidationError(field, "Chưa nhập họ và tên.")
    if any(ch.isdigit() for ch in name):
        raise ValidationError(field, "Họ và tên không được chứa chữ số.")
    # Combining marks are kept: a few letter+mark pairs have no precomposed form even after NFC.
    bad = sorted(
        {ch for ch in name if not (ch.isalpha() or ch in _NAME_PUNCTUATION or unicodedata.category(ch).startswith("M"))}
    )
    if bad:
        raise ValidationError(
            field,
            f"Họ và tên chứa ký tự không hợp lệ: {' '.join(bad)} (chỉ dùng chữ cái, khoảng trắng, ' - .).",
        )
    if not any(ch.isalpha() for ch in name):
        raise ValidationError(field, "Họ và tên phải có ít nhất một chữ cái.")
    check_printable(name, field, "Họ và tên")  # letters of other scripts the fonts cannot draw
    if len(name) > NAME_MAX:
        raise ValidationError(field, f"Họ và tên quá dài: {len(name)} ký tự (tối đa {NAME_MAX} ký tự).")
    return name


def normalize_sex(value: str, field: str = "sex") -> str:
    """`Nam` or `Nữ`, whatever the case or diacritics typed."""
    folded = fold(value)
    if folded == "nam":
        return MALE
    if folded == "nu":
        return FEMALE
    raise ValidationError(field, "Giới tính phải là “Nam” hoặc “Nữ”.")


def validate_personal_id(
    value: str,
    *,
    today: date | None = None,
    birth_date: date | None = None,
    sex: str | None = None,
    field: str = "identifier",
) -> str:
    """A 12-digit personal identifier (CCCD): province, century and sex, year of birth, six digits."""
    ident = _SPACES_RE.sub("", value)
    if not ident:
        raise ValidationError(field, "Chưa nhập số định danh cá nhân.")
    if not ident.isascii() or not ident.isdigit():
        raise ValidationError(field, "Số định danh cá nhân chỉ gồm chữ số.")
    if len(ident) != 12:
        raise ValidationError(field, f"Số định danh cá nhân phải có đúng 12 chữ số (đã nhập {len(ident)}).")
    if ident[:3] not in PROVINCE_CODES:
        raise ValidationError(
            field, f"Ba chữ số đầu “{ident[:3]}” không phải mã tỉnh, thành phố nơi đăng ký khai sinh."
        )
    gender_digit = int(ident[3])
    birth_year = 1900 + 100 * (gender_digit // 2) + int(ident[4:6])
    card_sex = MALE if gender_digit % 2 == 0 else FEMALE
    if today is not None and birth_year > today.year:
        raise ValidationError(
            field, f"Số định danh cá nhân cho năm sinh {birth_year}, sau năm hiện tại ({today.year})."
        )
    if birth_date is not None and birth_date.year != birth_year:
        raise ValidationError(
            field,
            f"Số định danh cá nhân cho năm sinh {birth_year}, không khớp với ngày sinh {birth_date:%d/%m/%Y}.",
        )
    if sex is not None and normalize_sex(sex) != card_sex:
        raise ValidationError(
            field,
            f"Số định danh cá nhân là của người giới tính {card_sex}, không khớp với giới tính đã nhập.",
        )
    return ident


def validate_tax_code(value: str, field: str = "identifier") -> str:
    """An organisation's tax code: 10 digits with checksum, or 13 digits for a branch (`0100109106-001`)."""
    raw = _SPACES_RE.sub("", value)
    if not raw:
        raise ValidationError(field, "Chưa nhập mã số thuế.")
    if re.fullmatch(r"[0-9]{10}-[0-9]{3}", raw):
        head, branch = raw[:10], raw[11:]
    elif re.fullmatch(r"[0-9]{13}", raw):
        head, branch = raw[:10], raw[10:]
    elif re.fullmatch(r"[0-9]{10}", raw):
        head, branch = raw, ""
    else:
        raise ValidationError(
            field,
            "Mã số thuế phải có 10 chữ số, hoặc 13 chữ số dạng 0100109106-001 đối với đơn vị phụ thuộc.",
        )
    total = sum(int(digit) * weight for digit, weight in zip(head[:9], _TAX_WEIGHTS, strict=True))
    check = 10 - total % 11
    if check == 10 or int(head[9]) != check:
        raise ValidationError(field, f"Mã số thuế “{head}” sai chữ số kiểm tra; kiểm tra lại từng chữ số.")
    if branch == "000":
        raise ValidationError(field, "Ba chữ số đơn vị phụ thuộc của mã số thuế phải từ 001 đến 999.")
    return f"{head}-{branch}" if branch else head


def validate_phone(value: str, field: str = "phone") -> str:
    """A Vietnamese mobile (10 digits) or landline (11 digits, 02…) number, returned as `0…` digits only."""
    raw = _PHONE_SEPARATORS_RE.sub("", value)
    if not raw:
        raise ValidationError(field, "Chưa nhập số điện thoại.")
    if raw.startswith("+"):
        if not raw.startswith("+84"):
            raise ValidationError(field, "Chỉ nhận số điện thoại Việt Nam (mã quốc gia +84).")
        raw = raw[3:]
        number = raw if raw.startswith("0") else "0" + raw
    elif raw.startswith("84") and len(raw) in (11, 12):
        number = "0" + raw[2:]
    else:
        number = raw
    if not number.isascii() or not number.isdigit():
        raise ValidationError(field, "Số điện thoại chỉ gồm chữ số (có thể có dấu cách, dấu chấm, gạch ngang).")
    if _MOBILE_RE.fullmatch(number) or _LANDLINE_RE.fullmatch(number):
        return number
    raise ValidationError(
        field,
        "Số điện thoại không hợp lệ: số di động có 10 chữ số bắt đầu bằng 03, 05, 07, 08, 09; "
        "số cố định có 11 chữ số bắt đầu bằng 02.",
    )


def validate_email(value: str, field: str = "email") -> str:
    """An e-mail address; the domain is lower-cased (it is case-insensitive, the local part is not)."""
    email = value.strip()
    if not email:
        raise ValidationError(field, "Chưa nhập thư điện tử.")
    if len(email) > 254 or not _EMAIL_RE.fullmatch(email):
        raise ValidationError(field, f"Địa chỉ thư điện tử “{email}” không hợp lệ (ví dụ: ten@example.vn).")
    local, domain = email.rsplit("@", 1)
    if len(local) > 64:
        raise ValidationError(field, "Phần trước dấu @ của thư điện tử quá dài (tối đa 64 ký tự).")
    return f"{local}@{domain.lower()}"


@dataclass(frozen=True)
class IdCardData:
    """What the QR code of a chip ID card holds."""

    identifier: str
    old_identifier: str
    full_name: str
    birth_date: date
    sex: str
    address: str
    issue_date: date


def parse_id_card_qr(text: str) -> IdCardData:
    """`identifier|old identifier|full name|DDMMYYYY|sex|address|DDMMYYYY` read from a chip ID card."""
    fields = text.strip().lstrip("\ufeff").split("|")
    if len(fields) != _QR_FIELDS:
        raise ValidationError(
            "scan",
            f"Mã QR không phải của thẻ căn cước: cần {_QR_FIELDS} trường cách nhau bởi “|”, đọc được {len(fields)}.",
        )
    ident, old_ident, name, raw_birth, raw_sex, address, raw_issue = (part.strip() for part in fields)
    try:
        full_name = normalize_name(name, field="scan")
        sex = normalize_sex(raw_sex, field="scan")
    except ValidationError as error:
        raise ValidationError("scan", f"Mã QR thẻ căn cước không hợp lệ: {error.message}") from None
    birth_date = _qr_date(raw_birth, "ngày sinh")
    issue_date = _qr_date(raw_issue, "ngày cấp")
    if issue_date < birth_date:
        raise ValidationError("scan", "Mã QR thẻ căn cước không hợp lệ: ngày cấp trước ngày sinh.")
    try:
        identifier = validate_personal_id(ident, birth_date=birth_date, sex=sex, field="scan")
    except ValidationError as error:
        raise ValidationError("scan", f"Mã QR thẻ căn cước không hợp lệ: {error.message}") from None
    if old_ident and not re.fullmatch(r"[0-9]{9}|[0-9]{12}", old_ident):
        raise ValidationError("scan", "Mã QR thẻ căn cước không hợp lệ: số CMND cũ phải có 9 hoặc 12 chữ số.")
    address = _SPACES_RE.sub(" ", unicodedata.normalize("NFC", address)).strip()
    if not address:
        raise ValidationError("scan", "Mã QR thẻ căn cước không hợp lệ: thiếu nơi thường trú.")
    return IdCardData(identifier, old_ident, full_name, birth_date, sex, address, issue_date)


def looks_like_id_card_qr(text: str) -> bool:
    """Whether a scanned string has the shape of an ID-card QR (12 digits, then six `|`-separated fields)."""
    return re.fullmatch(r"\s*\ufeff?[0-9]{12}\|[^|]*\|[^|]+\|[0-9]{8}\|[^|]+\|[^|]*\|[0-9]{8}\s*", text) is not None


def mask_identifier(value: str) -> str:
    """For lists and screens shared with others: all but the last four characters hidden."""
    ident = _SPACES_RE.sub("", value)
    if len(ident) <= 4:
        return "*" * len(ident)
    return "*" * (len(ident) - 4) + ident[-4:]


def _qr_date(raw: str, what: str) -> date:
    if not re.fullmatch(r"[0-9]{8}", raw):
        raise ValidationError("scan", f"Mã QR thẻ căn cước không hợp lệ: {what} “{raw}” không có dạng DDMMYYYY.")
    try:
        return date(int(raw[4:]), int(raw[2:4]), int(raw[:2]))
    except ValueError:
        raise ValidationError(
            "scan", f"Mã QR thẻ căn cước không hợp lệ: {what} “{raw}” không phải ngày có thật."
        ) from None
