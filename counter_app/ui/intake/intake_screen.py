"""IntakeScreen: the intake form's three outcomes, the confirmation panel, the ID-card scan and its draft."""

from __future__ import annotations

import logging
from functools import partial
from typing import TYPE_CHECKING, Any, cast

from PySide6.QtCore import Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QStackedWidget, QVBoxLayout, QWidget

from counter_app.domain.citizen import IdCardData, parse_id_card_qr
from counter_app.errors import FormInvalid, ValidationError
from counter_app.services.common.views import IntakeResult, ProcedureView
from counter_app.ui.intake.after_the_fact import AfterTheFact
from counter_app.ui.intake.checklist_keys import ChecklistKeys
from counter_app.ui.intake.id_card_fill import fill_applicant, flag_stripped
from counter_app.ui.intake.intake_confirmation import ConfirmationPanel
from counter_app.ui.intake.intake_draft import (
    DRAFT_KEY,
    DRAFT_VERSION,
    DraftKeeper,
    apply_draft_fields,
    collect_draft,
)
from counter_app.ui.intake.intake_fields import IntakeFields
from counter_app.ui.intake.live_due_date import LiveDueDate
from counter_app.ui.intake.papers_table import ASKED
from counter_app.ui.intake.slip_intake import SlipIntake
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.errors import show_error
from counter_app.ui.widgets.formatting import vn_date

if TYPE_CHECKING:
    from counter_app.services.desk.slip_completion import SupplementIntakeView
    from counter_app.services.documents.printed_documents import DocumentResult
    from counter_app.services.registry import Services

log = logging.getLogger(__name__)


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
        services: Services,
        runner: TaskRunner,
        parent: QWidget | None = None,
        *,
        draft_key: str = DRAFT_KEY,
        draft_delay_ms: int = 500,
    ) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._restoring = False
        self._busy = False
        self._pending_papers: list[list[Any]] | None = None
        self._papers_for: str | None = None
        self._result: IntakeResult | None = None
        self.fields = IntakeFields(runner)
        # the fields the shell, the tour and the tests reach through the screen
        f = self.fields
        self.errors, self.lines, self.picker, self.papers = f.errors, f.lines, f.picker, f.papers
        self.person, self.organisation, self.sex, self.filer_box = f.person, f.organisation, f.sex, f.filer_box
        self.channel, self.delivery, self.sets_count, self.fee_paid = f.channel, f.delivery, f.sets_count, f.fee_paid
        self.due_label, self.reason, self.form_scroll = f.due_label, f.reason, f.form_scroll
        self.general_error, self.draft_state = f.general_error, f.draft_state
        self.accept_button, self.supplement_button = f.accept_button, f.supplement_button
        self.refuse_button, self.clear_button = f.refuse_button, f.clear_button

        self.slip_intake = SlipIntake(self.fields)  # shown while the form completes a Mẫu 02 slip
        cast(QVBoxLayout, self.fields.layout()).insertWidget(0, self.slip_intake)
        self.after_the_fact = AfterTheFact(self.errors)  # a supervisor's "Nhập hồ sơ sau", above the applicant
        self.fields.left_column.insertWidget(1, self.after_the_fact)
        self.stack = QStackedWidget()
        self.stack.addWidget(self.fields)
        self.confirmation = ConfirmationPanel()
        self.stack.addWidget(self.confirmation)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.stack)

        self.draft = DraftKeeper(
            services.drafts,
            runner,
            self,
            key=draft_key,
            delay_ms=draft_delay_ms,
            collect=self._collect,
            saved=self._on_draft_saved,
            failed=self._on_draft_failed,
            loaded=self._apply_draft,
        )
        self.due = LiveDueDate(services, runner, self.due_label, self.picker.procedure, self)
        self._connect_changes()
        self.confirmation.sig_new.connect(self.new_intake)
        self.confirmation.sig_open.connect(self.sig_open_dossier)
        self.confirmation.sig_print.connect(self.print_document)
        self.after_the_fact.sig_leave.connect(self.start_over)
        QShortcut(QKeySequence("Ctrl+Return"), self, self.accept_dossier)
        self.checklist_keys = ChecklistKeys(self.fields, self.accept_dossier, self)
        self.picker.set_services(services)
        self.fields.sync_kind()
        self.fields.sync_delivery()
        self.due.refresh()
        self.draft.load()

    def _connect_changes(self) -> None:
        self.accept_button.clicked.connect(self.accept_dossier)
        self.supplement_button.clicked.connect(self.request_supplement)
        self.refuse_button.clicked.connect(self.refuse)
        self.clear_button.clicked.connect(self.start_over)
        for key, edit in self.lines.items():
            edit.textChanged.connect(self._on_changed)
            edit.textEdited.connect(lambda _text, k=key: self.errors.clear(k))
        for combo in (self.sex, self.channel, self.delivery):
            combo.currentIndexChanged.connect(self._on_changed)
        for toggle in (self.person, self.fee_paid, self.filer_box):
            toggle.toggled.connect(self._on_changed)
        self.person.toggled.connect(self.fields.sync_kind)
        self.delivery.currentIndexChanged.connect(self.fields.sync_delivery)
        self.sets_count.valueChanged.connect(self._on_changed)
        self.papers.itemChanged.connect(self._on_changed)
        self.reason.textChanged.connect(self._on_changed)
        self.picker.sig_selected.connect(self._on_procedure)
        self.picker.sig_chosen.connect(self.fields.focus_applicant)

    # form state
    def _on_procedure(self, proc: ProcedureView | None) -> None:
        self.fields.show_procedure(proc)
        if proc is None:
            self.due.refresh()
            self._on_changed()
            return
        if self._pending_papers is not None:
            self.papers.restore(self._pending_papers)
            self._pending_papers = None
        elif proc.code != self._papers_for:
            self.papers.set_papers(proc.papers)
        self._papers_for = proc.code
        self.due.refresh()
        self._on_changed()

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
        form, errors = self.fields.read_form(outcome, lambda: self._services.clock.now().date())
        call, mode_errors = self.after_the_fact.recorder(self._services, outcome)
        if errors or mode_errors:
            self.show_errors(mode_errors | errors)
            return
        self.errors.clear()
        intake = self._services.intake
        if call is None:
            call = {"accept": intake.accept, "supplement": intake.request_supplement, "refuse": intake.refuse}[outcome]
        if outcome == "accept" and self.slip_intake.slip:
            call = partial(intake.accept_supplement, self.slip_intake.slip)
        self._set_busy(True)
        self.draft.hold()
        self._runner.run_serial(call, form, on_done=self._on_outcome, on_error=self._on_outcome_failed)

    def _set_busy(self, busy: bool) -> None:
        self._busy = busy
        ordinary = not busy and not self.after_the_fact.active  # the mode has one outcome: Tiếp nhận
        for button in (self.accept_button, self.clear_button):
            button.setEnabled(not busy)
        self.refuse_button.setEnabled(ordinary)
        self.supplement_button.setEnabled(ordinary and not self.slip_intake.slip)  # one supplement request only

    def _on_outcome(self, result: IntakeResult) -> None:
        self._set_busy(False)
        self._result = result
        self.draft.discard()
        self.clear_form()
        # printing is wired only when the installation has the document service
        self.confirmation.show_result(
            result,
            printing=self._services.capabilities.documents,
            today=vn_date(self._services.clock.now()),
        )
        self.stack.setCurrentIndex(1)
        self.confirmation.focus_next()  # on "next", never left on a print button
        self.picker.refresh_recent()  # the next citizen's empty picker offers this procedure first
        emit(self.sig_outcome, result)

    def _on_outcome_failed(self, exc: object) -> None:
        self._set_busy(False)
        if isinstance(exc, FormInvalid):
            self.show_errors(exc.errors)
        elif isinstance(exc, ValidationError):
            self.show_errors({exc.field: exc.message})
        else:
            show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))
        self._on_changed()  # the draft, as after any change (never of the supervisor's mode)

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

    def _on_document(self, document: DocumentResult) -> None:
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
            self.draft.bring_back()  # after the supervisor's mode: the draft it put aside
        self.focus_first_field()

    def focus_first_field(self) -> None:
        """The focus on the procedure: where the clerk types first (a scan is taken wherever the focus is)."""
        self.picker.edit.setFocus()

    def showing_confirmation(self) -> bool:
        return self.stack.currentIndex() == 1

    def start_over(self) -> None:
        """An empty form and no draft of it; leaving the supervisor's mode, the draft it put aside comes back."""
        self.clear_form()
        self.draft.discard()
        self.draft.bring_back()

    def clear_form(self) -> None:
        self._restoring = True
        try:
            self.fields.clear()
            self.slip_intake.leave()
            self.after_the_fact.leave()  # the next citizen is never back-dated by what was typed here
            self._set_busy(self._busy)
            self._papers_for = None
            self._pending_papers = None
        finally:
            self._restoring = False

    def enter_after_the_fact(self, code: str = "") -> None:
        """A supervisor's "Nhập hồ sơ sau" (ui.intake.after_the_fact) on an empty form, `code` pre-filled; the
        saved draft is put aside (the mode saves none), and comes back when the mode is left."""
        self.new_intake()
        self.draft.put_aside()
        self.clear_form()
        self.after_the_fact.enter(code)
        self._set_busy(self._busy)

    def start_supplement(self, view: SupplementIntakeView) -> None:
        """The applicant came back with a Mẫu 02 slip: the form pre-filled from it (what is being typed is
        replaced), the papers handed in before ticked and marked; the clerk ticks what was added."""
        self.new_intake()
        self._restoring = True
        try:
            self.clear_form()
            self._pending_papers = self.slip_intake.papers_rows(view)
            self.picker.select(view.procedure)
            self.slip_intake.fill(view)
            self.fields.supplement_button.setEnabled(False)
        finally:
            self._restoring = False
        self._on_changed()
        asked = [r for r in range(self.papers.rowCount()) if self.papers.note(r) == ASKED]
        self.papers.setFocus()
        self.papers.setCurrentCell(asked[0] if asked else 0, 0)

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
            flag_stripped(self.fields, data)
        return True

    def fill_from_id_card(self, data: IdCardData) -> None:
        if self.stack.currentIndex() != 0:
            self.new_intake()
        fill_applicant(self.fields, data)
        if self.picker.procedure() is None:  # the applicant is complete: on to the procedure, or to the papers
            self.focus_first_field()
        else:
            self.fields.focus_applicant()

    # drafts
    def _on_changed(self, *_args: object) -> None:
        if not self._restoring and not self.after_the_fact.active:  # no draft of the mode: it is never restored
            self.draft.changed()

    def _collect(self) -> dict[str, Any] | None:
        return None if self.is_blank() else collect_draft(self.fields) | self.slip_intake.draft()

    def is_blank(self) -> bool:
        return self.fields.is_blank() and self.after_the_fact.is_blank()

    def flush_draft(self) -> None:
        """Save now what the debounce would save shortly (the screen or the window is closing)."""
        self.draft.flush()

    def _on_draft_saved(self, _result: object) -> None:
        now = self._services.clock.now()
        self.draft_state.setText(f"Bản nháp đã lưu lúc {now:%H:%M}")
        emit(self.sig_draft_saved)

    def _on_draft_failed(self, exc: object) -> None:
        log.warning("draft not saved: %s", type(exc).__name__)
        self.draft_state.setText("Chưa lưu được bản nháp.")

    def _apply_draft(self, data: dict[str, Any] | None) -> None:
        if not data or data.get("version") != DRAFT_VERSION or not self.is_blank() or self.after_the_fact.active:
            return  # never into a form being filled, nor into the supervisor's mode
        self._restoring = True
        try:
            apply_draft_fields(self.fields, data)
            self.slip_intake.restore(data)
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
