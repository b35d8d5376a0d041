"""Roles through the services: each role is allowed and refused what it should, whatever the screens show."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from PIL import Image
from security.security_support import (
    PASSWORDS,
    PERSON_ID,
    PERSON_NAME,
    StepClock,
    event_rows,
    open_counter,
    person_form,
    sign_in,
)

from counter_app.bootstrap import Services
from counter_app.errors import PermissionDenied, RuleError, ValidationError

CALENDAR_2027 = {
    "year": 2027,
    "version": "QĐ thử nghiệm 2027",
    "source": "Quyết định của Thủ tướng (bản thử nghiệm)",
    "estimated": False,
    "days_off": [{"date": "2027-01-01", "name": "Tết Dương lịch"}],
    "working_days": [],
}


def accepted(services: Services) -> str:
    result = services.intake.accept(person_form())
    assert result.code is not None
    return result.code


def test_without_accounts_everything_is_allowed_without_login(tmp_path: Path) -> None:
    services = open_counter(tmp_path / "c.db", StepClock())
    try:
        assert not services.accounts.accounts_exist()
        code = accepted(services)
        services.documents.render(code, "receipt")
        services.documents.render(code, "receipt", reason="lost")  # a reprint
        services.dossiers.void(code, "Chọn nhầm thủ tục")
        services.setup.set_setting("lock_minutes", "15")
    finally:
        services.close()


def test_the_first_account_must_be_an_administrators(tmp_path: Path) -> None:
    services = open_counter(tmp_path / "c.db", StepClock())
    try:
        with pytest.raises(RuleError, match="quản trị viên"):
            services.accounts.add_user("canbo", "clerk", PASSWORDS["canbo"])
        assert services.accounts.list_users() == []
        services.accounts.add_user("quantri", "admin", PASSWORDS["quantri"])
        assert [(u.name, u.role.value) for u in services.accounts.list_users()] == [("quantri", "admin")]
    finally:
        services.close()


def test_once_accounts_exist_a_change_needs_a_login(counter: Services) -> None:
    with pytest.raises(PermissionDenied, match="đăng nhập"):
        counter.intake.accept(person_form())
    with pytest.raises(PermissionDenied):
        counter.setup.set_setting("lock_minutes", "5")


def test_a_clerk_does_the_desk_work_and_is_refused_the_rest(counter: Services, tmp_path: Path) -> None:
    sign_in(counter, "canbo")
    code = accepted(counter)
    counter.documents.render(code, "receipt")  # the first print is the clerk's
    counter.dossiers.transfer(code)
    with pytest.raises(PermissionDenied, match="in lại"):
        counter.documents.render(code, "receipt")
    other = accepted(counter)
    with pytest.raises(PermissionDenied, match="hủy hồ sơ"):
        counter.dossiers.void(other, "Chọn nhầm thủ tục")
    with pytest.raises(PermissionDenied):
        counter.late.reappoint(code, reason="Cơ quan giải quyết chậm", new_date=counter.context.clock.now().date())
    with pytest.raises(PermissionDenied, match="thiết lập"):
        counter.setup.set_setting("lock_minutes", "5")
    with pytest.raises(PermissionDenied, match="tài khoản"):
        counter.accounts.add_user("canbo2", "clerk", "mat-khau-moi-1")
    calendar_file = tmp_path / "2027.json"
    calendar_file.write_text(json.dumps(CALENDAR_2027, ensure_ascii=False), encoding="utf-8")
    with pytest.raises(PermissionDenied, match="lịch"):
        counter.calendar.import_file(calendar_file)
    # refused actions left no trace: the other dossier is still open, its only event its intake
    assert counter.dossiers.get_dossier(other).stage == "received"
    assert [e.kind for e in counter.dossiers.timeline(other)] == ["dossier.accepted"]


def test_a_supervisor_voids_and_reprints_but_changes_no_setting(counter: Services) -> None:
    sign_in(counter, "canbo")
    code = accepted(counter)
    counter.documents.render(code, "receipt")
    counter.accounts.sign_out()
    sign_in(counter, "lanhdao")
    again = counter.documents.render(code, "receipt", reason="damaged")
    assert again.reprint
    assert counter.dossiers.void(code, "Tiếp nhận nhầm thủ tục").stage == "voided"
    with pytest.raises(PermissionDenied, match="thiết lập"):
        counter.setup.set_setting("lock_minutes", "5")


def test_an_administrator_changes_settings_and_manages_accounts(counter: Services) -> None:
    sign_in(counter, "quantri")
    counter.setup.set_setting("lock_minutes", "5")
    assert counter.context.settings().lock_minutes == 5
    counter.accounts.add_user("canbo2", "clerk", "mat-khau-moi-1")
    counter.accounts.disable_user("canbo2")
    with pytest.raises(PermissionDenied, match="vô hiệu hóa"):
        counter.accounts.authenticate("canbo2", "mat-khau-moi-1")


def test_the_last_active_administrator_cannot_be_disabled(counter: Services) -> None:
    sign_in(counter, "quantri")
    with pytest.raises(RuleError, match="quản trị viên cuối cùng"):
        counter.accounts.disable_user("quantri")


def test_events_record_the_signed_in_account(counter: Services) -> None:
    sign_in(counter, "canbo")
    code = accepted(counter)
    counter.dossiers.transfer(code)
    rows = [r for r in event_rows(counter.context.database.path) if r["kind"].startswith("dossier.")]
    assert [(r["kind"], r["clerk"]) for r in rows] == [
        ("dossier.accepted", "canbo"),
        ("dossier.transferred", "canbo"),
    ]
    # and adding accounts is itself on the record, by whom
    added = [json.loads(r["payload"]) | {"by": r["clerk"]} for r in event_rows(counter.context.database.path)]
    assert {"name": "canbo", "role": "clerk", "by": "quantri"} in added


def test_lists_mask_identifiers_for_a_clerk_not_for_a_supervisor(counter: Services) -> None:
    sign_in(counter, "canbo")
    code = accepted(counter)
    found = counter.dossiers.find(PERSON_NAME)
    assert [v.applicant_identifier for v in found] == ["********1234"]
    assert [v.applicant_identifier for v in counter.queue.list_today()] == ["********1234"]
    assert counter.dossiers.get_dossier(code).applicant_identifier == PERSON_ID  # the open dossier: in full
    counter.accounts.sign_out()
    sign_in(counter, "lanhdao")
    assert [v.applicant_identifier for v in counter.dossiers.find(PERSON_ID)] == [PERSON_ID]


def test_account_names_and_passwords_are_checked(counter: Services) -> None:
    sign_in(counter, "quantri")
    with pytest.raises(ValidationError, match="8 ký tự"):
        counter.accounts.add_user("canbo3", "clerk", "ngan")
    with pytest.raises(ValidationError, match="Tên đăng nhập"):
        counter.accounts.add_user("Cán Bộ", "clerk", "mat-khau-du-dai")
    with pytest.raises(ValidationError, match="Đã có"):
        counter.accounts.add_user("canbo", "clerk", "mat-khau-du-dai")
    with pytest.raises(ValidationError, match="Vai trò"):
        counter.accounts.add_user("canbo4", "root", "mat-khau-du-dai")


def test_exports_are_recorded_without_personal_data(counter: Services) -> None:
    sign_in(counter, "lanhdao")
    counter.accounts.record_export("report.book", 42)
    last = event_rows(counter.context.database.path)[-1]
    assert (last["kind"], last["clerk"], json.loads(last["payload"])) == (
        "data.exported",
        "lanhdao",
        {"what": "report.book", "count": 42},
    )


def test_backup_and_restore_are_an_administrators_through_the_service(counter: Services, tmp_path: Path) -> None:
    sign_in(counter, "canbo")
    with pytest.raises(PermissionDenied, match="quản trị viên"):
        counter.backup.create_backup(to_dir=tmp_path / "saved", passphrase="mat-khau-sao-luu-dai")
    assert not (tmp_path / "saved").exists() or not any((tmp_path / "saved").iterdir())
    counter.accounts.sign_out()
    sign_in(counter, "quantri")
    made = counter.backup.create_backup(to_dir=tmp_path / "saved", passphrase="mat-khau-sao-luu-dai")
    assert made.info.path.is_file()
    counter.accounts.sign_out()
    sign_in(counter, "lanhdao")
    with pytest.raises(PermissionDenied, match="quản trị viên"):
        counter.backup.restore(made.info.path, passphrase="mat-khau-sao-luu-dai")


def test_attaching_papers_needs_a_signed_in_clerk(counter: Services, tmp_path: Path) -> None:
    sign_in(counter, "canbo")
    code = accepted(counter)
    counter.accounts.sign_out()
    scan = tmp_path / "giay.png"
    Image.new("L", (200, 280), 128).save(scan, "PNG")
    with pytest.raises(PermissionDenied, match="đăng nhập"):
        counter.attachments.add_files(code, 1, [scan])
    with pytest.raises(PermissionDenied, match="đăng nhập"):
        counter.attachments.exempt_paper(code, 1, "comparison")
    sign_in(counter, "canbo")
    assert counter.attachments.add_files(code, 1, [scan]).pages == 1
