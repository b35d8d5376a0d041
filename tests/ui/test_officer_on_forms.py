"""Who a printed form names: the signed-in person's full name, each person their own; a reprint keeps the officer
who received; without accounts the settings' clerk name, taken at once when it changes."""

from __future__ import annotations

import shutil
from typing import Any

import pytest
from printing.pdf_readback import pdf_text
from PySide6.QtCore import Qt
from ui.ui_support import MARRIAGE, person_form

from counter_app.bootstrap import Services
from counter_app.domain.reprint import ReprintReason
from counter_app.ui.dossier.dossier_dialogs import ReprintDialog
from counter_app.ui.dossier.dossier_screen import DossierScreen
from counter_app.ui.qt.task_runner import TaskRunner

if shutil.which("pdftotext") is None:
    pytest.skip("pdftotext (poppler-utils) is needed", allow_module_level=True)

WITH_FEE = "DEMO.HKD"
MAI = ("mai.tran", "Mai-Tran-2026!", "Trần Thị Mai")
HUNG = ("hung.le", "Hung-Le-2026!", "Lê Văn Hùng")


def _print(qtbot: Any, services: Services, runner: TaskRunner, code: str, kind: str) -> str:
    """Open the dossier, click the form's print button (answering a reprint's reason), the PDF's text."""
    screen = DossierScreen(services, runner, code)
    qtbot.addWidget(screen)
    screen.resize(1280, 700)
    screen.show()
    qtbot.waitUntil(lambda: screen.bundle() is not None)
    with qtbot.waitSignal(screen.sig_document_ready, timeout=20_000) as ready:
        qtbot.mouseClick(screen.print_buttons[kind], Qt.MouseButton.LeftButton)
        if isinstance(screen.dialog, ReprintDialog):
            screen.dialog.choose(ReprintReason.LOST)
            qtbot.mouseClick(screen.dialog.ok_button, Qt.MouseButton.LeftButton)
    return pdf_text(ready.args[0].path)


def _sign_in(services: Services, person: tuple[str, str, str]) -> None:
    services.accounts.sign_out()
    services.accounts.sign_in(person[0], person[1])


def test_each_person_signed_in_prints_their_own_name(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    services.accounts.add_user(MAI[0], "admin", MAI[1], full_name=MAI[2])
    services.accounts.sign_in(MAI[0], MAI[1])
    services.accounts.add_user(HUNG[0], "supervisor", HUNG[1], full_name=HUNG[2])

    mai_code = services.intake.accept(person_form(MARRIAGE)).code
    assert mai_code is not None
    mai_receipt = _print(qtbot, services, runner, mai_code, "receipt")
    assert MAI[2] in mai_receipt and HUNG[2] not in mai_receipt

    _sign_in(services, HUNG)
    hung_code = services.intake.accept(person_form(WITH_FEE, fee_paid=True)).code
    assert hung_code is not None
    hung_receipt = _print(qtbot, services, runner, hung_code, "receipt")
    assert HUNG[2] in hung_receipt and MAI[2] not in hung_receipt
    fee = _print(qtbot, services, runner, hung_code, "fee")
    assert HUNG[2] in fee and MAI[2] not in fee
    # Hùng reprints Mai's receipt: the receipt certifies who received the dossier, and that was Mai
    reprint = _print(qtbot, services, runner, mai_code, "receipt")
    assert "BẢN IN LẠI lần 1" in reprint and MAI[2] in reprint and HUNG[2] not in reprint

    # the events carry each acting account, whose full name the accounts give
    names = {u.name: u.full_name for u in services.accounts.list_users()}
    accepted = {
        code: [names[e.clerk] for e in services.dossiers.timeline(code) if e.kind == "dossier.accepted"]
        for code in (mai_code, hung_code)
    }
    assert accepted == {mai_code: [MAI[2]], hung_code: [HUNG[2]]}
    reprinted = [e for e in services.dossiers.timeline(mai_code) if e.kind == "document.printed"][-1]
    assert names[reprinted.clerk] == HUNG[2]


def test_without_accounts_a_new_clerk_name_is_used_at_once(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    services.settings.save({"clerk_name": "Nguyễn Văn An"}, "")
    first = services.intake.accept(person_form(MARRIAGE)).code
    assert first is not None
    services.settings.save({"clerk_name": "Phạm Thị Bình"}, "")  # the next clerk of the day, no restart
    second = services.intake.accept(person_form(MARRIAGE)).code
    assert second is not None
    assert [e.clerk for e in services.dossiers.timeline(second)] == ["Phạm Thị Bình"]
    assert [e.clerk for e in services.dossiers.timeline(first)] == ["Nguyễn Văn An"]
    text = _print(qtbot, services, runner, second, "receipt")
    assert "Phạm Thị Bình" in text and "Nguyễn Văn An" not in text
