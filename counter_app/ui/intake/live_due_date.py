"""LiveDueDate: the intake form's due date, recomputed off the UI thread as the procedure and the clock move."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer
from PySide6.QtWidgets import QLabel

from counter_app.services.common.views import AppointmentView, ProcedureView
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.formatting import vn_appointment

if TYPE_CHECKING:
    from counter_app.services.registry import Services


def _appointment(services: Services, days: int, cutoff: str | None, generation: int) -> tuple[int, AppointmentView]:
    """Runs in a worker: the due date of a dossier received now."""
    return generation, services.calendar.appointment(services.clock.now(), days, cutoff)


class LiveDueDate(QObject):
    """Keeps a label on the due date of a dossier received now; an answer overtaken by a newer one is dropped."""

    def __init__(
        self,
        services: Services,
        runner: TaskRunner,
        label: QLabel,
        procedure: Callable[[], ProcedureView | None],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._label = label
        self._procedure = procedure
        self._generation = 0
        self._timer = QTimer(self, interval=60_000)
        self._timer.timeout.connect(self.refresh)
        self._timer.start()

    def refresh(self) -> None:
        proc = self._procedure()
        self._generation += 1
        if proc is None:
            self._label.setText("Chọn thủ tục để tính ngày hẹn trả.")
            return
        self._runner.run_pooled(
            _appointment, self._services, proc.days, proc.same_day_cutoff, self._generation, on_done=self._on_due
        )

    def _on_due(self, result: tuple[int, AppointmentView]) -> None:
        generation, appointment = result
        if generation != self._generation:
            return
        text = vn_appointment(appointment.due)
        if appointment.estimated:
            text += " (theo lịch ước tính)"
        self._label.setText(text)
