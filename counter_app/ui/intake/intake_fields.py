"""IntakeFields: the intake form's page — its fields, their layout, what they show and the form they make."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QRadioButton,
    QScrollArea,
    QSpinBox,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.intake import CHANNELS, DELIVERIES, IntakeForm, validate_applicant
from counter_app.errors import FormInvalid
from counter_app.services.common.views import ProcedureView
from counter_app.ui.intake.papers_table import PapersTable
from counter_app.ui.intake.procedure_picker import ProcedurePicker
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.field_errors import FieldErrors, add_field
from counter_app.ui.widgets.formatting import money, processing_text

# Line edits by the key FormInvalid uses for them (domain/intake.py) and that the draft stores them under.
LINE_FIELDS = (
    "identifier",
    "name",
    "birth_date",
    "address",
    "phone",
    "email",
    "filer_name",
    "filer_identifier",
    "filer_phone",
    "filer_authorisation",
    "postal_address",
)
SEXES = ("", "Nam", "Nữ")


class IntakeFields(QWidget):
    """The form page: every field with its inline error, the live due-date label and the outcome buttons."""

    def __init__(self, runner: TaskRunner, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._runner = runner
        self.errors = FieldErrors()
        self.lines: dict[str, QLineEdit] = {}
        self._build()

    # building
    def _line(self, key: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(placeholderText=placeholder)
        edit.setObjectName(key)
        self.lines[key] = edit
        return edit

    def _field_box(self, widget: QWidget, key: str) -> QWidget:
        """A field with its error label right under it (as add_field makes it)."""
        box = QWidget()
        layout = QVBoxLayout(box)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(2)
        layout.addWidget(widget)
        layout.addWidget(self.errors.label_for(key, widget))
        return box

    def _pair(self, title: str, first: tuple[QWidget, str], second_title: str, second: tuple[QWidget, str]) -> QWidget:
        """One applicant row of two fields, each with its own error label; returns the row's field container."""
        row = QWidget()
        layout = QHBoxLayout(row)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self._field_box(*first), 1)
        second_label = QLabel(second_title)
        second_label.setBuddy(second[0])
        layout.addWidget(second_label, 0, Qt.AlignmentFlag.AlignTop)
        layout.addWidget(self._field_box(*second), 1)
        self.applicant_form.addRow(title, row)
        return row

    def _build(self) -> None:
        self.picker = ProcedurePicker(self._runner)
        self.procedure_info = QLabel()
        self.procedure_info.setWordWrap(True)
        self.procedure_info.setObjectName("hint")
        procedure_box = QGroupBox("Thủ tục hành chính")
        procedure_form = QFormLayout(procedure_box)
        add_field(procedure_form, "Thủ tục", self.picker, self.errors, "procedure")
        procedure_form.addRow("", self.procedure_info)

        self.person = QRadioButton("Cá nhân")
        self.organisation = QRadioButton("Tổ chức")
        self.person.setChecked(True)
        kind_group = QButtonGroup(self)
        kind_group.addButton(self.person)
        kind_group.addButton(self.organisation)
        kind_row = QWidget()
        kind_layout = QHBoxLayout(kind_row)
        kind_layout.setContentsMargins(0, 0, 0, 0)
        kind_layout.addWidget(self.person)
        kind_layout.addWidget(self.organisation)
        kind_layout.addStretch()
        self.sex = QComboBox()
        self.sex.addItems(["—", *SEXES[1:]])
        applicant_box = QGroupBox("Người nộp hồ sơ")
        self.applicant_form = QFormLayout(applicant_box)
        self.applicant_form.addRow("Là", kind_row)
        self._identifier_row = add_field(
            self.applicant_form, "Số định danh", self._line("identifier", "12 chữ số"), self.errors, "identifier"
        )
        add_field(self.applicant_form, "Họ và tên", self._line("name"), self.errors, "name")
        # two short fields share a row (desk-layout.md): the complete form fits 1280×720 without scrolling
        self._birth_row = self._pair(
            "Ngày sinh", (self._line("birth_date", "dd/mm/yyyy"), "birth_date"), "Giới tính", (self.sex, "sex")
        )
        self._sex_row = self._birth_row  # one row: hidden together for an organisation
        add_field(self.applicant_form, "Địa chỉ", self._line("address"), self.errors, "address")
        self._pair("Điện thoại", (self._line("phone"), "phone"), "Thư điện tử", (self._line("email"), "email"))

        self.filer_box = QGroupBox("Người nộp thay (nếu có)")
        self.filer_box.setCheckable(True)
        self.filer_box.setChecked(False)
        filer_form = QFormLayout(self.filer_box)
        add_field(filer_form, "Họ và tên", self._line("filer_name"), self.errors, "filer_name")
        add_field(
            filer_form, "Số định danh", self._line("filer_identifier", "12 chữ số"), self.errors, "filer_identifier"
        )
        add_field(filer_form, "Điện thoại", self._line("filer_phone"), self.errors, "filer_phone")
        add_field(
            filer_form,
            "Giấy ủy quyền",
            self._line("filer_authorisation", "Số, ngày của văn bản ủy quyền"),
            self.errors,
            "filer_authorisation",
        )

        self.papers = PapersTable()
        self.papers.setMinimumHeight(150)
        papers_box = QGroupBox("Thành phần hồ sơ")
        papers_box.setObjectName("papersBox")
        papers_layout = QVBoxLayout(papers_box)
        papers_layout.addWidget(self.papers)
        papers_hint = QLabel(
            "Đánh dấu “Đã nộp” từng giấy tờ người nộp giao (phím cách trên dòng). "
            "Giấy tờ “Có điều kiện” chỉ đánh dấu khi có nộp."
        )
        papers_hint.setObjectName("hint")
        papers_hint.setWordWrap(True)
        papers_layout.addWidget(papers_hint)
        papers_layout.addWidget(self.errors.label_for("papers", self.papers))
        papers_layout.addWidget(self.errors.label_for("missing", self.papers))

        self.channel = QComboBox()
        for channel, channel_label in CHANNELS.items():
            self.channel.addItem(channel_label, channel)
        self.delivery = QComboBox()
        for delivery, delivery_label in DELIVERIES.items():
            self.delivery.addItem(delivery_label, delivery)
        self.sets_count = QSpinBox(minimum=1, maximum=20)
        self.sets_count.setSuffix(" bộ")
        self.fee_label = QLabel("—")
        self.fee_paid = QCheckBox("Đã nộp phí, lệ phí")
        fee_row = QWidget()
        fee_layout = QHBoxLayout(fee_row)
        fee_layout.setContentsMargins(0, 0, 0, 0)
        fee_layout.addWidget(self.fee_label)
        fee_layout.addWidget(self.fee_paid)
        fee_layout.addStretch()
        self.due_label = QLabel()
        self.due_label.setObjectName("dueLabel")
        self.due_label.setWordWrap(True)
        reception_box = QGroupBox("Tiếp nhận và trả kết quả")
        reception_form = QFormLayout(reception_box)
        add_field(reception_form, "Kênh nộp", self.channel, self.errors, "channel")
        add_field(reception_form, "Nhận kết quả", self.delivery, self.errors, "result_delivery")
        self._postal_row = add_field(
            reception_form,
            "Địa chỉ nhận",
            self._line("postal_address", "Để trống: dùng địa chỉ người nộp"),
            self.errors,
            "postal_address",
        )
        add_field(reception_form, "Số lượng", self.sets_count, self.errors, "sets_count")
        reception_form.addRow("Phí, lệ phí", fee_row)
        reception_form.addRow("Hẹn trả", self.due_label)

        self.reason = QPlainTextEdit()
        self.reason.setObjectName("reason")
        self.reason.setPlaceholderText("Ghi nội dung cần bổ sung, hoặc lý do từ chối tiếp nhận")
        self.reason.setFixedHeight(64)
        reason_box = QGroupBox("Lý do (khi yêu cầu bổ sung hoặc từ chối)")
        reason_layout = QVBoxLayout(reason_box)
        reason_layout.addWidget(self.reason)
        reason_layout.addWidget(self.errors.label_for("reason", self.reason))

        left = self.left_column = QVBoxLayout()  # the intake screen puts a mode's fields above the applicant
        left.addWidget(procedure_box)
        left.addWidget(applicant_box)
        left.addWidget(self.filer_box)
        left.addStretch()
        right = QVBoxLayout()
        right.addWidget(papers_box, 1)
        right.addWidget(reception_box)
        right.addWidget(reason_box)
        columns = QWidget()
        columns_layout = QHBoxLayout(columns)
        columns_layout.addLayout(left, 1)
        columns_layout.addLayout(right, 1)
        self.form_scroll = QScrollArea()
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setWidget(columns)

        self.general_error = self.errors.label_for("_general")
        self.draft_state = QLabel()
        self.draft_state.setObjectName("hint")
        self.accept_button = QPushButton("Tiếp nhận")
        self.accept_button.setObjectName("primary")
        self.accept_button.setToolTip("Hồ sơ đầy đủ: cấp mã hồ sơ và hẹn ngày trả (Ctrl+Enter)")
        self.supplement_button = QPushButton("Yêu cầu bổ sung")
        self.supplement_button.setToolTip("Hồ sơ chưa đủ: lập phiếu yêu cầu bổ sung, hoàn thiện (Mẫu 02)")
        self.refuse_button = QPushButton("Từ chối")
        self.refuse_button.setToolTip("Không thuộc thẩm quyền hoặc không đủ điều kiện: lập phiếu từ chối (Mẫu 03)")
        self.clear_button = QPushButton("Nhập lại")
        self.clear_button.setToolTip("Xóa trắng biểu mẫu và bản nháp")
        bar = QHBoxLayout()
        bar.addWidget(self.draft_state, 1)
        bar.addWidget(self.clear_button)
        bar.addWidget(self.refuse_button)
        bar.addWidget(self.supplement_button)
        bar.addWidget(self.accept_button)
        page_layout = QVBoxLayout(self)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.form_scroll, 1)
        page_layout.addWidget(self.general_error)
        page_layout.addLayout(bar)

    # what the fields show
    def sync_kind(self) -> None:
        person = self.person.isChecked()
        self.applicant_form.setRowVisible(self._birth_row, person)
        self.applicant_form.setRowVisible(self._sex_row, person)
        label = self.applicant_form.labelForField(self._identifier_row)
        if isinstance(label, QLabel):
            label.setText("Số định danh" if person else "Mã số thuế")
        self.lines["identifier"].setPlaceholderText("12 chữ số" if person else "10 hoặc 13 chữ số")
        self.lines["name"].setPlaceholderText("Họ và tên đầy đủ, có dấu" if person else "Tên tổ chức")

    def sync_delivery(self) -> None:
        self.lines["postal_address"].setEnabled(self.delivery.currentData() == "post")

    def show_procedure(self, proc: ProcedureView | None) -> None:
        """The chosen procedure's summary and fee (the papers are the screen's: a draft may be restoring them)."""
        if proc is None:
            self.procedure_info.clear()
            self.fee_label.setText("—")
            return
        self.errors.clear("procedure")
        self.procedure_info.setText(
            f"{proc.field} · {processing_text(proc.days, proc.same_day_cutoff)} · Cơ quan giải quyết: "
            f"{proc.deciding_agency}" + (" · Dữ liệu minh họa" if proc.demo else "")
        )
        self.fee_label.setText(money(proc.fee))
        self.fee_paid.setEnabled(proc.fee > 0)

    def focus_applicant(self, _chosen: object = None) -> None:
        """The clerk chose a procedure: the next keys go to the first applicant field still empty, or, with the
        applicant complete (read from the card), to the checklist's first paper."""
        keys = ("identifier", "name", "birth_date", "address") if self.kind() == "person" else ("identifier", "name")
        empty = [self.lines[k] for k in keys if not self.lines[k].text().strip()]
        if not empty:
            self.focus_papers(0)
            return
        self.form_scroll.ensureWidgetVisible(empty[0])
        empty[0].setFocus()

    def focus_papers(self, row: int) -> None:
        """The checklist on `row`, where Space ticks; the phone when the procedure lists no paper."""
        if self.papers.rowCount() == 0:
            self.form_scroll.ensureWidgetVisible(self.lines["phone"])
            self.lines["phone"].setFocus()
            return
        self.papers.setCurrentCell(min(max(row, 0), self.papers.rowCount() - 1), 0)
        self.form_scroll.ensureWidgetVisible(self.papers)
        self.papers.setFocus()

    def papers_problem(self) -> str:
        """Why the papers ticked do not allow an acceptance ("" when they do)."""
        missing_required = self.papers.missing_required()
        if missing_required:
            names = ", ".join(f"“{name}”" for name in missing_required)
            return (
                f"Chưa nhận đủ giấy tờ bắt buộc: {names}. Đánh dấu “Đã nộp” nếu người nộp đã giao, "
                "hoặc chọn “Yêu cầu bổ sung”."
            )
        if self.papers.rowCount() and not any(present for _paper, present in self.papers.entries()):
            return "Chưa đánh dấu giấy tờ nào đã nộp."
        return ""

    def clear(self) -> None:
        """Every field back to its start (the caller holds off the draft while this runs)."""
        for edit in self.lines.values():
            edit.clear()
        self.picker.select(None)
        self.papers.setRowCount(0)
        self.person.setChecked(True)
        self.sex.setCurrentIndex(0)
        self.channel.setCurrentIndex(0)
        self.delivery.setCurrentIndex(0)
        self.sets_count.setValue(1)
        self.fee_paid.setChecked(False)
        self.filer_box.setChecked(False)
        self.reason.clear()
        self.errors.clear()

    def is_blank(self) -> bool:
        return (
            self.picker.procedure() is None
            and not any(edit.text().strip() for edit in self.lines.values())
            and not self.reason.toPlainText().strip()
        )

    # the form
    def kind(self) -> str:
        return "person" if self.person.isChecked() else "organisation"

    def text(self, key: str) -> str:
        return self.lines[key].text()

    def read_form(self, outcome: str, today: Callable[[], date]) -> tuple[IntakeForm, dict[str, str]]:
        """The form as the service takes it, and the errors only the screen can see (no procedure, no paper)."""
        proc = self.picker.procedure()
        person = self.kind() == "person"
        filer = self.filer_box.isChecked()
        entries = self.papers.entries()
        missing_required = self.papers.missing_required()
        if outcome == "supplement":
            # an unticked conditional paper is not missing (the case may not apply): the reason can ask for it
            papers = tuple(p for p, present in entries if present or p.name in missing_required)
            missing = tuple(missing_required)
        else:
            papers = tuple(p for p, present in entries if present)
            missing = ()
        form = IntakeForm(
            procedure_code=proc.code if proc else "",
            name=self.text("name"),
            identifier=self.text("identifier"),
            applicant_kind=self.kind(),
            birth_date=self.text("birth_date") if person else "",
            sex=SEXES[self.sex.currentIndex()] if person else "",
            address=self.text("address"),
            phone=self.text("phone"),
            email=self.text("email"),
            filer_name=self.text("filer_name") if filer else "",
            filer_identifier=self.text("filer_identifier") if filer else "",
            filer_phone=self.text("filer_phone") if filer else "",
            filer_authorisation=self.text("filer_authorisation") if filer else "",
            channel=int(self.channel.currentData()),
            result_delivery=str(self.delivery.currentData()),
            postal_address=self.text("postal_address"),
            sets_count=self.sets_count.value(),
            fee_paid=self.fee_paid.isChecked() and self.fee_paid.isEnabled(),
            papers=papers if entries else None,
            missing=missing,
            reason=self.reason.toPlainText(),
        )
        errors: dict[str, str] = {}
        if proc is None:
            errors["procedure"] = "Chưa chọn thủ tục hành chính."
        papers_error = self.papers_problem() if outcome == "accept" else ""
        if errors or papers_error:
            # the form goes no further: every other message is shown with these, in the form's reading order
            try:
                validate_applicant(form, today())
            except FormInvalid as exc:
                errors.update(exc.errors)
        if papers_error:
            errors["papers"] = papers_error
        return form, errors
