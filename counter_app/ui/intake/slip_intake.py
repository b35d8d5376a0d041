"""SlipIntake: the intake form completing a Mẫu 02 slip — its banner, the form pre-filled, the slip it completes."""

from __future__ import annotations

import html
from typing import Any

from PySide6.QtWidgets import QFrame, QLabel, QVBoxLayout, QWidget

from counter_app.services.desk.slip_completion import SupplementIntakeView
from counter_app.ui.intake.intake_fields import SEXES, IntakeFields
from counter_app.ui.intake.papers_table import ASKED, EARLIER
from counter_app.ui.widgets.formatting import vn_date

SECOND_SUPPLEMENT = "Hồ sơ này đã có phiếu yêu cầu bổ sung; pháp luật chỉ cho yêu cầu bổ sung một lần."


class SlipIntake(QFrame):
    """A banner over the form while it completes a slip; the form's outcome then goes to accept_supplement."""

    def __init__(self, fields: IntakeFields, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._fields = fields
        self.slip = ""  # the slip being completed; "" for an ordinary intake
        self.setObjectName("slipBanner")
        self.setStyleSheet("#slipBanner { background: #fff4e5; border: 1px solid #f0b35c; }")
        self.label = QLabel()
        self.label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(8, 4, 8, 4)
        layout.addWidget(self.label)
        self.hide()

    def papers_rows(self, view: SupplementIntakeView) -> list[list[Any]]:
        """The papers as the table restores them: handed in before ticked and marked, asked for marked."""
        return [
            [p.name, p.originals, p.copies, p.handed_in, EARLIER if p.handed_in else ASKED if p.asked else ""]
            for p in view.papers
        ]

    def fill(self, view: SupplementIntakeView) -> None:
        """The applicant and reception choices as on the slip (the caller selects the procedure and papers)."""
        f, form = self._fields, view.form
        (f.person if form.applicant_kind != "organisation" else f.organisation).setChecked(True)
        values = {
            "identifier": form.identifier,
            "name": form.name,
            "birth_date": form.birth_date,
            "address": form.address,
            "phone": form.phone,
            "email": form.email,
            "filer_name": form.filer_name,
            "filer_identifier": form.filer_identifier,
            "filer_phone": form.filer_phone,
            "filer_authorisation": form.filer_authorisation,
            "postal_address": form.postal_address,
        }
        for key, text in values.items():
            f.lines[key].setText(text)
        f.sex.setCurrentIndex(SEXES.index(form.sex) if form.sex in SEXES else 0)
        f.filer_box.setChecked(bool(form.filer_name))
        f.channel.setCurrentIndex(max(0, f.channel.findData(form.channel)))
        f.delivery.setCurrentIndex(max(0, f.delivery.findData(form.result_delivery)))
        f.sets_count.setValue(form.sets_count)
        self.enter(view.slip, vn_date(view.written_at), view.asked)

    def enter(self, slip: str, written: str, asked: str) -> None:
        self.slip = slip
        self.label.setText(
            f"<b>Tiếp nhận bổ sung</b> theo phiếu yêu cầu bổ sung số <b>{slip}</b> (lập ngày {written}). "
            f"Đã yêu cầu: {html.escape(asked) or '—'}. "
            "Đánh dấu “Đã nộp” giấy tờ người nộp mang đến bổ sung, rồi “Tiếp nhận”."
        )
        self._fields.supplement_button.setEnabled(False)
        self._fields.supplement_button.setToolTip(SECOND_SUPPLEMENT)
        self.show()

    def leave(self) -> None:
        self.slip = ""
        self._fields.supplement_button.setEnabled(True)
        self._fields.supplement_button.setToolTip("Hồ sơ chưa đủ: lập phiếu yêu cầu bổ sung, hoàn thiện (Mẫu 02)")
        self.hide()

    def draft(self) -> dict[str, str]:
        return {"slip": self.slip, "slip_banner": self.label.text()} if self.slip else {}

    def restore(self, data: dict[str, Any]) -> None:
        if data.get("slip"):
            self.enter(str(data["slip"]), "", "")
            self.label.setText(str(data.get("slip_banner", "")))
