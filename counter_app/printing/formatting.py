"""How dates, times, amounts and counts are written on Vietnamese administrative documents."""

from __future__ import annotations

import unicodedata
from datetime import datetime
from xml.sax.saxutils import escape

from counter_app.domain.clock import to_vn

_DIGITS = ("không", "một", "hai", "ba", "bốn", "năm", "sáu", "bảy", "tám", "chín")
_GROUPS = ("", " nghìn", " triệu", " tỷ")


def clean(text: str) -> str:
    """NFC text, XML-escaped for a reportlab Paragraph.

    Input methods may deliver decomposed marks; reportlab does no shaping, so a combining mark would be drawn
    as a separate glyph in the wrong place. Noto Sans has every precomposed Vietnamese letter.
    """
    return escape(unicodedata.normalize("NFC", text))


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def short_date(moment: datetime) -> str:
    """dd/mm/yyyy in Vietnam's time."""
    return to_vn(moment).strftime("%d/%m/%Y")


def clock_time(moment: datetime) -> str:
    """HH:MM on the 24-hour clock, in Vietnam's time."""
    return to_vn(moment).strftime("%H:%M")


def long_date(moment: datetime) -> str:
    """`ngày 02 tháng 3 năm 2026`.

    Nghị định 30/2020/NĐ-CP: days below 10 and the months 1 and 2 take a leading zero.
    """
    local = to_vn(moment)
    month = f"{local.month:02d}" if local.month <= 2 else str(local.month)
    return f"ngày {local.day:02d} tháng {month} năm {local.year}"


def long_moment(moment: datetime) -> str:
    """`10 giờ 05 phút, ngày 02 tháng 3 năm 2026` on the 24-hour clock, in Vietnam's time."""
    local = to_vn(moment)
    return f"{local.hour:02d} giờ {local.minute:02d} phút, {long_date(local)}"


def money(amount: int) -> str:
    """`1.250.000 đồng`: Vietnamese groups thousands with dots."""
    return f"{amount:,}".replace(",", ".") + " đồng"


def _three_digits(number: int, *, full: bool) -> str:
    """Words of 0..999; `full` writes the hundreds and "linh" even when they are zero (an inner group)."""
    hundreds, rest = divmod(number, 100)
    tens, units = divmod(rest, 10)
    words: list[str] = []
    if hundreds or full:
        words += [_DIGITS[hundreds], "trăm"]
    if tens == 0:
        if units and words:
            words.append("linh")
    elif tens == 1:
        words.append("mười")
    else:
        words += [_DIGITS[tens], "mươi"]
    if units:
        if units == 1 and tens >= 2:
            words.append("mốt")
        elif units == 5 and tens >= 1:
            words.append("lăm")
        else:
            words.append(_DIGITS[units])
    return " ".join(words)


def amount_in_words(amount: int) -> str:
    """`Tám nghìn đồng`, as written on receipts ("Số tiền bằng chữ"); up to hundreds of billions."""
    if not 0 <= amount < 10**12:
        raise ValueError("amount out of range")
    if amount == 0:
        return "Không đồng"
    groups: list[int] = []
    rest = amount
    while rest:
        rest, group = divmod(rest, 1000)
        groups.append(group)
    top = len(groups) - 1
    parts = [
        _three_digits(groups[position], full=position != top) + _GROUPS[position]
        for position in range(top, -1, -1)
        if groups[position]
    ]
    words = " ".join(parts) + " đồng"
    return words[0].upper() + words[1:]


def count(number: int) -> str:
    """Two digits for counts printed in forms (`01`)."""
    return f"{number:02d}"
