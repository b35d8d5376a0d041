"""What a printed form can hold: the characters the shipped fonts draw, and how long each typed field may be.

The limits were chosen by rendering every form with the longest allowed value (tests/printing/test_long_text.py):
nothing is cut and nothing runs past the margins, on A4 and A5. The repertoire is Vietnamese and the Latin
letters around it; tests/printing checks that each of its characters is in every Noto Sans face, because
reportlab draws nothing for a character its font lacks (an emoji would silently vanish from the paper).
"""

from __future__ import annotations

import unicodedata

from counter_app.errors import ValidationError

NAME_MAX = 100  # a person's full name (applicant, authorised filer)
ORGANISATION_NAME_MAX = 200
ADDRESS_MAX = 200  # address, postal address for the result
AUTHORISATION_MAX = 200  # "Giấy ủy quyền số …, ngày …"
PAPER_NAME_MAX = 200  # one paper of the dossier, or one item to add on Mẫu 02
REASON_MAX = 1000  # reasons of Mẫu 02, 03, 04, 05: Mẫu 03 still fits one page on A4

# Code-point ranges the forms print: ASCII, Latin-1, Latin Extended-A, the horned Ơ ơ Ư ư, the Vietnamese letters
# of Latin Extended Additional, the five tone marks (for the rare letter + mark left after NFC), and the
# punctuation word processors and input methods put in text.
_RANGES: tuple[tuple[int, int], ...] = (
    (0x0020, 0x007E),
    (0x00A0, 0x00AC),  # U+00AD, the soft hyphen, prints nothing
    (0x00AE, 0x017F),
    (0x01A0, 0x01A1),
    (0x01AF, 0x01B0),
    (0x0300, 0x0301),
    (0x0303, 0x0303),
    (0x0309, 0x0309),
    (0x0323, 0x0323),
    (0x1EA0, 0x1EF9),
    (0x2013, 0x2014),
    (0x2018, 0x2019),
    (0x201C, 0x201D),
    (0x2022, 0x2022),
    (0x2026, 0x2026),
    (0x20AB, 0x20AB),  # ₫
)


def printable_characters() -> frozenset[str]:
    """Every character a form may print (for the test that the fonts draw each of them)."""
    return frozenset(chr(code) for low, high in _RANGES for code in range(low, high + 1))


_PRINTABLE = printable_characters()


def unprintable_characters(text: str) -> list[str]:
    """The characters of `text` (after NFC) that the forms cannot print, each once, in order of appearance."""
    seen: list[str] = []
    for ch in unicodedata.normalize("NFC", text):
        if ch not in _PRINTABLE and ch not in seen and ch not in "\t\n\r":
            seen.append(ch)
    return seen


def _shown(ch: str) -> str:
    if unicodedata.category(ch).startswith("C") or ch.isspace():  # invisible: name it by its code point
        return f"U+{ord(ch):04X}"
    return f"“{ch}”"


def check_printable(text: str, field: str, label: str) -> None:
    """Refuse, at `field`, text with a character the forms cannot print (emoji, other scripts, control)."""
    bad = unprintable_characters(text)
    if bad:
        raise ValidationError(
            field,
            f"{label} có ký tự không in được trên giấy tờ: {', '.join(_shown(ch) for ch in bad[:5])} "
            "(biểu tượng cảm xúc, ký hiệu hoặc chữ ngoài bảng chữ Latinh). Hãy xóa hoặc gõ lại bằng chữ tiếng Việt.",
        )


def printed_text(value: str, field: str, label: str, limit: int) -> str:
    """`value` as printed: NFC, single-spaced; refused at `field` if too long or not printable."""
    cleaned = " ".join(unicodedata.normalize("NFC", value).split())
    check_printable(cleaned, field, label)
    if len(cleaned) > limit:
        raise ValidationError(field, f"{label} quá dài: {len(cleaned)} ký tự (tối đa {limit} ký tự).")
    return cleaned
