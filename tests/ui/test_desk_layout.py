"""The shell of the desk (desk-layout.md): one screen of 1366×728 (and 1280×720) with the intake or a dossier
open; the rail's places, counts and late-case badge; a message line that does not cut what it says."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QPushButton
from ui.ui_support import BIRTH_REGISTRATION, MARRIAGE, person_form

from counter_app.bootstrap import Services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.status import Action
from counter_app.ui.dossier.dossier_screen import DossierScreen
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow

SIZES = ((1366, 728), (1280, 720))
DRAFT = {  # as scripts/screenshots.py leaves one
    "version": 1,
    "procedure_code": MARRIAGE,
    "applicant_kind": "person",
    "lines": {
        "identifier": "079190012345",
        "name": "NGUYỄN THỊ ẤU",
        "birth_date": "05/09/1990",
        "address": "Số 12 Đường Ỷ Lan, Phường Ông Lãnh",
        "phone": "0903 123 456",
    },
    "sex": "Nữ",
    "filer": False,
    "channel": 1,
    "result_delivery": "desk",
    "sets_count": 1,
    "fee_paid": False,
    "papers": [["Tờ khai đăng ký kết hôn", 1, 0, True]],
    "reason": "",
}


def outside(window: MainWindow, buttons: list[QPushButton]) -> list[str]:
    """The visible buttons not wholly inside the window."""
    QApplication.processEvents()
    return [
        b.text()
        for b in buttons
        if b.isVisible() and not window.rect().contains(QRect(b.mapTo(window, QPoint(0, 0)), b.size()))
    ]


def fits(qtbot: Any, window: MainWindow, buttons: list[QPushButton]) -> None:
    hint = window.minimumSizeHint()
    assert hint.width() <= 1280 and hint.height() <= 720, hint
    for width, height in SIZES:
        window.resize(width, height)
        qtbot.waitUntil(lambda width=width, height=height: window.size().toTuple() == (width, height))
        assert outside(window, buttons) == []
    assert any(b.isVisible() for b in buttons)


def open_screen(qtbot: Any, window: MainWindow, key: str) -> DossierScreen:
    with qtbot.waitSignal(window.sig_dossier_opened, timeout=5000) as opened:
        window.open_dossier(key)
    screen: DossierScreen = opened.args[0]
    qtbot.waitUntil(lambda: screen.bundle() is not None)
    return screen


def test_intake_and_confirmation_fit_the_budget(qtbot: Any, window: MainWindow, services: Services) -> None:
    services.drafts.save_draft("intake", DRAFT)  # a form the clerk had filled: restored, then accepted
    intake = window.open_intake()
    assert intake is not None
    assert window.rail.current() == "intake"
    qtbot.waitUntil(lambda: intake.lines["name"].text() == "NGUYỄN THỊ ẤU")
    fits(qtbot, window, [intake.clear_button, intake.refuse_button, intake.supplement_button, intake.accept_button])
    with qtbot.waitSignal(intake.sig_outcome, timeout=10_000):
        intake.accept_dossier()
    assert intake.showing_confirmation()
    confirmation = intake.confirmation
    fits(qtbot, window, [*confirmation.print_buttons, confirmation.new_button, confirmation.open_button])


def test_a_dossier_fits_the_budget_with_its_actions_on_one_row(
    qtbot: Any, window: MainWindow, services: Services
) -> None:
    received = services.intake.accept(person_form(MARRIAGE))  # the stage with the most actions
    screen = open_screen(qtbot, window, received.uuid)
    assert window.rail.current() == "dossiers" and window.workspace.document_bar.isVisible()
    shown = [a for a, b in screen.action_buttons.items() if not b.isHidden()]
    assert shown == [Action.TRANSFER, Action.RESULT_READY, Action.WITHDRAW, Action.CORRECT, Action.VOID]
    buttons = [*screen.action_buttons.values(), *screen.print_buttons.values()]
    fits(qtbot, window, buttons)
    rows = {b.mapTo(screen, QPoint(0, 0)).y() for b in buttons if b.isVisible()}
    assert len(rows) == 1  # one row
    # details, history and scans are tabs below the row, never stacked
    assert [screen.sections.tabText(i) for i in range(screen.sections.count())] == [
        "Thông tin hồ sơ",
        "Quá trình giải quyết (1)",
        "Số hóa hồ sơ",
    ]
    assert screen.sections.geometry().top() > max(rows)


def test_the_rail_goes_to_every_place_by_mouse_and_keyboard(qtbot: Any, window: MainWindow) -> None:
    window.activateWindow()
    qtbot.waitUntil(window.isActiveWindow)
    pages = {
        "late": window.late_panel,
        "catalogue": window.catalogue,
        "calendar": window.calendar,
        "statistics": window.dashboard,
        "today": window.queue_panel,
    }
    for key, page in pages.items():
        window.rail.buttons[key].click()
        assert window.workspace.currentWidget() is page, key
        assert window.rail.current() == key
    QTest.keyClick(window, Qt.Key.Key_F2)
    assert window.workspace.currentWidget() is window.intake and window.rail.current() == "intake"
    # keyboard: Ctrl+digit to a place; Up/Down along the rail, Enter opens
    QTest.keyClick(window, Qt.Key.Key_5, Qt.KeyboardModifier.ControlModifier)
    assert window.workspace.currentWidget() is window.late_panel
    window.rail.buttons["today"].setFocus()
    QTest.keyClick(window.rail.buttons["today"], Qt.Key.Key_Down)
    assert window.rail.buttons["due_soon"].hasFocus()
    QTest.keyClick(window.rail.buttons["due_soon"], Qt.Key.Key_Return)
    assert window.workspace.currentWidget() is window.queue_panel and window.queue_key() == "due_soon"
    assert window.queue_title.text().startswith("Sắp đến hạn")


def test_the_late_cases_are_a_place_with_a_red_badge(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    late = datetime(2026, 2, 26, 10, 0, tzinfo=VN_TZ)  # same-day procedure: overdue since Thursday 17:00
    for name in ("Võ Thị Dung", "Đặng Văn Em"):
        services.intake.accept(person_form(BIRTH_REGISTRATION, name=name, received_at=late))
    window = MainWindow(runner, open_documents=False)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.sig_services_ready):
        window.set_services(services)
    badge = window.rail.buttons["late"].count_label
    qtbot.waitUntil(lambda: badge.text() == "2")
    assert badge.isVisible() and badge.objectName() == "railBadge"
    assert window.rail.text("late") == "Cần xin lỗi (2)"
    assert "2 hồ sơ đã quá hạn" in window.rail.buttons["late"].toolTip()
    qtbot.waitUntil(lambda: window.rail.text("overdue") == "Quá hạn (2)")
    assert window.rail.buttons["overdue"].count_label.property("alert") is True
    assert window.late_panel is not None and window.late_panel.parent() is not None
    window.rail.buttons["late"].click()
    assert window.workspace.currentWidget() is window.late_panel
    assert window.late_panel.table.rowCount() == 2


def test_closing_a_dossier_tab_and_the_open_dossiers_place(qtbot: Any, window: MainWindow, services: Services) -> None:
    first = open_screen(qtbot, window, services.intake.accept(person_form(MARRIAGE)).uuid)
    second = open_screen(qtbot, window, services.intake.accept(person_form(MARRIAGE, phone="0903000111")).uuid)
    bar = window.workspace.document_bar
    assert bar.count() == 2 and window.rail.text("dossiers") == "Hồ sơ đang mở (2)"
    bar.setCurrentIndex(0)
    assert window.workspace.currentWidget() is first
    window.rail.buttons["today"].click()
    assert not bar.isVisible()
    window.rail.buttons["dossiers"].click()
    assert window.workspace.currentWidget() is first
    bar.tabCloseRequested.emit(0)
    assert list(window.dossier_tabs.values()) == [second]
    assert bar.count() == 1 and window.rail.text("dossiers") == "Hồ sơ đang mở (1)"


@pytest.mark.parametrize("width", [1366, 1280])
def test_a_long_message_is_never_cut_the_fields_shorten_first(qtbot: Any, window: MainWindow, width: int) -> None:
    window.resize(width, 720)
    qtbot.waitUntil(lambda: window.width() == width)
    line = window.message_line
    text = (
        "Đã in giấy tiếp nhận và hẹn trả kết quả 000.17.22.H56-260302-1003 (2 liên) cho Nguyễn Thị Ấu; "
        "phiếu kiểm soát quá trình giải quyết hồ sơ đã được lưu vào thư mục giấy tờ của quầy. "
    )
    window.show_message(text * 2, 60_000)  # more than one line even with the fields shortened
    label = line.message_label
    assert line.currentMessage() == text * 2 and label.text() == text * 2
    qtbot.waitUntil(lambda: label.height() >= label.heightForWidth(label.width()))  # every line of it shown
    assert label.height() > label.fontMetrics().height() * 1.5  # on two lines, not cut to one
    work_area_bottom = window.workspace.mapTo(window, QPoint(0, window.workspace.height())).y()
    assert work_area_bottom <= line.y()  # the work area gave the room
    assert window.db_label.width() < window.db_label.sizeHint().width()  # a permanent field gave way
    assert window.db_label.text().startswith("CSDL cục bộ: sẵn sàng")  # whole in text() and its tooltip
    assert window.db_label.toolTip() == window.db_label.text()
    line.clearMessage()
    QApplication.processEvents()
    assert window.db_label.maximumWidth() > window.db_label.sizeHint().width()  # room again


def test_the_complete_intake_form_needs_no_scrollbar(qtbot: Any, window: MainWindow, services: Services) -> None:
    """Issue 16.1: every field of the intake, the filer group unfolded, fits at 1366×728 and at 1280×720."""
    services.drafts.save_draft("intake", {**DRAFT, "filer": True})
    intake = window.open_intake()
    assert intake is not None
    qtbot.waitUntil(lambda: intake.lines["name"].text() == "NGUYỄN THỊ ẤU")
    qtbot.waitUntil(lambda: intake.papers.rowCount() > 0)
    assert intake.filer_box.isChecked()
    scroll = intake.form_scroll
    for width, height in SIZES:
        window.resize(width, height)
        qtbot.waitUntil(lambda width=width, height=height: window.size().toTuple() == (width, height))
        QApplication.processEvents()
        bar = scroll.verticalScrollBar()
        assert bar.maximum() == 0, (width, height, bar.maximum())  # no scrolling needed
        viewport = scroll.viewport()
        for key, edit in intake.lines.items():
            assert edit.isVisible(), key
            top_left = edit.mapTo(viewport, QPoint(0, 0))
            assert viewport.rect().contains(QRect(top_left, edit.size())), (width, height, key)
        for widget in (intake.reason, intake.due_label, intake.papers, intake.sets_count, intake.fee_paid):
            top_left = widget.mapTo(viewport, QPoint(0, 0))
            assert viewport.rect().contains(QRect(top_left, widget.size())), (width, height, widget.objectName())
