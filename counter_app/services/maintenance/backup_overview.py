"""What the backups screen shows: the backups with their second copies, and whether a backup passphrase is set."""

from __future__ import annotations

import contextlib
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING

from counter_app.domain.roles import Permission
from counter_app.errors import RuleError
from counter_app.services.maintenance import backup_recovery

if TYPE_CHECKING:
    from counter_app.services.maintenance.backups import BackupService


@dataclass(frozen=True)
class BackupRow:
    """One backup as the administrator sees it."""

    path: Path
    created: datetime
    size_bytes: int
    needs_passphrase: bool
    # None: no second destination is set; else whether a copy of the same size is there
    second_copy: bool | None
    # taken without the counter's audit key (it could not be read then): restored elsewhere, the chain is unverifiable
    audit_key_missing: bool = False


@dataclass(frozen=True)
class BackupOverview:
    folder: Path
    second_folder: Path | None
    passphrase_set: bool
    passphrase_problem: str  # the recovery key file is damaged (Vietnamese), else ""
    may_back_up: bool
    may_restore: bool
    rows: tuple[BackupRow, ...]


def _second_copy(path: Path, second: Path | None) -> bool | None:
    if second is None:
        return None
    with contextlib.suppress(OSError):
        copy = second / path.name
        return copy.is_file() and copy.stat().st_size == path.stat().st_size
    return False


def overview(service: BackupService) -> BackupOverview:
    """The backups of this counter, newest first, with what the screen needs to say about each."""
    settings = service.settings()
    second = Path(settings.backup_second_dir).expanduser() if settings.backup_second_dir else None
    problem = ""
    try:
        passphrase_set = backup_recovery.load(service.context.data_dir) is not None
    except RuleError as exc:
        passphrase_set, problem = False, exc.message
    rows = tuple(
        BackupRow(
            info.path,
            info.created,
            info.size_bytes,
            info.needs_passphrase,
            _second_copy(info.path, second),
            info.audit_key_missing,
        )
        for info in service.list_backups()
    )
    return BackupOverview(
        folder=service.backup_dir(),
        second_folder=second,
        passphrase_set=passphrase_set,
        passphrase_problem=problem,
        may_back_up=service.context.may(Permission.BACKUP),
        may_restore=service.context.may(Permission.RESTORE),
        rows=rows,
    )
