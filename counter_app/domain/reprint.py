"""Why a document is printed again (domain.md §10): the four reasons, their Vietnamese words and the paper mark."""

from __future__ import annotations

from enum import StrEnum

from counter_app.errors import ValidationError

REPRINT_NOTE_MAX = 200  # "khác" is explained in a few words, not a letter


class ReprintReason(StrEnum):
    LOST = "lost"
    DAMAGED = "damaged"
    REQUESTED = "requested"  # at the applicant's request
    OTHER = "other"  # with a short text

    @property
    def label(self) -> str:
        return _LABELS[self]


_LABELS = {
    ReprintReason.LOST: "mất",
    ReprintReason.DAMAGED: "hỏng",
    ReprintReason.REQUESTED: "theo đề nghị của người nộp",
    ReprintReason.OTHER: "khác",
}

REASON_CHOICES = ", ".join(f"{r.value} ({r.label})" for r in ReprintReason)


def parse_reprint_reason(value: ReprintReason | str | None) -> ReprintReason:
    """The reason a reprint needs; refused (field `reason`) when missing or unknown."""
    if isinstance(value, ReprintReason):
        return value
    text = (value or "").strip().lower()
    for reason in ReprintReason:
        if text in {reason.value, reason.label}:
            return reason
    if not text:
        raise ValidationError("reason", f"In lại giấy tờ cần chọn lý do: {REASON_CHOICES}.")
    raise ValidationError("reason", f"Lý do in lại “{value}” không hợp lệ; chọn một trong: {REASON_CHOICES}.")


def reprint_reason_text(reason: ReprintReason, note: str) -> str:
    """What the history records: the reason's word, and for "khác" the clerk's short text (required)."""
    cleaned = " ".join(note.split())
    if reason is not ReprintReason.OTHER:
        return reason.label
    if not cleaned:
        raise ValidationError("reason_note", "Lý do “khác” cần ghi rõ vài chữ.")
    if len(cleaned) > REPRINT_NOTE_MAX:
        raise ValidationError("reason_note", f"Lý do in lại quá dài (tối đa {REPRINT_NOTE_MAX} ký tự).")
    return f"{reason.label}: {cleaned}"


def reprint_mark(reprint_number: int) -> str:
    """The stamp on a reprint: "BẢN IN LẠI lần N", N counting the reprints (the first reprint is lần 1)."""
    return f"BẢN IN LẠI lần {reprint_number}" if reprint_number > 0 else "BẢN IN LẠI"
