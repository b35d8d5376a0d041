"""Signing in on the command line: which subcommands need a login and a role, and where passwords come from.

Once the database has an account, a subcommand that changes data needs `--user NAME` (or COUNTER_APP_USER)
and that account's password: from COUNTER_APP_PASSWORD, else the first line of stdin with --password-stdin,
else a prompt when stdin is a terminal. Without a login, or with a role that does not hold the subcommand's
permission, it is refused with exit 2 before any work. Read-only subcommands need no login; given one, they
check it too (an export then records who made it). A database without accounts needs no login at all.

`user add` reads the new account's password after the login's, `user reset-password` the temporary one: with
--password-stdin and no COUNTER_APP_PASSWORD, line 1 is the administrator's password and line 2 the new one.
An account on a temporary password (set by an administrator) may run nothing but `user change-password`, which
signs in with it and reads the new password the same way (line 2), as the window makes the person do first.

Where the secrets are in the secret vault (no keyring), the signed-in person's password also opens the vault for
the run (the session carries the vault key to the services); `audit verify` then needs a login too, since the
audit key cannot be read without one.
"""

from __future__ import annotations

import argparse
import getpass
import os
import sys
from pathlib import Path
from typing import Any

from counter_app.domain.roles import Permission, refusal_message
from counter_app.errors import PermissionDenied, ValidationError

USER_ENV = "COUNTER_APP_USER"
PASSWORD_ENV = "COUNTER_APP_PASSWORD"  # noqa: S105 - the variable's name, not a password

# Subcommands that change nothing (or only record who exported): no login needed.
READ_ONLY = frozenset(
    {
        "find",
        "show",
        "late",
        "procedures",
        "calendar",
        "due-date",
        "report",
        "attachments",
        "scanners",
        "audit",
        "doctor",
        "central",  # works on the central database with its own PostgreSQL login, never on local data
        "config get",
        "user list",
        "backup list",
        "catalogue log",
    }
)

# What each changing subcommand needs; any other changing subcommand needs the desk's permission.
COMMAND_PERMISSIONS: dict[str, Permission] = {
    "init": Permission.SETTINGS,
    "config set": Permission.SETTINGS,
    "calendar-import": Permission.CALENDAR,
    "catalogue import": Permission.CATALOGUE,
    "intake": Permission.INTAKE,  # a back-dated one needs more: checked by the service, which knows it is one
    "re-enter": Permission.BACK_ENTRY,
    "print": Permission.PRINT,  # a reprint needs more: checked by the service, which knows it is one
    "void": Permission.VOID,
    "apology": Permission.REAPPOINT,
    "demo": Permission.DEMO,
    "sync": Permission.SYNC,
    "backup": Permission.BACKUP,
    "restore": Permission.RESTORE,
    "user add": Permission.USERS,
    "user disable": Permission.USERS,
    "user enable": Permission.USERS,
    "user reset-password": Permission.USERS,
}


def command_name(args: argparse.Namespace) -> str:
    """The subcommand with its action where it has one ("config set", "user add")."""
    name = str(args.command)
    action = {
        "config": "action",
        "user": "user_action",
        "audit": "audit_action",
        "catalogue": "catalogue_action",
        "backup": "backup_action",
    }.get(name)
    return f"{name} {getattr(args, action)}" if action and getattr(args, action, None) else name


# Subcommands about the signed-in person's own account: a login of any role, and the only ones open to an
# account on a temporary password.
OWN_ACCOUNT = frozenset({"user change-password"})


def temporary_password_message(name: str) -> str:
    return (
        f"Tài khoản “{name}” đang dùng mật khẩu tạm thời do quản trị viên đặt: hãy đặt mật khẩu mới trước "
        f"(counter-app user change-password --user {name}), rồi làm lại thao tác này."
    )


def required_permission(args: argparse.Namespace) -> Permission | None:
    name = command_name(args)
    if name in READ_ONLY or str(args.command) in READ_ONLY or name in OWN_ACCOUNT:
        return None
    return COMMAND_PERMISSIONS.get(name, Permission.DESK)


class StdinPasswords:
    """Passwords read from stdin one line each, in the order they are asked for."""

    def __init__(self, enabled: bool) -> None:
        self.enabled = enabled

    def next(self, what: str) -> str | None:
        if not self.enabled:
            return None
        line = sys.stdin.readline()
        if not line:
            raise ValidationError("password", f"Không đọc được {what} từ đầu vào chuẩn (stdin).")
        return line.rstrip("\r\n")


def passwords(args: argparse.Namespace) -> StdinPasswords:
    """One reader per run, kept on `args`: the login and `user add` share stdin."""
    reader = getattr(args, "_passwords", None)
    if reader is None:
        reader = StdinPasswords(bool(getattr(args, "password_stdin", False)))
        args._passwords = reader
    return reader


def login_password(args: argparse.Namespace, name: str) -> str:
    from_env = os.environ.get(PASSWORD_ENV)
    if from_env is not None:
        return from_env
    from_stdin = passwords(args).next("mật khẩu đăng nhập")
    if from_stdin is not None:
        return from_stdin
    if sys.stdin.isatty():
        return getpass.getpass(f"Mật khẩu của tài khoản “{name}”: ")
    raise PermissionDenied(
        f"Cần mật khẩu của tài khoản “{name}”: dùng --password-stdin hoặc biến môi trường {PASSWORD_ENV}."
    )


def new_password(args: argparse.Namespace, what: str = "mật khẩu của tài khoản mới") -> str:
    """A password an administrator sets (`what` it is, in Vietnamese: a new account's, a temporary one): stdin
    (after the login's), or asked twice at a terminal."""
    from_stdin = passwords(args).next(what)
    if from_stdin is not None:
        return from_stdin
    if sys.stdin.isatty():
        first = getpass.getpass(f"{what[:1].upper()}{what[1:]}: ")
        if getpass.getpass("Nhập lại mật khẩu: ") != first:
            raise ValidationError("password", "Hai lần nhập mật khẩu không giống nhau.")
        return first
    raise ValidationError("password", f"Cần {what}: thêm --password-stdin và nhập ở đầu vào chuẩn.")


DRILL_CLOCK_REFUSED = (
    "Không dùng được đồng hồ diễn tập (--now hoặc biến môi trường COUNTER_APP_NOW) trên cơ sở dữ liệu đã có tài "
    "khoản: thời điểm ghi vào hồ sơ phải là giờ thật của máy. Chỉ cơ sở dữ liệu tạo cho diễn tập hoặc tập huấn "
    "(“counter-app init --drill”, hồ sơ minh họa) mới dùng được đồng hồ này."
)


def check_drill_clock(db_path: Path, clock: Any) -> None:
    """Refuse the drill clock on a database with accounts, unless that database was created for drills.

    Without accounts anybody can do anything anyway (a fresh installation, tests); with them, the times an
    event records are vouched for by the audit chain, so only the machine's clock may set them.
    """
    if not db_path.is_file():
        return  # a fresh installation: no account yet
    from counter_app.services.accounts.accounts_on_file import accounts_on_file

    with accounts_on_file(db_path, clock) as accounts:
        if not accounts.exist():
            return
        drill = accounts.made_for_drills()
    if not drill:
        raise PermissionDenied(DRILL_CLOCK_REFUSED)


AUDIT_NEEDS_LOGIN = (
    "Khóa kiểm toán của quầy được giữ trong kho bí mật, chỉ mở được bằng mật khẩu của người đăng nhập: để kiểm "
    "tra nhật ký, thêm --user TÊN và mật khẩu (--password-stdin hoặc biến môi trường COUNTER_APP_PASSWORD)."
)


def authorize(args: argparse.Namespace, db_path: Path, clock: Any) -> Any:
    """Sign in as the subcommand requires; the SessionView, or None when nobody needs to (or can) sign in."""
    needed = required_permission(args)
    name = (getattr(args, "user", None) or os.environ.get(USER_ENV) or "").strip()
    own = command_name(args) in OWN_ACCOUNT
    needs_key = str(args.command) == "audit"  # with a secret vault, its key needs a login
    if needed is None and not name and not needs_key and not own:
        return None
    if not db_path.is_file():
        return None  # a fresh installation: no account yet
    from counter_app.services.accounts.accounts_on_file import accounts_on_file

    with accounts_on_file(db_path, clock) as accounts:
        if not accounts.exist():
            return None  # nothing to sign in to: everything is allowed until the first administrator exists
        if needed is None and not name and not own:
            if accounts.secrets_in_vault():
                raise PermissionDenied(AUDIT_NEEDS_LOGIN)
            return None
        if not name:
            from counter_app.services.common.context import NOT_SIGNED_IN

            raise PermissionDenied(NOT_SIGNED_IN)
        password = login_password(args, name)
        session = accounts.authenticate(name, password)
    if own:
        args.current_password = password  # `user change-password` proves it again to the service
    elif session.must_change_password:
        raise PermissionDenied(temporary_password_message(session.name))
    if needed is not None and needed not in session.permissions:
        raise PermissionDenied(refusal_message(session.role, needed))
    return session
