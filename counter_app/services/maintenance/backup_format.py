"""The encrypted backup file: header, key derivation and chunked AES-256-GCM streaming (STREAM construction).

Layout: MAGIC (8 bytes) | version (u16, big-endian) | header length (u32) | header (UTF-8 JSON) | chunks.
The plaintext (the SQLite snapshot) is zlib-compressed, then cut into chunks of `chunk_size` bytes; each
chunk is sealed with AES-256-GCM under the nonce  nonce_prefix (7) | chunk index (u32) | last flag (1), with
the whole header as associated data. Every chunk but the last is exactly `chunk_size` bytes (the last is
shorter, possibly empty), so a reader knows the last chunk by its length; the flag in the nonce then makes a
file cut at a chunk boundary, reordered chunks or an altered header fail authentication. Memory use is one
chunk whatever the database size.

How the key is found (`kdf`): "keyring" (a random key in this PC's keyring), "scrypt" (derived from a passphrase
typed for this one backup), or "recovery-key" (format version 2, see backup_recovery): the key is agreed with
the installation's recovery public key (X25519), whose private half travels in the header wrapped under the
administrator's backup passphrase, so the file restores on any PC with the passphrase alone.

Format version 3 (any `kdf`) adds the secrets section (backup_secrets: the counter's audit key, the secret vault
file): `secrets_size` bytes of plaintext sealed after the database's, in the same encrypted stream, never in clear.
Its header says in clear only whether the audit key is inside (`audit_key`), so a listing can tell without a key.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import secrets
import struct
import zlib
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

from counter_app.errors import IntegrityProblem, RuleError

MAGIC = b"CTRBAK\r\n"  # the CR LF catches a copy that rewrote line endings
FORMAT_VERSION = 1
RECOVERY_FORMAT_VERSION = 2  # the header's recovery fields: a version-1 reader says "update" instead of "damaged"
SECRETS_FORMAT_VERSION = 3  # a secrets section and its note in the header: older readers say "update"
MAX_SECRETS = 1 << 20  # the secrets section is read into memory: a planted header must not ask for more
# `audit_key` in the header: the counter's audit key is inside; inside only the carried secret vault (locked when
# the backup was taken: it opens with an account's password after the restore); or not inside at all
AUDIT_KEY_INCLUDED = "included"
AUDIT_KEY_IN_VAULT = "in_vault"
AUDIT_KEY_UNAVAILABLE = "unavailable"
AUDIT_KEY_STATES = ("", AUDIT_KEY_INCLUDED, AUDIT_KEY_IN_VAULT, AUDIT_KEY_UNAVAILABLE)
KEY_SIZE = 32
TAG_SIZE = 16
NONCE_PREFIX_SIZE = 7
SALT_SIZE = 16
KEY_CHECK_SIZE = 8
CHUNK_SIZE = 1 << 20
MAX_HEADER = 64 * 1024
COMPRESS_LEVEL = 6
KDF_KEYRING = "keyring"
KDF_SCRYPT = "scrypt"
KDF_RECOVERY = "recovery-key"
KDFS = (KDF_KEYRING, KDF_SCRYPT, KDF_RECOVERY)
# scrypt at N=2^17, r=8, p=1 (128 MiB, about a second): an administrator's passphrase guarded against
# guessing on a stolen file, at a cost paid once per backup or restore.
SCRYPT_N = 1 << 17
SCRYPT_R = 8
SCRYPT_P = 1
_PREFIX = struct.Struct(">8sHI")

NOT_A_BACKUP = "Tệp này không phải bản sao lưu của ứng dụng Bộ phận Một cửa (hoặc đã bị hỏng phần đầu tệp)."
DAMAGED = "Bản sao lưu bị hỏng hoặc đã bị sửa đổi: không giải mã được trọn vẹn. Hãy dùng một bản sao lưu khác."


@dataclass(frozen=True)
class BackupHeader:
    """What a backup says about itself in clear: how its key is found, and no personal data."""

    kdf: str
    key_name: str
    key_check: str
    nonce_prefix: str
    chunk_size: int
    compression: str
    plain_size: int
    created_at: str
    app_version: str
    schema_revision: str
    agency_code: str
    counter: int
    salt: str = ""
    scrypt_n: int = 0
    scrypt_r: int = 0
    scrypt_p: int = 0
    # recovery-key only (hex): the recovery public key, this file's ephemeral public key, and the recovery
    # private key wrapped under the passphrase (salt and scrypt parameters above)
    recipient: str = ""
    ephemeral: str = ""
    wrapped_key: str = ""
    # format version 3 only: whether the audit key is inside ("" in older files), the secrets section's size
    audit_key: str = ""
    secrets_size: int = 0

    @property
    def version(self) -> int:
        if self.audit_key or self.secrets_size:
            return SECRETS_FORMAT_VERSION
        return RECOVERY_FORMAT_VERSION if self.kdf == KDF_RECOVERY else FORMAT_VERSION

    def to_bytes(self) -> bytes:
        data = asdict(self)
        if self.kdf != KDF_RECOVERY:  # byte for byte the version-1 header older versions read
            for name in ("recipient", "ephemeral", "wrapped_key"):
                del data[name]
        version = self.version
        if version != SECRETS_FORMAT_VERSION:  # byte for byte the version-1 or version-2 header
            for name in ("audit_key", "secrets_size"):
                del data[name]
        body = json.dumps(data, ensure_ascii=False, sort_keys=True).encode("utf-8")
        return _PREFIX.pack(MAGIC, version, len(body)) + body


def new_header(
    *,
    kdf: str,
    key_name: str,
    plain_size: int,
    created_at: str,
    app_version: str,
    schema_revision: str,
    agency_code: str,
    counter: int,
) -> BackupHeader:
    """A header with a fresh nonce prefix and, for a passphrase, a fresh salt; `key_check` is set by `seal`."""
    passphrase = kdf == KDF_SCRYPT
    return BackupHeader(
        kdf=kdf,
        key_name=key_name,
        key_check="",
        nonce_prefix=secrets.token_bytes(NONCE_PREFIX_SIZE).hex(),
        chunk_size=CHUNK_SIZE,
        compression="zlib",
        plain_size=plain_size,
        created_at=created_at,
        app_version=app_version,
        schema_revision=schema_revision,
        agency_code=agency_code,
        counter=counter,
        salt=secrets.token_bytes(SALT_SIZE).hex() if passphrase else "",
        scrypt_n=SCRYPT_N if passphrase else 0,
        scrypt_r=SCRYPT_R if passphrase else 0,
        scrypt_p=SCRYPT_P if passphrase else 0,
    )


def read_header(source: BinaryIO) -> tuple[BackupHeader, bytes]:
    """The header and its exact bytes (the associated data of every chunk); RuleError when it is not a backup."""
    prefix = source.read(_PREFIX.size)
    if len(prefix) < _PREFIX.size:
        raise RuleError(NOT_A_BACKUP)
    magic, version, length = _PREFIX.unpack(prefix)
    if magic != MAGIC:
        raise RuleError(NOT_A_BACKUP)
    if version not in (FORMAT_VERSION, RECOVERY_FORMAT_VERSION, SECRETS_FORMAT_VERSION):
        raise RuleError(
            f"Bản sao lưu dùng định dạng phiên bản {version}, phiên bản ứng dụng này không đọc được; "
            "hãy cập nhật ứng dụng."
        )
    if length > MAX_HEADER:
        raise RuleError(NOT_A_BACKUP)
    body = source.read(length)
    try:
        data = json.loads(body.decode("utf-8"))
        header = BackupHeader(**data)
        bytes.fromhex(header.nonce_prefix)
        for value in (header.salt, header.recipient, header.ephemeral, header.wrapped_key):
            bytes.fromhex(value)
    except (UnicodeDecodeError, ValueError, TypeError):
        raise RuleError(NOT_A_BACKUP) from None
    if (
        header.kdf not in KDFS
        or header.version != version
        or header.audit_key not in AUDIT_KEY_STATES
        or not 0 <= header.secrets_size <= MAX_SECRETS
        or header.chunk_size <= 0
        or header.compression != "zlib"
    ):
        raise RuleError(NOT_A_BACKUP)
    return header, prefix + body


def passphrase_key(passphrase: str, header: BackupHeader) -> bytes:
    """The 32-byte key scrypt derives from `passphrase` with the header's salt and parameters."""
    kdf = Scrypt(
        salt=bytes.fromhex(header.salt), length=KEY_SIZE, n=header.scrypt_n, r=header.scrypt_r, p=header.scrypt_p
    )
    return kdf.derive(passphrase.encode("utf-8"))


def key_check(key: bytes) -> str:
    """A short value that tells the right key from a wrong one before decrypting (and reveals nothing of it)."""
    return hmac.new(key, b"counter_app backup key check", hashlib.sha256).digest()[:KEY_CHECK_SIZE].hex()


def matches(key: bytes, header: BackupHeader) -> bool:
    return hmac.compare_digest(key_check(key), header.key_check)


def _nonce(header: BackupHeader, index: int, last: bool) -> bytes:
    return bytes.fromhex(header.nonce_prefix) + index.to_bytes(4, "big") + (b"\x01" if last else b"\x00")


def seal(
    source: BinaryIO, target: BinaryIO, key: bytes, header: BackupHeader, secrets_section: bytes = b""
) -> BackupHeader:
    """Write `header` (with the key's check value) then `source` and `secrets_section` (`header.secrets_size`
    bytes) compressed and encrypted as one stream; returns the header."""
    if len(secrets_section) != header.secrets_size:
        raise ValueError("the secrets section is not the size the header says")
    sealed = BackupHeader(**{**asdict(header), "key_check": key_check(key)})
    associated = sealed.to_bytes()
    target.write(associated)
    aead = AESGCM(key)
    size = sealed.chunk_size
    compressor = zlib.compressobj(COMPRESS_LEVEL)
    pending = bytearray()
    index = 0

    def emit(chunk: bytes, last: bool) -> None:
        nonlocal index
        target.write(aead.encrypt(_nonce(sealed, index, last), chunk, associated))
        index += 1

    while data := source.read(size):
        pending += compressor.compress(data)
        while len(pending) > size:  # keep a tail: the last chunk must be the short one
            emit(bytes(pending[:size]), last=False)
            del pending[:size]
    pending += compressor.compress(secrets_section) + compressor.flush()
    while len(pending) >= size:
        emit(bytes(pending[:size]), last=False)
        del pending[:size]
    emit(bytes(pending), last=True)
    return sealed


def _read_block(source: BinaryIO, size: int) -> bytes:
    parts: list[bytes] = []
    remaining = size
    while remaining:
        part = source.read(remaining)
        if not part:
            break
        parts.append(part)
        remaining -= len(part)
    return b"".join(parts)


class _Split:
    """Writes the first `first` bytes to `target` and keeps the rest (the secrets section) in memory."""

    def __init__(self, target: BinaryIO, first: int, rest: bytearray) -> None:
        self.target, self.left, self.rest = target, first, rest

    def write(self, data: bytes) -> None:
        head = data[: self.left]
        if head:
            self.target.write(head)
            self.left -= len(head)
        self.rest += data[len(head) :]


def open_sealed(
    source: BinaryIO,
    target: BinaryIO,
    key: bytes,
    header: BackupHeader,
    associated: bytes,
    progress: Callable[[int], None] | None = None,
    secrets_section: bytearray | None = None,
) -> int:
    """Decrypt and decompress the chunks after the header into `target` (the database's `plain_size` bytes), the
    secrets section into `secrets_section`; returns the bytes written to `target`; IntegrityProblem when damaged."""
    aead = AESGCM(key)
    decompressor = zlib.decompressobj()
    block_size = header.chunk_size + TAG_SIZE
    rest = bytearray() if secrets_section is None else secrets_section
    sink = _Split(target, header.plain_size, rest)
    expected = header.plain_size + header.secrets_size
    written = 0
    index = 0
    while True:
        block = _read_block(source, block_size)
        last = len(block) < block_size
        try:
            plain = aead.decrypt(_nonce(header, index, last), block, associated)
            # bounded output per call: a highly compressible chunk must not expand into RAM all at once
            data = decompressor.decompress(plain, header.chunk_size)
            sink.write(data)
            written += len(data)
            while decompressor.unconsumed_tail:
                data = decompressor.decompress(decompressor.unconsumed_tail, header.chunk_size)
                sink.write(data)
                written += len(data)
        except (InvalidTag, zlib.error, ValueError):
            raise IntegrityProblem(DAMAGED, detail=f"chunk {index} failed authentication") from None
        if written > expected:
            raise IntegrityProblem(DAMAGED, detail=f"plaintext longer than the header's {expected} bytes")
        index += 1
        if progress is not None:
            progress(written)
        if last:
            break
    try:
        tail = decompressor.flush()
    except zlib.error:
        raise IntegrityProblem(DAMAGED, detail="compressed stream broken") from None
    sink.write(tail)
    written += len(tail)
    if not decompressor.eof or written != expected:
        raise IntegrityProblem(DAMAGED, detail=f"plaintext {written} bytes, header says {expected}")
    return written - len(rest)
