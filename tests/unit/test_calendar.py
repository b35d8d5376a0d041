"""Tests of the working calendar: shipped 2025/2026 data, estimates, import validation and day arithmetic."""

from __future__ import annotations

import json
from datetime import date, timedelta
from pathlib import Path

import holidays
import pytest

from counter_app.domain.calendar import (
    CalendarDay,
    CalendarYear,
    WorkingCalendar,
    estimate_year,
)
from counter_app.errors import ValidationError
from counter_app.services.catalogue.calendar_files import load_calendar_file, load_shipped_years, shipped_calendar_dir

# holidays does not re-export __version__ for type checkers.
ESTIMATED_VERSION = f"holidays-{holidays.__version__}-estimated"  # type: ignore[attr-defined]


def _span(first: date, last: date) -> set[date]:
    return {first + timedelta(days=i) for i in range((last - first).days + 1)}


# Written by hand from domain.md §7, not from the shipped files.
DAYS_OFF_2025 = (
    {date(2025, 1, 1), date(2025, 4, 7)}
    | _span(date(2025, 1, 25), date(2025, 2, 2))
    | _span(date(2025, 4, 30), date(2025, 5, 4))
    | _span(date(2025, 8, 30), date(2025, 9, 2))
)
DAYS_OFF_2026 = (
    _span(date(2026, 1, 1), date(2026, 1, 4))
    | _span(date(2026, 2, 14), date(2026, 2, 22))
    | {date(2026, 4, 27), date(2026, 4, 30), date(2026, 5, 1), date(2026, 11, 24)}
    | _span(date(2026, 8, 29), date(2026, 9, 2))
)
WORKING_SATURDAYS = {date(2025, 4, 26), date(2026, 1, 10), date(2026, 8, 22)}


@pytest.fixture(scope="module")
def shipped() -> WorkingCalendar:
    return WorkingCalendar(load_shipped_years())


def _valid_dict(**changes: object) -> dict[str, object]:
    data: dict[str, object] = {
        "year": 2027,
        "version": "vn-2027.1",
        "source": "Thông báo thử nghiệm",
        "days_off": [
            {"date": "2027-01-01", "name": "Tết Dương lịch"},
            {"date": "2027-02-05", "name": "Tết Nguyên đán"},
        ],
        "working_days": [{"date": "2027-01-09", "name": "Làm bù cho ngày 04/01/2027"}],
    }
    data.update(changes)
    return data


# --- shipped data ------------------------------------------------------------------------------------------


def test_every_day_of_2025_and_2026_matches_the_hand_written_calendar(shipped: WorkingCalendar) -> None:
    days_off = DAYS_OFF_2025 | DAYS_OFF_2026
    mismatches = []
    for day in sorted(_span(date(2025, 1, 1), date(2026, 12, 31))):
        expected = day in WORKING_SATURDAYS or (day.weekday() < 5 and day not in days_off)
        if shipped.is_working_day(day) != expected:
            mismatches.append(day)
    assert mismatches == []


def test_shipped_years_are_2025_and_2026_official(shipped: WorkingCalendar) -> None:
    years = load_shipped_years()
    assert [y.year for y in years] == [2025, 2026]
    assert not any(y.estimated for y in years)
    assert all(y.source.strip() for y in years)


def test_every_shipped_day_off_and_working_saturday_has_a_name(shipped: WorkingCalendar) -> None:
    for day in DAYS_OFF_2025 | DAYS_OFF_2026 | WORKING_SATURDAYS:
        assert shipped.day_name(day), day


def test_shipped_names(shipped: WorkingCalendar) -> None:
    assert shipped.day_name(date(2026, 11, 24)) == "Ngày Văn hóa Việt Nam"
    assert shipped.day_name(date(2025, 9, 2)) == "Quốc khánh"
    assert shipped.day_name(date(2025, 4, 30)) == "Ngày Giải phóng miền Nam, thống nhất đất nước"
    assert "Tết Nguyên đán" in (shipped.day_name(date(2026, 2, 17)) or "")
    assert "02/5/2025" in (shipped.day_name(date(2025, 4, 26)) or "")
    assert "Hùng Vương" in (shipped.day_name(date(2026, 4, 27)) or "")
    assert shipped.day_name(date(2026, 3, 4)) is None


def test_shipped_dir_follows_the_resources_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "calendar").mkdir()
    (tmp_path / "calendar" / "2027.json").write_text(json.dumps(_valid_dict()), encoding="utf-8")
    monkeypatch.setenv("COUNTER_APP_RESOURCES", str(tmp_path))
    assert shipped_calendar_dir() == tmp_path / "calendar"
    assert [y.year for y in load_shipped_years()] == [2027]


def test_shipped_file_named_after_another_year_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "calendar").mkdir()
    (tmp_path / "calendar" / "2028.json").write_text(json.dumps(_valid_dict()), encoding="utf-8")
    monkeypatch.setenv("COUNTER_APP_RESOURCES", str(tmp_path))
    with pytest.raises(ValidationError, match=r"2028\.json"):
        load_shipped_years()


def test_default_shipped_dir_is_the_repository_resources() -> None:
    assert shipped_calendar_dir() == Path(__file__).resolve().parents[2] / "resources" / "calendar"


# --- estimated years ---------------------------------------------------------------------------------------


def test_estimate_2027_follows_the_holidays_package() -> None:
    cal = estimate_year(2027)
    assert cal.estimated
    assert cal.working_days == ()
    assert cal.version == ESTIMATED_VERSION
    off = {d.date for d in cal.days_off}
    # domain.md §7: Tết falls on Sat 6/2/2027, Giỗ Tổ on Fri 16/4/2027.
    assert {date(2027, 1, 1), date(2027, 2, 6), date(2027, 4, 16), date(2027, 4, 30), date(2027, 9, 2)} <= off
    # Labour Day on Sat 1/5/2027 gives the next working day off (observed).
    assert date(2027, 5, 3) in off


def test_unknown_year_is_estimated_and_cached(shipped: WorkingCalendar) -> None:
    calls: list[int] = []

    def counting_estimator(year: int) -> CalendarYear:
        calls.append(year)
        return estimate_year(year)

    cal = WorkingCalendar(load_shipped_years(), counting_estimator)
    assert not cal.is_working_day(date(2027, 1, 1))
    assert not cal.is_working_day(date(2027, 2, 8))
    assert cal.year(2027).estimated
    assert not cal.year(2026).estimated
    assert calls == [2027]


def test_with_year_takes_precedence_and_leaves_the_original_alone(shipped: WorkingCalendar) -> None:
    replacement = CalendarYear.from_json_dict(
        {
            "year": 2026,
            "version": "vn-2026.2",
            "source": "Thông báo sửa đổi",
            "days_off": [{"date": "2026-03-03", "name": "Ngày nghỉ thử nghiệm"}],
            "working_days": [],
        }
    )
    changed = shipped.with_year(replacement)
    assert not changed.is_working_day(date(2026, 3, 3))
    assert changed.is_working_day(date(2026, 11, 24))
    assert changed.year(2025).version == shipped.year(2025).version
    assert shipped.is_working_day(date(2026, 3, 3))
    assert not shipped.is_working_day(date(2026, 11, 24))


# --- day arithmetic ----------------------------------------------------------------------------------------


def test_next_working_day_skips_tet_2026(shipped: WorkingCalendar) -> None:
    assert shipped.next_working_day(date(2026, 2, 13)) == date(2026, 2, 23)


def test_next_working_day_lands_on_a_working_saturday(shipped: WorkingCalendar) -> None:
    assert shipped.next_working_day(date(2025, 4, 25)) == date(2025, 4, 26)


def test_previous_working_day(shipped: WorkingCalendar) -> None:
    assert shipped.previous_working_day(date(2026, 1, 5)) == date(2025, 12, 31)


def test_add_working_days_zero(shipped: WorkingCalendar) -> None:
    assert shipped.add_working_days(date(2026, 3, 4), 0) == date(2026, 3, 4)
    assert shipped.add_working_days(date(2026, 3, 7), 0) == date(2026, 3, 9)
    assert shipped.add_working_days(date(2026, 1, 10), 0) == date(2026, 1, 10)


def test_add_working_days_across_the_april_may_2026_holidays(shipped: WorkingCalendar) -> None:
    # Fri 24/4; Mon 27/4 off (Giỗ Tổ observed); 28, 29 working; 30/4, 1/5 off; weekend; Mon 4/5.
    assert shipped.add_working_days(date(2026, 4, 24), 1) == date(2026, 4, 28)
    assert shipped.add_working_days(date(2026, 4, 24), 3) == date(2026, 5, 4)


def test_add_working_days_refuses_a_negative_count(shipped: WorkingCalendar) -> None:
    with pytest.raises(ValueError):
        shipped.add_working_days(date(2026, 3, 4), -1)


def test_working_days_between(shipped: WorkingCalendar) -> None:
    # Mon 2/3 excluded, Tue 3 .. Fri 6 included.
    assert shipped.working_days_between(date(2026, 3, 2), date(2026, 3, 6)) == 4
    # Fri 9/1/2026 excluded; Sat 10/1 is a working Saturday; Sun 11 no; Mon 12 yes.
    assert shipped.working_days_between(date(2026, 1, 9), date(2026, 1, 12)) == 2
    assert shipped.working_days_between(date(2026, 3, 6), date(2026, 3, 6)) == 0
    assert shipped.working_days_between(date(2026, 3, 6), date(2026, 3, 2)) == 0


def test_version_for(shipped: WorkingCalendar) -> None:
    assert shipped.version_for([date(2026, 3, 2)]) == ("vn-2026.1", False)
    assert shipped.version_for([date(2026, 1, 2), date(2025, 12, 31)]) == ("vn-2025.1+vn-2026.1", False)
    assert shipped.version_for([date(2026, 12, 31), date(2027, 1, 4)]) == (
        f"vn-2026.1+{ESTIMATED_VERSION}",
        True,
    )


# --- import format and validation --------------------------------------------------------------------------


def test_json_round_trip() -> None:
    cal = CalendarYear.from_json_dict(_valid_dict())
    assert cal.year == 2027
    assert cal.days_off[0] == CalendarDay(date(2027, 1, 1), "Tết Dương lịch")
    again = CalendarYear.from_json_dict(cal.to_json_dict())
    assert again == cal
    assert cal.to_json_dict()["estimated"] is False


def test_shipped_files_round_trip_through_json() -> None:
    for cal in load_shipped_years():
        assert CalendarYear.from_json_dict(json.loads(json.dumps(cal.to_json_dict()))) == cal


@pytest.mark.parametrize(
    ("data", "fragment"),
    [
        ([1, 2], "đối tượng JSON"),
        (_valid_dict(year="2027"), "số nguyên"),
        (_valid_dict(year=True), "số nguyên"),
        (_valid_dict(year=1800), "ngoài khoảng"),
        (_valid_dict(version=""), "Phiên bản"),
        (_valid_dict(source="   "), "Nguồn"),
        (_valid_dict(source=12), "Nguồn"),
        ({k: v for k, v in _valid_dict().items() if k != "working_days"}, "thiếu trường: working_days"),
        (_valid_dict(extra=1), "không được hỗ trợ: extra"),
        (_valid_dict(days_off={"date": "2027-01-01"}), "mảng"),
        (_valid_dict(days_off=[{"date": "01/01/2027", "name": "Tết"}]), "YYYY-MM-DD"),
        (_valid_dict(days_off=[{"date": "2027-02-30", "name": "Tết"}]), "không tồn tại"),
        (_valid_dict(days_off=[{"date": "2026-12-31", "name": "Tết"}]), "không thuộc năm 2027"),
        (_valid_dict(days_off=[{"date": "2027-01-01", "name": ""}]), "thiếu tên"),
        (_valid_dict(days_off=[{"date": "2027-01-01"}]), "“date” và “name”"),
        (
            _valid_dict(days_off=[{"date": "2027-01-01", "name": "A"}, {"date": "2027-01-01", "name": "B"}]),
            "bị lặp lại",
        ),
        (
            _valid_dict(working_days=[{"date": "2027-01-09", "name": "A"}, {"date": "2027-01-09", "name": "B"}]),
            "bị lặp lại",
        ),
        (
            _valid_dict(
                days_off=[{"date": "2027-01-09", "name": "Nghỉ"}],
                working_days=[{"date": "2027-01-09", "name": "Làm"}],
            ),
            "vừa là ngày nghỉ vừa là ngày làm việc bù",
        ),
        # Mon 4/1/2027 is already a working day.
        (
            _valid_dict(working_days=[{"date": "2027-01-04", "name": "Làm"}]),
            "không phải thứ Bảy hay Chủ nhật",
        ),
        (_valid_dict(estimated="yes"), "estimated"),
    ],
)
def test_import_refusals(data: object, fragment: str) -> None:
    with pytest.raises(ValidationError) as info:
        CalendarYear.from_json_dict(data)
    assert info.value.field == "calendar"
    assert fragment in info.value.message


def test_sunday_working_day_is_accepted() -> None:
    cal = CalendarYear.from_json_dict(_valid_dict(working_days=[{"date": "2027-01-10", "name": "Làm bù"}]))
    assert WorkingCalendar([cal]).is_working_day(date(2027, 1, 10))


def test_load_calendar_file(tmp_path: Path) -> None:
    path = tmp_path / "2027.json"
    path.write_text(json.dumps(_valid_dict(), ensure_ascii=False), encoding="utf-8")
    assert load_calendar_file(path).version == "vn-2027.1"


def test_load_calendar_file_refuses_bad_json(tmp_path: Path) -> None:
    path = tmp_path / "bad.json"
    path.write_text('{"year": 2027,', encoding="utf-8")
    with pytest.raises(ValidationError) as info:
        load_calendar_file(path)
    assert info.value.field == "calendar"
    assert "không phải JSON hợp lệ" in info.value.message


def test_load_calendar_file_refuses_a_missing_file(tmp_path: Path) -> None:
    with pytest.raises(ValidationError, match="Không đọc được"):
        load_calendar_file(tmp_path / "none.json")


def test_load_calendar_file_refuses_non_utf8(tmp_path: Path) -> None:
    path = tmp_path / "latin.json"
    path.write_bytes(json.dumps(_valid_dict(source="Thông báo"), ensure_ascii=False).encode("utf-16"))
    with pytest.raises(ValidationError, match="UTF-8"):
        load_calendar_file(path)


# working_days_between counts (start, end]: the start day is never counted, the end day is. All but the last
# three cases start and end on days of different kinds (working / not), so that counting [start, end) instead
# gives another number; the last three pin the swapped days around them. Expected values are counted by hand
# from domain.md §7 (2026: 1/1-4/1 off, Sat 10/1 working, Tết 14/2-22/2 off, Sat 22/8 working, Tue 24/11 off).
@pytest.mark.parametrize(
    ("start", "end", "expected"),
    [
        # Wed 4/3 -> Sat 7/3: Thu 5, Fri 6 (the Wednesday is the start, the Saturday is no working day).
        (date(2026, 3, 4), date(2026, 3, 7), 2),
        # Due Fri 6/3, finished Sun 8/3: Sat 7, Sun 8 are not working days: 0 days late.
        (date(2026, 3, 6), date(2026, 3, 8), 0),
        # Requested on Sat 7/3 (a Saturday opening), back Mon 9/3: Sun 8 no, Mon 9 yes.
        (date(2026, 3, 7), date(2026, 3, 9), 1),
        # Starts on the last day of Tết (Sun 22/2): Mon 23, Tue 24, Wed 25.
        (date(2026, 2, 22), date(2026, 2, 25), 3),
        # Starts on the first day of Tết (Sat 14/2), ends Tue 24/2: 15-22 off, Mon 23, Tue 24.
        (date(2026, 2, 14), date(2026, 2, 24), 2),
        # Ends on the first day of Tết: Thu 12/2 -> Sat 14/2 is Fri 13 only.
        (date(2026, 2, 12), date(2026, 2, 14), 1),
        # Sun 4/1 (a day off) -> the working Saturday 10/1: Mon 5 .. Fri 9 and Sat 10.
        (date(2026, 1, 4), date(2026, 1, 10), 6),
        # The working Saturday 10/1 -> Sun 11/1: nothing after the Saturday is a working day.
        (date(2026, 1, 10), date(2026, 1, 11), 0),
        # Fri 21/8 -> Mon 24/8: the working Saturday 22/8 and Mon 24.
        (date(2026, 8, 21), date(2026, 8, 24), 2),
        # Mon 23/11 -> Tue 24/11, Ngày Văn hóa Việt Nam: nothing.
        (date(2026, 11, 23), date(2026, 11, 24), 0),
        # Thu 1/1 -> Fri 2/1: the Friday is a swapped day off.
        (date(2026, 1, 1), date(2026, 1, 2), 0),
        # Wed 31/12/2025 -> Tue 6/1/2026: across the year; 1/1-4/1 off, Mon 5 and Tue 6.
        (date(2025, 12, 31), date(2026, 1, 6), 2),
    ],
    ids=[
        "wed-to-sat",
        "due-fri-finished-sun",
        "sat-to-mon",
        "from-last-tet-day",
        "from-first-tet-day",
        "to-first-tet-day",
        "day-off-to-working-saturday",
        "working-saturday-to-sunday",
        "over-working-saturday-22-8",
        "to-culture-day",
        "to-swapped-friday",
        "across-new-year",
    ],
)
def test_working_days_between_counts_after_start_up_to_end(
    shipped: WorkingCalendar, start: date, end: date, expected: int
) -> None:
    assert shipped.working_days_between(start, end) == expected


def test_working_days_between_one_day_apart_is_whether_the_end_works(shipped: WorkingCalendar) -> None:
    # The same pair seen from both sides: Fri 6/3 -> Sat 7/3 counts the Saturday (no); Thu 5/3 -> Fri 6/3 counts
    # the Friday (yes); Sun 8/3 -> Mon 9/3 counts the Monday (yes).
    assert shipped.working_days_between(date(2026, 3, 6), date(2026, 3, 7)) == 0
    assert shipped.working_days_between(date(2026, 3, 5), date(2026, 3, 6)) == 1
    assert shipped.working_days_between(date(2026, 3, 8), date(2026, 3, 9)) == 1
