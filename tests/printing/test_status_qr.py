"""The status link on paper (issue 21): rendered through the services and read back as a person (pdftotext) and a
phone's camera (zbarimg) would. The receipt says what its QR is for when the QR opens the city's status page (not
for a bare code); Mẫu 02 carries the same link for a dossier that has a code, and no QR for a slip made at the
counter (no code yet)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from pdf_readback import decode_symbols, page_count, pdf_text

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.intake import IntakeForm
from counter_app.domain.status_link import status_url_template
from counter_app.printing.blocks import QR_CAPTION
from counter_app.services.common.clock import DrillClock

TODAY = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)
PUBLIC_URL = "https://tra-cuu.hcm.example"
FORM = IntakeForm(procedure_code="1.001193", name="Nguyễn Thị Ấu", identifier="079190012345")
ASKED = "Bản sao giấy chứng nhận kết hôn của cha mẹ"


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[Services]:
    services = build_services(tmp_path / "c.db", DrillClock(TODAY))
    services.setup.init_local(agency_code="000.17.22.H56", agency_name="Trung tâm Phục vụ hành chính công", counter=1)
    yield services
    services.close()


def _with_page(counter: Services) -> None:
    """What a sync through a service started with `--public-url` leaves on the counter."""
    counter.setup.set_setting("status_url_template", status_url_template(PUBLIC_URL))


def _accept(counter: Services) -> str:
    code = counter.intake.accept(FORM).code
    assert code is not None
    return code


def _qr_codes(path: Path, page: int = 1) -> list[str]:
    return [s.split(":", 1)[1] for s in decode_symbols(path, page=page) if s.startswith("QR-Code:")]


def _asked_for_more(counter: Services, code: str) -> None:
    """The deciding agency asks for a missing paper during processing: the dossier waits for the citizen."""
    counter.dossiers.transfer(code)
    counter.dossiers.request_supplement(code, ASKED)


def test_the_receipt_says_what_its_status_link_is_for_on_both_copies(counter: Services) -> None:
    _with_page(counter)
    code = _accept(counter)

    path = counter.documents.render(code, "receipt").path

    assert page_count(path) == 2  # the line does not push a copy onto a second page
    for page in (1, 2):
        assert QR_CAPTION in pdf_text(path, page=page), page
        (link,) = _qr_codes(path, page)
        assert link.startswith(f"{PUBLIC_URL}/s/{code}?k=")


def test_a_receipt_whose_qr_is_the_bare_code_says_nothing_about_following_the_dossier(counter: Services) -> None:
    code = _accept(counter)  # no sync yet: the counter does not know the city's page

    path = counter.documents.render(code, "receipt").path

    assert _qr_codes(path) == [code]
    assert "Quét mã QR" not in pdf_text(path)


def test_the_supplement_request_of_a_dossier_carries_its_status_link(counter: Services) -> None:
    _with_page(counter)
    code = _accept(counter)
    receipt = counter.documents.render(code, "receipt").path
    _asked_for_more(counter, code)

    path = counter.documents.render(code, "supplement").path

    text = pdf_text(path)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text
    assert f"Mã hồ sơ: {code}" in text and ASKED in text
    assert QR_CAPTION in text
    assert _qr_codes(path) == _qr_codes(receipt)  # the same link, with the dossier's own key
    assert f"CODE-128:{code}" in decode_symbols(path, page=1)


def test_a_supplement_request_without_the_citys_page_has_no_qr(counter: Services) -> None:
    code = _accept(counter)
    _asked_for_more(counter, code)

    path = counter.documents.render(code, "supplement").path

    assert _qr_codes(path) == []
    assert f"Mã hồ sơ: {code}" in pdf_text(path) and "Quét mã QR" not in pdf_text(path)


def test_a_supplement_slip_made_at_the_counter_has_no_qr(counter: Services) -> None:
    _with_page(counter)
    slip = counter.intake.request_supplement(dataclasses.replace(FORM, missing=(ASKED,))).slip
    assert slip is not None

    path = counter.documents.render(slip, "supplement").path

    assert _qr_codes(path) == []
    text = pdf_text(path)
    assert "PHIẾU YÊU CẦU BỔ SUNG, HOÀN THIỆN HỒ SƠ" in text and "Quét mã QR" not in text
