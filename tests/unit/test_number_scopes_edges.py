"""numbers_used at the edges of its payloads: missing book lines or fields, wide slips, misplaced letter numbers.

Each case is a payload an older or a partial event really can carry; the expected scopes follow the formats of
domain.md §4 (`dossier:<agency>:<counter>:<YYMMDD>`, `book:<agency>:<counter>:<field>:<year>`,
`doc:<agency>:<counter>:<symbol>:<year>`), written out by hand.
"""

from __future__ import annotations

from datetime import datetime

import pytest

from counter_app.domain.clock import VN_TZ
from counter_app.domain.codes import Numbering
from counter_app.domain.number_scopes import highest, numbers_used
from counter_app.errors import ValidationError

AGENCY = "000.17.22.H56"
AT = datetime(2026, 4, 10, 9, 30, tzinfo=VN_TZ)
NARROW = Numbering()
WIDE = Numbering(2, 4)
CODE = f"{AGENCY}-260410-1005"


def test_a_dossier_without_a_book_line_used_only_its_code() -> None:
    # received_at is there, the book line is not (an intake recorded before the book existed).
    payload = {"code": CODE, "received_at": "2026-04-10T09:30:00+07:00", "field": "Hộ tịch"}
    assert numbers_used("dossier.accepted", payload, AT, AGENCY, NARROW) == [(f"dossier:{AGENCY}:1:260410", 5)]
    payload["book_index"] = None
    assert numbers_used("dossier.accepted", payload, AT, AGENCY, NARROW) == [(f"dossier:{AGENCY}:1:260410", 5)]


def test_a_book_line_without_a_receipt_moment_is_not_read() -> None:
    payload = {"code": CODE, "book_index": 100007, "field": "Hộ tịch"}
    assert numbers_used("dossier.accepted", payload, AT, AGENCY, NARROW) == [(f"dossier:{AGENCY}:1:260410", 5)]


def test_a_book_line_without_a_field_is_in_the_book_of_no_field() -> None:
    payload = {"code": CODE, "book_index": 100007, "received_at": "2026-04-10T09:30:00+07:00"}
    assert numbers_used("dossier.accepted", payload, AT, AGENCY, NARROW) == [
        (f"dossier:{AGENCY}:1:260410", 5),
        (f"book:{AGENCY}:1::2026", 7),
    ]


def test_a_slip_is_read_with_the_agency_numbering() -> None:
    # Counter 12 of an agency with two counter digits (eight slip digits): PBS-26-12000012 is its 12th PBS.
    payload = {"code": None, "slip": "PBS-26-12000012"}
    assert numbers_used("slip.supplement", payload, AT, AGENCY, WIDE) == [(f"doc:{AGENCY}:12:PBS:2026", 12)]


def test_a_letter_number_counts_only_on_a_reappointment() -> None:
    stray = {"letter_number": "100003/PXL", "to": "Phòng Tư pháp"}
    assert numbers_used("dossier.transferred", stray, AT, AGENCY, NARROW) == []


def test_a_printed_number_that_does_not_read_names_the_number_field() -> None:
    with pytest.raises(ValidationError) as info:
        numbers_used("document.printed", {"number": "12/BLP"}, AT, AGENCY, NARROW)
    assert info.value.field == "number"
    assert "12/BLP" in info.value.message


def test_highest_of_a_single_number_is_that_number() -> None:
    assert highest([("a", 0)]) == {"a": 0}
    assert highest([]) == {}
