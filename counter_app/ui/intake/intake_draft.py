"""The intake draft: what of the form is kept while the applicant waits, how it is put back, and when it is written
(DraftKeeper)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from PySide6.QtCore import QObject, QTimer

from counter_app.ui.intake.intake_fields import SEXES, IntakeFields
from counter_app.ui.qt.task_runner import TaskRunner

if TYPE_CHECKING:
    from counter_app.services.desk.drafts import DraftService

DRAFT_KEY = "intake"
DRAFT_VERSION = 1


def collect_draft(fields: IntakeFields) -> dict[str, Any]:
    """The form as the draft stores it."""
    proc = fields.picker.procedure()
    return {
        "version": DRAFT_VERSION,
        "procedure_code": proc.code if proc else "",
        "applicant_kind": fields.kind(),
        "lines": {key: edit.text() for key, edit in fields.lines.items()},
        "sex": SEXES[fields.sex.currentIndex()],
        "filer": fields.filer_box.isChecked(),
        "channel": fields.channel.currentData(),
        "result_delivery": fields.delivery.currentData(),
        "sets_count": fields.sets_count.value(),
        "fee_paid": fields.fee_paid.isChecked(),
        "papers": fields.papers.draft_rows(),
        "reason": fields.reason.toPlainText(),
    }


def apply_draft_fields(fields: IntakeFields, data: dict[str, Any]) -> None:
    """Everything of the draft but the procedure and its papers (their order matters: the screen does those)."""
    (fields.person if data.get("applicant_kind") != "organisation" else fields.organisation).setChecked(True)
    for key, text in dict(data.get("lines", {})).items():
        if key in fields.lines:
            fields.lines[key].setText(str(text))
    sex = data.get("sex", "")
    fields.sex.setCurrentIndex(SEXES.index(sex) if sex in SEXES else 0)
    fields.filer_box.setChecked(bool(data.get("filer")))
    fields.channel.setCurrentIndex(max(0, fields.channel.findData(data.get("channel"))))
    fields.delivery.setCurrentIndex(max(0, fields.delivery.findData(data.get("result_delivery"))))
    fields.sets_count.setValue(int(data.get("sets_count", 1)))
    fields.fee_paid.setChecked(bool(data.get("fee_paid")))
    fields.reason.setPlainText(str(data.get("reason", "")))


class DraftKeeper:
    """When the draft is written: shortly after the last change, at once when the screen closes, discarded once its
    applicant is done with. The draft saved before a supervisor's "Nhập hồ sơ sau" is another applicant's: it is
    put aside, untouched (the mode saves none, nor discards it), and loaded back into the form when the mode is left.
    """

    def __init__(
        self,
        drafts: DraftService,
        runner: TaskRunner,
        owner: QObject,
        *,
        key: str,
        delay_ms: int,
        collect: Callable[[], dict[str, Any] | None],
        saved: Callable[[object], None],
        failed: Callable[[object], None],
        loaded: Callable[[dict[str, Any] | None], None],
    ) -> None:
        """`collect`: the form as a draft (None: blank, the draft goes); `loaded` puts a loaded draft in the form."""
        self._drafts, self._runner, self.key = drafts, runner, key
        self._collect, self._saved, self._failed, self._loaded = collect, saved, failed, loaded
        self.aside = False  # a saved draft waits while the supervisor's mode (or its confirmation) is in front
        self._timer = QTimer(owner, singleShot=True, interval=delay_ms)
        self._timer.timeout.connect(self.save)

    def changed(self) -> None:
        self._timer.start()

    def hold(self) -> None:
        """Nothing to write for what is pending (the form is being recorded)."""
        self._timer.stop()

    def save(self) -> None:
        data = self._collect()
        if data is None:
            self._runner.run_serial(self._drafts.discard_draft, self.key, on_done=self._saved)
        else:
            self._runner.run_serial(self._drafts.save_draft, self.key, data, on_done=self._saved, on_error=self._failed)

    def flush(self) -> None:
        """Write now what the debounce would write shortly."""
        if self._timer.isActive():
            self._timer.stop()
            self.save()

    def discard(self) -> None:
        """The form's applicant is done with (an outcome, "Nhập lại"); a draft put aside is not the form's."""
        self._timer.stop()
        if not self.aside:
            self._runner.run_serial(self._drafts.discard_draft, self.key)

    def load(self) -> None:
        self._runner.run_pooled(self._drafts.load_draft, self.key, on_done=self._loaded)

    def put_aside(self) -> None:
        """The supervisor's mode comes in front: what was pending is written first, then nothing touches the draft."""
        self.flush()
        self.aside = True

    def bring_back(self) -> None:
        """The mode is left for an empty ordinary form: the draft put aside is loaded back into it."""
        if self.aside:
            self.aside = False
            self.load()
