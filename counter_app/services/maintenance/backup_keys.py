"""The backups' keys: a random key kept in the system keyring per counter, or an administrator's passphrase.

A recovery key set by the administrator (backup_recovery) takes precedence over the keyring for new backups."""

from __future__ import annotations

import base64
import binascii
import logging
import secrets

from counter_app.errors import RuleError
from counter_app.services.maintenance.backup_format import KEY_SIZE

log = logging.getLogger(__name__)

KEYRING_SERVICE = "counter_app"
MIN_PASSPHRASE = 10

NO_KEYRING = (
    "Không dùng được kho khóa của hệ thống (nơi giữ khóa mã hóa bản sao lưu). Người quản trị hãy đặt mật khẩu sao "
    "lưu một lần (“counter-app backup --set-passphrase”): từ đó ứng dụng tự sao lưu không cần kho khóa và bản sao "
    "lưu phục hồi được trên máy khác. Hoặc thêm --passphrase-stdin để sao lưu lần này bằng mật khẩu."
)


def key_name(agency_code: str, counter: int) -> str:
    """The keyring user under which this counter's backup key is kept."""
    return f"backup-key:{agency_code}:{counter}"


def _get(name: str) -> str | None:
    try:
        import keyring

        return keyring.get_password(KEYRING_SERVICE, name)
    except Exception as exc:  # no backend on a headless machine, a locked or absent Secret Service, ...
        log.warning("system keyring not usable: %s", type(exc).__name__)
        raise RuleError(NO_KEYRING, detail=type(exc).__name__) from None


def _decode(text: str) -> bytes:
    try:
        key = base64.b64decode(text.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError):
        key = b""
    if len(key) != KEY_SIZE:
        raise RuleError("Khóa sao lưu trong kho khóa của hệ thống không hợp lệ (đã bị sửa đổi?).")
    return key


def stored_key(name: str) -> bytes | None:
    """The key kept under `name`, None when the keyring holds none; RuleError when there is no usable keyring."""
    text = _get(name)
    return None if text is None else _decode(text)


def key_for_backup(name: str) -> bytes:
    """The key under `name`, created (random, 256 bits) the first time; the caller holds the backup lock."""
    existing = stored_key(name)
    if existing is not None:
        return existing
    key = secrets.token_bytes(KEY_SIZE)
    try:
        import keyring

        keyring.set_password(KEYRING_SERVICE, name, base64.b64encode(key).decode("ascii"))
    except Exception as exc:
        log.warning("could not store the backup key: %s", type(exc).__name__)
        raise RuleError(NO_KEYRING, detail=type(exc).__name__) from None
    # read back: a backup must never be sealed with a key that is not where the restore will look for it
    if stored_key(name) != key:
        raise RuleError(NO_KEYRING, detail="key read back differs")
    log.info("new backup key created in the system keyring")
    return key


def check_new_passphrase(passphrase: str) -> str:
    if len(passphrase) < MIN_PASSPHRASE:
        raise RuleError(f"Mật khẩu sao lưu cần ít nhất {MIN_PASSPHRASE} ký tự.")
    return passphrase
