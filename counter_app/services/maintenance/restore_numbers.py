"""The renumbering after a restore: move the restored numbering scopes past every number the replaced file printed."""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from counter_app.domain.clock import to_vn
from counter_app.domain.codes import Numbering
from counter_app.domain.document_kinds import DOSSIER_DOCUMENTS, SYMBOLS
from counter_app.domain.dossier import OPENING_KINDS
from counter_app.domain.number_scopes import highest, numbers_used, skip_ahead
from counter_app.errors import ValidationError
from counter_app.services.maintenance import backup_format
from counter_app.storage import replaced_file

log = logging.getLogger(__name__)

NUMBERS_NONE = "none"  # the backup names no counter: nothing to renumber
NUMBERS_REPLACED = "replaced_file"  # read from the replaced database
NUMBERS_GAP = "gap"  # the replaced database could not (all) be read: every scope skipped ahead


@dataclass(frozen=True)
class Renumbered:
    numbers_from: str
    raised: int
    note: str
    missing: tuple[replaced_file.FileEvent, ...]
    missing_codes: tuple[str, ...]
    restored_tail: tuple[int, str]


def renumber(plain: Path, header: backup_format.BackupHeader, db_path: Path, now: datetime) -> Renumbered:
    """Move the restored file's scopes past every number the database it replaces may have printed."""
    agency, counter = header.agency_code, header.counter
    if not agency or counter <= 0:
        return Renumbered(NUMBERS_NONE, 0, "", (), (), (0, ""))
    last, own, tail_seq, tail_hash, fields = replaced_file.read_restored(plain, agency, counter)
    numbering = Numbering(*replaced_file.numbering_of_file(plain, agency))
    old = replaced_file.read_replaced(db_path, agency, counter, tail_seq) if db_path.exists() else None
    targets: dict[str, int] = {}
    missing: tuple[replaced_file.FileEvent, ...] = ()
    if old is not None:
        missing = tuple(e for e in old.events if e.uuid not in own)
        used: list[tuple[str, int]] = list(old.sequences.items())
        for event in missing:
            try:
                used += numbers_used(
                    event.kind,
                    json.loads(event.payload),
                    datetime.fromisoformat(event.occurred_at),
                    agency,
                    numbering,
                )
            except (ValidationError, ValueError, TypeError, KeyError):
                log.warning("numbers of event %s (%s) of the replaced database not readable", event.uuid, event.kind)
        targets = highest(used)
    codes = tuple(dict.fromkeys(c for c in (code_of(e) for e in missing) if c))
    if old is not None and old.complete:
        raised = replaced_file.raise_numbers(plain, targets)
        note = "Đã đọc các số đã cấp từ cơ sở dữ liệu cũ: không số hồ sơ, số phiếu, số sổ nào đã in được cấp lại."
        return Renumbered(NUMBERS_REPLACED, raised, note, missing, codes, (tail_seq, tail_hash))
    since = _backup_day(header.created_at) or to_vn(now).date()
    today = max(to_vn(now).date(), since)
    days = [since + timedelta(days=n) for n in range((today - since).days + 1)]
    merged = dict(last)
    for scope, number in targets.items():
        merged[scope] = max(number, merged.get(scope, 0))
    symbols = [SYMBOLS[kind] for kind in DOSSIER_DOCUMENTS]
    gap = skip_ahead(
        merged, agency_code=agency, counter=counter, days=days, fields=fields, symbols=symbols, numbering=numbering
    )
    for scope, number in targets.items():
        gap[scope] = max(number, gap.get(scope, 0))
    raised = replaced_file.raise_numbers(plain, gap)
    note = (
        "Không đọc được (đầy đủ) cơ sở dữ liệu cũ nên không biết những số nào đã được cấp sau khi sao lưu: mọi "
        f"dãy số của quầy {counter} (số hồ sơ từ ngày {since:%d/%m/%Y} đến {today:%d/%m/%Y}, số sổ theo dõi, số "
        "phiếu và văn bản trong năm) đã được nhảy qua một khoảng an toàn để không cấp lại số đã in. Các hồ sơ "
        "tiếp nhận sau lần sao lưu mà chưa đồng bộ cần được cán bộ giám sát nhập lại từ giấy đã in."
    )
    return Renumbered(NUMBERS_GAP, raised, note, missing, codes, (tail_seq, tail_hash))


def code_of(event: replaced_file.FileEvent) -> str:
    """The dossier code (or slip number) an opening event printed."""
    if event.kind not in OPENING_KINDS:
        return ""
    try:
        payload = json.loads(event.payload)
    except ValueError:
        return ""
    return str(payload.get("code") or payload.get("slip") or "") if isinstance(payload, dict) else ""


def _backup_day(created_at: str) -> date | None:
    try:
        return to_vn(datetime.fromisoformat(created_at)).date()
    except (ValueError, TypeError):
        return None
