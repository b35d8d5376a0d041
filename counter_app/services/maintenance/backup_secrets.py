"""What a backup carries of the counter's secrets, inside its encryption: the audit key and the secret vault file.

Without them a database restored on a new PC holds a chain nobody can check: its key stayed in the lost PC's
keyring, vault or key file. The backup reads the counter's key the way the running application does
(AuditKeyStore); when it cannot (a vault locked with nobody signed in, a key lost already) the backup is still
written, and its header says in clear that the key is not inside (`audit_key`), for the listing and the doctor.
The vault file is carried as it is: its secrets are encrypted under the accounts' passwords already.

The section is JSON, sealed after the database in the same encrypted stream (backup_format, version 3): nothing
of it is ever written in clear, neither in the backup nor beside it.
"""

from __future__ import annotations

import base64
import binascii
import json
import logging
from dataclasses import dataclass

from counter_app.errors import IntegrityProblem
from counter_app.services.common.audit_keys import HOME_VAULT, KEY_SIZE, AuditKeyStore, key_user
from counter_app.services.common.secret_vault import VaultContents
from counter_app.services.maintenance import backup_format

log = logging.getLogger(__name__)

FORMAT = "counter_app backup secrets"


@dataclass(frozen=True)
class CarriedKey:
    """A counter's audit key as the backup found it, and where it was kept ("keyring", "vault" or "file")."""

    agency_code: str
    counter: int
    key: bytes
    home: str


@dataclass(frozen=True)
class BackupSecrets:
    keys: tuple[CarriedKey, ...] = ()
    vault: bytes | None = None  # the secret vault file, byte for byte

    def key_of(self, agency_code: str, counter: int) -> CarriedKey | None:
        return next((k for k in self.keys if (k.agency_code, k.counter) == (agency_code, counter)), None)

    def vault_holds_key(self, agency_code: str, counter: int) -> bool:
        """Whether the carried vault has an entry for the counter's key (its names are in clear, values are not)."""
        return self.vault is not None and _vault_names(self.vault) >= {key_user(agency_code, counter)}

    def to_bytes(self) -> bytes:
        if not self.keys and self.vault is None:
            return b""
        data = {
            "format": FORMAT,
            "audit_keys": [
                {"agency_code": k.agency_code, "counter": k.counter, "home": k.home, "key": _b64(k.key)}
                for k in self.keys
            ],
            "vault": None if self.vault is None else _b64(self.vault),
        }
        return json.dumps(data, sort_keys=True).encode("ascii")

    @classmethod
    def from_bytes(cls, raw: bytes) -> BackupSecrets:
        """The section read back (empty: nothing carried); IntegrityProblem when it does not parse."""
        if not raw:
            return cls()
        try:
            data = json.loads(raw.decode("ascii"))
            if not isinstance(data, dict) or data.get("format") != FORMAT:
                raise ValueError("not a secrets section")
            keys = tuple(
                CarriedKey(str(k["agency_code"]), int(k["counter"]), _unb64(k["key"]), str(k["home"]))
                for k in data.get("audit_keys", [])
            )
            if any(len(k.key) != KEY_SIZE for k in keys):
                raise ValueError("key of a wrong size")
            vault = data.get("vault")
            return cls(keys, None if vault is None else _unb64(vault))
        except (ValueError, KeyError, TypeError, UnicodeDecodeError, binascii.Error):
            raise IntegrityProblem(backup_format.DAMAGED, detail="secrets section malformed") from None


def _vault_names(raw: bytes) -> set[str]:
    try:
        return set(VaultContents.from_bytes(raw).secrets)
    except (ValueError, UnicodeDecodeError):
        return set()


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _unb64(text: object) -> bytes:
    if not isinstance(text, str):
        raise ValueError("not base64 text")
    return base64.b64decode(text.encode("ascii"), validate=True)


def gather(store: AuditKeyStore, agency_code: str, counter: int, has_events: bool) -> tuple[BackupSecrets, str]:
    """The counter's secrets for a backup and the header's `audit_key` note: "included"; "in_vault" when it is
    read from nowhere but the carried vault holds it (locked: nobody signed in); "unavailable" when the key cannot
    be read here (a key lost, a keyring out of reach) although the chain has events; "" when the counter has
    neither key nor events (nothing to check yet)."""
    vault = None
    if store.vault is not None and store.vault.in_use():
        try:
            vault = store.vault.file.path.read_bytes()
        except OSError as exc:
            log.warning("secret vault not readable for the backup: %s", type(exc).__name__)
    if not agency_code or counter <= 0:
        return BackupSecrets((), vault), ""
    key, home = store.export_key(agency_code, counter)
    if key is not None:
        return BackupSecrets((CarriedKey(agency_code, counter, key, home),), vault), backup_format.AUDIT_KEY_INCLUDED
    carried = BackupSecrets((), vault)
    if carried.vault_holds_key(agency_code, counter):
        return carried, backup_format.AUDIT_KEY_IN_VAULT
    if home == HOME_VAULT or has_events:
        log.warning("backup taken without the audit key of counter %s:%d (%s)", agency_code, counter, home)
        return BackupSecrets((), vault), backup_format.AUDIT_KEY_UNAVAILABLE
    return BackupSecrets((), vault), ""
