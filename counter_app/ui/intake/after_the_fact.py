"""AfterTheFact: the intake screen's "Nhập hồ sơ sau" mode, a supervisor's action for a dossier received on paper:
re-entered from its "Liên 1" copy under the printed code, or, without a code, taken in back-dated under a new one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime
from functools import partial
from typing import TYPE_CHECKING

from PySide6.QtCore import Signal
from PySide6.QtWidgets import (
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.clock import VN_TZ
from counter_app.domain.intake import IntakeForm
from counter_app.errors import FormInvalid
from counter_app.services.common.clock import FIRST_YEAR, LAST_YEAR
from counter_app.services.common.views import IntakeResult
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.widgets.field_errors import FieldErrors

if TYPE_CHECKING:
    from counter_app.services.registry import Services

MODE_TITLE = "Nhập hồ sơ sau (cán bộ giám sát)"
# the keys of the mode's fields in the screen's FieldErrors: those services.re_entry and services.intake name,
# except the re-entry's "reason", which is the intake form's own reason field (supplement, refusal) and is read
# back here as REASON_KEY
CODE_KEY, RECEIPT_KEY, RECEIVED_KEY, REASON_KEY = "code", "receipt", "received", "back_entry_reason"
RECEIVED_FORMAT = "%d/%m/%Y %H:%M"
# the slip banner's colours (ui.intake.slip_intake): a form that is not the ordinary intake; a bordered group box
# needs its title placed in its margin, else the title is drawn over the first row
MODE_STYLE = """
#afterTheFact { background: #fff4e5; border: 1px solid #f0b35c; border-radius: 3px; margin-top: 1.2em; }
#afterTheFact::title { subcontrol-origin: margin; left: 6px; padding: 0 3px; }
"""
NO_REASON = "Cần ghi lý do nhập sau (ví dụ: mất điện, mất dữ liệu sau khi phục hồi, đã tiếp nhận trên giấy)."
NOT_A_MOMENT = "Thời điểm tiếp nhận “{text}” không hợp lệ: cần dạng ngày/tháng/năm giờ:phút, ví dụ 02/03/2026 09:15."
NO_MOMENT = "Cần ghi thời điểm tiếp nhận in trên liên lưu (ngày/tháng/năm giờ:phút, giờ 24)."
NOT_HERE = "Nhập hồ sơ sau chỉ dùng “Tiếp nhận”; hồ sơ cần bổ sung hoặc từ chối: tiếp nhận theo cách thông thường."


@dataclass(frozen=True)
class AfterTheFactEntry:
    """What the mode's fields give: the printed code ("" for a new one), the received time, the reason, and the
    receipt number printed on the copy ("" when not given)."""

    code: str
    received_at: datetime
    reason: str
    receipt_number: str = ""


def parse_received(text: str) -> datetime:
    """'dd/mm/yyyy HH:mm' (24-hour) as a Vietnamese local moment; ValueError when it is not one."""
    moment = datetime.strptime(" ".join(text.split()), RECEIVED_FORMAT)  # noqa: DTZ007 - local time, zone set below
    if not FIRST_YEAR <= moment.year <= LAST_YEAR:  # as the command line's times: the deadlines stop there
        raise ValueError(text)
    return moment.replace(tzinfo=VN_TZ)


def record_after_the_fact(services: Services, entry: AfterTheFactEntry, form: IntakeForm) -> IntakeResult:
    """Runs in a worker: the re-entry under the printed code, or the back-dated intake; the services' field
    errors keyed by the mode's fields."""
    try:
        if entry.code:
            return services.re_entry.re_enter(form, entry.code, entry.received_at, entry.reason, entry.receipt_number)
        return services.intake.accept(replace(form, received_at=entry.received_at, back_entry_reason=entry.reason))
    except FormInvalid as exc:
        raise FormInvalid({REASON_KEY if key == "reason" else key: text for key, text in exc.errors.items()}) from None


def _with_messages(errors: FieldErrors, *fields: tuple[QWidget, int], keyed: dict[str, QLineEdit]) -> QWidget:
    """Widgets side by side (with their stretch), the red message of each field of `keyed` under the whole row
    (a narrow field would wrap it into many lines); typing in a field takes its message away."""
    box = QWidget()
    layout = QVBoxLayout(box)
    layout.setContentsMargins(0, 0, 0, 0)
    layout.setSpacing(2)
    line = QHBoxLayout()
    for widget, stretch in fields:
        line.addWidget(widget, stretch)
    layout.addLayout(line)
    for key, edit in keyed.items():
        layout.addWidget(errors.label_for(key, edit))
        edit.textEdited.connect(lambda _text, k=key: errors.clear(k))
    return box


class AfterTheFact(QGroupBox):
    """Three fields above the applicant while the mode is on; hidden, empty and off otherwise."""

    sig_leave = Signal()
    """The supervisor asked to leave the mode: the screen clears the form (nothing of the mode stays)."""

    def __init__(self, errors: FieldErrors, parent: QWidget | None = None) -> None:
        super().__init__(MODE_TITLE, parent)
        self.setObjectName("afterTheFact")
        self.setStyleSheet(MODE_STYLE)
        self.active = False
        self.code = QLineEdit(placeholderText="Để trống: hồ sơ được cấp mã mới")
        self.code.setObjectName("after_code")
        self.code.setToolTip(
            "Mã in trên liên lưu (Liên 1) của hồ sơ cần nhập lại sau khi phục hồi dữ liệu; để trống với hồ sơ "
            "tiếp nhận trên giấy chưa có mã (mất điện, máy hỏng)"
        )
        self.receipt = QLineEdit(placeholderText="Số giấy tiếp nhận")
        self.receipt.setObjectName("after_receipt")
        self.receipt.setToolTip(
            "Số in sau “Số:” trên giấy tiếp nhận (liên lưu) của hồ sơ nhập lại: giấy in lại giữ đúng số này; để trống "
            "nếu không đọc được"
        )
        self.received = QLineEdit(placeholderText="dd/mm/yyyy HH:mm")
        self.received.setObjectName("after_received")
        self.received.setToolTip(
            "Thời điểm tiếp nhận ghi trên giấy (ngày/tháng/năm giờ:phút, giờ 24), không ở tương lai"
        )
        self.reason = QLineEdit(placeholderText="Vì sao nhập sau (bắt buộc)")
        self.reason.setObjectName("after_reason")
        self.leave_button = QPushButton("Thoát")
        self.leave_button.setToolTip("Thoát nhập hồ sơ sau: trở lại tiếp nhận thông thường; biểu mẫu được xóa trắng")
        self.leave_button.setAutoDefault(False)
        self.leave_button.clicked.connect(lambda: emit(self.sig_leave))
        # two rows (the time and the reason side by side): the whole form still fits 1366×728 without scrolling
        self.received.setFixedWidth(self.received.fontMetrics().horizontalAdvance("00/00/0000 00:00") + 24)
        # the printed code, the receipt number and the way out on one row: the code keeps what is left
        self.receipt.setFixedWidth(self.receipt.fontMetrics().horizontalAdvance("Số giấy tiếp nhận") + 16)
        reason_label = QLabel("Lý do")
        reason_label.setBuddy(self.reason)
        form = QFormLayout(self)
        form.setContentsMargins(8, 2, 8, 2)
        form.setVerticalSpacing(2)
        code_row = _with_messages(
            errors,
            (self.code, 1),
            (self.receipt, 0),
            (self.leave_button, 0),
            keyed={CODE_KEY: self.code, RECEIPT_KEY: self.receipt},
        )
        form.addRow("Mã hồ sơ đã in (liên lưu)", code_row)
        received_row = _with_messages(
            errors,
            (self.received, 0),
            (reason_label, 0),
            (self.reason, 1),
            keyed={RECEIVED_KEY: self.received, REASON_KEY: self.reason},
        )
        form.addRow("Thời điểm tiếp nhận", received_row)

        self.hide()

    def enter(self, code: str = "") -> None:
        """The mode on, `code` pre-filled (a code the restore named); the focus where the supervisor types next."""
        self.active = True
        self.code.setText(code.strip())
        self.show()
        (self.received if code.strip() else self.code).setFocus()

    def leave(self) -> None:
        """The mode off and its fields empty: the next intake is received "now"."""
        self.active = False
        for edit in (self.code, self.receipt, self.received, self.reason):
            edit.clear()
        self.hide()

    def is_blank(self) -> bool:
        return not any(edit.text().strip() for edit in (self.code, self.receipt, self.received, self.reason))

    def recorder(
        self, services: Services, outcome: str
    ) -> tuple[Callable[[IntakeForm], IntakeResult] | None, dict[str, str]]:
        """While the mode is on, what records the form (run in a worker) and the errors only the mode can see;
        (None, {}) when the mode is off."""
        if not self.active:
            return None, {}
        errors: dict[str, str] = {}
        if outcome != "accept":
            errors["_general"] = NOT_HERE
        text = self.received.text().strip()
        received = None
        if not text:
            errors[RECEIVED_KEY] = NO_MOMENT
        else:
            try:
                received = parse_received(text)
            except ValueError:
                errors[RECEIVED_KEY] = NOT_A_MOMENT.format(text=text)
        if not self.reason.text().strip():
            errors[REASON_KEY] = NO_REASON
        if errors or received is None:
            return None, errors
        entry = AfterTheFactEntry(self.code.text().strip(), received, self.reason.text(), self.receipt.text().strip())
        return partial(record_after_the_fact, services, entry), {}
