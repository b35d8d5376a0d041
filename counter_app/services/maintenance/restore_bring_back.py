"""Bringing dossiers back after a restore: the replaced file's later events, when they continue the restored chain."""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from pathlib import Path

from counter_app.errors import StorageFailure
from counter_app.services.maintenance.restore_numbers import Renumbered, code_of
from counter_app.storage import replaced_file

log = logging.getLogger(__name__)


def bring_back_events(plain: Path, renumbered: Renumbered) -> tuple[int, tuple[str, ...]]:
    """Put the events the replaced database holds after the backup into the restored file (closed, not yet in
    place) as the counter's own, those not acknowledged by the central back in the outbox, when they continue the
    restored chain link by link; returns how many came back and the codes left for re-entry by a supervisor."""
    from counter_app.storage import outbox
    from counter_app.storage.restored_events import bring_back

    seq, hash_ = renumbered.restored_tail
    chained: list[replaced_file.FileEvent] = []
    for event in renumbered.missing:
        if event.seq != seq + 1 or (hash_ and event.prev_hash != hash_) or event.dead:
            break
        chained.append(event)
        seq, hash_ = event.seq, event.hash
    left = tuple(dict.fromkeys(c for c in (code_of(e) for e in renumbered.missing[len(chained) :]) if c))
    if not chained:
        return 0, renumbered.missing_codes
    events = [
        outbox.OutboxEvent(
            e.uuid,
            e.dossier_uuid,
            e.kind,
            e.payload,
            e.occurred_at,
            e.agency_code,
            e.counter,
            e.seq,
            e.clerk,
            e.prev_hash,
            e.hash,
            e.lamport,
        )
        for e in chained
    ]
    try:
        inserted = bring_back(plain, events, [(e.seq, e.uuid) for e in chained if e.pending])
    except StorageFailure as exc:
        log.warning("events of the replaced database not brought back: %s", exc.detail)
        return 0, renumbered.missing_codes
    with contextlib.closing(sqlite3.connect(plain)) as connection:
        connection.execute("PRAGMA journal_mode=DELETE").fetchall()  # a self-contained file again
    return inserted, left
