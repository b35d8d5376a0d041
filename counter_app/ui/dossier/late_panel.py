"""The late-cases panel: dossiers that need an apology now, the day-start count, and the apology itself.

A place of the main window (its rail shows the count as a red badge); an overdue dossier without an apology is
listed first, in red, until it has one.
"""

from __future__ import annotations

import logging
from datetime import date
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtGui import QColor
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTableWidget,
    QTableWidgetItem,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.lateness import Lateness
from counter_app.errors import CounterError, FormInvalid, ValidationError
from counter_app.services.desk.late import LateView
from counter_app.ui.dossier.apology_dialog import ApologyDialog
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.errors import show_error
from counter_app.ui.widgets.formatting import vn_moment

if TYPE_CHECKING:
    from counter_app.services.common.changes import Changes
    from counter_app.services.documents.printed_documents import DocumentResult
    from counter_app.services.registry import Services

log = logging.getLogger(__name__)

REFRESH_MS = 5 * 60 * 1000  # re-evaluated every few minutes, which also catches the change of date
OVERDUE_RED = QColor("#b00020")
DUE_SOON_ORANGE = QColor("#a15c00")
COLUMNS = ("Mã hồ sơ", "Người nộp", "Thủ tục", "Hẹn trả", "Tình trạng", "Phiếu xin lỗi")


def _reappoint_and_render(services: Services, code: str, values: dict[str, Any]) -> DocumentResult:
    """In the write worker (where the document service is built): the apology, the new date, Mẫu 04."""
    return services.apology_letters.reappoint_with_letter(
        code, reason=values["reason"], new_date=values["new_date"], delivered=values["delivered"]
    )


class LatePanel(QWidget):
    sig_document_ready = Signal(object)
    """An apology letter was rendered: the DocumentResult, for preview and printing."""
    sig_counts = Signal(int, int)
    """After each evaluation: dossiers needing an apology now, and of those the overdue ones."""
    sig_day_prompt = Signal(int)
    """Once a day, at the first evaluation of that day: how many dossiers need an apology (for the start-up
    summary: no box takes the focus at start)."""
    sig_changed = Signal(object)
    """An apology was recorded: the Changes (its dossier and the queues)."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self._services: Services | None = None
        self._views: list[LateView] = []
        self._prompted_day: date | None = None
        self._dialog: ApologyDialog | None = None
        self.headline = QLabel("Hồ sơ cần lập phiếu xin lỗi: —")
        self.headline.setObjectName("late_headline")
        self.table = QTableWidget(0, len(COLUMNS))
        self.table.setHorizontalHeaderLabels(COLUMNS)
        self.table.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.table.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.table.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.table.horizontalHeader().setSectionResizeMode(QHeaderView.ResizeMode.ResizeToContents)
        self.table.horizontalHeader().setStretchLastSection(True)
        self.table.itemSelectionChanged.connect(self._selection_changed)
        self.table.doubleClicked.connect(self.open_selected)
        self.apology_button = QPushButton("Lập phiếu xin lỗi…")
        self.apology_button.setEnabled(False)
        self.apology_button.clicked.connect(self.open_selected)
        refresh = QPushButton("Làm mới")
        refresh.clicked.connect(self.refresh)
        buttons = QHBoxLayout()
        buttons.addWidget(self.headline, 1)
        buttons.addWidget(refresh)
        buttons.addWidget(self.apology_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.addLayout(buttons)
        layout.addWidget(self.table)
        self._timer = QTimer(self)
        self._timer.setInterval(REFRESH_MS)
        self._timer.timeout.connect(self.refresh)

    def set_services(self, services: Services) -> None:
        self._services = services
        self._timer.start()
        self.refresh()

    def views(self) -> list[LateView]:
        return list(self._views)

    def refresh(self) -> None:
        if self._services is not None:
            self._runner.run_pooled(self._services.late.list_late, on_done=self._show)

    def _show(self, views: list[LateView]) -> None:
        self._views = views
        self.table.setRowCount(len(views))
        for row, view in enumerate(views):
            needs = not view.apology
            state = view.state.label + (" · báo lãnh đạo" if view.supervisor_flag else "")
            cells = (
                view.code,
                view.applicant_name,
                view.procedure_name,
                vn_moment(view.due),
                state,
                "CHƯA CÓ" if needs else "Đã xin lỗi, hẹn lại",
            )
            for column, text in enumerate(cells):
                item = QTableWidgetItem(text)
                if needs and view.state == Lateness.OVERDUE:
                    item.setForeground(OVERDUE_RED)
                elif needs:
                    item.setForeground(DUE_SOON_ORANGE)
                self.table.setItem(row, column, item)
        need = [v for v in views if not v.apology]
        overdue = [v for v in need if v.state == Lateness.OVERDUE]
        self.headline.setText(
            f"Hồ sơ cần lập phiếu xin lỗi: <b>{len(need)}</b> · "
            f"<span style='color:#b00020'>quá hạn chưa xin lỗi: <b>{len(overdue)}</b></span>"
        )
        self._selection_changed()
        emit(self.sig_counts, len(need), len(overdue))
        self._prompt_for_day(len(need))

    def _prompt_for_day(self, need: int) -> None:
        """Once a day, at the first evaluation of that day, tell the window how many apologies are due."""
        assert self._services is not None  # views are shown only once the services exist
        today = self._services.clock.now().date()
        if need == 0 or self._prompted_day == today:
            return
        self._prompted_day = today
        emit(self.sig_day_prompt, need)

    def _selected(self) -> LateView | None:
        rows = self.table.selectionModel().selectedRows()
        return self._views[rows[0].row()] if rows else None

    def _selection_changed(self) -> None:
        view = self._selected()
        self.apology_button.setEnabled(view is not None and not view.apology)

    def open_selected(self, *_args: object) -> None:
        view = self._selected()
        if view is not None:
            self.open_apology(view)

    def open_apology(self, view: LateView) -> ApologyDialog:
        """The dialog for one dossier; it offers the first working day after today and after the appointment."""
        assert self._services is not None
        suggested = self._services.late.suggest_new_date(view.code)
        dialog = ApologyDialog(view, suggested, self)
        dialog.sig_submitted.connect(self._submit)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self._dialog = dialog
        dialog.open()
        return dialog

    def _submit(self, values: dict[str, Any]) -> None:
        dialog = self._dialog
        if dialog is None:
            return
        self._runner.run_serial(
            _reappoint_and_render,
            self._services,
            dialog.late.code,
            values,
            on_done=self._recorded,
            on_error=self._refused,
        )

    def _recorded(self, document: DocumentResult) -> None:
        from counter_app.services.common.changes import dossier_changed

        changes = dossier_changed(self._dialog.late.uuid) if self._dialog is not None else None
        if self._dialog is not None:
            self._dialog.accept()
            self._dialog = None
        emit(self.sig_document_ready, document)
        if changes is not None:
            emit(self.sig_changed, changes)
        self.refresh()

    def on_changes(self, changes: Changes, initiator: object = None) -> None:
        """After an action elsewhere or a sync: a dossier may have become late, or no longer be."""
        if initiator is not self and (changes.dossiers or changes.any_dossier or changes.calendar):
            self.refresh()

    def _refused(self, error: object) -> None:
        dialog = self._dialog
        if dialog is None:
            show_error(self, error if isinstance(error, BaseException) else RuntimeError(str(error)))
            return
        dialog.set_busy(False)
        if isinstance(error, FormInvalid):
            dialog.show_errors(error.errors)
        elif isinstance(error, ValidationError):
            dialog.show_errors({error.field: error.message})
        elif isinstance(error, CounterError):
            dialog.show_errors({"_general": error.message})
            self.refresh()  # a refused second re-appointment flags the dossier for the supervisor
        else:
            show_error(dialog, error if isinstance(error, BaseException) else RuntimeError(str(error)))
