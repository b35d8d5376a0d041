"""How backup files are named and found: the name pattern, `BackupInfo` of one file, the restore command line."""

from __future__ import annotations

import os
import re
import shlex
import sys
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from counter_app.domain.clock import VN_TZ
from counter_app.errors import RuleError
from counter_app.services.common.settings import Settings
from counter_app.services.maintenance import backup_format

SUFFIX = ".ctrbak"
_NAME = re.compile(
    r"^counter-app_(?P<agency>[^_]+)_(?P<counter>\d+)_(?P<stamp>\d{8}-\d{6})(?:-(?P<seq>\d+))?"
    + re.escape(SUFFIX)
    + "$"
)
STAMP = "%Y%m%d-%H%M%S"
UNCONFIGURED = "unconfigured"


@dataclass(frozen=True)
class BackupInfo:
    """One backup file as listed: when it was taken (Vietnamese time), its size and how its key is found."""

    path: Path
    created: datetime
    size_bytes: int
    kdf: str
    agency_code: str
    counter: int
    # what the header says of the counter's audit key: "included", "unavailable" (the key could not be read when
    # the backup was taken), "" (a backup of an older version, or a counter with no key nor event yet)
    audit_key: str = ""

    @property
    def audit_key_missing(self) -> bool:
        """The backup was taken without the counter's audit key: restored elsewhere, its chain cannot be checked."""
        return self.audit_key == backup_format.AUDIT_KEY_UNAVAILABLE

    @property
    def needs_passphrase(self) -> bool:
        return self.kdf in (backup_format.KDF_SCRYPT, backup_format.KDF_RECOVERY)

    def restore_command(self, db_path: Path) -> str:
        """The command line an administrator runs to restore this backup over `db_path`."""
        extra = " --passphrase-stdin" if self.needs_passphrase else ""
        return f"{program_name()} restore {quote(self.path)} --db {quote(db_path)}{extra}"


def program_name() -> str:
    """How an administrator calls the command line here: the Windows build has a console program of its own."""
    return "counter-app-cli" if sys.platform == "win32" and getattr(sys, "frozen", False) else "counter-app"


def quote(path: Path) -> str:
    return f'"{path}"' if os.name == "nt" else shlex.quote(str(path))


def parse_name(path: Path) -> tuple[str, int, datetime, int] | None:
    match = _NAME.match(path.name)
    if match is None:
        return None
    try:
        created = datetime.strptime(match["stamp"], STAMP).replace(tzinfo=VN_TZ)
    except ValueError:
        return None
    return match["agency"], int(match["counter"]), created, int(match["seq"] or 1)


def free_name(folder: Path, settings: Settings, now: datetime) -> Path:
    base = f"counter-app_{settings.agency_code or UNCONFIGURED}_{settings.counter}_{now.strftime(STAMP)}"
    candidate, seq = folder / f"{base}{SUFFIX}", 1
    while candidate.exists():
        seq += 1
        candidate = folder / f"{base}-{seq}{SUFFIX}"
    return candidate


def described(path: Path) -> tuple[str, str]:
    """(kdf, audit_key) from the file's header; ("", "") when it cannot be read."""
    try:
        with path.open("rb") as handle:
            header, _associated = backup_format.read_header(handle)
    except (OSError, RuleError):
        return "", ""
    return header.kdf, header.audit_key


def kdf_of(path: Path) -> str:
    return described(path)[0]
