"""A procedure of the catalogue as an administrator edits it: its fields, its ordered papers, and their validation."""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from counter_app.errors import FormInvalid

SUPPLEMENT_RULES = ("pause", "restart")
SUPPLEMENT_LABELS = {
    "pause": "Tạm dừng tính thời hạn khi yêu cầu bổ sung",
    "restart": "Tính lại thời hạn từ đầu khi nhận bổ sung",
}
MAX_DAYS = 365
MAX_FEE = 1_000_000_000
MAX_COUNT = 20
_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9._\-]*")
_CUTOFF = re.compile(r"(\d{1,2}):(\d{2})")
# The catalogues mark a paper needed only in some cases by a bracketed condition in its name:
# "Văn bản ủy quyền (nếu nộp thay)", "Biên bản họp thành viên hộ gia đình (nếu có)".
_CONDITION = re.compile(r"\(\s*nếu\b", re.IGNORECASE)
# Field keys shared by the service's FormInvalid and the editor's error labels.
FIELDS = (
    "code",
    "name",
    "field",
    "deciding_agency",
    "days",
    "same_day_cutoff",
    "fee",
    "supplement_rule",
    "papers",
)


@dataclass(frozen=True)
class PaperSpec:
    """One paper of a procedure's list, with how many originals (bản chính) and copies (bản sao)."""

    name: str
    originals: int
    copies: int


def is_conditional_paper(name: str) -> bool:
    """Whether a paper is needed only in some cases ("… (nếu có)", "… (nếu nộp thay)"), by its catalogue name."""
    return _CONDITION.search(unicodedata.normalize("NFC", name)) is not None


@dataclass(frozen=True)
class ProcedureSpec:
    """A procedure as published or edited: what a new dossier of it copies at intake."""

    code: str
    name: str
    field: str
    deciding_agency: str
    days: int
    same_day_cutoff: str | None
    fee: int
    supplement_rule: str
    papers: tuple[PaperSpec, ...]
    active: bool = True
    demo: bool = False

    def to_json_dict(self) -> dict[str, Any]:
        """The catalogue JSON format of one procedure (resources/catalogue), plus `active` and `demo`."""
        return {
            "code": self.code,
            "name": self.name,
            "field": self.field,
            "deciding_agency": self.deciding_agency,
            "days": self.days,
            "same_day_cutoff": self.same_day_cutoff,
            "fee": self.fee,
            "supplement_rule": self.supplement_rule,
            "papers": [{"name": p.name, "originals": p.originals, "copies": p.copies} for p in self.papers],
            "active": self.active,
            "demo": self.demo,
        }

    def digest(self) -> str:
        """SHA-256 of the canonical JSON: two copies of a procedure are the same version when their digests are."""
        return content_digest(self.to_json_dict())


def content_digest(data: Mapping[str, Any]) -> str:
    text = json.dumps(data, ensure_ascii=False, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def _text(raw: Mapping[str, Any], key: str) -> str:
    value = raw.get(key)
    return " ".join(str(value).split()) if value is not None else ""


def _integer(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, str) and value.strip().replace(".", "").isdigit():
        # "100.000" is how a fee is written in Vietnamese
        return int(value.strip().replace(".", ""))
    return None


def normal_cutoff(text: str) -> str | None:
    """ "15:00" (or "9:30") as HH:MM; None when it is not a time of day."""
    match = _CUTOFF.fullmatch(text.strip())
    if match is None:
        return None
    hours, minutes = int(match.group(1)), int(match.group(2))
    if hours > 23 or minutes > 59:
        return None
    return f"{hours:02d}:{minutes:02d}"


def _papers(value: Any, errors: dict[str, str]) -> tuple[PaperSpec, ...]:
    if not isinstance(value, list | tuple):
        errors["papers"] = "Thành phần hồ sơ phải là một danh sách giấy tờ."
        return ()
    if not value:
        errors["papers"] = "Cần ít nhất một giấy tờ trong thành phần hồ sơ."
        return ()
    papers: list[PaperSpec] = []
    seen: set[str] = set()
    for position, entry in enumerate(value, start=1):
        item = (
            {"name": entry.name, "originals": entry.originals, "copies": entry.copies}
            if isinstance(entry, PaperSpec)
            else entry
        )
        if not isinstance(item, Mapping):
            errors["papers"] = f"Giấy tờ thứ {position} không hợp lệ."
            return ()
        name = _text(item, "name")
        originals, copies = _integer(item.get("originals", 0)), _integer(item.get("copies", 0))
        if not name:
            errors["papers"] = f"Giấy tờ thứ {position}: cần nhập tên giấy tờ."
        elif len(name) > 300:
            errors["papers"] = f"Giấy tờ thứ {position}: tên quá dài (tối đa 300 ký tự)."
        elif name.casefold() in seen:
            errors["papers"] = f"Giấy tờ thứ {position} “{name}” bị lặp lại."
        elif originals is None or copies is None or not (0 <= originals <= MAX_COUNT and 0 <= copies <= MAX_COUNT):
            errors["papers"] = (
                f"Giấy tờ thứ {position}: số bản chính và bản sao phải là số nguyên từ 0 đến {MAX_COUNT}."
            )
        elif originals + copies == 0:
            errors["papers"] = f"Giấy tờ thứ {position}: cần ít nhất một bản chính hoặc một bản sao."
        if "papers" in errors:
            return ()
        assert originals is not None and copies is not None
        seen.add(name.casefold())
        papers.append(PaperSpec(name, originals, copies))
    return tuple(papers)


def validate_procedure(raw: Mapping[str, Any]) -> ProcedureSpec:
    """A procedure from a form or a catalogue file; FormInvalid maps each wrong field to its Vietnamese message."""
    errors: dict[str, str] = {}
    code = str(raw.get("code") or "").strip()
    if not code:
        errors["code"] = "Cần nhập mã thủ tục (mã TTHC, ví dụ 1.001193)."
    elif len(code) > 40 or not _CODE.fullmatch(code):
        errors["code"] = "Mã thủ tục chỉ gồm chữ không dấu, chữ số, dấu chấm, gạch ngang (tối đa 40 ký tự)."
    name = _text(raw, "name")
    if not name:
        errors["name"] = "Cần nhập tên thủ tục."
    elif len(name) > 300:
        errors["name"] = "Tên thủ tục quá dài (tối đa 300 ký tự)."
    field = _text(raw, "field")
    if not field:
        errors["field"] = "Cần nhập lĩnh vực của thủ tục."
    elif len(field) > 200:
        errors["field"] = "Tên lĩnh vực quá dài (tối đa 200 ký tự)."
    agency = _text(raw, "deciding_agency")
    if not agency:
        errors["deciding_agency"] = "Cần nhập cơ quan có thẩm quyền giải quyết."
    elif len(agency) > 200:
        errors["deciding_agency"] = "Tên cơ quan giải quyết quá dài (tối đa 200 ký tự)."
    days = _integer(raw.get("days", 0))
    if days is None or not 0 <= days <= MAX_DAYS:
        errors["days"] = f"Thời hạn giải quyết phải là số ngày làm việc từ 0 đến {MAX_DAYS}."
        days = 0
    cutoff_text = str(raw.get("same_day_cutoff") or "").strip()
    cutoff: str | None = None
    if cutoff_text:
        cutoff = normal_cutoff(cutoff_text)
        if cutoff is None:
            errors["same_day_cutoff"] = "Giờ tiếp nhận tối đa phải có dạng GG:PP, ví dụ 15:00."
        elif days != 0:
            errors["same_day_cutoff"] = (
                "Giờ tiếp nhận tối đa chỉ dùng cho thủ tục trả kết quả trong ngày (thời hạn 0 ngày)."
            )
    fee = _integer(raw.get("fee", 0))
    if fee is None or not 0 <= fee <= MAX_FEE:
        errors["fee"] = "Lệ phí phải là số tiền (đồng) không âm, ví dụ 8000."
        fee = 0
    rule = str(raw.get("supplement_rule") or "pause").strip()
    if rule not in SUPPLEMENT_RULES:
        errors["supplement_rule"] = "Quy tắc khi bổ sung hồ sơ phải là “tạm dừng” (pause) hoặc “tính lại” (restart)."
    papers = _papers(raw.get("papers", []), errors)
    if errors:
        raise FormInvalid({key: errors[key] for key in FIELDS if key in errors})
    return ProcedureSpec(
        code=code,
        name=name,
        field=field,
        deciding_agency=agency,
        days=days,
        same_day_cutoff=cutoff,
        fee=fee,
        supplement_rule=rule,
        papers=papers,
        active=bool(raw.get("active", True)),
        demo=bool(raw.get("demo", False)),
    )


def validate_catalogue(data: Any) -> tuple[str, list[ProcedureSpec]]:
    """A whole catalogue file (resources/catalogue format): its version and its procedures, all valid or none.

    The message of the first wrong procedure names it by position and code and says which field is wrong.
    """
    if not isinstance(data, Mapping) or not isinstance(data.get("procedures"), list):
        raise FormInvalid({"file": "Tệp danh mục phải là một đối tượng JSON có danh sách “procedures”."})
    demo = bool(data.get("demo", False))
    version = str(data.get("version") or "").strip()
    specs: list[ProcedureSpec] = []
    codes: set[str] = set()
    for position, item in enumerate(data["procedures"], start=1):
        if not isinstance(item, Mapping):
            raise FormInvalid({"file": f"Thủ tục thứ {position} trong tệp không phải một đối tượng JSON."})
        try:
            spec = validate_procedure({"demo": demo, **item})
        except FormInvalid as exc:
            key, message = next(iter(exc.errors.items()))
            label = f"Thủ tục thứ {position} ({item.get('code') or 'không có mã'!s}), trường {key}"
            raise FormInvalid({"file": f"{label}: {message}"}) from None
        if spec.code in codes:
            raise FormInvalid({"file": f"Mã thủ tục {spec.code} xuất hiện hai lần trong tệp."})
        codes.add(spec.code)
        specs.append(spec)
    return version, specs
