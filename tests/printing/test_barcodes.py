"""Code 128 module patterns, QR matrices and the sizes that keep them scannable."""

from __future__ import annotations

import pytest
from reportlab.lib.units import mm

from counter_app.errors import ValidationError
from counter_app.printing.barcodes import MIN_MODULE_WIDTH, QUIET_MODULES, Code128Flowable, code128_modules, qr_matrix
from counter_app.printing.data import PageSize
from counter_app.printing.layout import content_width, styles_for

# From the Code 128 symbol table (ISO/IEC 15417), bar/space widths written out as modules:
START_B = "11010010000"  # value 104: 2 1 1 2 1 4
STOP = "1100011101011"  # 2 3 3 1 1 1 2
LETTER_A = "10100011000"  # value 33: 1 1 1 3 2 3
LETTER_B = "10001011000"  # value 34: 1 3 1 1 2 3 — also the check symbol of "A": (104 + 33) mod 103 = 34


def test_code128_pattern_of_a_single_letter() -> None:
    assert code128_modules("A") == START_B + LETTER_A + LETTER_B + STOP


def test_code128_of_a_dossier_code_is_whole_symbols() -> None:
    modules = code128_modules("000.17.22.H56-260302-1001")

    assert set(modules) == {"0", "1"}
    assert modules.endswith(STOP)
    assert (len(modules) - len(STOP)) % 11 == 0  # start, data and check symbols are 11 modules each


def test_text_outside_code128_is_a_validation_error() -> None:
    with pytest.raises(ValidationError) as caught:
        code128_modules("Mã hồ sơ")
    assert caught.value.field == "barcode"


def test_qr_matrix_is_square_of_a_qr_version_size() -> None:
    matrix = qr_matrix("000.17.22.H56-260302-1001")

    size = len(matrix)
    assert all(len(row) == size for row in matrix)
    assert (size - 17) % 4 == 0  # version v has 17 + 4v modules a side
    assert set(b"".join(matrix)) == {0, 1}


def test_longest_code_fits_a5_with_scannable_modules() -> None:
    # c=2, n=4 (domain.md §4) gives the longest sequence: counter 12, number 0001
    styles = styles_for(PageSize.A5)
    symbol = Code128Flowable("000.17.22.H56-260302-120001", module_width=styles.barcode_module)
    page_width = content_width(styles, PageSize.A5)

    width, _ = symbol.wrap(page_width, 1000)

    assert symbol.min_width <= page_width
    assert symbol.module >= MIN_MODULE_WIDTH
    assert width == pytest.approx(symbol.module * (len(symbol.modules) + 2 * QUIET_MODULES))
    assert width <= page_width


def test_modules_shrink_only_to_fit() -> None:
    symbol = Code128Flowable("A", module_width=0.5 * mm)

    symbol.wrap(1000, 1000)
    assert symbol.module == pytest.approx(0.5 * mm)
    symbol.wrap(symbol.total_modules * 0.4 * mm, 1000)
    assert symbol.module == pytest.approx(0.4 * mm)
