"""DossierScreen: one dossier's actions in one row at the top; its details, timeline and scans in tabs below."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import QHBoxLayout, QLabel, QPushButton, QScrollArea, QTabWidget, QVBoxLayout, QWidget

from counter_app.domain.document_kinds import HISTORY_TITLES, document_kind
from counter_app.domain.roles import PERMISSION_LABELS, PERMISSION_ROLES, Permission, permission_for_action
from counter_app.domain.status import Action, Stage, allowed_actions
from counter_app.errors import CounterError, FormInvalid, ValidationError
from counter_app.services.common.views import DossierView, EventView
from counter_app.ui.attachments.attachments_panel import AttachmentsPanel
from counter_app.ui.documents.reprint_dialog import ReprintDialog
from counter_app.ui.dossier.dossier_actions import ACTION_LABELS, PRINT_LABELS, SECOND_ROW, print_applies, printed_kinds
from counter_app.ui.dossier.dossier_bundle import DossierBundle, load_dossier
from counter_app.ui.dossier.dossier_details import LATENESS_STYLES, DossierDetails, DossierTimeline
from counter_app.ui.dossier.dossier_dialogs import CorrectionDialog, HandOverDialog, ReasonDialog
from counter_app.ui.qt.form_dialog import FormDialog
from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.widgets.barcode_widget import BarcodeWidget
from counter_app.ui.widgets.errors import show_error

if TYPE_CHECKING:
    from counter_app.services.common.changes import Changes
    from counter_app.services.documents.printed_documents import DocumentResult
    from counter_app.services.registry import Services

__all__ = ["DossierBundle", "DossierScreen", "load_dossier"]


def _render(
    services: Services, key: str, kind: str, *, reason: str | None = None, reason_note: str = ""
) -> DocumentResult:
    """Runs in the write worker: a document of the dossier numbered, rendered and archived."""
    return services.documents.render(key, kind, reason=reason, reason_note=reason_note)


class DossierScreen(QWidget):
    sig_loaded = Signal(object)
    """The dossier was (re)loaded: its DossierView."""
    sig_load_failed = Signal(object)
    """The dossier could not be loaded: the exception."""
    sig_changed = Signal(object)
    """An action changed the dossier: its new DossierView."""
    sig_document_ready = Signal(object)
    """A document was rendered: the DocumentResult of services.documents."""

    def __init__(self, services: Services, runner: TaskRunner, key: str, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._services = services
        self._runner = runner
        self._key = key
        self._bundle: DossierBundle | None = None
        self.dialog: FormDialog | None = None
        self._dialog_call: Callable[[dict[str, Any]], Any] | None = None
        self._dialog_done: Callable[[Any], None] = self._after_change
        self._print_kind = ""  # the document of the print under way

        self.code_label = QLabel("Đang tải hồ sơ…")
        self.code_label.setObjectName("dossierCode")
        self.code_label.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        big = QFont(self.font())
        big.setPointSize(big.pointSize() + 6)
        big.setBold(True)
        self.code_label.setFont(big)
        self.stage_label = QLabel()
        self.stage_label.setWordWrap(True)
        self.procedure_label = QLabel()
        self.procedure_label.setWordWrap(True)
        self.barcode = BarcodeWidget(bar_height=32)
        # the header: code and stage, procedure, room for the window's sync state; the barcode at the right (its
        # 2-pixel modules take about 600 px: the stage wraps rather than widen the screen past 1280 px)
        self.stage_label.setMinimumWidth(120)
        self.procedure_label.setMinimumWidth(160)
        titles = QVBoxLayout()
        first_line = QHBoxLayout()
        first_line.addWidget(self.code_label)
        first_line.addSpacing(16)
        first_line.addWidget(self.stage_label, 1)
        titles.addLayout(first_line)
        self._header_extra = QHBoxLayout()  # the procedure, then what the window adds
        self._header_extra.addWidget(self.procedure_label, 1)
        titles.addLayout(self._header_extra)
        header = QHBoxLayout()
        header.addLayout(titles, 1)
        header.addWidget(self.barcode)

        self.action_buttons: dict[Action, QPushButton] = {}
        # one row: the workflow, then (after a gap) what ends or amends the record, then the prints at the right;
        # only the actions the stage allows are shown (_sync_actions), so the row fits 1280 px
        actions = QHBoxLayout()
        for action, label in ACTION_LABELS:
            button = QPushButton(label)
            button.setObjectName(f"action_{action.value}")
            button.setEnabled(False)
            button.setHidden(True)  # until the dossier's stage is known
            button.clicked.connect(lambda _checked=False, a=action: self.run_action(a))
            self.action_buttons[action] = button
            if action == next(a for a, _label in ACTION_LABELS if a in SECOND_ROW):
                actions.addSpacing(16)
            actions.addWidget(button)
        actions.addStretch()
        self.print_buttons: dict[str, QPushButton] = {}
        if services.capabilities.documents:
            for kind, label in PRINT_LABELS:
                button = QPushButton(label)
                button.setObjectName(f"print_{kind}")
                button.setEnabled(False)
                button.setHidden(kind in {"fee", "withdrawal"})  # until the dossier shows they apply
                button.clicked.connect(lambda _checked=False, k=kind: self.print_document(k))
                self.print_buttons[kind] = button
                actions.addWidget(button)

        # why a print was refused (an unpaid fee, a role), under the row where the clerk clicked
        self.print_message = QLabel()
        self.print_message.setObjectName("printMessage")
        self.print_message.setWordWrap(True)
        self.print_message.setStyleSheet("color: #b00020;")
        self.print_message.hide()

        self.details_box = DossierDetails()
        self.timeline = DossierTimeline()
        # details, history and scans side by side as tabs, never stacked (desk-layout.md)
        details_scroll = QScrollArea()
        details_scroll.setWidgetResizable(True)
        details_scroll.setFrameShape(QScrollArea.Shape.NoFrame)
        details_scroll.setWidget(self.details_box)
        self.sections = QTabWidget()
        self.sections.setDocumentMode(True)
        self.sections.addTab(details_scroll, "Thông tin hồ sơ")
        self.sections.addTab(self.timeline, "Quá trình giải quyết")
        self.attachments_panel: AttachmentsPanel | None = None
        if services.capabilities.attachments:
            self.attachments_panel = AttachmentsPanel(services, runner, self)
            self.attachments_panel.sig_changed.connect(self._after_attachment)
            self.sections.addTab(self.attachments_panel, "Số hóa hồ sơ")

        layout = QVBoxLayout(self)
        layout.addLayout(header)
        layout.addLayout(actions)
        layout.addWidget(self.print_message)
        layout.addWidget(self.sections, 1)
        self.reload()

    def add_header_widget(self, widget: QWidget) -> None:
        """A small widget in the header, right of the procedure (the window's sync state of the dossier)."""
        self._header_extra.addWidget(widget)

    # loading
    @property
    def key(self) -> str:
        return self._key

    def bundle(self) -> DossierBundle | None:
        return self._bundle

    def reload(self) -> None:
        self._runner.run_pooled(
            load_dossier, self._services, self._key, on_done=self._show, on_error=self._on_load_failed
        )

    def on_changes(self, changes: Changes, initiator: object = None) -> None:
        """After an action elsewhere or a sync: read again when this dossier may have changed (an action of this
        screen already reloads it)."""
        if initiator is not self and self._bundle is not None and changes.touches(self._bundle.state.uuid):
            self.reload()

    def _on_load_failed(self, exc: object) -> None:
        self.code_label.setText("Không mở được hồ sơ")
        emit(self.sig_load_failed, exc)

    def _show(self, bundle: DossierBundle) -> None:
        self._bundle = bundle
        self._key = bundle.state.uuid
        state, view = bundle.state, bundle.view
        key = state.code or state.slip or state.uuid
        self.code_label.setText(key)
        self.barcode.set_value(key)
        self.procedure_label.setText(f"{state.procedure_name} ({state.procedure_code}) — {state.applicant_name}")
        stage_text = f"{view.stage_name} · Trạng thái: {view.status_name}"
        late = bundle.lateness
        if late in LATENESS_STYLES:
            assert late is not None
            stage_text += f" · {late.label}"
        self.stage_label.setText(stage_text)
        self.stage_label.setStyleSheet(LATENESS_STYLES.get(late, "") if late else "")
        self.details_box.fill(state, late)
        self._fill_timeline(bundle.timeline)
        self._sync_actions()
        if self.attachments_panel is not None:
            self.attachments_panel.set_dossier(state.uuid, editable=state.kind == "dossier")
        emit(self.sig_loaded, view)

    def detail(self, key: str) -> str:
        return self.details_box.detail(key)

    def _fill_timeline(self, events: list[EventView]) -> None:
        self.timeline.fill(events)
        self.sections.setTabText(self.sections.indexOf(self.timeline), f"Quá trình giải quyết ({len(events)})")

    def timeline_labels(self) -> list[str]:
        return self.timeline.labels()

    def _sync_actions(self) -> None:
        state = self._bundle.state if self._bundle else None
        stage = state.stage_enum if state else None
        allowed = allowed_actions(stage) if isinstance(stage, Stage) else frozenset()
        for action, button in self.action_buttons.items():
            permitted = self._role_allows(button, permission_for_action(action))
            button.setEnabled(action in allowed and permitted)
            # what the stage does not allow is not shown; what the role does not allow is shown, disabled,
            # with the role it needs in the tooltip
            button.setHidden(action not in allowed)
        printed = self._printed_kinds()
        for kind, button in self.print_buttons.items():
            permitted = self._role_allows(button, Permission.REPRINT if kind in printed else Permission.PRINT)
            button.setEnabled(bool(state and state.code) and permitted)
            button.setHidden(not print_applies(kind, state))

    def _role_allows(self, button: QPushButton, permission: Permission) -> bool:
        """What the signed-in role may do (services.accounts); the services refuse the rest anyway."""
        permitted = self._services.accounts.allows(permission)
        needed = PERMISSION_ROLES[permission].label
        button.setToolTip("" if permitted else f"Việc {PERMISSION_LABELS[permission]} cần vai trò {needed}.")
        return permitted

    def _printed_kinds(self) -> set[str]:
        return printed_kinds(self._bundle.timeline if self._bundle else [])

    def _set_actions_enabled(self, enabled: bool) -> None:
        if enabled:
            self._sync_actions()
        else:
            for button in self.action_buttons.values():
                button.setEnabled(False)

    # actions
    def run_action(self, action: Action) -> None:
        if self._bundle is None:
            return
        dossiers = self._services.dossiers
        key = self._bundle.state.uuid
        if action == Action.TRANSFER:
            self._run_direct(dossiers.transfer, key)
        elif action == Action.RECEIVE_SUPPLEMENT:
            self._run_direct(dossiers.receive_supplement, key)
        elif action == Action.RESULT_READY:
            self._run_direct(dossiers.result_ready, key)
        elif action == Action.REQUEST_SUPPLEMENT:
            self._open_dialog(
                ReasonDialog(
                    "Yêu cầu bổ sung hồ sơ", "Giấy tờ, nội dung cần bổ sung và lý do (cơ quan giải quyết nêu)", self
                ),
                lambda v: dossiers.request_supplement(key, v["reason"]),
            )
        elif action == Action.WITHDRAW:
            self._open_dialog(
                ReasonDialog("Rút hồ sơ", "Lý do công dân rút hồ sơ", self),
                lambda v: dossiers.withdraw(key, v["reason"]),
            )
        elif action == Action.VOID:
            self._open_dialog(
                ReasonDialog("Hủy hồ sơ tiếp nhận nhầm", "Lý do hủy (ví dụ: chọn nhầm thủ tục)", self),
                lambda v: dossiers.void(key, v["reason"]),
            )
        elif action == Action.HAND_OVER:
            self._open_dialog(HandOverDialog(self._bundle.state, self), lambda v: dossiers.hand_over(key, **v))
        elif action == Action.CORRECT:
            today = self._services.clock.now().date()
            self._open_dialog(
                CorrectionDialog(self._bundle.state, today, self),
                lambda v: dossiers.correct(key, v["changes"], v["reason"]),
            )

    def _run_direct(self, call: Callable[[str], DossierView], key: str) -> None:
        self._set_actions_enabled(False)
        self._runner.run_serial(call, key, on_done=self._after_change, on_error=self._on_action_failed)

    def _on_action_failed(self, exc: object) -> None:
        self._sync_actions()
        show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

    def _open_dialog(
        self,
        dialog: FormDialog,
        call: Callable[[dict[str, Any]], Any],
        on_done: Callable[[Any], None] | None = None,
    ) -> None:
        """The dialog's values go to `call` in the worker; its result to `on_done` (default: the dossier changed)."""
        self.dialog = dialog
        self._dialog_call = call
        self._dialog_done = on_done or self._after_change
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.sig_submitted.connect(self._on_dialog_submitted)
        dialog.finished.connect(self._on_dialog_closed)
        dialog.open()

    def _on_dialog_submitted(self, values: dict[str, Any]) -> None:
        assert self._dialog_call is not None
        self._runner.run_serial(
            self._dialog_call, values, on_done=self._on_dialog_done, on_error=self._on_dialog_failed
        )

    def _on_dialog_done(self, result: Any) -> None:
        done = self._dialog_done  # accept() closes the dialog, which forgets it
        if self.dialog is not None:
            self.dialog.accept()
        done(result)

    def _on_dialog_failed(self, exc: object) -> None:
        dialog = self.dialog
        if dialog is None:
            show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))
            return
        dialog.set_busy(False)
        if isinstance(exc, FormInvalid):
            dialog.show_errors(exc.errors)
        elif isinstance(exc, ValidationError):
            dialog.show_errors({exc.field: exc.message})
        elif isinstance(exc, CounterError):
            dialog.show_errors({"_general": exc.message})
        else:
            show_error(dialog, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

    def _on_dialog_closed(self, _result: int) -> None:
        self.dialog = None
        self._dialog_call = None

    def _after_change(self, view: DossierView) -> None:
        emit(self.sig_changed, view)
        self.reload()

    def _after_attachment(self, _attachment: object) -> None:
        self.reload()  # the timeline shows the digitisation event

    # documents
    def print_document(self, kind: str) -> None:
        """A first print at once; a reprint only after its reason is chosen (domain.md §10)."""
        if self._bundle is None:
            return
        self._show_print_message("")
        if kind in self._printed_kinds():
            self.ask_reprint(kind)
            return
        self._print_kind = kind
        self._runner.run_serial(
            _render,  # the document service is built (reportlab imported) in the worker, not here
            self._services,
            self._bundle.state.uuid,
            kind,
            on_done=self._on_document,
            on_error=self._on_print_failed,  # a bound method: the runner drops it if the screen was closed
        )

    def ask_reprint(self, kind: str) -> None:
        if self._bundle is None:
            return
        key = self._bundle.state.uuid
        services = self._services
        known = document_kind(kind)
        title = HISTORY_TITLES[known].lower() if known is not None else kind
        self._open_dialog(
            ReprintDialog(title, self),
            lambda v: _render(services, key, kind, reason=v["reason"], reason_note=v["reason_note"]),
            on_done=self._on_document,
        )

    def _on_print_failed(self, exc: object) -> None:
        if isinstance(exc, ValidationError) and exc.field == "reason":
            # printed before by another desk or program: the service wants the reason
            self.ask_reprint(self._print_kind)
        elif isinstance(exc, CounterError):
            self._show_print_message(exc.message)
        else:
            show_error(self, exc if isinstance(exc, BaseException) else RuntimeError(str(exc)))

    def _show_print_message(self, text: str) -> None:
        self.print_message.setText(text)
        self.print_message.setVisible(bool(text))

    def _on_document(self, document: DocumentResult) -> None:
        emit(self.sig_document_ready, document)
        self.reload()  # printing is recorded in the timeline
