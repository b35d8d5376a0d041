"""The secret vault's slots follow the accounts: made with the first administrator, one per active account.

Where no keyring works, adding the first administrator moves the plain 0600 key files into a new vault with that
account's slot: the vault is written durably inside the transaction that adds the account, and the plain files
are removed (overwritten, then unlinked) only after that transaction committed. A crash in between leaves a
working state: before the commit the database has no account and the plain files are still used (the vault is
not in use, and is made again at the next first administrator); after it, the vault is used and the plain files
left over are ignored, then removed at the next sign-in that opens the vault.

A database whose accounts predate the vault moves in at an administrator's sign-in (vault_adoption).

Later, an administrator's session (which holds the vault key) gives a new account, or a reset password, its slot;
a password change re-wraps the person's own slot; disabling an account removes its slot (re-enabling it needs
a password reset, which makes a new one).
"""

from __future__ import annotations

import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from counter_app.private_files import fsync_dir
from counter_app.services.accounts.vault_adoption import adopt_plain_secrets, slot_from_handover
from counter_app.services.common.audit_keys import HOME_VAULT, key_user, mark_key
from counter_app.services.common.context import ServiceContext
from counter_app.services.common.secret_vault import (
    SYNC_CREDENTIAL_FILE,
    Slot,
    VaultContents,
    VaultSession,
    make_slot,
    new_vault_key,
    open_slot,
    read_plain_credential,
    sync_credential_name,
)
from counter_app.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)


@dataclass
class FirstVault:
    """A vault about to be made with the first administrator: its key, that account's slot, the files it replaces."""

    key: bytes
    name: str
    slot: Slot
    plain_files: list[Path] = field(default_factory=list)


class VaultSlots:
    """The vault operations of the account service (every one a no-op where the vault is not in use)."""

    def __init__(self, context: ServiceContext) -> None:
        self.context = context

    @property
    def _vault(self) -> VaultSession:
        return self.context.vault

    def in_use(self) -> bool:
        return self._vault.in_use()

    # the first administrator
    def prepare_first(self, name: str, password: str) -> FirstVault | None:
        """A new vault for the first account, where no keyring works (scrypt: outside the write transaction)."""
        keys = self.context.audit_keys
        assert keys is not None
        settings = self.context.settings()
        if keys.keyring_usable(settings.agency_code, settings.counter):
            return None  # the keyring keeps the secrets, exactly as before
        vault_key = new_vault_key()
        return FirstVault(vault_key, name, make_slot(name, password, vault_key))

    def create_first(self, first: FirstVault, uow: UnitOfWork) -> None:
        """Write the vault with the plain secrets as they are now (in the account's write transaction, before its
        commit: the plain files are removed only once the account that opens the vault exists)."""
        keys = self.context.audit_keys
        assert keys is not None
        contents = VaultContents(slots={first.name: first.slot})
        for (agency_code, counter), (path, key) in keys.plain_keys().items():
            contents.put_secret(first.key, key_user(agency_code, counter), key)
            uow.settings.put(mark_key(agency_code, counter), HOME_VAULT)
            first.plain_files.append(path)
        settings = self.context.settings()
        credential = read_plain_credential(self.context.data_dir)
        if credential is not None and settings.is_configured:
            name = sync_credential_name(settings.agency_code, settings.counter)
            contents.put_secret(first.key, name, credential.encode())
            first.plain_files.append(self.context.data_dir / SYNC_CREDENTIAL_FILE)
        self._vault.file.create(contents)
        keys.forget_cached()
        log.info("secret vault made with the first administrator (%d secrets moved)", len(contents.secrets))

    def remove_plain(self, first: FirstVault) -> None:
        """After the commit: the plain copies go (the vault holding them is durable)."""
        for path in first.plain_files:
            wipe(path)

    # slots
    def slot_for(self, name: str, password: str) -> Slot | None:
        """A slot for `name` made with the vault key of the session (VaultLocked without it); None without a vault."""
        if not self.in_use():
            return None
        return make_slot(name, password, self._vault.key())

    def rewrap(self, name: str, password: str, vault_key: bytes | None) -> Slot | None:
        """The person's own slot under a new password, with the key their current password just unwrapped."""
        if not self.in_use():
            return None
        key = vault_key or (self._vault.key() if self._vault.unlocked else None)
        if key is None:
            log.warning("password changed for an account without a slot in the secret vault")
            return None
        return make_slot(name, password, key)

    def put(self, name: str, slot: Slot | None) -> None:
        """Add or replace `name`'s slot (in the account's write transaction, before its commit)."""
        if slot is None:
            return

        def change(contents: VaultContents) -> None:
            contents.slots[name] = slot

        self._vault.file.update(change)

    def remove(self, name: str) -> None:
        """`name`'s slot goes: its password no longer opens the vault."""
        if not self.in_use():
            return

        def change(contents: VaultContents) -> None:
            contents.slots.pop(name, None)

        self._vault.file.update(change)

    def unwrap(self, name: str, password: str, *, admin: bool = False) -> bytes | None:
        """The vault key from `name`'s slot (the password was checked already); None without vault or slot.

        A vault that was in use and is lost (the file deleted, the database restored on another PC) is made anew,
        empty, at an administrator's sign-in: the audit key made then is recorded as a key change."""
        if not self.in_use():
            if not admin:
                return None
            return self._rebuild_lost(name, password) or adopt_plain_secrets(self.context, name, password, wipe)
        contents = self._vault.file.read()
        slot = contents.slots.get(name) if contents is not None else None
        if slot is None:
            handed = slot_from_handover(self.context, name, password, contents, wipe) if contents else None
            if handed is None:
                log.info("signed in without a slot in the secret vault (added or re-enabled without a new password)")
            return handed
        key = open_slot(name, slot, password)
        if key is None:
            log.warning("the secret vault's slot of an account does not open with its password")
            return None
        self._finish_migration(contents, key)
        return key

    def _rebuild_lost(self, name: str, password: str) -> bytes | None:
        keys = self.context.audit_keys
        settings = self.context.settings()
        if keys is None or not settings.is_configured or self._vault.file.exists():
            return None
        with self.context.uow() as uow:
            home = uow.settings.get(mark_key(settings.agency_code, settings.counter))
        if home != HOME_VAULT or keys.keyring_usable(settings.agency_code, settings.counter):
            return None
        vault_key = new_vault_key()
        if not self._vault.file.create(
            VaultContents({name: make_slot(name, password, vault_key)}), only_if_missing=True
        ):
            return self.unwrap(name, password)  # another process made it first
        keys.forget_cached()
        log.error("the secret vault was lost: made anew, empty, at an administrator's sign-in")
        return vault_key

    def _finish_migration(self, contents: VaultContents | None, vault_key: bytes) -> None:
        """Plain copies left by a crash after the first administrator was added: removed once the vault holds them."""
        keys = self.context.audit_keys
        if contents is None or keys is None:
            return
        for (agency_code, counter), (path, key) in keys.plain_keys().items():
            if contents.secret(vault_key, key_user(agency_code, counter)) == key:
                wipe(path)
        credential = read_plain_credential(self.context.data_dir)
        settings = self.context.settings()
        if credential is not None and settings.is_configured:
            kept = contents.secret(vault_key, sync_credential_name(settings.agency_code, settings.counter))
            if kept == credential.encode():
                wipe(self.context.data_dir / SYNC_CREDENTIAL_FILE)


def wipe(path: Path) -> None:
    """Overwrite a plain secret file, make that durable, then unlink it and make the unlink durable."""
    try:
        size = path.stat().st_size
        with path.open("r+b") as handle:
            handle.write(b"\0" * size)
            handle.flush()
            os.fsync(handle.fileno())
        path.unlink()
    except FileNotFoundError:
        return
    fsync_dir(path.parent)
