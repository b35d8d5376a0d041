"""The intake's applicant filled from an ID card's QR, and a notice where a keyboard-mode scanner stripped marks."""

from __future__ import annotations

from counter_app.domain.citizen import IdCardData, lacks_marks
from counter_app.ui.intake.intake_fields import SEXES, IntakeFields
from counter_app.ui.widgets.formatting import vn_date

STRIPPED_NAME_NOTICE = (
    "Kiểm tra lại họ tên: máy quét đang ở chế độ bàn phím nên không gõ được dấu tiếng Việt. "
    "Sửa họ tên cho đúng như trên thẻ căn cước."
)
STRIPPED_ADDRESS_NOTICE = "Kiểm tra lại địa chỉ: máy quét ở chế độ bàn phím đã bỏ mất dấu tiếng Việt."


def fill_applicant(fields: IntakeFields, data: IdCardData) -> None:
    """The applicant as the card gives it; the messages of those fields cleared."""
    fields.person.setChecked(True)
    fields.lines["identifier"].setText(data.identifier)
    fields.lines["name"].setText(data.full_name)
    fields.lines["birth_date"].setText(vn_date(data.birth_date))
    fields.sex.setCurrentIndex(SEXES.index(data.sex) if data.sex in SEXES else 0)
    fields.lines["address"].setText(data.address)
    for key in ("identifier", "name", "birth_date", "sex", "address", "_general"):
        fields.errors.clear(key)


def flag_stripped(fields: IntakeFields, data: IdCardData) -> None:
    """A notice under the name (and address) read without any mark; it goes once the clerk edits the field."""
    flagged = []
    if lacks_marks(data.full_name):
        fields.errors.set("name", STRIPPED_NAME_NOTICE)
        flagged.append("name")
    if lacks_marks(data.address):
        fields.errors.set("address", STRIPPED_ADDRESS_NOTICE)
        flagged.append("address")
    if flagged:
        first = fields.lines[flagged[0]]
        first.setFocus()
        first.selectAll()
