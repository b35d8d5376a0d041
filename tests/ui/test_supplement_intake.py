"""A citizen comes back with the missing paper: the Mẫu 02 slip, scanned or opened, pre-fills the intake; the
dossier is taken in under its own code with its Mẫu 01, and the slip is completed once only."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from printing.pdf_readback import decode_symbols
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QPushButton
from ui.ui_support import BIRTH_REGISTRATION, PERSON_ID, PERSON_NAME, FakeClock, person_form, scan, settle, type_text

from counter_app.bootstrap import Services
from counter_app.domain.dossier import SLIP_COMPLETED_STAGE, SLIP_STAGE, PaperEntry
from counter_app.domain.event_kinds import EventKind
from counter_app.errors import RuleError
from counter_app.ui.code_scanners.wedge import ScannerFilter
from counter_app.ui.intake.intake_screen import IntakeScreen
from counter_app.ui.intake.papers_table import ASKED, EARLIER
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow

if shutil.which("zbarimg") is None or shutil.which("pdftoppm") is None:
    pytest.skip("zbarimg and pdftoppm are needed to read the printed barcodes", allow_module_level=True)

ADMIN, CLERK = ("quantri", "Quan-tri-2026!"), ("canbo", "Can-bo-2026!")
FORM_PAPER = "Tờ khai đăng ký khai sinh"
BIRTH_PAPER = "Giấy chứng sinh hoặc giấy tờ thay thế"


def _as_clerk(services: Services) -> None:
    services.accounts.add_user(ADMIN[0], "admin", ADMIN[1])
    services.accounts.sign_in(*ADMIN)
    services.accounts.add_user(CLERK[0], "clerk", CLERK[1], full_name="Trần Thị Mai")
    services.accounts.sign_out()
    services.accounts.sign_in(*CLERK)


def _printed_slip(services: Services, tmp_path: Path) -> tuple[str, str]:
    """A Mẫu 02 slip written at the first visit (the form handed in, the birth certificate missing), printed:
    its number and what its Code 128 barcode reads."""
    form = person_form(BIRTH_REGISTRATION, papers=(PaperEntry(FORM_PAPER, 1, 0),), missing=(BIRTH_PAPER,))
    slip = services.intake.request_supplement(form).slip
    assert slip is not None
    document = services.documents.render(slip, "supplement")
    out = tmp_path / "mau02.pdf"
    shutil.copyfile(document.path, out)
    symbols = [line.split(":", 1)[1] for line in decode_symbols(out, page=1) if line.startswith("CODE-128:")]
    assert len(symbols) == 1, symbols
    return slip, symbols[0]


def _row(intake: IntakeScreen, name: str) -> int:
    rows = [r for r in range(intake.papers.rowCount()) if intake.papers.entries()[r][0].name == name]
    assert len(rows) == 1, name
    return rows[0]


def _scanned_into_intake(
    qtbot: Any, window: MainWindow, scanner: ScannerFilter, clock: FakeClock, text: str
) -> IntakeScreen:
    scanner.sig_scanned.connect(window.handle_scan)
    window.search_edit.setFocus()
    scan(window.search_edit, text, clock)
    qtbot.waitUntil(lambda: window.intake is not None and window.intake.slip_intake.slip != "", timeout=10_000)
    intake = window.intake
    assert intake is not None
    qtbot.waitUntil(lambda: intake.papers.rowCount() == 3, timeout=10_000)
    return intake


def test_a_scanned_supplement_slip_opens_the_intake_prefilled_and_the_dossier_is_taken_in_once(
    qtbot: Any,
    window: MainWindow,
    services: Services,
    runner: TaskRunner,
    scanner: ScannerFilter,
    scanner_clock: FakeClock,
    tmp_path: Path,
) -> None:
    _as_clerk(services)
    slip, symbol = _printed_slip(services, tmp_path)
    assert symbol == slip  # what the look-up accepts, read off the paper

    intake = _scanned_into_intake(qtbot, window, scanner, scanner_clock, symbol)
    assert window.workspace.currentWidget() is intake
    assert slip in intake.slip_intake.label.text() and intake.slip_intake.isVisible()
    # the applicant and the procedure as on the slip: nothing retyped
    assert intake.lines["identifier"].text() == PERSON_ID
    assert intake.lines["name"].text() == PERSON_NAME
    assert intake.lines["birth_date"].text() == "05/09/1990"
    assert intake.lines["phone"].text() == "0903123456"
    proc = intake.picker.procedure()
    assert proc is not None and proc.code == BIRTH_REGISTRATION
    # the paper handed in at the first visit ticked and shown as such; the one asked for waits for its tick
    form_row, birth_row = _row(intake, FORM_PAPER), _row(intake, BIRTH_PAPER)
    assert intake.papers.is_present(form_row) and intake.papers.note(form_row) == EARLIER
    assert not intake.papers.is_present(birth_row) and intake.papers.note(birth_row) == ASKED
    assert not intake.supplement_button.isEnabled()  # a supplement is asked for once only

    # the clerk ticks what the citizen brought (Space on its row) and takes the dossier in
    intake.papers.setFocus()
    intake.papers.setCurrentCell(birth_row, 0)
    QTest.keyClick(intake.papers, Qt.Key.Key_Space)
    assert intake.papers.is_present(birth_row)
    with qtbot.waitSignal(intake.sig_outcome, timeout=10_000) as outcome:
        qtbot.mouseClick(intake.accept_button, Qt.MouseButton.LeftButton)
    result = outcome.args[0]
    assert result.outcome == "complete" and result.slip == slip and result.code
    assert intake.showing_confirmation() and result.code in intake.confirmation.code_label.text()
    assert slip in intake.confirmation.title.text()

    # Mẫu 01 printed with the new code
    receipt = next(b for b in intake.confirmation.print_buttons if b.objectName() == "print_receipt")
    with qtbot.waitSignal(intake.sig_document_ready, timeout=20_000) as printed:
        qtbot.mouseClick(receipt, Qt.MouseButton.LeftButton)
    receipt_pdf = tmp_path / "mau01.pdf"
    shutil.copyfile(printed.args[0].path, receipt_pdf)
    assert result.code in [line.split(":", 1)[1] for line in decode_symbols(receipt_pdf, page=1)]
    settle(qtbot, runner)

    # checked through the services: the dossier holds the slip's applicant and every paper, under the clerk
    dossier = services.dossiers.get_state(result.code)
    assert (dossier.kind, dossier.code, dossier.procedure_code) == ("dossier", result.code, BIRTH_REGISTRATION)
    assert (dossier.applicant_name, dossier.applicant_identifier) == (PERSON_NAME, PERSON_ID)
    assert {p.name for p in dossier.papers if not p.missing} == {FORM_PAPER, BIRTH_PAPER}
    assert not any(p.missing for p in dossier.papers)
    assert dossier.due_at is not None
    opening = services.dossiers.timeline(result.code)[0]
    assert opening.kind == EventKind.DOSSIER_ACCEPTED and slip in opening.details and opening.clerk == CLERK[0]
    # the slip is completed, and says by which dossier
    assert services.dossiers.get_dossier(slip).stage == SLIP_COMPLETED_STAGE
    completed = [e for e in services.dossiers.timeline(slip) if e.kind == EventKind.SLIP_COMPLETED]
    assert len(completed) == 1 and result.code in completed[0].details
    # a second completion is refused, in Vietnamese, and takes nothing in
    with pytest.raises(RuleError, match="đã được tiếp nhận bổ sung") as refused:
        services.intake.accept_supplement(slip, person_form(BIRTH_REGISTRATION))
    assert result.code in refused.value.message
    with pytest.raises(RuleError, match="đã được tiếp nhận bổ sung"):
        services.intake.get_supplement_intake(slip)
    assert sorted(str(d.code or d.slip) for d in services.dossiers.find(PERSON_ID)) == sorted([result.code, slip])


def test_a_completed_slip_scanned_again_opens_its_screen_not_a_second_intake(
    qtbot: Any,
    window: MainWindow,
    services: Services,
    runner: TaskRunner,
    scanner: ScannerFilter,
    scanner_clock: FakeClock,
    tmp_path: Path,
) -> None:
    _as_clerk(services)
    slip, symbol = _printed_slip(services, tmp_path)
    view = services.intake.get_supplement_intake(slip)
    papers = tuple(PaperEntry(p.name, p.originals, p.copies) for p in view.papers if not p.name.endswith("thay)"))
    code = services.intake.accept_supplement(slip, person_form(BIRTH_REGISTRATION, papers=papers)).code
    scanner.sig_scanned.connect(window.handle_scan)
    window.search_edit.setFocus()
    with qtbot.waitSignal(window.sig_dossier_opened, timeout=10_000) as opened:
        scan(window.search_edit, symbol, scanner_clock)
    screen = opened.args[0]
    qtbot.waitUntil(lambda: screen.bundle() is not None, timeout=10_000)
    assert screen.bundle().state.slip == slip
    assert window.intake is None or window.intake.slip_intake.slip == ""
    assert f"hồ sơ {code}" in window.message_line.currentMessage()
    button = screen.findChild(QPushButton, "completeSlip")
    assert button is not None and button.isHidden()
    settle(qtbot, runner)


def test_tiep_nhan_bo_sung_on_the_slip_screen_opens_the_intake_prefilled(
    qtbot: Any, window: MainWindow, services: Services, runner: TaskRunner, tmp_path: Path
) -> None:
    _as_clerk(services)
    slip, _symbol = _printed_slip(services, tmp_path)
    # searched like a clerk: the slip's number in the search box, Enter, Enter on the first result
    window.search_edit.setFocus()
    type_text(window.search_edit, slip)
    QTest.keyClick(window.search_edit, Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: window.table.hasFocus() and window.model.rowCount() == 1, timeout=10_000)
    with qtbot.waitSignal(window.sig_dossier_opened, timeout=10_000) as opened:
        QTest.keyClick(window.table, Qt.Key.Key_Return)
    screen = opened.args[0]
    qtbot.waitUntil(lambda: screen.bundle() is not None, timeout=10_000)
    assert screen.bundle().state.stage == SLIP_STAGE
    button = screen.findChild(QPushButton, "completeSlip")
    assert button is not None and button.isVisible() and button.isEnabled()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: window.intake is not None and window.intake.slip_intake.slip == slip, timeout=10_000)
    intake = window.intake
    assert intake is not None
    qtbot.waitUntil(lambda: intake.papers.rowCount() == 3, timeout=10_000)
    assert window.workspace.currentWidget() is intake
    assert intake.lines["name"].text() == PERSON_NAME
    assert intake.papers.note(_row(intake, FORM_PAPER)) == EARLIER
    # "Nhập lại" leaves the completion: the next outcome is an ordinary intake
    qtbot.mouseClick(intake.clear_button, Qt.MouseButton.LeftButton)
    assert intake.slip_intake.slip == "" and intake.slip_intake.isHidden()
    assert intake.supplement_button.isEnabled()
    # back on the slip's screen, the action again; this time the clerk takes the dossier in
    window.workspace.setCurrentWidget(screen)
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: intake.slip_intake.slip == slip and intake.papers.rowCount() == 3, timeout=10_000)
    birth_row = _row(intake, BIRTH_PAPER)
    intake.papers.setFocus()
    intake.papers.setCurrentCell(birth_row, 0)
    QTest.keyClick(intake.papers, Qt.Key.Key_Space)
    with qtbot.waitSignal(screen.sig_loaded, timeout=10_000):  # the slip's open screen follows the change
        qtbot.mouseClick(intake.accept_button, Qt.MouseButton.LeftButton)
    assert button.isHidden() and "Đã tiếp nhận bổ sung" in screen.stage_label.text()
    assert "Tiếp nhận bổ sung: đã lập hồ sơ" in screen.timeline_labels()
    settle(qtbot, runner)
    assert services.dossiers.get_dossier(slip).stage == SLIP_COMPLETED_STAGE


def test_a_completion_left_half_done_comes_back_from_the_draft_and_still_completes_the_slip(
    qtbot: Any,
    window: MainWindow,
    services: Services,
    runner: TaskRunner,
    scanner: ScannerFilter,
    scanner_clock: FakeClock,
    tmp_path: Path,
) -> None:
    _as_clerk(services)
    slip, symbol = _printed_slip(services, tmp_path)
    intake = _scanned_into_intake(qtbot, window, scanner, scanner_clock, symbol)
    # the pre-filled form is kept as a draft, with the slip it completes
    qtbot.waitUntil(lambda: (services.drafts.load_draft("intake") or {}).get("slip") == slip, timeout=10_000)
    window.close_intake()  # the tab closed by mistake
    settle(qtbot, runner)
    window.intake_action.trigger()  # F2
    reopened = window.intake
    assert reopened is not None and reopened is not intake
    qtbot.waitUntil(lambda: reopened.papers.rowCount() == 3, timeout=10_000)
    assert reopened.slip_intake.slip == slip and not reopened.slip_intake.isHidden()
    assert not reopened.supplement_button.isEnabled()
    birth_row = _row(reopened, BIRTH_PAPER)
    assert reopened.papers.note(birth_row) == ASKED and reopened.papers.note(_row(reopened, FORM_PAPER)) == EARLIER
    reopened.papers.setFocus()
    reopened.papers.setCurrentCell(birth_row, 0)
    QTest.keyClick(reopened.papers, Qt.Key.Key_Space)
    with qtbot.waitSignal(reopened.sig_outcome, timeout=10_000) as outcome:
        QTest.keyClick(reopened.papers, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)  # Ctrl+Enter
    assert outcome.args[0].outcome == "complete"
    settle(qtbot, runner)
    assert services.dossiers.get_dossier(slip).stage == SLIP_COMPLETED_STAGE
    assert services.dossiers.get_state(outcome.args[0].code).applicant_identifier == PERSON_ID


def test_a_slip_scanned_while_another_form_is_being_filled_does_not_overwrite_it(
    qtbot: Any,
    window: MainWindow,
    services: Services,
    runner: TaskRunner,
    scanner: ScannerFilter,
    scanner_clock: FakeClock,
    tmp_path: Path,
) -> None:
    _as_clerk(services)
    slip, symbol = _printed_slip(services, tmp_path)
    scanner.sig_scanned.connect(window.handle_scan)
    window.intake_action.trigger()  # F2: another applicant's intake under way
    intake = window.intake
    assert intake is not None
    intake.lines["name"].setFocus()
    type_text(intake.lines["name"], "Lê Văn Cường")
    scan(intake.lines["name"], symbol, scanner_clock)
    qtbot.waitUntil(lambda: slip in window.message_line.currentMessage(), timeout=10_000)
    settle(qtbot, runner)
    assert intake.lines["name"].text() == "Lê Văn Cường" and intake.slip_intake.slip == ""
    assert "Nhập lại" in window.message_line.currentMessage()
    # once the form is cleared, the same scan opens the completion
    qtbot.mouseClick(intake.clear_button, Qt.MouseButton.LeftButton)
    scan(intake.lines["name"], symbol, scanner_clock)
    qtbot.waitUntil(lambda: intake.slip_intake.slip == slip, timeout=10_000)
    assert intake.lines["name"].text() == PERSON_NAME
    settle(qtbot, runner)
