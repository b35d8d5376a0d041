"""Fixtures of the UI tests: real services over a temporary database, a TaskRunner, the main window."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from PySide6.QtWidgets import QApplication
from ui.ui_support import FakeClock, open_services

from counter_app.bootstrap import Services
from counter_app.ui.code_scanners.wedge import ScannerFilter
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = open_services(tmp_path / "c.db")
    yield services
    services.close()


@pytest.fixture
def task_errors() -> list[Any]:
    """Errors of tasks that had no error callback (they would have been shown to the clerk)."""
    return []


@pytest.fixture
def runner(qapp: QApplication, services: Services, task_errors: list[Any]) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    runner.error_presenter = task_errors.append
    yield runner
    # no worker may still use the database when the services close
    runner.wait_for_workers()
    QApplication.processEvents()


@pytest.fixture
def window(qtbot: Any, services: Services, runner: TaskRunner) -> MainWindow:
    window = MainWindow(runner, open_documents=False)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.sig_services_ready):
        window.set_services(services)
    return window


@pytest.fixture
def scanner_clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def scanner(qapp: QApplication, scanner_clock: FakeClock) -> Iterator[ScannerFilter]:
    scanner = ScannerFilter(clock=scanner_clock)
    qapp.installEventFilter(scanner)
    yield scanner
    qapp.removeEventFilter(scanner)
