"""The intake screen driven as a clerk does: typing, ticking papers, the three outcomes, inline messages."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from ui.ui_support import PERSON_ID, PERSON_NAME, press_enter, type_text

from counter_app.bootstrap import Services
from counter_app.ui.intake.intake_screen import IntakeScreen
from counter_app.ui.qt.task_runner import TaskRunner


@pytest.fixture
def screen(qtbot: Any, services: Services, runner: TaskRunner) -> IntakeScreen:
    screen = IntakeScreen(services, runner)
    qtbot.addWidget(screen)
    screen.resize(1000, 800)
    screen.show()
    return screen


def choose_procedure(qtbot: Any, screen: IntakeScreen, typed: str, expected_name: str) -> None:
    type_text(screen.picker.edit, typed)
    qtbot.waitUntil(lambda: any(expected_name in n for n in screen.picker.match_names()))
    press_enter(screen.picker.edit)
    qtbot.waitUntil(lambda: screen.picker.procedure() is not None)
    assert screen.picker.procedure().name == expected_name


def hand_in(qtbot: Any, screen: IntakeScreen, *rows: int) -> None:
    """The clerk ticks each paper the applicant hands in: a click on its row, then Space."""
    for row in rows:
        rect = screen.papers.visualItemRect(screen.papers.item(row, 0))
        qtbot.mouseClick(screen.papers.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())
        QTest.keyClick(screen.papers, Qt.Key.Key_Space)
        assert screen.papers.is_present(row)


def fill_applicant(screen: IntakeScreen, identifier: str = PERSON_ID) -> None:
    type_text(screen.lines["identifier"], identifier)
    type_text(screen.lines["name"], PERSON_NAME)
    type_text(screen.lines["birth_date"], "05/09/1990")
    screen.sex.setCurrentText("Nữ")
    type_text(screen.lines["address"], "12 Đường Lê Lợi, Phường Bến Thành")
    type_text(screen.lines["phone"], "0903 123 456")


def test_accept_end_to_end(qtbot: Any, screen: IntakeScreen, services: Services) -> None:
    choose_procedure(qtbot, screen, "ket hon", "Đăng ký kết hôn")
    # Mon 02/03/2026 09:00 + 5 working days (the receipt day not counted) = Mon 09/03/2026, closing time
    qtbot.waitUntil(lambda: "09/03/2026" in screen.due_label.text())
    assert screen.due_label.text().startswith("17:00")
    assert screen.papers.rowCount() == 2  # the procedure's two papers, none ticked until handed in
    assert not any(present for _paper, present in screen.papers.entries())
    hand_in(qtbot, screen, 0)  # the declaration; the other paper is needed only in some cases
    fill_applicant(screen)
    with qtbot.waitSignal(screen.sig_outcome, timeout=5000) as outcome:
        qtbot.mouseClick(screen.accept_button, Qt.MouseButton.LeftButton)
    result = outcome.args[0]
    # first code of counter 1 on 02/03/2026 (domain.md §4)
    assert result.code == "000.00.99.H29-260302-1001"
    assert screen.showing_confirmation()
    assert "000.00.99.H29-260302-1001" in screen.confirmation.code_label.text()
    assert screen.confirmation.barcode.value() == "000.00.99.H29-260302-1001"
    assert "09/03/2026" in screen.confirmation.due.text()
    found = services.dossiers.find("nguyen thi au")
    assert [v.code for v in found] == ["000.00.99.H29-260302-1001"]
    assert found[0].applicant_identifier == PERSON_ID
    assert found[0].applicant_phone == "0903123456"
    assert found[0].status == 2  # Được tiếp nhận


def test_print_buttons_only_with_a_document_service(qtbot: Any, screen: IntakeScreen, services: Services) -> None:
    choose_procedure(qtbot, screen, "ket hon", "Đăng ký kết hôn")
    hand_in(qtbot, screen, 0)
    fill_applicant(screen)
    with qtbot.waitSignal(screen.sig_outcome, timeout=5000):
        qtbot.mouseClick(screen.accept_button, Qt.MouseButton.LeftButton)
    labels = [b.text() for b in screen.confirmation.print_buttons]
    if hasattr(services, "documents"):
        assert labels == ["In giấy tiếp nhận", "In phiếu kiểm soát"]
    else:
        assert labels == []


def test_supplement_lists_the_unticked_papers(qtbot: Any, screen: IntakeScreen, services: Services) -> None:
    choose_procedure(qtbot, screen, "khai sinh", "Đăng ký khai sinh")
    fill_applicant(screen)
    missing = screen.papers.entries()[1][0].name
    assert missing == "Giấy chứng sinh hoặc giấy tờ thay thế"  # the catalogue's second paper
    hand_in(qtbot, screen, 0)  # the declaration only; the authorisation is conditional, so not asked for
    type_text(screen.reason, "Thiếu giấy chứng sinh bản chính")
    with qtbot.waitSignal(screen.sig_outcome, timeout=5000) as outcome:
        qtbot.mouseClick(screen.supplement_button, Qt.MouseButton.LeftButton)
    result = outcome.args[0]
    assert result.outcome == "supplement"
    assert result.code is None and result.slip is not None and result.slip.startswith("PBS-26-")
    assert result.slip in screen.confirmation.code_label.text()
    slip = services.intake.get_slip(result.slip)
    assert [p.name for p in slip.papers if p.missing] == [missing]
    assert slip.applicant_name == PERSON_NAME


def test_refusal_needs_a_reason_then_records_it(qtbot: Any, screen: IntakeScreen, services: Services) -> None:
    choose_procedure(qtbot, screen, "khai sinh", "Đăng ký khai sinh")
    fill_applicant(screen)
    qtbot.mouseClick(screen.refuse_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.field_error("reason") != "")
    assert not screen.showing_confirmation()
    type_text(screen.reason, "Không thuộc thẩm quyền của phường")
    with qtbot.waitSignal(screen.sig_outcome, timeout=5000) as outcome:
        qtbot.mouseClick(screen.refuse_button, Qt.MouseButton.LeftButton)
    assert outcome.args[0].outcome == "refuse"
    [view] = services.dossiers.find(PERSON_ID)
    assert view.status == 3  # Không được tiếp nhận
    assert view.slip is not None and view.slip.startswith("PTC-26-")
    assert services.dossiers.get_state(view.uuid).reason == "Không thuộc thẩm quyền của phường"


def test_bad_identifier_is_shown_under_its_field_and_kept(qtbot: Any, screen: IntakeScreen, services: Services) -> None:
    choose_procedure(qtbot, screen, "ket hon", "Đăng ký kết hôn")
    fill_applicant(screen, identifier="07919001234")  # 11 digits
    qtbot.mouseClick(screen.accept_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: screen.field_error("identifier") != "", timeout=5000)
    assert "12 chữ số" in screen.field_error("identifier")
    label = screen.findChild(type(screen.general_error), "error_identifier")
    assert label is not None and label.isVisible()
    assert label.styleSheet().startswith("color: #b00020")
    # everything typed is still there, and nothing was recorded
    assert screen.lines["identifier"].text() == "07919001234"
    assert screen.lines["name"].text() == PERSON_NAME
    assert screen.field_error("name") == ""
    assert not screen.showing_confirmation()
    assert services.dossiers.find("nguyen thi au") == []
    # editing the field takes its message away
    type_text(screen.lines["identifier"], "5")
    assert screen.field_error("identifier") == ""


def test_missing_procedure_and_name_reported_together(qtbot: Any, screen: IntakeScreen) -> None:
    type_text(screen.lines["identifier"], PERSON_ID)
    qtbot.mouseClick(screen.accept_button, Qt.MouseButton.LeftButton)
    assert screen.field_error("procedure") == "Chưa chọn thủ tục hành chính."
    assert screen.field_error("name") != ""
    assert screen.lines["identifier"].text() == PERSON_ID


def test_procedure_found_without_diacritics_and_by_code(qtbot: Any, screen: IntakeScreen) -> None:
    type_text(screen.picker.edit, "chung thuc")
    qtbot.waitUntil(lambda: len(screen.picker.match_names()) >= 2)
    assert all("Chứng thực" in n for n in screen.picker.match_names())
    screen.picker.edit.clear()
    type_text(screen.picker.edit, "1.001193")
    qtbot.waitUntil(lambda: screen.picker.match_names() == ["Đăng ký khai sinh (1.001193)"])


def test_same_day_procedure_due_today(qtbot: Any, screen: IntakeScreen) -> None:
    choose_procedure(qtbot, screen, "khai sinh", "Đăng ký khai sinh")
    # received Monday 09:00, before the 15:00 cut-off: returned the same day at closing time
    qtbot.waitUntil(lambda: screen.due_label.text() == "17:00 Thứ Hai, 02/03/2026")
