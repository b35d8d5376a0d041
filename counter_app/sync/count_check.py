"""The count check after a pull (issue 18, item 5): the counter and the central compare the events the counter
holds with those the central shows it, and a counter that lost some re-pulls from the start of the log.

What is compared, so that both sides count exactly the same set (central.count_routes, storage.held_events):
- other counters' events: the central counts those the caller may see at or before the counter's pull cursor,
  in the pull's order; the counter counts every other counter's event it holds (all came from the central),
  less those the central names as lying after the cursor (a dossier met for the first time comes with its whole
  history, which may reach past it). Nothing can be added at or before a cursor once it was handed out (the pull
  reads only below the horizon of running transactions), so the central's side does not move under the check.
- this counter's own events: the central counts all it stores, the counter those it holds as acknowledged (not
  dead letters, not unsent). The check runs after the push of the same sync, so both sides include every event
  this sync delivered.

A mismatch of other counters' events is repaired by pulling again from the start of the log (every page stored
as a pull stores it: inserted by uuid when missing, dossiers re-derived); the stored cursor never moves back, so a
repair cut midway leaves the counter as it was, and the next sync checks again. Then the check is made once more.
A mismatch of the counter's own events is reported, not repaired here: the restore recovery (sync.own_history)
takes back what the central holds after the local chain's end, and an event lost inside the chain is for
`audit verify`. Log lines carry counts only.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from counter_app.storage import held_events, pull_cursor
from counter_app.storage.database import Database
from counter_app.storage.held_events import Tally
from counter_app.storage.outbox import OutboxEvent
from counter_app.storage.pull_cursor import PullCursor
from counter_app.sync import pull

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class CentralCount:
    """The central's answer for a cursor (GET /v1/count)."""

    others: Tally  # other counters' events visible to the caller, at or before the cursor
    beyond: frozenset[str]  # uuids of such events after the cursor
    beyond_full: bool  # too many after the cursor to list: no check now
    own: Tally  # the caller's own events stored


@dataclass
class CountOutcome:
    checked: bool = False  # the check was made (the service answers it, the cursor is fresh enough)
    repaired: int = 0  # events the repair stored that the counter lacked
    failed: int = 0  # dossiers that did not replay after the repair
    dossiers: set[str] = field(default_factory=set)  # dossiers the repair touched
    mismatch: bool = False  # still differs after the repair (or the own events differ): see the log


@dataclass(frozen=True)
class _Differences:
    others: bool
    own: bool


def _compare(
    database: Database, count_at: Callable[[PullCursor], CentralCount | None], agency_code: str, counter: int
) -> _Differences | None:
    cursor = pull_cursor.read_cursor(database)
    central = count_at(cursor)
    if central is None or central.beyond_full:
        return None
    held = held_events.count_held(database, agency_code, counter, central.beyond)
    others = held.others.without(held.others_held)
    if others != central.others:
        log.warning(
            "count check at cursor %s: the central shows %d events of other counters, this counter holds %d",
            cursor.text(),
            central.others.count,
            others.count,
        )
    if held.own != central.own:
        log.warning(
            "count check: the central stores %d of this counter's events, this counter holds %d as acknowledged",
            central.own.count,
            held.own.count,
        )
    return _Differences(others=others != central.others, own=held.own != central.own)


def check_and_repair(
    database: Database,
    count_at: Callable[[PullCursor], CentralCount | None],
    page_after: Callable[[PullCursor], pull.Page],
    history_of: Callable[[Sequence[str]], list[OutboxEvent]],
    *,
    agency_code: str,
    counter: int,
    cancel: threading.Event | None = None,
) -> CountOutcome:
    """The check after a complete pull; on a mismatch of other counters' events, a pull from the start of the log
    (`page_after`, `history_of`: as for the pull) and the check again. `count_at` answers None when the service
    does not offer the check."""
    outcome = CountOutcome()
    first = _compare(database, count_at, agency_code, counter)
    if first is None:
        return outcome
    outcome.checked = True
    if not first.others:
        outcome.mismatch = first.own
        return outcome
    started = False

    def from_start(cursor: PullCursor) -> pull.Page:
        nonlocal started
        at, started = (cursor if started else PullCursor()), True
        return page_after(at)

    # the registry came with the pull just made: none is stored again
    again = pull.pull_pages(from_start, history_of, (), database, cancel=cancel)
    outcome.repaired, outcome.failed, outcome.dossiers = again.pulled, again.failed, set(again.dossiers)
    log.warning("count check: the pull from the start of the log stored %d missing events", again.pulled)
    if cancel is not None and cancel.is_set():
        outcome.mismatch = True  # not checked again: the next sync does
        return outcome
    second = _compare(database, count_at, agency_code, counter)
    outcome.mismatch = second is None or second.others or second.own
    return outcome
