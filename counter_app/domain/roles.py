"""Roles of the people at the counter and what each may do: the permission table, pure and in one place."""

from __future__ import annotations

from enum import IntEnum, StrEnum

from counter_app.domain.status import Action


class Role(StrEnum):
    CLERK = "clerk"
    SUPERVISOR = "supervisor"
    ADMIN = "admin"

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]

    @property
    def rank(self) -> int:
        return int(_RANKS[self])


class _Rank(IntEnum):
    # roles nest: a supervisor may do what a clerk may, an administrator what a supervisor may
    CLERK = 1
    SUPERVISOR = 2
    ADMIN = 3


_RANKS = {Role.CLERK: _Rank.CLERK, Role.SUPERVISOR: _Rank.SUPERVISOR, Role.ADMIN: _Rank.ADMIN}

ROLE_LABELS = {
    Role.CLERK: "cán bộ tiếp nhận",
    Role.SUPERVISOR: "lãnh đạo, giám sát",
    Role.ADMIN: "quản trị viên",
}


class Permission(StrEnum):
    INTAKE = "intake"  # accept, ask for a supplement, refuse
    DESK = "desk"  # the dossier's steps at the desk: transfer, supplement, result, hand-over, withdraw, correct
    PRINT = "print"  # a document's first print
    SYNC = "sync"
    REPRINT = "reprint"  # a document printed a second time (a copy that could be misused)
    VOID = "void"  # cancel a dossier taken in by mistake
    REAPPOINT = "reappoint"  # the apology letter and the one new appointment (moves a legal deadline)
    BACK_ENTRY = "back_entry"  # a dossier received on paper entered afterwards: back-dated, or re-entered from Liên 1
    SETTINGS = "settings"  # config set, init
    CATALOGUE = "catalogue"
    CALENDAR = "calendar"  # calendar-import
    BACKUP = "backup"
    RESTORE = "restore"
    USERS = "users"  # add and disable accounts
    AUDIT = "audit"  # browse the audit trail and run its verification
    DEMO = "demo"  # fill the database with generated dossiers


# The lowest role that holds each permission.
PERMISSION_ROLES: dict[Permission, Role] = {
    Permission.INTAKE: Role.CLERK,
    Permission.DESK: Role.CLERK,
    Permission.PRINT: Role.CLERK,
    Permission.SYNC: Role.CLERK,
    Permission.REPRINT: Role.SUPERVISOR,
    Permission.VOID: Role.SUPERVISOR,
    Permission.REAPPOINT: Role.SUPERVISOR,
    Permission.BACK_ENTRY: Role.SUPERVISOR,
    Permission.SETTINGS: Role.ADMIN,
    Permission.CATALOGUE: Role.ADMIN,
    Permission.CALENDAR: Role.ADMIN,
    Permission.BACKUP: Role.ADMIN,
    Permission.RESTORE: Role.ADMIN,
    Permission.USERS: Role.ADMIN,
    Permission.AUDIT: Role.SUPERVISOR,
    Permission.DEMO: Role.ADMIN,
}

PERMISSION_LABELS: dict[Permission, str] = {
    Permission.INTAKE: "tiếp nhận hồ sơ",
    Permission.DESK: "xử lý hồ sơ tại quầy",
    Permission.PRINT: "in giấy tờ",
    Permission.SYNC: "đồng bộ với máy chủ trung tâm",
    Permission.REPRINT: "in lại giấy tờ đã in",
    Permission.VOID: "hủy hồ sơ tiếp nhận nhầm",
    Permission.REAPPOINT: "xin lỗi và hẹn lại ngày trả kết quả",
    Permission.BACK_ENTRY: "nhập sau hồ sơ đã tiếp nhận trên giấy (lùi thời điểm tiếp nhận, nhập lại từ liên lưu)",
    Permission.SETTINGS: "thay đổi thiết lập của quầy",
    Permission.CATALOGUE: "quản lý danh mục thủ tục",
    Permission.CALENDAR: "nhập lịch làm việc",
    Permission.BACKUP: "sao lưu dữ liệu",
    Permission.RESTORE: "phục hồi dữ liệu",
    Permission.USERS: "quản lý tài khoản",
    Permission.AUDIT: "xem và kiểm tra nhật ký thao tác",
    Permission.DEMO: "tạo dữ liệu minh họa",
}

# What the dossier screen's buttons need (domain.status.Action -> Permission).
ACTION_PERMISSIONS: dict[Action, Permission] = {
    Action.VOID: Permission.VOID,
    Action.REAPPOINT: Permission.REAPPOINT,
}

# Roles that see personal identifiers in full in lists (work queue, search results). Everyone sees them in the
# one dossier they open; a supervisor reviews many dossiers at once (complaints, late cases) and needs them.
FULL_IDENTIFIERS_IN_LISTS = frozenset({Role.SUPERVISOR})


def parse_role(text: str) -> Role | None:
    try:
        return Role(text.strip().lower())
    except ValueError:
        return None


def allowed(role: Role, permission: Permission) -> bool:
    return role.rank >= PERMISSION_ROLES[permission].rank


def permission_for_action(action: Action) -> Permission:
    return ACTION_PERMISSIONS.get(action, Permission.DESK)


def permissions_of(role: Role) -> frozenset[Permission]:
    return frozenset(p for p in Permission if allowed(role, p))


def refusal_message(role: Role, permission: Permission) -> str:
    """Why `role` may not do `permission`, in Vietnamese, naming the role that may."""
    needed = PERMISSION_ROLES[permission]
    return (
        f"Tài khoản có vai trò {role.label} không được {PERMISSION_LABELS[permission]}; "
        f"việc này cần vai trò {needed.label} trở lên."
    )
