"""Taking back this counter's own events from the central, after its database was restored from an older backup.

A daily backup is older than the last sync (every few minutes), so a restored database lacks the events its counter
recorded since the backup, which the central holds. Without them the counter would continue its audit chain from
the backup's last link (the central refuses that as a fork, for good) and number dossiers and documents again
from the backup's last numbers (printed twice). So every sync starts here: when the central's head of this
counter's chain is ahead of the local chain and continues it, the missing events come back, page by page, each
page in one local write (a cut leaves a shorter, still continuous chain: the next sync goes on from it). They are
stored as the counter's own and already delivered; their dossiers are re-derived, and every numbering scope moves
past the numbers they used (domain.number_scopes).

A database restored by BackupService is on hold (storage.restore_hold): it writes no event until the local chain
has caught up here, which lifts the hold. Nothing is taken when the central's events do not continue the local
chain (another installation claiming this counter, or a database copied back by hand and written to before this
sync): the push then refuses the fork, as it would have. Nor when the central withheld one of the missing links
(a dead letter: its content is nowhere): the sync stops with a message for the administrator; the hold stays.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

import psycopg
from psycopg.rows import TupleRow

from counter_app.domain.codes import Numbering
from counter_app.domain.number_scopes import highest, numbers_used
from counter_app.errors import RuleError, ValidationError
from counter_app.storage import pulled_events, restore_hold
from counter_app.storage.database import Database
from counter_app.storage.event_chain import chain_tail
from counter_app.storage.outbox import ORIGIN_LOCAL, OutboxEvent
from counter_app.storage.unit_of_work import UnitOfWork
from counter_app.sync.pull import received_event

log = logging.getLogger(__name__)

Connection = psycopg.Connection[TupleRow]

PAGE = 5000

_HEAD = "SELECT seq, hash FROM central.chain_head WHERE agency_code = %s AND counter = %s"
_WITHHELD = "SELECT min(seq) FROM central.event_withheld WHERE agency_code = %s AND counter = %s AND seq > %s"
_OWN_EVENTS = """
SELECT uuid::text, dossier_uuid::text, kind, payload, occurred_at, agency_code, counter, seq, clerk, prev_hash, hash,
       lamport
FROM central.event
WHERE agency_code = %s AND counter = %s AND seq > %s
ORDER BY seq
LIMIT %s
"""


@dataclass
class Recovered:
    events: int = 0
    failed: int = 0  # dossiers that did not replay
    dossiers: set[str] = field(default_factory=set)


def _local_tail(database: Database, agency_code: str, counter: int) -> tuple[int, str]:
    with UnitOfWork(database) as uow:
        return chain_tail(uow.session, agency_code, counter)


def _continues(tail: tuple[int, str], events: Sequence[OutboxEvent]) -> bool:
    """Whether the events follow one another and the local chain's last link (seq, hash)."""
    seq, hash_ = tail
    for event in events:
        if event.seq != seq + 1 or (hash_ and event.prev_hash != hash_):
            return False
        seq, hash_ = event.seq, event.hash
    return True


def _numbers(events: Sequence[OutboxEvent], agency_code: str, numbering: Numbering) -> dict[str, int]:
    used: list[tuple[str, int]] = []
    for event in events:
        try:
            used += numbers_used(
                event.kind, json.loads(event.payload), datetime.fromisoformat(event.occurred_at), agency_code, numbering
            )
        except (ValidationError, ValueError, TypeError, KeyError):
            log.warning("numbers of taken-back event %s (%s) not readable", event.uuid, event.kind)
    return highest(used)


def _store(database: Database, events: Sequence[OutboxEvent], numbers: dict[str, int]) -> pulled_events.StoredPull:
    with UnitOfWork(database, write=True) as uow:
        stored = pulled_events.store_received(uow.session, events, ORIGIN_LOCAL)
        for scope, number in numbers.items():
            uow.sequences.raise_to(scope, number)
        uow.commit()
    return stored


def _lift_hold(database: Database) -> None:
    """The local chain has caught up with the central's: a restored database may write again."""
    with UnitOfWork(database) as uow:
        if restore_hold.marked(uow.session) is None:
            return
    with UnitOfWork(database, write=True) as uow:
        if restore_hold.lift(uow.session):
            uow.commit()
            log.info("restored database released: its chain has caught up with the central's")


@dataclass(frozen=True)
class OwnPage:
    """What the central says of this counter's own chain after a seq: its head, the first link it withheld (a
    dead letter, whose content is nowhere) and the next own events."""

    head: int | None
    withheld: int | None
    events: list[OutboxEvent]


OwnSource = Callable[[int, int], OwnPage]  # (after seq, at most) -> the page


def own_page(conn: Connection, agency_code: str, counter: int, after: int, limit: int) -> OwnPage:
    """The page from the central itself (the sync service's /v1/own)."""
    with conn.transaction():
        head = conn.execute(_HEAD, [agency_code, counter]).fetchone()
        withheld = conn.execute(_WITHHELD, [agency_code, counter, after]).fetchone()
        rows = conn.execute(_OWN_EVENTS, [agency_code, counter, after, limit]).fetchall()
    return OwnPage(
        int(head[0]) if head else None,
        int(withheld[0]) if withheld and withheld[0] is not None else None,
        [received_event(row) for row in rows],
    )


def recover_from(
    source: OwnSource, database: Database, *, agency_code: str, counter: int, numbering: Numbering
) -> Recovered:
    """Take back the events of this counter the central holds after the local chain's end (see the module), then
    lift the hold of a restored database (storage.restore_hold) if the local chain has caught up."""
    outcome = Recovered()
    tail = _local_tail(database, agency_code, counter)
    page = source(tail[0], PAGE)
    if page.head is None or page.head <= tail[0]:
        _lift_hold(database)
        return outcome
    if page.withheld is not None:
        raise RuleError(
            f"Máy chủ trung tâm giữ các sự kiện của quầy {counter} ghi sau số {tail[0]} mà máy này không có (cơ sở "
            "dữ liệu có lẽ đã được phục hồi từ một bản sao lưu cũ), nhưng không lấy lại được: sự kiện số "
            f"{page.withheld} đã bị máy chủ từ chối nên không còn nội dung. Chưa có gì thay đổi trên máy này. "
            "Hãy báo quản trị viên trước khi tiếp nhận hồ sơ mới, để không cấp trùng số.",
            detail=f"own events withheld after seq {tail[0]}",
        )
    head = page.head
    while True:
        events = page.events
        if not events:
            break
        if not _continues(tail, events):
            log.warning(
                "central events of counter %s:%d after seq %d do not continue the local chain: not taken back",
                agency_code,
                counter,
                tail[0],
            )
            break
        stored = _store(database, events, _numbers(events, agency_code, numbering))
        outcome.events += stored.inserted
        outcome.failed += stored.failed
        outcome.dossiers |= stored.dossiers
        tail = (events[-1].seq, events[-1].hash)
        if len(events) < PAGE:
            break
        page = source(tail[0], PAGE)
    if tail[0] >= head:
        _lift_hold(database)
    if outcome.events:
        log.info("took back %d events of counter %s:%d from the central", outcome.events, agency_code, counter)
    return outcome
