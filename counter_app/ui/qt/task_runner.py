"""TaskRunner: service calls off the UI thread; one serial worker for database writes, a pool for the rest."""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

import shiboken6
from PySide6.QtCore import QObject, QRunnable, QThreadPool, Signal

from counter_app.errors import CounterError
from counter_app.ui.qt.qt_compat import emit

log = logging.getLogger(__name__)

Callback = Callable[[Any], None]
Binder = Callable[[Callable[[], Any]], Callable[[], Any]]
"""Wraps a call when it is queued, to run it later with what held at that moment (Services.bound_to_acting_clerk)."""


@dataclass
class _Pending:
    on_done: Callback | None
    on_error: Callback | None


class _Task(QRunnable):
    """Runs in a worker thread: calls the service, then hands the outcome to the runner by a queued signal."""

    def __init__(self, task_id: int, fn: Callable[[], Any], runner: TaskRunner) -> None:
        super().__init__()
        self.setAutoDelete(True)
        self._task_id = task_id
        self._fn = fn
        self._runner = runner

    def run(self) -> None:
        try:
            result = self._fn()
        except Exception as exc:
            if not isinstance(exc, CounterError):
                log.error("background task failed: %s", type(exc).__name__, exc_info=exc)
            emit(self._runner._sig_outcome, self._task_id, False, exc)
        else:
            emit(self._runner._sig_outcome, self._task_id, True, result)


def _alive(callback: Callback | None) -> bool:
    """False when the callback is a method of a Qt object already deleted (its screen was closed)."""
    owner = getattr(callback, "__self__", None)
    return callback is not None and (not isinstance(owner, QObject) or shiboken6.isValid(owner))


class TaskRunner(QObject):
    """Runs callables off the UI thread and delivers each outcome on the UI thread.

    `run_serial` is for anything that writes the database: one worker, so the window's writes never compete
    with each other (other processes are handled by SQLite's busy timeout). `run_pooled` is for reads and
    rendering. The callables must not touch widgets; the callbacks (bound methods) run on the UI thread.
    """

    sig_finished = Signal(int, object)
    """A task finished: its id and its result, on the UI thread."""
    sig_failed = Signal(int, object)
    """A task raised: its id and the exception, on the UI thread."""
    sig_idle = Signal()
    """No task is pending any more."""

    _sig_outcome = Signal(int, bool, object)  # emitted from workers; queued to the UI thread

    def __init__(self, parent: QObject | None = None, *, pool_threads: int = 2) -> None:
        super().__init__(parent)
        self._serial = QThreadPool(self)
        self._serial.setMaxThreadCount(1)
        self._pool = QThreadPool(self)
        self._pool.setMaxThreadCount(max(1, pool_threads))
        self._ids = itertools.count(1)
        self._pending: dict[int, _Pending] = {}
        self.error_presenter: Callback = self._present_error
        # set by the window once the services exist: every task acts as the person at the counter when it was
        # queued, whoever has signed in by the time it runs
        self.bind_actor: Binder | None = None
        self._sig_outcome.connect(self._deliver)

    @property
    def pending(self) -> int:
        return len(self._pending)

    def run_serial(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callback | None = None,
        on_error: Callback | None = None,
        **kwargs: Any,
    ) -> int:
        """Queue `fn(*args, **kwargs)` on the single database-write worker; returns the task id."""
        return self._start(self._serial, fn, args, kwargs, on_done, on_error)

    def run_pooled(
        self,
        fn: Callable[..., Any],
        *args: Any,
        on_done: Callback | None = None,
        on_error: Callback | None = None,
        **kwargs: Any,
    ) -> int:
        """Run `fn(*args, **kwargs)` on the pool (reads, rendering); returns the task id."""
        return self._start(self._pool, fn, args, kwargs, on_done, on_error)

    def _start(
        self,
        pool: QThreadPool,
        fn: Callable[..., Any],
        args: tuple[Any, ...],
        kwargs: dict[str, Any],
        on_done: Callback | None,
        on_error: Callback | None,
    ) -> int:
        task_id = next(self._ids)
        self._pending[task_id] = _Pending(on_done, on_error)
        call: Callable[[], Any] = partial(fn, *args, **kwargs)
        if self.bind_actor is not None:
            call = self.bind_actor(call)
        pool.start(_Task(task_id, call, self))
        return task_id

    def _deliver(self, task_id: int, ok: bool, payload: object) -> None:
        pending = self._pending.pop(task_id, None)
        if ok:
            emit(self.sig_finished, task_id, payload)
            if pending is not None and _alive(pending.on_done):
                assert pending.on_done is not None
                pending.on_done(payload)
        else:
            emit(self.sig_failed, task_id, payload)
            if pending is not None and pending.on_error is not None:
                if _alive(pending.on_error):
                    pending.on_error(payload)
            else:
                self.error_presenter(payload)
        if not self._pending:
            emit(self.sig_idle)

    def _present_error(self, exc: Any) -> None:
        from PySide6.QtWidgets import QApplication

        from counter_app.ui.widgets.errors import show_error  # not at start-up: it imports the Qt namespace

        show_error(QApplication.activeWindow(), exc)

    def wait_for_workers(self, timeout_ms: int = 30_000) -> bool:
        """Block until both pools are empty (at shutdown, so a started write is never cut off)."""
        return bool(self._serial.waitForDone(timeout_ms)) and bool(self._pool.waitForDone(timeout_ms))
