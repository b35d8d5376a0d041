"""The sync controls against a real central behind the sync service (TLS): "Đồng bộ ngay", the status bar, an
unreachable service."""

from __future__ import annotations

import itertools
import os
import re
import socket
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from integration.sync_helpers import AGENCY_A, AGENCY_NAMES, Central, accept_many
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMessageBox, QToolBar
from support.pg_cluster import PgCluster

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.services.common.clock import DrillClock
from counter_app.storage import restore_hold
from counter_app.sync.central_admin import add_agency, init_central
from counter_app.sync.central_url import parse_central_url
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.main_window import MainWindow

UNREACHABLE = "Không kết nối được dịch vụ đồng bộ của thành phố"
_databases = itertools.count(1)

DRILL_START = datetime(2026, 3, 2, 9, 0, tzinfo=VN_TZ)  # a Monday, a working day


@pytest.fixture
def central(pg_cluster: PgCluster) -> Iterator[Central]:
    dbname = f"central_ui_sync_{os.getpid()}_{next(_databases)}"
    pg_cluster.create_database(dbname)
    admin = parse_central_url(pg_cluster.url(dbname))
    init_central(admin, None)
    add_agency(admin, None, code=AGENCY_A, name=AGENCY_NAMES[AGENCY_A])
    central = Central(pg_cluster, dbname)
    yield central
    central.close()  # the sync service it started
    pg_cluster.drop_database(dbname)


@pytest.fixture
def counter(tmp_path: Path) -> Iterator[Services]:
    # the counter's clock is a drill clock from a fixed moment: what the panel shows is checked against it, not
    # against the wall clock (the sync's clock check compares the machine's own clock with the central's)
    services = build_services(tmp_path / "counter" / "counter.db", DrillClock(DRILL_START))
    services.setup.init_local(agency_code=AGENCY_A, agency_name=AGENCY_NAMES[AGENCY_A], counter=1)
    yield services
    services.close()


@pytest.fixture
def counter_runner(qapp: QApplication, counter: Services, task_errors: list[Any]) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    runner.error_presenter = task_errors.append
    yield runner
    runner.wait_for_workers()
    QApplication.processEvents()


def _window(qtbot: Any, runner: TaskRunner, services: Services) -> MainWindow:
    window = MainWindow(runner, open_documents=False)
    qtbot.addWidget(window)
    window.show()
    with qtbot.waitSignal(window.sync_panel.sig_status_shown, timeout=5000):
        window.set_services(services)
    return window


def _click_sync(qtbot: Any, window: MainWindow) -> Any:
    toolbar = window.findChild(QToolBar, "mainToolbar")
    assert toolbar is not None
    button = toolbar.widgetForAction(window.sync_panel.action)
    assert button is not None and button.isEnabled()
    with qtbot.waitSignal(window.sync_panel.sig_sync_done, timeout=60_000) as blocker:
        qtbot.mouseClick(button, Qt.MouseButton.LeftButton)
    return blocker.args


def _set_central(central: Central, counter: Services) -> None:
    """Counter 1 registered on the central, its credential kept (in the system keyring), the settings naming the
    sync service and the city's CA: what the settings dialog saves."""
    counter.settings.save(
        {"central_url": central.service_url(), "central_ca_file": central.ca_file}, central.credential(AGENCY_A, 1)
    )


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def test_sync_now_reaches_the_central(
    qtbot: Any,
    central: Central,
    counter: Services,
    counter_runner: TaskRunner,
    task_errors: list[Any],
    secret_service_env: dict[str, str],
) -> None:
    _set_central(central, counter)
    taken = accept_many(counter, 3)
    unsent = counter.sync.pending_count()
    window = _window(qtbot, counter_runner, counter)
    panel = window.sync_panel
    assert panel.status_label.text() == "Đồng bộ lần cuối: chưa đồng bộ"
    assert unsent >= 3  # each intake records at least its opening event
    assert panel.pending_label.text() == f"· Chưa gửi: {unsent}"
    with qtbot.waitSignal(window.sig_dossier_opened, timeout=5000):
        window.open_dossier(taken[0].uuid)
    label = window.dossier_sync_labels[taken[0].uuid]
    qtbot.waitUntil(lambda: label.text() == "Đồng bộ: chưa đồng bộ", timeout=5000)

    complete, _report = _click_sync(qtbot, window)
    assert complete is True
    qtbot.waitUntil(lambda: panel.pending_label.text() == "· Chưa gửi: 0", timeout=5000)
    shown = re.fullmatch(r"Đồng bộ lần cuối: (\d\d/\d\d/\d{4} \d\d:\d\d)", panel.status_label.text())
    assert shown is not None
    at = datetime.strptime(shown.group(1), "%d/%m/%Y %H:%M").replace(tzinfo=VN_TZ)
    assert DRILL_START <= at <= counter.context.clock.now()  # the moment of the sync on the counter's clock
    assert not panel.progress.isVisible() and not panel.cancel_button.isVisible()
    qtbot.waitUntil(lambda: label.text() == "Đồng bộ: đã đồng bộ", timeout=5000)
    assert central.count("SELECT count(*) FROM central.event") == unsent
    assert task_errors == []


def test_unreachable_central_loses_nothing(
    qtbot: Any,
    counter: Services,
    counter_runner: TaskRunner,
    task_errors: list[Any],
    secret_service_env: dict[str, str],
) -> None:
    counter.settings.save({"central_url": f"https://127.0.0.1:{_closed_port()}"}, "cc1." + "A" * 43)
    accept_many(counter, 2)
    before = counter.sync.pending_count()
    assert before > 0
    window = _window(qtbot, counter_runner, counter)

    complete, error = _click_sync(qtbot, window)
    assert complete is False
    box = window.findChild(QMessageBox, "errorBox")
    assert box is not None and UNREACHABLE in box.text()
    assert UNREACHABLE in str(error)
    box.close()
    assert counter.sync.pending_count() == before
    qtbot.waitUntil(lambda: window.sync_panel.pending_label.text() == f"· Chưa gửi: {before}", timeout=5000)
    assert window.sync_panel.action.isEnabled()  # the clerk may try again

    # the automatic sync says it in the status bar, never in a message box
    with qtbot.waitSignal(window.sync_panel.sig_sync_done, timeout=60_000):
        window.sync_panel.auto_sync()
    assert UNREACHABLE in window.statusBar().currentMessage()
    assert [b for b in window.findChildren(QMessageBox, "errorBox") if b.isVisible()] == []
    assert counter.sync.pending_count() == before
    assert task_errors == []


def test_a_restored_database_syncs_as_soon_as_the_window_opens(
    qtbot: Any,
    central: Central,
    counter: Services,
    counter_runner: TaskRunner,
    task_errors: list[Any],
    secret_service_env: dict[str, str],
) -> None:
    _set_central(central, counter)
    accept_many(counter, 2)
    with counter.context.uow(write=True) as uow:  # what BackupService.restore leaves on the restored file
        uow.settings.put(restore_hold.RESTORED_KEY, "2026-11-24T17:30:00+07:00")
        uow.commit()
    assert counter.sync.on_hold()

    window = MainWindow(counter_runner, open_documents=False)
    qtbot.addWidget(window)
    window.show()
    panel = window.sync_panel
    with qtbot.waitSignal(panel.sig_sync_done, timeout=60_000) as done:  # nobody clicks
        window.set_services(counter)
    assert done.args[0] is True
    assert not counter.sync.on_hold()
    qtbot.waitUntil(lambda: panel.status_label.text().startswith("Đồng bộ lần cuối: "), timeout=5000)
    assert panel.pending_label.text() == "· Chưa gửi: 0"
    accept_many(counter, 1, start=2)  # writes again
    assert task_errors == []
