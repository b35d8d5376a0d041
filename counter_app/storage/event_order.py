"""The one order in which a dossier's events are replayed, the same on every copy: the dossier's Lamport clock, then
time, agency, counter, seq.

An event's `lamport` is 1 + the highest lamport of the dossier's events its counter held when it recorded it
(storage.repositories.events). So an event replays after every event its author had seen, whatever the clocks
of the counters say (they may differ by up to twice domain.clock.MAX_CLOCK_SKEW, and events keep whole seconds).
Events recorded without knowing of each other order by lamport too, and by time, agency, counter and seq where
their lamports are equal: the same order on every copy.
"""

from __future__ import annotations

import operator
from collections.abc import Iterable
from typing import Any, Final

from sqlalchemy.orm import InstrumentedAttribute

from counter_app.errors import RuleError
from counter_app.storage.models import EventRow

REPLAY_COLUMNS: Final = ("lamport", "occurred_at", "agency_code", "counter", "seq")

# The same order as SQL text for the central's PostgreSQL: its text collation is the database's, "C" compares
# bytes as SQLite does, so two copies sort events of one moment alike.
REPLAY_ORDER_SQL: Final = ", ".join(f'{name} COLLATE "C"' if name == "agency_code" else name for name in REPLAY_COLUMNS)

# the sort key of an event held in memory (any object with these attributes, e.g. an OutboxEvent)
replay_key: Final = operator.attrgetter(*REPLAY_COLUMNS)


def replay_order() -> tuple[InstrumentedAttribute[Any], ...]:
    """The ORDER BY columns of the event table, in replay order."""
    return tuple(getattr(EventRow, name) for name in REPLAY_COLUMNS)


def check_lamports(events: Iterable[tuple[int, str, int, int, bool]]) -> None:
    """Refuse (RuleError) a new event whose lamport is not above that of an earlier event (by seq) of its own
    counter on the same dossier: a counter holds its own earlier events of a dossier, so each of its next ones has
    a higher lamport; one that has not was not made by this application. `events`: one dossier's (lamport,
    agency_code, counter, seq, new), in any order; only the new ones are judged (events stored before lamports
    existed got theirs from their time order, which a counter's clock set back may have left out of seq order)."""
    by_counter: dict[tuple[str, int], list[tuple[int, int, bool]]] = {}
    for lamport, agency_code, counter, seq, new in events:
        by_counter.setdefault((agency_code, counter), []).append((seq, lamport, new))
    for (agency_code, counter), own in by_counter.items():
        highest, at = -1, 0
        for seq, lamport, new in sorted(own):
            if new and lamport <= highest:
                raise RuleError(
                    f"Sự kiện số {seq} của quầy {counter} ({agency_code}) có số thứ tự nhân quả (lamport) không lớn "
                    f"hơn của sự kiện số {at} trước đó của chính quầy này trên cùng hồ sơ.",
                    detail=f"lamport of {agency_code}:{counter} seq {seq} not above that of seq {at}",
                )
            if lamport > highest:
                highest, at = lamport, seq
