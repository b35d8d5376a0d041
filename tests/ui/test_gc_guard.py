"""Garbage cycles holding Qt objects are destroyed on the UI thread, never on a worker (gc_guard)."""

from __future__ import annotations

import gc
import subprocess
import sys
import threading
from typing import Any

import PySide6
from PySide6.QtCore import QObject

from counter_app.ui.qt.gc_guard import VERIFIED_ON, UiThreadCollector


class _Tracked(QObject):
    def __init__(self, finalized_on: list[int]) -> None:
        super().__init__()
        self.finalized_on = finalized_on
        self.myself = self  # a cycle: only the cyclic collector can free it

    def __del__(self) -> None:
        self.finalized_on.append(threading.get_ident())


def _allocate_in_a_worker() -> list[Any]:
    """What a query does: a worker builds objects that outlive it (its result, handed to the UI thread)."""
    result: list[Any] = []
    worker = threading.Thread(target=lambda: result.extend([index] for index in range(20_000)))
    worker.start()
    worker.join()
    return result


def _thread_that_destroys_a_qt_cycle(qtbot: Any) -> int:
    finalized_on: list[int] = []
    gc.collect()  # counts at zero: the next collection is due to the worker's allocations, not earlier ones
    _Tracked(finalized_on)  # dropped at once: garbage as soon as a collection looks at it
    result = _allocate_in_a_worker()
    qtbot.waitUntil(lambda: bool(finalized_on), timeout=5_000)
    del result
    return finalized_on[0]


def test_qt_cycles_die_on_the_ui_thread_while_the_collector_runs(qtbot: Any, ui_thread_gc: UiThreadCollector) -> None:
    ui_thread = threading.get_ident()
    ui_thread_gc.stop()
    assert gc.isenabled()
    # CPython's own policy: the thread that allocates collects, here a worker (what crashed the test suite)
    assert _thread_that_destroys_a_qt_cycle(qtbot) != ui_thread
    ui_thread_gc.start()
    assert not gc.isenabled()
    before = ui_thread_gc.collections
    assert _thread_that_destroys_a_qt_cycle(qtbot) == ui_thread
    assert ui_thread_gc.collections > before


def test_collect_due_follows_the_thresholds(qapp: Any) -> None:
    collector = UiThreadCollector()
    saved = gc.get_threshold()
    try:
        collector.start()
        gc.collect()
        gc.set_threshold(1_000_000, 10, 10)
        assert collector.collect_due() == -1  # nothing allocated past the threshold: no pause
        gc.set_threshold(1, 1_000_000, 10)
        kept = [[index] for index in range(100)]
        assert collector.collect_due() == 0
        assert gc.get_count()[0] < len(kept)
    finally:
        gc.set_threshold(*saved)
        collector.stop()


def test_the_collector_is_still_the_one_gc_guard_was_checked_on() -> None:
    """An upgrade of Python or of PySide6 fails here: re-check gc_guard's policy on it, then update VERIFIED_ON."""
    implementation, version, binding = VERIFIED_ON
    assert (sys.implementation.name, sys.version_info[:2], PySide6.__version__) == (implementation, version, binding)
    # what collect_due reads and calls: three generations, their counts and thresholds, a collection per generation
    fresh = subprocess.run(
        [sys.executable, "-c", "import gc; print(gc.isenabled(), gc.get_threshold(), len(gc.get_count()))"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert fresh.stdout.split("\n")[0] == "True (700, 10, 10) 3"
    assert all(isinstance(gc.collect(generation), int) for generation in (0, 1, 2))
    assert isinstance(gc.get_objects(generation=2), list)


def test_a_disabled_collector_never_runs_by_itself() -> None:
    """What start() relies on: after gc.disable(), allocations past every threshold start no collection in any
    thread; enabled again, they do."""
    started: list[int] = []

    def note(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            started.append(info["generation"])

    was_enabled = gc.isenabled()
    gc.callbacks.append(note)
    try:
        gc.disable()
        kept = [[index] for index in range(50 * gc.get_threshold()[0])]
        worker = threading.Thread(target=lambda: kept.extend([index] for index in range(50_000)))
        worker.start()
        worker.join()
        assert started == []
        assert gc.get_count()[0] > gc.get_threshold()[0]
        gc.enable()
        kept.extend([index] for index in range(10 * gc.get_threshold()[0]))
        assert started
    finally:
        gc.callbacks.remove(note)
        if not was_enabled:
            gc.disable()
