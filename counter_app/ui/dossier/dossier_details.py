"""The dossier screen's two record tabs: the details grid (DossierDetails) and the timeline (DossierTimeline)."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QAbstractItemView,
    QGridLayout,
    QHeaderView,
    QLabel,
    QTableWidget,
    QTableWidgetItem,
    QWidget,
)

from counter_app.domain.dossier import DossierState
from counter_app.domain.intake import CHANNELS, DELIVERIES
from counter_app.domain.lateness import Lateness
from counter_app.services.common.views import EventView
from counter_app.ui.widgets.formatting import iso_to_vn_date, money, vn_moment

LATENESS_STYLES = {
    Lateness.OVERDUE: "color: #b00020; font-weight: bold;",
    Lateness.DUE_SOON: "color: #a15c00; font-weight: bold;",
    Lateness.PAUSED: "color: #005a9c;",
}


class DossierDetails(QWidget):
    """The dossier's record in two columns of titled values, the papers below; only what has a value is shown."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.grid = QGridLayout(self)
        self.grid.setColumnStretch(1, 1)
        self.grid.setColumnStretch(3, 1)
        self.detail_values: dict[str, QLabel] = {}

    def fill(self, state: DossierState, late: Lateness | None) -> None:
        while self.grid.count():
            item = self.grid.takeAt(0)
            widget = item.widget() if item is not None else None
            if widget is not None:
                widget.deleteLater()
        self.detail_values = {}
        person = state.applicant_kind == "person"
        filer = " · ".join(
            p for p in (state.filer_name, state.filer_identifier, state.filer_phone, state.filer_authorisation) if p
        )
        due = vn_moment(state.due_at)
        if state.reappointed and state.original_due_at:
            due += f" (đã hẹn lại; hẹn ban đầu {vn_moment(state.original_due_at)})"
        if late in LATENESS_STYLES:
            assert late is not None
            due += f" — {late.label}"
        delivery = DELIVERIES.get(state.result_delivery, state.result_delivery)
        if state.result_delivery == "post":
            delivery += f": {state.postal_address or state.applicant_address}"
        papers = "\n".join(
            f"{i}. {p.name} ({p.originals} bản chính, {p.copies} bản sao)" + (" — còn thiếu" if p.missing else "")
            for i, p in enumerate(state.papers, start=1)
        )
        rows: list[tuple[str, str, str]] = [
            ("applicant_name", "Người nộp", state.applicant_name + ("" if person else " (tổ chức)")),
            ("applicant_identifier", "Số định danh" if person else "Mã số thuế", state.applicant_identifier),
            ("applicant_birth_date", "Ngày sinh", iso_to_vn_date(state.applicant_birth_date)),
            ("applicant_sex", "Giới tính", state.applicant_sex or ""),
            ("applicant_address", "Địa chỉ", state.applicant_address),
            ("applicant_phone", "Điện thoại", state.applicant_phone),
            ("applicant_email", "Thư điện tử", state.applicant_email),
            ("filer", "Người nộp thay", filer),
            ("received_at", "Tiếp nhận lúc", f"{vn_moment(state.received_at)} ({CHANNELS.get(state.channel, '')})"),
            ("due_at", "Hẹn trả kết quả", due),
            ("deciding_agency", "Cơ quan giải quyết", state.deciding_agency),
            ("result_delivery", "Nhận kết quả", delivery),
            ("fee", "Phí, lệ phí", money(state.fee) + (" — đã nộp" if state.fee_paid and state.fee else "")),
            ("sets_count", "Số lượng hồ sơ", f"{state.sets_count} bộ"),
            ("reason", "Lý do", state.reason),
        ]
        shown = [r for r in rows if r[2]]
        half = (len(shown) + 1) // 2
        for i, (key, title, text) in enumerate(shown):
            row, column = (i, 0) if i < half else (i - half, 2)
            self._detail(row, column, key, title, text)
        if papers:
            self._detail(half, 0, "papers", "Giấy tờ", papers, span=3)
        for row in range(self.grid.rowCount()):
            self.grid.setRowStretch(row, 0)
        self.grid.setRowStretch(half + 1, 1)  # the rows keep their height; the space is left below

    def _detail(self, row: int, column: int, key: str, title: str, text: str, span: int = 1) -> None:
        name = QLabel(title + ":")
        name.setObjectName("hint")
        name.setAlignment(Qt.AlignmentFlag.AlignTop | Qt.AlignmentFlag.AlignLeft)
        value = QLabel(text)
        value.setWordWrap(True)
        value.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.grid.addWidget(name, row, column)
        self.grid.addWidget(value, row, column + 1, 1, span)
        self.detail_values[key] = value

    def detail(self, key: str) -> str:
        label = self.detail_values.get(key)
        return label.text() if label is not None else ""


class DossierTimeline(QTableWidget):
    """The dossier's events, oldest first: when, what, the details, the clerk and the counter."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(0, 5, parent)
        self.setHorizontalHeaderLabels(["Thời gian", "Thao tác", "Chi tiết", "Cán bộ", "Quầy"])
        self.verticalHeader().setVisible(False)
        self.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
        self.setWordWrap(True)
        th = self.horizontalHeader()
        for column in (0, 1, 3, 4):
            th.setSectionResizeMode(column, QHeaderView.ResizeMode.ResizeToContents)
        th.setSectionResizeMode(2, QHeaderView.ResizeMode.Stretch)

    def fill(self, events: list[EventView]) -> None:
        self.setRowCount(len(events))
        for row, event in enumerate(events):
            cells = (vn_moment(event.occurred_at), event.label, event.details, event.clerk, str(event.counter))
            for column, text in enumerate(cells):
                self.setItem(row, column, QTableWidgetItem(text))
        self.resizeRowsToContents()

    def labels(self) -> list[str]:
        items = (self.item(r, 1) for r in range(self.rowCount()))
        return [item.text() for item in items if item is not None]
