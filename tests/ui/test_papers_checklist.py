"""The checklist of papers as a clerk uses it: nothing ticked at first, conditional papers marked, a missing
required paper refused in place, and the printed receipt (read back with pdftotext) listing only what was ticked."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from printing.pdf_readback import pdf_text
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QGroupBox, QTableWidget, QTableWidgetItem, QWidget
from ui.ui_support import PERSON_ID, PERSON_NAME, press_enter, type_text

from counter_app.bootstrap import Services
from counter_app.ui.intake.intake_screen import IntakeScreen
from counter_app.ui.qt.task_runner import TaskRunner

# Đăng ký khai sinh in the demo catalogue: two required papers, then one needed only when someone files for another
BIRTH_FORM = "Tờ khai đăng ký khai sinh"
BIRTH_CERTIFICATE = "Giấy chứng sinh hoặc giấy tờ thay thế"
AUTHORISATION = "Văn bản ủy quyền (nếu nộp thay)"


@pytest.fixture
def screen(qtbot: Any, services: Services, runner: TaskRunner) -> IntakeScreen:
    screen = IntakeScreen(services, runner)
    qtbot.addWidget(screen)
    screen.resize(1280, 720)
    screen.show()
    qtbot.waitExposed(screen)
    return screen


def column(table: QTableWidget, title: str) -> int:
    """The column the clerk reads under `title`."""
    titles = [header.text() for c in range(table.columnCount()) if (header := table.horizontalHeaderItem(c))]
    assert title in titles, titles
    return titles.index(title)


def item(table: QTableWidget, row: int, title: str) -> QTableWidgetItem:
    found = table.item(row, column(table, title))
    assert found is not None
    return found


def cell(table: QTableWidget, row: int, title: str) -> str:
    return item(table, row, title).text()


def choose_birth_registration(qtbot: Any, screen: IntakeScreen) -> None:
    type_text(screen.picker.edit, "khai sinh")
    qtbot.waitUntil(lambda: "Đăng ký khai sinh (1.001193)" in screen.picker.match_names())
    press_enter(screen.picker.edit)
    qtbot.waitUntil(lambda: screen.picker.procedure() is not None)
    assert [cell(screen.papers, r, "Giấy tờ") for r in range(screen.papers.rowCount())] == [
        BIRTH_FORM,
        BIRTH_CERTIFICATE,
        AUTHORISATION,
    ]


def code_of(screen: IntakeScreen) -> str:
    proc = screen.picker.procedure()
    return proc.code if proc is not None else ""


def fill_applicant(screen: IntakeScreen) -> None:
    type_text(screen.lines["identifier"], PERSON_ID)
    type_text(screen.lines["name"], PERSON_NAME)
    type_text(screen.lines["birth_date"], "05/09/1990")
    type_text(screen.lines["address"], "12 Đường Lê Lợi, Phường Bến Thành")


def tick(qtbot: Any, table: QTableWidget, row: int) -> None:
    """What a clerk does with the keyboard: click the paper's name, then Space."""
    rect = table.visualItemRect(item(table, row, "Giấy tờ"))
    qtbot.mouseClick(table.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
    QTest.keyClick(table, Qt.Key.Key_Space)


def ticked(screen: IntakeScreen) -> list[bool]:
    return [present for _paper, present in screen.papers.entries()]


def accept_and_print_receipt(qtbot: Any, screen: IntakeScreen, tmp_path: Path) -> str:
    """Ctrl+Enter, then the receipt's print button; the receipt's text as pdftotext reads it."""
    with qtbot.waitSignal(screen.sig_outcome, timeout=5000):
        QTest.keyClick(screen.lines["name"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    [button] = [b for b in screen.confirmation.print_buttons if b.objectName() == "print_receipt"]
    with qtbot.waitSignal(screen.sig_document_ready, timeout=20_000) as ready:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return pdf_text(Path(ready.args[0].path))


def test_nothing_is_ticked_and_each_paper_shows_what_is_required(qtbot: Any, screen: IntakeScreen) -> None:
    choose_birth_registration(qtbot, screen)
    table = screen.papers
    assert ticked(screen) == [False, False, False]
    # what the catalogue asks for each paper: one original of each, no copy
    assert [(cell(table, r, "Bản chính"), cell(table, r, "Bản sao")) for r in range(3)] == [("1", "0")] * 3
    assert [cell(table, r, "Yêu cầu") for r in range(3)] == ["Bắt buộc", "Bắt buộc", "Có điều kiện"]
    conditional_name = item(table, 2, "Giấy tờ")
    required_name = item(table, 0, "Giấy tờ")
    assert conditional_name.foreground().color() != required_name.foreground().color()  # greyed out
    assert "điều kiện" in conditional_name.toolTip()
    # the clerk ticks with Space on the paper's row, and Space again takes the tick back
    tick(qtbot, table, 1)
    assert ticked(screen) == [False, True, False]
    tick(qtbot, table, 1)
    assert ticked(screen) == [False, False, False]


def test_a_missing_required_paper_is_refused_at_the_checklist(
    qtbot: Any, screen: IntakeScreen, services: Services
) -> None:
    choose_birth_registration(qtbot, screen)
    fill_applicant(screen)
    tick(qtbot, screen.papers, 0)  # the citizen hands in the declaration only
    qtbot.mouseClick(screen.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.field_error("papers") != "")
    message = screen.field_error("papers")
    assert BIRTH_CERTIFICATE in message and BIRTH_FORM not in message
    assert AUTHORISATION not in message  # a conditional paper is never demanded
    label = screen.findChild(QWidget, "error_papers")
    assert label is not None and label.isVisible()
    checklist = screen.findChild(QGroupBox, "papersBox")
    assert checklist is not None and checklist.isAncestorOf(label)  # at the checklist, not in a box
    assert QApplication.activeModalWidget() is None
    # nothing recorded, nothing lost
    qtbot.waitUntil(lambda: screen._runner.pending == 0)
    assert services.dossiers.find(PERSON_ID) == []
    assert not screen.showing_confirmation()
    assert code_of(screen) == "1.001193"
    assert screen.lines["identifier"].text() == PERSON_ID and screen.lines["name"].text() == PERSON_NAME
    assert ticked(screen) == [True, False, False]
    # the citizen finds the birth certificate: ticked, the dossier is taken in without the authorisation
    tick(qtbot, screen.papers, 1)
    with qtbot.waitSignal(screen.sig_outcome, timeout=5000) as outcome:
        qtbot.mouseClick(screen.accept_button, Qt.MouseButton.LeftButton)
    state = services.dossiers.get_state(outcome.args[0].uuid)
    assert [p.name for p in state.papers] == [BIRTH_FORM, BIRTH_CERTIFICATE]


def test_the_receipt_lists_only_the_ticked_papers(
    qtbot: Any, screen: IntakeScreen, services: Services, tmp_path: Path
) -> None:
    if not hasattr(services, "documents"):
        pytest.skip("no document service in this build")
    choose_birth_registration(qtbot, screen)
    fill_applicant(screen)
    tick(qtbot, screen.papers, 0)
    tick(qtbot, screen.papers, 1)
    text = accept_and_print_receipt(qtbot, screen, tmp_path)
    assert "Thành phần hồ sơ nộp gồm" in text
    assert f"1. {BIRTH_FORM} (bản chính: 1, bản sao: 0)" in text
    assert f"2. {BIRTH_CERTIFICATE} (bản chính: 1, bản sao: 0)" in text
    assert "Văn bản ủy quyền" not in text  # not handed in: not certified as received


def test_a_ticked_conditional_paper_is_printed_as_received(
    qtbot: Any, screen: IntakeScreen, services: Services, tmp_path: Path
) -> None:
    if not hasattr(services, "documents"):
        pytest.skip("no document service in this build")
    choose_birth_registration(qtbot, screen)
    fill_applicant(screen)
    for row in (0, 1, 2):  # the father files for the mother and hands in her authorisation
        tick(qtbot, screen.papers, row)
    text = accept_and_print_receipt(qtbot, screen, tmp_path)
    assert f"3. {AUTHORISATION} (bản chính: 1, bản sao: 0)" in text


def test_a_supplement_asks_for_the_missing_required_papers_only(
    qtbot: Any, screen: IntakeScreen, services: Services
) -> None:
    choose_birth_registration(qtbot, screen)
    fill_applicant(screen)
    tick(qtbot, screen.papers, 0)
    with qtbot.waitSignal(screen.sig_outcome, timeout=5000) as outcome:
        qtbot.mouseClick(screen.supplement_button, Qt.MouseButton.LeftButton)
    slip = services.intake.get_slip(outcome.args[0].slip)
    assert [p.name for p in slip.papers if p.missing] == [BIRTH_CERTIFICATE]
    assert [p.name for p in slip.papers if not p.missing] == [BIRTH_FORM]  # the unticked authorisation: neither
