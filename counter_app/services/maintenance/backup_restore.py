"""The parts of a restore: its result, the backup's key, the revision check, the old database set aside, the papers."""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from counter_app.domain.clock import to_vn
from counter_app.errors import RuleError
from counter_app.private_files import restrict
from counter_app.services.attachments.file_store import AttachmentStore
from counter_app.services.maintenance import backup_attachments, backup_format, backup_keys, backup_recovery
from counter_app.services.maintenance.backup_names import STAMP
from counter_app.services.maintenance.restore_numbers import NUMBERS_NONE
from counter_app.storage import sqlite_file
from counter_app.storage.migrate import local_revisions

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RestoreResult:
    db_path: Path
    set_aside: Path | None
    backup_created: str
    schema_revision: str
    agency_code: str
    counter: int
    plain_bytes: int
    seconds: float
    # on hold until a sync takes back what the counter recorded after the backup (storage.restore_hold)
    on_hold: bool = False
    # how the numbering scopes were moved past what the replaced database printed (`Renumbered`)
    numbers_from: str = NUMBERS_NONE
    numbers_raised: int = 0
    numbering_note: str = ""
    # the counter's events the replaced database holds and the restored one lacks (dossiers taken in after the
    # backup and not taken back yet): how many, the dossier codes they opened, those brought back (--bring-back)
    # and those left for a supervisor to enter again (they do not continue the restored chain)
    missing_events: int = 0
    missing_codes: tuple[str, ...] = ()
    brought_back: int = 0
    re_entry_codes: tuple[str, ...] = ()
    # the scanned papers put back from the attachment copy beside the backup, and the recovery key taken over
    # from the backup on a PC that had none (its next backups restore with the same passphrase)
    attachments: backup_attachments.AttachmentRestore = field(default_factory=backup_attachments.AttachmentRestore)
    recovery_key_set: bool = False
    # the counter's audit key carried by the backup (restore_audit_keys): what became of it ("restored", "present",
    # "conflict", "missing", ...; "" nothing to do), what the person restoring must hear (Vietnamese, "" all well),
    # and whether the secret vault file came back with it
    audit_key: str = ""
    audit_key_note: str = ""
    vault_restored: bool = False


def restore_key(header: backup_format.BackupHeader, passphrase: str | None) -> bytes:
    if header.kdf == backup_format.KDF_RECOVERY:
        return backup_recovery.Unlocker(passphrase).data_key(header)
    if header.kdf == backup_format.KDF_SCRYPT:
        if passphrase is None:
            raise RuleError(
                "Bản sao lưu này được mã hóa bằng mật khẩu sao lưu: thêm --passphrase-stdin và nhập mật khẩu."
            )
        key = backup_format.passphrase_key(passphrase, header)
        if not backup_format.matches(key, header):
            raise RuleError("Sai mật khẩu sao lưu: không giải mã được bản sao lưu này.")
        return key
    if passphrase is not None:
        raise RuleError(
            "Bản sao lưu này được mã hóa bằng khóa trong kho khóa của hệ thống, không phải bằng mật khẩu: "
            "chạy lại lệnh không có --passphrase-stdin."
        )
    stored = backup_keys.stored_key(header.key_name)
    if stored is None:
        raise RuleError(
            f"Không tìm thấy khóa giải mã bản sao lưu này (“{header.key_name}”) trong kho khóa của hệ thống "
            "trên máy này: không giải mã được. Hãy phục hồi trên máy đã tạo bản sao lưu hoặc dùng một bản "
            "sao lưu có mật khẩu."
        )
    if not backup_format.matches(stored, header):
        raise RuleError(
            f"Khóa “{header.key_name}” trong kho khóa của máy này không phải khóa đã mã hóa bản sao lưu này: "
            "không giải mã được."
        )
    return stored


def check_known_revision(revision: str | None) -> None:
    """A backup made by a newer version has a schema this version cannot read or upgrade."""
    if revision is None:
        raise RuleError("Tệp trong bản sao lưu không phải cơ sở dữ liệu của ứng dụng Bộ phận Một cửa.")
    _head, known = local_revisions()
    if revision not in known:
        raise RuleError(
            "Bản sao lưu do một phiên bản ứng dụng mới hơn tạo ra; hãy cập nhật ứng dụng trước khi phục hồi.",
            detail=f"revision {revision}",
        )


def set_aside(db_path: Path, now: datetime) -> Path | None:
    """Move the current database (and a WAL left by a crash) aside as <db>.before-restore-<time>."""
    if not db_path.exists():
        return None
    stamp = to_vn(now).strftime(STAMP)
    aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp}")
    seq = 1
    while aside.exists():
        seq += 1
        aside = db_path.with_name(f"{db_path.name}.before-restore-{stamp}-{seq}")
    wal, shm = sqlite_file.companions(db_path)
    os.replace(db_path, aside)
    restrict(aside)  # a copy of personal data: its owner's only, whatever the database's own permissions were
    if wal.exists():
        # a stale WAL beside the restored file would be replayed into it: keep it with the old file
        os.replace(wal, Path(f"{aside}-wal"))
        restrict(Path(f"{aside}-wal"))
    shm.unlink(missing_ok=True)
    return aside


def restore_beside(
    data_dir: Path, backup: Path, header: backup_format.BackupHeader, passphrase: str | None
) -> tuple[backup_attachments.AttachmentRestore, bool]:
    """The scanned papers the data folder lacks, from the copy beside the backup; on a PC with no recovery key,
    the backup's own (so that its next backups restore with the same passphrase)."""
    store = AttachmentStore(data_dir / "attachments")
    attachments = backup_attachments.restore_missing(backup.parent, store, backup_attachments.FileKeys(passphrase))
    recovery_set = False
    if header.kdf == backup_format.KDF_RECOVERY:
        try:
            if backup_recovery.load(data_dir) is None:
                backup_recovery.save(data_dir, backup_recovery.from_header(header))
                recovery_set = True
        except (OSError, RuleError) as exc:
            log.warning("recovery key of the backup not taken over: %s", type(exc).__name__)
    return attachments, recovery_set
