"""The intake form as typed at the counter, and its validation into clean applicant data (all errors at once)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime

from counter_app.domain.citizen import (
    normalize_name,
    normalize_sex,
    validate_email,
    validate_personal_id,
    validate_phone,
    validate_tax_code,
)
from counter_app.domain.dossier import PaperEntry
from counter_app.domain.printed_text import (
    ADDRESS_MAX,
    AUTHORISATION_MAX,
    ORGANISATION_NAME_MAX,
    PAPER_NAME_MAX,
    REASON_MAX,
    printed_text,
)
from counter_app.errors import FormInvalid, ValidationError

CHANNELS = {1: "Trực tiếp", 2: "Trực tuyến", 3: "Bưu chính công ích"}
DELIVERIES = {"desk": "Bộ phận Một cửa", "post": "Qua dịch vụ bưu chính công ích", "online": "Trực tuyến"}


@dataclass(frozen=True)
class IntakeForm:
    """What the clerk typed (or the command line gave), as text; nothing here is trusted yet."""

    procedure_code: str
    name: str
    identifier: str
    applicant_kind: str = "person"  # person | organisation
    birth_date: str = ""
    sex: str = ""
    address: str = ""
    phone: str = ""
    email: str = ""
    filer_name: str = ""
    filer_identifier: str = ""
    filer_phone: str = ""
    filer_authorisation: str = ""
    channel: int = 1
    result_delivery: str = "desk"
    postal_address: str = ""
    sets_count: int = 1
    fee_paid: bool = False
    papers: tuple[PaperEntry, ...] | None = None  # None: the procedure's list, all present
    missing: tuple[str, ...] = ()
    reason: str = ""
    received_at: datetime | None = None
    back_entry_reason: str = ""  # why a dossier received on paper earlier is entered only now (a supervisor's)


@dataclass(frozen=True)
class CleanApplicant:
    applicant_kind: str
    applicant_name: str
    applicant_identifier: str
    applicant_birth_date: str | None
    applicant_sex: str | None
    applicant_address: str
    applicant_phone: str
    applicant_email: str
    filer_name: str = ""
    filer_identifier: str = ""
    filer_phone: str = ""
    filer_authorisation: str = ""
    extra: dict[str, str] = field(default_factory=dict)


def parse_birth_date(text: str, today: date, fld: str = "birth_date") -> date:
    cleaned = text.strip()
    for fmt in ("%d/%m/%Y", "%Y-%m-%d", "%d%m%Y"):
        try:
            value = datetime.strptime(cleaned, fmt).date()  # noqa: DTZ007 - a calendar date, no time zone
        except ValueError:
            continue
        if value > today:
            raise ValidationError(fld, "Ngày sinh không thể sau ngày hôm nay.")
        if value.year < 1900:
            raise ValidationError(fld, "Năm sinh không hợp lệ (trước năm 1900).")
        return value
    raise ValidationError(fld, "Ngày sinh cần dạng ngày/tháng/năm, ví dụ 05/09/1990.")


def _check_text(value: str, fld: str, label: str, errors: dict[str, str], *, limit: int) -> str:
    """Printed text: NFC, single-spaced, within `limit` and printable; the error (if any) goes to `errors`."""
    try:
        return printed_text(value, fld, label, limit)
    except ValidationError as exc:
        errors.setdefault(fld, exc.message)
        return " ".join(value.split())


def _check_papers(form: IntakeForm, errors: dict[str, str]) -> None:
    """Paper names typed or picked, and the items to add (Mẫu 02): each printed on one line of a list."""
    for number, entry in enumerate(form.papers or (), start=1):
        _check_text(entry.name, "papers", f"Tên giấy tờ thứ {number}", errors, limit=PAPER_NAME_MAX)
    for item in form.missing:
        _check_text(item, "missing", "Nội dung cần bổ sung", errors, limit=PAPER_NAME_MAX)


def validate_applicant(form: IntakeForm, today: date) -> CleanApplicant:
    """All field errors at once (FormInvalid), each message for the field where it was typed."""
    errors: dict[str, str] = {}

    def check(fld: str, fn: Callable[[], str]) -> str:
        try:
            return fn()
        except ValidationError as exc:
            errors[exc.field or fld] = exc.message
            return ""

    organisation = form.applicant_kind == "organisation"
    name = check("name", lambda: normalize_name(form.name, "name")) if not organisation else ""
    if organisation:
        name = _check_text(form.name, "name", "Tên tổ chức", errors, limit=ORGANISATION_NAME_MAX)
        if not name:
            errors["name"] = "Cần nhập tên tổ chức."
    birth: date | None = None
    if form.birth_date.strip():
        try:
            birth = parse_birth_date(form.birth_date, today)
        except ValidationError as exc:
            errors["birth_date"] = exc.message
    sex = check("sex", lambda: normalize_sex(form.sex)) if form.sex.strip() else ""
    if not form.identifier.strip():
        errors["identifier"] = (
            "Cần nhập mã số thuế của tổ chức." if organisation else "Cần nhập số định danh cá nhân (12 chữ số)."
        )
        identifier = ""
    elif organisation:
        identifier = check("identifier", lambda: validate_tax_code(form.identifier))
    else:
        identifier = check(
            "identifier",
            lambda: validate_personal_id(form.identifier, today=today, birth_date=birth, sex=sex or None),
        )
    phone = check("phone", lambda: validate_phone(form.phone)) if form.phone.strip() else ""
    email = check("email", lambda: validate_email(form.email)) if form.email.strip() else ""
    address = _check_text(form.address, "address", "Địa chỉ", errors, limit=ADDRESS_MAX)
    filer_name = filer_identifier = filer_phone = ""
    if form.filer_name.strip() or form.filer_identifier.strip():
        filer_name = check("filer_name", lambda: normalize_name(form.filer_name, "filer_name"))
        filer_identifier = check(
            "filer_identifier",
            lambda: validate_personal_id(form.filer_identifier, today=today, field="filer_identifier"),
        )
        if form.filer_phone.strip():
            filer_phone = check("filer_phone", lambda: validate_phone(form.filer_phone, "filer_phone"))
    authorisation = _check_text(
        form.filer_authorisation, "filer_authorisation", "Giấy ủy quyền", errors, limit=AUTHORISATION_MAX
    )
    if form.result_delivery not in DELIVERIES:
        errors["result_delivery"] = "Hình thức nhận kết quả không hợp lệ."
    if form.result_delivery == "post" and not form.postal_address.strip() and not address:
        errors["postal_address"] = "Cần nhập địa chỉ nhận kết quả qua bưu chính."
    _check_text(form.postal_address, "postal_address", "Địa chỉ bưu chính", errors, limit=ADDRESS_MAX)
    _check_text(form.reason, "reason", "Lý do", errors, limit=REASON_MAX)
    _check_papers(form, errors)
    if form.channel not in CHANNELS:
        errors["channel"] = "Kênh nộp hồ sơ không hợp lệ."
    if not 1 <= form.sets_count <= 20:
        errors["sets_count"] = "Số lượng hồ sơ (bộ) phải từ 1 đến 20."
    if errors:
        raise FormInvalid(errors)
    return CleanApplicant(
        applicant_kind="organisation" if organisation else "person",
        applicant_name=name,
        applicant_identifier=identifier,
        applicant_birth_date=birth.isoformat() if birth else None,
        applicant_sex=sex or None,
        applicant_address=address,
        applicant_phone=phone,
        applicant_email=email,
        filer_name=filer_name,
        filer_identifier=filer_identifier,
        filer_phone=filer_phone,
        filer_authorisation=authorisation,
    )
