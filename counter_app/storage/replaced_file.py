"""What a restore reads from the database file it replaces, and what it writes into the restored one, without the
ORM: the file replaced may be damaged, truncated, of an older schema, or not a database at all.

The numbers a counter issued after its backup was taken are only in the file the restore replaces (and at the
central, for what reached it). `read_replaced` takes from that file what can still be read — the last number of
each scope (number_sequence) and the counter's own events after the restored chain's end — and says whether all
of it could be read; `raise_numbers` moves the restored file's scopes past those numbers.
"""

from __future__ import annotations

import contextlib
import logging
import sqlite3
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from counter_app.domain.event_delivery import EventDelivery

log = logging.getLogger(__name__)

_EVENTS = """
SELECT uuid, dossier_uuid, kind, payload, occurred_at, agency_code, counter, seq, clerk, prev_hash, hash, sync_state,
       EXISTS (SELECT 1 FROM event_outbox o WHERE o.uuid = event.uuid), lamport
FROM {events} WHERE agency_code = ? AND counter = ? AND seq > ? ORDER BY seq
"""
# A file of a schema before local migration 0009 has no lamport: the one that migration would give its events.
_NUMBERED_EVENTS = """
(SELECT *, CASE WHEN dossier_uuid IS NULL THEN 0 ELSE row_number() OVER
        (PARTITION BY dossier_uuid ORDER BY occurred_at, agency_code, counter, seq) END AS lamport FROM event) AS event
"""


@dataclass(frozen=True)
class FileEvent:
    """An event of the counter as stored in a file (columns of storage.models.EventRow)."""

    uuid: str
    dossier_uuid: str | None
    kind: str
    payload: str
    occurred_at: str
    agency_code: str
    counter: int
    seq: int
    clerk: str
    prev_hash: str
    hash: str
    lamport: int
    pending: bool  # not yet acknowledged by the central
    dead: bool


@dataclass
class ReplacedFile:
    """What could be read from the file a restore replaces."""

    sequences: dict[str, int] = field(default_factory=dict)
    events: list[FileEvent] = field(default_factory=list)  # the counter's own, after the restored chain's end
    complete: bool = True  # False: some of it could not be read (the numbers it issued are then not all known)


@contextlib.contextmanager
def _open_read_only(path: Path) -> Iterator[sqlite3.Connection]:
    connection = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5.0)
    try:
        yield connection
    finally:
        connection.close()


def read_replaced(path: Path, agency_code: str, counter: int, after_seq: int) -> ReplacedFile | None:
    """The numbering scopes and the counter's events after `after_seq` in the file at `path`; None when none of it
    can be read (missing, not SQLite, truncated before those tables). Rows read before a damaged page are kept."""
    if not path.is_file():
        return None
    found = ReplacedFile()
    read_any = False
    try:
        with _open_read_only(path) as connection:
            try:
                for scope, last in connection.execute("SELECT scope, last FROM number_sequence"):
                    found.sequences[str(scope)] = max(int(last or 0), found.sequences.get(str(scope), 0))
                read_any = True
            except sqlite3.DatabaseError as exc:
                log.warning("numbers of the replaced database not all readable: %s", exc)
                found.complete = False
            try:
                has_lamport = _rows(connection, "SELECT 1 FROM pragma_table_info('event') WHERE name = 'lamport'")
                query = _EVENTS.format(events="event" if has_lamport else _NUMBERED_EVENTS)
                for row in connection.execute(query, (agency_code, counter, after_seq)):
                    found.events.append(
                        FileEvent(
                            uuid=str(row[0]),
                            dossier_uuid=str(row[1]) if row[1] else None,
                            kind=str(row[2]),
                            payload=str(row[3]),
                            occurred_at=str(row[4]),
                            agency_code=str(row[5]),
                            counter=int(row[6]),
                            seq=int(row[7]),
                            clerk=str(row[8] or ""),
                            prev_hash=str(row[9] or ""),
                            hash=str(row[10] or ""),
                            lamport=int(row[13] or 0),
                            pending=bool(row[12]),
                            dead=int(row[11] or 0) == EventDelivery.DEAD,
                        )
                    )
                read_any = True
            except sqlite3.DatabaseError as exc:
                log.warning("events of the replaced database not all readable: %s", exc)
                found.complete = False
    except sqlite3.DatabaseError as exc:
        log.warning("replaced database not readable: %s", exc)
        return None
    return found if read_any else None


def _rows(connection: sqlite3.Connection, sql: str, params: tuple[object, ...] = ()) -> list[tuple[object, ...]]:
    """The rows of a query; none when the file's schema (an older version's) lacks its table or columns."""
    try:
        return list(connection.execute(sql, params))
    except sqlite3.OperationalError as exc:
        log.warning("database read without a table or column: %s", exc)
        return []


def read_restored(path: Path, agency_code: str, counter: int) -> tuple[dict[str, int], set[str], int, str, set[str]]:
    """From a restored file (closed, checked): its scopes' last numbers, its own events' uuids, its chain's last
    link (seq, hash) and the fields of its procedures; what an older schema lacks reads as empty."""
    mine = (agency_code, counter)
    with _open_read_only(path) as connection:
        sequences = {str(s): int(str(n or 0)) for s, n in _rows(connection, "SELECT scope, last FROM number_sequence")}
        own = {
            str(u) for (u,) in _rows(connection, "SELECT uuid FROM event WHERE agency_code = ? AND counter = ?", mine)
        }
        tail = _rows(
            connection,
            "SELECT seq, hash FROM event WHERE agency_code = ? AND counter = ? ORDER BY seq DESC LIMIT 1",
            mine,
        )
        fields = {str(f) for (f,) in _rows(connection, "SELECT DISTINCT field FROM procedure") if f}
    seq, hash_ = (int(str(tail[0][0])), str(tail[0][1] or "")) if tail else (0, "")
    return sequences, own, seq, hash_, fields


def numbering_of_file(path: Path, agency_code: str) -> tuple[int, int]:
    """(counter digits, number digits) of the agency in a file; the defaults when it has none."""
    with _open_read_only(path) as connection:
        rows = _rows(connection, "SELECT counter_digits, number_digits FROM agency WHERE code = ?", (agency_code,))
    return (int(str(rows[0][0])), int(str(rows[0][1]))) if rows else (1, 3)


def raise_numbers(path: Path, numbers: Mapping[str, int]) -> int:
    """Raise each scope of the (closed) file at `path` to at least its number; returns how many moved. A file of a
    schema older than the number_sequence table has no scope to raise (its numbers come from its dossiers)."""
    connection = sqlite3.connect(path)
    moved = 0
    try:
        if not _rows(connection, "SELECT name FROM sqlite_master WHERE type = 'table' AND name = 'number_sequence'"):
            log.warning("restored database has no number_sequence table: nothing raised")
            return 0
        with connection:
            for scope, number in sorted(numbers.items()):
                cursor = connection.execute(
                    "INSERT INTO number_sequence (scope, last) VALUES (?, ?) "
                    "ON CONFLICT (scope) DO UPDATE SET last = excluded.last WHERE last < excluded.last",
                    (scope, number),
                )
                moved += cursor.rowcount
    finally:
        connection.close()
    return moved
