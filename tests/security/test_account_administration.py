"""Account administration in the services: re-enabling, names, titles and roles, password resets and changes."""

from __future__ import annotations

import pytest
from security.security_support import PASSWORDS, person_form, sign_in

from counter_app.bootstrap import Services
from counter_app.errors import PermissionDenied, RuleError, ValidationError
from counter_app.services.audit.audit_trail import TrailQuery


def _kinds(counter: Services) -> list[str]:
    return [e.kind for e in counter.audit.list_trail(TrailQuery(kind_prefix="user.")).entries]


def test_an_admin_disables_and_enables_an_account_again(counter: Services) -> None:
    sign_in(counter, "quantri")
    counter.accounts.disable_user("canbo")
    with pytest.raises(PermissionDenied):
        counter.accounts.authenticate("canbo", PASSWORDS["canbo"])
    view = counter.accounts.enable_user("canbo")
    assert not view.disabled
    assert counter.accounts.authenticate("canbo", PASSWORDS["canbo"]).name == "canbo"
    with pytest.raises(RuleError, match="đang hoạt động"):
        counter.accounts.enable_user("canbo")
    assert "user.enabled" in _kinds(counter)


def test_names_titles_and_roles_are_set_but_the_last_admin_stays_one(counter: Services) -> None:
    sign_in(counter, "quantri")
    counter.accounts.update_user("canbo", full_name=" Phạm  Văn Bộ ", title="Công chức tư pháp", role="supervisor")
    view = next(u for u in counter.accounts.list_users() if u.name == "canbo")
    assert (view.full_name, view.title, view.role.value) == ("Phạm Văn Bộ", "Công chức tư pháp", "supervisor")
    with pytest.raises(RuleError, match="quản trị viên cuối cùng"):
        counter.accounts.update_user("quantri", full_name="Lê Quản Trị", title="", role="clerk")
    with pytest.raises(ValidationError):
        counter.accounts.update_user("canbo", full_name="x", title="", role="root")


def test_a_clerk_or_supervisor_may_not_administer_accounts(counter: Services) -> None:
    for name in ("canbo", "lanhdao"):
        sign_in(counter, name)
        with pytest.raises(PermissionDenied):
            counter.accounts.enable_user("canbo")
        with pytest.raises(PermissionDenied):
            counter.accounts.reset_password("quantri", "mat-khau-tam-thoi")
        with pytest.raises(PermissionDenied):
            counter.accounts.update_user("canbo", full_name="", title="", role="admin")
        counter.accounts.sign_out()


def test_a_reset_password_must_be_changed_at_the_next_sign_in(counter: Services) -> None:
    sign_in(counter, "quantri")
    counter.accounts.reset_password("canbo", "mat-khau-tam-thoi")
    counter.accounts.sign_out()
    with pytest.raises(PermissionDenied):
        counter.accounts.authenticate("canbo", PASSWORDS["canbo"])  # the old one is gone
    counter.context.clock.advance(2)  # type: ignore[attr-defined]  # past the throttle of that failure
    session = counter.accounts.sign_in("canbo", "mat-khau-tam-thoi")
    assert session.must_change_password
    with pytest.raises(ValidationError, match="khác mật khẩu hiện tại"):
        counter.accounts.change_own_password("mat-khau-tam-thoi", "mat-khau-tam-thoi")
    with pytest.raises(ValidationError, match="Mật khẩu hiện tại"):
        counter.accounts.change_own_password("sai-mat-khau", "mat-khau-moi-cua-bo")
    counter.accounts.sign_out()
    counter.context.clock.advance(5)  # type: ignore[attr-defined]  # past the throttle of that wrong one
    counter.accounts.sign_in("canbo", "mat-khau-tam-thoi")
    after = counter.accounts.change_own_password("mat-khau-tam-thoi", "mat-khau-moi-cua-bo")
    assert not after.must_change_password
    counter.accounts.sign_out()
    assert not counter.accounts.sign_in("canbo", "mat-khau-moi-cua-bo").must_change_password
    counter.accounts.sign_out()
    sign_in(counter, "lanhdao")
    assert {"user.password_reset", "user.password_changed"} <= set(_kinds(counter))


def test_the_trail_is_filtered_and_for_supervisors_and_admins_only(counter: Services) -> None:
    sign_in(counter, "canbo")
    code = counter.intake.accept(person_form()).code
    assert code is not None
    with pytest.raises(PermissionDenied):
        counter.audit.list_trail(TrailQuery())
    with pytest.raises(PermissionDenied):
        counter.audit.verify_in_words()
    counter.accounts.sign_out()
    sign_in(counter, "lanhdao")
    everything = counter.audit.list_trail(TrailQuery())
    assert everything.total == len(everything.entries) >= 4  # three accounts added, one dossier taken in
    of_dossier = counter.audit.list_trail(TrailQuery(dossier=code[-4:]))
    assert [e.dossier_code for e in of_dossier.entries] == [code]
    assert of_dossier.entries[0].what == "Tiếp nhận hồ sơ"
    by_clerk = counter.audit.list_trail(TrailQuery(clerk="canbo"))
    assert {e.clerk for e in by_clerk.entries} == {"canbo"}
    assert "canbo" in counter.audit.list_trail_clerks()
    ok, verdict = counter.audit.verify_in_words()
    assert ok
    assert verdict.startswith("Nhật ký nguyên vẹn")
