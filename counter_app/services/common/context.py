"""What every service is built with: the database, the clock, the data folder and who is at the counter."""

from __future__ import annotations

import contextvars
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path

from counter_app.domain.clock import Clock
from counter_app.domain.roles import FULL_IDENTIFIERS_IN_LISTS, Permission, allowed, parse_role, refusal_message
from counter_app.errors import PermissionDenied
from counter_app.services.common.audit_keys import AuditKeyStore
from counter_app.services.common.secret_vault import VaultSession
from counter_app.services.common.settings import Settings, settings_from_store
from counter_app.storage.database import Database
from counter_app.storage.unit_of_work import UnitOfWork

NOT_SIGNED_IN = (
    "Cần đăng nhập để làm việc này: trên dòng lệnh thêm --user TÊN và mật khẩu (--password-stdin hoặc biến "
    "môi trường COUNTER_APP_PASSWORD)."
)


@dataclass(frozen=True)
class ActingClerk:
    """Who does an action: taken when the action is queued, so that a change of person before it runs does not
    record it under the next one."""

    name: str = ""
    role: str = ""
    full_name: str = ""
    """The account's full name, as forms print it ("" without accounts or when the account has none)."""


# the person an action queued in the window acts as, bound (per ServiceContext) around the action's run
_ACTING: contextvars.ContextVar[tuple[ServiceContext, ActingClerk] | None] = contextvars.ContextVar(
    "counter_app_acting_clerk", default=None
)


@dataclass
class ServiceContext:
    database: Database
    clock: Clock
    data_dir: Path
    audit_keys: AuditKeyStore | None = None
    # the person signed in now (shared, changed by sign-in and sign-out); see `clerk`, `role`, `acting_as`
    _signed_in: ActingClerk = field(default=ActingClerk(), repr=False)
    _settings: Settings | None = field(default=None, repr=False)
    _accounts_exist: bool = field(default=False, repr=False)
    # the secret vault of a PC without a keyring, with the signed-in person's vault key in memory (sign-in, sign-out)
    vault: VaultSession = field(init=False, repr=False)

    def __post_init__(self) -> None:
        self.vault = VaultSession(self.data_dir, self.accounts_exist)
        if self.audit_keys is None:
            self.audit_keys = AuditKeyStore(self.data_dir)
        if self.audit_keys.vault is None:
            self.audit_keys.vault = self.vault

    @property
    def acting(self) -> ActingClerk:
        """Who the current action is done by: the person bound to it (`acting_as`), else the one signed in."""
        bound = _ACTING.get()
        if bound is not None and bound[0] is self:
            return bound[1]
        return self._signed_in

    @property
    def clerk(self) -> str:
        """Recorded in every event: the acting account's name; without accounts, the settings' clerk name, read
        at every action so that a change of it takes effect at once."""
        name = self.acting.name
        if name or self.accounts_exist():
            return name
        return self.settings().clerk_name

    @clerk.setter
    def clerk(self, name: str) -> None:
        self._set_signed_in(ActingClerk(name, self._signed_in.role))

    @property
    def officer_name(self) -> str:
        """The name a form prints for the person acting: the account's full name, else its account name;
        without accounts, the settings' clerk name."""
        return self.acting.full_name or self.clerk

    def sign_in_as(self, person: ActingClerk) -> None:
        """Make `person` the one signed in: every following action is recorded and checked for them."""
        self._set_signed_in(person)

    @property
    def role(self) -> str:
        """The signed-in account's role; "" when nobody is signed in."""
        return self.acting.role

    @role.setter
    def role(self, role: str) -> None:
        self._set_signed_in(replace(self._signed_in, role=role))

    def _set_signed_in(self, person: ActingClerk) -> None:
        self._signed_in = person
        if (bound := _ACTING.get()) is not None and bound[0] is self:
            _ACTING.set((self, person))  # a sign-in or sign-out inside an action: the rest of it acts as the new one

    @contextmanager
    def acting_as(self, person: ActingClerk) -> Iterator[None]:
        """Within this block (this thread), the services record `person` whatever the signed-in state becomes."""
        token = _ACTING.set((self, person))
        try:
            yield
        finally:
            _ACTING.reset(token)

    def uow(self, *, write: bool = False) -> UnitOfWork:
        return UnitOfWork(self.database, write=write, audit_keys=self.audit_keys)

    def settings(self) -> Settings:
        if self._settings is None:
            with self.uow() as uow:
                self._settings = settings_from_store(uow.settings.all())
        return self._settings

    def forget_settings(self) -> None:
        self._settings = None

    @property
    def archive_dir(self) -> Path:
        return self.data_dir / "documents"

    # who may do what
    def accounts_exist(self) -> bool:
        """Whether this installation has accounts; once true it stays true (accounts are disabled, never deleted)."""
        if not self._accounts_exist:
            with self.uow() as uow:
                self._accounts_exist = uow.users.count() > 0
        return self._accounts_exist

    def require(self, permission: Permission) -> None:
        """Refuse (PermissionDenied) unless the signed-in role holds `permission`; without accounts, allow all."""
        if not self.accounts_exist():
            return
        role = parse_role(self.role)
        if role is None:
            raise PermissionDenied(NOT_SIGNED_IN)
        if not allowed(role, permission):
            raise PermissionDenied(refusal_message(role, permission))

    def may(self, permission: Permission) -> bool:
        try:
            self.require(permission)
        except PermissionDenied:
            return False
        return True

    def masks_lists(self) -> bool:
        """Whether lists show personal identifiers masked for the signed-in role (never without accounts)."""
        if not self.accounts_exist():
            return False
        role = parse_role(self.role)
        return role not in FULL_IDENTIFIERS_IN_LISTS
