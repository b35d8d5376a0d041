"""Clerks' accounts: names, roles, password hashes, and the sign-in throttle's counts."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from counter_app.storage.models import UserAccountRow


@dataclass(frozen=True)
class Account:
    """An account as stored: `role` is the stored text (clerk | supervisor | admin), the hash an Argon2id string."""

    name: str
    full_name: str
    role: str
    password_hash: str
    disabled: bool
    failed_count: int
    last_failed_at: datetime | None
    created_at: datetime
    title: str = ""
    must_change_password: bool = False


def _account(row: UserAccountRow) -> Account:
    return Account(
        name=row.name,
        full_name=row.full_name,
        role=row.role,
        password_hash=row.password_hash,
        disabled=row.disabled,
        failed_count=row.failed_count,
        last_failed_at=row.last_failed_at,
        created_at=row.created_at,
        title=row.title,
        must_change_password=row.must_change_password,
    )


class UserAccountRepository:
    def __init__(self, session: Session) -> None:
        self.session = session

    def get(self, name: str) -> Account | None:
        row = self.session.get(UserAccountRow, name)
        return _account(row) if row else None

    def all(self) -> list[Account]:
        return [_account(row) for row in self.session.scalars(select(UserAccountRow).order_by(UserAccountRow.name))]

    def add(self, account: Account) -> None:
        self.session.add(
            UserAccountRow(
                name=account.name,
                full_name=account.full_name,
                role=account.role,
                password_hash=account.password_hash,
                disabled=account.disabled,
                failed_count=account.failed_count,
                last_failed_at=account.last_failed_at,
                created_at=account.created_at,
                title=account.title,
                must_change_password=account.must_change_password,
            )
        )

    def disable(self, name: str) -> None:
        self.set_disabled(name, True)

    def set_disabled(self, name: str, disabled: bool) -> None:
        row = self.session.get(UserAccountRow, name)
        if row is not None:
            row.disabled = disabled

    def update_details(self, name: str, *, full_name: str, title: str, role: str) -> None:
        row = self.session.get(UserAccountRow, name)
        if row is not None:
            row.full_name, row.title, row.role = full_name, title, role

    def set_password(self, name: str, password_hash: str, *, must_change: bool) -> None:
        """A new password hash; `must_change`: a temporary one, to be replaced at the next sign-in."""
        row = self.session.get(UserAccountRow, name)
        if row is not None:
            row.password_hash, row.must_change_password = password_hash, must_change
            row.failed_count, row.last_failed_at = 0, None

    def count_failure(self, name: str, at: datetime) -> None:
        """One more failed sign-in, counted in the database itself (parallel attempts each add theirs)."""
        self.session.execute(
            update(UserAccountRow)
            .where(UserAccountRow.name == name)
            .values(failed_count=UserAccountRow.failed_count + 1, last_failed_at=at)
        )

    def clear_failures(self, name: str, *, password_hash: str | None = None) -> None:
        """A successful sign-in: the failures forgotten, and the password's new hash stored when one is given."""
        row = self.session.get(UserAccountRow, name)
        if row is None:
            return
        row.failed_count, row.last_failed_at = 0, None
        if password_hash is not None:
            row.password_hash = password_hash

    def count(self, *, role: str | None = None, enabled_only: bool = False) -> int:
        query = select(func.count()).select_from(UserAccountRow)
        if role is not None:
            query = query.where(UserAccountRow.role == role)
        if enabled_only:
            query = query.where(UserAccountRow.disabled.is_(False))
        return int(self.session.scalar(query) or 0)
