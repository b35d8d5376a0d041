"""Dialogs of the dossier screen: a reason, a reprint's reason, the hand-over of the result, a correction."""

from __future__ import annotations

from typing import Any

from PySide6.QtWidgets import (
    QButtonGroup,
    QCheckBox,
    QComboBox,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from counter_app.domain.citizen import normalize_sex, validate_email, validate_phone
from counter_app.domain.dossier import DossierState
from counter_app.domain.intake import parse_birth_date
from counter_app.errors import ValidationError
from counter_app.ui.documents.reprint_dialog import ReprintDialog
from counter_app.ui.qt.form_dialog import FormDialog
from counter_app.ui.widgets.field_errors import add_field
from counter_app.ui.widgets.formatting import iso_to_vn_date, money

# FormDialog (ui/qt/form_dialog.py) and ReprintDialog (ui/documents/reprint_dialog.py, the print preview asks
# a reprint's reason too) live below this package; still importable from here
__all__ = [
    "RATINGS",
    "CorrectionDialog",
    "FormDialog",
    "HandOverDialog",
    "ReasonDialog",
    "ReprintDialog",
    "shown_value",
    "stored_value",
]


class ReasonDialog(FormDialog):
    def __init__(self, title: str, prompt: str, parent: QWidget | None = None) -> None:
        super().__init__(title, parent)
        self.reason = QPlainTextEdit()
        self.reason.setPlaceholderText(prompt)
        self.reason.setFixedHeight(110)
        add_field(self.form, "Lý do", self.reason, self.errors, "reason")

    def values(self) -> dict[str, Any]:
        reason = " ".join(self.reason.toPlainText().split())
        if not reason:
            raise ValidationError("reason", "Cần ghi lý do.")
        return {"reason": reason}


RATINGS = (
    ("Không đánh giá", None),
    ("5 – Rất hài lòng", 5),
    ("4 – Hài lòng", 4),
    ("3 – Bình thường", 3),
    ("2 – Chưa hài lòng", 2),
    ("1 – Không hài lòng", 1),
)


class HandOverDialog(FormDialog):
    """Trả kết quả: who collected it, fee, post with waybill, the applicant's rating."""

    def __init__(self, state: DossierState, parent: QWidget | None = None) -> None:
        super().__init__("Trả kết quả", parent)
        self.by_applicant = QRadioButton(f"Người nộp hồ sơ: {state.applicant_name}")
        self.by_authorised = QRadioButton("Người được ủy quyền")
        self.by_applicant.setChecked(True)
        group = QButtonGroup(self)
        group.addButton(self.by_applicant)
        group.addButton(self.by_authorised)
        who = QWidget()
        who_layout = QVBoxLayout(who)
        who_layout.setContentsMargins(0, 0, 0, 0)
        who_layout.addWidget(self.by_applicant)
        who_layout.addWidget(self.by_authorised)
        self.form.addRow("Người nhận", who)
        self.to_name = QLineEdit()
        self.to_identifier = QLineEdit(placeholderText="12 chữ số")
        add_field(self.form, "Họ và tên người nhận", self.to_name, self.errors, "to_name")
        add_field(self.form, "Số định danh", self.to_identifier, self.errors, "to_identifier")
        fee_text = money(state.fee)
        self.fee_collected = QCheckBox(f"Đã thu phí, lệ phí ({fee_text})")
        self.fee_collected.setChecked(state.fee_paid)
        self.fee_collected.setEnabled(state.fee > 0 and not state.fee_paid)
        self.form.addRow("Phí, lệ phí", self.fee_collected)
        self.by_post = QCheckBox("Gửi kết quả qua bưu chính công ích")
        self.by_post.setChecked(state.result_delivery == "post")
        self.waybill = QLineEdit(placeholderText="Số vận đơn")
        self.form.addRow("Bưu chính", self.by_post)
        add_field(self.form, "Số vận đơn", self.waybill, self.errors, "waybill")
        self.rating = QComboBox()
        for label, value in RATINGS:
            self.rating.addItem(label, value)
        add_field(self.form, "Mức độ hài lòng", self.rating, self.errors, "rating")
        self.like = QComboBox()
        self.like.addItem("Không ý kiến", None)
        self.like.addItem("Thích (hài lòng)", True)
        self.like.addItem("Không thích", False)
        self.form.addRow("Ý kiến", self.like)
        self.by_authorised.toggled.connect(self._sync)
        self.by_post.toggled.connect(self._sync)
        self._sync()

    def _sync(self) -> None:
        authorised = self.by_authorised.isChecked()
        self.to_name.setEnabled(authorised)
        self.to_identifier.setEnabled(authorised)
        self.waybill.setEnabled(self.by_post.isChecked())

    def values(self) -> dict[str, Any]:
        values: dict[str, Any] = {
            "fee_collected": self.fee_collected.isChecked(),
            "by_post": self.by_post.isChecked(),
            "rating": self.rating.currentData(),
            "like": self.like.currentData(),
        }
        if self.by_authorised.isChecked():
            if not self.to_name.text().strip():
                raise ValidationError("to_name", "Cần nhập họ và tên người được ủy quyền nhận kết quả.")
            values["to_name"] = self.to_name.text()
            values["to_identifier"] = self.to_identifier.text()
        if values["by_post"]:
            values["waybill"] = self.waybill.text()
        return values


# The fields a clerk may correct from this dialog, with how the typed text becomes the stored value.
CORRECTION_FIELDS: dict[str, str] = {
    "applicant_name": "Họ và tên người nộp",
    "applicant_identifier": "Số định danh / mã số thuế",
    "applicant_birth_date": "Ngày sinh",
    "applicant_sex": "Giới tính",
    "applicant_address": "Địa chỉ",
    "applicant_phone": "Số điện thoại",
    "applicant_email": "Thư điện tử",
    "filer_name": "Họ và tên người nộp thay",
    "filer_identifier": "Số định danh người nộp thay",
    "filer_phone": "Số điện thoại người nộp thay",
    "filer_authorisation": "Giấy ủy quyền",
    "postal_address": "Địa chỉ nhận kết quả qua bưu chính",
    "sets_count": "Số lượng hồ sơ (bộ)",
}


def shown_value(state: DossierState, field: str) -> str:
    value = getattr(state, field)
    if field == "applicant_birth_date":
        return iso_to_vn_date(value)
    return "" if value is None else str(value)


def stored_value(field: str, text: str, today: Any) -> Any:
    """The typed text as the value the dossier stores; ValidationError (field `value`) if it cannot be."""
    cleaned = " ".join(text.split())
    try:
        if field == "applicant_birth_date":
            return parse_birth_date(cleaned, today, "value").isoformat() if cleaned else None
        if field == "applicant_sex":
            return normalize_sex(cleaned, "value") if cleaned else None
        if field in {"applicant_phone", "filer_phone"}:
            return validate_phone(cleaned, "value") if cleaned else ""
        if field == "applicant_email":
            return validate_email(cleaned, "value") if cleaned else ""
        if field == "sets_count":
            if not cleaned.isdigit() or not 1 <= int(cleaned) <= 20:
                raise ValidationError("value", "Số lượng hồ sơ (bộ) phải từ 1 đến 20.")
            return int(cleaned)
    except ValidationError as exc:
        raise ValidationError("value", exc.message) from None
    return cleaned


class CorrectionDialog(FormDialog):
    """Sửa thông tin: one field, its new value and why; the old value stays in the dossier's history."""

    def __init__(self, state: DossierState, today: Any, parent: QWidget | None = None) -> None:
        super().__init__("Sửa thông tin tiếp nhận", parent)
        self._state = state
        self._today = today
        self.field = QComboBox()
        for key, label in CORRECTION_FIELDS.items():
            self.field.addItem(label, key)
        self.current = QLabel()
        self.current.setWordWrap(True)
        self.value = QLineEdit()
        self.reason = QPlainTextEdit()
        self.reason.setFixedHeight(80)
        self.reason.setPlaceholderText("Ví dụ: nhập sai chính tả khi tiếp nhận")
        add_field(self.form, "Thông tin cần sửa", self.field, self.errors, "field")
        self.form.addRow("Giá trị hiện tại", self.current)
        add_field(self.form, "Giá trị mới", self.value, self.errors, "value")
        add_field(self.form, "Lý do sửa", self.reason, self.errors, "reason")
        self.field.currentIndexChanged.connect(self._on_field)
        self._on_field()

    def select_field(self, key: str) -> None:
        self.field.setCurrentIndex(self.field.findData(key))

    def _on_field(self) -> None:
        key = self.field.currentData()
        shown = shown_value(self._state, key)
        self.current.setText(shown or "(trống)")
        self.value.setText(shown)
        self.value.setPlaceholderText("dd/mm/yyyy" if key == "applicant_birth_date" else "")

    def values(self) -> dict[str, Any]:
        key = self.field.currentData()
        value = stored_value(key, self.value.text(), self._today)
        reason = " ".join(self.reason.toPlainText().split())
        if not reason:
            raise ValidationError("reason", "Cần ghi lý do sửa thông tin.")
        return {"changes": {key: value}, "reason": reason}

    def show_errors(self, errors: dict[str, str]) -> None:
        # the service names the corrected field itself (or "field"); here it is typed under "Giá trị mới"
        super().show_errors({("value" if k in CORRECTION_FIELDS or k == "field" else k): m for k, m in errors.items()})
