"""What the account service returns: accounts and sessions as the screens see them, and the sign-in's throttle."""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from counter_app.domain.roles import Permission, Role, parse_role
from counter_app.errors import PermissionDenied
from counter_app.storage.repositories.accounts import Account

MAX_DELAY = timedelta(minutes=5)


class LoginThrottled(PermissionDenied):
    """Too many failures in a row: the attempt was refused without checking the password."""

    def __init__(self, message: str, retry_after: timedelta) -> None:
        super().__init__(message)
        self.retry_after = retry_after


@dataclass(frozen=True)
class UserView:
    name: str
    full_name: str
    role: Role
    disabled: bool
    created_at: datetime
    failed_count: int
    title: str = ""
    must_change_password: bool = False

    @property
    def role_label(self) -> str:
        return self.role.label


@dataclass(frozen=True)
class SessionView:
    """Who is signed in and what the role allows (what the window enables; the services check again)."""

    name: str
    full_name: str
    role: Role
    permissions: frozenset[Permission]
    must_change_password: bool = False  # a password reset by an administrator: a new one before anything else
    # the secret vault's key, unwrapped from the account's slot at sign-in (None: no vault, or no slot); what
    # `AccountService.adopt` gives the services' context for the session, never shown nor compared
    vault_key: bytes | None = field(default=None, repr=False, compare=False)

    @property
    def display(self) -> str:
        who = f"{self.full_name} ({self.name})" if self.full_name else self.name
        return f"{who} — {self.role.label}"


@dataclass(frozen=True)
class SessionState:
    """What the window needs at start: whether anyone must sign in, and who is signed in."""

    accounts_exist: bool
    session: SessionView | None


def login_delay(failures: int) -> timedelta:
    """How long after the last of `failures` failures in a row the next attempt is refused."""
    if failures <= 0:
        return timedelta(0)
    seconds = 2.0 ** min(failures - 1, 20)
    return min(timedelta(seconds=seconds), MAX_DELAY)


def wait_text(wait: timedelta) -> str:
    seconds = max(1, math.ceil(wait.total_seconds()))
    minutes, rest = divmod(seconds, 60)
    if minutes and rest:
        return f"{minutes} phút {rest} giây"
    return f"{minutes} phút" if minutes else f"{rest} giây"


def user_view(row: Account) -> UserView:
    role = parse_role(row.role) or Role.CLERK
    return UserView(
        row.name,
        row.full_name,
        role,
        row.disabled,
        row.created_at,
        row.failed_count,
        row.title,
        row.must_change_password,
    )
