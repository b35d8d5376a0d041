"""Without accounts the rail asks the name of today's clerk at the first start of each working day (Vietnam's
date, by the services' clock), without taking the focus; the answer names the events and the printed forms."""

from __future__ import annotations

import shutil
from datetime import datetime
from typing import Any

import pytest
from printing.pdf_readback import pdf_text
from PySide6.QtCore import Qt
from ui.ui_support import FakeClock, person_form, scan, type_text

from counter_app.bootstrap import Services
from counter_app.domain.clock import VN_TZ
from counter_app.services.common.clock import DrillClock
from counter_app.ui.code_scanners.wedge import ScannerFilter
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow
from counter_app.ui.shell.session import SessionGuard

if shutil.which("pdftotext") is None:
    pytest.skip("pdftotext (poppler-utils) is needed", allow_module_level=True)

AN = "Nguyễn Văn An"


def _open(qtbot: Any, services: Services, runner: TaskRunner) -> tuple[MainWindow, SessionGuard]:
    window = MainWindow(runner, open_documents=False)
    qtbot.addWidget(window)
    guard = SessionGuard(window, runner)
    window.show()
    with qtbot.waitSignal(window.sig_services_ready, timeout=10_000):
        guard.start(services)
    return window, guard


def test_the_clerk_of_the_day_is_asked_each_day_and_names_forms_and_events(
    qtbot: Any, services: Services, runner: TaskRunner
) -> None:
    window, guard = _open(qtbot, services, runner)
    prompt = window.rail.clerk_prompt
    qtbot.waitUntil(prompt.isVisible)
    assert prompt.name_edit.text() == ""
    assert not prompt.name_edit.hasFocus()
    assert window.minimumSizeHint().height() <= 728  # the question fits the desk's screen (1366×768 less a taskbar)
    qtbot.mouseClick(prompt.name_edit, Qt.MouseButton.LeftButton)
    type_text(prompt.name_edit, AN)
    qtbot.mouseClick(prompt.confirm_button, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not prompt.isVisible())
    qtbot.waitUntil(lambda: AN in window.rail.clerk_label.text())

    code = services.intake.accept(person_form()).code
    assert code is not None
    assert [e.clerk for e in services.dossiers.timeline(code)] == [AN]
    assert AN in pdf_text(services.documents.render(code, "receipt").path)

    # the same day, another start: nobody is asked
    assert not services.settings.get_clerk_of_the_day().ask
    # five minutes past midnight in Vietnam (still 17:05 of the day before in UTC): a new working day
    services.context.clock = DrillClock(datetime(2026, 3, 3, 0, 5, tzinfo=VN_TZ))
    guard.check_clerk_of_the_day()
    qtbot.waitUntil(prompt.isVisible)
    assert prompt.name_edit.text() == AN  # yesterday's name, offered


def test_a_scan_during_the_question_goes_to_the_scanner(
    qtbot: Any, services: Services, runner: TaskRunner, scanner: ScannerFilter, scanner_clock: FakeClock
) -> None:
    window, _guard = _open(qtbot, services, runner)
    prompt = window.rail.clerk_prompt
    qtbot.waitUntil(prompt.isVisible)
    scans: list[str] = []
    scanner.sig_scanned.connect(scans.append)
    focused = window.focusWidget()
    target = focused if focused is not None else window
    scan(target, "000.00.99.H29-260302-1001", scanner_clock)
    qtbot.waitUntil(lambda: scans != [])
    assert scans == ["000.00.99.H29-260302-1001"]
    assert not prompt.name_edit.hasFocus() and prompt.name_edit.text() == ""


def test_with_accounts_nobody_is_asked(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    services.accounts.add_user("mai.tran", "admin", "Mai-Tran-2026!", full_name="Trần Thị Mai")
    assert not services.settings.get_clerk_of_the_day().ask
    window = MainWindow(runner, open_documents=False)
    qtbot.addWidget(window)
    guard = SessionGuard(window, runner)
    window.show()
    guard.start(services)
    qtbot.waitUntil(lambda: guard.dialog is not None)
    guard.check_clerk_of_the_day()
    qtbot.wait(200)
    assert not window.rail.clerk_prompt.isVisible()
