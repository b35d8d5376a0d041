"""Dossier codes (mã hồ sơ) and document numbers (Số: …); new identities are made in counter_app.identities."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime

from counter_app.domain.status_link import code_in_scan
from counter_app.errors import RuleError, ValidationError

# QCVN 102:2016/BTTTT: four levels written lowest first, "level4.level3.level2.level1", 3.2.2.3 characters;
# level 1 is a letter and two digits (H29 = Ho Chi Minh City).
_AGENCY_RE = re.compile(r"[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}")
_AGENCY_EXAMPLE = "000.17.22.H56"
_CODE_RE = re.compile(r"(?P<agency>[0-9A-Z.]+)-(?P<day>[0-9]{6})-(?P<seq>[0-9]+)")
_LOOKS_LIKE_CODE_RE = re.compile(r"[0-9A-Z]{3}\.[0-9A-Z]{2}\.[0-9A-Z]{2}\.[A-Z][0-9]{2}-[0-9]{6}-[0-9]{4,6}")
# Document symbols such as PBS, TTPVHCC, TB-UBND or QĐ-UBND.
_SYMBOL_RE = re.compile(r"[0-9A-ZĐ]+(?:-[0-9A-ZĐ]+)*")
_SLIP_RE = re.compile(r"(?P<symbol>[0-9A-ZĐ-]+)-(?P<yy>[0-9]{2})-(?P<seq>[0-9]+)")
_DISPLAY_RE = re.compile(r"(?P<seq>[0-9]+)\s*/\s*(?P<symbol>[0-9A-ZĐ-]+)")
# Two-digit years in codes and slip ids are read as 20YY.
_FIRST_YEAR = 2000
_LAST_YEAR = 2099


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


@dataclass(frozen=True, order=True)
class Numbering:
    """The agency's two widths of the `<counter><number>` sequence, fixed once when the agency is set up."""

    counter_digits: int = 1
    number_digits: int = 3

    def __post_init__(self) -> None:
        if not _is_int(self.counter_digits) or self.counter_digits not in (1, 2):
            raise ValidationError("counter_digits", "Số chữ số của số quầy phải là 1 hoặc 2.")
        if not _is_int(self.number_digits) or self.number_digits not in (3, 4):
            raise ValidationError("number_digits", "Số chữ số của số thứ tự hồ sơ phải là 3 hoặc 4.")

    @property
    def max_counter(self) -> int:
        return int("9" * self.counter_digits)

    @property
    def max_number(self) -> int:
        """Dossiers one counter may receive in one day."""
        return int("9" * self.number_digits)

    @property
    def document_digits(self) -> int:
        """Width of a document number: counted per year, so two digits wider than the daily dossier number."""
        return self.number_digits + 2

    @property
    def max_document_number(self) -> int:
        return int("9" * self.document_digits)

    def check_counter(self, counter: int) -> None:
        if not _is_int(counter) or not 1 <= counter <= self.max_counter:
            raise ValidationError("counter", f"Số quầy phải từ 1 đến {self.max_counter}.")


def validate_agency_code(code: str) -> str:
    """The agency's electronic identifier (QCVN 102:2016/BTTTT), upper case, e.g. `000.17.22.H56`."""
    value = code.strip().upper()
    if not _AGENCY_RE.fullmatch(value):
        raise ValidationError(
            "agency_code",
            "Mã định danh cơ quan không đúng định dạng QCVN 102:2016/BTTTT "
            f"(bốn nhóm chữ số/chữ cái cách nhau bởi dấu chấm, ví dụ {_AGENCY_EXAMPLE}).",
        )
    return value


@dataclass(frozen=True, order=True)
class DossierCode:
    """`<agency>-<YYMMDD>-<counter><number>`: the human key of a dossier (domain.md §4)."""

    agency_code: str
    day: date
    counter: int
    number: int
    numbering: Numbering = Numbering()

    def __post_init__(self) -> None:
        object.__setattr__(self, "agency_code", validate_agency_code(self.agency_code))
        if isinstance(self.day, datetime):
            raise TypeError("DossierCode.day must be a date, not a datetime")
        if not _FIRST_YEAR <= self.day.year <= _LAST_YEAR:
            raise ValidationError("day", f"Ngày tiếp nhận phải thuộc các năm {_FIRST_YEAR}–{_LAST_YEAR}.")
        self.numbering.check_counter(self.counter)
        if not _is_int(self.number) or not 1 <= self.number <= self.numbering.max_number:
            raise ValidationError("number", f"Số thứ tự hồ sơ trong ngày phải từ 1 đến {self.numbering.max_number}.")

    def __str__(self) -> str:
        c = self.numbering.counter_digits
        n = self.numbering.number_digits
        return f"{self.agency_code}-{self.day:%y%m%d}-{self.counter:0{c}d}{self.number:0{n}d}"

    @classmethod
    def parse(cls, text: str, numbering: Numbering = Numbering()) -> DossierCode:
        value = text.strip().upper()
        match = _CODE_RE.fullmatch(value)
        if match is None:
            raise ValidationError(
                "code",
                f"Mã hồ sơ “{text.strip()}” không đúng định dạng "
                f"<mã cơ quan>-<YYMMDD>-<số>, ví dụ {_AGENCY_EXAMPLE}-210531-1001.",
            )
        seq = match["seq"]
        width = numbering.counter_digits + numbering.number_digits
        if len(seq) != width:
            raise ValidationError("code", f"Phần số thứ tự của mã hồ sơ “{value}” phải có đúng {width} chữ số.")
        raw_day = match["day"]
        try:
            day = date(2000 + int(raw_day[:2]), int(raw_day[2:4]), int(raw_day[4:]))
        except ValueError:
            raise ValidationError(
                "code", f"Ngày “{raw_day}” trong mã hồ sơ “{value}” không phải ngày hợp lệ (YYMMDD)."
            ) from None
        try:
            return cls(
                match["agency"],
                day,
                int(seq[: numbering.counter_digits]),
                int(seq[numbering.counter_digits :]),
                numbering,
            )
        except ValidationError as error:
            raise ValidationError("code", f"Mã hồ sơ “{value}” không hợp lệ: {error.message}") from None


def looks_like_dossier_code(text: str) -> bool:
    """Whether a scanned string has the shape of a dossier code, whatever the agency's numbering: the code itself,
    or the receipt's QR, a status link carrying the code (status_link.code_in_scan)."""
    return _LOOKS_LIKE_CODE_RE.fullmatch(code_in_scan(text)) is not None


def issue_dossier_code(
    agency_code: str, day: date, counter: int, last_number: int, numbering: Numbering
) -> DossierCode:
    """The code after `last_number` (0 when the counter has issued none that day); never wraps."""
    numbering.check_counter(counter)
    if last_number < 0:
        raise ValueError(f"last_number must not be negative, got {last_number}")
    if last_number >= numbering.max_number:
        raise RuleError(
            f"Quầy {counter} đã dùng hết {numbering.max_number} số hồ sơ của ngày {day:%d/%m/%Y}; "
            "không thể cấp thêm mã hồ sơ trong ngày này. "
            "Đề nghị tiếp nhận tại quầy khác hoặc báo quản trị viên.",
            detail=f"counter={counter} last_number={last_number} max={numbering.max_number}",
        )
    return DossierCode(agency_code, day, counter, last_number + 1, numbering)


@dataclass(frozen=True, order=True)
class DocumentNumber:
    """The `Số: …` of a slip or letter, numbered per counter per year with the dossier-code prefix scheme."""

    year: int
    counter: int
    number: int
    symbol: str
    numbering: Numbering = Numbering()

    def __post_init__(self) -> None:
        object.__setattr__(self, "symbol", validate_symbol(self.symbol))
        if not _is_int(self.year) or not _FIRST_YEAR <= self.year <= _LAST_YEAR:
            raise ValidationError("year", f"Năm của số văn bản phải từ {_FIRST_YEAR} đến {_LAST_YEAR}.")
        self.numbering.check_counter(self.counter)
        top = self.numbering.max_document_number
        if not _is_int(self.number) or not 1 <= self.number <= top:
            raise ValidationError("number", f"Số văn bản trong năm phải từ 1 đến {top}.")

    @property
    def sequence(self) -> str:
        """Counter prefix followed by the padded yearly number, e.g. `100012`."""
        c = self.numbering.counter_digits
        n = self.numbering.document_digits
        return f"{self.counter:0{c}d}{self.number:0{n}d}"

    def display(self) -> str:
        """What follows `Số:` on the form, e.g. `100012/PBS`."""
        return f"{self.sequence}/{self.symbol}"

    def slip_id(self) -> str:
        """Human key of a slip, e.g. `PBS-26-100012`; unlike `display` it carries the year."""
        return f"{self.symbol}-{self.year % 100:02d}-{self.sequence}"

    @classmethod
    def parse_slip(cls, text: str, numbering: Numbering = Numbering()) -> DocumentNumber:
        value = text.strip().upper()
        match = _SLIP_RE.fullmatch(value)
        if match is None:
            raise ValidationError(
                "slip",
                f"Mã phiếu “{text.strip()}” không đúng định dạng <ký hiệu>-<YY>-<số>, ví dụ PBS-26-100012.",
            )
        return _from_sequence(
            match["seq"], 2000 + int(match["yy"]), match["symbol"], numbering, "slip", f"mã phiếu “{value}”"
        )


def parse_document_number(text: str, year: int, numbering: Numbering = Numbering()) -> DocumentNumber:
    """A number as printed after `Số:` (`100012/PBS`), of `year` (the printed form says the year elsewhere)."""
    value = text.strip().upper()
    match = _DISPLAY_RE.fullmatch(value)
    if match is None:
        raise ValidationError(
            "number", f"Số “{text.strip()}” không đúng định dạng <số>/<ký hiệu> như in sau “Số:”, ví dụ 100012/PBS."
        )
    return _from_sequence(match["seq"], year, match["symbol"], numbering, "number", f"“{value}”")


def _from_sequence(seq: str, year: int, symbol: str, numbering: Numbering, field: str, shown: str) -> DocumentNumber:
    """The number of a parsed `seq` (counter prefix and yearly number, at this agency's widths); `shown`: what the
    person typed, as the message names it ("mã phiếu “…”", "“…”")."""
    width = numbering.counter_digits + numbering.document_digits
    if len(seq) != width:
        raise ValidationError(field, f"Phần số của {shown} phải có đúng {width} chữ số.")
    try:
        return DocumentNumber(
            year, int(seq[: numbering.counter_digits]), int(seq[numbering.counter_digits :]), symbol, numbering
        )
    except ValidationError as error:
        raise ValidationError(field, f"{shown[:1].upper()}{shown[1:]} không hợp lệ: {error.message}") from None


def validate_symbol(symbol: str) -> str:
    """A document symbol (ký hiệu), upper case: letters and digits, groups joined by hyphens."""
    value = symbol.strip().upper()
    if not _SYMBOL_RE.fullmatch(value):
        raise ValidationError(
            "symbol",
            "Ký hiệu văn bản chỉ gồm chữ cái in hoa và chữ số, có thể nối bằng dấu gạch ngang (ví dụ PBS).",
        )
    return value


def issue_document_number(
    year: int, counter: int, last_number: int, symbol: str, numbering: Numbering
) -> DocumentNumber:
    """The document number after `last_number` (0 when none this year); never wraps."""
    numbering.check_counter(counter)
    if last_number < 0:
        raise ValueError(f"last_number must not be negative, got {last_number}")
    top = numbering.max_document_number
    if last_number >= top:
        raise RuleError(
            f"Quầy {counter} đã dùng hết {top} số văn bản ký hiệu {symbol.strip().upper()} của năm {year}; "
            "không thể cấp thêm số. Đề nghị báo quản trị viên.",
            detail=f"counter={counter} last_number={last_number} max={top} symbol={symbol!r}",
        )
    return DocumentNumber(year, counter, last_number + 1, symbol, numbering)
