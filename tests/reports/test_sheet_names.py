"""Sheet names of a workbook, read back with openpyxl: Excel's 31 characters, no []:*?/\\, unique, readable."""

from __future__ import annotations

import re
import unicodedata
from pathlib import Path

from openpyxl import load_workbook

from counter_app.services.reports.spreadsheets import CellKind, Column, SheetSpec, write_workbook

COLUMNS = (Column("Tên", CellKind.TEXT), Column("Số", CellKind.INT))
FORBIDDEN = re.compile(r"[\[\]:*?/\\]")


def names_of(tmp_path: Path, titles: list[str]) -> list[str]:
    path = tmp_path / "names.xlsx"
    sheets = [SheetSpec(title, COLUMNS, [[title, n]]) for n, title in enumerate(titles)]
    write_workbook(path, sheets, title="Tên trang")
    book = load_workbook(path)
    # each sheet still holds its own rows, under its own name
    assert [book[name]["B2"].value for name in book.sheetnames] == list(range(len(titles)))
    return book.sheetnames


def test_long_field_names_are_cut_after_a_word_and_stay_unique(tmp_path: Path) -> None:
    names = names_of(
        tmp_path,
        [
            "Thành lập và hoạt động của hộ kinh doanh",
            "Thành lập và hoạt động của hộ kinh doanh cá thể",
            "Thành lập và hoạt động của hợp tác xã",
            "Hộ tịch",
            "hộ tịch",  # Excel compares names without case
        ],
    )
    assert names == [
        "Thành lập và hoạt động của hộ…",
        "Thành lập và hoạt động của… (2)",
        "Thành lập và hoạt động của hợp…",
        "Hộ tịch",
        "hộ tịch (2)",
    ]
    assert all(len(name) <= 31 for name in names)


def test_forbidden_characters_are_replaced_readably(tmp_path: Path) -> None:
    names = names_of(
        tmp_path,
        ["Địa chỉ/SĐT", "Hỏi: [đáp]?", "A*B\\C", "'Trích dẫn'", "[]", "Cấp bản sao: " + "rất dài " * 5],
    )
    assert names == ["Địa chỉ-SĐT", "Hỏi đáp", "A B-C", "Trích dẫn", "Trang", "Cấp bản sao rất dài rất dài…"]
    assert not any(FORBIDDEN.search(name) for name in names)
    assert all(len(name) <= 31 for name in names)


def test_decomposed_vietnamese_is_counted_in_letters_not_in_code_points(tmp_path: Path) -> None:
    """A name pasted in decomposed form (NFD) is written composed: its 31 characters are 31 letters."""
    name = "Chứng thực bản sao từ bản chính"  # 31 letters, 40 code points decomposed
    assert len(unicodedata.normalize("NFD", name)) > 31
    assert names_of(tmp_path, [unicodedata.normalize("NFD", name)]) == [name]
