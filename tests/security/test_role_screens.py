"""The screens follow the signed-in role: login at start, lock after inactivity, buttons a role may not use disabled."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtCore import Qt
from PySide6.QtTest import QTest
from PySide6.QtWidgets import QApplication
from security.security_support import PASSWORDS, StepClock, open_counter, person_form, sign_in, staff

from counter_app.bootstrap import Services
from counter_app.domain.status import Action
from counter_app.ui.dossier.dossier_screen import DossierScreen
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow
from counter_app.ui.shell.session import SessionGuard


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = open_counter(tmp_path / "c.db", StepClock())
    yield services
    services.close()


@pytest.fixture
def runner(qapp: QApplication, services: Services) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    errors: list[Any] = []
    runner.error_presenter = errors.append
    yield runner
    runner.wait_for_workers()
    QApplication.processEvents()
    assert errors == []


def open_screen(qtbot: Any, services: Services, runner: TaskRunner, code: str) -> DossierScreen:
    screen = DossierScreen(services, runner, code)
    qtbot.addWidget(screen)
    screen.show()
    qtbot.waitUntil(lambda: screen.bundle() is not None)
    return screen


def test_the_void_button_is_disabled_for_a_clerk_and_enabled_for_a_supervisor(
    qtbot: Any, services: Services, runner: TaskRunner
) -> None:
    staff(services)
    sign_in(services, "canbo")
    code = services.intake.accept(person_form()).code
    assert code is not None
    screen = open_screen(qtbot, services, runner, code)
    void = screen.action_buttons[Action.VOID]
    assert not void.isEnabled()
    assert "lãnh đạo" in void.toolTip()
    assert screen.action_buttons[Action.TRANSFER].isEnabled()  # the desk work stays the clerk's
    assert screen.print_buttons["receipt"].isEnabled()  # a first print too

    services.accounts.sign_out()
    sign_in(services, "lanhdao")
    with qtbot.waitSignal(screen.sig_loaded):
        screen.reload()
    assert void.isEnabled()
    assert void.toolTip() == ""


def test_a_printed_receipt_cannot_be_reprinted_by_a_clerk(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    staff(services)
    sign_in(services, "canbo")
    code = services.intake.accept(person_form()).code
    assert code is not None
    services.documents.render(code, "receipt")
    screen = open_screen(qtbot, services, runner, code)
    assert not screen.print_buttons["receipt"].isEnabled()
    assert screen.print_buttons["control"].isEnabled()  # never printed yet: a first print


def test_without_accounts_the_window_opens_at_once(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    window = MainWindow(runner, open_documents=False)
    qtbot.addWidget(window)
    guard = SessionGuard(window, runner)
    window.show()
    with qtbot.waitSignal(window.sig_services_ready):
        guard.start(services)
    assert guard.dialog is None
    assert _shows_contents(window)


def _shows_contents(window: MainWindow) -> bool:
    central = window.centralWidget()
    assert central is not None
    return central.isVisible()


def _sign_in_through(qtbot: Any, guard: SessionGuard, name: str, password: str) -> None:
    dialog = guard.dialog
    assert dialog is not None
    dialog.name_edit.setText(name)
    dialog.password_edit.setText(password)
    qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)


def test_login_at_start_then_lock_after_inactivity(qtbot: Any, services: Services, runner: TaskRunner) -> None:
    staff(services)
    window = MainWindow(runner, open_documents=False)
    qtbot.addWidget(window)
    guard = SessionGuard(window, runner)
    window.show()
    guard.start(services)
    qtbot.waitUntil(lambda: guard.dialog is not None)
    assert window.services is None  # nothing of the database before a login
    assert not _shows_contents(window)
    assert not window.intake_action.isEnabled()

    _sign_in_through(qtbot, guard, "canbo", "khong-phai-mat-khau")
    assert guard.dialog is not None
    qtbot.waitUntil(lambda: guard.dialog is not None and guard.dialog.message.isVisible())
    assert "không đúng" in guard.dialog.message.text()

    services.context.clock.advance(2)  # type: ignore[attr-defined]  # past the one-second delay
    with qtbot.waitSignal(window.sig_services_ready), qtbot.waitSignal(guard.sig_signed_in):
        _sign_in_through(qtbot, guard, "canbo", PASSWORDS["canbo"])
    assert guard.dialog is None
    assert _shows_contents(window)
    qtbot.waitUntil(lambda: "canbo" in window.clerk_label.text())
    assert "Phạm Cán Bộ" in window.clerk_label.text()
    assert services.context.clerk == "canbo"
    assert guard._idle.interval() == 10 * 60_000  # the lock_minutes setting's default

    # key presses keep the session open: each one starts the countdown again (counted, not timed)
    restarts: list[int] = []
    countdown = guard._idle
    real_start = countdown.start
    countdown.start = lambda *args: (restarts.append(1), real_start(*args))  # type: ignore[method-assign]
    for _ in range(8):
        QTest.keyClick(window, Qt.Key.Key_Shift)
    assert len(restarts) == 8
    assert countdown.isActive()
    assert guard.dialog is None
    # silence locks it: the countdown shortened here to a second
    real_start(1000)
    with qtbot.waitSignal(guard.sig_locked, timeout=5000):
        pass
    assert not _shows_contents(window)
    assert guard.dialog is not None
    assert guard.dialog.name_edit.text() == "canbo"
    # no keyring here: the secrets are in the vault, whose key the lock forgets until the next sign-in
    assert services.context.vault.in_use()
    qtbot.waitUntil(lambda: not services.context.vault.unlocked)

    with qtbot.waitSignal(guard.sig_signed_in):
        _sign_in_through(qtbot, guard, "lanhdao", PASSWORDS["lanhdao"])  # another account may take over
    assert _shows_contents(window)
    assert services.context.role == "supervisor"
    assert services.context.vault.unlocked
    qtbot.waitUntil(lambda: "lanhdao" in window.clerk_label.text())
