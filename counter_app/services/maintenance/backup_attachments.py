"""The backups' copy of the scanned papers: <backup folder>/attachments/<sha[:2]>/<sha>.pdf.ctrbak.

One encrypted file per attachment (the backup file's format, sealed with the key of the backup run that copied
it), copied only when absent: the store is content-addressed and a file never changes, so a day's scans add a
day's files to the nightly backup, not the whole store again. Rotation never removes them (a dossier keeps its
papers for years). A restore puts back every copy the data folder lacks, so a scan not yet sent to the central
survives the loss of the disk.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Iterator
from dataclasses import dataclass, replace
from pathlib import Path

from counter_app.errors import CounterError, RuleError
from counter_app.private_files import replacing
from counter_app.services.attachments.file_store import AttachmentStore, sha256_of
from counter_app.services.maintenance import backup_format, backup_keys
from counter_app.services.maintenance.backup_format import BackupHeader
from counter_app.services.maintenance.backup_recovery import Unlocker

log = logging.getLogger(__name__)

FOLDER = "attachments"
SUFFIX = ".pdf.ctrbak"
_HEX = frozenset("0123456789abcdef")


@dataclass(frozen=True)
class AttachmentCopy:
    """What one backup run added to the attachment copy: files and encrypted bytes written, files already there."""

    copied: int = 0
    bytes_written: int = 0
    present: int = 0
    skipped_damaged: int = 0


@dataclass(frozen=True)
class AttachmentRestore:
    restored: int = 0
    present: int = 0
    unreadable: int = 0  # another counter's, sealed under another passphrase, or damaged


def _is_sha(text: str) -> bool:
    return len(text) == 64 and set(text) <= _HEX


def stored_files(store_root: Path) -> Iterator[tuple[str, Path]]:
    """The attachment store's files as (sha256, path), by their names."""
    for path in sorted(store_root.glob("??/*.pdf")):
        if _is_sha(path.stem) and path.parent.name == path.stem[:2] and path.is_file():
            yield path.stem, path


def copied_files(backup_root: Path) -> Iterator[tuple[str, Path]]:
    """The encrypted copies under a backup folder as (sha256, path)."""
    for path in sorted((backup_root / FOLDER).glob(f"??/*{SUFFIX}")):
        sha = path.name.removesuffix(SUFFIX)
        if _is_sha(sha) and path.parent.name == sha[:2] and path.is_file():
            yield sha, path


def copy_path(backup_root: Path, sha256: str) -> Path:
    return backup_root / FOLDER / sha256[:2] / f"{sha256}{SUFFIX}"


def copy_new(store_root: Path, backup_root: Path, key: bytes, template: BackupHeader) -> AttachmentCopy:
    """Seal into `backup_root` every stored attachment it has no copy of, with the backup run's key and header."""
    copied = written = present = damaged = 0
    for sha, source in stored_files(store_root):
        target = copy_path(backup_root, sha)
        if target.is_file() and target.stat().st_size > 0:
            present += 1
            continue
        if sha256_of(source) != sha:  # the attachment check reports it; a copy of the damage would help nobody
            log.warning("attachment %s… damaged in the store: not copied into the backup", sha[:12])
            damaged += 1
            continue
        header = replace(
            template,
            nonce_prefix=secrets.token_bytes(backup_format.NONCE_PREFIX_SIZE).hex(),
            plain_size=source.stat().st_size,
            schema_revision="",
            audit_key="",  # the secrets travel in the database's backup file only
            secrets_size=0,
        )
        with replacing(target) as partial, source.open("rb") as plain, partial.open("wb") as sink:
            backup_format.seal(plain, sink, key, header)
        copied += 1
        written += target.stat().st_size
    return AttachmentCopy(copied, written, present, damaged)


class FileKeys:
    """Finds the key of each copied file: the passphrase's recovery key, this PC's keyring, or a one-off passphrase."""

    def __init__(self, passphrase: str | None) -> None:
        self.passphrase = passphrase
        self.unlocker = Unlocker(passphrase)
        self._derived: dict[str, bytes] = {}

    def key_for(self, header: BackupHeader) -> bytes | None:
        try:
            if header.kdf == backup_format.KDF_RECOVERY:
                return self.unlocker.data_key(header)
            if header.kdf == backup_format.KDF_KEYRING:
                key = backup_keys.stored_key(header.key_name)
            elif self.passphrase is None:
                return None
            else:
                if header.salt not in self._derived:
                    self._derived[header.salt] = backup_format.passphrase_key(self.passphrase, header)
                key = self._derived[header.salt]
        except RuleError:
            return None
        return key if key is not None and backup_format.matches(key, header) else None


def restore_missing(backup_root: Path, store: AttachmentStore, keys: FileKeys) -> AttachmentRestore:
    """Decrypt into `store` every copy under `backup_root` whose attachment the store lacks."""
    restored = present = unreadable = 0
    for sha, path in copied_files(backup_root):
        if store.path_of(sha).is_file():
            present += 1
            continue
        try:
            with path.open("rb") as handle:
                header, associated = backup_format.read_header(handle)
                key = keys.key_for(header)
                if key is None:
                    unreadable += 1
                    continue
                with store.writing() as (sink, result):
                    backup_format.open_sealed(handle, sink, key, header, associated)
        except (OSError, CounterError) as exc:
            log.warning("attachment copy %s… not restored: %s", sha[:12], type(exc).__name__)
            unreadable += 1
            continue
        if result and result[0].sha256 != sha:
            log.warning("attachment copy %s… holds another file (%s…)", sha[:12], result[0].sha256[:12])
            unreadable += 1
            continue
        restored += 1
    return AttachmentRestore(restored, present, unreadable)
