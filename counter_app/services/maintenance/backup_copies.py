"""The second backup destination (a USB drive or a network folder): a verified copy of each backup.

The folder must already exist: a USB drive that is not plugged in leaves its mount point empty, and creating
the folder there would put the "second" copy on the same disk as the first. Each copy is written whole then
renamed, then read back: its header must parse and its SHA-256 equal the primary's. A missing, unwritable or
failing destination is a warning in Vietnamese; the primary backup stands.
"""

from __future__ import annotations

import hashlib
import logging
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

from counter_app.errors import RuleError
from counter_app.private_files import replacing
from counter_app.services.maintenance import backup_attachments, backup_format

log = logging.getLogger(__name__)

_CHUNK = 1 << 20


@dataclass(frozen=True)
class SecondCopy:
    """The verified copy in the second destination (None when there is none) or what went wrong."""

    path: Path | None
    problem: str = ""
    attachments_copied: int = 0


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(_CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def unusable(folder: Path) -> str:
    """Why `folder` cannot take backups, in Vietnamese; empty when it can."""
    if not folder.is_dir():
        return (
            f"Không thấy nơi sao lưu thứ hai “{folder}” (ổ USB chưa cắm, thư mục mạng chưa kết nối hoặc thư mục "
            "chưa được tạo)"
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        return f"Không có quyền ghi vào nơi sao lưu thứ hai “{folder}”"
    return ""


def _copy_verified(source: Path, target: Path) -> None:
    with replacing(target) as partial:
        shutil.copyfile(source, partial)
    with target.open("rb") as handle:
        backup_format.read_header(handle)  # RuleError when what was read back is not a backup
    if _sha256(target) != _sha256(source):
        target.unlink(missing_ok=True)
        raise OSError(f"copy of {source.name} differs from the original")


def copy_backup(backup: Path, folder: Path) -> SecondCopy:
    """Copy `backup` and the attachment copies beside it that `folder` lacks; verify the backup's copy."""
    problem = unusable(folder)
    if problem:
        return SecondCopy(None, f"{problem}: bản sao lưu chỉ có ở “{backup.parent}”.")
    target = folder / backup.name
    copied = 0
    try:
        _copy_verified(backup, target)
        for sha, source in backup_attachments.copied_files(backup.parent):
            destination = backup_attachments.copy_path(folder, sha)
            if not (destination.is_file() and destination.stat().st_size == source.stat().st_size):
                _copy_verified(source, destination)
                copied += 1
    except (OSError, RuleError) as exc:
        log.warning("second backup destination failed: %s", type(exc).__name__)
        reason = exc.strerror if isinstance(exc, OSError) and exc.strerror else "bản chép đọc lại không khớp"
        return SecondCopy(
            target if target.is_file() else None,
            f"Không chép được bản sao lưu sang nơi thứ hai “{folder}” ({reason}): bản sao lưu chỉ chắc chắn có ở "
            f"“{backup.parent}”.",
            copied,
        )
    log.info("backup copied to the second destination and verified (%d attachment files)", copied)
    return SecondCopy(target, "", copied)
