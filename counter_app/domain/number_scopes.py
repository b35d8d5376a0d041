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
from counter_app.domain.event_kinds import EventKind
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
    if kind == EventKind.DOCUMENT_PRINTED and payload.get("number"):
        number = _displayed(str(payload["number"]), year, numbering)
        used.append((document_scope(agency_code, number.counter, number.symbol, year), number.number))
    if kind == EventKind.REAPPOINTED and payload.get("letter_number"):
        number = _displayed(str(payload["letter_number"]), year, numbering)
        used.append((document_scope(agency_code, number.counter, number.symbol, year), number.number))
    return used


def highest(used: Iterable[tuple[str, int]]) -> dict[str, int]:
    """The highest number of each scope."""
    top: dict[str, int] = {}
    for scope, number in used:
        top[scope] = max(number, top.get(scope, 0))
    return top


# When the database a restore replaces cannot be read, the numbers it issued since the backup are unknown: every
# scope of the counter skips ahead by a gap instead. A day's dossier scope skips at least DAY_GAP, or the busiest
# day the backup shows if that is more (a desk's full day of work is the most a daily backup can have missed on one
# day); a yearly scope (book lines, documents) skips, for each day of the window, the day gap twice (a dossier
# takes one book line and may take several documents: receipt, slip, control sheet, letters).
DAY_GAP = 50


def _counter_scope_parts(scope: str, agency_code: str, counter: int) -> tuple[str, str] | None:
    """(family, rest) of a scope of this counter ("dossier", "book", "doc"), None for another's."""
    for family, prefix in (
        ("dossier", dossier_scopes_prefix(agency_code, counter)),
        ("book", book_scopes_prefix(agency_code, counter)),
        ("doc", document_scopes_prefix(agency_code, counter)),
    ):
        if scope.startswith(prefix):
            return family, scope[len(prefix) :]
    return None


def day_gap(last: Mapping[str, int], agency_code: str, counter: int) -> int:
    """DAY_GAP, or the most dossiers the counter numbered in one day as `last` (scope -> last number) shows."""
    busiest = [n for s, n in last.items() if (_counter_scope_parts(s, agency_code, counter) or ("",))[0] == "dossier"]
    return max([DAY_GAP, *busiest])


def skip_ahead(
    last: Mapping[str, int],
    *,
    agency_code: str,
    counter: int,
    days: Iterable[date],
    fields: Iterable[str],
    symbols: Iterable[str],
    numbering: Numbering,
) -> dict[str, int]:
    """The number each scope of the counter is raised to when what it issued on `days` (the backup's day to
    today) is unknown: `last` (scope -> last number known) plus the gap, capped at the scope's highest number
    (the counter then refuses the next number with its usual message rather than issue one again). Yearly scopes
    are those of `fields` and `symbols` and those `last` holds, for every year of `days`."""
    window = sorted(set(days))
    if not window:
        return {}
    gap = day_gap(last, agency_code, counter)
    yearly_gap = 2 * gap * len(window)
    years = sorted({day.year for day in window})
    fields = set(fields)
    symbols = set(symbols)
    for scope in last:
        parts = _counter_scope_parts(scope, agency_code, counter)
        if parts is None:
            continue
        family, rest = parts
        head, _sep, _year = rest.rpartition(":")
        if family == "book":
            fields.add(head)
        elif family == "doc":
            symbols.add(head)
    raised: dict[str, int] = {}
    for day in window:
        scope = dossier_scope(agency_code, counter, day)
        raised[scope] = min(last.get(scope, 0) + gap, numbering.max_number)
    for year in years:
        for field in fields:
            scope = book_scope(agency_code, counter, field, year)
            raised[scope] = min(last.get(scope, 0) + yearly_gap, 10**BOOK_DIGITS - 1)
        for symbol in symbols:
            scope = document_scope(agency_code, counter, symbol, year)
            raised[scope] = min(last.get(scope, 0) + yearly_gap, 10**numbering.document_digits - 1)
    return raised
