"""Where this counter keeps its sync credential: the system keyring, else a file readable only by its owner.

The credential is what the city's sync service knows the counter by (issued by `central add-counter`, shown
once). A ward PC without a keyring keeps it in the secret vault once the database has accounts (encrypted, opened
by the password of the person signed in: `services/common/secret_vault.py`), else in `sync-credential` in the
data folder, 0600, as the audit key is kept there (docs/security.md: weaker, whoever can read the data folder
can read it). The keyring always comes first.
"""

from __future__ import annotations

import logging
from pathlib import Path

from counter_app.errors import RuleError
from counter_app.private_files import create_private, restrict
from counter_app.services.common.audit_keys import keyring_possible
from counter_app.services.common.secret_vault import (
    SYNC_CREDENTIAL_FILE,
    VaultSession,
    sync_credential_name,
)
from counter_app.sync.credential_format import looks_like_credential

log = logging.getLogger(__name__)

KEYRING_SERVICE = "counter_app"
FILE_NAME = SYNC_CREDENTIAL_FILE


class SyncCredentialStore:
    def __init__(self, data_dir: Path, vault: VaultSession | None = None) -> None:
        self.path = data_dir / FILE_NAME
        self.vault = vault

    def _vault_in_use(self) -> bool:
        return self.vault is not None and self.vault.in_use()

    def save(self, agency_code: str, counter: int, credential: str) -> str:
        """Keep it; returns where: "keyring", "vault" or "file" (VaultLocked when the vault needs a sign-in)."""
        if not looks_like_credential(credential):
            raise RuleError("Thông tin xác thực đồng bộ không đúng dạng (bắt đầu bằng “cc1.”).")
        if keyring_possible():
            try:
                import keyring

                keyring.set_password(KEYRING_SERVICE, sync_credential_name(agency_code, counter), credential.strip())
                self.path.unlink(missing_ok=True)
                return "keyring"
            except Exception as exc:  # no backend, a locked Secret Service, ...
                log.warning("sync credential not kept in the keyring: %s", type(exc).__name__)
        if self.vault is not None and self._vault_in_use():
            self.vault.put_secret(sync_credential_name(agency_code, counter), credential.strip().encode("utf-8"))
            return "vault"
        create_private(self.path)
        self.path.write_text(credential.strip())
        return "file"

    def load(self, agency_code: str, counter: int) -> str | None:
        if keyring_possible():
            try:
                import keyring

                found = keyring.get_password(KEYRING_SERVICE, sync_credential_name(agency_code, counter))
                if found:
                    return found
            except Exception as exc:
                log.warning("system keyring not usable for the sync credential: %s", type(exc).__name__)
        if self.vault is not None and self._vault_in_use():
            # VaultLocked when it is there and nobody signed in: the sync needs a signed-in person
            found_in_vault = self.vault.secret(sync_credential_name(agency_code, counter))
            return found_in_vault.decode("utf-8") if found_in_vault else None
        try:
            restrict(self.path)
            return self.path.read_text().strip() or None
        except FileNotFoundError:
            return None
