"""After a restore: the counter's audit key (and the secret vault) carried by the backup put back on this machine.

The key goes where this machine keeps keys (AuditKeyStore.import_key: the keyring, else the vault of the person
signed in, else the 0600 file), so that the restored chain is checked with the key that sealed it and the next
event continues it without a key change.

A key this machine already holds for the counter is never replaced. The same key: nothing to do (a restore on the
PC that made the backup). Another key (this PC made its own after the backup, or serves another installation of
the same counter): overwriting it would make every event it sealed unverifiable, and nobody may have asked for
that; so it stays, the restored key stays inside the backup file (encrypted, restorable again), and the conflict
is recorded in the administration log and reported: the administrator decides, and until then `audit verify`
names the restored events it cannot check with this PC's key.

The vault file comes back only onto a machine that holds no key of the counter and no vault: a vault here is
this machine's, and one put beside a key held elsewhere would hide that key (the store reads the vault first).
"""

from __future__ import annotations

import logging
from dataclasses import dataclass

from counter_app.errors import CounterError, RuleError, StorageFailure
from counter_app.identities import new_uuid
from counter_app.private_files import private_dir, replacing
from counter_app.services.common.audit_keys import HOME_VAULT, AuditKeyConflict
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.secret_vault import VaultContents, VaultLocked
from counter_app.services.maintenance import backup_format
from counter_app.services.maintenance.backup_secrets import BackupSecrets
from counter_app.storage.repositories.admin_log import Actor
from counter_app.storage.unit_of_work import storage_failures

log = logging.getLogger(__name__)

# RestoreResult.audit_key
KEY_RESTORED = "restored"  # put back where this machine keeps keys
KEY_PRESENT = "present"  # this machine held the same key already
KEY_CONFLICT = "conflict"  # this machine holds another key for the counter: kept, the backup's not installed
KEY_LOCKED = "locked"  # this machine keeps keys in a vault nobody opened: nothing put back
KEY_MISSING = "missing"  # the backup does not carry the key and this machine has none: older events unverifiable
KEY_FAILED = "failed"  # could not be written here
KEY_KEPT = "kept"  # the backup carries no key, this machine has one (a restore on the same PC)

CONFLICT_KIND = "audit_key.conflict_on_restore"

WHERE = {
    "keyring": "kho khóa của hệ thống",
    "vault": "kho bí mật (mở được khi có người đăng nhập)",
    "file": "tệp khóa chỉ người dùng này đọc được",
}
MISSING = (
    "Bản sao lưu không chứa khóa kiểm toán của quầy{why} và máy này không có khóa đó: các sự kiện ghi trước lần "
    "phục hồi không kiểm tra được bằng khóa (“audit verify” sẽ báo các mắt xích cũ của chuỗi kiểm toán không xác "
    "minh được). Nếu còn máy cũ hoặc một bản sao lưu có khóa, hãy phục hồi từ bản đó."
)
UNAVAILABLE_WHY = " (khi sao lưu, khóa nằm trong kho bí mật đang khóa hoặc đã bị mất)"
CONFLICT = (
    "Máy này đã giữ một khóa kiểm toán khác cho quầy này ({where}); khóa đó được giữ nguyên, không bị ghi đè bằng "
    "khóa trong bản sao lưu. Các sự kiện ghi trước lần phục hồi được niêm phong bằng khóa trong bản sao lưu nên "
    "không kiểm tra được bằng khóa của máy này; hãy giữ lại tệp sao lưu “{backup}” (khóa nằm trong đó, đã mã hóa) "
    "và báo quản trị viên. Việc này đã được ghi vào nhật ký quản trị."
)
LOCKED = (
    "Khóa kiểm toán trong bản sao lưu chưa được đặt lại: máy này giữ khóa trong kho bí mật, chỉ mở được khi có "
    "người đăng nhập. Hãy đăng nhập bằng tài khoản quản trị (trên dòng lệnh: --user TÊN) rồi phục hồi lại."
)
FAILED = "Không đặt lại được khóa kiểm toán trong bản sao lưu: {message}"


@dataclass(frozen=True)
class KeyRestore:
    status: str = ""
    note: str = ""  # Vietnamese, for the person restoring; "" when all is well
    home: str = ""
    vault_restored: bool = False


def put_back(
    context: ServiceContext, header: backup_format.BackupHeader, carried: BackupSecrets, backup: str
) -> KeyRestore:
    """Put the backup's audit key (and vault) back for the restored database, which is in place already."""
    store = context.audit_keys
    agency_code, counter = header.agency_code, header.counter
    if store is None or not agency_code or counter <= 0:
        return KeyRestore()
    local, local_home = store.export_key(agency_code, counter)  # before a vault may come back
    vault_restored = False
    if carried.vault is not None and local is None and local_home != HOME_VAULT and not context.vault.file.exists():
        vault_restored = _put_vault(context, carried.vault)
    if vault_restored and carried.vault_holds_key(agency_code, counter):
        return KeyRestore(KEY_RESTORED, "", HOME_VAULT, vault_restored)  # inside the vault that came back
    key = carried.key_of(agency_code, counter)
    if key is None:
        if local is not None or local_home == HOME_VAULT:
            return KeyRestore(KEY_KEPT, "", local_home, vault_restored)
        if not _has_events(context, agency_code, counter):
            return KeyRestore("", "", "", vault_restored)
        why = UNAVAILABLE_WHY if header.audit_key == backup_format.AUDIT_KEY_UNAVAILABLE else ""
        log.warning("restored chain of counter %s:%d has no key on this machine", agency_code, counter)
        return KeyRestore(KEY_MISSING, MISSING.format(why=why), "", vault_restored)
    try:
        with storage_failures(), context.uow(write=True) as uow:
            try:
                home = store.import_key(agency_code, counter, key.key, uow.settings)
            except AuditKeyConflict as conflict:
                uow.admin_log.append(
                    uuid=str(new_uuid()),
                    kind=CONFLICT_KIND,
                    subject=f"{agency_code}:{counter}",
                    at=context.clock.now(),
                    actor=Actor(context.acting.name, context.acting.role, agency_code, counter),
                    before={"key_home": conflict.home},
                    after={"backup_created": header.created_at, "backup_key_installed": False},
                )
                uow.commit()
                log.warning("restore kept this machine's different audit key of counter %s:%d", agency_code, counter)
                note = CONFLICT.format(where=WHERE.get(conflict.home, conflict.home), backup=backup)
                return KeyRestore(KEY_CONFLICT, note, conflict.home, vault_restored)
            uow.commit()
    except VaultLocked:
        return KeyRestore(KEY_LOCKED, LOCKED, HOME_VAULT, vault_restored)
    except (CounterError, OSError) as exc:
        message = exc.message if isinstance(exc, CounterError) else type(exc).__name__
        log.error("audit key of the backup not put back: %s", type(exc).__name__)
        return KeyRestore(KEY_FAILED, FAILED.format(message=message), "", vault_restored)
    return KeyRestore(KEY_PRESENT if local is not None else KEY_RESTORED, "", home, vault_restored)


def _put_vault(context: ServiceContext, raw: bytes) -> bool:
    """The backup's vault file, written whole (0600) where this data folder keeps its vault."""
    try:
        VaultContents.from_bytes(raw)  # only a vault this version reads comes back
        private_dir(context.data_dir)
        with replacing(context.vault.file.path) as partial:
            partial.write_bytes(raw)
    except (ValueError, UnicodeDecodeError, OSError, RuleError) as exc:
        log.warning("secret vault of the backup not put back: %s", type(exc).__name__)
        return False
    log.info("secret vault put back from the backup")
    return True


def _has_events(context: ServiceContext, agency_code: str, counter: int) -> bool:
    try:
        with storage_failures(), context.uow() as uow:
            return uow.chains.head(agency_code, counter)[0] > 0
    except StorageFailure:
        return True
