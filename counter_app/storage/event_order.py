"""The one order in which a dossier's events are replayed, the same on every copy: time, then agency, counter, seq."""

from __future__ import annotations

import operator
from typing import Any, Final

from sqlalchemy.orm import InstrumentedAttribute

from counter_app.storage.models import EventRow

REPLAY_COLUMNS: Final = ("occurred_at", "agency_code", "counter", "seq")

# The same order as SQL text for the central's PostgreSQL: its text collation is the database's, "C" compares
# bytes as SQLite does, so two copies sort events of one moment alike.
REPLAY_ORDER_SQL: Final = ", ".join(f'{name} COLLATE "C"' if name == "agency_code" else name for name in REPLAY_COLUMNS)

# the sort key of an event held in memory (any object with the four attributes, e.g. an OutboxEvent)
replay_key: Final = operator.attrgetter(*REPLAY_COLUMNS)


def replay_order() -> tuple[InstrumentedAttribute[Any], ...]:
    """The ORDER BY columns of the event table, in replay order."""
    return tuple(getattr(EventRow, name) for name in REPLAY_COLUMNS)
