"""The dashboard: dossiers received per day, on-time rate per month, overdue dossiers per deciding agency."""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from PySide6.QtCore import QRectF, Qt, Signal, Slot
from PySide6.QtGui import QColor, QFont, QPainter, QPaintEvent, QPen
from PySide6.QtWidgets import QGridLayout, QHBoxLayout, QLabel, QPushButton, QSizePolicy, QVBoxLayout, QWidget

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.formatting import vn_moment

if TYPE_CHECKING:
    from counter_app.services.registry import Services
    from counter_app.services.reports.report_views import DashboardView

BAR = QColor("#2f6ea5")
GOOD = QColor("#2e7d32")
WARN = QColor("#e08a00")
BAD = QColor("#c62828")
AXIS = QColor("#888888")
TEXT = QColor("#222222")
EMPTY_TEXT = "Chưa có số liệu"


class _Chart(QWidget):
    """A titled chart area; subclasses paint their bars inside `plot_area`."""

    def __init__(self, title: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.setMinimumSize(320, 190)
        self.setSizePolicy(QSizePolicy.Policy.Expanding, QSizePolicy.Policy.Expanding)

    def is_empty(self) -> bool:
        raise NotImplementedError

    def paint_chart(self, painter: QPainter, area: QRectF) -> None:
        raise NotImplementedError

    def paintEvent(self, event: QPaintEvent) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self)
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.fillRect(self.rect(), QColor("white"))
        title_font = QFont(self.font())
        title_font.setBold(True)
        painter.setFont(title_font)
        painter.setPen(TEXT)
        line = painter.fontMetrics().height()
        painter.drawText(QRectF(8, 4, self.width() - 16, line + 4), Qt.AlignmentFlag.AlignLeft, self.title)
        painter.setFont(self.font())
        area = QRectF(8, line + 14, self.width() - 16, self.height() - line - 22)
        if self.is_empty():
            painter.setPen(AXIS)
            painter.drawText(area, Qt.AlignmentFlag.AlignCenter, EMPTY_TEXT)
        else:
            self.paint_chart(painter, area)
        painter.end()


class DailyChart(_Chart):
    """Vertical bars: dossiers received on each of the last days."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Hồ sơ tiếp nhận theo ngày", parent)
        self.days: list[tuple[str, int]] = []  # (dd/mm, count)

    def set_days(self, days: list[tuple[str, int]]) -> None:
        self.days = days
        self.update()

    def is_empty(self) -> bool:
        return not self.days or not any(n for _d, n in self.days)

    def paint_chart(self, painter: QPainter, area: QRectF) -> None:
        metrics = painter.fontMetrics()
        label_height = metrics.height() + 2
        top = max(n for _d, n in self.days)
        plot = QRectF(area.left() + 4, area.top() + label_height, area.width() - 8, area.height() - 2 * label_height)
        step = plot.width() / len(self.days)
        fitting = max(1, int(plot.width() // (metrics.horizontalAdvance("00/00") + 10)))
        every = max(1, math.ceil(len(self.days) / fitting))
        painter.setPen(AXIS)
        painter.drawLine(plot.bottomLeft(), plot.bottomRight())
        for i, (label, count) in enumerate(self.days):
            height = plot.height() * count / top if top else 0
            bar = QRectF(plot.left() + i * step + step * 0.15, plot.bottom() - height, step * 0.7, height)
            painter.fillRect(bar, BAR)
            if count == top:
                painter.setPen(TEXT)
                painter.drawText(
                    QRectF(bar.left() - 20, bar.top() - label_height, bar.width() + 40, label_height),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                    str(count),
                )
            if i % every == 0 or i == len(self.days) - 1:
                painter.setPen(AXIS)
                painter.drawText(
                    QRectF(plot.left() + i * step - 20, plot.bottom() + 2, step + 40, label_height),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                    label,
                )


class MonthlyRateChart(_Chart):
    """Bars of the on-time rate of each month (0-100%); a month without resolved dossiers has no bar but "—"."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Tỷ lệ giải quyết đúng hạn theo tháng", parent)
        self.months: list[tuple[str, float | None]] = []  # (mm/yyyy, rate)

    def set_months(self, months: list[tuple[str, float | None]]) -> None:
        self.months = months
        self.update()

    def is_empty(self) -> bool:
        return all(rate is None for _m, rate in self.months)

    def paint_chart(self, painter: QPainter, area: QRectF) -> None:
        metrics = painter.fontMetrics()
        label_height = metrics.height() + 2
        left = metrics.horizontalAdvance("100%") + 6
        plot = QRectF(
            area.left() + left, area.top() + label_height, area.width() - left - 4, area.height() - 2 * label_height
        )
        painter.setPen(QPen(AXIS, 1, Qt.PenStyle.DotLine))
        for level in (0.5, 0.9, 1.0):
            y = plot.bottom() - plot.height() * level
            painter.drawLine(int(plot.left()), int(y), int(plot.right()), int(y))
            painter.drawText(
                QRectF(area.left(), y - label_height / 2, left - 4, label_height),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                f"{level:.0%}",
            )
        step = plot.width() / len(self.months)
        for i, (label, rate) in enumerate(self.months):
            x = plot.left() + i * step
            if rate is not None:
                height = plot.height() * rate
                color = GOOD if rate >= 0.95 else WARN if rate >= 0.8 else BAD
                painter.fillRect(QRectF(x + step * 0.15, plot.bottom() - height, step * 0.7, height), color)
                painter.setPen(TEXT)
                painter.drawText(
                    QRectF(x, plot.bottom() - height - label_height, step, label_height),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                    f"{rate:.0%}",
                )
            else:  # no resolved dossier that month: no rate, never 0% or 100% (domain.md §10)
                painter.setPen(TEXT)
                painter.drawText(
                    QRectF(x, plot.bottom() - label_height, step, label_height),
                    Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignBottom,
                    "—",
                )
            painter.setPen(AXIS)
            painter.drawText(
                QRectF(x - 10, plot.bottom() + 2, step + 20, label_height),
                Qt.AlignmentFlag.AlignHCenter | Qt.AlignmentFlag.AlignTop,
                label,
            )


class AgencyOverdueChart(_Chart):
    """Horizontal bars per deciding agency: overdue dossiers, the part without an apology letter in red."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Hồ sơ đang quá hạn theo cơ quan giải quyết (đỏ: chưa có phiếu xin lỗi)", parent)
        self.agencies: list[tuple[str, int, int]] = []  # (agency, overdue, without apology)

    def set_agencies(self, agencies: list[tuple[str, int, int]]) -> None:
        self.agencies = agencies
        self.update()

    def is_empty(self) -> bool:
        return not self.agencies

    def paint_chart(self, painter: QPainter, area: QRectF) -> None:
        metrics = painter.fontMetrics()
        shown = self.agencies[: max(1, int(area.height() // (metrics.height() + 8)))]
        name_width = min(area.width() * 0.45, max(metrics.horizontalAdvance(a) for a, _o, _w in shown) + 14)
        count_width = metrics.horizontalAdvance("99999") + 6
        top = max(o for _a, o, _w in shown)
        row = area.height() / len(shown)
        bar_space = area.width() - name_width - count_width
        for i, (agency, overdue, without) in enumerate(shown):
            y = area.top() + i * row
            painter.setPen(TEXT)
            name = metrics.elidedText(agency or "(không ghi)", Qt.TextElideMode.ElideRight, int(name_width - 6))
            painter.drawText(
                QRectF(area.left(), y, name_width - 6, row),
                Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
                name,
            )
            full = bar_space * overdue / top
            red = bar_space * without / top
            bar_height = min(row * 0.7, metrics.height() + 6)
            bar_top = y + (row - bar_height) / 2
            painter.fillRect(QRectF(area.left() + name_width, bar_top, full, bar_height), WARN)
            painter.fillRect(QRectF(area.left() + name_width, bar_top, red, bar_height), BAD)
            painter.drawText(
                QRectF(area.left() + name_width + full + 4, y, count_width, row),
                Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter,
                str(overdue),
            )


class DashboardPanel(QWidget):
    """Figures at a glance, recomputed by `refresh()` off the UI thread (services.reports.get_dashboard)."""

    sig_refreshed = Signal(object)
    """New figures are shown: the DashboardView."""

    def __init__(
        self, services: Services | None, runner: TaskRunner, parent: QWidget | None = None, *, days: int = 30
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._days = days
        self.view: DashboardView | None = None
        self.received_today = QLabel("—")
        self.pending = QLabel("—")
        self.overdue = QLabel("—")
        self.as_of = QLabel()
        self.as_of.setObjectName("hint")
        self.refresh_button = QPushButton("Làm mới")
        self.refresh_button.clicked.connect(self.refresh)
        self.export_button = QPushButton("Xuất báo cáo…")
        self.export_button.setObjectName("exportReports")
        self.export_button.clicked.connect(self.open_export_dialog)
        self.export_dialog: QWidget | None = None  # kept here, or Python would collect the open window
        self._export_services: Services | None = None
        figures = QHBoxLayout()
        for caption, label in (
            ("Tiếp nhận hôm nay", self.received_today),
            ("Đang giải quyết", self.pending),
            ("Đang quá hạn", self.overdue),
        ):
            box = QVBoxLayout()
            title = QLabel(caption)
            big = QFont(label.font())
            big.setPointSizeF(big.pointSizeF() * 1.8)
            big.setBold(True)
            label.setFont(big)
            box.addWidget(title)
            box.addWidget(label)
            figures.addLayout(box)
        figures.addStretch(1)
        figures.addWidget(self.as_of)
        figures.addWidget(self.refresh_button)
        figures.addWidget(self.export_button)
        self.daily_chart = DailyChart()
        self.monthly_chart = MonthlyRateChart()
        self.agency_chart = AgencyOverdueChart()
        charts = QGridLayout()
        charts.addWidget(self.daily_chart, 0, 0, 1, 2)
        charts.addWidget(self.monthly_chart, 1, 0)
        charts.addWidget(self.agency_chart, 1, 1)
        layout = QVBoxLayout(self)
        layout.addLayout(figures)
        layout.addLayout(charts, 1)

    def set_services(self, services: Services) -> None:
        self._services = services
        self.refresh()

    def forget_figures(self, services: Services) -> None:
        """New services while the panel is out of sight: keep them, compute the figures when it is shown."""
        self._services = services

    @Slot()
    def refresh(self) -> None:
        if self._services is None:
            return
        self.refresh_button.setEnabled(False)
        self._runner.run_pooled(
            self._services.reports.get_dashboard, days=self._days, on_done=self._show, on_error=self._failed
        )

    @Slot()
    def open_export_dialog(self) -> None:
        """The report export dialog, non-modal (the dashboard stays usable); one at a time, raised if open."""
        if self._services is None:
            return
        from counter_app.ui.reports.report_export_dialog import (
            ReportExportDialog,  # at first use: it imports the services
        )

        if self.export_dialog is None or self._export_services is not self._services:
            if self.export_dialog is not None:
                self.export_dialog.close()  # made for the services of a previous sign-in
                self.export_dialog.deleteLater()
            self.export_dialog = ReportExportDialog(self._services, self._runner, self)
            self._export_services = self._services
        self.export_dialog.show()
        self.export_dialog.raise_()
        self.export_dialog.activateWindow()

    def _failed(self, exc: object) -> None:
        self.refresh_button.setEnabled(True)
        self._runner.error_presenter(exc)

    def _show(self, view: DashboardView) -> None:
        self.refresh_button.setEnabled(True)
        self.view = view
        self.received_today.setText(str(view.received_today))
        self.pending.setText(str(view.pending))
        self.overdue.setText(str(view.overdue))
        self.overdue.setStyleSheet(f"color: {BAD.name()};" if view.overdue else "")
        self.as_of.setText(f"Số liệu lúc {vn_moment(view.as_of)}")
        self.daily_chart.set_days([(f"{d.day:%d/%m}", d.count) for d in view.days])
        self.monthly_chart.set_months([(f"{m.month:02d}/{m.year % 100:02d}", m.rate) for m in view.months])
        self.agency_chart.set_agencies([(a.agency, a.overdue, a.without_apology) for a in view.overdue_by_agency])
        emit(self.sig_refreshed, view)
