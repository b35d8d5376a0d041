"""The one table of document kinds: symbols, history titles and the forms of each rule set."""

from __future__ import annotations

from counter_app.domain.document_kinds import (
    DOSSIER_DOCUMENTS,
    HISTORY_TITLES,
    RULE_SETS,
    SYMBOLS,
    DocumentKind,
    document_kind,
    form_info,
)


def test_every_kind_has_one_symbol_and_one_history_title() -> None:
    assert set(SYMBOLS) == set(DocumentKind) == set(HISTORY_TITLES)
    assert len(set(SYMBOLS.values())) == len(SYMBOLS)  # two kinds never share a number series


def test_the_forms_carry_their_legal_symbols() -> None:
    legal = {
        DocumentKind.RECEIPT: "TTPVHCC",
        DocumentKind.SUPPLEMENT: "PBS",
        DocumentKind.REFUSAL: "PTC",
        DocumentKind.APOLOGY: "PXL",
        DocumentKind.CONTROL: "PKS",
        DocumentKind.BOOK: "STD",
    }
    for kind, symbol in legal.items():
        assert SYMBOLS[kind] == symbol


def test_symbols_already_issued_are_kept() -> None:
    # numbers printed before the vocabulary was unified ("…/TBD", "…/BLP") go on in the same series
    assert SYMBOLS[DocumentKind.WITHDRAWAL] == "TBD"
    assert SYMBOLS[DocumentKind.FEE_RECEIPT] == "BLP"


def test_every_rule_set_numbers_with_the_kind_symbol() -> None:
    for rule_set in RULE_SETS:
        for kind in DocumentKind:
            assert form_info(rule_set, kind).symbol == SYMBOLS[kind]


def test_stored_kind_values_stay_the_same() -> None:
    assert [str(kind) for kind in DOSSIER_DOCUMENTS] == [
        "receipt",
        "supplement",
        "refusal",
        "apology",
        "withdrawal",
        "control",
        "fee",
    ]
    assert document_kind("fee") is DocumentKind.FEE_RECEIPT
    assert document_kind("fee_receipt") is None
