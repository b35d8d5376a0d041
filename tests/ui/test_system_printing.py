"""Printing through the system: a real CUPS queue (cups-pdf) takes the receipt; a missing printer costs a retry."""

from __future__ import annotations

from typing import Any

from printing.pdf_readback import decode_symbols, page_count
from ui.ui_support import person_form

from counter_app.bootstrap import Services
from counter_app.ui.documents.document_printing import DocumentPrinter, PrintFailed
from counter_app.ui.qt.task_runner import TaskRunner


def _accepted_receipt(services: Services) -> tuple[str, Any]:
    result = services.intake.accept(person_form())
    assert result.code is not None
    return result.code, services.documents.render(result.code, "receipt")


def test_receipt_prints_on_a_real_cups_queue(qtbot: Any, services: Services, runner: TaskRunner, cups_env: Any) -> None:
    code, document = _accepted_receipt(services)
    before = cups_env.outputs()
    printer = DocumentPrinter(services, runner)
    with qtbot.waitSignal(printer.sig_printed, timeout=60_000) as blocker:
        printer.print_document(document, cups_env.name)
    job = blocker.args[0]
    assert job.pages == 2  # Liên 1 and Liên 2

    cups_env.wait_until_idle(60)
    new = sorted(cups_env.outputs() - before)
    assert len(new) == 1, f"the queue produced {len(new)} files"
    output = new[0]
    assert page_count(output) == 2
    # the virtual printer re-distils the page: the barcode must still scan to the dossier code
    symbols = decode_symbols(output, page=1)
    assert f"CODE-128:{code}" in symbols

    # the printer is remembered for receipts, and the print is in the dossier's history
    assert services.context.settings().printer_receipt == cups_env.name
    events = [e for e in services.dossiers.timeline(code) if e.kind == "document.sent_to_printer"]
    assert len(events) == 1 and cups_env.name in events[0].details


def test_missing_printer_keeps_the_pdf_and_records_nothing(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    code, document = _accepted_receipt(services)
    printer = DocumentPrinter(services, runner)
    with qtbot.waitSignal(printer.sig_failed, timeout=30_000) as blocker:
        printer.print_document(document, "MAY-IN-KHONG-CO")
    error = blocker.args[0]
    assert isinstance(error, PrintFailed)
    assert "MAY-IN-KHONG-CO" in error.message and "In lại" in error.message
    assert document.path.exists()
    assert not [e for e in services.dossiers.timeline(code) if e.kind == "document.sent_to_printer"]
