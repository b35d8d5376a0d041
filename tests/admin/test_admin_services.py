"""Catalogue and calendar administration through the services: who may, what is refused, what changes, what is logged"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path

import pytest
from admin_support import NEW_CODE, decision_2027, procedure_data, write_json
from security.security_support import MARRIAGE, StepClock, person_form, sign_in

from counter_app.bootstrap import Services
from counter_app.domain.clock import VN_TZ
from counter_app.errors import FormInvalid, PermissionDenied, ValidationError
from counter_app.services.catalogue.admin_log import (
    CALENDAR_IMPORTED,
    PROCEDURE_CREATED,
    PROCEDURE_DEACTIVATED,
    PROCEDURE_UPDATED,
)


def vn(year: int, month: int, day: int, hour: int, minute: int) -> datetime:
    return datetime(year, month, day, hour, minute, tzinfo=VN_TZ)


def test_an_administrator_adds_a_procedure_and_it_is_offered_at_intake(counter: Services) -> None:
    sign_in(counter, "quantri")
    spec = counter.catalogue.save_procedure(procedure_data(name="  Chứng thực   việc sửa đổi hợp đồng "), new=True)
    assert spec.name == "Chứng thực việc sửa đổi hợp đồng"  # spaces normalised
    listed = {p.code: p for p in counter.catalogue.list_procedures("chung thuc viec sua")}
    assert NEW_CODE in listed
    assert [p.name for p in listed[NEW_CODE].papers] == [
        "Phiếu yêu cầu chứng thực",
        "Hợp đồng, giao dịch đã được chứng thực",
    ]
    assert (listed[NEW_CODE].papers[1].originals, listed[NEW_CODE].papers[1].copies) == (1, 1)
    result = counter.intake.accept(person_form(NEW_CODE))
    assert result.due == vn(2026, 3, 4, 17, 0)  # Mon 02/3 09:00 + 2 working days


@pytest.mark.parametrize("name", ["canbo", "lanhdao"])
def test_a_clerk_or_a_supervisor_is_refused_every_administration(counter: Services, tmp_path: Path, name: str) -> None:
    sign_in(counter, name)
    before = counter.catalogue.get_procedure_spec(MARRIAGE)
    with pytest.raises(PermissionDenied, match="quản trị viên"):
        counter.catalogue.save_procedure(procedure_data(), new=True)
    with pytest.raises(PermissionDenied):
        counter.catalogue.save_procedure(procedure_data(code=MARRIAGE, days=1), new=False)
    with pytest.raises(PermissionDenied):
        counter.catalogue.deactivate_procedure(MARRIAGE)
    with pytest.raises(PermissionDenied):
        counter.catalogue.import_catalogue(write_json(tmp_path / "c.json", {"procedures": [procedure_data()]}))
    decision = write_json(tmp_path / "2027.json", decision_2027())
    with pytest.raises(PermissionDenied, match="nhập lịch làm việc"):
        counter.calendar.import_file(decision)
    with pytest.raises(PermissionDenied):
        counter.calendar.preview_file(decision)
    assert not counter.catalogue.may_administer()
    assert counter.catalogue.get_procedure_spec(MARRIAGE) == before
    assert counter.calendar.get_year(2027).estimated
    assert counter.catalogue.list_admin_events() == []


def test_nobody_signed_in_is_refused_once_accounts_exist(counter: Services) -> None:
    with pytest.raises(PermissionDenied, match="đăng nhập"):
        counter.catalogue.save_procedure(procedure_data(), new=True)


@pytest.mark.parametrize(
    ("changes", "field", "message"),
    [
        ({"code": ""}, "code", "Cần nhập mã thủ tục"),
        ({"code": "mã có dấu"}, "code", "chữ không dấu"),
        ({"name": "   "}, "name", "Cần nhập tên thủ tục"),
        ({"field": ""}, "field", "Cần nhập lĩnh vực"),
        ({"deciding_agency": ""}, "deciding_agency", "cơ quan có thẩm quyền giải quyết"),
        ({"days": -1}, "days", "từ 0 đến 365"),
        ({"days": 0, "same_day_cutoff": "25:00"}, "same_day_cutoff", "GG:PP"),
        ({"days": 3, "same_day_cutoff": "15:00"}, "same_day_cutoff", "trả kết quả trong ngày"),
        ({"fee": -5}, "fee", "không âm"),
        ({"supplement_rule": "wait"}, "supplement_rule", "tạm dừng"),
        ({"papers": []}, "papers", "ít nhất một giấy tờ"),
        ({"papers": [{"name": "Tờ khai", "originals": 0, "copies": 0}]}, "papers", "Giấy tờ thứ 1"),
        (
            {"papers": [{"name": "Tờ khai", "originals": 1, "copies": 0}, {"name": "", "originals": 1, "copies": 0}]},
            "papers",
            "Giấy tờ thứ 2: cần nhập tên",
        ),
    ],
)
def test_each_wrong_field_is_named_with_a_vietnamese_message(
    counter: Services, changes: dict[str, object], field: str, message: str
) -> None:
    sign_in(counter, "quantri")
    with pytest.raises(FormInvalid) as caught:
        counter.catalogue.save_procedure(procedure_data(**changes), new=True)
    assert list(caught.value.errors) == [field]
    assert message in caught.value.errors[field]
    assert NEW_CODE not in {p.code for p in counter.catalogue.list_procedures(include_inactive=True)}


def test_several_wrong_fields_are_all_reported(counter: Services) -> None:
    sign_in(counter, "quantri")
    with pytest.raises(FormInvalid) as caught:
        counter.catalogue.save_procedure(procedure_data(name="", fee="mười nghìn", papers=[]), new=True)
    assert set(caught.value.errors) == {"name", "fee", "papers"}


def test_a_new_procedure_may_not_take_an_existing_code(counter: Services) -> None:
    sign_in(counter, "quantri")
    with pytest.raises(FormInvalid) as caught:
        counter.catalogue.save_procedure(procedure_data(code=MARRIAGE), new=True)
    assert caught.value.errors == {"code": f"Mã thủ tục {MARRIAGE} đã có trong danh mục."}
    assert counter.catalogue.get_procedure(MARRIAGE).name == "Đăng ký kết hôn"


def test_an_edited_procedure_gives_new_dossiers_the_new_due_date_and_leaves_old_ones(
    counter: Services, clock: StepClock
) -> None:
    sign_in(counter, "canbo")
    old = counter.intake.accept(person_form(MARRIAGE))
    assert old.due == vn(2026, 3, 9, 17, 0)  # 5 working days after Mon 02/3
    counter.accounts.sign_out()
    sign_in(counter, "quantri")
    spec = counter.catalogue.get_procedure_spec(MARRIAGE)
    edited = spec.to_json_dict() | {"days": 10, "fee": 20000}
    counter.catalogue.save_procedure(edited, new=False)
    counter.accounts.sign_out()
    sign_in(counter, "canbo")
    clock.advance(60)
    new = counter.intake.accept(person_form(MARRIAGE, identifier="079090001235", name="Lê Văn Tám"))
    assert new.due == vn(2026, 3, 16, 17, 0)  # 10 working days
    assert counter.dossiers.get_dossier(new.code or "").fee == 20000
    kept = counter.dossiers.get_dossier(old.code or "")
    assert kept.due_at == vn(2026, 3, 9, 17, 0)
    assert kept.fee == 0
    assert counter.dossiers.get_state(old.code or "").processing_days == 5


def test_a_calendar_import_changes_due_dates_computed_afterwards_only(
    counter: Services, clock: StepClock, tmp_path: Path
) -> None:
    clock.moment = vn(2027, 2, 26, 10, 0)  # Friday; 2027 has no shipped decision: estimated
    sign_in(counter, "canbo")
    stop = "1.010010"  # 1 working day
    before = counter.intake.accept(person_form(stop))
    assert before.due == vn(2027, 3, 1, 17, 0)
    assert counter.calendar.get_year(2027).estimated
    counter.accounts.sign_out()
    sign_in(counter, "quantri")
    preview = counter.calendar.preview_file(write_json(tmp_path / "2027.json", decision_2027()))
    assert [d.date.isoformat() for d in preview.added_working] == ["2027-02-27"]
    assert "2027-03-01" in {d.date.isoformat() for d in preview.added_off}
    assert preview.changes_anything
    counter.calendar.import_year(preview.new)
    year = counter.calendar.get_year(2027)
    assert not year.estimated
    assert year.version == "vn-2027.test"
    counter.accounts.sign_out()
    sign_in(counter, "canbo")
    after = counter.intake.accept(person_form(stop, identifier="079090001235", name="Lê Văn Tám"))
    assert after.due == vn(2027, 2, 27, 17, 0)  # the swapped working Saturday
    assert after.calendar_version == "vn-2027.test"
    assert counter.dossiers.get_dossier(before.code or "").due_at == vn(2027, 3, 1, 17, 0)
    assert counter.calendar.appointment(vn(2027, 2, 26, 10, 0), 2).due == vn(2027, 3, 3, 17, 0)  # 1-2/3 off


def test_an_invalid_decision_changes_nothing(counter: Services, tmp_path: Path) -> None:
    sign_in(counter, "quantri")
    bad = decision_2027(working_days=[{"date": "2027-03-03", "name": "Thứ Tư"}])  # a weekday
    with pytest.raises(ValidationError, match="không phải thứ Bảy hay Chủ nhật"):
        counter.calendar.import_file(write_json(tmp_path / "bad.json", bad))
    assert counter.calendar.get_year(2027).estimated
    assert counter.catalogue.list_admin_events() == []


def test_every_change_is_logged_with_who_where_and_before_after(counter: Services, tmp_path: Path) -> None:
    sign_in(counter, "quantri")
    counter.catalogue.save_procedure(procedure_data(), new=True)
    counter.catalogue.save_procedure(procedure_data(fee=35000), new=False)
    counter.catalogue.save_procedure(procedure_data(fee=35000), new=False)  # no change: no entry
    counter.catalogue.deactivate_procedure(NEW_CODE)
    counter.calendar.import_file(write_json(tmp_path / "2027.json", decision_2027()))
    events = counter.catalogue.list_admin_events()
    assert [e.kind for e in events] == [CALENDAR_IMPORTED, PROCEDURE_DEACTIVATED, PROCEDURE_UPDATED, PROCEDURE_CREATED]
    assert {(e.clerk, e.role, e.counter, e.agency_code, e.source) for e in events} == {
        ("quantri", "admin", 1, "000.17.22.H56", "local")
    }
    created, updated = events[3], events[2]
    assert created.before is None
    assert created.after is not None and created.after["fee"] == 30000
    assert updated.before is not None and updated.before["fee"] == 30000
    assert updated.after is not None and updated.after["fee"] == 35000
    assert events[1].after is not None and events[1].after["active"] is False
    assert events[0].before is not None and events[0].before["estimated"] is True
    assert events[0].after is not None and events[0].after["version"] == "vn-2027.test"
    assert [e.kind for e in counter.catalogue.list_admin_events(subject=f"procedure:{NEW_CODE}")] == [
        PROCEDURE_DEACTIVATED,
        PROCEDURE_UPDATED,
        PROCEDURE_CREATED,
    ]
    # the changes are in the tamper-evident chain too, and it still verifies
    assert counter.audit.verify().ok


def test_a_deactivated_procedure_is_no_longer_offered(counter: Services) -> None:
    sign_in(counter, "quantri")
    counter.catalogue.deactivate_procedure(MARRIAGE)
    assert MARRIAGE not in {p.code for p in counter.catalogue.list_procedures()}
    everything = {p.code: p for p in counter.catalogue.list_procedures(include_inactive=True)}
    assert everything[MARRIAGE].active is False  # type: ignore[attr-defined]
    with pytest.raises(FormInvalid, match="ngừng áp dụng"):
        counter.catalogue.save_procedure(procedure_data(code=MARRIAGE), new=True)
    counter.accounts.sign_out()
    sign_in(counter, "canbo")
    with pytest.raises(FormInvalid, match="ngừng áp dụng"):  # intake by code (the command line) refuses it too
        counter.intake.accept(person_form(MARRIAGE))
    counter.accounts.sign_out()
    sign_in(counter, "quantri")
    spec = counter.catalogue.get_procedure_spec(MARRIAGE)
    counter.catalogue.save_procedure(spec.to_json_dict() | {"active": True}, new=False)
    assert MARRIAGE in {p.code for p in counter.catalogue.list_procedures()}


def test_a_catalogue_file_is_imported_whole_or_not_at_all(counter: Services, tmp_path: Path) -> None:
    sign_in(counter, "quantri")
    marriage = counter.catalogue.get_procedure_spec(MARRIAGE).to_json_dict()
    good = {"version": "hcm-2026.2", "procedures": [procedure_data(), marriage | {"days": 7}]}
    bad = {"procedures": [procedure_data(code="X.1"), procedure_data(code="X.2", same_day_cutoff="15:00")]}
    with pytest.raises(FormInvalid, match=r"Thủ tục thứ 2 \(X.2\), trường same_day_cutoff"):
        counter.catalogue.import_catalogue(write_json(tmp_path / "bad.json", bad))
    assert "X.1" not in {p.code for p in counter.catalogue.list_procedures(include_inactive=True)}
    result = counter.catalogue.import_catalogue(write_json(tmp_path / "good.json", good))
    assert (result.added, result.updated, result.unchanged) == ((NEW_CODE,), (MARRIAGE,), 0)
    assert counter.catalogue.get_procedure(MARRIAGE).days == 7
    again = counter.catalogue.import_catalogue(tmp_path / "good.json")
    assert (again.added, again.updated, again.unchanged) == ((), (), 2)
    assert counter.audit.verify().ok  # one chain link per changed procedure, in order
