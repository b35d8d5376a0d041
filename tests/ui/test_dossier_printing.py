"""The dossier screen's prints: a reprint asks its reason; the fee receipt only when paid; Mẫu 05 once stopped."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from printing.pdf_readback import pdf_text
from PySide6.QtCore import Qt
from ui.ui_support import MARRIAGE, person_form

from counter_app.bootstrap import Services
from counter_app.domain.reprint import ReprintReason
from counter_app.ui.documents.reprint_dialog import ReprintDialog
from counter_app.ui.dossier.dossier_screen import DossierScreen
from counter_app.ui.qt.task_runner import TaskRunner

if shutil.which("pdftotext") is None:
    pytest.skip("pdftotext (poppler-utils) is needed", allow_module_level=True)

WITH_FEE = "DEMO.HKD"


def open_screen(qtbot: Any, services: Services, runner: TaskRunner, key: str) -> DossierScreen:
    screen = DossierScreen(services, runner, key)
    qtbot.addWidget(screen)
    screen.resize(1280, 700)
    screen.show()
    qtbot.waitUntil(lambda: screen.bundle() is not None)
    return screen


def test_a_reprint_asks_its_reason(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    code = services.intake.accept(person_form(MARRIAGE)).code
    assert code is not None
    services.documents.render(code, "control")
    screen = open_screen(qtbot, services, runner, code)
    qtbot.mouseClick(screen.print_buttons["control"], Qt.MouseButton.LeftButton)
    dialog = screen.dialog
    assert isinstance(dialog, ReprintDialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.message("reason") == "Cần chọn lý do in lại."
    dialog.choose(ReprintReason.DAMAGED)
    with qtbot.waitSignal(screen.sig_document_ready, timeout=20_000) as ready:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    document = ready.args[0]
    assert (document.reprint, document.reprint_number) == (True, 1)
    assert "BẢN IN LẠI lần 1" in pdf_text(document.path)
    qtbot.waitUntil(lambda: "lý do: hỏng" in services.dossiers.timeline(code)[-1].details, timeout=5000)


def test_the_fee_receipt_is_refused_while_unpaid(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    code = services.intake.accept(person_form(WITH_FEE)).code
    assert code is not None
    screen = open_screen(qtbot, services, runner, code)
    fee = screen.print_buttons["fee"]
    assert fee.isVisible() and not screen.print_buttons["withdrawal"].isVisible()
    qtbot.mouseClick(fee, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(screen.print_message.isVisible, timeout=5000)
    assert "chưa ghi nhận đã nộp phí, lệ phí" in screen.print_message.text()
    assert [e for e in services.dossiers.timeline(code) if e.kind == "document.printed"] == []


def test_the_fee_receipt_prints_when_paid(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    code = services.intake.accept(person_form(WITH_FEE, fee_paid=True)).code
    assert code is not None
    screen = open_screen(qtbot, services, runner, code)
    with qtbot.waitSignal(screen.sig_document_ready, timeout=20_000) as ready:
        qtbot.mouseClick(screen.print_buttons["fee"], Qt.MouseButton.LeftButton)
    text = pdf_text(ready.args[0].path)
    assert "BIÊN NHẬN THU PHÍ, LỆ PHÍ" in text and code in text
    assert not screen.print_message.isVisible()


def test_the_stop_notice_for_a_withdrawn_dossier(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    code = services.intake.accept(person_form(MARRIAGE)).code
    assert code is not None
    services.dossiers.withdraw(code, "Công dân đổi ý, không làm thủ tục nữa")
    screen = open_screen(qtbot, services, runner, code)
    assert not screen.print_buttons["fee"].isVisible()  # this procedure has no fee
    button = screen.print_buttons["withdrawal"]
    assert button.isVisible() and button.isEnabled()
    with qtbot.waitSignal(screen.sig_document_ready, timeout=20_000) as ready:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    text = pdf_text(ready.args[0].path)
    assert "Mẫu 05" in text and "THÔNG BÁO DỪNG GIẢI QUYẾT HỒ SƠ" in text
    assert "Công dân đổi ý, không làm thủ tục nữa" in text
