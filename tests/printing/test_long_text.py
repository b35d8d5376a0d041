"""Names and long text on paper (issue 17, item 10): the longest allowed values fit every form, every character
the intake accepts is drawn by the fonts, what the fonts cannot draw is refused at its field, and the demo
catalogue's invented codes stay off official forms outside the demo profile."""

from __future__ import annotations

import dataclasses
import re
import subprocess
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from pdf_readback import normalise, page_count, page_size_pts, pdf_text, write_pdf
from reportlab.pdfbase.ttfonts import TTFont

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.intake import IntakeForm, validate_applicant
from counter_app.domain.printed_text import (
    ADDRESS_MAX,
    AUTHORISATION_MAX,
    NAME_MAX,
    PAPER_NAME_MAX,
    REASON_MAX,
    printable_characters,
)
from counter_app.errors import FormInvalid
from counter_app.printing.data import (
    ApologyData,
    Applicant,
    BookData,
    ControlSlipData,
    Document,
    FeeReceiptData,
    Filer,
    PageSize,
    Paper,
    ReceiptData,
    RefusalData,
    SupplementData,
    WithdrawalData,
)
from counter_app.printing.fonts import font_paths
from counter_app.printing.render import render_document
from counter_app.services.common.clock import DrillClock
from counter_app.services.installation.setup import DEMO_AGENCY_CODE

TODAY = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
PERSON_ID = "079190012345"  # a woman born in 1990, registered in Ho Chi Minh City
# Every letter of Vietnamese, lower and upper case, in words of a realistic length.
VIETNAMESE_LETTERS = "aàảãáạăằẳẵắặâầẩẫấậbcdđeèẻẽéẹêềểễếệghiìỉĩíịklmnoòỏõóọôồổỗốộơờởỡớợpqrstuùủũúụưừửữứựvxyỳỷỹýỵ"


def _vietnamese_names() -> list[str]:
    """Names that use every Vietnamese letter, in both cases, each at most NAME_MAX characters."""
    letters = VIETNAMESE_LETTERS + VIETNAMESE_LETTERS.upper()
    words = [letters[i : i + 7] for i in range(0, len(letters), 7)]
    names, current = [], ""
    for word in words:
        candidate = f"{current} {word}".strip()
        if len(candidate) > 60:
            names.append(current)
            candidate = word
        current = candidate
    return [*names, current]


def _longest(limit: int, unit: str = "Nguyễn Thị Ánh Tuyết Ừng ") -> str:
    """A value of exactly `limit` characters of wide Vietnamese letters, in words (as a clerk would type it)."""
    text = (unit * (limit // len(unit) + 1))[:limit].rstrip()
    return text + "Ừ" * (limit - len(text))


NAME = _longest(NAME_MAX, "NGUYỄN THỊ ÁNH TUYẾT ỪNG ")  # capitals: the widest a name gets
ADDRESS = _longest(ADDRESS_MAX, "Số 123/45 đường Nguyễn Đình Chiểu, khu phố Ừng Ượng, ")
AUTHORISATION = _longest(AUTHORISATION_MAX, "Giấy ủy quyền số 1234/2026/UQ ngày 01/3/2026, ")
PAPER = _longest(PAPER_NAME_MAX, "Bản sao giấy chứng nhận quyền sử dụng đất ")
REASON = _longest(REASON_MAX, "Hồ sơ cần được xác minh thêm tại Ủy ban nhân dân phường nơi cư trú trước đây; ")
EMAIL = "a" * 64 + "@" + "ten-mien-rat-dai-cua-co-quan-" * 6 + "vn.example.vn"  # 254 characters, one word


def _longest_documents(
    receipt: ReceiptData,
    filer: Filer,
    supplement: SupplementData,
    refusal: RefusalData,
    apology: ApologyData,
    withdrawal: WithdrawalData,
    control_slip: ControlSlipData,
    fee_receipt: FeeReceiptData,
    book: BookData,
) -> dict[str, tuple[Document, tuple[str, ...]]]:
    """Every form with each printed field at its limit, and the values that must be read back whole."""

    def named(applicant: Applicant, **contacts: str) -> Applicant:
        return dataclasses.replace(applicant, name=NAME, **contacts)

    contacts = {"address": ADDRESS, "email": EMAIL}
    return {
        "receipt": (
            dataclasses.replace(
                receipt,
                applicant=named(receipt.applicant, **contacts),
                filer=dataclasses.replace(filer, name=NAME, authorisation=AUTHORISATION),
                papers=(Paper(PAPER, 1, 1), Paper("Giấy chứng sinh", 1, 0), Paper(PAPER, 0, 2)),
            ),
            (NAME, ADDRESS, AUTHORISATION, PAPER),
        ),
        "supplement": (
            dataclasses.replace(
                supplement,
                applicant=named(supplement.applicant, **contacts),
                missing_items=(PAPER, PAPER),
                reason=REASON,
            ),
            (NAME, ADDRESS, PAPER, REASON),
        ),
        "refusal": (
            dataclasses.replace(refusal, applicant=named(refusal.applicant, **contacts), reason=REASON),
            (NAME, ADDRESS, REASON),
        ),
        "apology": (
            dataclasses.replace(apology, applicant=named(apology.applicant), addressee=NAME, reason=REASON),
            (NAME, REASON),
        ),
        "withdrawal": (
            dataclasses.replace(withdrawal, applicant=named(withdrawal.applicant, **contacts), reason=REASON),
            (NAME, ADDRESS, REASON),
        ),
        "control": (dataclasses.replace(control_slip, applicant_name=NAME), ()),
        "fee": (dataclasses.replace(fee_receipt, payer=named(fee_receipt.payer, address=ADDRESS)), (NAME, ADDRESS)),
        "book": (
            dataclasses.replace(
                book, rows=tuple(dataclasses.replace(r, applicant_name=NAME, address_phone=ADDRESS) for r in book.rows)
            ),
            (),
        ),
    }


def _words_outside_the_margins(path: Path) -> list[str]:
    """Words pdftotext places past the page's printable area (10 mm from each side), with their page."""
    width, _height = page_size_pts(path)  # every page of a form has the same size
    margin = 10 / 25.4 * 72
    bbox = subprocess.run(["pdftotext", "-bbox", str(path), "-"], capture_output=True, check=True, text=True).stdout
    outside = []
    for page, body in enumerate(bbox.split("<page ")[1:], start=1):
        for x_min, x_max, word in re.findall(r'<word xMin="([\d.]+)" yMin="[\d.]+" xMax="([\d.]+)"[^>]*>([^<]*)', body):
            if float(x_min) < margin or float(x_max) > width - margin:
                outside.append(f"page {page}: {word}")
    return outside


@pytest.mark.parametrize("page_size", [PageSize.A4, PageSize.A5])
def test_the_longest_allowed_values_fit_every_form(
    receipt: ReceiptData,
    filer: Filer,
    supplement: SupplementData,
    refusal: RefusalData,
    apology: ApologyData,
    withdrawal: WithdrawalData,
    control_slip: ControlSlipData,
    fee_receipt: FeeReceiptData,
    book: BookData,
    page_size: PageSize,
    tmp_path: Path,
) -> None:
    documents = _longest_documents(
        receipt, filer, supplement, refusal, apology, withdrawal, control_slip, fee_receipt, book
    )
    for kind, (document, values) in documents.items():
        sized = dataclasses.replace(document, page_size=page_size)
        path = write_pdf(render_document(sized), tmp_path, f"{kind}-{page_size}.pdf")
        assert _words_outside_the_margins(path) == [], kind
        # read in content order, so a wrapped paragraph reads back as one run of text: nothing cut
        text = pdf_text(path, layout=False)
        for value in values:
            assert normalise(value) in text, f"{kind} on {page_size}: {value[:30]!r}… cut"
        # the e-mail address, one 254-character word, wraps inside the page rather than running off it
        if kind in {"receipt", "supplement", "refusal", "withdrawal"}:
            assert EMAIL in text.replace(" ", ""), kind
    # Mẫu 03 with the longest reason still fits one A4 page
    refusal_path = write_pdf(render_document(documents["refusal"][0]), tmp_path, "refusal.pdf")
    assert page_count(refusal_path) == 1


def test_the_fonts_draw_every_character_a_form_accepts() -> None:
    accepted = printable_characters()
    for face, path in font_paths().items():
        cmap = TTFont(f"check-{face}", str(path)).face.charToGlyph
        missing = sorted(f"U+{ord(ch):04X}" for ch in accepted if ord(ch) not in cmap)
        assert missing == [], f"{face} cannot draw {missing}"


def _form(**changes: str) -> IntakeForm:
    base = IntakeForm(procedure_code="1.001193", name="Nguyễn Thị Ấu", identifier=PERSON_ID)
    return dataclasses.replace(base, **changes)  # type: ignore[arg-type]


def _refusal(form: IntakeForm) -> dict[str, str]:
    with pytest.raises(FormInvalid) as refused:
        validate_applicant(form, TODAY.date())
    return refused.value.errors


@pytest.mark.parametrize(
    "name",
    ["Nguyễn Văn An 😀", "Trần 👍 Bình", "Lê Thị 中文", "Иван Петров", "Phạm Văn\u200bAn", "Đỗ ✓ Hùng"],
)
def test_a_name_the_fonts_cannot_draw_is_refused_at_the_field(name: str) -> None:
    errors = _refusal(_form(name=name))
    assert list(errors) == ["name"]
    assert "Họ và tên" in errors["name"] and "ký tự" in errors["name"]


def test_text_with_an_emoji_is_refused_at_its_field_never_dropped_on_paper() -> None:
    errors = _refusal(
        _form(
            address="12 Lê Lợi 🏠",
            filer_name="Lê Văn Ấn",
            filer_identifier="079088000111",
            filer_authorisation="Giấy ủy quyền ✍ số 12",
            reason="Thiếu giấy tờ 📄",
            missing=("Giấy khai sinh 😀",),
        )
    )
    assert set(errors) == {"address", "filer_authorisation", "reason", "missing"}
    for message in errors.values():
        assert "không in được trên giấy tờ" in message


@pytest.mark.parametrize(
    ("changes", "field", "limit"),
    [
        ({"name": "Nguyễn " + "Văn " * 24 + "Anh"}, "name", NAME_MAX),  # 106 characters
        ({"address": "x" * (ADDRESS_MAX + 1)}, "address", ADDRESS_MAX),
        ({"postal_address": "x" * (ADDRESS_MAX + 1)}, "postal_address", ADDRESS_MAX),
        ({"reason": "Lý do " * 200}, "reason", REASON_MAX),
    ],
)
def test_a_value_longer_than_its_form_allows_is_refused_with_the_limit_named(
    changes: dict[str, str], field: str, limit: int
) -> None:
    errors = _refusal(_form(**changes))
    assert field in errors
    assert "quá dài" in errors[field] and f"tối đa {limit} ký tự" in errors[field]


def test_the_longest_allowed_name_is_accepted() -> None:
    assert validate_applicant(_form(name=NAME), TODAY.date()).applicant_name == NAME


def test_every_accepted_vietnamese_name_prints_with_all_its_letters(receipt: ReceiptData, tmp_path: Path) -> None:
    names = _vietnamese_names()
    assert "".join(names).replace(" ", "").lower().count("ỹ") == 2  # every letter is there, in both cases
    for index, typed in enumerate(names):
        name = validate_applicant(_form(name=typed), TODAY.date()).applicant_name
        path = write_pdf(
            render_document(dataclasses.replace(receipt, applicant=dataclasses.replace(receipt.applicant, name=name))),
            tmp_path,
            f"{index}.pdf",
        )
        assert name in pdf_text(path), name


# The demo catalogue's invented codes ("DEMO.KH") on official forms


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[Services]:
    services = build_services(tmp_path / "c.db", DrillClock(TODAY))
    yield services
    services.close()


def _receipt_text(services: Services, procedure: str) -> str:
    code = services.intake.accept(_form(procedure_code=procedure)).code
    assert code is not None
    return pdf_text(services.documents.render(code, "receipt").path)


def test_demo_codes_never_reach_an_official_form_outside_the_demo_profile(counter: Services) -> None:
    counter.setup.init_local(agency_code="000.17.22.H56", agency_name="Trung tâm Phục vụ hành chính công", counter=1)
    text = _receipt_text(counter, "DEMO.KH")
    assert "Đăng ký kết hôn" in text
    assert "DEMO" not in text and "Mã TTHC" not in text
    # a real national code is still printed
    assert "Đăng ký khai sinh (Mã TTHC: 1.001193)" in _receipt_text(counter, "1.001193")


def test_the_demo_profile_still_shows_its_demo_codes(counter: Services) -> None:
    counter.setup.ensure_demo_profile()
    assert counter.context.settings().agency_code == DEMO_AGENCY_CODE
    assert "Đăng ký kết hôn (Mã TTHC: DEMO.KH)" in _receipt_text(counter, "DEMO.KH")
