"""Encrypted backups of the local database: take one (daily, on demand, before an upgrade), keep N, restore one."""

from __future__ import annotations

import contextlib
import json
import logging
import os
import re
import secrets
import shlex
import sqlite3
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from sqlalchemy.exc import SQLAlchemyError

from counter_app import __version__
from counter_app.domain.clock import VN_TZ, to_vn
from counter_app.domain.codes import Numbering
from counter_app.domain.dossier import OPENING_KINDS
from counter_app.domain.number_scopes import highest, numbers_used, skip_ahead
from counter_app.domain.roles import Permission
from counter_app.errors import IntegrityProblem, RuleError, ValidationError
from counter_app.private_files import create_private, fsync_dir, private_dir, replacing, restrict
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.file_lock import exclusive
from counter_app.services.common.settings import Settings, settings_from_store
from counter_app.services.maintenance import backup_format, backup_keys
from counter_app.storage import replaced_file, restore_hold, sqlite_file
from counter_app.storage.migrate import MIGRATIONS

log = logging.getLogger(__name__)

SUFFIX = ".ctrbak"
_NAME = re.compile(
    r"^counter-app_(?P<agency>[^_]+)_(?P<counter>\d+)_(?P<stamp>\d{8}-\d{6})(?:-(?P<seq>\d+))?"
    + re.escape(SUFFIX)
    + "$"
)
_STAMP = "%Y%m%d-%H%M%S"
UNCONFIGURED = "unconfigured"
BUSY = "Một bản sao lưu khác đang được tạo hoặc phục hồi trên cơ sở dữ liệu này; hãy thử lại sau ít phút."


@dataclass(frozen=True)
class BackupInfo:
    """One backup file as listed: when it was taken (Vietnamese time), its size and how its key is found."""

    path: Path
    created: datetime
    size_bytes: int
    kdf: str
    agency_code: str
    counter: int

    @property
    def needs_passphrase(self) -> bool:
        return self.kdf == backup_format.KDF_SCRYPT

    def restore_command(self, db_path: Path) -> str:
        """The command line an administrator runs to restore this backup over `db_path`."""
        extra = " --passphrase-stdin" if self.needs_passphrase else ""
        return f"{program_name()} restore {_quote(self.path)} --db {_quote(db_path)}{extra}"


@dataclass(frozen=True)
class BackupResult:
    info: BackupInfo
    plain_bytes: int
    seconds: float
    removed: tuple[Path, ...]


NUMBERS_NONE = "none"  # the backup names no counter: nothing to renumber
NUMBERS_REPLACED = "replaced_file"  # read from the replaced database
NUMBERS_GAP = "gap"  # the replaced database could not (all) be read: every scope skipped ahead


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


@dataclass(frozen=True)
class Renumbered:
    numbers_from: str
    raised: int
    note: str
    missing: tuple[replaced_file.FileEvent, ...]
    missing_codes: tuple[str, ...]
    restored_tail: tuple[int, str]


def program_name() -> str:
    """How an administrator calls the command line here: the Windows build has a console program of its own."""
    return "counter-app-cli" if sys.platform == "win32" and getattr(sys, "frozen", False) else "counter-app"


def _quote(path: Path) -> str:
    return f'"{path}"' if os.name == "nt" else shlex.quote(str(path))


def installation_settings(db_path: Path) -> Settings:
    """The settings stored in the file, or the defaults when it is missing, older or too damaged to read them."""
    if not db_path.is_file():
        return Settings()
    try:
        return settings_from_store(sqlite_file.read_settings(db_path))
    except (sqlite3.Error, ValidationError) as exc:
        log.warning("settings unreadable, defaults used: %s", type(exc).__name__)
        return Settings()


def _parse_name(path: Path) -> tuple[str, int, datetime, int] | None:
    match = _NAME.match(path.name)
    if match is None:
        return None
    try:
        created = datetime.strptime(match["stamp"], _STAMP).replace(tzinfo=VN_TZ)
    except ValueError:
        return None
    return match["agency"], int(match["counter"]), created, int(match["seq"] or 1)


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
                parsed = _parse_name(path)
                if parsed is None or not path.is_file():
                    continue
                agency, counter, created, seq = parsed
                if own is not None and (agency, counter) != own:
                    continue
                info = BackupInfo(path, created, path.stat().st_size, _kdf_of(path), agency, counter)
                found.append((created, seq, info))
        found.sort(key=lambda item: (item[0], item[1]), reverse=True)
        return [info for _created, _seq, info in found]

    def latest_backup(self) -> BackupInfo | None:
        backups = self.list_backups()
        return backups[0] if backups else None

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
            key = backup_keys.key_for_backup(key_name) if passphrase is None else b""
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
                if passphrase is not None:
                    key = backup_format.passphrase_key(passphrase, header)
                target = self._free_name(folder, settings, now)
                with replacing(target) as partial, plain.open("rb") as source, partial.open("wb") as sink:
                    backup_format.seal(source, sink, key, header)
                plain_bytes = header.plain_size
            removed = () if to_dir is not None else self._rotate(folder, max(1, settings.backup_keep))
        info = BackupInfo(target, now, target.stat().st_size, header.kdf, settings.agency_code, settings.counter)
        seconds = time.perf_counter() - started
        log.info("backup %s written: %d bytes from %d in %.1f s", target.name, info.size_bytes, plain_bytes, seconds)
        return BackupResult(info, plain_bytes, seconds, removed)

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
            stamp = to_vn(self.context.clock.now()).strftime(_STAMP)
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
        holds after the backup come back into the restored database when they continue its chain.
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
            key = self._restore_key(header, passphrase)
            with self._temporary("restore") as plain:
                create_private(plain)
                with plain.open("r+b") as sink:
                    written = backup_format.open_sealed(handle, sink, key, header, associated)
                    sink.flush()
                    os.fsync(sink.fileno())
                problems = sqlite_file.check(plain, quick=False)
                if problems:
                    raise IntegrityProblem(
                        "Bản sao lưu giải mã được nhưng dữ liệu bên trong bị hỏng; hãy dùng một bản sao lưu khác.",
                        detail="; ".join(problems[:3]),
                    )
                revision = sqlite_file.schema_revision(plain)
                _check_known_revision(revision)
                on_hold = restore_hold.mark_file(plain, header.created_at)
                if sqlite_file.in_use(self.db_path):
                    raise RuleError(
                        "Cơ sở dữ liệu đang được ứng dụng Bộ phận Một cửa sử dụng. Hãy đóng ứng dụng (và mọi lệnh "
                        "counter-app đang chạy) rồi phục hồi lại."
                    )
                renumbered = self._renumber(plain, header)
                brought_back, re_entry = 0, renumbered.missing_codes
                if bring_back and renumbered.missing:
                    brought_back, re_entry = _bring_back(plain, renumbered)
                with contextlib.suppress(OSError):  # the restored file gets the permissions of the one it replaces
                    plain.chmod(self.db_path.stat().st_mode & 0o777)
                aside = self._set_aside()
                try:
                    os.replace(plain, self.db_path)
                except OSError:
                    if aside is not None:
                        os.replace(aside, self.db_path)
                    raise
                fsync_dir(self.db_path.parent)
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
        )

    def _renumber(self, plain: Path, header: backup_format.BackupHeader) -> Renumbered:
        """Move the restored file's scopes past every number the database it replaces may have printed."""
        agency, counter = header.agency_code, header.counter
        if not agency or counter <= 0:
            return Renumbered(NUMBERS_NONE, 0, "", (), (), (0, ""))
        last, own, tail_seq, tail_hash, fields = replaced_file.read_restored(plain, agency, counter)
        numbering = Numbering(*replaced_file.numbering_of_file(plain, agency))
        old = replaced_file.read_replaced(self.db_path, agency, counter, tail_seq) if self.db_path.exists() else None
        targets: dict[str, int] = {}
        missing: tuple[replaced_file.FileEvent, ...] = ()
        if old is not None:
            missing = tuple(e for e in old.events if e.uuid not in own)
            used: list[tuple[str, int]] = list(old.sequences.items())
            for event in missing:
                try:
                    used += numbers_used(
                        event.kind,
                        json.loads(event.payload),
                        datetime.fromisoformat(event.occurred_at),
                        agency,
                        numbering,
                    )
                except (ValidationError, ValueError, TypeError, KeyError):
                    log.warning(
                        "numbers of event %s (%s) of the replaced database not readable", event.uuid, event.kind
                    )
            targets = highest(used)
        codes = tuple(dict.fromkeys(c for c in (_code_of(e) for e in missing) if c))
        if old is not None and old.complete:
            raised = replaced_file.raise_numbers(plain, targets)
            note = "Đã đọc các số đã cấp từ cơ sở dữ liệu cũ: không số hồ sơ, số phiếu, số sổ nào đã in được cấp lại."
            return Renumbered(NUMBERS_REPLACED, raised, note, missing, codes, (tail_seq, tail_hash))
        since = _backup_day(header.created_at) or to_vn(self.context.clock.now()).date()
        today = max(to_vn(self.context.clock.now()).date(), since)
        days = [since + timedelta(days=n) for n in range((today - since).days + 1)]
        merged = dict(last)
        for scope, number in targets.items():
            merged[scope] = max(number, merged.get(scope, 0))
        symbols = [symbol for symbol, _title in _document_kinds().values()]
        gap = skip_ahead(
            merged, agency_code=agency, counter=counter, days=days, fields=fields, symbols=symbols, numbering=numbering
        )
        for scope, number in targets.items():
            gap[scope] = max(number, gap.get(scope, 0))
        raised = replaced_file.raise_numbers(plain, gap)
        note = (
            "Không đọc được (đầy đủ) cơ sở dữ liệu cũ nên không biết những số nào đã được cấp sau khi sao lưu: mọi "
            f"dãy số của quầy {counter} (số hồ sơ từ ngày {since:%d/%m/%Y} đến {today:%d/%m/%Y}, số sổ theo dõi, số "
            "phiếu và văn bản trong năm) đã được nhảy qua một khoảng an toàn để không cấp lại số đã in. Các hồ sơ "
            "tiếp nhận sau lần sao lưu mà chưa đồng bộ cần được cán bộ giám sát nhập lại từ giấy đã in."
        )
        return Renumbered(NUMBERS_GAP, raised, note, missing, codes, (tail_seq, tail_hash))

    # -- internals -------------------------------------------------------------------------------------

    def _require_restore(self) -> None:
        """An administrator's right; a database too damaged to read its accounts protects nothing any more, and
        restoring it is the way out (whoever can write the database file could replace it anyway)."""
        if not self.db_path.is_file():
            return  # nothing there yet: a new machine set up from a backup
        try:
            self.context.accounts_exist()
        except SQLAlchemyError:
            log.warning("restore over a database whose accounts cannot be read")
            return
        self.context.require(Permission.RESTORE)

    def _restore_key(self, header: backup_format.BackupHeader, passphrase: str | None) -> bytes:
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

    def _free_name(self, folder: Path, settings: Settings, now: datetime) -> Path:
        base = f"counter-app_{settings.agency_code or UNCONFIGURED}_{settings.counter}_{now.strftime(_STAMP)}"
        candidate, seq = folder / f"{base}{SUFFIX}", 1
        while candidate.exists():
            seq += 1
            candidate = folder / f"{base}-{seq}{SUFFIX}"
        return candidate

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

    def _set_aside(self) -> Path | None:
        """Move the current database (and a WAL left by a crash) aside as <db>.before-restore-<time>."""
        if not self.db_path.exists():
            return None
        stamp = to_vn(self.context.clock.now()).strftime(_STAMP)
        aside = self.db_path.with_name(f"{self.db_path.name}.before-restore-{stamp}")
        seq = 1
        while aside.exists():
            seq += 1
            aside = self.db_path.with_name(f"{self.db_path.name}.before-restore-{stamp}-{seq}")
        wal, shm = sqlite_file.companions(self.db_path)
        os.replace(self.db_path, aside)
        restrict(aside)  # a copy of personal data: its owner's only, whatever the database's own permissions were
        if wal.exists():
            # a stale WAL beside the restored file would be replayed into it: keep it with the old file
            os.replace(wal, Path(f"{aside}-wal"))
            restrict(Path(f"{aside}-wal"))
        shm.unlink(missing_ok=True)
        return aside


def _code_of(event: replaced_file.FileEvent) -> str:
    """The dossier code (or slip number) an opening event printed."""
    if event.kind not in OPENING_KINDS:
        return ""
    try:
        payload = json.loads(event.payload)
    except ValueError:
        return ""
    return str(payload.get("code") or payload.get("slip") or "") if isinstance(payload, dict) else ""


def _backup_day(created_at: str) -> date | None:
    try:
        return to_vn(datetime.fromisoformat(created_at)).date()
    except (ValueError, TypeError):
        return None


def _document_kinds() -> dict[str, tuple[str, str]]:
    from counter_app.services.documents.printed_documents import DOCUMENT_KINDS

    return DOCUMENT_KINDS


def _bring_back(plain: Path, renumbered: Renumbered) -> tuple[int, tuple[str, ...]]:
    """Put the events the replaced database holds after the backup into the restored file (closed, not yet in
    place) as the counter's own, those not acknowledged by the central back in the outbox, when they continue the
    restored chain link by link; returns how many came back and the codes left for re-entry by a supervisor."""
    from sqlalchemy import update

    from counter_app.storage.database import open_database
    from counter_app.storage.models import DELIVERY_PENDING, EventOutboxRow, EventRow
    from counter_app.storage.unit_of_work import UnitOfWork
    from counter_app.sync import outbox

    seq, hash_ = renumbered.restored_tail
    chained: list[replaced_file.FileEvent] = []
    for event in renumbered.missing:
        if event.seq != seq + 1 or (hash_ and event.prev_hash != hash_) or event.dead:
            break
        chained.append(event)
        seq, hash_ = event.seq, event.hash
    left = tuple(dict.fromkeys(c for c in (_code_of(e) for e in renumbered.missing[len(chained) :]) if c))
    if not chained:
        return 0, renumbered.missing_codes
    events = [
        outbox.OutboxEvent(
            e.uuid,
            e.dossier_uuid,
            e.kind,
            e.payload,
            e.occurred_at,
            e.agency_code,
            e.counter,
            e.seq,
            e.clerk,
            e.prev_hash,
            e.hash,
        )
        for e in chained
    ]
    database = open_database(plain, create=False)
    try:
        with UnitOfWork(database, write=True) as uow:
            stored = outbox.store_received(uow.session, events, outbox.ORIGIN_LOCAL)
            for e in chained:
                if e.pending:
                    uow.session.add(EventOutboxRow(seq=e.seq, uuid=e.uuid))
                    uow.session.execute(
                        update(EventRow).where(EventRow.uuid == e.uuid).values(sync_state=DELIVERY_PENDING)
                    )
            uow.commit()
    except SQLAlchemyError as exc:
        log.warning("events of the replaced database not brought back: %s", type(exc).__name__)
        return 0, renumbered.missing_codes
    finally:
        database.dispose()
    with contextlib.closing(sqlite3.connect(plain)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE").fetchall()  # a self-contained file again
    return stored.inserted, left


def _kdf_of(path: Path) -> str:
    try:
        with path.open("rb") as handle:
            header, _associated = backup_format.read_header(handle)
    except (OSError, RuleError):
        return ""
    return header.kdf


def _check_known_revision(revision: str | None) -> None:
    """A backup made by a newer version has a schema this version cannot read or upgrade."""
    from alembic.script import ScriptDirectory

    if revision is None:
        raise RuleError("Tệp trong bản sao lưu không phải cơ sở dữ liệu của ứng dụng Bộ phận Một cửa.")
    script = ScriptDirectory(str(MIGRATIONS))
    known = {rev.revision for rev in script.walk_revisions()}
    if revision not in known:
        raise RuleError(
            "Bản sao lưu do một phiên bản ứng dụng mới hơn tạo ra; hãy cập nhật ứng dụng trước khi phục hồi.",
            detail=f"revision {revision}",
        )
