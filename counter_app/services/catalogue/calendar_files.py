"""Calendar years read from their JSON files: the ones shipped with the application and an imported decision.

The reading is here, the parsing and validation in the domain (CalendarYear.from_json_dict), which does no I/O.
"""

from __future__ import annotations

from pathlib import Path

from counter_app.domain.calendar import CalendarYear
from counter_app.domain.json_text import InvalidJson, parse_json
from counter_app.errors import ValidationError
from counter_app.resources import resources_dir

_FIELD = "calendar"


def load_calendar_file(path: Path) -> CalendarYear:
    """Read and validate one calendar year from a UTF-8 JSON file."""
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValidationError(
            _FIELD, f"Không đọc được tệp lịch {path.name}.", detail=f"{type(exc).__name__}: {exc}"
        ) from exc
    except UnicodeDecodeError as exc:
        raise ValidationError(_FIELD, f"Tệp lịch {path.name} không phải văn bản UTF-8.", detail=str(exc)) from exc
    try:
        data = parse_json(text)
    except InvalidJson as exc:
        raise ValidationError(_FIELD, f"Tệp lịch {path.name} {exc.reason}") from None
    return CalendarYear.from_json_dict(data)


def shipped_calendar_dir() -> Path:
    """resources/calendar of this installation (see counter_app.resources)."""
    return resources_dir() / "calendar"


def load_shipped_years() -> list[CalendarYear]:
    """Every calendar year shipped with the application, in year order; each file is named after its year."""
    directory = shipped_calendar_dir()
    if not directory.is_dir():
        return []
    years: list[CalendarYear] = []
    for path in sorted(directory.glob("*.json")):
        cal = load_calendar_file(path)
        if path.stem != str(cal.year):
            raise ValidationError(_FIELD, f"Tệp lịch {path.name} chứa dữ liệu của năm {cal.year}.")
        years.append(cal)
    return sorted(years, key=lambda c: c.year)
