"""A walk-in with a scanned chip ID card (issue 16.9): the focus goes where the next key is needed, whichever comes
first, the card or the procedure; Space ticks the papers one after another; the empty picker offers the counter's
recent procedures; and the whole intake takes at most 8 key presses besides the scan."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication, QWidget
from ui.ui_support import (
    ID_CARD_QR,
    MARRIAGE,
    PERSON_ID,
    START,
    FakeClock,
    person_form,
    scan,
    settle,
    type_text,
)

from counter_app.bootstrap import Services
from counter_app.ui.code_scanners.wedge import ScannerFilter
from counter_app.ui.intake.intake_screen import IntakeScreen
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow

COPY_CERTIFICATION = "DEMO.CTBS"  # Chứng thực bản sao từ bản chính: two required papers (demo catalogue)
COPY_CERTIFICATION_NAME = "Chứng thực bản sao từ bản chính"
DEATH_REGISTRATION = "Đăng ký khai tử"
KEYS_TARGET = 8


@pytest.fixture
def desk(qtbot: Any, services: Services, runner: TaskRunner, scanner: ScannerFilter) -> Iterator[MainWindow]:
    """The window at a counter, a keyboard-wedge scanner plugged in, the window active."""
    window = MainWindow(runner, open_documents=False)
    qtbot.addWidget(window)
    scanner.sig_scanned.connect(window.handle_scan)
    window.show()
    with qtbot.waitSignal(window.sig_services_ready):
        window.set_services(services)
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    yield window
    scanner.sig_scanned.disconnect(window.handle_scan)


class Keyboard:
    """Keys pressed on whatever has the focus, as a clerk presses them, counted; the scanner's clock moves on
    as a person types (150 ms a key), so no key of the clerk's is taken for part of a scan."""

    def __init__(self, clock: FakeClock) -> None:
        self.clock = clock
        self.pressed: list[str] = []

    def press(self, key: Qt.Key, modifier: Qt.KeyboardModifier = Qt.KeyboardModifier.NoModifier) -> None:
        self.clock.advance(0.15)
        QTest.keyClick(focus(), key, modifier)
        self.pressed.append(key.name + ("+Ctrl" if modifier else ""))

    def type(self, text: str) -> None:
        type_text(focus(), text, self.clock)
        self.pressed.extend(text)

    def scan(self, qtbot: Any, window: MainWindow, text: str = ID_CARD_QR) -> None:
        """The card's QR as a scanner sends it (not counted), until the window has acted on it."""
        with qtbot.waitSignal(window.sig_scan_handled, timeout=5000) as handled:
            scan(focus(), text, self.clock)
        assert handled.args == ["id_card"]


def focus() -> QWidget:
    widget = QApplication.focusWidget()
    assert widget is not None, "nothing has the keyboard focus"
    return widget


def open_intake(qtbot: Any, window: MainWindow, keys: Keyboard, runner: TaskRunner) -> IntakeScreen:
    keys.press(Qt.Key.Key_F2)
    intake = window.intake
    assert intake is not None
    qtbot.waitUntil(lambda: focus() is intake.picker.edit)
    settle(qtbot, runner)  # the counter's recent procedures have been read
    return intake


def choose_by_name(qtbot: Any, intake: IntakeScreen, keys: Keyboard, words: str, name: str) -> None:
    keys.type(words)
    qtbot.waitUntil(lambda: any(m.startswith(f"{name} (") for m in intake.picker.match_names()))
    keys.press(Qt.Key.Key_Return)
    qtbot.waitUntil(lambda: intake.picker.procedure() is not None)
    assert intake.picker.procedure().name == name


def take_in_before(services: Services, *codes: str) -> None:
    """Dossiers this counter took in a few seconds ago, one a second, the last of `codes` the most recent."""
    for seconds_ago, code in zip(range(len(codes), 0, -1), codes, strict=True):
        services.intake.accept(person_form(procedure=code, received_at=START - timedelta(seconds=seconds_ago)))


def test_a_card_scanned_before_the_procedure_leaves_the_focus_on_the_picker_then_the_papers(
    qtbot: Any, desk: MainWindow, runner: TaskRunner, scanner_clock: FakeClock
) -> None:
    keys = Keyboard(scanner_clock)
    intake = open_intake(qtbot, desk, keys, runner)
    keys.scan(qtbot, desk)
    assert intake.lines["identifier"].text() == PERSON_ID
    assert focus() is intake.picker.edit  # the procedure is what is still missing
    assert intake.picker.edit.text() == ""  # nothing of the burst stayed in the line
    choose_by_name(qtbot, intake, keys, "chung thuc ban sao", COPY_CERTIFICATION_NAME)
    # the applicant came from the card: the next key is for the first paper, not for the phone
    assert focus() is intake.papers
    assert intake.papers.currentRow() == 0


def test_a_card_scanned_after_the_procedure_moves_the_focus_to_the_first_paper(
    qtbot: Any, desk: MainWindow, runner: TaskRunner, scanner_clock: FakeClock
) -> None:
    keys = Keyboard(scanner_clock)
    intake = open_intake(qtbot, desk, keys, runner)
    choose_by_name(qtbot, intake, keys, "chung thuc ban sao", COPY_CERTIFICATION_NAME)
    assert focus() is intake.lines["identifier"]  # the applicant is still to come
    keys.scan(qtbot, desk)
    assert intake.lines["identifier"].text() == PERSON_ID
    assert focus() is intake.papers
    assert intake.papers.currentRow() == 0


def test_space_ticks_the_paper_and_moves_to_the_next(
    qtbot: Any, desk: MainWindow, runner: TaskRunner, scanner_clock: FakeClock
) -> None:
    keys = Keyboard(scanner_clock)
    intake = open_intake(qtbot, desk, keys, runner)
    keys.scan(qtbot, desk)
    choose_by_name(qtbot, intake, keys, "chung thuc ban sao", COPY_CERTIFICATION_NAME)
    papers = intake.papers
    keys.press(Qt.Key.Key_Space)
    assert [present for _p, present in papers.entries()] == [True, False]
    assert papers.currentRow() == 1
    keys.press(Qt.Key.Key_Space)
    assert [present for _p, present in papers.entries()] == [True, True]
    assert papers.currentRow() == 1  # the last paper: nowhere further to go
    keys.press(Qt.Key.Key_Space)  # Space again takes the tick back
    assert [present for _p, present in papers.entries()] == [True, False]


def test_enter_on_the_checklist_leads_to_the_accept_button_only_with_the_papers_complete(
    qtbot: Any, desk: MainWindow, runner: TaskRunner, scanner_clock: FakeClock
) -> None:
    keys = Keyboard(scanner_clock)
    intake = open_intake(qtbot, desk, keys, runner)
    keys.scan(qtbot, desk)
    choose_by_name(qtbot, intake, keys, "chung thuc ban sao", COPY_CERTIFICATION_NAME)
    keys.press(Qt.Key.Key_Space)  # the first paper only
    with qtbot.assertNotEmitted(intake.sig_outcome, wait=100):
        keys.press(Qt.Key.Key_Return)
    assert focus() is intake.papers and intake.papers.currentRow() == 1  # on the paper still missing
    assert "Bản sao cần chứng thực" in intake.field_error("papers")
    keys.press(Qt.Key.Key_Space)
    with qtbot.assertNotEmitted(intake.sig_outcome, wait=100):
        keys.press(Qt.Key.Key_Return)  # Enter moves on, it takes nothing in by itself
    assert focus() is intake.accept_button
    assert intake.field_error("papers") == ""
    assert not intake.showing_confirmation()
    with qtbot.waitSignal(intake.sig_outcome, timeout=10_000) as outcome:
        keys.press(Qt.Key.Key_Return)  # the deliberate second Enter, on "Tiếp nhận"
    assert outcome.args[0].code is not None
    assert intake.showing_confirmation()
    assert focus() is intake.confirmation.new_button  # never a print button


def test_the_empty_picker_offers_the_counters_recent_procedures_newest_first(
    qtbot: Any, desk: MainWindow, services: Services, runner: TaskRunner, scanner_clock: FakeClock
) -> None:
    take_in_before(services, MARRIAGE, COPY_CERTIFICATION, MARRIAGE, "DEMO.KT")
    keys = Keyboard(scanner_clock)
    intake = open_intake(qtbot, desk, keys, runner)
    picker = intake.picker
    qtbot.waitUntil(picker.showing_recent)
    # each procedure once, the most recent first
    assert [name.rsplit(" (", 1)[0] for name in picker.match_names()] == [
        DEATH_REGISTRATION,
        "Đăng ký kết hôn",
        COPY_CERTIFICATION_NAME,
    ]
    with qtbot.assertNotEmitted(picker.sig_selected, wait=50):
        keys.press(Qt.Key.Key_Return)  # a stray Enter on the empty line chooses nothing
    keys.press(Qt.Key.Key_Down)
    keys.press(Qt.Key.Key_Down)
    keys.press(Qt.Key.Key_Return)
    assert picker.procedure() is not None and picker.procedure().name == "Đăng ký kết hôn"
    assert not picker.matches.isVisible()
    assert focus() is intake.lines["identifier"]


def test_a_walk_in_with_a_scanned_card_takes_at_most_8_key_presses(
    qtbot: Any, desk: MainWindow, services: Services, runner: TaskRunner, scanner_clock: FakeClock
) -> None:
    """F2, the card, the procedure the counter took in last (Down, Enter), a Space per paper, Ctrl+Enter."""
    take_in_before(services, COPY_CERTIFICATION)
    keys = Keyboard(scanner_clock)
    intake = open_intake(qtbot, desk, keys, runner)
    keys.scan(qtbot, desk)
    qtbot.waitUntil(intake.picker.showing_recent)
    keys.press(Qt.Key.Key_Down)
    keys.press(Qt.Key.Key_Return)
    keys.press(Qt.Key.Key_Space)
    keys.press(Qt.Key.Key_Space)
    with qtbot.waitSignal(intake.sig_outcome, timeout=10_000) as outcome:
        keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    result = outcome.args[0]
    assert result.code is not None and intake.showing_confirmation()
    [dossier] = [v for v in services.dossiers.find(PERSON_ID) if v.code == result.code]
    assert dossier.procedure_name == COPY_CERTIFICATION_NAME
    assert len(keys.pressed) <= KEYS_TARGET, keys.pressed


def test_the_checklist_reached_with_tab_has_a_paper_to_tick_for_the_next_citizen_too(
    qtbot: Any, desk: MainWindow, runner: TaskRunner, scanner_clock: FakeClock
) -> None:
    """The applicant typed by hand, the clerk Tabs to the checklist: Space ticks its first paper, also after a
    citizen before whose card put the focus on a paper (Qt gives a current row on focus only the first time)."""
    keys = Keyboard(scanner_clock)
    intake = open_intake(qtbot, desk, keys, runner)
    keys.scan(qtbot, desk)
    choose_by_name(qtbot, intake, keys, "chung thuc ban sao", COPY_CERTIFICATION_NAME)
    assert focus() is intake.papers
    keys.press(Qt.Key.Key_Space)
    keys.press(Qt.Key.Key_Space)
    with qtbot.waitSignal(intake.sig_outcome, timeout=10_000):
        keys.press(Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)
    # the next citizen has no card: the procedure, then the applicant typed field by field, then Tab on
    open_intake(qtbot, desk, keys, runner)
    qtbot.waitUntil(intake.picker.showing_recent)
    keys.press(Qt.Key.Key_Down)
    keys.press(Qt.Key.Key_Return)
    assert focus() is intake.lines["identifier"]
    keys.type(PERSON_ID)
    intake.lines["address"].setFocus()
    for _tab in range(10):
        if focus() is intake.papers:
            break
        keys.press(Qt.Key.Key_Tab)
    assert focus() is intake.papers
    assert intake.papers.currentRow() == 0
    keys.press(Qt.Key.Key_Space)
    assert [present for _p, present in intake.papers.entries()] == [True, False]


def test_five_recent_procedures_leave_the_empty_intake_unscrolled_at_1366x728(
    qtbot: Any, desk: MainWindow, services: Services, runner: TaskRunner, scanner_clock: FakeClock
) -> None:
    take_in_before(services, MARRIAGE, COPY_CERTIFICATION, "DEMO.KT", "1.001193", "DEMO.HKD", "DEMO.CTCK")
    desk.resize(1366, 728)
    intake = open_intake(qtbot, desk, Keyboard(scanner_clock), runner)
    qtbot.waitUntil(intake.picker.showing_recent)
    assert len(intake.picker.match_names()) == 5  # the five most recent of six
    settle(qtbot)
    assert intake.form_scroll.verticalScrollBar().maximum() == 0
    assert intake.accept_button.isVisible()
