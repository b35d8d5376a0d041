"""ConfirmationPanel: what the intake screen shows after an outcome: the code, its barcode, due date, prints.

No button here is a default button: a stray Enter prints nothing; printing is a click (or Space on the print
button), and the next applicant is F2 (the window's action) or this panel's "next" button.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QVBoxLayout, QWidget

from counter_app.services.common.views import IntakeResult
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.widgets.barcode_widget import BarcodeWidget
from counter_app.ui.widgets.formatting import vn_appointment

OUTCOME_TITLES = {
    "accept": "Đã tiếp nhận hồ sơ",
    "supplement": "Đã lập phiếu yêu cầu bổ sung, hoàn thiện hồ sơ",
    "refuse": "Đã lập phiếu từ chối tiếp nhận hồ sơ",
    "complete": "Đã tiếp nhận hồ sơ bổ sung",
    "re_enter": "Đã nhập lại hồ sơ từ liên lưu (cán bộ giám sát)",
}
PRINTS = {
    "accept": (("In giấy tiếp nhận", "receipt"), ("In phiếu kiểm soát", "control")),
    "supplement": (("In phiếu yêu cầu bổ sung", "supplement"),),
    "refuse": (("In phiếu từ chối", "refusal"),),
    "complete": (("In giấy tiếp nhận", "receipt"), ("In phiếu kiểm soát", "control")),
    "re_enter": (("In giấy tiếp nhận", "receipt"), ("In phiếu kiểm soát", "control")),
}

OUTCOME_MESSAGES = {
    "accept": "Đã tiếp nhận hồ sơ {key}.",
    "supplement": "Đã lập phiếu yêu cầu bổ sung {key}.",
    "refuse": "Đã lập phiếu từ chối tiếp nhận {key}.",
    "complete": "Đã tiếp nhận hồ sơ {key} (bổ sung theo phiếu yêu cầu bổ sung).",
    "re_enter": "Đã nhập lại hồ sơ {key} từ liên lưu, đúng mã và thời điểm tiếp nhận đã in.",
}


def outcome_message(result: IntakeResult) -> str:
    """The window's message line after an outcome ("" when there is nothing to say)."""
    key = result.code or result.slip
    text = OUTCOME_MESSAGES.get(result.outcome)
    return text.format(key=key) if key and text else ""


class ConfirmationPanel(QWidget):
    sig_print = Signal(str)
    """The clerk asked for a document: its kind (receipt, control, supplement, refusal)."""
    sig_new = Signal()
    """The clerk wants an empty form for the next applicant."""
    sig_open = Signal(str)
    """The clerk wants to open the dossier just recorded: its UUID."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._result: IntakeResult | None = None
        self.title = QLabel()
        self.title.setObjectName("confirmTitle")
        self.code_label = QLabel()
        self.code_label.setObjectName("confirmCode")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        big = QFont(self.font())
        big.setPointSize(big.pointSize() + 8)
        big.setBold(True)
        self.code_label.setFont(big)
        self.barcode = BarcodeWidget()
        self.due = QLabel()
        self.due.setObjectName("confirmDue")
        self.due.setWordWrap(True)
        self.print_row = QHBoxLayout()
        self.print_row.addStretch()
        self.print_buttons: list[QPushButton] = []
        self.print_state = QLabel()
        self.print_state.setWordWrap(True)
        self.new_button = QPushButton("Tiếp nhận hồ sơ mới (F2)")
        self.new_button.setObjectName("primary")
        self.new_button.setToolTip("Biểu mẫu trống cho người nộp tiếp theo (F2)")
        self.open_button = QPushButton("Mở hồ sơ")
        for button in (self.new_button, self.open_button):
            _never_default(button)
        actions = QHBoxLayout()
        actions.addWidget(self.open_button)
        actions.addStretch()
        actions.addWidget(self.new_button)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(24, 24, 24, 24)
        layout.addWidget(self.title)
        layout.addWidget(self.code_label)
        layout.addWidget(self.barcode)
        layout.addWidget(self.due)
        layout.addSpacing(12)
        layout.addLayout(self.print_row)
        layout.addWidget(self.print_state)
        layout.addStretch()
        layout.addLayout(actions)
        self.new_button.clicked.connect(lambda: emit(self.sig_new))
        self.open_button.clicked.connect(self._open)

    def show_result(self, result: IntakeResult, *, printing: bool, today: str) -> None:
        """`printing`: whether this installation renders documents (services.documents exists)."""
        self._result = result
        title = OUTCOME_TITLES[result.outcome]
        self.title.setText(f"{title} theo phiếu số {result.slip}" if result.outcome == "complete" else title)
        key = result.code or result.slip or ""
        self.code_label.setText(f"Mã hồ sơ: {key}" if result.code else f"Số phiếu: {key}")
        self.barcode.set_value(key)
        if result.due is not None:
            self.due.setText(f"Hẹn trả kết quả: {vn_appointment(result.due)}")
        else:
            self.due.setText(f"Ngày lập phiếu: {today}")
        for button in self.print_buttons:
            self.print_row.removeWidget(button)
            button.deleteLater()
        self.print_buttons = []
        self.print_state.clear()
        if printing:
            for label, kind in PRINTS[result.outcome]:
                button = QPushButton(label)
                button.setObjectName(f"print_{kind}")
                _never_default(button)
                button.clicked.connect(lambda _checked=False, k=kind: emit(self.sig_print, k))
                self.print_row.insertWidget(len(self.print_buttons), button)
                self.print_buttons.append(button)
        self.open_button.setVisible(result.code is not None)

    def focus_next(self) -> None:
        """The focus on "next" once the panel is shown, never on a print button."""
        self.new_button.setFocus()

    def result(self) -> IntakeResult | None:
        return self._result

    def _open(self) -> None:
        if self._result is not None:
            emit(self.sig_open, self._result.uuid)


def _never_default(button: QPushButton) -> None:
    """Enter does not press this button, even if the panel is ever shown inside a dialog."""
    button.setAutoDefault(False)
    button.setDefault(False)
