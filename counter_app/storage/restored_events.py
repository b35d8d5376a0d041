"""The events of a replaced database put back into the restored file: as the counter's own, the unsent ones queued."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from sqlalchemy import update

from counter_app.domain.event_delivery import EventDelivery
from counter_app.storage import outbox, pulled_events
from counter_app.storage.database import open_database
from counter_app.storage.models import EventOutboxRow, EventRow
from counter_app.storage.unit_of_work import UnitOfWork, storage_failures


def bring_back(path: Path, events: Sequence[outbox.OutboxEvent], unsent: Sequence[tuple[int, str]]) -> int:
    """Store `events` in the database file at `path` and queue the (seq, uuid) of `unsent` for the next push, in one
    transaction; returns how many events were new there. StorageFailure (nothing changed) when the file refuses."""
    database = open_database(path, create=False)
    try:
        with storage_failures(), UnitOfWork(database, write=True) as uow:
            stored = pulled_events.store_received(uow.session, events, outbox.ORIGIN_LOCAL)
            for seq, uuid in unsent:
                uow.session.add(EventOutboxRow(seq=seq, uuid=uuid))
                uow.session.execute(
                    update(EventRow).where(EventRow.uuid == uuid).values(sync_state=EventDelivery.PENDING)
                )
            uow.commit()
    finally:
        database.dispose()
    return stored.inserted
