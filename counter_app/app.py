"""The Qt application: QApplication, Noto Sans, logging, the exception hook, the window, then the services."""

from __future__ import annotations

import argparse
import logging
import os
import sys
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any

from PySide6.QtWidgets import QApplication

from counter_app.domain.clock import Clock
from counter_app.errors import CounterError
from counter_app.logging_setup import configure_logging
from counter_app.paths import default_database, demo_database, log_dir
from counter_app.services.clock import DrillClock, SystemClock, parse_local_moment
from counter_app.ui.errors import install_exception_hook, show_error
from counter_app.ui.fonts import load_app_fonts
from counter_app.ui.main_window import MainWindow
from counter_app.ui.maintenance import MaintenanceWatcher
from counter_app.ui.scanner import ScannerFilter
from counter_app.ui.session import SessionGuard
from counter_app.ui.task_runner import TaskRunner

log = logging.getLogger(__name__)


def choose_database(args: argparse.Namespace) -> tuple[Path, Clock]:
    """The database and clock the command line would use: --db / COUNTER_APP_DB, --now / COUNTER_APP_NOW, --demo."""
    now_text = getattr(args, "now", None) or os.environ.get("COUNTER_APP_NOW")
    clock: Clock = DrillClock(parse_local_moment(now_text, "now")) if now_text else SystemClock()
    db_text = getattr(args, "db", None) or os.environ.get("COUNTER_APP_DB")
    fallback = demo_database() if getattr(args, "demo", False) else default_database()
    path = Path(db_text) if db_text else fallback
    return path.expanduser().resolve(), clock


def open_services(db_path: Path, clock: Clock, demo: bool) -> Any:
    """Runs in the write worker: bootstrap imports SQLAlchemy (slow), opens and upgrades the database."""
    from counter_app.bootstrap import build_services

    services = build_services(db_path, clock)
    if demo:
        services.setup.ensure_demo_profile()
    # events record who was at the counter: the signed-in account (ui.session) or, without accounts, the clerk
    # named in this installation's settings
    services.context.clerk = services.context.clerk or services.context.settings().clerk_name
    services.audit.preload_key()
    log.info("services ready")
    return services


@dataclass
class RunningApp:
    app: QApplication
    window: MainWindow
    runner: TaskRunner
    scanner: ScannerFilter
    session: SessionGuard


def start_app(args: argparse.Namespace) -> RunningApp:
    """Everything before the event loop: the window is shown first, the services are built in the worker."""
    configure_logging(log_dir())
    existing = QApplication.instance()
    app = existing if isinstance(existing, QApplication) else QApplication(sys.argv[:1])
    app.setApplicationName("counter_app")
    app.setApplicationDisplayName("Bộ phận Một cửa")
    load_app_fonts(app)
    install_exception_hook()
    runner = TaskRunner(app)
    scanner = ScannerFilter(app)
    app.installEventFilter(scanner)
    window = MainWindow(runner, scanner=scanner, offer_first_run=True)
    session = SessionGuard(window, runner)
    # after the window is shown and the services are ready: quick integrity check, then the daily backup
    maintenance = MaintenanceWatcher(window, runner)
    window.sig_services_ready.connect(partial(_start_maintenance, maintenance, window))
    window.show()
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
    return RunningApp(app, window, runner, scanner, session)


def _start_maintenance(maintenance: MaintenanceWatcher, window: MainWindow, *_args: object) -> None:
    if window.services is not None:
        maintenance.start(window.services)


def stop_app(running: RunningApp) -> None:
    """After the event loop: a write that started before the window closed is finished, never cut off."""
    running.runner.wait_for_workers()
    running.app.removeEventFilter(running.scanner)
    if running.window.services is not None:
        running.window.services.close()
    log.info("window closed")


def run_app(args: argparse.Namespace) -> int:
    running = start_app(args)
    try:
        return int(running.app.exec())
    finally:
        stop_app(running)
