"""Python's cyclic garbage collector, run on the UI thread only.

CPython collects in whichever thread happens to allocate past the threshold: in this application that is
usually a worker (a query, a sync, a rendering). A collection that finds a cycle holding a Qt object (a
closed dialog and a lambda connected to it, a widget and its model) then deletes that C++ object in the
worker while the UI thread may be using it or its parent: a segmentation fault, seen in the test suite
as "Garbage-collecting" on a pool thread. Qt objects must be destroyed on the thread they live in, so while
a window is up the automatic collector is off and this timer runs the same generational policy on the UI
thread. A collection held the interpreter lock, and so paused the UI, wherever it ran; here it comes in fewer,
larger steps: during a 10,000-dossier sync with a print, collections of the middle generation take 20-27 ms
on the UI thread (benchmark: longest UI stall, scripts/bench_ui.py).
"""

from __future__ import annotations

import gc

from PySide6.QtCore import QObject, QTimer

VERIFIED_ON = ("cpython", (3, 11), "6.12.0")
"""The interpreter (implementation, version) and PySide6 release this policy was checked on. CPython 3.12 starts
collections from the eval loop rather than at the allocation, 3.13 raised the first threshold, 3.14 made the
collector incremental; another binding release may delete Qt objects elsewhere. tests/ui/test_gc_guard.py fails
on any other, so that an upgrade re-checks this module first."""

CHECK_INTERVAL_MS = 100
"""How often the counts are compared with the thresholds; a check without a collection costs microseconds."""


class UiThreadCollector(QObject):
    """While started, garbage cycles are collected by `collect_due` on the UI thread's timer, never elsewhere."""

    def __init__(self, parent: QObject | None = None, *, interval_ms: int = CHECK_INTERVAL_MS) -> None:
        super().__init__(parent)
        self._timer = QTimer(self, interval=interval_ms)
        self._timer.timeout.connect(self.collect_due)
        self._restore = False
        self._long_lived = 0  # objects left in the oldest generation by the last full collection
        self._promoted = 0  # objects moved into it since
        self._middle = 0  # objects in the middle generation
        self.collections = 0
        """How many collections this collector ran (for tests and the benchmark)."""

    @property
    def active(self) -> bool:
        return self._timer.isActive()

    def start(self) -> None:
        if self.active:
            return
        self._restore = gc.isenabled()
        gc.disable()
        self._long_lived = len(gc.get_objects(generation=2))  # once: listing the objects costs a pause
        self._promoted = self._middle = 0
        self._timer.start()

    def stop(self) -> None:
        """Back to automatic collection (as it was before `start`), after one last check on this thread."""
        if not self.active:
            return
        self._timer.stop()
        self.collect_due()
        if self._restore:
            gc.enable()

    def collect_due(self) -> int:
        """Collect what CPython's own policy would collect now; returns the generation collected, or -1.

        Generation 0 past its threshold: collect it; generation 1 past its own too: collect up to 1; a full
        collection only when, besides, the objects promoted since the last one reach a quarter of those it
        left (CPython's rule against quadratic cost when a heap grows). The generations' sizes are followed
        from the counts and what each collection found, never by listing the objects (that costs a pause).
        """
        (young, middle, old), (young_max, middle_max, old_max) = gc.get_count(), gc.get_threshold()
        if young_max <= 0 or young <= young_max:
            return -1
        if middle > middle_max and old > old_max and self._promoted > self._long_lived // 4:
            found = gc.collect(2)
            self._long_lived = max(0, self._long_lived + self._promoted + self._middle + young - found)
            self._promoted = self._middle = 0
            generation = 2
        elif middle > middle_max:
            self._promoted += max(0, self._middle + young - gc.collect(1))
            self._middle = 0
            generation = 1
        else:
            self._middle += max(0, young - gc.collect(0))
            generation = 0
        self.collections += 1
        return generation


def collect_garbage_on_ui_thread(parent: QObject) -> UiThreadCollector:
    """Start a collector owned by `parent` (the application); it runs until stopped or the parent goes."""
    collector = UiThreadCollector(parent)
    collector.start()
    return collector
