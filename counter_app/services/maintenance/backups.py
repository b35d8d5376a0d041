"""Encrypted backups of the local database: take one (daily, on demand, before an upgrade), keep N, restore one."""

from __future__ import annotations

import contextlib
import dataclasses
import logging
import os
import secrets
import sqlite3
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path

from counter_app import __version__
from counter_app.domain.clock import to_vn
from counter_app.domain.roles import Permission
from counter_app.errors import IntegrityProblem, RuleError, StorageFailure, ValidationError
from counter_app.private_files import create_private, fsync_dir, private_dir, replacing
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.file_lock import exclusive
from counter_app.services.common.settings import Settings, settings_from_store
from counter_app.services.maintenance import (
    backup_attachments,
    backup_checks,
    backup_copies,
    backup_format,
    backup_keys,
    backup_overview,
    backup_recovery,
    backup_secrets,
    restore_audit_keys,
)
from counter_app.services.maintenance.backup_names import (
    STAMP,
    SUFFIX,
    UNCONFIGURED,
    BackupInfo,
    described,
    free_name,
    parse_name,
)
from counter_app.services.maintenance.backup_restore import (
    RestoreResult,
    check_known_revision,
    restore_beside,
    restore_key,
    set_aside,
)
from counter_app.services.maintenance.restore_bring_back import bring_back_events
from counter_app.services.maintenance.restore_numbers import renumber
from counter_app.storage import restore_hold, sqlite_file
from counter_app.storage.unit_of_work import storage_failures

log = logging.getLogger(__name__)

BUSY = "Một bản sao lưu khác đang được tạo hoặc phục hồi trên cơ sở dữ liệu này; hãy thử lại sau ít phút."


@dataclass(frozen=True)
class BackupResult:
    info: BackupInfo
    plain_bytes: int
    seconds: float
    removed: tuple[Path, ...]
    attachments: backup_attachments.AttachmentCopy = field(default_factory=backup_attachments.AttachmentCopy)
    second_copy: Path | None = None
    # what the administrator must hear although the backup itself was written (second destination), Vietnamese
    warnings: tuple[str, ...] = ()


def installation_settings(db_path: Path) -> Settings:
    """The settings stored in the file, or the defaults when it is missing, older or too damaged to read them."""
    if not db_path.is_file():
        return Settings()
    try:
        return settings_from_store(sqlite_file.read_settings(db_path))
    except (sqlite3.Error, ValidationError) as exc:
        log.warning("settings unreadable, defaults used: %s", type(exc).__name__)
        return Settings()


class BackupService:
    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @property
    def db_path(self) -> Path:
        return self.context.database.path

    def settings(self) -> Settings:
        return installation_settings(self.db_path)

    def backup_dir(self) -> Path:
        configured = self.settings().backup_dir
        return Path(configured).expanduser() if configured else self.context.data_dir / "backups"

    # -- listing ---------------------------------------------------------------------------------------

    def list_backups(self, folder: Path | None = None) -> list[BackupInfo]:
        """Backups in `folder` (default: the backup folder), newest first; only this counter's when it is known."""
        folder = folder or self.backup_dir()
        settings = self.settings()
        own = (settings.agency_code, settings.counter) if settings.is_configured else None
        found: list[tuple[datetime, int, BackupInfo]] = []
        with contextlib.suppress(OSError):
            for path in folder.iterdir():
                parsed = parse_name(path)
                if parsed is None or not path.is_file():
                    continue
                agency, counter, created, seq = parsed
                if own is not None and (agency, counter) != own:
                    continue
                kdf, audit_key = described(path)
                info = BackupInfo(path, created, path.stat().st_size, kdf, agency, counter, audit_key)
                found.append((created, seq, info))
        found.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [info for _created, _seq, info in found]

    def latest_backup(self) -> BackupInfo | None:
        backups = self.list_backups()
        return backups[0] if backups else None

    def overview(self) -> backup_overview.BackupOverview:
        """What the backups screen shows (backup_overview)."""
        return backup_overview.overview(self)

    # -- taking backups --------------------------------------------------------------------------------

    def create_backup(self, *, to_dir: Path | None = None, passphrase: str | None = None) -> BackupResult:
        """A backup someone asked for (an administrator's right); see `_write_backup`."""
        self.context.require(Permission.BACKUP)
        return self._write_backup(to_dir=to_dir, passphrase=passphrase)

    def _write_backup(self, *, to_dir: Path | None = None, passphrase: str | None = None) -> BackupResult:
        """Snapshot the live database (writers go on), check it, seal it; then keep the newest `backup_keep`.

        With `to_dir` the backup goes there and nothing is removed (an administrator's extra copy); the
        plaintext snapshot always stays in the database's own folder and is removed at once.
        """
        started = time.perf_counter()
        if passphrase is not None:
            backup_keys.check_new_passphrase(passphrase)
        if not self.db_path.is_file():
            raise RuleError("Chưa có cơ sở dữ liệu để sao lưu.")
        settings = self.settings()
        folder = private_dir((to_dir or self.backup_dir()).expanduser())  # refused when not a folder
        with self._locked():
            key_name = backup_keys.key_name(settings.agency_code or UNCONFIGURED, settings.counter)
            # the administrator's recovery key, when set, makes the keyring unnecessary (backup_recovery)
            recovery = backup_recovery.load(self.context.data_dir) if passphrase is None else None
            key = backup_keys.key_for_backup(key_name) if passphrase is None and recovery is None else b""
            with self._temporary("snapshot") as plain:
                sqlite_file.snapshot(self.db_path, plain)
                problems = sqlite_file.check(plain, quick=True)
                if problems:
                    # sealing a damaged copy would, after rotation, push the last good backups out
                    raise IntegrityProblem(
                        "Cơ sở dữ liệu đang bị hỏng nên không tạo bản sao lưu (các bản sao lưu cũ được giữ "
                        "nguyên). Chạy “counter-app doctor” để biết cách phục hồi.",
                        detail="; ".join(problems[:3]),
                    )
                now = to_vn(self.context.clock.now())
                carried, audit_key = self._secrets(settings)
                section = carried.to_bytes()
                header = backup_format.new_header(
                    kdf=backup_format.KDF_KEYRING if passphrase is None else backup_format.KDF_SCRYPT,
                    key_name=key_name if passphrase is None else "",
                    plain_size=plain.stat().st_size,
                    created_at=now.isoformat(timespec="seconds"),
                    app_version=__version__,
                    schema_revision=sqlite_file.schema_revision(plain) or "",
                    agency_code=settings.agency_code,
                    counter=settings.counter,
                )
                header = dataclasses.replace(header, audit_key=audit_key, secrets_size=len(section))
                if passphrase is not None:
                    key = backup_format.passphrase_key(passphrase, header)
                elif recovery is not None:
                    key, header = backup_recovery.sealing_key(recovery, header)
                target = free_name(folder, settings, now)
                with replacing(target) as partial, plain.open("rb") as source, partial.open("wb") as sink:
                    backup_format.seal(source, sink, key, header, section)
                plain_bytes = header.plain_size
            attachments = backup_attachments.copy_new(self.context.data_dir / "attachments", folder, key, header)
            removed = () if to_dir is not None else self._rotate(folder, max(1, settings.backup_keep))
            second = self._second_copy(target, settings) if to_dir is None else None
        info = BackupInfo(
            target, now, target.stat().st_size, header.kdf, settings.agency_code, settings.counter, header.audit_key
        )
        seconds = time.perf_counter() - started
        log.info("backup %s written: %d bytes from %d in %.1f s", target.name, info.size_bytes, plain_bytes, seconds)
        warnings = (second.problem,) if second is not None and second.problem else ()
        if info.audit_key_missing:
            warnings = (backup_checks.KEY_NOT_INCLUDED, *warnings)
        return BackupResult(info, plain_bytes, seconds, removed, attachments, second.path if second else None, warnings)

    def _secrets(self, settings: Settings) -> tuple[backup_secrets.BackupSecrets, str]:
        """The counter's audit key and the secret vault, read as the running application reads them."""
        assert self.context.audit_keys is not None
        has_events = True  # unknown: a key that cannot be read is then reported missing
        if settings.is_configured:
            try:
                with storage_failures(), self.context.uow() as uow:
                    has_events = uow.chains.head(settings.agency_code, settings.counter)[0] > 0
            except StorageFailure as exc:
                log.warning("chain of the counter not read before the backup: %s", exc.detail or "storage")
        return backup_secrets.gather(self.context.audit_keys, settings.agency_code, settings.counter, has_events)

    def _second_copy(self, backup: Path, settings: Settings) -> backup_copies.SecondCopy | None:
        """A verified copy in the second destination (`backup_second_dir`), rotated like the first; None: none set."""
        if not settings.backup_second_dir:
            return None
        folder = Path(settings.backup_second_dir).expanduser()
        copy = backup_copies.copy_backup(backup, folder)
        if copy.path is not None and not copy.problem:
            try:
                self._rotate(folder, max(1, settings.backup_keep))
            except OSError as exc:
                log.warning("old backups in the second destination not removed: %s", type(exc).__name__)
        return copy

    def set_recovery_passphrase(self, passphrase: str) -> backup_recovery.RecoveryKey:
        """Set (or replace) the administrator's backup passphrase: every later backup, automatic ones included,
        restores on any PC with it and needs no keyring; backups taken before keep the key they were sealed with."""
        self.context.require(Permission.BACKUP)
        backup_keys.check_new_passphrase(passphrase)
        key = backup_recovery.create(passphrase)
        with self._locked():
            backup_recovery.save(self.context.data_dir, key)
        return key

    def backup_if_due(self, now: datetime) -> BackupResult | None:
        """The daily automatic backup: one when no backup of this counter carries today's date; else None."""
        if not self.settings().is_configured:
            return None
        latest = self.latest_backup()
        if latest is not None and latest.created.date() == to_vn(now).date():
            return None
        return self._write_backup()  # the installation's own task: whoever is signed in

    def backup_before_upgrade(self) -> Path:
        """A copy before the schema is upgraded; a plain one beside the database when no keyring holds a key.

        The plain copy stays in the database's own folder, which already holds the same data unencrypted.
        """
        try:
            return self._write_backup().info.path
        except RuleError as exc:
            stamp = to_vn(self.context.clock.now()).strftime(STAMP)
            revision = sqlite_file.schema_revision(self.db_path) or "none"
            target = self.db_path.with_name(f"{self.db_path.name}.before-upgrade-{revision}-{stamp}")
            log.warning("encrypted pre-upgrade backup impossible (%s): plain copy kept", exc.detail or "rule")
            sqlite_file.snapshot(self.db_path, target)
            return target

    # -- restoring -------------------------------------------------------------------------------------

    def restore(self, backup: Path, *, passphrase: str | None = None, bring_back: bool = False) -> RestoreResult:
        """Decrypt `backup`, check the result, then replace the database with it; the old one is kept aside.

        No number the replaced database printed is issued again: its scopes' last numbers and the counter's events
        the backup lacks are read from it and the restored scopes moved past them; when it cannot be read, every
        scope of the counter skips ahead by a gap (domain.number_scopes.skip_ahead). With `bring_back` the events it
        holds after the backup come back into the restored database when they continue its chain. The audit key
        (and vault) the backup carries are put back where this machine keeps keys, never over a different key
        (restore_audit_keys).
        """
        self._require_restore()
        started = time.perf_counter()
        try:
            handle = backup.open("rb")
        except OSError:
            raise RuleError(f"Không mở được tệp sao lưu “{backup}”.") from None
        self.context.database.dispose()  # our own pooled connections must not count as "in use"
        with handle, self._locked():
            header, associated = backup_format.read_header(handle)
            key = restore_key(header, passphrase)
            section = bytearray()
            with self._temporary("restore") as plain:
                create_private(plain)
                with plain.open("r+b") as sink:
                    written = backup_format.open_sealed(handle, sink, key, header, associated, secrets_section=section)
                    sink.flush()
                    os.fsync(sink.fileno())
                problems = sqlite_file.check(plain, quick=False)
                if problems:
                    raise IntegrityProblem(
                        "Bản sao lưu giải mã được nhưng dữ liệu bên trong bị hỏng; hãy dùng một bản sao lưu khác.",
                        detail="; ".join(problems[:3]),
                    )
                carried = backup_secrets.BackupSecrets.from_bytes(bytes(section))
                revision = sqlite_file.schema_revision(plain)
                check_known_revision(revision)
                on_hold = restore_hold.mark_file(plain, header.created_at)
                if sqlite_file.in_use(self.db_path):
                    raise RuleError(
                        "Cơ sở dữ liệu đang được ứng dụng Bộ phận Một cửa sử dụng. Hãy đóng ứng dụng (và mọi lệnh "
                        "counter-app đang chạy) rồi phục hồi lại."
                    )
                renumbered = renumber(plain, header, self.db_path, self.context.clock.now())
                brought_back, re_entry = 0, renumbered.missing_codes
                if bring_back and renumbered.missing:
                    brought_back, re_entry = bring_back_events(plain, renumbered)
                with contextlib.suppress(OSError):  # the restored file gets the permissions of the one it replaces
                    plain.chmod(self.db_path.stat().st_mode & 0o777)
                aside = set_aside(self.db_path, self.context.clock.now())
                try:
                    os.replace(plain, self.db_path)
                except OSError:
                    if aside is not None:
                        os.replace(aside, self.db_path)
                    raise
                fsync_dir(self.db_path.parent)
                attachments, recovery_set = restore_beside(self.context.data_dir, backup, header, passphrase)
                audit_key = restore_audit_keys.put_back(self.context, header, carried, str(backup))
        seconds = time.perf_counter() - started
        log.info("database restored from a backup of %s (%d bytes) in %.1f s", header.created_at, written, seconds)
        return RestoreResult(
            db_path=self.db_path,
            set_aside=aside,
            backup_created=header.created_at,
            schema_revision=revision or "",
            agency_code=header.agency_code,
            counter=header.counter,
            plain_bytes=written,
            seconds=seconds,
            on_hold=on_hold,
            numbers_from=renumbered.numbers_from,
            numbers_raised=renumbered.raised,
            numbering_note=renumbered.note,
            missing_events=len(renumbered.missing),
            missing_codes=renumbered.missing_codes,
            brought_back=brought_back,
            re_entry_codes=re_entry if bring_back else (),
            attachments=attachments,
            recovery_key_set=recovery_set,
            audit_key=audit_key.status,
            audit_key_note=audit_key.note,
            vault_restored=audit_key.vault_restored,
        )

    # -- internals -------------------------------------------------------------------------------------

    def _require_restore(self) -> None:
        """An administrator's right; a database too damaged to read its accounts protects nothing any more, and
        restoring it is the way out (whoever can write the database file could replace it anyway)."""
        if not self.db_path.is_file():
            return  # nothing there yet: a new machine set up from a backup
        try:
            with storage_failures():
                self.context.accounts_exist()
        except StorageFailure:
            log.warning("restore over a database whose accounts cannot be read")
            return
        self.context.require(Permission.RESTORE)

    @contextlib.contextmanager
    def _locked(self) -> Iterator[None]:
        with exclusive(Path(f"{self.db_path}.backup-lock"), busy_message=BUSY):
            self._remove_leftovers()
            yield

    @contextlib.contextmanager
    def _temporary(self, purpose: str) -> Iterator[Path]:
        """A plaintext work file beside the database (never in the backup folder, which may be a shared drive)."""
        path = self.db_path.with_name(f".{self.db_path.name}.{purpose}-{secrets.token_hex(4)}.tmp")
        try:
            yield path
        finally:
            for leftover in (path, Path(f"{path}-journal")):
                leftover.unlink(missing_ok=True)

    def _remove_leftovers(self) -> None:
        """Plaintext work files of a backup or restore cut off by a crash; the caller holds the lock."""
        for pattern in (f".{self.db_path.name}.snapshot-*.tmp*", f".{self.db_path.name}.restore-*.tmp*"):
            for leftover in self.db_path.parent.glob(pattern):
                leftover.unlink(missing_ok=True)

    def _rotate(self, folder: Path, keep: int) -> tuple[Path, ...]:
        # cut off by a crash (we hold the lock): ".<name>.partial" of older versions, ".<name>.<random>.part" now
        for partial in folder.glob(f".counter-app_*{SUFFIX}.*part*"):
            partial.unlink(missing_ok=True)
        removed = tuple(info.path for info in self.list_backups(folder)[keep:])
        for path in removed:
            path.unlink(missing_ok=True)
        if removed:
            log.info("%d old backups removed (keeping %d)", len(removed), keep)
        return removed
