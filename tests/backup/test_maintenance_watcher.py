"""The window's maintenance: the quick check after start (with the recovery plan) and the daily backup."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

from collections.abc import Iterator
from datetime import datetime
from typing import Any

import keyring.core
import pytest
from backup.backup_support import PASSPHRASE, Counter, corrupt_middle
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget
from ui.ui_support import settle

from counter_app.bootstrap import build_maintenance, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.maintenance_watch import MaintenanceWatcher
from counter_app.ui.shell.startup_summary import StartupSummary


class Clock:
    def now(self) -> datetime:
        return datetime(2026, 3, 2, 7, 30, tzinfo=VN_TZ)


@pytest.fixture
def window(qtbot: Any) -> QWidget:
    widget = QWidget()
    qtbot.addWidget(widget)
    return widget


@pytest.fixture
def runner(qapp: Any) -> Iterator[TaskRunner]:
    runner = TaskRunner()
    yield runner
    runner.wait_for_workers()


def test_a_sound_database_is_backed_up_once_a_day(
    qtbot: Any, window: QWidget, runner: TaskRunner, counter: Counter, secret_service_env: dict[str, str]
) -> None:
    services = build_services(counter.db, Clock())
    try:
        watcher = MaintenanceWatcher(window, runner)
        with qtbot.waitSignal(watcher.sig_checked) as checked, qtbot.waitSignal(watcher.sig_backup_done) as done:
            watcher.start(services)
        assert checked.args == [None]
        result = done.args[0]
        assert result is not None
        assert result.info.path.parent == counter.backups
        with qtbot.waitSignal(watcher.sig_backup_done) as again:
            watcher.backup_if_due()  # the hourly timer, the same day
        assert again.args == [None]
        assert len(counter.backup_files()) == 1
        assert watcher.damage is None
    finally:
        runner.wait_for_workers()
        services.close()


def test_a_damaged_database_is_reported_with_the_latest_backup_and_not_backed_up(
    qtbot: Any, window: QWidget, runner: TaskRunner, counter: Counter
) -> None:
    maintenance = build_maintenance(counter.db, Clock())
    try:
        backup = maintenance.backup.create_backup(passphrase=PASSPHRASE).info.path
        corrupt_middle(counter.db, pages=3)
        watcher = MaintenanceWatcher(window, runner)
        summary = StartupSummary(window)
        summary.follow_maintenance(watcher)
        summary.show_once()
        summary.hide_button.click()  # hidden by the clerk before the check answers: the damage shows it again
        window.show()
        with qtbot.waitSignal(watcher.sig_checked) as checked:
            watcher.start(maintenance)
        plan = checked.args[0]
        assert plan is not None
        assert plan.backup.path == backup
        assert watcher.damage is plan
        # no box takes the focus: a red row in the start-up summary that the clerk cannot hide
        assert QApplication.activeModalWidget() is None
        assert [w for w in QApplication.topLevelWidgets() if isinstance(w, QMessageBox) and w.isVisible()] == []
        assert summary.isVisible() and summary.damage_label.isVisible()
        assert not summary.hide_button.isVisible()
        text = summary.damage or ""
        assert summary.damage_label.text().startswith("<b>Cơ sở dữ liệu bị hỏng.</b>")
        assert "bị hỏng" in text and str(backup) in text and plan.command in text
        assert "Sao lưu" in text  # where the administrator acts
        watcher.backup_if_due()
        settle(qtbot, runner)  # a backup, had one been started, would be written and reported by now
        assert counter.backup_files() == [backup]  # no backup of the damaged file
    finally:
        runner.wait_for_workers()
        maintenance.close()


def test_a_failing_automatic_backup_is_shown_once(
    qtbot: Any, window: QWidget, runner: TaskRunner, counter: Counter, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("PYTHON_KEYRING_BACKEND", "keyring.backends.fail.Keyring")
    keyring.core.init_backend()
    maintenance = build_maintenance(counter.db, Clock())
    try:
        watcher = MaintenanceWatcher(window, runner)
        problems: list[str] = []
        watcher.sig_backup_problem.connect(problems.append)
        with qtbot.waitSignal(watcher.sig_backup_failed):
            watcher.start(maintenance)
        assert QApplication.activeModalWidget() is None  # no box: the window's summary and message line say it
        assert len(problems) == 1 and "kho khóa" in problems[0]
        assert "quản trị viên" in problems[0]
        with qtbot.waitSignal(watcher.sig_backup_failed):
            watcher.backup_if_due()
        assert problems == [watcher.backup_problem]  # not a second message an hour later
    finally:
        runner.wait_for_workers()
        maintenance.close()
        monkeypatch.undo()
        keyring.core.init_backend()
