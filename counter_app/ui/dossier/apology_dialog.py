"""The apology letter (Mẫu 04) dialog: the deciding agency's reason, the new date, how the letter is delivered."""

from __future__ import annotations

from datetime import date
from typing import Any

from PySide6.QtCore import QDate
from PySide6.QtWidgets import QComboBox, QDateEdit, QLabel, QPlainTextEdit, QWidget

from counter_app.errors import ValidationError
from counter_app.services.desk.late import DELIVERY_LABELS, LateView
from counter_app.ui.qt.form_dialog import FormDialog
from counter_app.ui.widgets.field_errors import add_field
from counter_app.ui.widgets.formatting import vn_moment


class ApologyDialog(FormDialog):
    """Stays open with the message inline when the service refuses (a second re-appointment, a day off, ...)."""

    def __init__(self, late: LateView, earliest: date, parent: QWidget | None = None) -> None:
        """`earliest`: the first day the letter may give (LateService.suggest_new_date), default and minimum."""
        super().__init__(f"Phiếu xin lỗi và hẹn lại ngày trả kết quả — {late.code}", parent)
        self.late = late
        summary = QLabel(
            f"{late.applicant_name} · {late.procedure_name}<br>Hẹn trả hiện tại: <b>{vn_moment(late.due)}</b> "
            f"({late.state.label.lower()}) · Cơ quan giải quyết: {late.deciding_agency}"
        )
        summary.setWordWrap(True)
        self.form.addRow(summary)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText("Lý do chậm trả kết quả do cơ quan giải quyết nêu")
        self.reason.setFixedHeight(90)
        add_field(self.form, "Lý do", self.reason, self.errors, "reason")
        first = QDate(earliest.year, earliest.month, earliest.day)
        self.new_date = QDateEdit(first)
        # the window never offers a day already past or before the current appointment; a day off in between
        # is refused at the field by the service, with the day's name
        self.new_date.setMinimumDate(first)
        self.new_date.setDisplayFormat("dd/MM/yyyy")
        self.new_date.setCalendarPopup(True)
        add_field(self.form, "Ngày hẹn mới", self.new_date, self.errors, "new_date")
        self.delivered = QComboBox()
        for key, label in DELIVERY_LABELS.items():
            self.delivered.addItem(label, key)
        add_field(self.form, "Cách gửi phiếu", self.delivered, self.errors, "delivered")
        self.ok_button.setText("Ghi nhận và in phiếu")

    def values(self) -> dict[str, Any]:
        reason = " ".join(self.reason.toPlainText().split())
        if not reason:
            raise ValidationError("reason", "Cần ghi lý do chậm trả kết quả do cơ quan giải quyết nêu.")
        chosen = self.new_date.date()
        return {
            "reason": reason,
            "new_date": date(chosen.year(), chosen.month(), chosen.day()),
            "delivered": str(self.delivered.currentData()),
        }
