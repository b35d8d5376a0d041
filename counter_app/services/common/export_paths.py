"""Where a report or a printed document asked for by name may be written: never onto the application's own data.

An export goes to a new file or replaces an existing regular file; it never replaces the database or one of the
files SQLite keeps beside it, a key, a backup, the archive of printed documents or a stored attachment, and
never a folder or a device (a rename as root would replace the device node itself).
"""

from __future__ import annotations

import os
from pathlib import Path

from counter_app.errors import ValidationError
from counter_app.private_files import check_replaceable
from counter_app.services.common.context import ServiceContext

# Files beside the database that belong to it: SQLite's own, the backup lock, copies kept by restore and upgrade.
_DATABASE_SUFFIXES = ("-wal", "-shm", "-journal", ".backup-lock")
_DATABASE_PREFIXES = (".before-restore-", ".before-upgrade-")
# Folders of the data folder that hold only the application's files.
_OWN_FOLDERS = ("audit-keys", "attachments", "documents", "backups")


def check_export_path(context: ServiceContext, path: Path) -> Path:
    """The path an export named `path` writes to (links followed); ValidationError when it may not be written."""
    target = path.expanduser().resolve()
    check_replaceable(target)  # a folder or a device: refused with its own message
    if _is_own_file(context, target):
        raise ValidationError(
            "out",
            f"“{path}” là tệp dữ liệu của chính ứng dụng (cơ sở dữ liệu, khóa, bản sao lưu, giấy tờ đã lưu hoặc tệp "
            "đính kèm): không ghi đè lên đó. Hãy chọn một tệp khác, ví dụ trong thư mục Tài liệu.",
            detail="export onto the application's own data refused",
        )
    return target


def _is_own_file(context: ServiceContext, target: Path) -> bool:
    db = context.database.path.expanduser().resolve()
    if target.parent == db.parent and _belongs_to_database(target.name, db.name):
        return True
    data_dir = context.data_dir.expanduser().resolve()
    folders = [data_dir / name for name in _OWN_FOLDERS]
    configured = context.settings().backup_dir
    if configured:
        folders.append(Path(configured).expanduser().resolve())
    if any(target.is_relative_to(folder) for folder in folders):
        return True
    # another name for the same file (a hard link) of the database or of what SQLite keeps beside it
    return target.exists() and any(_same_file(target, Path(f"{db}{extra}")) for extra in ("", "-wal", "-shm"))


def _belongs_to_database(name: str, db_name: str) -> bool:
    if name == db_name or name.startswith(f".{db_name}."):  # the database or a work file of a backup or restore
        return True
    return any(name == db_name + suffix for suffix in _DATABASE_SUFFIXES) or any(
        name.startswith(db_name + prefix) for prefix in _DATABASE_PREFIXES
    )


def _same_file(a: Path, b: Path) -> bool:
    try:
        return os.path.samefile(a, b)
    except OSError:
        return False
