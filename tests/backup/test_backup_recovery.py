"""A damaged database: doctor exits 4 naming the latest backup and the command; restoring it brings the data back."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from backup.backup_support import PASSPHRASE, Counter, citizen_names, corrupt_middle, dossier_codes


def test_corrupted_database_is_found_and_restored_from_the_latest_backup(counter: Counter) -> None:
    counter.ok("demo", "--dossiers", "300")
    kept = counter.intake("Võ Thị Sáu", now="2026-03-02 08:00")
    older = counter("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n", now="2026-03-02 09:00")
    assert older.code == 0, str(older)
    newest_code = counter.intake("Đỗ Minh Quân", now="2026-03-03 08:00")
    latest = counter("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n", now="2026-03-03 09:00")
    assert latest.code == 0, str(latest)
    latest_path = latest.json()["path"]
    expected_codes = dossier_codes(counter.db)
    expected_names = citizen_names(counter.db)
    assert {kept, newest_code} <= expected_codes

    healthy = counter("doctor")
    assert healthy.code == 0, str(healthy)
    corrupt_middle(counter.db)

    doctor = counter("doctor")
    assert doctor.code == 4, str(doctor)
    report = doctor.json()
    database = next(c for c in report["checks"] if c["name"] == "database")
    assert database["status"] == "problem"
    assert report["recovery"]["latest_backup"] == latest_path
    command = report["recovery"]["command"]
    assert command.startswith("counter-app restore ")
    assert latest_path in command
    assert "--passphrase-stdin" in command  # this backup needs the administrator's passphrase
    # the human form says the same, and stderr names the command too
    human = counter.raw(["doctor", "--db", str(counter.db)])
    assert human.code == 4, str(human)
    assert latest_path in human.out
    assert command in human.err

    # a new backup of the damaged file is refused, so rotation cannot push the good ones out
    refused = counter("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n", now="2026-03-04 09:00")
    assert refused.code == 4, str(refused)
    assert len(counter.backup_files()) == 2

    restore = counter("restore", latest_path, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert restore.code == 0, str(restore)
    assert dossier_codes(counter.db) == expected_codes
    assert citizen_names(counter.db) == expected_names
    aside = Path(restore.json()["set_aside"])
    assert aside.name.startswith("counter.db.before-restore-")
    assert aside.stat().st_size > 0  # the damaged file is kept for whoever wants to look at it

    after = counter("doctor")
    assert after.code == 0, str(after)
    shown = counter.ok("show", newest_code)
    assert shown  # the application works on the restored file


def test_restore_is_refused_while_the_database_is_open(counter: Counter) -> None:
    code = counter.intake("Võ Thị Sáu")
    backup = counter("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert backup.code == 0, str(backup)
    later = counter.intake("Đỗ Minh Quân")
    holder = sqlite3.connect(counter.db)  # the window (or a long command) has the file open
    try:
        holder.execute("SELECT count(*) FROM dossier").fetchone()
        run = counter("restore", backup.json()["path"], "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    finally:
        holder.close()
    assert run.code == 2, str(run)
    assert "đang được ứng dụng" in run.message()
    assert {code, later} <= dossier_codes(counter.db)
    assert not list(counter.home.glob("counter.db.before-restore-*"))


def test_a_database_with_a_destroyed_header_is_restored(counter: Counter) -> None:
    code = counter.intake("Võ Thị Sáu")
    backup = counter("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert backup.code == 0, str(backup)
    with counter.db.open("r+b") as handle:  # page 1: the header and the schema are gone
        handle.write(b"\xa5" * 4096)
    doctor = counter("doctor")
    assert doctor.code == 4, str(doctor)
    restore = counter("restore", backup.json()["path"], "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert restore.code == 0, str(restore)
    assert restore.json()["on_hold"] is False  # no central here: nothing to take back, nothing held
    # the replaced file is unreadable: every scope skipped ahead, said in Vietnamese (keys added, none renamed)
    assert restore.json()["numbers_from"] == "gap"
    assert "khoảng an toàn" in restore.json()["numbering_note"]
    assert {"db", "set_aside", "backup_created", "missing_events", "missing_codes"} <= set(restore.json())
    assert code in dossier_codes(counter.db)
