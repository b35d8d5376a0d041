"""The intake draft: what of the form is kept while the applicant waits, and how it is put back."""

from __future__ import annotations

from typing import Any

from counter_app.ui.intake.intake_fields import SEXES, IntakeFields

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
