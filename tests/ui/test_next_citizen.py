"""One citizen after another at the counter: F2 (or its button) gives an empty form with the focus where the clerk
types or scans next, the confirmation page prints only on purpose, and choosing a procedure loses no digit."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from PySide6.QtCore import Qt, QTimer
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QDialog, QPushButton, QWidget
from ui.ui_support import PERSON_ID, PERSON_NAME, press_enter, type_text

from counter_app.bootstrap import Services
from counter_app.services.common.views import IntakeResult
from counter_app.ui.intake.intake_screen import IntakeScreen
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow

MARRIAGE_FORM = "Tờ khai đăng ký kết hôn"  # the one required paper of Đăng ký kết hôn (demo catalogue)


@pytest.fixture
def desk(qtbot: Any, services: Services, runner: TaskRunner) -> Iterator[MainWindow]:
    """The window as at a counter: rendered documents open their preview, from which they would be printed."""
    window = MainWindow(runner, open_documents=True)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.sig_services_ready):
        window.set_services(services)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    yield window
    for dialog in window.findChildren(QDialog):
        dialog.close()


def focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def key(key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
    """A key pressed on whatever has the focus, as on a real keyboard."""
    QTest.keyClick(focus(), key, modifier)


def idle(qtbot: Any, runner: TaskRunner) -> None:
    """Until every task started so far (and any it started in turn) has delivered its outcome."""
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=20_000)
    QApplication.processEvents()
    qtbot.waitUntil(lambda: runner.pending == 0, timeout=20_000)


def take_in_one_citizen(qtbot: Any, window: MainWindow) -> tuple[IntakeScreen, IntakeResult]:
    """F2, the procedure typed, Enter, the applicant typed from the focus on, the form ticked, Ctrl+Enter."""
    key(Qt.Key.Key_F2)
    intake = window.intake
    assert intake is not None
    qtbot.waitUntil(lambda: focus() is intake.picker.edit)
    type_text(focus(), "ket hon")
    qtbot.waitUntil(lambda: "Đăng ký kết hôn (DEMO.KH)" in intake.picker.match_names())
    press_enter(focus())
    qtbot.waitUntil(lambda: intake.picker.procedure() is not None)
    type_text(focus(), PERSON_ID)
    type_text(intake.lines["name"], PERSON_NAME)
    names = [p.name for p, _present in intake.papers.entries()]
    intake.papers.set_present(names.index(MARRIAGE_FORM), True)
    with qtbot.waitSignal(intake.sig_outcome, timeout=5000) as outcome:
        QTest.keyClick(intake.lines["name"], Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    assert intake.showing_confirmation()
    return intake, outcome.args[0]


def test_f2_after_an_accept_gives_an_empty_form_with_the_focus_on_the_procedure(
    qtbot: Any, desk: MainWindow, services: Services
) -> None:
    intake, first = take_in_one_citizen(qtbot, desk)
    assert first.code is not None
    assert "F2" in intake.confirmation.new_button.text()  # the key is shown on the button
    key(Qt.Key.Key_F2)
    assert not intake.showing_confirmation()
    assert desk.workspace.currentWidget() is intake
    assert intake.is_blank() and intake.papers.rowCount() == 0
    assert focus() is intake.picker.edit
    # and the next citizen goes through the same way, with the next code
    _intake, second = take_in_one_citizen(qtbot, desk)
    assert second.code is not None and second.code != first.code
    assert [v.code for v in services.dossiers.find(PERSON_ID)].count(second.code) == 1


def test_the_next_button_of_the_confirmation_also_gives_an_empty_form(qtbot: Any, desk: MainWindow) -> None:
    intake, _result = take_in_one_citizen(qtbot, desk)
    button = intake.confirmation.new_button
    assert button.isVisible()
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    assert not intake.showing_confirmation() and intake.is_blank()
    assert focus() is intake.picker.edit


def test_f2_keeps_a_form_being_filled(qtbot: Any, desk: MainWindow) -> None:
    key(Qt.Key.Key_F2)
    intake = desk.intake
    assert intake is not None
    type_text(intake.lines["name"], PERSON_NAME)
    key(Qt.Key.Key_F2)  # a stray F2 in the middle of an intake throws nothing away
    assert intake.lines["name"].text() == PERSON_NAME
    assert focus() is intake.picker.edit


def test_stray_enters_on_the_confirmation_page_print_nothing(
    qtbot: Any, desk: MainWindow, services: Services, runner: TaskRunner
) -> None:
    intake, result = take_in_one_citizen(qtbot, desk)
    idle(qtbot, runner)
    page = intake.confirmation
    buttons = page.findChildren(QPushButton)
    assert buttons and not any(b.isDefault() or b.autoDefault() for b in buttons)
    assert focus() is page.new_button  # the focus is on "next", never on a print button
    for _ in range(3):
        key(Qt.Key.Key_Return)
        key(Qt.Key.Key_Enter)
        idle(qtbot, runner)
    assert intake.showing_confirmation()
    kinds = [e.kind for e in services.dossiers.timeline(result.uuid)]
    assert not [k for k in kinds if k.startswith("document.")], kinds
    assert page.print_state.text() == ""
    assert not [d for d in desk.findChildren(QDialog) if d.isVisible()]  # no preview, so no print job either


def test_stray_enters_in_the_print_preview_start_no_print_job(
    qtbot: Any, desk: MainWindow, services: Services, runner: TaskRunner
) -> None:
    if not hasattr(services, "documents"):
        pytest.skip("no document service in this build")
    from counter_app.ui.documents.print_preview import PrintPreview

    intake, result = take_in_one_citizen(qtbot, desk)
    [receipt] = [b for b in intake.confirmation.print_buttons if b.objectName() == "print_receipt"]
    with qtbot.waitSignal(intake.sig_document_ready, timeout=20_000):
        qtbot.mouseClick(receipt, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: any(p.isVisible() for p in desk.findChildren(PrintPreview)))
    [preview] = [p for p in desk.findChildren(PrintPreview) if p.isVisible()]
    preview.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is preview)
    stray_dialogs: list[str] = []

    def close_stray_dialog() -> None:  # a printer chooser opened by a stray key would block the test for good
        modal = QApplication.activeModalWidget()
        if isinstance(modal, QDialog) and modal is not preview:
            stray_dialogs.append(modal.windowTitle())
            modal.reject()

    guard = QTimer(interval=100)
    guard.timeout.connect(close_stray_dialog)
    guard.start()
    for _ in range(3):
        QTest.keyClick(QApplication.focusWidget() or preview, Qt.Key.Key_Return)
        idle(qtbot, runner)
    guard.stop()
    assert stray_dialogs == []
    # enabled unless this PC has no printer at all (then the preview says so in full)
    assert preview.print_button.isEnabled() == (preview.printers.count() > 0)
    assert preview.print_button.text() == "In (Ctrl+P)"
    assert "Đang gửi" not in preview.state.text() and "In lại" not in preview.print_button.text()
    kinds = [e.kind for e in services.dossiers.timeline(result.uuid)]
    assert kinds.count("document.printed") == 1  # the one render the clerk asked for
    assert "document.sent_to_printer" not in kinds


@pytest.fixture
def screen(qtbot: Any, services: Services, runner: TaskRunner) -> IntakeScreen:
    screen = IntakeScreen(services, runner)
    qtbot.addWidget(screen)
    screen.resize(1280, 720)
    screen.show()
    screen.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is screen)
    return screen


def chosen(screen: IntakeScreen) -> str:
    """The name of the procedure chosen in the picker, "" when none."""
    proc = screen.picker.procedure()
    return proc.name if proc is not None else ""


def test_digits_typed_right_after_choosing_a_procedure_go_to_the_identifier(qtbot: Any, screen: IntakeScreen) -> None:
    screen.picker.edit.setFocus()
    type_text(focus(), "ket hon")
    qtbot.waitUntil(lambda: screen.picker.match_names() != [])
    press_enter(focus())
    type_text(focus(), PERSON_ID)  # without looking: the clerk reads the number off the card
    assert chosen(screen) == "Đăng ký kết hôn"
    assert screen.lines["identifier"].text() == PERSON_ID


def test_a_procedure_picked_with_the_mouse_also_hands_the_focus_to_the_identifier(
    qtbot: Any, screen: IntakeScreen
) -> None:
    screen.picker.edit.setFocus()
    type_text(focus(), "khai sinh")
    qtbot.waitUntil(lambda: "Đăng ký khai sinh (1.001193)" in screen.picker.match_names())
    matches = screen.picker.matches
    item = matches.findItems("Đăng ký khai sinh (1.001193)", Qt.MatchFlag.MatchExactly)[0]
    qtbot.mouseClick(matches.viewport(), Qt.MouseButton.LeftButton, pos=matches.visualItemRect(item).center())
    type_text(focus(), "0791")
    assert chosen(screen) == "Đăng ký khai sinh"
    assert screen.lines["identifier"].text() == "0791"


def test_enter_before_the_matches_arrive_takes_the_first_match_of_what_was_typed(
    qtbot: Any, screen: IntakeScreen
) -> None:
    screen.picker.edit.setFocus()
    type_text(focus(), "dang ky")
    qtbot.waitUntil(lambda: len(screen.picker.match_names()) > 1 and screen.picker.matches.isVisible())
    assert not screen.picker.match_names()[0].startswith("Đăng ký khai tử")
    type_text(focus(), " khai tu")
    press_enter(focus())  # at once: the list still shows the matches of "dang ky"
    qtbot.waitUntil(lambda: screen.picker.procedure() is not None)
    assert chosen(screen) == "Đăng ký khai tử"
    assert focus() is screen.lines["identifier"]
