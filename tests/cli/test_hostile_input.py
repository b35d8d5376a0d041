"""Hostile input on the command line gets a clear Vietnamese refusal (exit 2), never "Lỗi không mong đợi": a clock
far in the future, JSON nested thousands deep, a --db that is a text file, a folder or another program's SQLite
database (which is left exactly as it was)."""

from __future__ import annotations

import hashlib
import sqlite3
from pathlib import Path

import pytest
from cli.cli_support import Cli

DEEP = "[" * 100_000 + "]" * 100_000


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


@pytest.mark.parametrize(
    "command", [("late",), ("find", "Nguyễn"), ("report", "stats", "--from", "2026-01-01", "--to", "2026-01-31")]
)
def test_a_clock_at_the_end_of_time_is_refused(cli: Cli, command: tuple[str, ...]) -> None:
    message = cli(*command, now="9999-12-31 23:59").refused()
    assert "9999-12-31 23:59" in message
    assert "2000–2099" in message


def test_a_clock_inside_the_years_the_application_knows_still_works(cli: Cli) -> None:
    assert cli("late", now="2099-12-31 23:59").code == 0


@pytest.mark.parametrize("command", [("catalogue", "import"), ("calendar-import",)])
def test_json_nested_thousands_deep_is_refused(cli: Cli, tmp_path: Path, command: tuple[str, ...]) -> None:
    deep = tmp_path / "long-nhau.json"
    deep.write_text(DEEP, encoding="utf-8")
    message = cli(*command, str(deep)).refused()
    assert "lồng nhau quá sâu" in message


def test_a_json_number_of_thousands_of_digits_is_refused(cli: Cli, tmp_path: Path) -> None:
    huge = tmp_path / "so-qua-dai.json"
    huge.write_text('{"year": ' + "9" * 5000 + "}", encoding="utf-8")
    assert "số quá dài" in cli("calendar-import", str(huge)).refused()


@pytest.mark.parametrize(
    "command",
    [
        ("late",),
        ("procedures",),
        ("init", "--agency-code", "000.17.22.H56", "--agency-name", "Phường Thử", "--counter", "1"),
    ],
)
def test_a_text_file_as_database_is_refused_and_left_alone(tmp_path: Path, command: tuple[str, ...]) -> None:
    text = tmp_path / "ghi-chu.txt"
    text.write_text("Danh sách việc cần làm, không phải cơ sở dữ liệu.\n", encoding="utf-8")
    before = sha256(text)
    message = Cli(text)(*command).refused()
    assert "không phải cơ sở dữ liệu" in message
    assert sha256(text) == before


def test_a_folder_as_database_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "thu-muc"
    folder.mkdir()
    assert "không phải là một tệp" in Cli(folder)("late").refused()
    assert list(folder.iterdir()) == []


def _other_programs_database(path: Path) -> None:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE contacts (name TEXT, phone TEXT)")
    connection.execute("INSERT INTO contacts VALUES ('Trần Thị Bình', '0901234567')")
    connection.commit()
    connection.close()


@pytest.mark.parametrize(
    "command",
    [
        ("late",),
        ("procedures",),
        ("init", "--agency-code", "000.17.22.H56", "--agency-name", "Phường Thử", "--counter", "1"),
        ("intake", "--procedure", "DEMO.CTBS", "--name", "Nguyễn Văn An", "--id", "079090001234"),
        ("config", "get", "agency_code"),
    ],
)
def test_another_programs_sqlite_file_is_refused_and_left_byte_for_byte(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    other = tmp_path / "contacts.sqlite"
    _other_programs_database(other)
    before = sha256(other)
    message = Cli(other)(*command).refused()
    assert "chương trình khác" in message
    assert sha256(other) == before
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("contacts")) == ["contacts.sqlite"]
    connection = sqlite3.connect(f"{other.as_uri()}?mode=ro", uri=True)
    try:
        tables = [row[0] for row in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
    finally:
        connection.close()
    assert tables == ["contacts"]


def test_an_empty_file_is_a_new_database(tmp_path: Path) -> None:
    empty = tmp_path / "moi.db"
    empty.touch()
    run = Cli(empty)("init", "--agency-code", "000.17.22.H56", "--agency-name", "Phường Thử", "--counter", "1")
    assert run.code == 0, str(run)
