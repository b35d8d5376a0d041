"""The secret vault: where a PC without a keyring keeps the counter's secrets, opened by the password of a person.

Used only where no keyring backend works and the database has accounts (docs/security.md, "Secrets without a
keyring"). One file, `secret-vault.json` in the data folder (0600 in a 0700 folder, replaced whole through a
temporary file beside it, fsynced, renamed), holds:

- `secrets`: each secret (the audit key of a counter, the sync credential) encrypted with AES-256-GCM under a
  random 32-byte *vault key*, its name as associated data (an entry moved under another name does not open);
- `slots`: the vault key wrapped once per active account (AES-256-GCM, the account's name as associated data)
  under a key scrypt derives from that account's password, with a random salt per slot.

Nothing in the file opens without a password: the vault key is never written unwrapped. Sign-in unwraps the
person's slot and the key stays in memory for the session (`VaultSession`), forgotten at sign-out and lock.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from counter_app.errors import RuleError
from counter_app.private_files import replacing
from counter_app.services.common.file_lock import exclusive

if TYPE_CHECKING:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

log = logging.getLogger(__name__)

FILE_NAME = "secret-vault.json"
FORMAT = "counter_app secret vault"
VERSION = 1
KEY_SIZE = 32
NONCE_SIZE = 12
SALT_SIZE = 16
# scrypt's cost: ~140 ms per sign-in on a 2-core test machine (32 MiB of memory); kept in each slot
SCRYPT_N, SCRYPT_R, SCRYPT_P = 2**15, 8, 1
MAX_SCRYPT_N = 2**20  # a slot asking for more is refused (a planted slot must not exhaust the memory)

VAULT_LOCKED = (
    "Các khóa bí mật của quầy (khóa ký nhật ký kiểm toán, thông tin xác thực đồng bộ) được giữ trong kho bí mật, "
    "chỉ mở được bằng mật khẩu của người đăng nhập. Hãy đăng nhập rồi thử lại (trên dòng lệnh: --user TÊN và mật "
    "khẩu). Nếu đã đăng nhập mà vẫn gặp thông báo này, quản trị viên cần đặt lại mật khẩu cho tài khoản của bạn."
)
VAULT_DAMAGED = "Tệp kho bí mật “{path}” bị hỏng hoặc đã bị sửa đổi: không đọc được."
VAULT_BUSY = "Kho bí mật của quầy đang được một tiến trình khác ghi; vui lòng thử lại sau ít phút."


# the sync credential's names (services/syncing/credential_store.py keeps it; the first vault moves it in)
SYNC_CREDENTIAL_FILE = "sync-credential"


def sync_credential_name(agency_code: str, counter: int) -> str:
    """The sync credential's name in the keyring (user) and in the vault."""
    return f"sync-credential:{agency_code}:{counter}"


def read_plain_credential(data_dir: Path) -> str | None:
    """The sync credential of the plain 0600 file of a data folder, if there is one."""
    try:
        return (data_dir / SYNC_CREDENTIAL_FILE).read_text().strip() or None
    except FileNotFoundError:
        return None


class VaultLocked(RuleError):
    """A secret of the vault is needed and the vault key is not in memory (nobody signed in with a slot)."""

    def __init__(self) -> None:
        super().__init__(VAULT_LOCKED, detail="vault key not in memory")


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def _slot_aad(name: str) -> bytes:
    return b"counter_app vault slot\x00" + name.encode("utf-8")


def _secret_aad(name: str) -> bytes:
    return b"counter_app vault secret\x00" + name.encode("utf-8")


def new_vault_key() -> bytes:
    return secrets.token_bytes(KEY_SIZE)


@dataclass(frozen=True)
class Slot:
    """The vault key wrapped under a key derived from one account's password."""

    salt: bytes
    n: int
    r: int
    p: int
    nonce: bytes
    wrapped: bytes

    def to_json(self) -> dict[str, Any]:
        return {
            "kdf": "scrypt",
            "salt": _b64(self.salt),
            "n": self.n,
            "r": self.r,
            "p": self.p,
            "nonce": _b64(self.nonce),
            "wrapped": _b64(self.wrapped),
        }

    @classmethod
    def from_json(cls, data: object) -> Slot:
        if not isinstance(data, dict) or data.get("kdf") != "scrypt":
            raise ValueError("not a slot")
        n, r, p = data.get("n"), data.get("r"), data.get("p")
        if not all(isinstance(v, int) and v > 0 for v in (n, r, p)):
            raise ValueError("bad scrypt parameters")
        assert isinstance(n, int) and isinstance(r, int) and isinstance(p, int)
        if n > MAX_SCRYPT_N or r > 32 or p > 16 or n & (n - 1):
            raise ValueError("scrypt parameters out of range")
        return cls(_unb64(data.get("salt")), n, r, p, _unb64(data.get("nonce")), _unb64(data.get("wrapped")))


# cryptography is imported when a vault is first used, not at start-up (tests/ui/test_startup.py)
def _aesgcm(key: bytes) -> AESGCM:
    from cryptography.hazmat.primitives.ciphers.aead import AESGCM

    return AESGCM(key)


def _derive(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

    return Scrypt(salt=salt, length=KEY_SIZE, n=n, r=r, p=p).derive(password.encode("utf-8"))


def make_slot(name: str, password: str, vault_key: bytes) -> Slot:
    """The vault key wrapped for `name` under `password` (scrypt: ~0.1 s, call it outside a write transaction)."""
    salt, nonce = secrets.token_bytes(SALT_SIZE), secrets.token_bytes(NONCE_SIZE)
    wrapping = _derive(password, salt, SCRYPT_N, SCRYPT_R, SCRYPT_P)
    wrapped = _aesgcm(wrapping).encrypt(nonce, vault_key, _slot_aad(name))
    return Slot(salt, SCRYPT_N, SCRYPT_R, SCRYPT_P, nonce, wrapped)


def open_slot(name: str, slot: Slot, password: str) -> bytes | None:
    """The vault key, or None when `password` does not open `name`'s slot."""
    from cryptography.exceptions import InvalidTag

    try:
        wrapping = _derive(password, slot.salt, slot.n, slot.r, slot.p)
        key = _aesgcm(wrapping).decrypt(slot.nonce, slot.wrapped, _slot_aad(name))
    except (InvalidTag, ValueError):
        return None
    return key if len(key) == KEY_SIZE else None


@dataclass
class VaultContents:
    """What the vault file holds: slots by account name, encrypted secrets by secret name ((nonce, ciphertext))."""

    slots: dict[str, Slot] = field(default_factory=dict)
    secrets: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)

    def put_secret(self, vault_key: bytes, name: str, value: bytes) -> None:
        nonce = secrets.token_bytes(NONCE_SIZE)
        self.secrets[name] = (nonce, _aesgcm(vault_key).encrypt(nonce, value, _secret_aad(name)))

    def secret(self, vault_key: bytes, name: str) -> bytes | None:
        from cryptography.exceptions import InvalidTag

        entry = self.secrets.get(name)
        if entry is None:
            return None
        try:
            return _aesgcm(vault_key).decrypt(entry[0], entry[1], _secret_aad(name))
        except InvalidTag:
            raise RuleError(
                f"Mục “{name}” của kho bí mật không mở được bằng khóa của kho (đã bị sửa đổi?).",
                detail="vault entry does not authenticate",
            ) from None

    def to_bytes(self) -> bytes:
        data = {
            "format": FORMAT,
            "version": VERSION,
            "slots": {name: slot.to_json() for name, slot in sorted(self.slots.items())},
            "secrets": {
                name: {"nonce": _b64(nonce), "data": _b64(data)} for name, (nonce, data) in sorted(self.secrets.items())
            },
        }
        return (json.dumps(data, indent=1) + "\n").encode("ascii")

    @classmethod
    def from_bytes(cls, raw: bytes) -> VaultContents:
        data = json.loads(raw.decode("ascii"))
        if not isinstance(data, dict) or data.get("format") != FORMAT or data.get("version") != VERSION:
            raise ValueError("not a vault of this version")
        slots, stored = data.get("slots"), data.get("secrets")
        if not isinstance(slots, dict) or not isinstance(stored, dict):
            raise ValueError("no slots or secrets")
        contents = cls({str(name): Slot.from_json(slot) for name, slot in slots.items()})
        for name, entry in stored.items():
            if not isinstance(entry, dict):
                raise ValueError("bad secret entry")
            contents.secrets[str(name)] = (_unb64(entry.get("nonce")), _unb64(entry.get("data")))
        return contents


class VaultFile:
    """The vault on disk: read whole, changed under an OS lock, replaced whole and durably."""

    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME
        self._lock_path = data_dir / f".{FILE_NAME}.lock"

    def exists(self) -> bool:
        return self.path.is_file()

    def read(self) -> VaultContents | None:
        try:
            raw = self.path.read_bytes()
        except FileNotFoundError:
            return None
        except OSError as exc:
            raise RuleError(VAULT_DAMAGED.format(path=self.path), detail=type(exc).__name__) from None
        try:
            return VaultContents.from_bytes(raw)
        except (ValueError, UnicodeDecodeError, binascii.Error) as exc:
            raise RuleError(VAULT_DAMAGED.format(path=self.path), detail=type(exc).__name__) from None

    def write(self, contents: VaultContents) -> None:
        """Replace the file whole: a temporary file beside it, fsynced, renamed, the folder fsynced."""
        with replacing(self.path) as partial:
            partial.write_bytes(contents.to_bytes())

    def update(self, change: Callable[[VaultContents], None]) -> VaultContents:
        """Read, change and write back under an OS lock (the window and a command line may both write)."""
        with exclusive(self._lock_path, busy_message=VAULT_BUSY):
            contents = self.read()
            if contents is None:
                raise RuleError(f"Không tìm thấy tệp kho bí mật “{self.path}”.", detail="vault file missing")
            change(contents)
            self.write(contents)
            return contents

    def create(self, contents: VaultContents, *, only_if_missing: bool = False) -> bool:
        """Write a new vault (replacing one that no account opens); with `only_if_missing`, not over another."""
        with exclusive(self._lock_path, busy_message=VAULT_BUSY):
            if only_if_missing and self.exists():
                return False
            self.write(contents)
            return True


class VaultSession:
    """The vault of a data folder with the key of the person signed in, kept in memory for the session.

    In use only where the database has accounts and the vault file exists (`accounts_exist` is the context's).
    Secrets read once are kept with the key, and forgotten with it.
    """

    def __init__(self, data_dir: Path, accounts_exist: Callable[[], bool]) -> None:
        self.file = VaultFile(data_dir)
        self._accounts_exist = accounts_exist
        self._key: bytes | None = None
        self._secrets: dict[str, bytes] = {}
        self._lock = threading.Lock()

    def in_use(self) -> bool:
        return self.file.exists() and self._accounts_exist()

    @property
    def unlocked(self) -> bool:
        return self._key is not None

    def remember(self, key: bytes | None) -> None:
        with self._lock:
            if key != self._key:
                self._secrets.clear()
            self._key = key

    def forget(self) -> None:
        self.remember(None)

    def key(self) -> bytes:
        """The vault key in memory; VaultLocked (a Vietnamese refusal) when nobody signed in with a slot."""
        key = self._key
        if key is None:
            raise VaultLocked()
        return key

    def holds(self, name: str) -> bool:
        contents = self.file.read()
        return contents is not None and name in contents.secrets

    def secret(self, name: str) -> bytes | None:
        """The secret `name`; None when the vault has none; VaultLocked when it has one and the key is not here."""
        with self._lock:
            if name in self._secrets:
                return self._secrets[name]
        contents = self.file.read()
        if contents is None or name not in contents.secrets:
            return None
        key = self.key()
        value = contents.secret(key, name)
        if value is not None:
            with self._lock:
                if self._key == key:
                    self._secrets[name] = value
        return value

    def put_secret(self, name: str, value: bytes, *, keep_existing: bool = False) -> bytes:
        """Keep `value` as `name` (VaultLocked without the key); with `keep_existing`, a value another process put
        there first wins and is returned."""
        key = self.key()
        kept = [value]

        def change(contents: VaultContents) -> None:
            existing = contents.secret(key, name) if keep_existing else None
            if existing is not None:
                kept[0] = existing
            else:
                contents.put_secret(key, name, value)

        self.file.update(change)
        with self._lock:
            if self._key == key:
                self._secrets[name] = kept[0]
        return kept[0]
