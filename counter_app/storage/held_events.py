"""What the counter holds of the central's log, counted for the count check after a pull (sync.count_check).

The events counted are those on the central as far as the local store knows: delivery SENT (models.DELIVERY_STATE:
not a dead letter, not in the outbox), that is pulled from the central, taken back from it after a restore, or
this counter's own acknowledged as stored. Dead letters (refused, not on the central) and unsent events are left
out. They are split as the central answers (central.count_routes): other counters' events, and this counter's
own. Each set is tallied as a count and a digest, the XOR of the first 64 bits of the MD5 of each uuid
(lower-case text), as a signed integer, the same as the central's SQL.
"""

from __future__ import annotations

import hashlib
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import select

from counter_app.domain.event_delivery import EventDelivery
from counter_app.storage.database import Database
from counter_app.storage.models import DELIVERY_STATE, EventRow
from counter_app.storage.unit_of_work import UnitOfWork


def uuid_digest(uuid: str) -> int:
    """The 64-bit signed share of one event in a digest: the first 8 bytes of the MD5 of its uuid's text."""
    return int.from_bytes(hashlib.md5(uuid.lower().encode()).digest()[:8], "big", signed=True)  # noqa: S324 - a checksum, not security


@dataclass(frozen=True)
class Tally:
    """A set of events: how many, and the XOR of their uuids' shares (uuid_digest)."""

    count: int = 0
    digest: int = 0

    def without(self, uuids: Collection[str]) -> Tally:
        """The tally with these events (held in the set) taken out."""
        digest = self.digest
        for uuid in uuids:
            digest ^= uuid_digest(uuid)
        return Tally(self.count - len(uuids), digest)


@dataclass(frozen=True)
class HeldEvents:
    """The events of the central's log the counter holds: other counters' (`others`), and its own (`own`)."""

    others: Tally
    own: Tally
    others_held: frozenset[str]  # the uuids of `others` among those asked about (count_held's `among`)


def count_held(database: Database, agency_code: str, counter: int, among: Collection[str] = ()) -> HeldEvents:
    """Tally the events on the central the local store holds, in one read; `among`: uuids of which to say which
    are held as other counters' events (the central's events past the cursor, to be taken out of the count)."""
    wanted = {u.lower() for u in among}
    others_count = others_digest = own_count = own_digest = 0
    held: set[str] = set()
    with UnitOfWork(database) as uow:
        rows = uow.session.execute(
            select(EventRow.uuid, EventRow.agency_code, EventRow.counter).where(DELIVERY_STATE == EventDelivery.SENT)
        )
        for uuid, agency, number in rows:
            share = uuid_digest(uuid)
            if agency == agency_code and number == counter:
                own_count += 1
                own_digest ^= share
                continue
            others_count += 1
            others_digest ^= share
            if uuid.lower() in wanted:
                held.add(uuid.lower())
    return HeldEvents(Tally(others_count, others_digest), Tally(own_count, own_digest), frozenset(held))
