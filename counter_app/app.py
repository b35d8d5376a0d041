"""The Qt application: QApplication, Noto Sans, the window first; then logging, the services and the rest.

Start-up order (docs/benchmark-targets.md, `make bench`): the clerk sees the window as soon as PySide6 and the
window's own widgets are loaded. Everything else waits until the event loop has painted it: logging's file
handler, the scanner filter, the session guard and maintenance, and the worker that imports SQLAlchemy, opens
and checks the database and builds the services (a worker importing modules while the window is being drawn
would take the interpreter lock from it).
"""

from __future__ import annotations

import gc
import logging
import sys
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QEvent, QObject, QTimer
from PySide6.QtWidgets import QApplication, QWidget

from counter_app.errors import CounterError
from counter_app.ui.qt.fonts import load_app_fonts
from counter_app.ui.qt.gc_guard import UiThreadCollector, collect_garbage_on_ui_thread
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.qt.vietnamese import install_vietnamese
from counter_app.ui.shell.main_window import MainWindow

if TYPE_CHECKING:
    import argparse

    from counter_app.domain.clock import Clock
    from counter_app.services.common.settings import Settings
    from counter_app.services.registry import Services
    from counter_app.ui.code_scanners.serial import SerialScanner
    from counter_app.ui.code_scanners.wedge import ScannerFilter
    from counter_app.ui.shell.maintenance_watch import MaintenanceWatcher
    from counter_app.ui.shell.session import SessionGuard

log = logging.getLogger(__name__)

FIRST_PAINT_FALLBACK_MS = 1000  # a window started minimised is never painted: start the rest anyway
# The quick check reads the whole database file: not while the window loads its first views.
MAINTENANCE_DELAY_MS = 5000
# How long a busy worker thread keeps the interpreter lock when the UI thread wants it (Python's default is 5 ms):
# with a sync and a render running in two workers, the UI thread lost the lock several times in a row and the
# window froze for 30-60 ms; at 1 ms the longest freeze measured stays under 35 ms (make bench), the sync as fast.
SWITCH_INTERVAL_S = 0.001


def skip_pyside_source_scan() -> None:
    """Make PySide6's check of each newly imported module cheap.

    After PySide6 is imported, every module imported (SQLAlchemy's hundreds included) is checked for the word
    "PySide6" in its source, through `inspect.getsource`, which tokenizes the file into linecache and keeps it
    there: about a sixth of the services' import time, and every source in memory. The check serves the
    `from __feature__ import ...` switches, which this application does not use. The same answer is read from
    the file's bytes; a binding without the check is left alone.
    """
    feature = sys.modules.get("shibokensupport.feature")
    if feature is None or not callable(getattr(feature, "_mod_uses_pyside", None)):
        return

    def mod_uses_pyside(module: Any) -> bool:
        path = getattr(module, "__file__", None)
        if not isinstance(path, str) or not path.endswith(".py"):
            return False  # built-in, extension or frozen module: inspect.getsource fails on those too
        try:
            return b"PySide6" in Path(path).read_bytes()
        except OSError:
            return False

    feature._mod_uses_pyside = mod_uses_pyside  # type: ignore[attr-defined]  # the binding's private hook


def choose_database(args: argparse.Namespace) -> tuple[Path, Clock]:
    """The database and clock the command line would use: --db / COUNTER_APP_DB, --now / COUNTER_APP_NOW, --demo."""
    import os

    from counter_app.paths import default_database, demo_database
    from counter_app.services.common.clock import DrillClock, SystemClock, parse_local_moment

    now_text = getattr(args, "now", None) or os.environ.get("COUNTER_APP_NOW")
    clock: Clock = DrillClock(parse_local_moment(now_text, "now")) if now_text else SystemClock()
    db_text = getattr(args, "db", None) or os.environ.get("COUNTER_APP_DB")
    fallback = demo_database() if getattr(args, "demo", False) else default_database()
    path = Path(db_text) if db_text else fallback
    return path.expanduser().resolve(), clock


def open_services(db_path: Path, clock: Clock, demo: bool) -> Services:
    """Runs in the write worker: bootstrap imports SQLAlchemy (slow), opens and upgrades the database."""
    from counter_app.bootstrap import build_services

    services = build_services(db_path, clock)
    if demo:
        services.setup.ensure_demo_profile()
    services.audit.preload_key()
    log.info("services ready")
    return services


def log_dir() -> Path:
    from counter_app.paths import log_dir as platform_log_dir

    return platform_log_dir()


class AfterFirstPaint(QObject):
    """Calls `then` once, just after `widget`'s first paint, or after `fallback_ms` if it has not been painted."""

    def __init__(self, widget: QWidget, then: Callable[[], object], fallback_ms: int = FIRST_PAINT_FALLBACK_MS) -> None:
        super().__init__(widget)
        self._widget = widget
        self._then = then
        self._called = False
        widget.installEventFilter(self)
        QTimer.singleShot(fallback_ms, self, self._call)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:  # noqa: N802 - Qt override
        if watched is self._widget and event.type() == QEvent.Type.Paint and not self._called:
            QTimer.singleShot(0, self, self._call)  # once this paint is on screen
        return False

    def _call(self) -> None:
        if not self._called:
            self._called = True
            self._widget.removeEventFilter(self)
            self._then()


@dataclass
class RunningApp:
    app: QApplication
    window: MainWindow
    runner: TaskRunner
    collector: UiThreadCollector
    # set once the window has been painted (start_rest)
    scanner: ScannerFilter | None = None
    serial_scanner: SerialScanner | None = None
    session: SessionGuard | None = None
    maintenance: MaintenanceWatcher | None = None


def start_app(args: argparse.Namespace) -> RunningApp:
    """Everything before the event loop: the window is shown; the rest starts once the event loop has run."""
    skip_pyside_source_scan()
    sys.setswitchinterval(SWITCH_INTERVAL_S)
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("counter_app")
    app.setApplicationDisplayName("Bộ phận Một cửa")
    collector = collect_garbage_on_ui_thread(app)  # before any worker starts: Qt objects die on the UI thread
    load_app_fonts(app)
    install_vietnamese(app)  # before any widget: the calendar's names and the standard buttons' labels
    runner = TaskRunner(app)
    window = MainWindow(runner, offer_first_run=True)
    window.show()
    running = RunningApp(app, window, runner, collector)
    AfterFirstPaint(window, partial(start_rest, running, args))
    return running


def start_rest(running: RunningApp, args: argparse.Namespace) -> None:
    """After the first paint: logging to its file, scanner, session guard, maintenance, then the services."""
    from counter_app.logging_setup import configure_logging
    from counter_app.ui.code_scanners.wedge import ScannerFilter
    from counter_app.ui.shell.maintenance_watch import MaintenanceWatcher
    from counter_app.ui.shell.session import SessionGuard
    from counter_app.ui.widgets.errors import install_exception_hook, show_error

    configure_logging(log_dir())
    # Until here an exception propagates out of start_app (the event loop has not run): the hook is for the
    # ones raised in slots and callbacks, which Qt would otherwise swallow after printing them.
    install_exception_hook()
    app, window, runner = running.app, running.window, running.runner
    running.scanner = ScannerFilter(app)
    app.installEventFilter(running.scanner)
    window.connect_scanner(running.scanner)
    running.session = session = SessionGuard(window, runner)
    # after the services are ready: quick integrity check, then the daily backup
    running.maintenance = MaintenanceWatcher(window, runner)
    window.connect_maintenance(running.maintenance)  # its state in the start-up summary, never in a box
    window.sig_services_ready.connect(partial(_start_maintenance, running.maintenance, window, runner))
    window.sig_services_ready.connect(_freeze_startup_objects)
    window.sig_services_ready.connect(partial(_start_serial_scanner, running))
    try:
        db_path, clock = choose_database(args)
    except CounterError as exc:
        show_error(window, exc)
    else:
        runner.run_serial(
            open_services,
            db_path,
            clock,
            bool(getattr(args, "demo", False)),
            on_done=session.start,
            on_error=window.on_services_failed,
        )


def _freeze_startup_objects() -> None:
    """The modules, classes and services loaded so far live as long as the window: out of the garbage
    collector's sight. A full collection then reads only what was made since, instead of pausing every thread
    (the UI's included) for tens of milliseconds while a worker renders or syncs. No collection first: it
    would be such a pause, and what little garbage is frozen with them is a few kilobytes."""
    gc.freeze()


def _start_serial_scanner(running: RunningApp) -> None:
    """The keyboard wedge's timing and affixes; a scanner set to USB-COM, when a port is configured, read in its
    own thread (the settings are read in a worker)."""
    services = running.window.services
    if services is None or running.serial_scanner is not None:
        return

    def start(settings: Settings) -> None:
        if running.scanner is not None:
            running.scanner.configure(
                max_gap=settings.wedge_max_gap_ms / 1000, prefix=settings.wedge_prefix, suffix=settings.wedge_suffix
            )
        if not settings.code_scanner_port or running.serial_scanner is not None:
            return
        from counter_app.ui.code_scanners.serial import SerialScanner

        scanner = SerialScanner(settings.code_scanner_port, settings.code_scanner_baud, running.app)
        running.window.connect_serial_scanner(scanner)
        running.serial_scanner = scanner
        scanner.start()

    running.runner.run_pooled(services.settings.current, on_done=start)


def _start_maintenance(maintenance: MaintenanceWatcher, window: MainWindow, runner: TaskRunner) -> None:
    """A few seconds later, the integrity and backup services are built in a worker (their modules import
    cryptography), then the quick check and the daily backup start."""
    services = window.services
    if services is None:
        return

    def build() -> object:
        return services.integrity

    def start(_integrity: object) -> None:
        maintenance.start(services)

    QTimer.singleShot(MAINTENANCE_DELAY_MS, maintenance, partial(runner.run_pooled, build, on_done=start))


def stop_app(running: RunningApp) -> None:
    """After the event loop: a write that started before the window closed is finished, never cut off."""
    running.runner.wait_for_workers()
    if running.serial_scanner is not None:
        running.serial_scanner.stop()
    if running.scanner is not None:
        running.app.removeEventFilter(running.scanner)
    if running.window.services is not None:
        running.window.services.close()
    running.collector.stop()  # no worker left: the interpreter's own collection is safe again
    log.info("window closed")


def run_app(args: argparse.Namespace) -> int:
    running = start_app(args)
    try:
        return int(running.app.exec())
    finally:
        stop_app(running)
