"""The self-test's tour of the screens: each one opened, painted (offscreen) and closed, with what it raised."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from functools import partial
from pathlib import Path
from types import TracebackType
from typing import TYPE_CHECKING

from PySide6.QtWidgets import QApplication, QWidget

from counter_app.ui.qt.fonts import load_app_fonts
from counter_app.ui.qt.gc_guard import collect_garbage_on_ui_thread
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    from counter_app.services.registry import Services

SETTLE_TIMEOUT_S = 60.0
Result = tuple[str, bool, str]


class _Tour:
    def __init__(self, runner: TaskRunner) -> None:
        self.runner = runner
        self.errors: list[BaseException] = []
        self.results: list[Result] = []

    def settle(self, until: Callable[[], bool] = lambda: True) -> None:
        """Let queued events and background tasks finish (and `until` hold), at most SETTLE_TIMEOUT_S."""
        deadline = time.monotonic() + SETTLE_TIMEOUT_S
        while True:
            QApplication.processEvents()
            if self.runner.pending == 0 and until():
                QApplication.processEvents()
                return
            if time.monotonic() > deadline:
                raise TimeoutError(f"still {self.runner.pending} tasks after {SETTLE_TIMEOUT_S:.0f} s")
            time.sleep(0.01)

    def step(self, name: str, action: Callable[[], object]) -> None:
        self.errors.clear()
        started = time.perf_counter()
        try:
            action()
            self.settle()
        except Exception as exc:
            self.errors.append(exc)
        if self.errors:
            first = self.errors[0]
            self.results.append((name, False, f"{type(first).__name__}: {first}"))
        else:
            self.results.append((name, True, f"{time.perf_counter() - started:.2f} s"))

    def on_exception(self, _type: type[BaseException], exc: BaseException, _tb: TracebackType | None) -> None:
        self.errors.append(exc)  # raised inside a slot: the window would have shown it to the clerk


def _painted(widget: QWidget) -> None:
    widget.show()
    QApplication.processEvents()
    if widget.grab().isNull():
        raise RuntimeError(f"{type(widget).__name__} could not be painted")


def tour_screens(services: Services, dossier_code: str | None, pdfs: list[Path]) -> list[Result]:
    """Main window, intake, a dossier, every workspace tab, the dashboard and a viewer for each PDF."""
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    collector = collect_garbage_on_ui_thread(app)
    load_app_fonts(app)
    runner = TaskRunner(app)
    tour = _Tour(runner)
    runner.error_presenter = tour.errors.append
    previous_hook = sys.excepthook
    sys.excepthook = tour.on_exception
    window = MainWindow(runner, open_documents=False)
    try:
        tour.step("Mở cửa sổ chính", lambda: _open_main(tour, window, services))
        tour.step("Mở màn hình tiếp nhận", lambda: _painted(_required(window.open_intake(), "intake")))
        if dossier_code:
            tour.step("Mở màn hình hồ sơ", lambda: _open_dossier(tour, window, dossier_code))
        for index in range(window.workspace.count()):
            title = window.workspace.tabText(index)
            tour.step(f"Mở thẻ “{title}”", partial(_show_tab, window, index))
        _dashboard(tour, window, services, runner)
        for pdf in pdfs:
            tour.step(f"Xem trước “{pdf.name}”", partial(_view_pdf, window, pdf))
        tour.step("Đóng các thẻ và cửa sổ chính", lambda: _close_all(tour, window))
    finally:
        runner.wait_for_workers()
        QApplication.processEvents()
        sys.excepthook = previous_hook
        window.deleteLater()
        QApplication.processEvents()
        collector.stop()  # the caller's process goes on without an event loop
    return tour.results


def _required(widget: QWidget | None, what: str) -> QWidget:
    if widget is None:
        raise RuntimeError(f"the {what} screen did not open")
    return widget


def _open_main(tour: _Tour, window: MainWindow, services: Services) -> None:
    window.show()
    window.set_services(services)
    tour.settle()
    _painted(window)


def _open_dossier(tour: _Tour, window: MainWindow, code: str) -> None:
    before = len(window.dossier_tabs)
    window.open_dossier(code)
    tour.settle(lambda: len(window.dossier_tabs) > before or bool(tour.errors))
    for screen in window.dossier_tabs.values():
        _painted(screen)


def _show_tab(window: MainWindow, index: int) -> None:
    window.workspace.setCurrentIndex(index)
    widget = window.workspace.widget(index)
    if widget is None:
        raise RuntimeError(f"tab {index} has no screen")
    _painted(widget)


def _dashboard(tour: _Tour, window: MainWindow, services: Services, runner: TaskRunner) -> None:
    """The dashboard on its own, unless the main window already showed it as a tab."""
    try:
        from counter_app.ui.reports.dashboard import DashboardPanel
    except ImportError:
        return
    tabs = [window.workspace.widget(i) for i in range(window.workspace.count())]
    if any(isinstance(tab, DashboardPanel) for tab in tabs):
        return

    def show() -> None:
        panel = DashboardPanel(services, runner)
        try:
            panel.refresh()
            tour.settle(lambda: panel.view is not None or bool(tour.errors))
            _painted(panel)
        finally:
            panel.close()
            panel.deleteLater()

    tour.step("Mở bảng số liệu", show)


def _view_pdf(window: MainWindow, pdf: Path) -> None:
    from counter_app.ui.documents.pdf_viewer import PdfViewer

    viewer = PdfViewer(pdf, pdf.name, window)
    try:
        if viewer.page_count() < 1:
            raise RuntimeError(f"{pdf.name}: no page shown")
        _painted(viewer)
    finally:
        viewer.close()
        viewer.deleteLater()


def _close_all(tour: _Tour, window: MainWindow) -> None:
    for index in reversed(range(window.workspace.count())):
        emit(window.workspace.tabCloseRequested, index)
    tour.settle()
    window.close()
    tour.settle()
