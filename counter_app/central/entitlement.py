"""Which agency may record which step of a dossier: the receiving agency its desk, the deciding agency its own.

The domain's fold (run by the push) decides whether a step is legal in the dossier's state; this decides who may
take it, from the dossier as the central holds it, never from what the event claims. The receiving agency
(its counters opened the dossier) records every step, including the transfer to the deciding agency. An agency
that only decides a dossier (one transferred to it) records only the steps of the agency that decides
(an allow-list: what nobody thought of is refused): asking for papers or payment, the result, stopping,
the one re-appointment, its own scans and printed forms. It cannot hand the result over, correct the citizen's
data, withdraw, void, take the dossier as its receiver or transfer it on to a third agency. A dossier the caller's
agency neither received nor decides gets the same refusal as one that does not exist.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence

from counter_app.central.session import Connection, Counter
from counter_app.domain.dossier import OPENING_KINDS, STAGE_ACTIONS, STAY_ACTIONS
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.status import Action
from counter_app.storage.outbox import OutboxEvent

DECIDING_ACTIONS = frozenset(
    {Action.REQUEST_SUPPLEMENT, Action.REQUEST_PAYMENT, Action.RESULT_READY, Action.STOP, Action.REAPPOINT}
)
# steps that move no stage, open to the deciding agency: its own records about the dossier
DECIDING_RECORDS = frozenset(
    {EventKind.ATTACHMENT_ADDED, EventKind.DOCUMENT_PRINTED, EventKind.DOCUMENT_SENT_TO_PRINTER}
)
NO_SUCH_DOSSIER = "dossier not on the central, or not one this agency received or decides"


def deciding_may(kind: str) -> bool:
    """Whether an agency that only decides a dossier may record an event of this kind on it."""
    action = STAGE_ACTIONS.get(kind) or STAY_ACTIONS.get(kind)
    return action in DECIDING_ACTIONS if action is not None else kind in DECIDING_RECORDS


def _roles(conn: Connection, dossier_uuids: Sequence[str]) -> Mapping[str, tuple[str, str]]:
    """uuid -> (receiving, deciding agency) of the dossiers the caller sees (row-level security)."""
    if not dossier_uuids:
        return {}
    rows = conn.execute(
        "SELECT uuid::text, receiving_agency_code, deciding_agency_code FROM central.dossier "
        "WHERE uuid = ANY(%s::uuid[])",
        [list(dossier_uuids)],
    ).fetchall()
    return {str(u): (str(r), str(d)) for u, r, d in rows}


def entitlement_refusals(conn: Connection, counter: Counter, events: Sequence[OutboxEvent]) -> dict[str, str]:
    """uuid -> why, for the events (in seq order) the caller's agency may not record on their dossiers.

    Events up to the caller's chain head on the central were judged when they first came (a repeat after a
    crash before the counter's acknowledgement): the push checks they are the same, not this."""
    head = conn.execute(
        "SELECT seq FROM central.chain_head WHERE agency_code = %s AND counter = %s",
        [counter.agency_code, counter.counter],
    ).fetchone()
    judged = int(head[0]) if head is not None else 0
    # each dossier's uuid checked once: a push names a dossier several times (its steps)
    valid = {u for u in {e.dossier_uuid for e in events if e.dossier_uuid} if _is_uuid(u)}
    roles = _roles(conn, sorted(valid))
    opened: set[str] = set()
    refused: dict[str, str] = {}
    for event in events:
        dossier = event.dossier_uuid
        if not dossier or event.seq <= judged:
            continue
        if dossier not in valid:
            refused[event.uuid] = "dossier uuid: not a UUID"
            continue
        dossier = dossier.lower()
        if event.kind in OPENING_KINDS:
            if dossier in roles:  # opening a dossier the central holds: taking over another agency's
                refused[event.uuid] = "the central holds this dossier already"
            else:
                opened.add(dossier)
            continue
        if dossier in opened:
            continue
        receiving, deciding = roles.get(dossier, ("", ""))
        if receiving == counter.agency_code:
            continue
        if deciding == counter.agency_code:
            if not deciding_may(event.kind):
                refused[event.uuid] = f"{event.kind}: a step of the receiving agency's desk, not of the deciding one"
            continue
        refused[event.uuid] = NO_SUCH_DOSSIER
    return refused


def _is_uuid(text: str) -> bool:
    try:
        uuid.UUID(text)
    except ValueError:
        return False
    return True
