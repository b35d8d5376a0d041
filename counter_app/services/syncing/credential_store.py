"""Where this counter keeps its sync credential: the system keyring, else a file readable only by its owner.

The credential is what the city's sync service knows the counter by (issued by `central add-counter`, shown
once). A ward PC without a keyring keeps it in `sync-credential` in the data folder, 0600, as the audit key is
kept there (docs/security.md: weaker, whoever can read the data folder can read it).
"""

from __future__ import annotations

import logging
from pathlib import Path

from counter_app.errors import RuleError
from counter_app.private_files import create_private, restrict
from counter_app.services.common.audit_keys import keyring_possible
from counter_app.sync.credential_format import looks_like_credential

log = logging.getLogger(__name__)

KEYRING_SERVICE = "counter_app"
FILE_NAME = "sync-credential"


def _user(agency_code: str, counter: int) -> str:
    return f"sync-credential:{agency_code}:{counter}"


class SyncCredentialStore:
    def __init__(self, data_dir: Path) -> None:
        self.path = data_dir / FILE_NAME

    def save(self, agency_code: str, counter: int, credential: str) -> str:
        """Keep it; returns where: "keyring" or "file"."""
        if not looks_like_credential(credential):
            raise RuleError("Thông tin xác thực đồng bộ không đúng dạng (bắt đầu bằng “cc1.”).")
        if keyring_possible():
            try:
                import keyring

                keyring.set_password(KEYRING_SERVICE, _user(agency_code, counter), credential.strip())
                self.path.unlink(missing_ok=True)
                return "keyring"
            except Exception as exc:  # no backend, a locked Secret Service, ...
                log.warning("sync credential not kept in the keyring: %s", type(exc).__name__)
        create_private(self.path)
        self.path.write_text(credential.strip())
        return "file"

    def load(self, agency_code: str, counter: int) -> str | None:
        if keyring_possible():
            try:
                import keyring

                found = keyring.get_password(KEYRING_SERVICE, _user(agency_code, counter))
                if found:
                    return found
            except Exception as exc:
                log.warning("system keyring not usable for the sync credential: %s", type(exc).__name__)
        try:
            restrict(self.path)
            return self.path.read_text().strip() or None
        except FileNotFoundError:
            return None
