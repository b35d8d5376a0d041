"""The dossier screen: details, timeline, and the actions its stage allows, each through its dialog."""

from __future__ import annotations

from typing import Any

import pytest
from PySide6.QtCore import Qt
from ui.ui_support import MARRIAGE, PERSON_NAME, person_form, type_text

from counter_app.bootstrap import Services
from counter_app.domain.status import Action
from counter_app.ui.dossier.dossier_dialogs import CorrectionDialog, HandOverDialog, ReasonDialog
from counter_app.ui.dossier.dossier_screen import DossierScreen
from counter_app.ui.qt.task_runner import TaskRunner


@pytest.fixture
def code(services: Services) -> str:
    result = services.intake.accept(person_form(MARRIAGE))
    assert result.code is not None
    return result.code


@pytest.fixture
def screen(qtbot: Any, services: Services, runner: TaskRunner, code: str) -> DossierScreen:
    screen = DossierScreen(services, runner, code)
    qtbot.addWidget(screen)
    screen.resize(900, 700)
    screen.show()
    qtbot.waitUntil(lambda: screen.bundle() is not None)
    return screen


def click_action(qtbot: Any, screen: DossierScreen, action: Action) -> None:
    button = screen.action_buttons[action]
    assert button.isEnabled(), f"{button.text()} should be allowed"
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)


def run_direct(qtbot: Any, screen: DossierScreen, action: Action) -> None:
    loaded = qtbot.waitSignal(screen.sig_loaded, timeout=5000)
    with loaded, qtbot.waitSignal(screen.sig_changed, timeout=5000):
        click_action(qtbot, screen, action)


def test_header_details_and_timeline(screen: DossierScreen, code: str) -> None:
    assert screen.code_label.text() == code
    assert screen.barcode.value() == code
    assert screen.detail("applicant_name") == PERSON_NAME
    assert screen.detail("applicant_birth_date") == "05/09/1990"
    assert screen.detail("due_at").startswith("09/03/2026 17:00")
    assert screen.timeline_labels() == ["Tiếp nhận hồ sơ"]
    assert "Tờ khai đăng ký kết hôn" in screen.detail("papers")


def test_actions_follow_the_stage(qtbot: Any, screen: DossierScreen) -> None:
    enabled = {a for a, b in screen.action_buttons.items() if b.isEnabled()}
    # just received (domain/status.py's table, domain.md §6): transfer, result, withdraw, void, correct
    assert enabled == {Action.TRANSFER, Action.RESULT_READY, Action.WITHDRAW, Action.VOID, Action.CORRECT}
    run_direct(qtbot, screen, Action.TRANSFER)
    enabled = {a for a, b in screen.action_buttons.items() if b.isEnabled()}
    assert Action.TRANSFER not in enabled and Action.VOID not in enabled
    assert Action.REQUEST_SUPPLEMENT in enabled
    assert screen.timeline_labels() == ["Tiếp nhận hồ sơ", "Chuyển hồ sơ đến cơ quan giải quyết"]


def test_hand_over_to_an_authorised_person(qtbot: Any, screen: DossierScreen, services: Services, code: str) -> None:
    run_direct(qtbot, screen, Action.TRANSFER)
    run_direct(qtbot, screen, Action.RESULT_READY)
    click_action(qtbot, screen, Action.HAND_OVER)
    dialog = screen.dialog
    assert isinstance(dialog, HandOverDialog)
    dialog.by_authorised.setChecked(True)
    type_text(dialog.to_name, "Trần Văn Ấn")
    type_text(dialog.to_identifier, "079090001234")
    dialog.rating.setCurrentIndex(dialog.rating.findData(5))
    loaded = qtbot.waitSignal(screen.sig_loaded, timeout=5000)
    with loaded, qtbot.waitSignal(screen.sig_changed, timeout=5000) as changed:
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert changed.args[0].status == 10  # Đã trả kết quả
    assert screen.dialog is None
    state = services.dossiers.get_state(code)
    assert state.stage == "returned"
    assert screen.timeline_labels()[-1] == "Trả kết quả"
    events = services.dossiers.timeline(code)
    assert "Người nhận: Trần Văn Ấn" in events[-1].details
    assert "Đánh giá: 5/5" in events[-1].details
    assert not any(b.isEnabled() for b in screen.action_buttons.values())


def test_hand_over_bad_identifier_stays_in_the_dialog(qtbot: Any, screen: DossierScreen, services: Services) -> None:
    run_direct(qtbot, screen, Action.RESULT_READY)
    click_action(qtbot, screen, Action.HAND_OVER)
    dialog = screen.dialog
    assert isinstance(dialog, HandOverDialog)
    dialog.by_authorised.setChecked(True)
    type_text(dialog.to_name, "Trần Văn Ấn")
    type_text(dialog.to_identifier, "12345")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors.message("to_identifier") != "", timeout=5000)
    assert dialog.isVisible()
    assert dialog.to_name.text() == "Trần Văn Ấn"
    assert dialog.ok_button.isEnabled()
    assert services.dossiers.get_state(screen.key).stage == "result_ready"


def test_withdrawal_needs_a_reason(qtbot: Any, screen: DossierScreen, services: Services, code: str) -> None:
    click_action(qtbot, screen, Action.WITHDRAW)
    dialog = screen.dialog
    assert isinstance(dialog, ReasonDialog)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert dialog.errors.message("reason") == "Cần ghi lý do."
    assert dialog.isVisible()
    type_text(dialog.reason, "Công dân đổi ý, không làm thủ tục nữa")
    with qtbot.waitSignal(screen.sig_loaded, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    state = services.dossiers.get_state(code)
    assert state.status == 7  # Công dân yêu cầu rút hồ sơ
    assert state.reason == "Công dân đổi ý, không làm thủ tục nữa"
    assert screen.timeline_labels()[-1] == "Công dân rút hồ sơ"
    assert screen.detail("reason") == "Công dân đổi ý, không làm thủ tục nữa"


def test_correction_records_old_and_new(qtbot: Any, screen: DossierScreen, services: Services, code: str) -> None:
    click_action(qtbot, screen, Action.CORRECT)
    dialog = screen.dialog
    assert isinstance(dialog, CorrectionDialog)
    dialog.select_field("applicant_address")
    assert dialog.value.text() == "12 Đường Lê Lợi, Phường Bến Thành"
    dialog.value.clear()
    type_text(dialog.value, "45 Đường Nguyễn Huệ, Phường Sài Gòn")
    type_text(dialog.reason, "Ghi nhầm số nhà khi tiếp nhận")
    with qtbot.waitSignal(screen.sig_loaded, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert services.dossiers.get_state(code).applicant_address == "45 Đường Nguyễn Huệ, Phường Sài Gòn"
    assert screen.detail("applicant_address") == "45 Đường Nguyễn Huệ, Phường Sài Gòn"
    last = services.dossiers.timeline(code)[-1]
    assert last.label == "Sửa thông tin tiếp nhận"
    assert "12 Đường Lê Lợi, Phường Bến Thành → 45 Đường Nguyễn Huệ, Phường Sài Gòn" in last.details


def test_correction_of_birth_date_typed_dd_mm_yyyy(qtbot: Any, screen: DossierScreen, services: Services) -> None:
    click_action(qtbot, screen, Action.CORRECT)
    dialog = screen.dialog
    assert isinstance(dialog, CorrectionDialog)
    dialog.select_field("applicant_birth_date")
    assert dialog.value.text() == "05/09/1990"
    dialog.value.clear()
    type_text(dialog.value, "06/09/1990")
    type_text(dialog.reason, "Nhầm ngày sinh")
    with qtbot.waitSignal(screen.sig_loaded, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert services.dossiers.get_state(screen.key).applicant_birth_date == "1990-09-06"
    assert screen.detail("applicant_birth_date") == "06/09/1990"


def test_correction_refused_by_the_service_shows_under_the_value(qtbot: Any, screen: DossierScreen) -> None:
    click_action(qtbot, screen, Action.CORRECT)
    dialog = screen.dialog
    assert isinstance(dialog, CorrectionDialog)
    dialog.select_field("applicant_identifier")
    dialog.value.clear()
    type_text(dialog.value, "079190")
    type_text(dialog.reason, "Sai số")
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: dialog.errors.message("value") != "", timeout=5000)
    assert "12 chữ số" in dialog.errors.message("value")
    assert dialog.isVisible()


def test_void_records_the_reason(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    result = services.intake.accept(person_form(MARRIAGE))
    screen = DossierScreen(services, runner, result.uuid)
    qtbot.addWidget(screen)
    qtbot.waitUntil(lambda: screen.bundle() is not None)
    click_action(qtbot, screen, Action.VOID)
    dialog = screen.dialog
    assert isinstance(dialog, ReasonDialog)
    type_text(dialog.reason, "Chọn nhầm thủ tục")
    with qtbot.waitSignal(screen.sig_loaded, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert services.dossiers.get_state(result.uuid).stage == "voided"
    assert screen.timeline_labels()[-1] == "Hủy hồ sơ tiếp nhận nhầm"


def test_supplement_requested_then_received(qtbot: Any, screen: DossierScreen, services: Services) -> None:
    run_direct(qtbot, screen, Action.TRANSFER)
    click_action(qtbot, screen, Action.REQUEST_SUPPLEMENT)
    dialog = screen.dialog
    assert isinstance(dialog, ReasonDialog)
    type_text(dialog.reason, "Bổ sung giấy xác nhận tình trạng hôn nhân")
    with qtbot.waitSignal(screen.sig_loaded, timeout=5000):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    assert services.dossiers.get_state(screen.key).status == 5  # Yêu cầu bổ sung giấy tờ
    assert "Chờ công dân bổ sung" in screen.stage_label.text()
    run_direct(qtbot, screen, Action.RECEIVE_SUPPLEMENT)
    assert services.dossiers.get_state(screen.key).status == 4  # Đang xử lý
    assert screen.timeline_labels()[-1] == "Nhận hồ sơ bổ sung của công dân"


def test_unknown_dossier_reports_failure(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    screen = DossierScreen(services, runner, "000.00.99.H29-260302-1999")
    qtbot.addWidget(screen)
    with qtbot.waitSignal(screen.sig_load_failed, timeout=5000) as failed:
        pass
    assert "Không tìm thấy hồ sơ" in failed.args[0].message
