"""Bulk loading of many new dossiers with their events (demo data, imports): Core executemany, large transactions.

The rows are exactly those the normal path writes one at a time (DossierRepository.save, EventRepository.append):
the dossier with its folded name and its papers, and events linked into their counter's audit chain in order,
pending for sync. Only the way they are written differs: plain executemany of prepared tuples, no ORM objects,
and the chain's HMACs computed over the same canonical bytes without the generic JSON encoder per link.
"""

from __future__ import annotations

import dataclasses
import hashlib
import hmac
import itertools
import json
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import datetime
from operator import attrgetter
from typing import Any, Final

from sqlalchemy import Connection, select
from sqlalchemy.orm import Session

from counter_app.domain.citizen import fold
from counter_app.domain.dossier import DATETIME_FIELDS, DossierState
from counter_app.storage.event_chain import AuditKeys, ChainWriter
from counter_app.storage.models import DossierPaperRow, DossierRow, EventRow, SequenceRow
from counter_app.storage.repositories.settings import SettingsRepository
from counter_app.storage.types import vn_text

# json.dumps(..., ensure_ascii=False) writes every string with this C function: the same text, without the
# encoder's per-call set-up (see audit_chain.canonical_bytes, which this must match byte for byte)
_json_text: Final = json.encoder.encode_basestring

# what DossierRepository.save and insert_many write: the state's fields (papers apart) and the folded name
_STATE_COLUMNS: Final = tuple(f.name for f in dataclasses.fields(DossierState) if f.name != "papers")
_DOSSIER_COLUMNS: Final = (*_STATE_COLUMNS, "name_key")
_DATETIME_AT: Final = tuple(i for i, c in enumerate(_STATE_COLUMNS) if c in DATETIME_FIELDS)
_PAPER_COLUMNS: Final = ("dossier_uuid", "position", "name", "originals", "copies", "missing")
# every column of a local event row, in the order the bulk insert and the sync's pull write them
LOCAL_EVENT_COLUMNS: Final = (
    "uuid",
    "dossier_uuid",
    "kind",
    "payload",
    "occurred_at",
    "agency_code",
    "counter",
    "seq",
    "lamport",
    "clerk",
    "origin",
    "sync_state",
    "sync_error",
    "prev_hash",
    "hash",
)


# Rows per INSERT statement. One statement per row makes the dossier's full-text trigger flush the FTS5 index at
# every statement (its savepoint), ~100 µs a row; a hundred rows a statement share one flush and one statement
# set-up, and stay far below SQLite's limit of 32,766 bound parameters.
ROWS_PER_STATEMENT: Final = 100


def _insert_sql(table: str, columns: Sequence[str], rows: int) -> str:
    # names from the models, never from input; the values are bound parameters
    one = f"({', '.join('?' * len(columns))})"
    return f"INSERT INTO {table} ({', '.join(columns)}) VALUES {', '.join([one] * rows)}"  # noqa: S608


class _Insert:
    """INSERT of many rows of one table: full statements of ROWS_PER_STATEMENT rows, then the rest."""

    def __init__(self, table: str, columns: Sequence[str]) -> None:
        self.table = table
        self.columns = tuple(columns)
        self.full = _insert_sql(table, columns, ROWS_PER_STATEMENT)

    def run(self, connection: Connection, rows: Sequence[tuple[Any, ...]]) -> None:
        per = ROWS_PER_STATEMENT
        whole = len(rows) - len(rows) % per
        if whole:
            flat = itertools.chain.from_iterable
            connection.exec_driver_sql(self.full, [tuple(flat(rows[i : i + per])) for i in range(0, whole, per)])
        if whole < len(rows):
            rest = rows[whole:]
            statement = _insert_sql(self.table, self.columns, len(rest))
            connection.exec_driver_sql(statement, tuple(itertools.chain.from_iterable(rest)))


_INSERT_DOSSIER: Final = _Insert(str(DossierRow.__tablename__), _DOSSIER_COLUMNS)
_INSERT_PAPER: Final = _Insert(str(DossierPaperRow.__tablename__), _PAPER_COLUMNS)
_INSERT_EVENT: Final = _Insert(str(EventRow.__tablename__), LOCAL_EVENT_COLUMNS)

LOAD_CACHE_KIB: Final = 256 * 1024
# (uuid, kind, dossier_uuid, payload JSON, occurred_at as vn_text)
NewEvent = tuple[str, str, str | None, str, str]


class ChainAppender:
    """Links new events after the last one of a counter's chain, as ChainWriter.link does, many at a time."""

    def __init__(self, writer: ChainWriter, agency_code: str, counter: int, clerk: str) -> None:
        self.seq = writer.seq
        self.prev_hash = writer.prev_hash
        self._secret = writer.secret
        self.agency_code = agency_code
        self.counter = counter
        self.clerk = clerk
        # the canonical array's fields after the payload and moment that are the same for every link
        self._middle = f",{_json_text(agency_code)},{counter},"
        self._clerk = f",{_json_text(clerk)},"
        # the lamport of each dossier's last event appended: the dossiers loaded are new, their first event is 1
        self._lamports: dict[str, int] = {}

    def rows(self, events: Iterable[NewEvent]) -> list[tuple[Any, ...]]:
        """The event table's rows of `events`, in order, each sealed with the chain's HMAC."""
        out = []
        secret, agency, counter, clerk = self._secret, self.agency_code, self.counter, self.clerk
        middle, clerk_text = self._middle, self._clerk
        seq, prev, lamports = self.seq, self.prev_hash, self._lamports
        for uuid, kind, dossier_uuid, payload, occurred_at in events:
            seq += 1
            lamport = 0
            if dossier_uuid is not None:
                lamport = lamports[dossier_uuid] = lamports.get(dossier_uuid, 0) + 1
            # audit_chain.canonical_bytes: a compact JSON array of the link's fields
            canonical = "".join(
                (
                    "[",
                    _json_text(uuid),
                    ",",
                    _json_text(kind),
                    ",",
                    "null" if dossier_uuid is None else _json_text(dossier_uuid),
                    ",",
                    _json_text(payload),
                    ",",
                    _json_text(occurred_at),
                    middle,
                    str(seq),
                    clerk_text,
                    _json_text(prev),
                    "]",
                )
            )
            digest = hmac.digest(secret, canonical.encode("utf-8"), hashlib.sha256).hex()
            # origin local, sync_state 0 (pending) and no sync error: the outbox of the normal path
            row = (uuid, dossier_uuid, kind, payload, occurred_at, agency, counter, seq, lamport, clerk, "local", 0, "")
            out.append((*row, prev, digest))
            prev = digest
        self.seq, self.prev_hash = seq, prev
        return out


class BulkLoader:
    """Writes many new dossiers and events in the caller's (unit of work's) transaction."""

    def __init__(self, session: Session, keys: AuditKeys | None) -> None:
        self.session = session
        self.keys = keys
        self._state_values = attrgetter(*_STATE_COLUMNS)
        self._folded: dict[str, str] = {}
        self._moments: dict[datetime, str] = {}

    @contextmanager
    def loading(self, cache_kib: int = LOAD_CACHE_KIB) -> Iterator[None]:
        """A page cache of `cache_kib` KiB on this connection while loading, then the one it had.

        With SQLite's default 2 MiB, a large transaction keeps evicting and re-reading the pages of the indexes
        that random UUIDs land all over; this halves the time of the inserts. Leave the block before the commit:
        the pooled connection then goes back to its usual cache and does not keep the memory. (Inserting from a
        second thread while this one makes the next rows was measured too: slower, the GIL is held while binding.)
        """
        connection = self.session.connection()
        before = connection.exec_driver_sql("PRAGMA cache_size").scalar()
        connection.exec_driver_sql(f"PRAGMA cache_size=-{int(cache_kib)}")
        try:
            yield
        finally:
            connection.exec_driver_sql(f"PRAGMA cache_size={int(before or -2000)}")

    def chain(self, agency_code: str, counter: int, clerk: str) -> ChainAppender:
        """The counter's chain from its current last event (read in this transaction, which holds the write lock)."""
        writer = ChainWriter(self.session, self.keys, SettingsRepository(self.session), agency_code, counter)
        return ChainAppender(writer, agency_code, counter, clerk)

    def moment_text(self, moment: datetime) -> str:
        """The stored text of a moment (types.vn_text), remembered: demo data repeats its moments a lot."""
        text = self._moments.get(moment)
        if text is None:
            if len(self._moments) > 100_000:
                self._moments.clear()
            text = self._moments[moment] = vn_text(moment)
        return text

    def add_dossiers(self, states: Sequence[DossierState]) -> None:
        """Insert new dossiers and their papers, as DossierRepository.save would for each."""
        rows: list[tuple[Any, ...]] = []
        papers: list[tuple[Any, ...]] = []
        values_of, moment_text, folded, moments = self._state_values, self.moment_text, self._folded, self._moments
        for state in states:
            row = list(values_of(state))
            for i in _DATETIME_AT:
                moment = row[i]
                if moment is not None:
                    row[i] = moments.get(moment) or moment_text(moment)
            name = state.applicant_name
            key = folded.get(name)
            if key is None:
                key = folded[name] = fold(name)
            row.append(key)
            rows.append(tuple(row))
            uuid = state.uuid
            papers.extend(
                (uuid, position, p.name, p.originals, p.copies, p.missing)
                for position, p in enumerate(state.papers, start=1)
            )
        connection = self.session.connection()
        _INSERT_DOSSIER.run(connection, rows)
        _INSERT_PAPER.run(connection, papers)

    def add_events(self, chain: ChainAppender, events: Iterable[NewEvent]) -> int:
        """Append `events` to `chain` in order; returns how many were written."""
        rows = chain.rows(events)
        _INSERT_EVENT.run(self.session.connection(), rows)
        return len(rows)

    def sequences(self, prefix: str) -> dict[str, int]:
        """Last numbers of every numbering scope starting with `prefix` (one query instead of one per scope)."""
        rows = self.session.execute(
            select(SequenceRow.scope, SequenceRow.last).where(SequenceRow.scope.startswith(prefix, autoescape=True))
        )
        return {str(scope): int(last) for scope, last in rows}
