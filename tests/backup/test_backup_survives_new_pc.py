"""Backups that survive the PC: the administrator's passphrase restores them on a new PC; no keyring is needed.

These tests run as on a ward PC without a keyring (the conftest pins keyring's failing backend, here and in
every subprocess): before this work such a PC took no automatic backup, and a backup sealed with a keyring key
could not be restored anywhere else.
"""

from __future__ import annotations

import json
import os
import stat
from datetime import datetime
from pathlib import Path

import pytest
from backup.backup_support import PASSPHRASE, Counter, dossier_codes

from counter_app.bootstrap import build_maintenance
from counter_app.domain.clock import VN_TZ
from counter_app.errors import RuleError
from counter_app.services.maintenance.backup_format import KDF_RECOVERY, RECOVERY_FORMAT_VERSION, read_header
from counter_app.services.maintenance.backup_recovery import FILE_NAME


class SetClock:
    def __init__(self, text: str) -> None:
        self.moment = datetime.strptime(text, "%Y-%m-%d %H:%M").replace(tzinfo=VN_TZ)

    def now(self) -> datetime:
        return self.moment


def test_a_pc_without_keyring_takes_automatic_backups_once_a_passphrase_is_set(counter: Counter) -> None:
    maintenance = build_maintenance(counter.db, SetClock("2026-03-02 07:30"))  # type: ignore[arg-type]
    try:
        with pytest.raises(RuleError) as refused:  # as before: no keyring, no key; now the way out is named
            maintenance.backup.backup_if_due(maintenance.context.clock.now())
        assert "--set-passphrase" in refused.value.message and "kho khóa" in refused.value.message

        maintenance.backup.set_recovery_passphrase(PASSPHRASE)
        result = maintenance.backup.backup_if_due(maintenance.context.clock.now())
        assert result is not None
        assert result.info.needs_passphrase
        assert maintenance.backup.backup_if_due(maintenance.context.clock.now()) is None  # one a day
    finally:
        maintenance.close()
    with result.info.path.open("rb") as handle:
        assert handle.read(10)[8:] == RECOVERY_FORMAT_VERSION.to_bytes(2, "big")
        handle.seek(0)
        header, _ = read_header(handle)
    assert header.kdf == KDF_RECOVERY and header.key_name == ""  # nothing looked up in a keyring
    key_file = counter.home / FILE_NAME
    stored = json.loads(key_file.read_text(encoding="utf-8"))
    assert set(stored) == {"public", "wrapped_key", "salt", "scrypt_n", "scrypt_r", "scrypt_p"}
    assert stored["wrapped_key"] == header.wrapped_key  # the backup carries what the passphrase unlocks
    if os.name == "posix":
        assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_a_backup_restores_on_a_new_pc_with_the_passphrase_alone(counter: Counter, tmp_path: Path) -> None:
    before = counter.intake("Nguyễn Văn Trước")
    first = counter.ok("backup", "--set-passphrase", stdin=PASSPHRASE + "\n")
    assert first["passphrase_set"] and first["encryption"] == "passphrase"
    after = counter.intake("Trần Thị Sau")
    second = counter.ok("backup")  # no passphrase typed, no keyring: the recovery key alone
    assert second["encryption"] == "passphrase"

    # the PC is lost: a new one, with an empty data folder and no keyring, gets only the backup file
    new_pc = Counter(tmp_path / "new-pc")
    restored = new_pc.ok("restore", second["path"], "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert {before, after} <= dossier_codes(new_pc.db)
    assert restored["recovery_key_set"] is True

    # and goes on: its own backups restore with the same passphrase on a third PC
    again = new_pc.ok("backup")
    third_pc = Counter(tmp_path / "third-pc")
    third_pc.ok("restore", again["path"], "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert {before, after} <= dossier_codes(third_pc.db)


def test_a_wrong_or_missing_passphrase_is_refused_in_vietnamese(counter: Counter, tmp_path: Path) -> None:
    short = counter("backup", "--set-passphrase", stdin="ngắn\n")
    assert short.code == 2 and "ít nhất" in short.message()
    both = counter("backup", "--set-passphrase", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert both.code == 2 and "không dùng cả hai" in both.message()
    assert not (counter.home / FILE_NAME).exists()

    taken = counter.ok("backup", "--set-passphrase", stdin=PASSPHRASE + "\n")
    new_pc = Counter(tmp_path / "new-pc")
    wrong = new_pc("restore", taken["path"], "--passphrase-stdin", stdin="Mật khẩu của ai khác\n")
    assert wrong.code == 2 and "Sai mật khẩu sao lưu" in wrong.message()
    missing = new_pc("restore", taken["path"])
    assert missing.code == 2 and "--passphrase-stdin" in missing.message()
    assert not new_pc.db.exists()  # nothing written on a refusal


def test_an_altered_recovery_field_in_the_header_is_refused(counter: Counter, tmp_path: Path) -> None:
    taken = Path(counter.ok("backup", "--set-passphrase", stdin=PASSPHRASE + "\n")["path"])
    with taken.open("rb") as handle:
        header, _ = read_header(handle)
    data = taken.read_bytes()
    other = "f" * len(header.ephemeral)
    assert other != header.ephemeral
    altered = tmp_path / taken.name
    altered.write_bytes(data.replace(header.ephemeral.encode(), other.encode(), 1))
    new_pc = Counter(tmp_path / "new-pc")
    run = new_pc("restore", str(altered), "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert run.code in (2, 4), str(run)
    assert not new_pc.db.exists()
