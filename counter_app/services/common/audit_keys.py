"""The audit chain's keys: one random key per counter in the system keyring, or a 0600 file when there is none.

Where a key lives, most trusted first: the system keyring (service "counter_app", user
"audit-key:<agency>:<counter>"); else a file `audit-keys/<agency>-<counter>.key` in the data folder, readable
only by its owner, used only where no keyring backend works (a headless Linux machine has no Secret Service).
A file key protects less: whoever can read the data folder can recompute the chain (docs/security.md).

The database notes where the key was put (setting `audit_key_home:<agency>:<counter>`): a process without the
keyring (a scheduled command outside the desktop session) must then refuse to write events rather than make a
second key that would break the chain. The note only prevents such accidents; it is never trusted for
checking: the keyring is always asked first, so a planted key file cannot replace a keyring key.

Where no keyring works and the database has accounts, the key lives in the secret vault instead of a plain file
(`secret_vault.py`): it is read and made only while someone is signed in (the vault key is then in memory);
otherwise writing is refused (VaultLocked) rather than making a second key. A plain key file is then ignored.
"""

from __future__ import annotations

import base64
import binascii
import hmac
import logging
import os
import secrets
import sys
import threading
from dataclasses import dataclass
from pathlib import Path

from counter_app.errors import RuleError
from counter_app.private_files import PRIVATE_FILE, private_dir, restrict
from counter_app.services.common.secret_vault import VaultLocked, VaultSession
from counter_app.storage.event_chain import AuditKey, KeyMarks

log = logging.getLogger(__name__)

KEYRING_SERVICE = "counter_app"
KEY_SIZE = 32
HOME_KEYRING, HOME_FILE, HOME_VAULT = "keyring", "file", "vault"

VAULT_MISSING = (
    "Khóa ký nhật ký kiểm toán của quầy được giữ trong kho bí mật “{path}” nhưng không tìm thấy tệp này. Hãy đặt "
    "lại tệp đó rồi thử lại, hoặc để quản trị viên đăng nhập: kho bí mật được tạo lại, khóa mới được ghi nhận "
    "trong nhật ký và các tài khoản khác cần được đặt lại mật khẩu."
)

NO_KEYRING = (
    "Không dùng được kho khóa của hệ thống, nơi giữ khóa ký nhật ký kiểm toán của quầy này. Hãy thao tác trong "
    "phiên đăng nhập của người dùng trên máy (nơi kho khóa đã được mở khóa)."
)


def key_user(agency_code: str, counter: int) -> str:
    """The keyring user under which a counter's audit key is kept."""
    return f"audit-key:{agency_code}:{counter}"


def mark_key(agency_code: str, counter: int) -> str:
    return f"audit_key_home:{agency_code}:{counter}"


class AuditKeyConflict(RuleError):
    """A key restored from a backup differs from the key this machine already holds for the counter."""

    def __init__(self, home: str) -> None:
        super().__init__(
            "Máy này đã có một khóa kiểm toán khác cho quầy này; khóa trong bản sao lưu không được ghi đè lên nó.",
            detail=f"another audit key held in the {home}",
        )
        self.home = home


@dataclass(frozen=True)
class KeyStatus:
    """Where a counter's audit key is, for doctor-like output: "keyring", "file" or "none"."""

    storage: str
    path: Path | None
    message: str


def keyring_possible() -> bool:
    """False where no keyring backend can work, without paying keyring's start-up (hundreds of ms).

    On Linux the Secret Service and KWallet are reached over the session bus: no bus address, no keyring,
    unless a backend is named explicitly.
    """
    if os.environ.get("PYTHON_KEYRING_BACKEND"):
        return True
    if sys.platform.startswith("linux"):
        return bool(os.environ.get("DBUS_SESSION_BUS_ADDRESS"))
    return True


def _decode(text: str, where: str) -> bytes:
    try:
        key = base64.b64decode(text.strip().encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError, ValueError):
        key = b""
    if len(key) != KEY_SIZE:
        raise RuleError(f"Khóa kiểm toán trong {where} không hợp lệ (đã bị sửa đổi?).")
    return key


class AuditKeyStore:
    """Finds and creates the audit keys of this installation; keys are cached for the life of the process."""

    def __init__(self, data_dir: Path, *, use_keyring: bool | None = None, vault: VaultSession | None = None) -> None:
        self.data_dir = data_dir
        self._use_keyring = use_keyring
        self.vault = vault  # the secret vault, used where no keyring works and the database has accounts
        self._cache: dict[tuple[str, int], bytes] = {}
        self._lock = threading.Lock()

    # where keys live
    def file_path(self, agency_code: str, counter: int) -> Path:
        return self.data_dir / "audit-keys" / f"{agency_code}-{counter}.key"

    def _keyring_enabled(self) -> bool:
        return keyring_possible() if self._use_keyring is None else self._use_keyring

    def keyring_usable(self, agency_code: str, counter: int) -> bool:
        """Whether the system keyring answers (asked for this counter's key, which may be absent)."""
        return self._keyring_get(key_user(agency_code, counter))[0]

    def _vault_in_use(self) -> bool:
        return self.vault is not None and self.vault.in_use()

    def _keyring_get(self, user: str) -> tuple[bool, bytes | None]:
        """(keyring usable, key kept there)."""
        if not self._keyring_enabled():
            return False, None
        try:
            import keyring

            text = keyring.get_password(KEYRING_SERVICE, user)
        except Exception as exc:  # no backend, a locked or absent Secret Service, a D-Bus error, ...
            log.warning("system keyring not usable for the audit key: %s", type(exc).__name__)
            return False, None
        return True, (None if text is None else _decode(text, "kho khóa của hệ thống"))

    def _keyring_put(self, user: str, key: bytes) -> bool:
        try:
            import keyring

            keyring.set_password(KEYRING_SERVICE, user, base64.b64encode(key).decode("ascii"))
        except Exception as exc:
            log.warning("could not store the audit key in the system keyring: %s", type(exc).__name__)
            return False
        # read back: a chain must never be sealed with a key that is not where the checks will look for it
        return self._keyring_get(user) == (True, key)

    def _file_get(self, path: Path) -> bytes | None:
        try:
            text = path.read_text(encoding="ascii")
        except FileNotFoundError:
            return None
        except (OSError, UnicodeDecodeError) as exc:
            raise RuleError(f"Không đọc được tệp khóa kiểm toán “{path}”.", detail=type(exc).__name__) from None
        if os.name == "posix" and path.stat().st_mode & 0o077:
            log.warning("audit key file was readable by others; restricted to its owner again")
            restrict(path)
        return _decode(text, f"tệp “{path}”")

    def _file_create(self, path: Path, key: bytes) -> bytes:
        private_dir(path.parent)
        try:
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, PRIVATE_FILE)
        except FileExistsError:  # another process made it first: use theirs
            existing = self._file_get(path)
            assert existing is not None
            return existing
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(base64.b64encode(key).decode("ascii") + "\n")
            handle.flush()
            os.fsync(handle.fileno())
        return key

    def forget_cached(self) -> None:
        """Keys moved into the secret vault are the vault's now: read there (with a sign-in), never from memory."""
        with self._lock:
            self._cache.clear()

    def plain_keys(self) -> dict[tuple[str, int], tuple[Path, bytes]]:
        """Every readable key file of the data folder, by (agency, counter): what moves into a new secret vault."""
        found: dict[tuple[str, int], tuple[Path, bytes]] = {}
        folder = self.data_dir / "audit-keys"
        for path in sorted(folder.glob("*.key")) if folder.is_dir() else []:
            agency_code, _, counter_text = path.stem.rpartition("-")
            if not agency_code or not counter_text.isdigit() or path != self.file_path(agency_code, int(counter_text)):
                continue
            try:
                key = self._file_get(path)
            except RuleError:
                log.warning("an unreadable audit key file is left where it is")
                continue
            if key is not None:
                found[(agency_code, int(counter_text))] = (path, key)
        return found

    # reading (checks): never creates
    def existing_key(self, agency_code: str, counter: int) -> tuple[bytes | None, str]:
        """(key, "keyring" | "file" | "none"); the keyring first, so a planted file cannot override it."""
        usable, key = self._keyring_get(key_user(agency_code, counter))
        if key is not None:
            return key, HOME_KEYRING
        if self.vault is not None and self._vault_in_use():
            try:
                key = self.vault.secret(key_user(agency_code, counter))
            except VaultLocked:
                return None, HOME_VAULT
            return (key, HOME_VAULT) if key is not None else (None, "none")
        key = self._file_get(self.file_path(agency_code, counter))
        if key is not None:
            if usable:
                log.warning("audit key kept in a file although a system keyring is available")
            return key, HOME_FILE
        return None, "none"

    def preload(self, agency_code: str, counter: int) -> None:
        """Look the key up ahead of the first event (the keyring costs hundreds of ms the first time)."""
        key, home = self.existing_key(agency_code, counter)
        if key is not None and home != HOME_VAULT:  # a vault's key is kept by its session, forgotten with it
            self._cache[(agency_code, counter)] = key

    def status(self, agency_code: str, counter: int) -> KeyStatus:
        path = self.file_path(agency_code, counter)
        _key, home = self.existing_key(agency_code, counter)
        if home == HOME_KEYRING:
            return KeyStatus(home, None, "Khóa kiểm toán được giữ trong kho khóa của hệ thống.")
        if home == HOME_VAULT:
            if _key is None:
                return KeyStatus(
                    home,
                    self.vault.file.path if self.vault else None,
                    "Khóa kiểm toán được giữ trong kho bí mật, chỉ mở được khi có người đăng nhập: hãy đăng nhập "
                    "(trên dòng lệnh: --user TÊN) để kiểm tra chuỗi bằng khóa.",
                )
            return KeyStatus(
                home,
                self.vault.file.path if self.vault else None,
                "Khóa kiểm toán được giữ trong kho bí mật, mã hóa bằng khóa suy ra từ mật khẩu của người đăng nhập "
                "(máy không có kho khóa của hệ thống).",
            )
        if home == HOME_FILE:
            return KeyStatus(
                home,
                path,
                f"Khóa kiểm toán được giữ trong tệp “{path}” (máy không có kho khóa của hệ thống): ai đọc được "
                "thư mục dữ liệu cũng có thể tính lại chuỗi kiểm toán. Nên dùng máy có kho khóa.",
            )
        return KeyStatus("none", None, "Chưa có khóa kiểm toán (quầy chưa ghi sự kiện nào).")

    def protection(self, agency_code: str, counter: int, accounts_exist: bool) -> tuple[str, bool, str, str]:
        """How this installation's secrets are protected, for `doctor`: (storage, good enough, message, action)."""
        if self.keyring_usable(agency_code, counter):
            return HOME_KEYRING, True, "Các khóa bí mật của quầy được giữ trong kho khóa của hệ thống.", ""
        if self._vault_in_use():
            return (
                HOME_VAULT,
                True,
                "Máy không có kho khóa của hệ thống: các khóa bí mật của quầy được giữ trong kho bí mật, mã hóa "
                "bằng khóa suy ra từ mật khẩu của từng tài khoản (chỉ mở được khi có người đăng nhập).",
                "",
            )
        action = (
            "Một quản trị viên đăng nhập (trong cửa sổ, hoặc một lệnh có --user): các khóa sẽ được chuyển vào kho bí "
            "mật; các tài khoản khác nhận phần của mình ở lần đăng nhập kế tiếp."
            if accounts_exist
            else "Tạo tài khoản quản trị viên (“counter-app user add TÊN --role admin”): các khóa sẽ được chuyển "
            "vào kho bí mật, mã hóa bằng mật khẩu."
        )
        return (
            HOME_FILE,
            False,
            "Máy không có kho khóa của hệ thống: các khóa bí mật của quầy (khóa kiểm toán, thông tin xác thực đồng "
            "bộ) chỉ được bảo vệ bằng quyền truy cập tệp"
            + ("." if accounts_exist else " cho đến khi có tài khoản quản trị viên."),
            action,
        )

    # writing: created on first need
    def key(self, agency_code: str, counter: int, marks: KeyMarks) -> AuditKey:
        """The key that seals the counter's new events; created (keyring, else vault or file) the first time."""
        cached = self._cache.get((agency_code, counter))
        if cached is not None and not self._vault_in_use():  # a key moved into the vault is the vault's now
            return AuditKey(cached, created=False)
        with self._lock:
            user = key_user(agency_code, counter)
            usable, key = self._keyring_get(user)
            found_home = HOME_KEYRING
            in_vault = key is None and self.vault is not None and self._vault_in_use()
            if in_vault:
                assert self.vault is not None
                key = self.vault.secret(user)  # VaultLocked (a Vietnamese refusal) when it is there, locked
                found_home = HOME_VAULT
            elif key is None:
                key = self._file_get(self.file_path(agency_code, counter))
                found_home = HOME_FILE
                if key is not None:
                    log.warning("audit key kept in a file in the data folder (no system keyring when it was made)")
            if key is not None and in_vault:
                if marks.get(mark_key(agency_code, counter)) != HOME_VAULT:  # moved there from a plain file
                    marks.put(mark_key(agency_code, counter), HOME_VAULT)
                return AuditKey(key, created=False)  # kept by the vault's session, forgotten with its key
            if key is not None:
                # a database that does not yet note where its key lives (a restored or re-created file) notes it now,
                # so that a process that cannot reach that place refuses instead of making a second key
                if not marks.get(mark_key(agency_code, counter)):
                    marks.put(mark_key(agency_code, counter), found_home)
                self._cache[(agency_code, counter)] = key
                return AuditKey(key, created=False)
            home = marks.get(mark_key(agency_code, counter))
            if home == HOME_KEYRING and not usable:
                raise RuleError(NO_KEYRING, detail="audit key kept in the keyring, keyring not usable")
            if home == HOME_VAULT and not usable and not in_vault:
                path = self.vault.file.path if self.vault is not None else self.data_dir
                raise RuleError(VAULT_MISSING.format(path=path), detail="vault of the audit key missing")
            if in_vault and self.vault is not None and not self.vault.unlocked:
                raise VaultLocked()  # before anything is made: never a second key
            if home:
                log.error(
                    "audit key of counter %s:%d not found where it was kept; a new one is made", agency_code, counter
                )
            key = secrets.token_bytes(KEY_SIZE)
            if usable and self._keyring_put(user, key):
                marks.put(mark_key(agency_code, counter), HOME_KEYRING)
                log.info("new audit key created in the system keyring")
            elif in_vault and self.vault is not None:
                key = self.vault.put_secret(user, key, keep_existing=True)
                marks.put(mark_key(agency_code, counter), HOME_VAULT)
                log.info("new audit key created in the secret vault")
                return AuditKey(key, created=True)
            else:
                key = self._file_create(self.file_path(agency_code, counter), key)
                marks.put(mark_key(agency_code, counter), HOME_FILE)
                log.warning(
                    "no system keyring: the audit key is kept in a file readable only by this user "
                    "(weaker tamper evidence, see docs/security.md)"
                )
            self._cache[(agency_code, counter)] = key
            return AuditKey(key, created=True)

    # backups (services.maintenance.backup_secrets): a counter's key carried inside a backup and put back
    def export_key(self, agency_code: str, counter: int) -> tuple[bytes | None, str]:
        """(key, home) read the way the running application reads it, for a backup: (None, "vault") when it is in a
        locked vault, (None, "none") when this machine has none or its file is unreadable. Never creates one."""
        try:
            return self.existing_key(agency_code, counter)
        except RuleError as exc:  # a damaged key file or vault entry: the backup goes on without it
            log.warning("audit key not readable for the backup: %s", exc.detail or type(exc).__name__)
            return None, "none"

    def import_key(self, agency_code: str, counter: int, key: bytes, marks: KeyMarks) -> str:
        """Put `key`, restored from a backup, where this machine keeps keys (keyring, else the vault of a signed-in
        person, else the 0600 file) and note it in `marks`; returns where it is. A key already here is never
        replaced: AuditKeyConflict when it differs, VaultLocked when a locked vault holds one (nothing compared)."""
        if len(key) != KEY_SIZE:
            raise RuleError("Khóa kiểm toán trong bản sao lưu không hợp lệ.", detail="restored key of a wrong size")
        with self._lock:
            held, home = self.existing_key(agency_code, counter)
            if held is None and home == HOME_VAULT:
                raise VaultLocked()
            user = key_user(agency_code, counter)
            if held is None:
                usable, _none = self._keyring_get(user)
                if usable and self._keyring_put(user, key):
                    held, home = key, HOME_KEYRING
                elif self.vault is not None and self._vault_in_use():
                    held, home = self.vault.put_secret(user, key, keep_existing=True), HOME_VAULT
                else:
                    held, home = self._file_create(self.file_path(agency_code, counter), key), HOME_FILE
            if not hmac.compare_digest(held, key):
                raise AuditKeyConflict(home)
            marks.put(mark_key(agency_code, counter), home)
            if home != HOME_VAULT:
                self._cache[(agency_code, counter)] = key
            log.info("audit key of a backup put back (%s)", home)
            return home
