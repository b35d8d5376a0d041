"""Helpers of the window tests of the administration places: the real window behind its login, signed in by hand."""

from __future__ import annotations

from typing import Any

from PySide6.QtCore import Qt
from ui.ui_support import type_text

from counter_app.bootstrap import Services
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow
from counter_app.ui.shell.session import SessionGuard


def open_window(qtbot: Any, services: Services, runner: TaskRunner) -> tuple[MainWindow, SessionGuard]:
    """The window as the application opens it: the login dialog in front, nothing of the database behind it."""
    window = MainWindow(runner, open_documents=False)
    qtbot.addWidget(window)
    guard = SessionGuard(window, runner)
    window.show()
    guard.start(services)
    qtbot.waitUntil(lambda: guard.dialog is not None)
    return window, guard


def log_in(qtbot: Any, window: MainWindow, guard: SessionGuard, name: str, password: str) -> None:
    """Type the name and password in the login dialog and press its button; wait for the window's pages."""
    dialog = guard.dialog
    assert dialog is not None
    dialog.name_edit.clear()
    type_text(dialog.name_edit, name)
    type_text(dialog.password_edit, password)
    ready = window.pages.accounts is not None
    with qtbot.waitSignal(guard.sig_signed_in):
        qtbot.mouseClick(dialog.ok_button, Qt.MouseButton.LeftButton)
    if not ready:
        qtbot.waitUntil(lambda: window.pages.accounts is not None)


def sign_out_to_login(qtbot: Any, guard: SessionGuard) -> None:
    """Hand the counter over: the session locks and the login dialog asks again (another account may sign in)."""
    guard.lock()
    qtbot.waitUntil(lambda: guard.dialog is not None)


def click_place(qtbot: Any, window: MainWindow, key: str) -> None:
    button = window.rail.buttons[key]
    assert button.isVisible(), key
    qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
