"""Accounts of the people at the counter: adding, disabling and re-enabling, names, titles and roles, password
resets and changes, signing in (Argon2id, throttled), recording exports.

Without any account (a fresh installation, the demo profile) everything is allowed and nobody signs in; the
first account must be an administrator's, and from then on every change needs a signed-in role that holds it.

Throttling: after the n-th failure in a row, the next attempt is refused until 2^(n-1) seconds (at most five
minutes) have passed. The attempt is counted as a failure *before* the password is hashed and forgiven when it
turns out right, so parallel guesses cannot slip through one window, and a refused attempt costs no hashing.

Where no keyring works, each account also has a slot in the secret vault (`vault_slots.py`): sign-in unwraps it
for the session, and adding, resetting, changing and disabling keep the slots in step with the accounts.
"""

from __future__ import annotations

import logging
import re
from dataclasses import replace
from datetime import datetime, timedelta

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError

from counter_app.domain.clock import to_vn
from counter_app.domain.roles import Permission, Role, parse_role, permissions_of
from counter_app.errors import PermissionDenied, RuleError, ValidationError
from counter_app.identities import new_uuid
from counter_app.services.accounts.account_views import (
    LoginThrottled,
    SessionState,
    SessionView,
    UserView,
    login_delay,
    user_view,
    wait_text,
)
from counter_app.services.accounts.vault_slots import VaultSlots
from counter_app.services.common.context import ActingClerk, ServiceContext
from counter_app.services.common.export_record import record_export
from counter_app.storage.repositories.accounts import Account
from counter_app.storage.unit_of_work import UnitOfWork

log = logging.getLogger(__name__)

# the views and the throttle live in account_views; imported from here by the window and the command line
__all__ = [
    "MIN_PASSWORD",
    "AccountService",
    "LoginThrottled",
    "SessionState",
    "SessionView",
    "UserView",
    "clean_name",
    "login_delay",
    "record_export",
    "wait_text",
]

NAME_RE = re.compile(r"[a-z0-9][a-z0-9._-]{1,59}")
MIN_PASSWORD = 8
MAX_PASSWORD = 1024
WRONG_LOGIN = "Tên đăng nhập hoặc mật khẩu không đúng."


def _parse_role(role: str) -> Role:
    parsed = parse_role(role)
    if parsed is None:
        raise ValidationError("role", "Vai trò phải là clerk (cán bộ), supervisor (lãnh đạo) hoặc admin (quản trị).")
    return parsed


def _existing(uow: UnitOfWork, name: str) -> Account:
    row = uow.users.get(name.strip().lower())
    if row is None:
        raise ValidationError("name", f"Không có tài khoản “{name.strip()}”.")
    return row


def clean_name(name: str) -> str:
    cleaned = name.strip().lower()
    if not NAME_RE.fullmatch(cleaned):
        raise ValidationError(
            "name",
            "Tên đăng nhập gồm 2–60 ký tự: chữ thường không dấu, chữ số, dấu chấm, gạch ngang hoặc gạch dưới "
            "(ví dụ: lan.nguyen).",
        )
    return cleaned


class AccountService:
    def __init__(self, context: ServiceContext, hasher: PasswordHasher | None = None) -> None:
        self.context = context
        self.hasher = hasher or PasswordHasher()  # Argon2id, RFC 9106 low-memory parameters
        self._dummy_hash: str | None = None
        self._session: SessionView | None = None
        self.vault_slots = VaultSlots(context)  # where no keyring works: the secret vault's slot of each account

    # queries
    def list_users(self) -> list[UserView]:
        with self.context.uow() as uow:
            return [user_view(r) for r in uow.users.all()]

    def accounts_exist(self) -> bool:
        return self.context.accounts_exist()

    def current(self) -> SessionView | None:
        return self._session

    def session_state(self) -> SessionState:
        return SessionState(self.context.accounts_exist(), self._session)

    def allows(self, permission: Permission) -> bool:
        """In memory (for the UI thread): without accounts all; otherwise what the signed-in role holds."""
        if not self.context._accounts_exist:
            return True
        return self._session is not None and permission in self._session.permissions

    # commands
    def add_user(self, name: str, role: str, password: str, *, full_name: str = "", title: str = "") -> UserView:
        """Add an account; the first one must be an administrator's, the next ones are added by one."""
        cleaned = clean_name(name)
        parsed = _parse_role(role)
        self._check_password(password, cleaned)
        full = " ".join(full_name.split())[:200]
        password_hash = self.hasher.hash(password)  # ~0.5 s: outside the write transaction
        # the first account makes the secret vault, later ones get a slot in it (scrypt: outside the transaction too)
        if self.context.accounts_exist():
            first_vault, slot = None, self.vault_slots.slot_for(cleaned, password)
        else:
            first_vault, slot = self.vault_slots.prepare_first(cleaned, password), None
        now = self.context.clock.now()
        with self.context.uow(write=True) as uow:
            first = uow.users.count() == 0
            if first and parsed is not Role.ADMIN:
                raise RuleError(
                    "Tài khoản đầu tiên phải là tài khoản quản trị viên (--role admin); sau đó quản trị viên "
                    "mới thêm các tài khoản khác."
                )
            if not first:
                self.context.require(Permission.USERS)
            if uow.users.get(cleaned) is not None:
                raise ValidationError("name", f"Đã có tài khoản “{cleaned}”.")
            row = Account(
                name=cleaned,
                full_name=full,
                role=parsed.value,
                password_hash=password_hash,
                disabled=False,
                failed_count=0,
                last_failed_at=None,
                created_at=now,
                title=" ".join(title.split())[:100],
            )
            uow.users.add(row)
            self._record(uow, "user.added", {"name": cleaned, "role": parsed.value}, now)
            if first and first_vault is not None:
                self.vault_slots.create_first(first_vault, uow)  # after the event: its key moves in too
            elif not first:
                self.vault_slots.put(cleaned, slot)
            uow.commit()
            view = user_view(row)
        if first and first_vault is not None:
            self.vault_slots.remove_plain(first_vault)  # only now: the vault and its account are durable
        self.context._accounts_exist = True
        log.info("account added with role %s", parsed.value)
        return view

    def disable_user(self, name: str) -> UserView:
        self.context.require(Permission.USERS)
        cleaned = name.strip().lower()
        now = self.context.clock.now()
        with self.context.uow(write=True) as uow:
            row = uow.users.get(cleaned)
            if row is None:
                raise ValidationError("name", f"Không có tài khoản “{name.strip()}”.")
            if row.disabled:
                raise RuleError(f"Tài khoản “{cleaned}” đã bị vô hiệu hóa từ trước.")
            if row.role == Role.ADMIN.value and uow.users.count(role=Role.ADMIN.value, enabled_only=True) <= 1:
                raise RuleError("Không thể vô hiệu hóa quản trị viên cuối cùng còn hoạt động.")
            uow.users.disable(cleaned)
            self._record(uow, "user.disabled", {"name": cleaned}, now)
            self.vault_slots.remove(cleaned)  # its password no longer opens the secret vault
            uow.commit()
            view = user_view(replace(row, disabled=True))
        log.info("account disabled")
        return view

    def enable_user(self, name: str) -> UserView:
        """A disabled account may sign in again (where secrets are in the vault, a password reset gives it back its
        slot: until then it signs in but cannot write)."""
        self.context.require(Permission.USERS)
        now = self.context.clock.now()
        with self.context.uow(write=True) as uow:
            row = _existing(uow, name)
            if not row.disabled:
                raise RuleError(f"Tài khoản “{row.name}” đang hoạt động.")
            uow.users.set_disabled(row.name, False)
            self._record(uow, "user.enabled", {"name": row.name}, now)
            uow.commit()
        log.info("account enabled")
        return user_view(replace(row, disabled=False))

    def update_user(self, name: str, *, full_name: str, title: str, role: str) -> UserView:
        """Full name, title (chức vụ) and role; the last active administrator stays one."""
        self.context.require(Permission.USERS)
        parsed = _parse_role(role)
        full, title = " ".join(full_name.split()), " ".join(title.split())
        if len(full) > 200 or len(title) > 100:
            raise ValidationError("full_name", "Họ tên tối đa 200 ký tự, chức vụ tối đa 100 ký tự.")
        now = self.context.clock.now()
        with self.context.uow(write=True) as uow:
            row = _existing(uow, name)
            demoted = row.role == Role.ADMIN.value and parsed is not Role.ADMIN and not row.disabled
            if demoted and uow.users.count(role=Role.ADMIN.value, enabled_only=True) <= 1:
                raise RuleError("Không thể đổi vai trò của quản trị viên cuối cùng còn hoạt động.")
            uow.users.update_details(row.name, full_name=full, title=title, role=parsed.value)
            self._record(uow, "user.changed", {"name": row.name, "role": parsed.value}, now)
            uow.commit()
        if self._session is not None and self._session.name == row.name:
            self.adopt(replace(self._session, full_name=full, role=parsed, permissions=permissions_of(parsed)))
        return user_view(replace(row, full_name=full, title=title, role=parsed.value))

    def reset_password(self, name: str, temporary_password: str) -> UserView:
        """A temporary password given by an administrator; the person sets a new one at the next sign-in."""
        self.context.require(Permission.USERS)
        cleaned = name.strip().lower()
        self._check_password(temporary_password, cleaned)
        password_hash = self.hasher.hash(temporary_password)  # outside the write transaction
        slot = self.vault_slots.slot_for(cleaned, temporary_password)
        now = self.context.clock.now()
        with self.context.uow(write=True) as uow:
            row = _existing(uow, cleaned)
            self.vault_slots.put(row.name, slot)
            uow.users.set_password(row.name, password_hash, must_change=True)
            self._record(uow, "user.password_reset", {"name": row.name}, now)
            uow.commit()
        log.info("password reset by an administrator")
        return user_view(replace(row, must_change_password=True, failed_count=0))

    def change_own_password(self, current_password: str, new_password: str) -> SessionView:
        """The signed-in person's own password (checked and throttled like a sign-in)."""
        session = self._session
        if session is None:
            raise PermissionDenied("Cần đăng nhập trước khi đổi mật khẩu.")
        try:
            checked = self.authenticate(session.name, current_password)
        except LoginThrottled:
            raise
        except PermissionDenied as exc:
            raise ValidationError("current_password", "Mật khẩu hiện tại không đúng.") from exc
        self._check_password(new_password, session.name)
        if new_password == current_password:
            raise ValidationError("new_password", "Mật khẩu mới phải khác mật khẩu hiện tại.")
        password_hash = self.hasher.hash(new_password)
        slot = self.vault_slots.rewrap(session.name, new_password, checked.vault_key)
        now = self.context.clock.now()
        with self.context.uow(write=True) as uow:
            self.vault_slots.put(session.name, slot)  # the old password no longer opens the vault
            uow.users.set_password(session.name, password_hash, must_change=False)
            self._record(uow, "user.password_changed", {"name": session.name}, now)
            uow.commit()
        log.info("own password changed")
        vault_key = checked.vault_key or session.vault_key
        return self.adopt(replace(session, must_change_password=False, vault_key=vault_key))

    def authenticate(self, name: str, password: str, now: datetime | None = None) -> SessionView:
        """Check a password (throttled); the session of the account, or PermissionDenied / LoginThrottled."""
        moment = to_vn(now or self.context.clock.now())
        cleaned = name.strip().lower()
        with self.context.uow(write=True) as uow:
            row = uow.users.get(cleaned)
            if row is None:
                stored_hash = None
            else:
                self._check_throttle(row, moment)
                # counted as a failure until the password proves right (see the module's docstring)
                uow.users.count_failure(cleaned, moment)
                stored_hash = row.password_hash
                uow.commit()
        if stored_hash is None:
            self._spend_as_if_verifying(password)
            raise PermissionDenied(WRONG_LOGIN)
        if not self._verify(stored_hash, password):
            log.info("failed sign-in attempt")
            raise PermissionDenied(WRONG_LOGIN)
        with self.context.uow(write=True) as uow:
            row = uow.users.get(cleaned)
            assert row is not None
            rehashed = self.hasher.hash(password) if self.hasher.check_needs_rehash(row.password_hash) else None
            uow.users.clear_failures(cleaned, password_hash=rehashed)
            uow.commit()
            if row.disabled:
                raise PermissionDenied(f"Tài khoản “{cleaned}” đã bị vô hiệu hóa; liên hệ quản trị viên.")
            role = parse_role(row.role)
            if role is None:
                raise PermissionDenied(f"Tài khoản “{cleaned}” có vai trò không hợp lệ; liên hệ quản trị viên.")
        # scrypt: after the transaction
        vault_key = self.vault_slots.unwrap(row.name, password, admin=role is Role.ADMIN)
        return SessionView(row.name, row.full_name, role, permissions_of(role), row.must_change_password, vault_key)

    def sign_in(self, name: str, password: str) -> SessionView:
        """Authenticate and make the account the one every following action is recorded and checked for."""
        return self.adopt(self.authenticate(name, password))

    def adopt(self, session: SessionView) -> SessionView:
        self._session = session
        self.context.sign_in_as(ActingClerk(session.name, session.role.value, session.full_name))
        self.context._accounts_exist = True
        self.context.vault.remember(session.vault_key)  # the session's key to the secret vault, if any
        return session

    def lock(self) -> None:
        """The window's idle lock: the secret vault's key is forgotten until the next sign-in unwraps it again."""
        self.context.vault.forget()
        if self._session is not None:
            self._session = replace(self._session, vault_key=None)

    def sign_out(self) -> None:
        self.context.vault.forget()
        self._session = None
        self.context.clerk = ""
        self.context.role = ""

    def record_export(self, what: str, count: int) -> None:
        """Hook for the print and report paths: personal data left the application (see `record_export`)."""
        record_export(self.context, what, count)

    # internals
    def _check_password(self, password: str, name: str) -> None:
        if len(password) < MIN_PASSWORD:
            raise ValidationError("password", f"Mật khẩu cần ít nhất {MIN_PASSWORD} ký tự.")
        if len(password) > MAX_PASSWORD:
            raise ValidationError("password", "Mật khẩu quá dài.")
        if password.strip().lower() == name:
            raise ValidationError("password", "Mật khẩu không được trùng với tên đăng nhập.")

    def _check_throttle(self, row: Account, moment: datetime) -> None:
        if row.failed_count <= 0 or row.last_failed_at is None:
            return
        wait = row.last_failed_at + login_delay(row.failed_count) - moment
        if wait > timedelta(0):
            raise LoginThrottled(
                f"Đã nhập sai mật khẩu {row.failed_count} lần liên tiếp. Vui lòng chờ {wait_text(wait)} rồi thử lại.",
                wait,
            )

    def _verify(self, stored_hash: str, password: str) -> bool:
        try:
            return bool(self.hasher.verify(stored_hash, password))
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            return False

    def _spend_as_if_verifying(self, password: str) -> None:
        # an unknown name takes as long as a wrong password: the timing does not tell which names exist
        if self._dummy_hash is None:
            self._dummy_hash = self.hasher.hash("counter_app: no such account")
        self._verify(self._dummy_hash, password)

    def _record(self, uow: UnitOfWork, kind: str, payload: dict[str, object], now: datetime) -> None:
        settings = self.context.settings()
        if not settings.is_configured:
            return  # an unconfigured installation has no counter to chain the event to
        uow.events.append(
            uuid=str(new_uuid()),
            kind=kind,
            dossier_uuid=None,
            payload=dict(payload),
            occurred_at=now,
            agency_code=settings.agency_code,
            counter=settings.counter,
            clerk=self.context.clerk,
        )
