"""IntakeScreen: the intake form, its three outcomes, the live due date, the draft and the confirmation panel."""

from __future__ import annotations

import logging
from typing import Any

from PySide6.QtCore import QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
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
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.citizen import IdCardData, lacks_marks, parse_id_card_qr
from counter_app.domain.intake import CHANNELS, DELIVERIES, IntakeForm, validate_applicant
from counter_app.errors import FormInvalid, ValidationError
from counter_app.services.common.views import AppointmentView, IntakeResult, ProcedureView
from counter_app.ui.intake.intake_confirmation import ConfirmationPanel
from counter_app.ui.intake.papers_table import PapersTable
from counter_app.ui.intake.procedure_picker import ProcedurePicker
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.errors import show_error
from counter_app.ui.widgets.field_errors import FieldErrors, add_field
from counter_app.ui.widgets.formatting import money, processing_text, vn_appointment, vn_date

log = logging.getLogger(__name__)

DRAFT_KEY = "intake"
DRAFT_VERSION = 1
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
STRIPPED_NAME_NOTICE = (
    "Kiểm tra lại họ tên: máy quét đang ở chế độ bàn phím nên không gõ được dấu tiếng Việt. "
    "Sửa họ tên cho đúng như trên thẻ căn cước."
)
STRIPPED_ADDRESS_NOTICE = "Kiểm tra lại địa chỉ: máy quét ở chế độ bàn phím đã bỏ mất dấu tiếng Việt."


def _appointment(services: Any, days: int, cutoff: str | None, generation: int) -> tuple[int, AppointmentView]:
    """Runs in a worker: the due date of a dossier received now."""
    return generation, services.calendar.appointment(services.context.clock.now(), days, cutoff)


class IntakeScreen(QWidget):
    """What the clerk fills while the applicant waits; nothing typed is lost (draft, inline errors)."""

    sig_outcome = Signal(object)
    """An outcome was recorded: its IntakeResult."""
    sig_open_dossier = Signal(str)
    """The clerk asked to open the dossier just recorded: its UUID."""
    sig_document_ready = Signal(object)
    """A document of the outcome was rendered: the DocumentResult of services.documents."""
    sig_draft_saved = Signal()
    """The draft is stored (or discarded, the form being blank)."""
    sig_draft_restored = Signal()
    """A saved draft was put back into the form."""

    def __init__(
        self,
        services: Any,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        draft_key: str = DRAFT_KEY,
        draft_delay_ms: int = 500,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._draft_key = draft_key
        self._restoring = False
        self._busy = False
        self._pending_papers: list[list[Any]] | None = None
        self._papers_for: str | None = None
        self._due_generation = 0
        self._result: IntakeResult | None = None
        self.errors = FieldErrors()
        self.lines: dict[str, QLineEdit] = {}

        self.stack = QStackedWidget()
        self.stack.addWidget(self._build_form_page())
        self.confirmation = ConfirmationPanel()
        self.stack.addWidget(self.confirmation)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self._draft_timer = QTimer(self, singleShot=True, interval=draft_delay_ms)
        self._draft_timer.timeout.connect(self._save_draft)
        self._due_timer = QTimer(self, interval=60_000)
        self._due_timer.timeout.connect(self._update_due)
        self._due_timer.start()
        self._connect_changes()
        self.confirmation.sig_new.connect(self.new_intake)
        self.confirmation.sig_open.connect(self.sig_open_dossier)
        self.confirmation.sig_print.connect(self.print_document)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.accept_dossier)
        self.picker.set_services(services)
        self._sync_kind()
        self._sync_delivery()
        self._update_due()
        self.restore_draft()

    # building
    def _line(self, key: str, placeholder: str = "") -> QLineEdit:
        edit = QLineEdit(placeholderText=placeholder)
        edit.setObjectName(key)
        self.lines[key] = edit
        return edit

    def _build_form_page(self) -> QWidget:
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
        self._birth_row = add_field(
            self.applicant_form, "Ngày sinh", self._line("birth_date", "dd/mm/yyyy"), self.errors, "birth_date"
        )
        self._sex_row = add_field(self.applicant_form, "Giới tính", self.sex, self.errors, "sex")
        add_field(self.applicant_form, "Địa chỉ", self._line("address"), self.errors, "address")
        add_field(self.applicant_form, "Điện thoại", self._line("phone"), self.errors, "phone")
        add_field(self.applicant_form, "Thư điện tử", self._line("email"), self.errors, "email")

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

        left = QVBoxLayout()
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
        page = QWidget()
        page_layout = QVBoxLayout(page)
        page_layout.setContentsMargins(0, 0, 0, 0)
        page_layout.addWidget(self.form_scroll, 1)
        page_layout.addWidget(self.general_error)
        page_layout.addLayout(bar)
        self.accept_button.clicked.connect(self.accept_dossier)
        self.supplement_button.clicked.connect(self.request_supplement)
        self.refuse_button.clicked.connect(self.refuse)
        self.clear_button.clicked.connect(self.start_over)
        return page

    def _connect_changes(self) -> None:
        for key, edit in self.lines.items():
            edit.textChanged.connect(self._on_changed)
            edit.textEdited.connect(lambda _text, k=key: self.errors.clear(k))
        for combo in (self.sex, self.channel, self.delivery):
            combo.currentIndexChanged.connect(self._on_changed)
        for toggle in (self.person, self.fee_paid, self.filer_box):
            toggle.toggled.connect(self._on_changed)
        self.person.toggled.connect(self._sync_kind)
        self.delivery.currentIndexChanged.connect(self._sync_delivery)
        self.sets_count.valueChanged.connect(self._on_changed)
        self.papers.itemChanged.connect(self._on_changed)
        self.reason.textChanged.connect(self._on_changed)
        self.picker.sig_selected.connect(self._on_procedure)
        self.picker.sig_chosen.connect(self._focus_applicant)

    # form state
    def _sync_kind(self) -> None:
        person = self.person.isChecked()
        self.applicant_form.setRowVisible(self._birth_row, person)
        self.applicant_form.setRowVisible(self._sex_row, person)
        label = self.applicant_form.labelForField(self._identifier_row)
        if isinstance(label, QLabel):
            label.setText("Số định danh" if person else "Mã số thuế")
        self.lines["identifier"].setPlaceholderText("12 chữ số" if person else "10 hoặc 13 chữ số")
        self.lines["name"].setPlaceholderText("Họ và tên đầy đủ, có dấu" if person else "Tên tổ chức")

    def _sync_delivery(self) -> None:
        self.lines["postal_address"].setEnabled(self.delivery.currentData() == "post")

    def _on_procedure(self, proc: ProcedureView | None) -> None:
        if proc is None:
            self.procedure_info.clear()
            self.fee_label.setText("—")
            self._update_due()
            self._on_changed()
            return
        self.errors.clear("procedure")
        self.procedure_info.setText(
            f"{proc.field} · {processing_text(proc.days, proc.same_day_cutoff)} · Cơ quan giải quyết: "
            f"{proc.deciding_agency}" + (" · Dữ liệu minh họa" if proc.demo else "")
        )
        self.fee_label.setText(money(proc.fee))
        self.fee_paid.setEnabled(proc.fee > 0)
        if self._pending_papers is not None:
            self.papers.restore(self._pending_papers)
            self._pending_papers = None
        elif proc.code != self._papers_for:
            self.papers.set_papers(proc.papers)
        self._papers_for = proc.code
        self._update_due()
        self._on_changed()

    def _focus_applicant(self, _proc: object = None) -> None:
        """The clerk chose a procedure: the next keys go to the first applicant field still empty."""
        keys = ("identifier", "name", "birth_date", "address") if self._kind() == "person" else ("identifier", "name")
        empty = [self.lines[k] for k in keys if not self.lines[k].text().strip()]
        edit = empty[0] if empty else self.lines["phone"]  # all read from the card before the procedure was chosen
        self.form_scroll.ensureWidgetVisible(edit)
        edit.setFocus()

    def _update_due(self) -> None:
        proc = self.picker.procedure()
        self._due_generation += 1
        if proc is None:
            self.due_label.setText("Chọn thủ tục để tính ngày hẹn trả.")
            return
        self._runner.run_pooled(
            _appointment, self._services, proc.days, proc.same_day_cutoff, self._due_generation, on_done=self._on_due
        )

    def _on_due(self, result: tuple[int, AppointmentView]) -> None:
        generation, appointment = result
        if generation != self._due_generation:
            return
        text = vn_appointment(appointment.due)
        if appointment.estimated:
            text += " (theo lịch ước tính)"
        self.due_label.setText(text)

    def _kind(self) -> str:
        return "person" if self.person.isChecked() else "organisation"

    def _text(self, key: str) -> str:
        return self.lines[key].text()

    def _build_form(self, outcome: str) -> tuple[IntakeForm, dict[str, str]]:
        """The form as the service takes it, and the errors only the screen can see (no procedure, no paper)."""
        proc = self.picker.procedure()
        person = self._kind() == "person"
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
            name=self._text("name"),
            identifier=self._text("identifier"),
            applicant_kind=self._kind(),
            birth_date=self._text("birth_date") if person else "",
            sex=SEXES[self.sex.currentIndex()] if person else "",
            address=self._text("address"),
            phone=self._text("phone"),
            email=self._text("email"),
            filer_name=self._text("filer_name") if filer else "",
            filer_identifier=self._text("filer_identifier") if filer else "",
            filer_phone=self._text("filer_phone") if filer else "",
            filer_authorisation=self._text("filer_authorisation") if filer else "",
            channel=int(self.channel.currentData()),
            result_delivery=str(self.delivery.currentData()),
            postal_address=self._text("postal_address"),
            sets_count=self.sets_count.value(),
            fee_paid=self.fee_paid.isChecked() and self.fee_paid.isEnabled(),
            papers=papers if entries else None,
            missing=missing,
            reason=self.reason.toPlainText(),
        )
        errors: dict[str, str] = {}
        if proc is None:
            errors["procedure"] = "Chưa chọn thủ tục hành chính."
        papers_error = ""
        if outcome == "accept" and missing_required:
            names = ", ".join(f"“{name}”" for name in missing_required)
            papers_error = (
                f"Chưa nhận đủ giấy tờ bắt buộc: {names}. Đánh dấu “Đã nộp” nếu người nộp đã giao, "
                "hoặc chọn “Yêu cầu bổ sung”."
            )
        elif outcome == "accept" and entries and not papers:
            papers_error = "Chưa đánh dấu giấy tờ nào đã nộp."
        if errors or papers_error:
            # the form goes no further: every other message is shown with these, in the form's reading order
            try:
                validate_applicant(form, self._services.context.clock.now().date())
            except FormInvalid as exc:
                errors.update(exc.errors)
        if papers_error:
            errors["papers"] = papers_error
        return form, errors

    # outcomes
    def accept_dossier(self) -> None:
        self._submit("accept")

    def request_supplement(self) -> None:
        self._submit("supplement")

    def refuse(self) -> None:
        self._submit("refuse")

    def _submit(self, outcome: str) -> None:
        if self._busy or self.stack.currentIndex() != 0:
            return
        form, errors = self._build_form(outcome)
        if errors:
            self.show_errors(errors)
            return
        self.errors.clear()
        intake = self._services.intake
        call = {"accept": intake.accept, "supplement": intake.request_supplement, "refuse": intake.refuse}[outcome]
        self._set_busy(True)
        self._draft_timer.stop()
        self._runner.run_serial(call, form, on_done=self._on_outcome, on_error=self._on_outcome_failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        for button in (self.accept_button, self.supplement_button, self.refuse_button, self.clear_button):
            button.setEnabled(not busy)

    def _on_outcome(self, result: IntakeResult) -> None:
        self._set_busy(False)
        self._result = result
        self._runner.run_serial(self._services.drafts.discard_draft, self._draft_key)
        self.clear_form()
        # printing is wired only when the installation has the document service
        self.confirmation.show_result(
            result,
            printing=hasattr(self._services, "documents"),
            today=vn_date(self._services.context.clock.now()),
        )
        self.stack.setCurrentIndex(1)
        self.confirmation.focus_next()  # on "next", never left on a print button
        emit(self.sig_outcome, result)

    def _on_outcome_failed(self, exc: object) -> None:
        self._set_busy(False)
        if isinstance(exc, FormInvalid):
            self.show_errors(exc.errors)
        elif isinstance(exc, ValidationError):
            self.show_errors({exc.field: exc.message})
        else:
            show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))
        self._draft_timer.start()

    def show_errors(self, errors: dict[str, str]) -> None:
        """Each message under its field; what has no field here goes above the buttons."""
        unplaced = self.errors.show(errors)
        general = list(unplaced.values())
        placed = len(errors) - len(unplaced)
        if placed:
            general.append(f"Có {placed} thông tin chưa hợp lệ: xem dòng chữ đỏ dưới từng ô.")
        self.general_error.setText("\n".join(general))
        self.general_error.setVisible(bool(general))
        widget = self.errors.first_widget(errors)
        if widget is not None:
            self.form_scroll.ensureWidgetVisible(widget)
            widget.setFocus()

    def field_error(self, key: str) -> str:
        return self.errors.message(key)

    # confirmation
    def result(self) -> IntakeResult | None:
        return self._result

    def print_document(self, kind: str) -> None:
        if self._result is None:
            return
        key = self._result.code or self._result.slip or self._result.uuid
        self.confirmation.print_state.setText("Đang tạo giấy tờ…")
        self._runner.run_serial(
            self._services.documents.render, key, kind, on_done=self._on_document, on_error=self._on_document_failed
        )

    def _on_document(self, document: Any) -> None:
        self.confirmation.print_state.setText(f"Đã tạo {getattr(document, 'path', '')}")
        emit(self.sig_document_ready, document)

    def _on_document_failed(self, exc: object) -> None:
        self.confirmation.print_state.setText("Chưa tạo được giấy tờ.")
        show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

    def new_intake(self) -> None:
        """The next applicant: from the confirmation, an empty form; a form being filled is kept as it is."""
        if self.showing_confirmation():
            self.clear_form()
            self.general_error.clear()
            self.general_error.hide()
            self.stack.setCurrentIndex(0)
            self.form_scroll.verticalScrollBar().setValue(0)
        self.focus_first_field()

    def focus_first_field(self) -> None:
        """The focus on the procedure: where the clerk types first (a scan is taken wherever the focus is)."""
        self.picker.edit.setFocus()

    def showing_confirmation(self) -> bool:
        return self.stack.currentIndex() == 1

    def start_over(self) -> None:
        self.clear_form()
        self._draft_timer.stop()
        self._runner.run_serial(self._services.drafts.discard_draft, self._draft_key)

    def clear_form(self) -> None:
        self._restoring = True
        try:
            for edit in self.lines.values():
                edit.clear()
            self.picker.select(None)
            self.papers.setRowCount(0)
            self._papers_for = None
            self._pending_papers = None
            self.person.setChecked(True)
            self.sex.setCurrentIndex(0)
            self.channel.setCurrentIndex(0)
            self.delivery.setCurrentIndex(0)
            self.sets_count.setValue(1)
            self.fee_paid.setChecked(False)
            self.filer_box.setChecked(False)
            self.reason.clear()
            self.errors.clear()
        finally:
            self._restoring = False

    # scanning
    def apply_scan(self, text: str, *, keyboard: bool = False) -> bool:
        """Fill the applicant from an ID-card QR; a bad QR shows its message and changes nothing.

        `keyboard`: the QR came through a scanner in keyboard mode, whose US layout types no Vietnamese
        letter: a name or address without a single mark was probably stripped, and the clerk is asked to check.
        """
        try:
            data = parse_id_card_qr(text)
        except ValidationError as exc:
            self.show_errors({"_general": exc.message})
            return False
        self.fill_from_id_card(data)
        if keyboard:
            self._flag_stripped(data)
        return True

    def fill_from_id_card(self, data: IdCardData) -> None:
        if self.stack.currentIndex() != 0:
            self.new_intake()
        self.person.setChecked(True)
        self.lines["identifier"].setText(data.identifier)
        self.lines["name"].setText(data.full_name)
        self.lines["birth_date"].setText(vn_date(data.birth_date))
        self.sex.setCurrentIndex(SEXES.index(data.sex) if data.sex in SEXES else 0)
        self.lines["address"].setText(data.address)
        for key in ("identifier", "name", "birth_date", "sex", "address", "_general"):
            self.errors.clear(key)
        self.lines["phone"].setFocus()

    def _flag_stripped(self, data: IdCardData) -> None:
        """A notice under the name (and address) read without any mark; it goes once the clerk edits the field."""
        flagged = []
        if lacks_marks(data.full_name):
            self.errors.set("name", STRIPPED_NAME_NOTICE)
            flagged.append("name")
        if lacks_marks(data.address):
            self.errors.set("address", STRIPPED_ADDRESS_NOTICE)
            flagged.append("address")
        if flagged:
            first = self.lines[flagged[0]]
            first.setFocus()
            first.selectAll()

    # drafts
    def _on_changed(self, *_args: object) -> None:
        if not self._restoring:
            self._draft_timer.start()

    def _collect(self) -> dict[str, Any]:
        proc = self.picker.procedure()
        return {
            "version": DRAFT_VERSION,
            "procedure_code": proc.code if proc else "",
            "applicant_kind": self._kind(),
            "lines": {key: edit.text() for key, edit in self.lines.items()},
            "sex": SEXES[self.sex.currentIndex()],
            "filer": self.filer_box.isChecked(),
            "channel": self.channel.currentData(),
            "result_delivery": self.delivery.currentData(),
            "sets_count": self.sets_count.value(),
            "fee_paid": self.fee_paid.isChecked(),
            "papers": self.papers.draft_rows(),
            "reason": self.reason.toPlainText(),
        }

    def is_blank(self) -> bool:
        return (
            self.picker.procedure() is None
            and not any(edit.text().strip() for edit in self.lines.values())
            and not self.reason.toPlainText().strip()
        )

    def _save_draft(self) -> None:
        drafts = self._services.drafts
        if self.is_blank():
            self._runner.run_serial(drafts.discard_draft, self._draft_key, on_done=self._on_draft_saved)
        else:
            self._runner.run_serial(
                drafts.save_draft,
                self._draft_key,
                self._collect(),
                on_done=self._on_draft_saved,
                on_error=self._on_draft_failed,
            )

    def flush_draft(self) -> None:
        """Save now what the debounce would save shortly (the screen or the window is closing)."""
        if self._draft_timer.isActive():
            self._draft_timer.stop()
            self._save_draft()

    def _on_draft_saved(self, _result: object) -> None:
        now = self._services.context.clock.now()
        self.draft_state.setText(f"Bản nháp đã lưu lúc {now:%H:%M}")
        emit(self.sig_draft_saved)

    def _on_draft_failed(self, exc: object) -> None:
        log.warning("draft not saved: %s", type(exc).__name__)
        self.draft_state.setText("Chưa lưu được bản nháp.")

    def restore_draft(self) -> None:
        self._runner.run_pooled(self._services.drafts.load_draft, self._draft_key, on_done=self._apply_draft)

    def _apply_draft(self, data: dict[str, Any] | None) -> None:
        if not data or data.get("version") != DRAFT_VERSION or not self.is_blank():
            return
        self._restoring = True
        try:
            (self.person if data.get("applicant_kind") != "organisation" else self.organisation).setChecked(True)
            for key, text in dict(data.get("lines", {})).items():
                if key in self.lines:
                    self.lines[key].setText(str(text))
            sex = data.get("sex", "")
            self.sex.setCurrentIndex(SEXES.index(sex) if sex in SEXES else 0)
            self.filer_box.setChecked(bool(data.get("filer")))
            self.channel.setCurrentIndex(max(0, self.channel.findData(data.get("channel"))))
            self.delivery.setCurrentIndex(max(0, self.delivery.findData(data.get("result_delivery"))))
            self.sets_count.setValue(int(data.get("sets_count", 1)))
            self.fee_paid.setChecked(bool(data.get("fee_paid")))
            self.reason.setPlainText(str(data.get("reason", "")))
            papers = list(data.get("papers", []))
            code = str(data.get("procedure_code", ""))
            if code:
                self._pending_papers = papers
                self.picker.select_code(code)
            else:
                self.papers.restore(papers)
        finally:
            self._restoring = False
        self.draft_state.setText("Đã khôi phục bản nháp chưa hoàn tất.")
        emit(self.sig_draft_restored)
