"""The local projection of the dossiers a push sends, read as the central's rows, and what is known of their events."""

from __future__ import annotations

import dataclasses
import json
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection

from counter_app.domain.dossier import DossierState
from counter_app.domain.event_delivery import EventDelivery
from counter_app.domain.event_kinds import EventKind
from counter_app.domain.stored_events import deciding_agency_code
from counter_app.storage.database import Database
from counter_app.storage.unit_of_work import UnitOfWork


@dataclass(frozen=True)
class LocalDossier:
    """A dossier's local projection, as the central's row, and what is known of its events."""

    row: tuple[Any, ...]  # in central_schema.DOSSIER_COLUMNS order, as central_schema.dossier_row builds it
    event_count: int  # local events of the dossier, dead letters included
    # Only this counter's own events, none in dead letter, applied in time order: the projection is exactly
    # the domain's replay of those events, so the central may take it instead of replaying them again.
    replayable: bool


_STATE_FIELDS = tuple(f.name for f in dataclasses.fields(DossierState))
_UUID, _AGENCY, _DECIDING, _EVENT_COUNT = map(
    _STATE_FIELDS.index, ("uuid", "agency_code", "deciding_agency", "event_count")
)


def read_local_dossiers(
    database: Database, dossier_uuids: Sequence[str], *, agency_code: str, counter: int
) -> dict[str, LocalDossier]:
    """The local projection of these dossiers and what is known of their events, in one short read transaction.

    Read after their events: a dossier changed in between has more local events than the central will hold,
    and the pusher then replays the central's events instead of taking this projection (see sync.push).
    """
    if not dossier_uuids:
        return {}
    with UnitOfWork(database) as uow:
        return _local_dossiers(uow.session.connection(), dossier_uuids, agency_code, counter)


# Fixed SQL (column names from the model, placeholders only). The dossiers come as one JSON array parameter
# (json_each): one statement per batch whatever its size, where SQLite caps the number of parameters.
# Per dossier: its local events, those that are this counter's own and not dead letters, and how many are out of
# time order in the counter's own order (what LocalDossier.replayable needs), counted by SQLite rather than
# row by row in Python.
_EVENTS_SQL = f"""
SELECT dossier_uuid, count(*),
       sum(origin = 'local' AND sync_state != {EventDelivery.DEAD} AND agency_code = ? AND counter = ?),
       sum(occurred_at < before)
FROM (SELECT dossier_uuid, origin, sync_state, agency_code, counter, occurred_at,
             lag(occurred_at) OVER (PARTITION BY dossier_uuid ORDER BY seq) AS before
      FROM event WHERE dossier_uuid IN (SELECT value FROM json_each(?)))
GROUP BY dossier_uuid
"""  # noqa: S608
# `+kind`: the dossier index, never an index by kind (which would walk every transfer ever recorded); the kind is
# a constant of the code, not input
_TRANSFERS_SQL = (
    "SELECT dossier_uuid, payload FROM event "  # noqa: S608
    f"WHERE +kind = '{EventKind.TRANSFERRED}' AND dossier_uuid IN (SELECT value FROM json_each(?)) "
    "ORDER BY dossier_uuid, seq"
)
# The papers as central_schema.papers_json writes them (keys in order, no spaces), built by SQLite.
_PAPERS_JSON = (
    "(SELECT coalesce(json_group_array(json_object('copies', p.copies, 'missing', json(iif(p.missing, 'true', "
    "'false')), 'name', p.name, 'originals', p.originals)), '[]') "
    "FROM (SELECT * FROM dossier_paper AS p WHERE p.dossier_uuid = dossier.uuid ORDER BY p.position) AS p)"
)
_DOSSIERS_SQL = (
    "SELECT "  # noqa: S608
    + ", ".join(_PAPERS_JSON if name == "papers" else name for name in _STATE_FIELDS)
    + ", name_key FROM dossier WHERE uuid IN (SELECT value FROM json_each(?))"
)


def _local_dossiers(
    connection: Connection, uuids: Sequence[str], agency_code: str, counter: int
) -> dict[str, LocalDossier]:
    """The stored projection rows as they are (ISO text timestamps, 0/1 booleans: what PostgreSQL's COPY reads).

    Plain DB-API on the transaction's own connection: these rows go to COPY untouched, and SQLAlchemy's per-row
    work was most of the cost of a push.
    """
    cursor = connection.connection.driver_connection.cursor()  # type: ignore[union-attr]
    wanted = json.dumps(list(uuids))
    events = {row[0]: row[1:] for row in cursor.execute(_EVENTS_SQL, (agency_code, counter, wanted))}
    transfers: dict[str, list[str]] = {}
    for dossier_uuid, payload in cursor.execute(_TRANSFERS_SQL, (wanted,)):
        transfers.setdefault(dossier_uuid, []).append(payload)
    found: dict[str, LocalDossier] = {}
    for *state, name_key in cursor.execute(_DOSSIERS_SQL, (wanted,)):
        uuid = state[_UUID]
        count, own, disorder = events.get(uuid, (0, 0, 0))
        deciding = deciding_agency_code(state[_DECIDING], state[_AGENCY], transfers.get(uuid, ()))
        found[uuid] = LocalDossier(
            row=(*state, deciding, name_key),
            event_count=count,
            replayable=count == state[_EVENT_COUNT] and own == count and not disorder,
        )
    cursor.close()
    return found
