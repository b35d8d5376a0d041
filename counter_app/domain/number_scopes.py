"""The scopes a counter issues numbers in, and the numbers an event of its own shows it used.

A scope's last number is kept in the local `number_sequence` table (storage.SequenceRepository): dossier codes
per counter and day, the tracking book's index per counter, field and year, document numbers per counter, symbol
and year. A database restored from an older backup takes back from the central the events its counter recorded
since the backup (sync.own_history); `numbers_used` reads from those events the numbers they took, so that the
scopes move past them and no number is issued twice.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from counter_app.domain.clock import to_vn
from counter_app.domain.codes import DocumentNumber, DossierCode, Numbering
from counter_app.domain.dossier import OPENING_KINDS, decode_value
from counter_app.errors import ValidationError

# The tracking book's index is the counter followed by the book's yearly number on five digits.
BOOK_DIGITS = 5


def dossier_scope(agency_code: str, counter: int, day: date) -> str:
    return f"dossier:{agency_code}:{counter}:{day:%y%m%d}"


def dossier_scopes_prefix(agency_code: str, counter: int) -> str:
    """What every dossier_scope of this counter starts with."""
    return f"dossier:{agency_code}:{counter}:"


def book_scope(agency_code: str, counter: int, field: str, year: int) -> str:
    return f"book:{agency_code}:{counter}:{field}:{year}"


def book_scopes_prefix(agency_code: str, counter: int) -> str:
    """What every book_scope of this counter starts with."""
    return f"book:{agency_code}:{counter}:"


def book_index(counter: int, number: int) -> int:
    """The index printed in the tracking book: the counter, then the book's yearly number."""
    return int(f"{counter}{number:0{BOOK_DIGITS}d}")


def document_scope(agency_code: str, counter: int, symbol: str, year: int) -> str:
    return f"doc:{agency_code}:{counter}:{symbol}:{year}"


def document_scopes_prefix(agency_code: str, counter: int) -> str:
    """What every document_scope of this counter starts with."""
    return f"doc:{agency_code}:{counter}:"


def _displayed(text: str, year: int, numbering: Numbering) -> DocumentNumber:
    """A document number as printed after "Số:" (`100012/PBS`), of the given year."""
    sequence, _slash, symbol = text.strip().partition("/")
    width = numbering.counter_digits + numbering.document_digits
    if not symbol or len(sequence) != width or not sequence.isdigit():
        raise ValidationError("number", f"Số văn bản “{text}” không đúng định dạng <số>/<ký hiệu>.")
    return DocumentNumber(
        year, int(sequence[: numbering.counter_digits]), int(sequence[numbering.counter_digits :]), symbol, numbering
    )


def numbers_used(
    kind: str, payload: Mapping[str, Any], occurred_at: datetime, agency_code: str, numbering: Numbering
) -> list[tuple[str, int]]:
    """(scope, number) of every number this event of the agency's counter took; [] for an event that took none.

    Raises ValidationError when a number in the event does not read with the agency's numbering.
    """
    used: list[tuple[str, int]] = []
    if kind in OPENING_KINDS:
        if code := payload.get("code"):
            parsed = DossierCode.parse(str(code), numbering)
            used.append((dossier_scope(agency_code, parsed.counter, parsed.day), parsed.number))
            index = int(payload.get("book_index") or 0)
            received = decode_value("received_at", payload.get("received_at"))
            if index and received is not None:
                scope = book_scope(agency_code, parsed.counter, str(payload.get("field", "")), received.year)
                used.append((scope, index % 10**BOOK_DIGITS))
        if slip := payload.get("slip"):
            number = DocumentNumber.parse_slip(str(slip), numbering)
            used.append((document_scope(agency_code, number.counter, number.symbol, number.year), number.number))
    year = to_vn(occurred_at).year
    if kind == "document.printed" and payload.get("number"):
        number = _displayed(str(payload["number"]), year, numbering)
        used.append((document_scope(agency_code, number.counter, number.symbol, year), number.number))
    if kind == "dossier.reappointed" and payload.get("letter_number"):
        number = _displayed(str(payload["letter_number"]), year, numbering)
        used.append((document_scope(agency_code, number.counter, number.symbol, year), number.number))
    return used


def highest(used: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The highest number of each scope."""
    top: dict[str, int] = {}
    for scope, number in used:
        top[scope] = max(number, top.get(scope, 0))
    return top
