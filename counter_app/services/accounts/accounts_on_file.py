"""The accounts of a database file, read before the services are built (the command line's sign-in).

The file is opened as it is, never upgraded or seeded; one from before accounts existed, or too damaged to read,
has no account to sign in to — whoever can damage the file can replace it anyway, and `restore` must still work.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from counter_app.domain.clock import Clock
from counter_app.services.accounts.account_views import SessionView
from counter_app.services.accounts.clerk_accounts import AccountService
from counter_app.services.common.context import ServiceContext
from counter_app.storage.database import UnreadableDatabase, open_database


@dataclass(frozen=True)
class AccountsOnFile:
    """The account service over an existing database file, and what the sign-in asks of it."""

    service: AccountService

    def exist(self) -> bool:
        """Whether the file has accounts (none when it cannot be read)."""
        try:
            return bool(self.service.accounts_exist())
        except UnreadableDatabase:
            return False

    def made_for_drills(self) -> bool:
        """Whether the database was created for drills or training (`init --drill`, the demo)."""
        try:
            return bool(self.service.context.settings().drill)
        except UnreadableDatabase:
            return False

    def secrets_in_vault(self) -> bool:
        """Whether the secrets are in the secret vault (no keyring): reading the audit key needs a sign-in."""
        try:
            return self.service.context.vault.in_use()
        except UnreadableDatabase:
            return False

    def authenticate(self, name: str, password: str) -> SessionView:
        return self.service.authenticate(name, password)


@contextmanager
def accounts_on_file(db_path: Path, clock: Clock) -> Iterator[AccountsOnFile]:
    """The accounts of an existing database file, closed on leaving."""
    # damaged_ok: a database too damaged to read its accounts has nobody to sign in to (`restore` must work)
    database = open_database(db_path, create=False, damaged_ok=True)
    context = ServiceContext(database=database, clock=clock, data_dir=db_path.parent)
    try:
        yield AccountsOnFile(AccountService(context))
    finally:
        context.database.dispose()
