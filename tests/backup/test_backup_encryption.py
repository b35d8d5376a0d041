"""Backups are encrypted: no personal data in clear, no restore without the right passphrase or keyring key."""

from __future__ import annotations

import base64
import unicodedata
from pathlib import Path

import keyring
from backup.backup_support import AGENCY, PASSPHRASE, PERSON_ID, Counter, dossier_codes

CITIZEN = "Trần Thị Bích Ngọc"


def _backup_with_passphrase(counter: Counter) -> Path:
    run = counter("backup", "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert run.code == 0, str(run)
    return Path(run.json()["path"])


def test_backup_file_holds_no_plaintext(counter: Counter) -> None:
    code = counter.intake(CITIZEN)
    backup = _backup_with_passphrase(counter)
    data = backup.read_bytes()
    assert backup.parent == counter.backups  # the default folder: <data folder>/backups
    assert b"SQLite format 3" not in data
    for text in (CITIZEN, unicodedata.normalize("NFD", CITIZEN), PERSON_ID, code):
        assert text.encode("utf-8") not in data, text
        assert text.encode("utf-16-le") not in data, text
    # the database itself does hold them: the search above would have found them unencrypted
    live = b"".join(p.read_bytes() for p in (counter.db, Path(f"{counter.db}-wal")) if p.exists())
    assert CITIZEN.encode() in live


def test_wrong_or_missing_passphrase_is_refused_and_the_database_is_untouched(counter: Counter) -> None:
    code = counter.intake(CITIZEN)
    backup = _backup_with_passphrase(counter)
    before = dossier_codes(counter.db)

    wrong = counter("restore", str(backup), "--passphrase-stdin", stdin="Mật khẩu sao lưu phường 8\n")
    assert wrong.code == 2, str(wrong)
    assert "sai mật khẩu" in wrong.message().lower()

    missing = counter("restore", str(backup))
    assert missing.code == 2, str(missing)
    assert "--passphrase-stdin" in missing.message()

    assert dossier_codes(counter.db) == before
    assert code in before
    assert not list(counter.home.glob("counter.db.before-restore-*"))


def test_a_short_passphrase_is_refused(counter: Counter) -> None:
    run = counter("backup", "--passphrase-stdin", stdin="ngắn\n")
    assert run.code == 2, str(run)
    assert "10 ký tự" in run.message()
    assert counter.backup_files() == []


def test_without_a_keyring_a_backup_asks_for_a_passphrase(counter: Counter) -> None:
    run = counter("backup")
    assert run.code == 2, str(run)
    assert "kho khóa" in run.message()
    assert counter.backup_files() == []


def test_keyring_backup_restores_with_the_key_kept_in_the_keyring(
    counter: Counter, secret_service_env: dict[str, str]
) -> None:
    keyring_counter = Counter(counter.home, keyring_backend=None)  # the Secret Service of the fixture
    code = keyring_counter.intake(CITIZEN)
    first = keyring_counter("backup")
    assert first.code == 0, str(first)
    assert first.json()["encryption"] == "keyring"
    stored = keyring.get_password("counter_app", f"backup-key:{AGENCY}:1")
    assert stored is not None
    assert len(base64.b64decode(stored)) == 32  # AES-256

    later = keyring_counter.intake("Lê Văn Tám")
    second = keyring_counter("backup")
    assert second.code == 0, str(second)
    # the same key serves every backup of this counter
    assert keyring.get_password("counter_app", f"backup-key:{AGENCY}:1") == stored

    restore = keyring_counter("restore", first.json()["path"])
    assert restore.code == 0, str(restore)
    codes = dossier_codes(counter.db)
    assert code in codes
    assert later not in codes
    aside = Path(restore.json()["set_aside"])
    assert later in dossier_codes(aside)  # the replaced database is kept, whole


def test_keyring_backup_cannot_be_restored_without_its_key(
    counter: Counter, secret_service_env: dict[str, str]
) -> None:
    keyring_counter = Counter(counter.home, keyring_backend=None)
    keyring_counter.intake(CITIZEN)
    run = keyring_counter("backup")
    assert run.code == 0, str(run)
    backup = run.json()["path"]
    before = dossier_codes(counter.db)

    # another machine: no keyring at all
    no_keyring = counter("restore", backup)
    assert no_keyring.code == 2, str(no_keyring)
    assert "kho khóa" in no_keyring.message()

    # a keyring without this key (lost, or a reinstalled machine)
    keyring.delete_password("counter_app", f"backup-key:{AGENCY}:1")
    lost = keyring_counter("restore", backup)
    assert lost.code == 2, str(lost)
    assert "không tìm thấy khóa" in lost.message().lower()

    # a keyring with another key under the same name
    keyring.set_password("counter_app", f"backup-key:{AGENCY}:1", base64.b64encode(bytes(32)).decode())
    other = keyring_counter("restore", backup)
    assert other.code == 2, str(other)
    assert "không phải khóa" in other.message()

    # and a keyring backup is not opened with a passphrase
    passphrase = keyring_counter("restore", backup, "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert passphrase.code == 2, str(passphrase)
    assert dossier_codes(counter.db) == before


def test_a_damaged_or_altered_backup_is_refused_with_exit_4(counter: Counter) -> None:
    counter.intake(CITIZEN)
    backup = _backup_with_passphrase(counter)
    before = dossier_codes(counter.db)
    original = backup.read_bytes()

    damaged = bytearray(original)
    damaged[-40] ^= 0x01  # one bit in the last chunk
    backup.write_bytes(bytes(damaged))
    run = counter("restore", str(backup), "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert run.code == 4, str(run)
    assert "hỏng" in run.message()

    truncated = original[: len(original) - 20]
    backup.write_bytes(truncated)
    run = counter("restore", str(backup), "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert run.code == 4, str(run)

    # the header is in clear but bound to every chunk: changing what it says breaks the file
    altered = original.replace(b'"counter": 1', b'"counter": 2', 1)
    assert altered != original
    backup.write_bytes(altered)
    run = counter("restore", str(backup), "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert run.code == 4, str(run)

    not_a_backup = counter.home / "notes.ctrbak"
    not_a_backup.write_text("không phải bản sao lưu", encoding="utf-8")
    run = counter("restore", str(not_a_backup), "--passphrase-stdin", stdin=PASSPHRASE + "\n")
    assert run.code == 2, str(run)
    assert "không phải bản sao lưu" in run.message()

    assert dossier_codes(counter.db) == before
