"""Push: unsent local events to the central in batches, one central transaction each, and the dossier projection.

The central row of a dossier is always the domain's `replay` of the central's events of that dossier. Inside
the batch's transaction the pusher finds the central events of each dossier it added to (a dossier it just
opened has only the events it inserted; the others are locked and counted):
- when they are exactly this counter's own events, the same ones it holds locally, and its local projection is
  their replay (see outbox.LocalDossier.replayable), that projection is sent as it is: replaying the same
  events again would give the same state, at a cost that dominated the push;
- otherwise (another counter's or agency's events, a dead letter, an event still unsent) it reads all the
  dossier's central events and replays them.
"""

from __future__ import annotations

import itertools
import logging
import threading
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

from counter_app.domain.dossier import OPENING_KINDS
from counter_app.errors import RuleError
from counter_app.storage.database import Database
from counter_app.sync import outbox
from counter_app.sync.central_schema import (
    CHAIN_REWRITE_POLICY,
    DOSSIER_COLUMNS,
    DOSSIER_LOCK_NAMESPACE,
    EVENT_COLUMNS,
    SQLSTATE_CHAIN_REFUSED,
    dossier_row,
    state_values,
)
from counter_app.sync.connection import lost_connection
from counter_app.sync.outbox import LocalDossier, OutboxEvent
from counter_app.sync.projection import deciding_agency_code, replay_stored, transfer_payloads

log = logging.getLogger(__name__)

DEFAULT_BATCH = 10000
# The first batch is smaller: nothing overlaps its local read, and the central starts working sooner.
FIRST_BATCH = 2000

Connection = psycopg.Connection[TupleRow]


@dataclass
class PushOutcome:
    pushed: int = 0  # events newly stored on the central (a repeat stores nothing)
    acknowledged: int = 0  # events marked sent locally (new or already there)
    dead: int = 0
    dossiers: set[str] = field(default_factory=set)


def _columns(names: Sequence[str]) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(n) for n in names)


def _prepare(conn: Connection) -> None:
    """Session-local staging tables (emptied at every commit) for COPY, which is far faster than INSERTs."""
    for table, source, columns in (
        ("push_event", "event", EVENT_COLUMNS),
        ("push_dossier", "dossier", DOSSIER_COLUMNS),
    ):
        conn.execute(
            sql.SQL(
                "CREATE TEMP TABLE IF NOT EXISTS {} ON COMMIT DELETE ROWS AS SELECT {} FROM central.{} WITH NO DATA"
            ).format(sql.Identifier(table), _columns(columns), sql.Identifier(source))
        )


_INSERT_EVENTS = sql.SQL(
    "INSERT INTO central.event ({cols}) SELECT {cols} FROM pg_temp.push_event ORDER BY seq "
    "ON CONFLICT (uuid) DO NOTHING RETURNING dossier_uuid::text, kind"
).format(cols=_columns(EVENT_COLUMNS))

_LOCK_DOSSIERS = (
    "SELECT pg_advisory_xact_lock(%s, k) FROM "
    "(SELECT DISTINCT hashtext(u) AS k FROM unnest(%s::text[]) AS u ORDER BY k) AS keys"
)

_COUNT_EVENTS = (
    "SELECT dossier_uuid::text, count(*), bool_and(agency_code = %s AND counter = %s) "
    "FROM central.event WHERE dossier_uuid = ANY(%s::uuid[]) GROUP BY dossier_uuid"
)

_DOSSIER_EVENTS = (
    "SELECT dossier_uuid::text, kind, payload, occurred_at FROM central.event WHERE dossier_uuid = ANY(%s::uuid[]) "
    'ORDER BY dossier_uuid, occurred_at, agency_code COLLATE "C", counter, seq'
)

_UPSERT_DOSSIERS = sql.SQL(
    "INSERT INTO central.dossier ({cols}) SELECT {cols} FROM pg_temp.push_dossier "
    "ON CONFLICT (uuid) DO UPDATE SET {updates}, projected_at = now()"
).format(
    cols=_columns(DOSSIER_COLUMNS),
    updates=sql.SQL(", ").join(
        sql.SQL("{} = EXCLUDED.{}").format(sql.Identifier(c), sql.Identifier(c)) for c in DOSSIER_COLUMNS if c != "uuid"
    ),
)


def _copy_rows(conn: Connection, table: str, columns: Sequence[str], rows: Sequence[Sequence[Any]]) -> None:
    with (
        conn.cursor() as cur,
        cur.copy(sql.SQL("COPY pg_temp.{} ({}) FROM STDIN").format(sql.Identifier(table), _columns(columns))) as copy,
    ):
        for row in rows:
            copy.write_row(row)


def replayed_rows(conn: Connection, dossier_uuids: Sequence[str]) -> list[tuple[Any, ...]]:
    """Central rows of these dossiers from a replay of all their central events (in the caller's transaction)."""
    rows = conn.execute(_DOSSIER_EVENTS, [list(dossier_uuids)]).fetchall()
    projected = []
    for _uuid, group in itertools.groupby(rows, key=lambda r: r[0]):
        events = [(kind, payload, at) for _d, kind, payload, at in group]
        state = replay_stored(events)
        deciding = deciding_agency_code(state.deciding_agency, state.agency_code, transfer_payloads(events))
        projected.append(dossier_row(state_values(state), deciding))
    return projected


def refresh_projection(
    conn: Connection,
    inserted: Sequence[tuple[str, str]],
    local: dict[str, LocalDossier],
    agency_code: str,
    counter: int,
) -> None:
    """Bring the central rows of the dossiers that got new events up to their central events.

    `inserted`: (dossier uuid, kind) of each event this transaction stored. A dossier whose opening event is
    among them was unknown to the central until now: nobody else can have written to it, so its central events
    are exactly those, and neither a lock nor a count is needed. The others are locked (a concurrent pusher of
    the same dossier waits, then sees our events committed) and their central events counted.
    """
    added: dict[str, int] = {}
    opened: set[str] = set()
    for dossier_uuid, kind in inserted:
        added[dossier_uuid] = added.get(dossier_uuid, 0) + 1
        if kind in OPENING_KINDS:
            opened.add(dossier_uuid)
    known = sorted(set(added) - opened)
    counts = {u: (added[u], True) for u in opened}
    if known:
        conn.execute(_LOCK_DOSSIERS, [DOSSIER_LOCK_NAMESPACE, known])
        counts.update(
            (u, (int(n), bool(own))) for u, n, own in conn.execute(_COUNT_EVENTS, [agency_code, counter, known])
        )
    rows: list[tuple[Any, ...]] = []
    to_replay: list[str] = []
    for uuid in sorted(added):
        mine = local.get(uuid)
        central_count, only_own = counts.get(uuid, (0, False))
        if mine is not None and mine.replayable and only_own and central_count == mine.event_count:
            rows.append(dossier_row(mine.values, mine.deciding_agency_code, mine.name_key))
        else:
            to_replay.append(uuid)
    if to_replay:
        rows.extend(replayed_rows(conn, to_replay))
    _copy_rows(conn, "push_dossier", DOSSIER_COLUMNS, rows)
    conn.execute(_UPSERT_DOSSIERS)


_WITHHOLD = "SELECT central.withhold_event(%s, %s, %s, %s, %s)"

_HEAD = "SELECT seq FROM central.chain_head WHERE agency_code = %s AND counter = %s"

_REWRITTEN = (
    "SELECT e.seq FROM central.event e JOIN unnest(%s::uuid[], %s::text[]) AS p (uuid, hash) ON e.uuid = p.uuid "
    "WHERE e.hash <> '' AND e.hash <> p.hash ORDER BY e.seq LIMIT 1"
)

_CHAIN_ADVICE = (
    " Không có dữ liệu nào của lần gửi này được ghi lên máy chủ; dữ liệu trên máy vẫn được giữ nguyên. "
    "Hãy chạy “counter-app audit verify” và báo quản trị viên."
)


def _chain_refusal(exc: BaseException) -> str | None:
    """ "fork" or "rewrite" when the central refused the events for the audit chain, else None."""
    if not isinstance(exc, psycopg.Error):
        return None
    if exc.sqlstate == SQLSTATE_CHAIN_REFUSED:
        return "rewrite" if exc.diag.message_hint == "chain_rewrite" else "fork"
    if isinstance(exc, psycopg.errors.InsufficientPrivilege) and CHAIN_REWRITE_POLICY in str(exc):
        return "rewrite"
    return None


def _is_bad_event(exc: BaseException) -> bool:
    if isinstance(exc, RuleError | ValueError | KeyError | TypeError):
        return True  # the domain's replay refused the event sequence, or a payload is malformed
    if isinstance(exc, psycopg.errors.IntegrityError | psycopg.errors.DataError):
        return True
    return isinstance(exc, psycopg.errors.InsufficientPrivilege) and "row-level security" in str(exc)


def _reason(exc: BaseException) -> str:
    if isinstance(exc, RuleError):
        return f"RuleError: {exc.message}"
    if isinstance(exc, psycopg.Error):
        primary = exc.diag.message_primary or str(exc).splitlines()[0]
        return f"{exc.sqlstate or type(exc).__name__}: {primary}"
    return f"{type(exc).__name__}: {exc}"


@dataclass
class _Pusher:
    conn: Connection
    database: Database
    agency_code: str
    counter: int
    outcome: PushOutcome

    def send(self, events: Sequence[OutboxEvent], local: dict[str, LocalDossier]) -> int:
        """One central transaction: the events (a repeat is a no-op) and the projection of what they changed."""
        with self.conn.transaction():
            _copy_rows(self.conn, "push_event", EVENT_COLUMNS, events)  # OutboxEvents are rows already
            inserted = self.conn.execute(_INSERT_EVENTS).fetchall()
            of_dossiers = [(u, kind) for u, kind in inserted if u]
            touched = {u for u, _kind in of_dossiers}
            if of_dossiers:
                refresh_projection(self.conn, of_dossiers, local, self.agency_code, self.counter)
        self.outcome.dossiers.update(touched)
        return len(inserted)

    def chain_refused(self, refusal: str, events: Sequence[OutboxEvent]) -> RuleError:
        """The sync's refusal (exit 2) when the central found these events breaking this counter's chain."""
        if refusal == "rewrite":
            row = self.conn.execute(_REWRITTEN, [[e.uuid for e in events], [e.hash for e in events]]).fetchone()
            where = f" (sự kiện số {row[0]})" if row else ""
            message = (
                "Máy chủ trung tâm từ chối đồng bộ: một sự kiện đã được gửi lên trước đây nay có nội dung khác"
                f"{where} — nhật ký trên máy này đã bị sửa lại sau khi đồng bộ."
            )
        else:
            row = self.conn.execute(_HEAD, [self.agency_code, self.counter]).fetchone()
            held = f"đến sự kiện số {row[0]}" if row else "chưa có sự kiện nào"
            message = (
                f"Máy chủ trung tâm từ chối đồng bộ: chuỗi nhật ký của quầy {self.counter} (máy chủ đang giữ {held}) "
                f"không được nối tiếp bởi các sự kiện gửi lên từ số {events[0].seq} — nhật ký trên máy này đã bị "
                "sửa, xóa hoặc chèn thêm, hoặc đây là bản sao của một quầy khác."
            )
        log.warning("central refused the audit chain of counter %s:%d (%s)", self.agency_code, self.counter, refusal)
        return RuleError(message + _CHAIN_ADVICE, detail=f"{SQLSTATE_CHAIN_REFUSED}: chain {refusal}")

    def withhold(self, event: OutboxEvent, reason: str) -> None:
        """Record a dead letter's link (no content) on the central, so that the chain goes on past it."""
        try:
            self.conn.execute(_WITHHOLD, [event.uuid, event.seq, event.prev_hash, event.hash, reason])
        except psycopg.OperationalError:
            raise
        except psycopg.Error as exc:  # e.g. a second installation's event whose seq the central already holds
            log.warning("link of dead letter %s not recorded on the central: %s", event.uuid, exc.sqlstate)

    def batch(self, pending: outbox.PendingBatch) -> tuple[list[str], dict[str, str], int]:
        """Send a batch; when the central refuses it, each event alone and the refused ones to dead letter.

        A refusal of the audit chain (a fork or a rewrite) is no dead letter: the whole sync stops (RuleError).
        """
        try:
            stored = self.send(pending.events, pending.dossiers)
        except psycopg.OperationalError:
            raise
        except Exception as exc:
            if refusal := _chain_refusal(exc):
                raise self.chain_refused(refusal, pending.events) from None
            if not _is_bad_event(exc):
                raise
            log.info("batch of %d events refused (%s); retrying one by one", len(pending.events), type(exc).__name__)
        else:
            return [e.uuid for e in pending.events], {}, stored
        sent: list[str] = []
        dead: dict[str, str] = {}
        stored = 0
        for event in pending.events:
            try:
                stored += self.send([event], pending.dossiers)
            except psycopg.OperationalError:
                raise
            except Exception as exc:
                if refusal := _chain_refusal(exc):
                    raise self.chain_refused(refusal, [event]) from None
                if not _is_bad_event(exc):
                    raise
                dead[event.uuid] = _reason(exc)
                log.warning("event %s (%s) put in dead letter: %s", event.uuid, event.kind, type(exc).__name__)
                self.withhold(event, dead[event.uuid])
                continue
            sent.append(event.uuid)
        return sent, dead, stored


def push(
    conn: Connection,
    database: Database,
    *,
    agency_code: str,
    counter: int,
    batch_size: int = DEFAULT_BATCH,
    on_batch: Callable[[int], None] | None = None,
    cancel: threading.Event | None = None,
    outcome: PushOutcome | None = None,
) -> PushOutcome:
    """Send every unsent local event; `outcome` (returned) counts what was stored, acknowledged, put in dead letter.

    Each batch: read in a short local read, sent and committed on the central, then acknowledged in a short local
    write (never before the central's commit, and no local write is open while the central is waited for). A
    crash between the central commit and the acknowledgement only makes the next push repeat the batch, which the
    central ignores (ON CONFLICT (uuid) DO NOTHING). `outcome` may be passed in by a caller that wants the partial
    counts when the connection breaks half-way.
    """
    outcome = outcome if outcome is not None else PushOutcome()
    pusher = _Pusher(conn, database, agency_code, counter, outcome)

    def read(after: tuple[int, str] | None) -> outbox.PendingBatch:
        limit = batch_size if after is not None else min(batch_size, FIRST_BATCH)
        return outbox.read_pending(database, after, limit, agency_code=agency_code, counter=counter)

    # The local side runs on one worker, in order, while the central works: the next batch is read (a short read
    # transaction on another SQLite connection) before this one is sent, and this one is acknowledged (a short
    # write) while the next is sent. Reading and acknowledging cost as much as the central's work.
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="sync-local") as local:
        acknowledgements: list[Future[None]] = []
        try:
            _prepare(conn)
            pending = read(None)
            while pending.events and not (cancel is not None and cancel.is_set()):
                following = local.submit(read, (pending.events[-1].seq, pending.events[-1].uuid))
                sent, dead, stored = pusher.batch(pending)
                first, last = pending.events[0], pending.events[-1]
                # the whole batch answered for: marked by its key range in one statement
                span = ((first.seq, first.uuid), (last.seq, last.uuid))
                # only now that the central committed
                acknowledgements.append(local.submit(outbox.acknowledge, database, sent, dead, span))
                outcome.pushed += stored
                outcome.acknowledged += len(sent)
                outcome.dead += len(dead)
                if on_batch is not None:
                    on_batch(len(pending.events))
                pending = following.result()
        except psycopg.OperationalError as exc:
            raise lost_connection(exc) from None
        finally:
            # what the central committed is acknowledged even when a later batch fails (the worker runs the
            # queued acknowledgements before the pool closes); their own errors surface here
            for acknowledged in acknowledgements:
                acknowledged.result()
    return outcome
