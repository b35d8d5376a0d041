"""The numbers an event of the counter's own shows it used, read back from its payload (domain.number_scopes)."""

from __future__ import annotations

from datetime import datetime

import pytest

from counter_app.domain.clock import VN_TZ
from counter_app.domain.codes import Numbering
from counter_app.domain.number_scopes import book_index, highest, numbers_used
from counter_app.errors import ValidationError

AGENCY = "000.17.22.H56"
AT = datetime(2026, 4, 10, 9, 30, tzinfo=VN_TZ)
NARROW = Numbering()  # one counter digit, three number digits
WIDE = Numbering(2, 4)


def test_an_accepted_dossier_used_its_code_and_its_book_line() -> None:
    payload = {
        "code": f"{AGENCY}-260410-1005",
        "slip": None,
        "book_index": 100007,
        "field": "Hộ tịch",
        "received_at": "2026-04-10T09:30:00+07:00",
    }
    assert numbers_used("dossier.accepted", payload, AT, AGENCY, NARROW) == [
        (f"dossier:{AGENCY}:1:260410", 5),
        (f"book:{AGENCY}:1:Hộ tịch:2026", 7),
    ]


def test_wide_numbering_reads_the_counter_and_the_number_apart() -> None:
    payload = {"code": f"{AGENCY}-251231-120105", "book_index": 1200042, "field": "Đất đai",
               "received_at": "2025-12-31T16:59:00+07:00"}  # fmt: skip
    assert numbers_used("dossier.accepted", payload, AT, AGENCY, WIDE) == [
        (f"dossier:{AGENCY}:12:251231", 105),
        (f"book:{AGENCY}:12:Đất đai:2025", 42),
    ]
    assert book_index(12, 42) == 1200042


def test_slips_and_documents_use_a_number_of_their_symbol_and_year() -> None:
    assert numbers_used("slip.supplement", {"code": None, "slip": "PBS-26-100012"}, AT, AGENCY, NARROW) == [
        (f"doc:{AGENCY}:1:PBS:2026", 12)
    ]
    printed = {"kind": "fee", "number": "100034/BLP", "reprint": False}
    assert numbers_used("document.printed", printed, AT, AGENCY, NARROW) == [(f"doc:{AGENCY}:1:BLP:2026", 34)]
    letter = {"letter_number": "12000003/PXL", "reason": "…"}
    assert numbers_used("dossier.reappointed", letter, AT, AGENCY, WIDE) == [(f"doc:{AGENCY}:12:PXL:2026", 3)]


def test_events_that_number_nothing_and_numbers_that_do_not_read() -> None:
    assert numbers_used("dossier.transferred", {"to": "Phòng Tư pháp"}, AT, AGENCY, NARROW) == []
    assert numbers_used("document.printed", {"kind": "receipt", "number": ""}, AT, AGENCY, NARROW) == []
    with pytest.raises(ValidationError):
        numbers_used("document.printed", {"number": "12/BLP"}, AT, AGENCY, NARROW)  # not the agency's width
    with pytest.raises(ValidationError):
        numbers_used("dossier.accepted", {"code": "not-a-code"}, AT, AGENCY, NARROW)


def test_highest_keeps_the_top_number_of_each_scope() -> None:
    assert highest([("a", 3), ("b", 1), ("a", 9), ("a", 4)]) == {"a": 9, "b": 1}
