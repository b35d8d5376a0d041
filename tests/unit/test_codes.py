"""Dossier codes and document numbers: formats, round trips, no collisions between counters, exhaustion."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from counter_app.domain.codes import (
    DocumentNumber,
    DossierCode,
    Numbering,
    issue_document_number,
    issue_dossier_code,
    looks_like_dossier_code,
    validate_agency_code,
)
from counter_app.errors import RuleError, ValidationError

WARD = "000.17.22.H56"
DAY = date(2021, 5, 31)
BUSY = Numbering(counter_digits=2, number_digits=4)

_alnum = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
agency_codes = st.builds(
    lambda a, b, c, letter, d: f"{a}.{b}.{c}.{letter}{d}",
    st.text(_alnum, min_size=3, max_size=3),
    st.text(_alnum, min_size=2, max_size=2),
    st.text(_alnum, min_size=2, max_size=2),
    st.sampled_from("ABCDEFGHIJKLMNOPQRSTUVWXYZ"),
    st.text("0123456789", min_size=2, max_size=2),
)
numberings = st.sampled_from([Numbering(c, n) for c in (1, 2) for n in (3, 4)])


@st.composite
def dossier_codes(draw: st.DrawFn) -> DossierCode:
    numbering = draw(numberings)
    return DossierCode(
        draw(agency_codes),
        draw(st.dates(date(2000, 1, 1), date(2099, 12, 31))),
        draw(st.integers(1, numbering.max_counter)),
        draw(st.integers(1, numbering.max_number)),
        numbering,
    )


# --- Numbering -----------------------------------------------------------------------------------------


def test_default_numbering_is_one_counter_digit_and_three_number_digits() -> None:
    assert Numbering().max_counter == 9
    assert Numbering().max_number == 999
    assert BUSY.max_counter == 99
    assert BUSY.max_number == 9999


@pytest.mark.parametrize(
    ("kwargs", "field"),
    [
        ({"counter_digits": 3}, "counter_digits"),
        ({"counter_digits": 0}, "counter_digits"),
        ({"number_digits": 2}, "number_digits"),
        ({"number_digits": 5}, "number_digits"),
    ],
)
def test_numbering_refuses_other_widths(kwargs: dict[str, int], field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        Numbering(**kwargs)
    assert caught.value.field == field


@pytest.mark.parametrize(("numbering", "counter"), [(Numbering(), 0), (Numbering(), 10), (BUSY, 100), (BUSY, -1)])
def test_check_counter_refuses_out_of_range(numbering: Numbering, counter: int) -> None:
    with pytest.raises(ValidationError) as caught:
        numbering.check_counter(counter)
    assert caught.value.field == "counter"


def test_check_counter_accepts_the_bounds() -> None:
    Numbering().check_counter(1)
    Numbering().check_counter(9)
    BUSY.check_counter(99)


# --- agency code ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"), [("000.17.22.H56", "000.17.22.H56"), ("  000.00.00.h29 ", "000.00.00.H29")]
)
def test_agency_code_accepts_qcvn_identifiers(typed: str, expected: str) -> None:
    assert validate_agency_code(typed) == expected


@pytest.mark.parametrize(
    "typed",
    [
        "",
        "000.17.22",
        "000-17-22-H56",
        "000.17.22.H5",
        "00.17.22.H56",
        "000.17.22.H56.1",
        "000.17.22.156",
        "000 17 22 H56",
        "000.1à.22.H56",
    ],
)
def test_agency_code_refuses_other_shapes(typed: str) -> None:
    with pytest.raises(ValidationError) as caught:
        validate_agency_code(typed)
    assert caught.value.field == "agency_code"
    assert "000.17.22.H56" in caught.value.message


# --- dossier code format -------------------------------------------------------------------------------


def test_dossier_code_format_of_domain_examples() -> None:
    assert str(DossierCode(WARD, DAY, 1, 1)) == "000.17.22.H56-210531-1001"
    assert str(DossierCode(WARD, DAY, 2, 1)) == "000.17.22.H56-210531-2001"
    assert str(DossierCode(WARD, DAY, 12, 1, BUSY)) == "000.17.22.H56-210531-120001"
    assert str(DossierCode(WARD, DAY, 3, 999)) == "000.17.22.H56-210531-3999"
    assert str(DossierCode(WARD, DAY, 5, 42, BUSY)) == "000.17.22.H56-210531-050042"


def test_dossier_code_normalises_the_agency() -> None:
    assert DossierCode(" 000.17.22.h56", DAY, 1, 1).agency_code == WARD


@pytest.mark.parametrize(
    ("counter", "number", "field"),
    [(0, 1, "counter"), (10, 1, "counter"), (1, 0, "number"), (1, 1000, "number")],
)
def test_dossier_code_refuses_out_of_range_parts(counter: int, number: int, field: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DossierCode(WARD, DAY, counter, number)
    assert caught.value.field == field


def test_parse_reads_the_parts() -> None:
    code = DossierCode.parse("  000.17.22.h56-210531-1001 ")
    assert (code.agency_code, code.day, code.counter, code.number) == (WARD, DAY, 1, 1)
    busy = DossierCode.parse("000.00.00.H29-260102-120345", BUSY)
    assert (busy.day, busy.counter, busy.number) == (date(2026, 1, 2), 12, 345)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "000.17.22.H56-210531-0001",  # counter 0 does not exist
        "000.17.22.H56-210531-1000",  # number 0 does not exist
        "000.17.22.H56-210531-10001",  # one digit too many for c=1, n=3
        "000.17.22.H56-210531-101",
        "000.17.22.H56-210532-1001",  # 32 May
        "000.17.22.H56-211331-1001",
        "000.17.22.H56-21053-1001",
        "000.17.22.H56 210531 1001",
        "000.17.22-210531-1001",
        "000.17.22.H56-210531-1001-1",
        "000.17.22.H56-210531-1O01",  # letter O instead of zero
    ],
)
def test_parse_refuses_malformed_codes(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DossierCode.parse(text)
    assert caught.value.field == "code"
    assert caught.value.message


def test_parse_depends_on_the_numbering() -> None:
    with pytest.raises(ValidationError):
        DossierCode.parse("000.17.22.H56-210531-1001", BUSY)
    with pytest.raises(ValidationError):
        DossierCode.parse("000.17.22.H56-210531-120001")


@given(dossier_codes())
def test_parse_inverts_str(code: DossierCode) -> None:
    assert DossierCode.parse(str(code), code.numbering) == code
    assert DossierCode.parse(f" {str(code).lower()} ", code.numbering) == code
    assert looks_like_dossier_code(str(code))


@given(dossier_codes(), dossier_codes())
def test_distinct_codes_print_differently(a: DossierCode, b: DossierCode) -> None:
    if a.numbering == b.numbering and a != b:
        assert str(a) != str(b)


def test_codes_order_by_agency_day_counter_number() -> None:
    later_day = DossierCode(WARD, date(2021, 6, 1), 1, 1)
    assert DossierCode(WARD, DAY, 1, 2) < DossierCode(WARD, DAY, 2, 1) < later_day


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("000.17.22.H56-210531-1001", True),
        (" 000.00.00.h29-260102-120345\n", True),
        ("000.17.22.H56-210531-0001", True),  # national sample shape
        ("000.17.22.H56-210531-101", False),
        ("PBS-26-100012", False),
        ("079203001234", False),
        ("079203001234||Nguyễn Văn A|01012003|Nam|Phường Bến Nghé|15082021", False),
    ],
)
def test_looks_like_dossier_code(text: str, expected: bool) -> None:
    assert looks_like_dossier_code(text) is expected


# --- issuing -------------------------------------------------------------------------------------------


def test_issue_starts_at_one_and_follows_the_last_number() -> None:
    assert str(issue_dossier_code(WARD, DAY, 1, 0, Numbering())) == "000.17.22.H56-210531-1001"
    assert str(issue_dossier_code(WARD, DAY, 4, 41, Numbering())) == "000.17.22.H56-210531-4042"
    assert str(issue_dossier_code(WARD, DAY, 12, 0, BUSY)) == "000.17.22.H56-210531-120001"


def _issue_all(counter: int, numbering: Numbering) -> list[DossierCode]:
    codes: list[DossierCode] = []
    last = 0
    for _ in range(numbering.max_number):
        code = issue_dossier_code(WARD, DAY, counter, last, numbering)
        last = code.number
        codes.append(code)
    return codes


def test_counters_of_one_agency_never_collide_on_a_day() -> None:
    issued: dict[Numbering, dict[int, list[DossierCode]]] = {
        Numbering(): {k: _issue_all(k, Numbering()) for k in range(1, 10)},
        BUSY: {k: _issue_all(k, BUSY) for k in range(10, 13)},
    }
    texts = [str(code) for by_counter in issued.values() for codes in by_counter.values() for code in codes]
    assert len(texts) == 9 * 999 + 3 * 9999
    assert len(set(texts)) == len(texts)
    for numbering, by_counter in issued.items():
        for counter, codes in by_counter.items():
            assert [code.number for code in codes] == list(range(1, numbering.max_number + 1))
            for code in codes:
                assert DossierCode.parse(str(code), numbering).counter == counter


@pytest.mark.parametrize(("numbering", "counter", "used"), [(Numbering(), 3, 999), (BUSY, 12, 9999)])
def test_issue_refuses_when_the_day_is_used_up(numbering: Numbering, counter: int, used: int) -> None:
    assert issue_dossier_code(WARD, DAY, counter, used - 1, numbering).number == used
    with pytest.raises(RuleError) as caught:
        issue_dossier_code(WARD, DAY, counter, used, numbering)
    message = caught.value.message
    assert f"Quầy {counter}" in message
    assert str(used) in message
    assert "31/05/2021" in message


def test_issue_refuses_a_counter_outside_the_numbering() -> None:
    with pytest.raises(ValidationError) as caught:
        issue_dossier_code(WARD, DAY, 10, 0, Numbering())
    assert caught.value.field == "counter"


# --- document numbers ----------------------------------------------------------------------------------


def test_document_number_display_and_slip_id() -> None:
    doc = DocumentNumber(2026, 1, 12, "PBS")
    assert doc.display() == "100012/PBS"
    assert doc.slip_id() == "PBS-26-100012"
    busy = DocumentNumber(2026, 12, 345, "TTPVHCC", BUSY)
    assert busy.display() == "12000345/TTPVHCC"
    assert busy.slip_id() == "TTPVHCC-26-12000345"


def test_document_number_width_allows_tens_of_thousands_a_year() -> None:
    assert DocumentNumber(2026, 9, 99999, "PBS").display() == "999999/PBS"
    with pytest.raises(ValidationError):
        DocumentNumber(2026, 9, 100000, "PBS")


@pytest.mark.parametrize(
    "doc",
    [
        DocumentNumber(2026, 1, 12, "PBS"),
        DocumentNumber(2000, 9, 99999, "PTC"),
        DocumentNumber(2099, 12, 345, "TB-UBND", BUSY),
        DocumentNumber(2025, 3, 7, "QĐ-UBND"),
    ],
)
def test_parse_slip_inverts_slip_id(doc: DocumentNumber) -> None:
    assert DocumentNumber.parse_slip(doc.slip_id(), doc.numbering) == doc
    assert DocumentNumber.parse_slip(f"  {doc.slip_id().lower()} ", doc.numbering) == doc


@given(
    st.integers(2000, 2099),
    numberings,
    st.data(),
    st.sampled_from(["PBS", "PTC", "TTPVHCC", "PXL", "TB-UBND"]),
)
def test_parse_slip_round_trip_property(year: int, numbering: Numbering, data: st.DataObject, symbol: str) -> None:
    doc = DocumentNumber(
        year,
        data.draw(st.integers(1, numbering.max_counter)),
        data.draw(st.integers(1, numbering.max_document_number)),
        symbol,
        numbering,
    )
    assert DocumentNumber.parse_slip(doc.slip_id(), numbering) == doc


@pytest.mark.parametrize(
    "text",
    [
        "",
        "PBS-26-10012",
        "PBS-26-0000012",
        "PBS-26-000012",
        "PBS-2026-100012",
        "PBS26100012",
        "-26-100012",
        "PBS--26-100012",
    ],
)
def test_parse_slip_refuses_malformed_ids(text: str) -> None:
    with pytest.raises(ValidationError) as caught:
        DocumentNumber.parse_slip(text)
    assert caught.value.field == "slip"


def test_document_symbol_is_checked() -> None:
    with pytest.raises(ValidationError) as caught:
        DocumentNumber(2026, 1, 1, "P/BS")
    assert caught.value.field == "symbol"
    assert DocumentNumber(2026, 1, 1, " pbs ").symbol == "PBS"


def test_issue_document_number_and_exhaustion() -> None:
    assert issue_document_number(2026, 1, 0, "PBS", Numbering()).display() == "100001/PBS"
    assert issue_document_number(2026, 2, 11, "PBS", Numbering()).slip_id() == "PBS-26-200012"
    assert issue_document_number(2026, 1, 99998, "PBS", Numbering()).number == 99999
    with pytest.raises(RuleError) as caught:
        issue_document_number(2026, 1, 99999, "PBS", Numbering())
    assert "Quầy 1" in caught.value.message
    assert "2026" in caught.value.message
    with pytest.raises(RuleError):
        issue_document_number(2026, 12, 999999, "PBS", BUSY)
