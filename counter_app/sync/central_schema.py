"""Names of the central schema, its roles and columns, and the mapping of a dossier state to a central row."""

from __future__ import annotations

import dataclasses
import json
import operator
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from counter_app.domain.citizen import fold
from counter_app.domain.clock import to_vn
from counter_app.domain.dossier import DossierState, PaperEntry

SCHEMA = "central"
# Raised by central.hello() when the client speaks an older protocol than the central accepts.
SQLSTATE_CLIENT_TOO_OLD = "CA426"
# Namespace of the advisory locks that serialise the projection of one dossier.
DOSSIER_LOCK_NAMESPACE = 7411

# Raised by the central when a counter's events do not continue the chain head it holds (hint "chain_fork") or
# rewrite an event it already holds (hint "chain_rewrite"; a rewrite through INSERT trips the RLS policy
# CHAIN_REWRITE_POLICY instead).
SQLSTATE_CHAIN_REFUSED = "CA409"
CHAIN_REWRITE_POLICY = "event_no_rewrite"

# the columns of central.event a counter sends, in the order of an OutboxEvent (the local-only ones left out)
CENTRAL_EVENT_COLUMNS = (
    "uuid",
    "dossier_uuid",
    "kind",
    "payload",
    "occurred_at",
    "agency_code",
    "counter",
    "seq",
    "clerk",
    "prev_hash",
    "hash",
    "lamport",
)

STATE_FIELDS = tuple(f.name for f in dataclasses.fields(DossierState))
_STATE_GETTER = operator.itemgetter(*STATE_FIELDS)
# Central names where they differ from the state's: the receiving agency is explicit next to the deciding one.
_RENAMED = {"agency_code": "receiving_agency_code"}
DOSSIER_COLUMNS = (
    *(_RENAMED.get(name, name) for name in STATE_FIELDS),
    "deciding_agency_code",
    "name_key",
)


@dataclass(frozen=True)
class CentralRoles:
    """The roles of one central database: the owner of the schema, and the group that holds the rights the sync
    service uses when it acts for a counter (its only member is the service role; counters have no login)."""

    owner: str
    counters: str
    prefix: str

    @property
    def service(self) -> str:
        """The sync service's role (no login of its own, a member of `counters`): a service login is a member
        of it, and acts for the counter whose credential it checked (central.service)."""
        return f"{self.prefix}_service"


def _slug(text: str) -> str:
    return re.sub(r"[^a-z0-9]+", "_", text.lower()).strip("_")


def roles_for(dbname: str) -> CentralRoles:
    """Role names carry the database's name: roles are cluster-wide, several central databases may share a cluster."""
    prefix = "ca_" + (_slug(dbname)[:24] or "central")
    return CentralRoles(owner=f"{prefix}_owner", counters=f"{prefix}_counters", prefix=prefix)


def papers_json(papers: Sequence[PaperEntry]) -> str:
    """Compact, keys in order: the same text as the push builds from the local store with SQLite's JSON."""
    return json.dumps(
        [dataclasses.asdict(p) for p in papers], ensure_ascii=False, sort_keys=True, separators=(",", ":")
    )


def state_values(state: DossierState) -> dict[str, Any]:
    """A state as column values by field name, the papers as JSON text."""
    values = {name: getattr(state, name) for name in STATE_FIELDS if name != "papers"}
    values["papers"] = papers_json(state.papers)
    return values


def dossier_row(values: Mapping[str, Any], deciding_agency_code: str, name_key: str | None = None) -> tuple[Any, ...]:
    """The central projection row, in DOSSIER_COLUMNS order, of state values (see `state_values`).

    `name_key`: the folded name when the caller already has it (the local row keeps it), else computed.
    """
    return (
        *_STATE_GETTER(values),
        deciding_agency_code,
        fold(values["applicant_name"]) if name_key is None else name_key,
    )


def state_from_central(row: Mapping[str, Any]) -> DossierState:
    """A central projection row (as a column-name mapping) back as a DossierState."""
    values: dict[str, Any] = {}
    for name in STATE_FIELDS:
        value = row[_RENAMED.get(name, name)]
        if name == "papers":
            value = tuple(PaperEntry(**p) for p in json.loads(value))
        elif name == "uuid":
            value = str(value)
        elif isinstance(value, datetime):
            value = to_vn(value)
        values[name] = value
    return DossierState(**values)
