"""IntakeTab: the intake screen as the first page of the work area: made on first use, kept until closed."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QWidget

from counter_app.ui.qt.qt_compat import emit
from counter_app.ui.qt.task_runner import TaskRunner
from counter_app.ui.shell.work_area import WorkArea

if TYPE_CHECKING:
    from counter_app.services.common.views import IntakeResult
    from counter_app.services.desk.slip_completion import SupplementIntakeView
    from counter_app.services.registry import Services
    from counter_app.ui.intake.intake_screen import IntakeScreen


BUSY_FORM = "Đang nhập dở một hồ sơ khác: hoàn tất hoặc bấm “Nhập lại”"
# a slip's intake would be saved over the draft "Nhập hồ sơ sau" put aside: the mode is left first (the draft back)
DRAFT_ASIDE = "Bản nháp tiếp nhận đang chờ sau “Nhập hồ sơ sau”: thoát chế độ đó hoặc sang hồ sơ tiếp theo"


class IntakeTab(QObject):
    sig_changed = Signal(object, object)
    """An intake had an outcome: the Changes (its dossier, the queues) and the screen."""
    sig_message = Signal(str)
    """What the message line says about the outcome."""
    sig_open_dossier = Signal(str)
    """The clerk asked for the dossier just made: its code."""
    sig_document_ready = Signal(object)
    """A slip or receipt was rendered: the DocumentResult."""

    def __init__(
        self,
        runner: TaskRunner,
        workspace: WorkArea,
        parent: QObject,
        services: Callable[[], Services | None] = lambda: None,
        other: Callable[[str], None] = lambda _key: None,
    ) -> None:
        """`services`: the window's services once it has them; `other`: opens a slip that is not completed here."""
        super().__init__(parent)
        self._runner = runner
        self._workspace = workspace
        self.screen: IntakeScreen | None = None
        self._services = services
        self._other = other
        self._slip_key = ""

    def open(self, services: Services) -> IntakeScreen:
        """The intake page in front, with an empty form after an outcome (a form being filled is kept)."""
        if self.screen is None:
            from counter_app.ui.intake.intake_screen import IntakeScreen

            self.screen = IntakeScreen(services, self._runner)
            self.screen.sig_outcome.connect(self._on_outcome)
            self.screen.sig_open_dossier.connect(self._on_open_dossier)
            self.screen.sig_document_ready.connect(self._on_document)
            self._workspace.insertTab(0, self.screen, "Tiếp nhận mới")
        self._workspace.setCurrentWidget(self.screen)
        self.screen.new_intake()
        return self.screen

    def open_after_the_fact(self, code: str = "") -> IntakeScreen | None:
        """A supervisor's "Nhập hồ sơ sau" on the intake page, `code` pre-filled (else the next code a restore left
        to re-enter, if any); a form being filled is kept."""
        from counter_app.ui.admin.backup_dialogs import pending_re_entry, take_re_entry

        services = self._services()
        if services is None:
            return None
        busy = self.screen is not None and not self.screen.showing_confirmation() and not self.screen.is_blank()
        screen = self.open(services)
        if busy:
            emit(self.sig_message, f"{BUSY_FORM} rồi chọn lại “Nhập hồ sơ sau”.")
            return screen
        code = code or take_re_entry()
        screen.enter_after_the_fact(code)
        if code:
            message = f"Nhập lại hồ sơ {code} từ liên lưu: ghi thời điểm tiếp nhận in trên liên lưu và lý do."
        else:
            message = "Nhập hồ sơ sau: ghi mã in trên liên lưu (nếu có), thời điểm tiếp nhận và lý do."
        if rest := pending_re_entry():
            message += f" Còn cần nhập lại: {', '.join(rest)}."
        emit(self.sig_message, message)
        return screen

    def open_slip(self, key: str) -> None:
        """A Mẫu 02 slip still waiting for the applicant: the intake completing it, pre-filled from it (looked up
        off the UI thread); a slip completed already opens by `other` (its own screen)."""
        services = self._services()
        if services is None:
            return
        self._slip_key = key
        self._runner.run_pooled(
            services.intake.get_supplement_intake, key, on_done=self._on_slip, on_error=self._on_slip_refused
        )

    def _on_slip(self, view: SupplementIntakeView) -> None:
        services = self._services()
        if services is None:
            return
        busy = self.screen is not None and not self.screen.showing_confirmation() and not self.screen.is_blank()
        aside = self.screen is not None and self.screen.draft.aside
        screen = self.open(services)
        if aside:  # still waiting behind the mode, or just brought back into the form from its confirmation
            emit(
                self.sig_message, f"{DRAFT_ASIDE if screen.draft.aside else BUSY_FORM} rồi quét lại phiếu {view.slip}."
            )
            return
        if busy and screen.slip_intake.slip != view.slip:
            # another applicant's form is being filled: it is not overwritten
            emit(self.sig_message, f"{BUSY_FORM} rồi quét lại phiếu {view.slip}.")
            return
        screen.start_supplement(view)
        emit(self.sig_message, f"Tiếp nhận bổ sung theo phiếu {view.slip}: đánh dấu giấy tờ mang đến bổ sung.")

    def _on_slip_refused(self, exc: object) -> None:
        from counter_app.errors import CounterError, NotFoundError

        if isinstance(exc, CounterError):
            emit(self.sig_message, exc.message)  # completed already: said, and the slip's screen shows by whom
        if not isinstance(exc, NotFoundError):
            self._other(self._slip_key)

    def holds(self, widget: QWidget) -> bool:
        return self.screen is not None and widget is self.screen

    def flush_draft(self) -> None:
        if self.screen is not None:
            self.screen.flush_draft()

    def forget(self) -> None:
        """Its tab is being closed: the form being filled is saved as a draft first."""
        self.flush_draft()
        self.screen = None

    def _on_outcome(self, result: IntakeResult) -> None:
        from counter_app.services.common.changes import dossier_changed
        from counter_app.ui.intake.intake_confirmation import outcome_message

        if message := outcome_message(result):
            emit(self.sig_message, message)
        changes = dossier_changed(result.uuid)
        if result.completed_slip_uuid:  # the slip's screen, if open, shows it completed
            changes = changes | dossier_changed(result.completed_slip_uuid)
        emit(self.sig_changed, changes, self.screen)

    def _on_open_dossier(self, key: str) -> None:
        emit(self.sig_open_dossier, key)

    def _on_document(self, document: object) -> None:
        emit(self.sig_document_ready, document)
