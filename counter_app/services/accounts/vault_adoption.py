"""A database that had accounts before the secret vault existed: its plain key files move into a vault too.

Such a database (made by an earlier version, on a PC without a keyring) keeps its audit key and sync credential
in plain 0600 files, and its accounts have no slots. The first administrator to sign in makes the vault: that
account's slot, every readable plain secret, then the plain files wiped. The other accounts' passwords are not
known then, so the vault's key is handed over to them through a private 0600 file beside it (`HANDOVER_FILE`):
each account's next sign-in makes its own slot with it, and once every enabled account has one the file is wiped.
Until then the key sits in a plain file, exactly the protection the secrets had before (no regression), and the
doctor says who has yet to sign in.

Crash-safety, in the order of the steps: the handover file first, then the vault (a handover without a vault is
overwritten by the next attempt), then the keys' home marked as the vault, then the plain files wiped (leftovers
equal to what the vault holds are removed at the next sign-in, `VaultSlots._finish_migration`).
"""

from __future__ import annotations

import base64
import binascii
import logging
from collections.abc import Callable
from pathlib import Path

from counter_app.errors import RuleError
from counter_app.private_files import replacing
from counter_app.services.common.audit_keys import HOME_FILE, HOME_VAULT, key_user, mark_key
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.secret_vault import (
    SYNC_CREDENTIAL_FILE,
    VaultContents,
    make_slot,
    new_vault_key,
    read_plain_credential,
    sync_credential_name,
)

log = logging.getLogger(__name__)

HANDOVER_FILE = "secret-vault.handover"


def handover_path(data_dir: Path) -> Path:
    return data_dir / HANDOVER_FILE


def read_handover(data_dir: Path) -> bytes | None:
    try:
        key = base64.b64decode(handover_path(data_dir).read_bytes(), validate=True)
    except (OSError, ValueError, binascii.Error):
        return None
    return key if len(key) == 32 else None


def accounts_without_slot(context: ServiceContext, contents: VaultContents) -> list[str]:
    """The enabled accounts the vault has no slot for (a disabled one gets its slot with a password reset)."""
    with context.uow() as uow:
        return sorted(a.name for a in uow.users.all() if not a.disabled and a.name not in contents.slots)


def adopt_plain_secrets(
    context: ServiceContext, name: str, password: str, wipe: Callable[[Path], None]
) -> bytes | None:
    """At an administrator's sign-in on a database with accounts and no vault, where no keyring works and the
    audit key is a plain file: the vault, made as described above. The vault key, or None when this is not that
    case (a keyring, a vault already there or lost: `VaultSlots._rebuild_lost`)."""
    keys = context.audit_keys
    settings = context.settings()
    if keys is None or not settings.is_configured or context.vault.file.exists():
        return None
    with context.uow() as uow:
        home = uow.settings.get(mark_key(settings.agency_code, settings.counter))
    if home not in (None, "", HOME_FILE) or keys.keyring_usable(settings.agency_code, settings.counter):
        return None
    plain = keys.plain_keys()
    credential = read_plain_credential(context.data_dir)
    if not plain and credential is None:
        return None  # nothing was ever kept in a plain file here
    vault_key = new_vault_key()
    contents = VaultContents(slots={name: make_slot(name, password, vault_key)})
    moved: list[Path] = []
    for (agency_code, counter), (path, key) in plain.items():
        contents.put_secret(vault_key, key_user(agency_code, counter), key)
        moved.append(path)
    if credential is not None:
        credential_name = sync_credential_name(settings.agency_code, settings.counter)
        contents.put_secret(vault_key, credential_name, credential.encode())
        moved.append(context.data_dir / SYNC_CREDENTIAL_FILE)
    waiting = accounts_without_slot(context, contents)
    if waiting:
        with replacing(handover_path(context.data_dir)) as partial:
            partial.write_bytes(base64.b64encode(vault_key))
    if not context.vault.file.create(contents, only_if_missing=True):
        return None  # another process made it first: the caller opens that one
    with context.uow(write=True) as uow:
        for agency_code, counter in plain:
            uow.settings.put(mark_key(agency_code, counter), HOME_VAULT)
        uow.commit()
    for path in moved:
        wipe(path)
    keys.forget_cached()
    log.warning(
        "plain secrets moved into a new secret vault at an administrator's sign-in (%d secrets, %d accounts to come)",
        len(contents.secrets),
        len(waiting),
    )
    return vault_key


def slot_from_handover(
    context: ServiceContext, name: str, password: str, contents: VaultContents, wipe: Callable[[Path], None]
) -> bytes | None:
    """An account without a slot signs in while the handover file is there: its slot, made with the handed-over key
    (checked against the vault's secrets); the file wiped once every enabled account has a slot."""
    key = read_handover(context.data_dir)
    if key is None:
        return None
    if not _opens(contents, key):
        log.error("the secret vault's handover file does not open the vault: ignored")
        return None
    slot = make_slot(name, password, key)

    def add(current: VaultContents) -> None:
        current.slots.setdefault(name, slot)

    updated = context.vault.file.update(add)
    if not accounts_without_slot(context, updated):
        wipe(handover_path(context.data_dir))
        log.info("every account has its slot in the secret vault: the handover file is wiped")
    return key


def _opens(contents: VaultContents, key: bytes) -> bool:
    """Whether `key` is the vault's (one of its secrets authenticates with it); an empty vault cannot tell."""
    first = next(iter(contents.secrets), None)
    if first is None:
        return True
    try:
        return contents.secret(key, first) is not None
    except RuleError:
        return False


def handover_waiting(context: ServiceContext) -> list[str]:
    """The accounts the handover file still waits for (none when there is no such file): for the doctor."""
    if read_handover(context.data_dir) is None:
        return []
    contents = context.vault.file.read()
    return accounts_without_slot(context, contents) if contents is not None else []
