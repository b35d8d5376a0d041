"""Backups, the folder they go to and the database set aside by a restore are readable by their owner only; a
backup refuses a destination that is not a folder, and no maintenance command touches another program's file."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from pathlib import Path

import pytest
from backup.backup_support import PASSPHRASE, Counter
from support.file_modes import mode, usual_umask  # noqa: F401 - usual_umask: an autouse fixture

pytestmark = pytest.mark.skipif(os.name != "posix", reason="owner-only modes are a POSIX matter")


def test_backups_and_their_folder_are_private(counter: Counter) -> None:
    counter.intake("Nguyễn Văn An")
    run = counter("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert run.code == 0, str(run)
    (backup,) = counter.backup_files()
    assert mode(counter.backups) == 0o700
    assert mode(backup) == 0o600


def test_the_database_set_aside_by_a_restore_is_private(counter: Counter) -> None:
    counter.intake("Nguyễn Văn An")
    assert counter("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n").code == 0
    (backup,) = counter.backup_files()
    counter.db.chmod(0o644)  # as an older version left it
    run = counter("restore", str(backup), "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert run.code == 0, str(run)
    aside = Path(run.json()["set_aside"])
    assert aside.name.startswith("counter.db.before-restore-")
    assert mode(aside) == 0o600


@pytest.mark.parametrize("destination", ["/dev/null", "a-file"])
def test_backup_to_something_that_is_not_a_folder_is_refused(counter: Counter, destination: str) -> None:
    target = Path(destination) if destination == "/dev/null" else counter.home / destination
    if destination != "/dev/null":
        target.write_text("không phải thư mục", encoding="utf-8")
    before = target.stat()
    run = counter("backup", "--to", str(target), "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert run.code == 2, str(run)
    assert "không phải là thư mục" in run.message()
    after = target.stat()
    assert (after.st_mode, after.st_ino) == (before.st_mode, before.st_ino)


def _other_programs_database(path: Path) -> bytes:
    connection = sqlite3.connect(path)
    connection.execute("CREATE TABLE ghi_chu (noi_dung TEXT)")
    connection.execute("INSERT INTO ghi_chu VALUES ('sổ tay của người khác')")
    connection.commit()
    connection.close()
    return path.read_bytes()


@pytest.mark.parametrize("action", ["backup", "restore", "doctor"])
def test_maintenance_refuses_another_programs_database_and_leaves_it_as_it_was(
    counter: Counter, tmp_path: Path, action: str
) -> None:
    assert counter("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n").code == 0
    (backup,) = counter.backup_files()
    other = tmp_path / "notes.sqlite"
    content = _other_programs_database(other)
    args = {"backup": ["backup", "--passphrase-stdin"], "restore": ["restore", str(backup), "--passphrase-stdin"]}
    run = counter(*args.get(action, [action]), stdin=PASSPHRASE + "\n", db=other)
    assert run.code == 2, str(run)
    assert "chương trình khác" in run.message()
    assert hashlib.sha256(other.read_bytes()).digest() == hashlib.sha256(content).digest()
    assert sorted(p.name for p in tmp_path.iterdir() if p.name.startswith("notes")) == ["notes.sqlite"]
