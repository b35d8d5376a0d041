"""Deriving a dossier's projection from stored events with the domain's replay, the same on counter and central."""

from __future__ import annotations

import functools
import json
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from counter_app.domain.clock import to_vn
from counter_app.domain.codes import validate_agency_code
from counter_app.domain.dossier import DossierState, replay
from counter_app.domain.event_kinds import EventKind
from counter_app.errors import RuleError, ValidationError

# (kind, payload JSON text, occurred_at), already in the deterministic order (occurred_at, agency, counter, seq)
StoredEvent = tuple[str, str, datetime]


def replay_stored(events: Iterable[StoredEvent]) -> DossierState:
    """The state after stored events; RuleError when they do not make a dossier (missing opening, bad order)."""
    state = replay((kind, json.loads(payload), to_vn(at)) for kind, payload, at in events)
    if state is None:
        raise RuleError("Không có sự kiện nào của hồ sơ.")
    return state


def _agency_code_or_none(text: Any) -> str | None:
    return _agency_code_of_text(text) if isinstance(text, str) else None


@functools.lru_cache(maxsize=1024)
def _agency_code_of_text(text: str) -> str | None:
    """Cached: a push asks this for every dossier, and a ward has a handful of deciding agencies."""
    try:
        return validate_agency_code(text)
    except ValidationError:
        return None


def deciding_agency_code(deciding_agency: str, receiving_agency_code: str, transfers: Iterable[str | None]) -> str:
    """The electronic code of the agency deciding a dossier, which sees it on the central too.

    The catalogue names the deciding agency in words; only a code there, or a transfer to a code
    (`transfer --to 000.xx.xx.Hxx`, the payloads of the dossier's `dossier.transferred` events in order),
    names another agency. Otherwise the receiving agency decides.
    """
    code = _agency_code_or_none(deciding_agency) or receiving_agency_code
    for payload in transfers:
        target = _agency_code_or_none(json.loads(payload).get("to")) if payload else None
        if target is not None:
            code = target
    return code


def transfer_payloads(events: Iterable[StoredEvent]) -> list[str]:
    return [payload for kind, payload, _at in events if kind == EventKind.TRANSFERRED]
