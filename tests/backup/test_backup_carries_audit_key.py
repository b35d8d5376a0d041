"""A counter restored on a new PC verifies its chain with the restored key: every backup carries the counter's audit
key (and the secret vault) inside its encryption, and a restore puts them back where the new PC keeps keys.

As on a ward PC without a keyring (keyring's failing backend, pinned by the suite's conftest here and in every
subprocess): machine 1 keeps its key in a 0600 file, or in the secret vault once it has accounts. The new PC is
a fresh data folder with no key file and no vault. Before this work the key stayed behind: `audit verify` on the
new PC could check nothing (no key), and the first event there made a new key and recorded `audit.key_replaced`.
"""

from __future__ import annotations

import base64
import binascii
import sqlite3
from datetime import datetime
from pathlib import Path

from backup.backup_support import AGENCY, PASSPHRASE, VIETNAMESE_MARKS, Counter
from security.security_support import StepClock, open_counter, person_form, sign_in, staff

from counter_app.bootstrap import build_maintenance, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.services.common.secret_vault import VaultFile
from counter_app.services.maintenance.backup_format import (
    AUDIT_KEY_IN_VAULT,
    AUDIT_KEY_INCLUDED,
    AUDIT_KEY_UNAVAILABLE,
    read_header,
)

KEY_REPLACED = "audit.key_replaced"


class FixedClock:
    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def key_folder(counter: Counter) -> Path:
    return counter.home / "audit-keys"


def key_file(counter: Counter) -> Path:
    return key_folder(counter) / f"{AGENCY}-1.key"


def event_kinds(db: Path) -> list[str]:
    connection = sqlite3.connect(db)
    try:
        return [row[0] for row in connection.execute("SELECT kind FROM event ORDER BY agency_code, counter, seq")]
    finally:
        connection.close()


def header_of(path: Path) -> tuple[str, int]:
    with path.open("rb") as handle:
        header, _ = read_header(handle)
    return header.audit_key, header.secrets_size


def test_a_new_pc_verifies_the_restored_chain_with_the_restored_key(counter: Counter, tmp_path: Path) -> None:
    first = counter.intake("Nguyễn Văn Một")
    second = counter.intake("Trần Thị Hai")
    key = base64.b64decode(key_file(counter).read_text())
    taken = counter.ok("backup", "--set-passphrase", stdin=PASSPHRASE + "\n")
    assert taken["audit_key"] == AUDIT_KEY_INCLUDED and not taken["warnings"]
    backup = Path(taken["path"])

    # inside the encryption only: neither the key's bytes nor their base64 or hex spelling are in the file
    raw = backup.read_bytes()
    for spelling in (key, base64.b64encode(key), key.hex().encode(), key.hex().upper().encode()):
        assert spelling not in raw
    assert binascii.b2a_base64(key, newline=False) not in raw
    assert [p.name for p in backup.parent.iterdir() if p.is_file()] == [backup.name]  # nothing beside it

    new_pc = Counter(tmp_path / "new-pc")
    assert not key_folder(new_pc).exists() and not (new_pc.home / "secret-vault.json").exists()
    restored = new_pc.ok("restore", str(backup), "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert restored["audit_key"] == "restored" and restored["audit_key_note"] == ""
    assert base64.b64decode(key_file(new_pc).read_text()) == key

    verified = new_pc.ok("audit", "verify")
    assert verified["ok"] and verified["breaks"] == [] and verified["key_storage"] == "file"
    assert verified["checked"] == len(event_kinds(new_pc.db))

    third = new_pc.intake("Lê Văn Ba")  # the chain goes on with the same key: no key change to record
    assert third not in (first, second)
    assert KEY_REPLACED not in event_kinds(new_pc.db)
    again = new_pc.ok("audit", "verify")
    assert again["ok"] and again["breaks"] == [] and again["checked"] == len(event_kinds(new_pc.db))


def test_a_backup_without_the_key_says_so_and_its_restore_reports_the_key_missing(
    counter: Counter, tmp_path: Path
) -> None:
    counter.intake("Nguyễn Văn Một")
    with_key = Path(counter.ok("backup", "--set-passphrase", stdin=PASSPHRASE + "\n")["path"])
    # the key out of reach of the backup's process (as a keyring outside the desktop session), then back
    aside = counter.home / "keys-elsewhere"
    key_folder(counter).rename(aside)
    try:
        taken = counter.ok("backup")
    finally:
        aside.rename(key_folder(counter))
    without_key = Path(taken["path"])
    assert taken["audit_key"] == AUDIT_KEY_UNAVAILABLE
    assert any("không chứa khóa kiểm toán" in warning for warning in taken["warnings"]), taken
    assert header_of(without_key) == (AUDIT_KEY_UNAVAILABLE, 0)
    assert header_of(with_key)[0] == AUDIT_KEY_INCLUDED

    maintenance = build_maintenance(counter.db, FixedClock(datetime.now(VN_TZ)))
    try:
        rows = {row.path: row.audit_key_missing for row in maintenance.backup.overview().rows}
    finally:
        maintenance.close()
    assert rows == {without_key: True, with_key: False}
    listed = counter.ok("backup", "list")  # the command line's list says it too, for each backup
    assert {Path(row["path"]): row["audit_key_missing"] for row in listed} == rows
    text = counter.raw(["backup", "list", "--db", str(counter.db)])
    assert text.code == 0, str(text)
    marked = {line.split()[-1]: "Khóa nhật ký: thiếu" in line for line in text.out.splitlines()[1:]}
    assert marked == {without_key.name: True, with_key.name: False}
    doctor = counter.ok("doctor")
    check = next(c for c in doctor["checks"] if c["name"] == "backup")
    assert check["status"] == "warning" and "không chứa khóa kiểm toán" in check["summary"], check

    new_pc = Counter(tmp_path / "new-pc")
    restored = new_pc.ok("restore", str(without_key), "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert restored["audit_key"] == "missing"
    note = restored["audit_key_note"]
    assert "không kiểm tra được" in note and any(ch in VIETNAMESE_MARKS for ch in note.lower())
    assert not key_folder(new_pc).exists()
    verified = new_pc("audit", "verify")
    assert verified.code == 4 and verified.json()["broken"]["what"] == "no_key", str(verified)


def test_a_key_in_a_locked_vault_comes_back_with_the_vault(tmp_path: Path) -> None:
    clock = StepClock()
    machine_1 = open_counter(tmp_path / "machine-1" / "counter.db", clock)
    try:
        staff(machine_1)  # the first administrator moved the key into a new secret vault
        sign_in(machine_1, "quantri")
        machine_1.intake.accept(person_form())
        machine_1.backup.set_recovery_passphrase(PASSPHRASE)
        machine_1.accounts.sign_out()  # the vault is locked: the automatic backup cannot read the key itself
        result = machine_1.backup.backup_if_due(clock.now())
        assert result is not None
        vault = VaultFile(machine_1.context.data_dir).path.read_bytes()
    finally:
        machine_1.close()
    audit_key, secrets_size = header_of(result.info.path)
    assert audit_key == AUDIT_KEY_IN_VAULT and secrets_size > 0
    assert not result.info.audit_key_missing and not result.warnings

    new_pc = Counter(tmp_path / "new-pc")
    restored = new_pc.ok("restore", str(result.info.path), "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert restored["audit_key"] == "restored" and restored["vault_restored"] is True, restored
    assert (new_pc.home / "secret-vault.json").read_bytes() == vault

    services = build_services(new_pc.db, clock)
    try:
        sign_in(services, "quantri")
        clock.advance(60)
        services.intake.accept(person_form(name="Lê Văn Ba"))
        report = services.audit.verify(central=False)
    finally:
        services.close()
    assert report.ok and report.breaks == (), report.breaks
    assert KEY_REPLACED not in event_kinds(new_pc.db)
    assert report.key is not None and report.key.storage == "vault"


def test_a_different_key_already_here_is_kept_recorded_and_reported(counter: Counter, tmp_path: Path) -> None:
    counter.intake("Nguyễn Văn Một")
    backup = counter.ok("backup", "--set-passphrase", stdin=PASSPHRASE + "\n")["path"]
    same_pc = counter.ok("restore", backup, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert same_pc["audit_key"] == "present" and same_pc["audit_key_note"] == ""

    # a replacement PC set up as the same counter took a dossier (its own key) before the old backup was restored
    other = Counter(tmp_path / "replacement-pc")
    other.init()
    other.intake("Trần Thị Hai")
    own_key = key_file(other).read_bytes()
    assert own_key != key_file(counter).read_bytes()
    restored = other.ok("restore", backup, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert restored["audit_key"] == "conflict"
    assert key_file(other).read_bytes() == own_key  # never overwritten
    note = restored["audit_key_note"]
    assert "khóa kiểm toán khác" in note and backup in note
    connection = sqlite3.connect(other.db)
    try:
        logged = connection.execute(
            "SELECT subject FROM admin_event WHERE kind = ?", ("audit_key.conflict_on_restore",)
        )
        assert [row[0] for row in logged] == [f"{AGENCY}:1"]
    finally:
        connection.close()
