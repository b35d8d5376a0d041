"""What the application writes about citizens is readable by its owner only (POSIX): the database and the -wal and
-shm files SQLite keeps beside it, the log, printed PDFs and their archive, exports, attachments; the folders it
creates for them are its owner's only too. Checked with os.stat after real operations, under the usual umask 022."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from attachments.attachment_support import pdf
from cli.cli_support import AGENCY, AGENCY_NAME, PERSON_ID, Cli, SetClock
from support.file_modes import mode, usual_umask  # noqa: F401 - usual_umask: an autouse fixture

from counter_app.bootstrap import build_services

pytestmark = pytest.mark.skipif(os.name != "posix", reason="owner-only modes are a POSIX matter")


def modes_under(folder: Path) -> dict[str, int]:
    return {str(p.relative_to(folder)): mode(p) for p in sorted(folder.rglob("*"))}


def test_the_database_and_its_wal_and_shm_files_are_private(tmp_path: Path) -> None:
    db = tmp_path / "du-lieu" / "quay" / "c.db"
    services = build_services(db, SetClock("2026-03-02 08:00"))
    try:
        services.setup.init_local(agency_code=AGENCY, agency_name=AGENCY_NAME, counter=1)
        wal, shm = Path(f"{db}-wal"), Path(f"{db}-shm")
        assert wal.exists() and shm.exists()  # the connections are open: SQLite keeps both beside the file
        assert {p.name: mode(p) for p in (db, wal, shm)} == {"c.db": 0o600, "c.db-wal": 0o600, "c.db-shm": 0o600}
        assert mode(db.parent) == 0o700
        assert mode(db.parent.parent) == 0o700  # every folder the application had to create
    finally:
        services.close()


def test_what_the_command_line_writes_is_private(tmp_path: Path) -> None:
    cli = Cli(tmp_path / "quay" / "c.db")
    setup = cli("init", "--agency-code", AGENCY, "--agency-name", AGENCY_NAME, "--counter", "1")
    assert setup.code == 0, str(setup)
    assert mode(cli.db) == 0o600
    log_dir = cli.home / "xdg-state" / "counter_app" / "log"
    assert modes_under(cli.home / "xdg-state") == {
        "counter_app": 0o700,
        "counter_app/log": 0o700,
        "counter_app/log/counter_app.log": 0o600,
    }
    assert log_dir.is_dir()

    now = "2026-03-02 10:00"
    code = cli("intake", "--procedure", "DEMO.KH", "--name", "Nguyễn Văn An", "--id", PERSON_ID, now=now).json()["code"]
    printed = tmp_path / "ban-in" / "giay-tiep-nhan.pdf"
    assert cli("print", "receipt", code, "--out", str(printed), now=now).code == 0
    exports = tmp_path / "xuat"
    for name in ("so.pdf", "so.xlsx"):
        out = exports / name
        run = cli("report", "book", "--from", "2026-03-01", "--to", "2026-03-31", "--out", str(out), now=now)
        assert run.code == 0, str(run)
    scan = pdf(tmp_path / "giay-to.pdf", 1)
    attached = cli("attach", code, "--paper", "1", str(scan), now=now)
    assert attached.code == 0, str(attached)

    assert modes_under(tmp_path / "ban-in") == {"giay-tiep-nhan.pdf": 0o600}
    assert mode(tmp_path / "ban-in") == 0o700
    assert modes_under(exports) == {"so.pdf": 0o600, "so.xlsx": 0o600}
    assert mode(exports) == 0o700
    archive = modes_under(cli.home / "documents")
    assert archive, "the printed receipt is archived"
    assert set(archive.values()) == {0o600, 0o700}
    assert all(value == (0o700 if (cli.home / "documents" / k).is_dir() else 0o600) for k, value in archive.items())
    store = modes_under(cli.home / "attachments")
    assert store, "the attached paper is stored"
    assert all(value == (0o700 if (cli.home / "attachments" / k).is_dir() else 0o600) for k, value in store.items())
    assert mode(cli.home / "attachments") == 0o700
