"""The permission table (domain.roles), checked against the decisions written in docs/security.md."""

from __future__ import annotations

import pytest

from counter_app.domain.roles import Permission, Role, allowed, parse_role, permission_for_action, refusal_message
from counter_app.domain.status import Action

# By hand from the issue: intake and desk steps -> clerk; reprint, void, re-appointment, back-entry -> supervisor;
# settings, catalogue, calendar, users, backup/restore -> admin; the audit trail (issue 17) -> supervisor.
# Roles nest (admin > supervisor > clerk).
CLERK_WORK = {Permission.INTAKE, Permission.DESK, Permission.PRINT, Permission.SYNC}
SUPERVISOR_WORK = {
    Permission.REPRINT,
    Permission.VOID,
    Permission.REAPPOINT,
    Permission.BACK_ENTRY,
    Permission.AUDIT,
}
ADMIN_WORK = {
    Permission.SETTINGS,
    Permission.CATALOGUE,
    Permission.CALENDAR,
    Permission.USERS,
    Permission.BACKUP,
    Permission.RESTORE,
    Permission.DEMO,
}


def test_every_permission_is_decided() -> None:
    assert set(Permission) == CLERK_WORK | SUPERVISOR_WORK | ADMIN_WORK


@pytest.mark.parametrize(
    ("role", "may"),
    [
        (Role.CLERK, CLERK_WORK),
        (Role.SUPERVISOR, CLERK_WORK | SUPERVISOR_WORK),
        (Role.ADMIN, CLERK_WORK | SUPERVISOR_WORK | ADMIN_WORK),
    ],
)
def test_each_role_may_exactly_its_work(role: Role, may: set[Permission]) -> None:
    assert {p for p in Permission if allowed(role, p)} == may


def test_the_dossier_screens_void_button_needs_a_supervisor() -> None:
    assert permission_for_action(Action.VOID) is Permission.VOID
    assert permission_for_action(Action.TRANSFER) is Permission.DESK
    assert not allowed(Role.CLERK, permission_for_action(Action.VOID))


def test_roles_are_read_leniently_and_unknown_ones_refused() -> None:
    assert parse_role(" Supervisor ") is Role.SUPERVISOR
    assert parse_role("root") is None


def test_a_refusal_names_the_role_that_may() -> None:
    message = refusal_message(Role.CLERK, Permission.VOID)
    assert "cán bộ tiếp nhận" in message
    assert "lãnh đạo" in message
