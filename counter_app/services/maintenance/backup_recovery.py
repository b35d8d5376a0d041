"""The installation's backup recovery key: backups any PC restores with the administrator's passphrase alone.

An X25519 key pair is made once, when the administrator sets the backup passphrase (`backup --set-passphrase`).
The installation keeps, in a file readable by its user only, the public key and the private key wrapped
(AES-256-GCM) under a key scrypt derives from the passphrase; nothing in it decrypts a backup. Each backup
agrees a fresh key with the public key (an ephemeral X25519 key, HKDF-SHA256) and carries the wrapped private
key in its header: taking a backup needs no keyring and no passphrase (the window's automatic backups), and
restoring one needs the passphrase only, on the PC that made it or a new one.
"""

from __future__ import annotations

import json
import logging
import secrets
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric.x25519 import X25519PrivateKey, X25519PublicKey
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat, PublicFormat

from counter_app.errors import IntegrityProblem, RuleError
from counter_app.private_files import private_dir, replacing
from counter_app.services.maintenance import backup_format
from counter_app.services.maintenance.backup_format import BackupHeader

log = logging.getLogger(__name__)

FILE_NAME = "backup-recovery-key.json"
_NONCE_SIZE = 12
_WRAP_CONTEXT = b"counter_app backup recovery key"
_AGREE_CONTEXT = b"counter_app backup key v2"

WRONG_PASSPHRASE = "Sai mật khẩu sao lưu: không giải mã được bản sao lưu này."  # noqa: S105 - a message
NEEDS_PASSPHRASE = "Bản sao lưu này được mã hóa bằng mật khẩu sao lưu: thêm --passphrase-stdin và nhập mật khẩu."  # noqa: S105 - a message
DAMAGED_FILE = (
    "Tệp khóa khôi phục bản sao lưu “{path}” bị hỏng hoặc đã bị sửa đổi; hãy đặt lại mật khẩu sao lưu: "
    "“counter-app backup --set-passphrase”."
)


@dataclass(frozen=True)
class RecoveryKey:
    """The public key and the passphrase-wrapped private key (hex), with the wrapping's scrypt salt and cost."""

    public: str
    wrapped_key: str
    salt: str
    scrypt_n: int
    scrypt_r: int
    scrypt_p: int

    @property
    def fingerprint(self) -> str:
        """A short name of the key for listings and the doctor (reveals nothing)."""
        return self.public[:16]


def path_in(data_dir: Path) -> Path:
    return data_dir / FILE_NAME


def _kek(passphrase: str, salt: str, n: int, r: int, p: int) -> bytes:
    header = BackupHeader(
        kdf=backup_format.KDF_SCRYPT, key_name="", key_check="", nonce_prefix="", chunk_size=1, compression="zlib",
        plain_size=0, created_at="", app_version="", schema_revision="", agency_code="", counter=0,
        salt=salt, scrypt_n=n, scrypt_r=r, scrypt_p=p,
    )  # fmt: skip
    return backup_format.passphrase_key(passphrase, header)


def create(passphrase: str) -> RecoveryKey:
    """A new key pair, its private half wrapped under `passphrase` (about a second of scrypt)."""
    private = X25519PrivateKey.generate()
    public = private.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    salt = secrets.token_bytes(backup_format.SALT_SIZE).hex()
    n, r, p = backup_format.SCRYPT_N, backup_format.SCRYPT_R, backup_format.SCRYPT_P
    nonce = secrets.token_bytes(_NONCE_SIZE)
    raw = private.private_bytes(Encoding.Raw, PrivateFormat.Raw, NoEncryption())
    wrapped = nonce + AESGCM(_kek(passphrase, salt, n, r, p)).encrypt(nonce, raw, _WRAP_CONTEXT + public)
    return RecoveryKey(public.hex(), wrapped.hex(), salt, n, r, p)


def save(data_dir: Path, key: RecoveryKey) -> Path:
    """Write the installation's recovery key file (0600, written whole then renamed)."""
    path = path_in(private_dir(data_dir))
    with replacing(path) as partial:
        partial.write_text(json.dumps(asdict(key), indent=1, sort_keys=True), encoding="utf-8")
    log.info("backup recovery key %s set", key.fingerprint)
    return path


def load(data_dir: Path) -> RecoveryKey | None:
    """The installation's recovery key, None when no passphrase was set; RuleError when the file is damaged."""
    path = path_in(data_dir)
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return None
    except OSError:
        raise RuleError(DAMAGED_FILE.format(path=path), detail="unreadable") from None
    try:
        key = RecoveryKey(**json.loads(text))
        if len(bytes.fromhex(key.public)) != 32 or len(bytes.fromhex(key.wrapped_key)) <= _NONCE_SIZE:
            raise ValueError("size")
        bytes.fromhex(key.salt)
    except (ValueError, TypeError, AttributeError):
        raise RuleError(DAMAGED_FILE.format(path=path), detail="malformed") from None
    return key


def from_header(header: BackupHeader) -> RecoveryKey:
    """The recovery key a backup carries (to set up a new PC restored from it)."""
    return RecoveryKey(
        header.recipient, header.wrapped_key, header.salt, header.scrypt_n, header.scrypt_r, header.scrypt_p
    )


def _agree(private: X25519PrivateKey, peer: bytes, ephemeral: bytes, recipient: bytes) -> bytes:
    shared = private.exchange(X25519PublicKey.from_public_bytes(peer))
    hkdf = HKDF(
        algorithm=hashes.SHA256(), length=backup_format.KEY_SIZE, salt=ephemeral + recipient, info=_AGREE_CONTEXT
    )
    return hkdf.derive(shared)


def sealing_key(key: RecoveryKey, header: BackupHeader) -> tuple[bytes, BackupHeader]:
    """A fresh data key for one backup run and `header` with the fields that let the passphrase find it again."""
    ephemeral = X25519PrivateKey.generate()
    ephemeral_public = ephemeral.public_key().public_bytes(Encoding.Raw, PublicFormat.Raw)
    recipient = bytes.fromhex(key.public)
    data_key = _agree(ephemeral, recipient, ephemeral_public, recipient)
    fields = replace(
        header,
        kdf=backup_format.KDF_RECOVERY,
        key_name="",
        salt=key.salt,
        scrypt_n=key.scrypt_n,
        scrypt_r=key.scrypt_r,
        scrypt_p=key.scrypt_p,
        recipient=key.public,
        ephemeral=ephemeral_public.hex(),
        wrapped_key=key.wrapped_key,
    )
    return data_key, fields


class Unlocker:
    """Opens recovery-key headers with one passphrase; each private key is unwrapped once (scrypt is slow)."""

    def __init__(self, passphrase: str | None) -> None:
        self.passphrase = passphrase
        self._private: dict[tuple[str, str], X25519PrivateKey] = {}

    def private_key(self, header: BackupHeader) -> X25519PrivateKey:
        """The recovery private key the header carries; RuleError (in Vietnamese) without the right passphrase."""
        if self.passphrase is None:
            raise RuleError(NEEDS_PASSPHRASE)
        cache = (header.recipient, header.wrapped_key)
        if cache not in self._private:
            blob = bytes.fromhex(header.wrapped_key)
            kek = _kek(self.passphrase, header.salt, header.scrypt_n, header.scrypt_r, header.scrypt_p)
            try:
                raw = AESGCM(kek).decrypt(
                    blob[:_NONCE_SIZE], blob[_NONCE_SIZE:], _WRAP_CONTEXT + bytes.fromhex(header.recipient)
                )
            except (InvalidTag, ValueError):
                raise RuleError(WRONG_PASSPHRASE, detail="recovery key not unwrapped") from None
            self._private[cache] = X25519PrivateKey.from_private_bytes(raw)
        return self._private[cache]

    def data_key(self, header: BackupHeader) -> bytes:
        """The key that decrypts the file under `header`; IntegrityProblem when the passphrase opened the recovery
        key but the header's other fields were altered (the agreed key is not the one the file was sealed with)."""
        private = self.private_key(header)
        ephemeral = bytes.fromhex(header.ephemeral)
        try:
            key = _agree(private, ephemeral, ephemeral, bytes.fromhex(header.recipient))
        except ValueError:  # not a usable public key
            key = b""
        if not key or not backup_format.matches(key, header):
            raise IntegrityProblem(backup_format.DAMAGED, detail="recovery key agreement differs")
        return key
