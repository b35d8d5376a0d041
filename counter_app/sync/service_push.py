"""The counter's push through the sync service: every unsent event, a request per chunk, in the outbox's order.

The counter's own work runs beside the network on one helper thread: the next request is read from the outbox
and encoded while one is in flight, and a request's acknowledgement is written while the next one is in flight
(a push of a first sync spent a fifth of its time on them, the service waiting). The guarantees are those of a
plain loop: a request goes only after the previous one was answered, nothing is marked sent before the service
answered that it stored it, and a sync stopped (a crash, the network) before an acknowledgement was written
leaves events the service holds already, which it recognises when they come again (the counter's chain head on
the central) and which are then marked sent, exactly once.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import NamedTuple

from counter_app.storage import outbox
from counter_app.storage.database import Database
from counter_app.storage.outbox import OutboxEvent


class PushAnswer(NamedTuple):
    """The service's answer to one push request."""

    stored: int  # events newly stored
    dead: dict[str, str]  # uuid -> why the central refused it
    held: frozenset[str]  # events it held before (a repeat): acknowledged, their dossiers unchanged by this sync


Send = Callable[[bytes], PushAnswer]  # a request's body -> the service's answer


@dataclass
class PushTally:
    """What the push did so far (a sync interrupted reports it)."""

    pushed: int = 0  # events the service newly stored
    dead: int = 0
    dossiers: set[str] = field(default_factory=set)


def encode_push(events: Sequence[OutboxEvent]) -> bytes:
    """A push request's body, `{"events": [...]}` (what httpx's `json=` would send)."""
    body = {"events": [e._asdict() for e in events]}
    return json.dumps(body, ensure_ascii=False, separators=(",", ":"), allow_nan=False).encode()


def _prepared(database: Database, after: tuple[int, str] | None, chunk: int) -> tuple[list[OutboxEvent], bytes]:
    events = outbox.read_pending_events(database, after, chunk)
    return events, encode_push(events) if events else b""


def push_pending(
    database: Database,
    send: Send,
    tally: PushTally,
    *,
    chunk: int,
    cancel: threading.Event | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> None:
    """Send every unsent event, `chunk` a request, and acknowledge each request's events once it is answered."""
    total = outbox.count_pending(database)
    done = 0
    if progress is not None:
        progress(0, total)  # the bar appears at once, at zero, before the first push is answered
    with ThreadPoolExecutor(1, thread_name_prefix="push-local") as local:
        upcoming = local.submit(_prepared, database, None, chunk)
        acknowledged: Future[None] | None = None
        while not (cancel is not None and cancel.is_set()):
            events, body = upcoming.result()
            if not events:
                break
            # the next request is read after this one's keys: its events are not acknowledged yet
            upcoming = local.submit(_prepared, database, (events[-1].seq, events[-1].uuid), chunk)
            stored, dead, held = send(body)
            if acknowledged is not None:
                acknowledged.result()  # written while this request was in flight; a failure stops the sync here
            span = ((events[0].seq, events[0].uuid), (events[-1].seq, events[-1].uuid))
            # only now that the service answered: the events it stored (or held before) and its dead letters
            acknowledged = local.submit(
                outbox.acknowledge, database, [e.uuid for e in events if e.uuid not in dead], dead, span
            )
            tally.pushed += stored
            tally.dead += len(dead)
            tally.dossiers |= {e.dossier_uuid for e in events if e.dossier_uuid and e.uuid not in held}
            done += len(events)
            if progress is not None:
                progress(done, max(total, done))
        if acknowledged is not None:
            acknowledged.result()
