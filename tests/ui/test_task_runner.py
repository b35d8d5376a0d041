"""TaskRunner: work off the UI thread, outcomes back on it, database writes one at a time."""

from __future__ import annotations

import threading
import time
from typing import Any

import shiboken6
from PySide6.QtCore import QObject
from PySide6.QtWidgets import QApplication

from counter_app.errors import RuleError
from counter_app.ui.qt.task_runner import TaskRunner


class Receiver(QObject):
    def __init__(self) -> None:
        super().__init__()
        self.results: list[Any] = []
        self.threads: list[int] = []

    def on_done(self, result: Any) -> None:
        self.threads.append(threading.get_ident())
        self.results.append(result)


def test_work_runs_off_the_ui_thread_and_returns_on_it(qtbot: Any, qapp: QApplication) -> None:
    runner = TaskRunner()
    receiver = Receiver()
    with qtbot.waitSignal(runner.sig_finished, timeout=3000) as finished:
        runner.run_serial(threading.get_ident, on_done=receiver.on_done)
    worker_thread = finished.args[1]
    assert worker_thread != threading.get_ident()
    assert receiver.results == [worker_thread]
    assert receiver.threads == [threading.get_ident()]
    assert runner.pending == 0


def test_errors_go_to_on_error_or_to_the_presenter(qtbot: Any, qapp: QApplication) -> None:
    runner = TaskRunner()
    shown: list[Any] = []
    runner.error_presenter = shown.append
    caught: list[Any] = []

    def refuse() -> None:
        raise RuleError("Không thể chuyển hồ sơ.")

    with qtbot.waitSignal(runner.sig_failed, timeout=3000):
        runner.run_pooled(refuse, on_error=caught.append)
    assert [e.message for e in caught] == ["Không thể chuyển hồ sơ."]
    assert shown == []
    with qtbot.waitSignal(runner.sig_idle, timeout=3000):
        runner.run_pooled(refuse)
    assert [e.message for e in shown] == ["Không thể chuyển hồ sơ."]


def test_serial_tasks_never_overlap_and_keep_their_order(qtbot: Any, qapp: QApplication) -> None:
    runner = TaskRunner()
    running = 0
    overlap = 0
    order: list[int] = []
    lock = threading.Lock()

    def write(n: int) -> int:
        nonlocal running, overlap
        with lock:
            running += 1
            overlap = max(overlap, running)
        time.sleep(0.01)
        order.append(n)
        with lock:
            running -= 1
        return n

    done: list[int] = []
    for n in range(6):
        runner.run_serial(write, n, on_done=done.append)
    qtbot.waitUntil(lambda: len(done) == 6, timeout=5000)
    assert overlap == 1
    assert order == done == list(range(6))


def test_callback_of_a_deleted_screen_is_skipped(qtbot: Any, qapp: QApplication) -> None:
    runner = TaskRunner()
    receiver = Receiver()
    gate = threading.Event()
    runner.run_pooled(gate.wait, 3, on_done=receiver.on_done)
    shiboken6.delete(receiver)  # the screen was closed while its work was running
    with qtbot.waitSignal(runner.sig_idle, timeout=3000):
        gate.set()
    assert runner.pending == 0
