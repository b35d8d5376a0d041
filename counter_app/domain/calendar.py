"""The working calendar: versioned per-year days off and working Saturdays, estimated for unknown years."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta

from counter_app.errors import ValidationError

MIN_YEAR = 2000
MAX_YEAR = 2100
SATURDAY = 5
_FIELD = "calendar"
_ISO_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_KEYS = frozenset({"year", "version", "source", "days_off", "working_days", "estimated"})
_REQUIRED_KEYS = ("year", "version", "source", "days_off", "working_days")
# A valid year always has working days, so a search longer than this means the data is broken.
_MAX_SEARCH_DAYS = 800


def _refuse(message: str) -> ValidationError:
    return ValidationError(_FIELD, message)


@dataclass(frozen=True)
class CalendarDay:
    """One named day of a calendar year: a day off or a swapped working day."""

    date: date
    name: str


@dataclass(frozen=True)
class CalendarYear:
    """The days off and the weekend working days of one year, as one versioned piece of data."""

    year: int
    version: str
    source: str
    days_off: tuple[CalendarDay, ...]
    working_days: tuple[CalendarDay, ...]
    estimated: bool = False

    def __post_init__(self) -> None:
        _validate(self)

    def to_json_dict(self) -> dict[str, object]:
        """The import/shipped JSON format, plus whether the year is estimated."""
        return {
            "year": self.year,
            "version": self.version,
            "source": self.source,
            "days_off": [_day_to_json(d) for d in self.days_off],
            "working_days": [_day_to_json(d) for d in self.working_days],
            "estimated": self.estimated,
        }

    @classmethod
    def from_json_dict(cls, data: object) -> CalendarYear:
        """Parse and validate the import format; refuses with a Vietnamese message naming the problem."""
        if not isinstance(data, dict):
            raise _refuse('Dữ liệu lịch phải là một đối tượng JSON (dạng {"year": ..., ...}).')
        unknown = sorted(str(k) for k in data if k not in _KEYS)
        if unknown:
            raise _refuse(f"Dữ liệu lịch có trường không được hỗ trợ: {', '.join(unknown)}.")
        missing = [k for k in _REQUIRED_KEYS if k not in data]
        if missing:
            raise _refuse(f"Dữ liệu lịch thiếu trường: {', '.join(missing)}.")
        year = data["year"]
        # bool is an int in Python, but `true` is not a year.
        if not isinstance(year, int) or isinstance(year, bool):
            raise _refuse("Năm (year) phải là một số nguyên.")
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise _refuse(f"Năm {year} nằm ngoài khoảng cho phép ({MIN_YEAR}–{MAX_YEAR}).")
        estimated = data.get("estimated", False)
        if not isinstance(estimated, bool):
            raise _refuse("Trường “estimated” phải là true hoặc false.")
        days_off = _parse_days(data["days_off"], year, "ngày nghỉ (days_off)")
        working_days = _parse_days(data["working_days"], year, "ngày làm việc bù (working_days)")
        return cls(
            year=year,
            version=_non_empty_text(data["version"], "Phiên bản lịch (version)"),
            source=_non_empty_text(data["source"], "Nguồn văn bản (source)"),
            days_off=tuple(sorted(days_off, key=lambda d: d.date)),
            working_days=tuple(sorted(working_days, key=lambda d: d.date)),
            estimated=estimated,
        )


def _day_to_json(day: CalendarDay) -> dict[str, str]:
    return {"date": day.date.isoformat(), "name": day.name}


def _non_empty_text(value: object, label: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _refuse(f"{label} phải là một chuỗi không rỗng.")
    return value.strip()


def _parse_days(value: object, year: int, label: str) -> list[CalendarDay]:
    if not isinstance(value, list):
        raise _refuse(f"Danh sách {label} phải là một mảng JSON.")
    days: list[CalendarDay] = []
    for position, entry in enumerate(value, start=1):
        if not isinstance(entry, dict) or set(entry) != {"date", "name"}:
            raise _refuse(f"Mục thứ {position} trong danh sách {label} phải có đúng hai trường “date” và “name”.")
        raw_date = entry["date"]
        if not isinstance(raw_date, str) or not _ISO_DATE.fullmatch(raw_date):
            raise _refuse(f"Ngày “{raw_date}” trong danh sách {label} không đúng dạng YYYY-MM-DD.")
        try:
            parsed = date.fromisoformat(raw_date)
        except ValueError:
            raise _refuse(f"Ngày “{raw_date}” trong danh sách {label} không tồn tại.") from None
        name = entry["name"]
        if not isinstance(name, str) or not name.strip():
            raise _refuse(f"Ngày {raw_date} trong danh sách {label} thiếu tên.")
        days.append(CalendarDay(parsed, name.strip()))
    return days


def _vn_date(day: date) -> str:
    return f"{day.day:02d}/{day.month:02d}/{day.year}"


def _validate(cal: CalendarYear) -> None:
    if not MIN_YEAR <= cal.year <= MAX_YEAR:
        raise _refuse(f"Năm {cal.year} nằm ngoài khoảng cho phép ({MIN_YEAR}–{MAX_YEAR}).")
    if not cal.version.strip():
        raise _refuse("Phiên bản lịch (version) phải là một chuỗi không rỗng.")
    if not cal.source.strip():
        raise _refuse("Nguồn văn bản (source) phải là một chuỗi không rỗng.")
    seen_off: set[date] = set()
    for day in cal.days_off:
        _check_day(cal.year, day)
        if day.date in seen_off:
            raise _refuse(f"Ngày nghỉ {_vn_date(day.date)} bị lặp lại.")
        seen_off.add(day.date)
    seen_working: set[date] = set()
    for day in cal.working_days:
        _check_day(cal.year, day)
        if day.date in seen_working:
            raise _refuse(f"Ngày làm việc bù {_vn_date(day.date)} bị lặp lại.")
        if day.date in seen_off:
            raise _refuse(f"Ngày {_vn_date(day.date)} vừa là ngày nghỉ vừa là ngày làm việc bù.")
        if day.date.weekday() < SATURDAY:
            raise _refuse(
                f"Ngày làm việc bù {_vn_date(day.date)} không phải thứ Bảy hay Chủ nhật: "
                "ngày trong tuần vốn đã là ngày làm việc."
            )
        seen_working.add(day.date)


def _check_day(year: int, day: CalendarDay) -> None:
    if day.date.year != year:
        raise _refuse(f"Ngày {_vn_date(day.date)} không thuộc năm {year}.")
    if not day.name.strip():
        raise _refuse(f"Ngày {_vn_date(day.date)} thiếu tên.")


def estimate_year(year: int) -> CalendarYear:
    """The year as the `holidays` package computes it (observed days included), for years without a decision.

    It knows no swapped working Saturdays: those are only in an official calendar.
    """
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise _refuse(f"Năm {year} nằm ngoài khoảng cho phép ({MIN_YEAR}–{MAX_YEAR}).")
    import holidays  # ~50 ms of imports, needed only for a year without a decision: not at start-up

    computed = holidays.country_holidays("VN", years=year, language="vi")
    days_off = tuple(CalendarDay(day, str(name)) for day, name in sorted(computed.items()) if day.year == year)
    # Read through getattr: the package does not re-export __version__ for type checkers.
    package_version = str(getattr(holidays, "__version__", "unknown"))
    return CalendarYear(
        year=year,
        version=f"holidays-{package_version}-estimated",
        source=f"Ước tính theo quy định của Bộ luật Lao động (gói holidays {package_version}), "
        "chưa có thông báo chính thức",
        days_off=days_off,
        working_days=(),
        estimated=True,
    )


@dataclass(frozen=True)
class _YearIndex:
    off: frozenset[date]
    working: frozenset[date]
    names: dict[date, str] = field(hash=False, compare=False)


def _index(cal: CalendarYear) -> _YearIndex:
    names = {d.date: d.name for d in cal.days_off}
    names.update({d.date: d.name for d in cal.working_days})
    return _YearIndex(
        off=frozenset(d.date for d in cal.days_off),
        working=frozenset(d.date for d in cal.working_days),
        names=names,
    )


class WorkingCalendar:
    """Which days are working days: official years first, estimated years for the rest."""

    def __init__(
        self,
        years: Iterable[CalendarYear] = (),
        estimator: Callable[[int], CalendarYear] = estimate_year,
    ) -> None:
        self._official: dict[int, CalendarYear] = {}
        for cal in years:
            self._official[cal.year] = cal
        self._estimator = estimator
        # Filled lazily; the calendar is otherwise immutable, so caching never changes an answer.
        self._estimated: dict[int, CalendarYear] = {}
        self._indexes: dict[int, _YearIndex] = {}

    def year(self, year: int) -> CalendarYear:
        """The official data of the year if given, else its (cached) estimate."""
        official = self._official.get(year)
        if official is not None:
            return official
        cached = self._estimated.get(year)
        if cached is None:
            cached = self._estimator(year)
            self._estimated[year] = cached
        return cached

    def with_year(self, cal: CalendarYear) -> WorkingCalendar:
        """A new calendar in which `cal` replaces whatever this one knows of its year."""
        return WorkingCalendar([*self._official.values(), cal], self._estimator)

    def official_years(self) -> tuple[CalendarYear, ...]:
        """The years given explicitly, in year order."""
        return tuple(self._official[y] for y in sorted(self._official))

    def _index_for(self, year: int) -> _YearIndex:
        index = self._indexes.get(year)
        if index is None:
            index = _index(self.year(year))
            self._indexes[year] = index
        return index

    def is_working_day(self, day: date) -> bool:
        """Monday to Friday unless a day off, or any day listed as a working day."""
        index = self._index_for(day.year)
        if day in index.working:
            return True
        if day in index.off:
            return False
        return day.weekday() < SATURDAY

    def day_name(self, day: date) -> str | None:
        """The name of a holiday or of a swapped working day; None for an ordinary day."""
        return self._index_for(day.year).names.get(day)

    def next_working_day(self, day: date) -> date:
        """The first working day strictly after `day`."""
        return self._step(day, 1)

    def previous_working_day(self, day: date) -> date:
        """The last working day strictly before `day`."""
        return self._step(day, -1)

    def _step(self, day: date, direction: int) -> date:
        candidate = day
        for _ in range(_MAX_SEARCH_DAYS):
            candidate += timedelta(days=direction)
            if self.is_working_day(candidate):
                return candidate
        raise _refuse(f"Không tìm thấy ngày làm việc nào gần ngày {_vn_date(day)}: dữ liệu lịch bất thường.")

    def add_working_days(self, day: date, n: int) -> date:
        """The n-th working day strictly after `day`; for n = 0, `day` if working, else the next one."""
        if n < 0:
            raise ValueError(f"n must not be negative, got {n}")
        if n == 0:
            return day if self.is_working_day(day) else self.next_working_day(day)
        current = day
        for _ in range(n):
            current = self.next_working_day(current)
        return current

    def working_days_between(self, start: date, end: date) -> int:
        """How many working days d satisfy start < d <= end (0 when end is not after start)."""
        count = 0
        current = start + timedelta(days=1)
        while current <= end:
            if self.is_working_day(current):
                count += 1
            current += timedelta(days=1)
        return count

    def version_for(self, days: Iterable[date]) -> tuple[str, bool]:
        """The versions of the years touched, joined with "+" in year order, and whether any is estimated.

        A version shared by several years (the estimate of a package release) is named once.
        """
        years = sorted({d.year for d in days})
        if not years:
            raise ValueError("version_for needs at least one day")
        versions: list[str] = []
        estimated = False
        for y in years:
            cal = self.year(y)
            if cal.version not in versions:
                versions.append(cal.version)
            estimated = estimated or cal.estimated
        return "+".join(versions), estimated
