"""The number a printed document gets carries its kind's one symbol (domain.document_kinds), on paper too."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from printing.pdf_readback import pdf_text
from security.security_support import StepClock, open_counter, person_form

from counter_app.domain.document_kinds import SYMBOLS, DocumentKind

if shutil.which("pdftotext") is None:
    pytest.skip("pdftotext (poppler-utils) is needed", allow_module_level=True)


def test_the_fee_receipt_and_the_stop_notice_are_numbered_with_their_symbols(tmp_path: Path) -> None:
    services = open_counter(tmp_path / "c.db", StepClock())
    try:
        paid = services.intake.accept(person_form("DEMO.HKD", fee_paid=True)).code
        assert paid is not None
        fee = services.documents.render(paid, DocumentKind.FEE_RECEIPT)
        assert fee.number.endswith(f"/{SYMBOLS[DocumentKind.FEE_RECEIPT]}")
        assert fee.number.endswith("/BLP")
        assert f"Số: {fee.number}" in pdf_text(fee.path)
        services.dossiers.withdraw(paid, "Công dân xin rút hồ sơ")
        stop = services.documents.render(paid, "withdrawal")  # the stored text names the same kind
        assert stop.number.endswith("/TBD")
        assert f"Số: {stop.number}" in pdf_text(stop.path)
        with services.context.uow() as uow:
            state = uow.dossiers.by_code(paid)
            assert state is not None
            stored = uow.documents.latest(state.uuid, "fee")  # the kind is stored as it always was
        assert stored is not None and stored.number == fee.number
    finally:
        services.close()
