"""Reprints (domain.md §10): a reason asked and recorded, "BẢN IN LẠI lần N" on paper, supervisors and up only."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from printing.pdf_readback import pdf_text
from security.security_support import StepClock, open_counter, person_form, sign_in

from counter_app.bootstrap import Services
from counter_app.domain.reprint import ReprintReason
from counter_app.errors import PermissionDenied, RuleError, ValidationError

if shutil.which("pdftotext") is None:
    pytest.skip("pdftotext (poppler-utils) is needed", allow_module_level=True)

WITH_FEE = "DEMO.HKD"  # a demo procedure with a fee


def accepted(services: Services, procedure: str = "DEMO.KH", **changes: object) -> str:
    result = services.intake.accept(person_form(procedure, **changes))
    assert result.code is not None
    return result.code


def printed_events(services: Services, code: str) -> list[dict[str, object]]:
    with services.context.uow() as uow:
        state = uow.dossiers.by_code(code)
        assert state is not None
        rows = uow.events.for_dossier(state.uuid)
        return [json.loads(e.payload) for e in rows if e.kind == "document.printed"]


def test_reprints_are_counted_stamped_and_their_reason_recorded(tmp_path: Path) -> None:
    services = open_counter(tmp_path / "c.db", StepClock())
    try:  # without accounts: allowed to anyone, but never without a reason
        code = accepted(services)
        first = services.documents.render(code, "control")
        assert (first.reprint, first.reprint_number) == (False, 0)
        assert "BẢN IN LẠI" not in pdf_text(first.path)
        with pytest.raises(ValidationError, match="lý do") as missing:
            services.documents.render(code, "control")
        assert missing.value.field == "reason"
        with pytest.raises(ValidationError, match="khác") as bare_other:
            services.documents.render(code, "control", reason=ReprintReason.OTHER)
        assert bare_other.value.field == "reason_note"
        assert len(printed_events(services, code)) == 1  # the refused attempts recorded nothing
        second = services.documents.render(code, "control", reason=ReprintReason.LOST)
        third = services.documents.render(code, "control", reason="other", reason_note="Công dân cần thêm một bản")
        assert (second.reprint_number, third.reprint_number) == (1, 2)
        assert second.number == third.number == first.number  # one document, printed three times
        assert "BẢN IN LẠI lần 1" in pdf_text(second.path)
        assert "BẢN IN LẠI lần 2" in pdf_text(third.path)
        events = printed_events(services, code)
        assert [(e["reprint"], e.get("reprint_number"), e.get("reprint_reason_text")) for e in events] == [
            (False, None, None),
            (True, 1, "mất"),
            (True, 2, "khác: Công dân cần thêm một bản"),
        ]
        details = [e.details for e in services.dossiers.timeline(code) if e.kind == "document.printed"]
        assert details[-1].endswith("(bản in lại lần 2; lý do: khác: Công dân cần thêm một bản)")
    finally:
        services.close()


def test_a_clerks_reprint_is_refused_a_supervisors_recorded(counter: Services) -> None:
    sign_in(counter, "canbo")
    code = accepted(counter)
    counter.documents.render(code, "receipt")
    with pytest.raises(PermissionDenied, match="in lại giấy tờ đã in"):
        counter.documents.render(code, "receipt", reason=ReprintReason.DAMAGED)
    counter.accounts.sign_out()
    sign_in(counter, "lanhdao")
    again = counter.documents.render(code, "receipt", reason=ReprintReason.REQUESTED)
    assert (again.reprint, again.reprint_number) == (True, 1)
    assert printed_events(counter, code)[-1]["reprint_reason_text"] == "theo đề nghị của người nộp"
    text = pdf_text(again.path)
    assert text.count("BẢN IN LẠI lần 1") == 2  # both copies of Mẫu 01 (one page each)


def test_a_fee_receipt_only_for_a_paid_fee(tmp_path: Path) -> None:
    services = open_counter(tmp_path / "c.db", StepClock())
    try:
        unpaid = accepted(services, WITH_FEE)
        with pytest.raises(RuleError, match="chưa ghi nhận đã nộp phí"):
            services.documents.render(unpaid, "fee")
        assert printed_events(services, unpaid) == []
        no_fee = accepted(services, "DEMO.KH")
        with pytest.raises(RuleError, match="không thu phí"):
            services.documents.render(no_fee, "fee")
        paid = accepted(services, WITH_FEE, fee_paid=True)
        text = pdf_text(services.documents.render(paid, "fee").path)
        assert "BIÊN NHẬN THU PHÍ, LỆ PHÍ" in text
        assert "BIÊN LAI" not in text
        assert paid in text
    finally:
        services.close()


def test_the_stop_notice_for_a_withdrawn_dossier_only(tmp_path: Path) -> None:
    services = open_counter(tmp_path / "c.db", StepClock())
    try:
        code = accepted(services)
        with pytest.raises(RuleError, match="Mẫu 05"):
            services.documents.render(code, "withdrawal")
        services.dossiers.withdraw(code, "Công dân xin rút hồ sơ để bổ sung giấy tờ")
        text = pdf_text(services.documents.render(code, "withdrawal").path)
        assert "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
        assert "Công dân xin rút hồ sơ để bổ sung giấy tờ" in text
    finally:
        services.close()
