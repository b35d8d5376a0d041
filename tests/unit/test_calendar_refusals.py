"""The calendar's refusals word for word, its year bounds, its estimates in Vietnamese, and its small helpers.

An administrator imports a calendar year (domain.md §7: the calendar is versioned data, editable); a refusal
must say which field and which entry is wrong, in Vietnamese, on the field "calendar". Years are accepted
from 2000 to 2100, both included, as the refusal itself says ("2000–2100").
"""

from __future__ import annotations

import io
import json
from collections.abc import Callable
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
from counter_app.services.catalogue.calendar_files import load_calendar_file

WEEKDAY_WORKING_DAY = "ngày trong tuần vốn đã là ngày làm việc"


def _valid(**changes: object) -> dict[str, object]:
    """A correct 2027 import (Fri 1/1 and Fri 5/2 off, Sat 9/1 worked), with `changes` applied."""
    data: dict[str, object] = {
        "year": 2027,
        "version": "vn-2027.1",
        "source": "Thông báo thử nghiệm",
        "days_off": [
            {"date": "2027-01-01", "name": "Tết Dương lịch"},
            {"date": "2027-02-05", "name": "Tết Nguyên đán"},
        ],
        "working_days": [{"date": "2027-01-09", "name": "Làm bù"}],
    }
    data.update(changes)
    return data


def _without(*keys: str) -> dict[str, object]:
    return {k: v for k, v in _valid().items() if k not in keys}


def _year(year: int, **changes: object) -> CalendarYear:
    fields: dict[str, object] = {
        "year": year,
        "version": f"test-{year}",
        "source": "domain.md §7",
        "days_off": (),
        "working_days": (),
    }
    fields.update(changes)
    return CalendarYear(**fields)  # type: ignore[arg-type]


def _refusal(action: Callable[[], object]) -> str:
    with pytest.raises(ValidationError) as info:
        action()
    assert info.value.field == "calendar"
    return info.value.message


# --- the import format, refusal by refusal -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ([1, 2], 'Dữ liệu lịch phải là một đối tượng JSON (dạng {"year": ..., ...}).'),
        # every unknown field is named, in alphabetical order
        (_valid(note="x", extra=1), "Dữ liệu lịch có trường không được hỗ trợ: extra, note."),
        # every missing field is named
        (_without("source", "working_days"), "Dữ liệu lịch thiếu trường: source, working_days."),
        (_valid(year="2027"), "Năm (year) phải là một số nguyên."),
        (_valid(year=1999, days_off=[], working_days=[]), "Năm 1999 nằm ngoài khoảng cho phép (2000–2100)."),
        (_valid(year=2101, days_off=[], working_days=[]), "Năm 2101 nằm ngoài khoảng cho phép (2000–2100)."),
        (_valid(estimated="yes"), "Trường “estimated” phải là true hoặc false."),
        (_valid(version=""), "Phiên bản lịch (version) phải là một chuỗi không rỗng."),
        (_valid(source="   "), "Nguồn văn bản (source) phải là một chuỗi không rỗng."),
        (_valid(days_off={}), "Danh sách ngày nghỉ (days_off) phải là một mảng JSON."),
        (_valid(working_days="2027-01-09"), "Danh sách ngày làm việc bù (working_days) phải là một mảng JSON."),
        # the entries are numbered from 1, as a person counts them
        (
            _valid(days_off=[{"date": "2027-01-01", "name": "Tết"}, {"date": "2027-02-05"}]),
            "Mục thứ 2 trong danh sách ngày nghỉ (days_off) phải có đúng hai trường “date” và “name”.",
        ),
        (
            _valid(working_days=[{"date": "2027-01-09", "name": "Làm bù", "note": ""}]),
            "Mục thứ 1 trong danh sách ngày làm việc bù (working_days) phải có đúng hai trường “date” và “name”.",
        ),
        (
            _valid(working_days=[{"date": "09/01/2027", "name": "Làm bù"}]),
            "Ngày “09/01/2027” trong danh sách ngày làm việc bù (working_days) không đúng dạng YYYY-MM-DD.",
        ),
        (
            _valid(working_days=[{"date": "2027-02-30", "name": "Làm bù"}]),
            "Ngày “2027-02-30” trong danh sách ngày làm việc bù (working_days) không tồn tại.",
        ),
        (
            _valid(days_off=[{"date": "2027-01-01", "name": ""}]),
            "Ngày 2027-01-01 trong danh sách ngày nghỉ (days_off) thiếu tên.",
        ),
        (
            _valid(days_off=[{"date": "2027-01-01", "name": 5}]),
            "Ngày 2027-01-01 trong danh sách ngày nghỉ (days_off) thiếu tên.",
        ),
        (
            _valid(working_days=[{"date": "2027-01-09", "name": "  "}]),
            "Ngày 2027-01-09 trong danh sách ngày làm việc bù (working_days) thiếu tên.",
        ),
        # Mon 4/1/2027 is already a working day
        (
            _valid(working_days=[{"date": "2027-01-04", "name": "Làm bù"}]),
            f"Ngày làm việc bù 04/01/2027 không phải thứ Bảy hay Chủ nhật: {WEEKDAY_WORKING_DAY}.",
        ),
    ],
    ids=[
        "not-an-object",
        "unknown-fields",
        "missing-fields",
        "year-not-int",
        "year-1999",
        "year-2101",
        "estimated-not-bool",
        "empty-version",
        "blank-source",
        "days-off-not-a-list",
        "working-days-not-a-list",
        "second-entry-without-name",
        "entry-with-a-third-field",
        "date-not-iso",
        "date-does-not-exist",
        "empty-name",
        "name-not-text",
        "blank-name-of-a-working-day",
        "weekday-as-working-day",
    ],
)
def test_import_refusal_messages(data: object, message: str) -> None:
    assert _refusal(lambda: CalendarYear.from_json_dict(data)) == message


def test_imported_estimated_flag_is_kept() -> None:
    assert CalendarYear.from_json_dict(_valid(estimated=True)).estimated is True
    assert CalendarYear.from_json_dict(_valid()).estimated is False


# --- year bounds: 2000 and 2100 are in -------------------------------------------------------------------


@pytest.mark.parametrize("year", [2000, 2100])
def test_the_first_and_last_allowed_years_are_accepted(year: int) -> None:
    imported = CalendarYear.from_json_dict(_valid(year=year, days_off=[], working_days=[]))
    assert imported.year == year
    assert _year(year).year == year
    estimated = estimate_year(year)
    assert (estimated.year, estimated.estimated) == (year, True)
    assert {d.date for d in estimated.days_off} >= {date(year, 1, 1)}


@pytest.mark.parametrize("year", [1999, 2101])
def test_years_outside_the_range_are_refused_everywhere(year: int) -> None:
    message = f"Năm {year} nằm ngoài khoảng cho phép (2000–2100)."
    assert _refusal(lambda: _year(year)) == message
    assert _refusal(lambda: estimate_year(year)) == message


# --- a CalendarYear made in code is checked like an import ------------------------------------------------


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"version": "  "}, "Phiên bản lịch (version) phải là một chuỗi không rỗng."),
        ({"source": ""}, "Nguồn văn bản (source) phải là một chuỗi không rỗng."),
        ({"days_off": (CalendarDay(date(2027, 1, 1), " "),)}, "Ngày 01/01/2027 thiếu tên."),
        ({"working_days": (CalendarDay(date(2027, 1, 9), ""),)}, "Ngày 09/01/2027 thiếu tên."),
        (
            {"working_days": (CalendarDay(date(2027, 1, 8), "Làm bù"),)},
            f"Ngày làm việc bù 08/01/2027 không phải thứ Bảy hay Chủ nhật: {WEEKDAY_WORKING_DAY}.",
        ),
    ],
    ids=["blank-version", "empty-source", "nameless-day-off", "nameless-working-day", "friday-as-working-day"],
)
def test_a_calendar_year_made_in_code_is_refused_like_an_import(changes: dict[str, object], message: str) -> None:
    assert _refusal(lambda: _year(2027, **changes)) == message


# --- estimated years ------------------------------------------------------------------------------------


def test_an_estimated_year_names_its_days_in_vietnamese() -> None:
    names = {d.date: d.name for d in estimate_year(2027).days_off}
    assert names[date(2027, 1, 1)] == "Tết Dương lịch"
    assert names[date(2027, 9, 2)] == "Quốc khánh"
    assert names[date(2027, 11, 24)] == "Ngày Văn hóa Việt Nam"


def test_an_estimated_year_says_it_has_no_official_decision() -> None:
    source = estimate_year(2027).source
    assert source.startswith("Ước tính theo quy định của Bộ luật Lao động (gói holidays ")
    assert source.endswith("), chưa có thông báo chính thức")


def test_an_estimate_without_the_package_version_says_unknown(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delattr(holidays, "__version__")
    cal = estimate_year(2027)
    assert cal.version == "holidays-unknown-estimated"
    assert "(gói holidays unknown)" in cal.source


# --- calendar files ---------------------------------------------------------------------------------------


def test_a_missing_file_is_refused_with_the_reason_in_the_detail(tmp_path: Path) -> None:
    with pytest.raises(ValidationError) as info:
        load_calendar_file(tmp_path / "none.json")
    assert info.value.field == "calendar"
    assert info.value.message == "Không đọc được tệp lịch none.json."
    assert info.value.detail.startswith("FileNotFoundError: ")
    assert "none.json" in info.value.detail


def test_a_file_not_in_utf8_is_refused_with_the_decoder_error_in_the_detail(tmp_path: Path) -> None:
    path = tmp_path / "utf16.json"
    # UTF-16 starts with the byte-order mark FF FE; 0xFF can never start a UTF-8 character.
    path.write_bytes(json.dumps(_valid(), ensure_ascii=False).encode("utf-16"))
    with pytest.raises(ValidationError) as info:
        load_calendar_file(path)
    assert info.value.field == "calendar"
    assert info.value.message == "Tệp lịch utf16.json không phải văn bản UTF-8."
    assert info.value.detail == "'utf-8' codec can't decode byte 0xff in position 0: invalid start byte"


def test_a_file_is_read_as_utf8_whatever_the_locale(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    # A Vietnamese Windows machine's locale encoding is cp1258: a file opened without an explicit encoding would
    # be decoded with it. Simulate that locale for every text file opened without one.
    real = io.text_encoding

    def windows_vietnamese(encoding: str | None, stacklevel: int = 2) -> str:
        return "cp1258" if encoding is None else real(encoding, stacklevel)

    monkeypatch.setattr(io, "text_encoding", windows_vietnamese)
    path = tmp_path / "2027.json"
    path.write_bytes(json.dumps(_valid(), ensure_ascii=False).encode("utf-8"))
    cal = load_calendar_file(path)
    assert cal.source == "Thông báo thử nghiệm"
    assert cal.days_off[0].name == "Tết Dương lịch"


# --- the working calendar's helpers -----------------------------------------------------------------------


def test_official_years_are_given_in_year_order() -> None:
    y2026, y2027 = _year(2026), _year(2027)
    assert WorkingCalendar([y2027, y2026]).official_years() == (y2026, y2027)
    assert WorkingCalendar().official_years() == ()


def test_a_calendar_with_an_imported_year_still_estimates_with_its_own_estimator() -> None:
    asked: list[int] = []

    def estimator(year: int) -> CalendarYear:
        asked.append(year)
        return _year(year, version=f"own-{year}")

    updated = WorkingCalendar([], estimator).with_year(_year(2026))
    assert updated.year(2030).version == "own-2030"
    assert asked == [2030]


def test_names_of_days_on_a_fresh_calendar() -> None:
    cal = WorkingCalendar([CalendarYear.from_json_dict(_valid())])
    assert cal.day_name(date(2027, 1, 1)) == "Tết Dương lịch"
    assert cal.day_name(date(2027, 1, 9)) == "Làm bù"
    assert cal.day_name(date(2027, 1, 4)) is None


def test_a_calendar_without_any_working_day_is_refused_not_searched_forever() -> None:
    def nothing_works(year: int) -> CalendarYear:
        first, last = date(year, 1, 1), date(year, 12, 31)
        every_day = tuple(CalendarDay(first + timedelta(days=i), "nghỉ") for i in range((last - first).days + 1))
        return _year(year, days_off=every_day)

    cal = WorkingCalendar([], nothing_works)
    message = _refusal(lambda: cal.next_working_day(date(2026, 3, 6)))
    assert message == "Không tìm thấy ngày làm việc nào gần ngày 06/03/2026: dữ liệu lịch bất thường."


def test_programming_errors_say_what_was_wrong() -> None:
    cal = WorkingCalendar([_year(2026)])
    with pytest.raises(ValueError) as negative:
        cal.add_working_days(date(2026, 3, 4), -1)
    assert str(negative.value) == "n must not be negative, got -1"
    with pytest.raises(ValueError) as no_day:
        cal.version_for([])
    assert str(no_day.value) == "version_for needs at least one day"
