"""The print buttons hand the dossier to services.documents.render and report the PDF it made."""

from __future__ import annotations

from typing import Any

import pytest
from ui.ui_support import MARRIAGE, person_form

from counter_app.bootstrap import Services
from counter_app.ui.dossier.dossier_screen import DossierScreen
from counter_app.ui.intake.intake_screen import IntakeScreen
from counter_app.ui.qt.task_runner import TaskRunner


def test_print_receipt_from_the_dossier_screen(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    if not hasattr(services, "documents"):
        pytest.skip("no document service in this build")
    result = services.intake.accept(person_form(MARRIAGE))
    screen = DossierScreen(services, runner, result.uuid)
    qtbot.addWidget(screen)
    qtbot.waitUntil(lambda: screen.bundle() is not None)
    assert screen.print_buttons["receipt"].isEnabled()
    with qtbot.waitSignal(screen.sig_document_ready, timeout=20_000) as ready:
        screen.print_buttons["receipt"].click()
    document = ready.args[0]
    assert document.path.read_bytes().startswith(b"%PDF")
    qtbot.waitUntil(lambda: screen.timeline_labels()[-1] == "Lập giấy tờ", timeout=5000)


def test_print_supplement_slip_from_the_confirmation(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    if not hasattr(services, "documents"):
        pytest.skip("no document service in this build")
    screen = IntakeScreen(services, runner)
    qtbot.addWidget(screen)
    screen.picker.select(services.catalogue.get_procedure(MARRIAGE))
    form = person_form(MARRIAGE)
    screen.lines["identifier"].setText(form.identifier)
    screen.lines["name"].setText(form.name)
    screen.papers.set_present(1, True)  # the certificate (conditional) handed in; the declaration is missing
    with qtbot.waitSignal(screen.sig_outcome, timeout=5000):
        screen.request_supplement()
    [button] = screen.confirmation.print_buttons
    assert button.text() == "In phiếu yêu cầu bổ sung"
    with qtbot.waitSignal(screen.sig_document_ready, timeout=20_000) as ready:
        button.click()
    assert ready.args[0].path.read_bytes().startswith(b"%PDF")
    assert screen.confirmation.print_state.text().startswith("Đã tạo ")
