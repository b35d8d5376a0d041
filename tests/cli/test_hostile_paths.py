"""`report --out` and `print --out` write a new file or replace a regular one, never the application's own data
(the live database and what SQLite keeps beside it, keys, backups, the archive, attachments), never a folder
and never something that is not a regular file; each refusal is exit 2 with a Vietnamese message."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from cli.cli_support import Cli, accept

SQLITE_MAGIC = b"SQLite format 3\x00"
NOW = "2026-03-02 11:00"
BOOK = ("report", "book", "--from", "2026-03-01", "--to", "2026-03-31")
STATS = ("report", "stats", "--from", "2026-03-01", "--to", "2026-03-31")


@pytest.fixture
def code(cli: Cli) -> str:
    with cli.services("2026-03-02 10:00") as (services, clock):
        return accept(services, clock, "DEMO.HKD", "2026-03-02 10:00")


@pytest.fixture
def exports(tmp_path: Path) -> Path:
    """A folder of the clerk's own, apart from the database's folder (the fixture's `tmp_path`)."""
    folder = tmp_path / "tai-lieu"
    folder.mkdir()
    return folder


def still_the_database(cli: Cli, code: str) -> None:
    """The database is still a SQLite file holding the dossier."""
    assert cli.db.read_bytes()[:16] == SQLITE_MAGIC
    shown = cli("show", code, now=NOW)
    assert shown.code == 0, str(shown)


def own_files(cli: Cli) -> dict[str, Path]:
    home = cli.db.parent
    return {
        "database": cli.db,
        "wal": Path(f"{cli.db}-wal"),
        "shm": Path(f"{cli.db}-shm"),
        "journal": Path(f"{cli.db}-journal"),
        "set-aside": Path(f"{cli.db}.before-restore-20260301-090000"),
        "audit-key": home / "audit-keys" / "000.17.22.H56-1.key",
        "backup": home / "backups" / "bao-cao.pdf",
        "archive": home / "documents" / "2026" / "03" / "bao-cao.pdf",
        "attachment": home / "attachments" / "ab" / "bao-cao.pdf",
    }


@pytest.mark.parametrize("what", ["database", "wal", "shm", "journal", "set-aside", "audit-key", "backup", "archive"])
def test_report_onto_the_applications_own_files_is_refused(cli: Cli, code: str, what: str) -> None:
    target = own_files(cli)[what]
    message = cli(*BOOK, "--out", str(target), now=NOW).refused()
    assert "dữ liệu của chính ứng dụng" in message
    still_the_database(cli, code)
    if what != "database":
        assert not target.exists() or target.read_bytes()[:4] != b"%PDF"


@pytest.mark.parametrize("what", ["database", "attachment", "archive"])
def test_print_onto_the_applications_own_files_is_refused_before_any_number_is_used(
    cli: Cli, code: str, exports: Path, what: str
) -> None:
    message = cli("print", "receipt", code, "--out", str(own_files(cli)[what]), now=NOW).refused()
    assert "dữ liệu của chính ứng dụng" in message
    still_the_database(cli, code)
    # the refused call printed nothing: the next one is the first print, not a reprint
    first = cli("print", "receipt", code, "--out", str(exports / "giay-tiep-nhan.pdf"), now=NOW).json()
    assert first["reprint"] is False


def test_a_stats_export_onto_the_database_is_refused(cli: Cli, code: str) -> None:
    assert "dữ liệu của chính ứng dụng" in cli(*STATS, "--out", str(cli.db), now=NOW).refused()
    still_the_database(cli, code)


def test_other_names_for_the_database_are_refused(cli: Cli, code: str, exports: Path) -> None:
    link = exports / "loi-tat.pdf"
    link.symlink_to(cli.db)
    hard = exports / "lien-ket-cung.pdf"
    os.link(cli.db, hard)
    for name in (link, hard):
        assert "dữ liệu của chính ứng dụng" in cli(*BOOK, "--out", str(name), now=NOW).refused()
    assert link.is_symlink()
    still_the_database(cli, code)


def test_a_folder_as_output_is_refused(cli: Cli, code: str, exports: Path) -> None:
    folder = exports / "bao-cao"
    folder.mkdir()
    (folder / "cu.pdf").write_bytes(b"%PDF-1.4 old")
    for argv in (BOOK, ("print", "receipt", code)):
        message = cli(*argv, "--out", str(folder), now=NOW).refused()
        assert "là một thư mục" in message
    assert sorted(p.name for p in folder.iterdir()) == ["cu.pdf"]


def test_something_that_is_not_a_regular_file_is_never_replaced(cli: Cli, code: str, exports: Path) -> None:
    # a named pipe stands for every special file: a device node replaced as root is the same rename
    pipe = exports / "ong-dan.pdf"
    os.mkfifo(pipe)
    for argv in (BOOK, ("print", "receipt", code)):
        message = cli(*argv, "--out", str(pipe), now=NOW).refused()
        assert "không phải là một tệp thông thường" in message
        assert stat.S_ISFIFO(os.lstat(pipe).st_mode)


def test_an_existing_regular_file_is_replaced_whole(cli: Cli, code: str, exports: Path) -> None:
    book = exports / "so-theo-doi.xlsx"
    book.write_bytes(b"an older export")
    receipt = exports / "giay-tiep-nhan.pdf"
    receipt.write_bytes(b"an older print")
    assert cli(*BOOK, "--out", str(book), now=NOW).json()["path"] == str(book)
    assert cli("print", "receipt", code, "--out", str(receipt), now=NOW).json()["path"] == str(receipt)
    assert book.read_bytes()[:2] == b"PK"
    assert receipt.read_bytes()[:4] == b"%PDF"
    assert sorted(p.name for p in exports.iterdir()) == ["giay-tiep-nhan.pdf", "so-theo-doi.xlsx"]
