"""Push, the central's side (run by the sync service for each counter's request): the events a counter sent, in
one central transaction a round, and the dossier projection.

The central row of a dossier is always the domain's `replay` of the central's events of that dossier. Inside
the round's transaction the pusher finds the central events of each dossier it added to (a dossier it just
opened has only the events it inserted; the others are locked and counted):
- when a projection of the dossier is given in `local`, and the central's events are exactly the pushing counter's
  own, as many as that projection replayed (see LocalDossier.replayable), it is taken as it is; the sync service
  gives none (it trusts no projection a client computed), so every row is the central's replay there;
- otherwise (another counter's or agency's events, a dead letter, no projection given) it reads all the
  dossier's central events and replays them.

Events the central already holds (a repeat after a crash before the counter's acknowledgement) are known by the
counter's chain head: only those after it are inserted, plainly (no ON CONFLICT, whose speculative insertion cost
a quarter of the insert), and those up to it must be held with the same hash, or the central refuses the round.

Long on purpose: this is one step of the sync protocol. The staging tables, the chain check, the insert and the
projection refresh all run inside the one central transaction of a round and share its connection and its
staged rows; split apart, the round's invariant (all of it or none of it) would be spread over several modules.
"""

from __future__ import annotations

import itertools
import logging
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

import psycopg
from psycopg import sql
from psycopg.rows import TupleRow

from counter_app.domain.dossier import OPENING_KINDS
from counter_app.domain.stored_events import deciding_agency_code, replay_stored, transfer_payloads
from counter_app.errors import RuleError
from counter_app.storage.event_order import REPLAY_ORDER_SQL, check_lamports
from counter_app.storage.local_dossiers import LocalDossier
from counter_app.storage.outbox import OutboxEvent
from counter_app.sync.central_schema import (
    CENTRAL_EVENT_COLUMNS,
    CHAIN_REWRITE_POLICY,
    DOSSIER_COLUMNS,
    DOSSIER_LOCK_NAMESPACE,
    SQLSTATE_CHAIN_REFUSED,
    dossier_row,
    state_values,
)

log = logging.getLogger(__name__)

# Sorting a round (and the chain check's window over it) in memory rather than in temporary files.
_WORK_MEM = "SET LOCAL work_mem = '64MB'"

Connection = psycopg.Connection[TupleRow]


@dataclass
class PushOutcome:
    pushed: int = 0  # events newly stored on the central (a repeat stores nothing)
    acknowledged: int = 0  # events marked sent locally (new or already there)
    dead: int = 0
    dossiers: set[str] = field(default_factory=set)


def _columns(names: Sequence[str]) -> sql.Composable:
    return sql.SQL(", ").join(sql.Identifier(n) for n in names)


def prepare_staging(conn: Connection) -> None:
    """Session-local staging tables (emptied at every commit) for COPY, which is far faster than INSERTs."""
    for table, source, columns in (
        ("push_event", "event", CENTRAL_EVENT_COLUMNS),
        ("push_dossier", "dossier", DOSSIER_COLUMNS),
    ):
        conn.execute(
            sql.SQL(
                "CREATE TEMP TABLE IF NOT EXISTS {} ON COMMIT DELETE ROWS AS SELECT {} FROM central.{} WITH NO DATA"
            ).format(sql.Identifier(table), _columns(columns), sql.Identifier(source))
        )


_CLEAR_EVENTS = "DELETE FROM pg_temp.push_event"

_INSERT_EVENTS = sql.SQL(
    "INSERT INTO central.event ({cols}) SELECT {cols} FROM pg_temp.push_event WHERE seq > %s ORDER BY seq"
).format(cols=_columns(CENTRAL_EVENT_COLUMNS))

# The first staged event up to the head that the central does not hold as it is: not at all (a fork: the chain
# went on without it) or with another hash (a rewrite). An empty held hash predates the chain: taken as it is.
_NOT_HELD = """
SELECT p.seq, coalesce(e.hash, w.hash) FROM pg_temp.push_event p
LEFT JOIN central.event e ON e.uuid = p.uuid
LEFT JOIN central.event_withheld w ON w.uuid = p.uuid
WHERE p.seq <= %s
  AND (coalesce(e.hash, w.hash) IS NULL OR (coalesce(e.hash, w.hash) NOT IN ('', p.hash)))
ORDER BY p.seq LIMIT 1
"""

_LOCK_DOSSIERS = (
    "SELECT pg_advisory_xact_lock(%s, k) FROM "
    "(SELECT DISTINCT hashtext(u) AS k FROM unnest(%s::text[]) AS u ORDER BY k) AS keys"
)

_COUNT_EVENTS = (
    "SELECT dossier_uuid::text, count(*), bool_and(agency_code = %s AND counter = %s) "
    "FROM central.event WHERE dossier_uuid = ANY(%s::uuid[]) GROUP BY dossier_uuid"
)

_DOSSIER_EVENTS = (
    "SELECT dossier_uuid::text, kind, payload, occurred_at, lamport, agency_code, counter, seq, "  # noqa: S608
    "tx_id = pg_current_xact_id() FROM central.event WHERE dossier_uuid = ANY(%s::uuid[]) "
    f"ORDER BY dossier_uuid, {REPLAY_ORDER_SQL}"
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
    """Central rows of these dossiers from a replay of all their central events (in the caller's transaction).
    RuleError when an event stored now has no higher lamport than its counter's earlier ones (check_lamports)."""
    rows = conn.execute(_DOSSIER_EVENTS, [list(dossier_uuids)]).fetchall()
    projected = []
    for _uuid, group in itertools.groupby(rows, key=lambda r: r[0]):
        listed = list(group)
        check_lamports(r[4:] for r in listed)
        events = [(kind, payload, at) for _d, kind, payload, at, *_order in listed]
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
            rows.append(mine.row)
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


class _NotHeld(Exception):
    """Events up to the central's chain head that it does not hold as they are: "fork" or "rewrite"."""

    def __init__(self, refusal: str) -> None:
        super().__init__(refusal)
        self.refusal = refusal


def _chain_refusal(exc: BaseException) -> str | None:
    """ "fork" or "rewrite" when the central refused the events for the audit chain, else None."""
    if isinstance(exc, _NotHeld):
        return exc.refusal
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
class Pusher:
    """The central side of a push: one round in one central transaction (`send`), its retry event by event with
    dead letters (`round`). The caller has run prepare_staging on the connection; the sync service
    (central.service) feeds it the events a counter sent, with no projection of its own (`local` empty: every row
    is the central's replay); scripts/bench_sync times it alone the same way."""

    conn: Connection
    agency_code: str
    counter: int
    outcome: PushOutcome

    def send(
        self,
        chunks: Iterable[Sequence[OutboxEvent]],
        events: list[OutboxEvent],
        local: dict[str, LocalDossier],
        on_chunk: Callable[[int], None] | None = None,
    ) -> int:
        """One central transaction: the events (those the central holds already are checked, not inserted) and the
        projection of what they changed. Each chunk is inserted as it comes, while the next one is read.

        `events` collects what `chunks` gave, also when the round fails; `local` is the projection of their
        dossiers on this counter (see read_local_dossiers), filled in as the chunks are read; `on_chunk`
        hears how many events each chunk took (progress: they are committed with the round).
        """
        of_dossiers: list[tuple[str, str]] = []
        with self.conn.transaction():
            self.conn.execute(_WORK_MEM)
            head = self._head()
            with self.conn.cursor() as cur:
                for chunk in chunks:
                    events.extend(chunk)
                    _copy_rows(self.conn, "push_event", CENTRAL_EVENT_COLUMNS, chunk)  # OutboxEvents are rows already
                    new = [e for e in chunk if e.seq > head]
                    if len(new) < len(chunk):
                        self._check_held(head)
                    if new:
                        cur.execute(_INSERT_EVENTS, [head])
                    cur.execute(_CLEAR_EVENTS)
                    of_dossiers.extend((e.dossier_uuid, e.kind) for e in new if e.dossier_uuid)
                    if on_chunk is not None:
                        on_chunk(len(chunk))
            if of_dossiers:
                refresh_projection(self.conn, of_dossiers, local, self.agency_code, self.counter)
        self.outcome.dossiers.update(u for u, _kind in of_dossiers)
        return sum(1 for e in events if e.seq > head)

    def _head(self) -> int:
        """The newest link of this counter's chain the central holds (0: none yet)."""
        row = self.conn.execute(_HEAD, [self.agency_code, self.counter]).fetchone()
        return int(row[0]) if row else 0

    def _check_held(self, head: int) -> None:
        row = self.conn.execute(_NOT_HELD, [head]).fetchone()
        if row is not None:
            raise _NotHeld("fork" if row[1] is None else "rewrite")

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
                "sửa, xóa hoặc chèn thêm, hoặc đây là bản sao của một quầy khác, hoặc cơ sở dữ liệu đã được phục "
                "hồi từ một bản sao lưu cũ rồi ghi thêm trước khi đồng bộ."
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

    def round(
        self,
        chunks: Iterator[Sequence[OutboxEvent]],
        local: dict[str, LocalDossier],
        on_chunk: Callable[[int], None] | None = None,
    ) -> tuple[list[OutboxEvent], dict[str, str], int]:
        """Send a round; when the central refuses it, each event alone and the refused ones to dead letter.

        Returns the round's events, the dead letters (uuid -> reason) and how many events the central stored.
        A refusal of the audit chain (a fork or a rewrite) is no dead letter: the whole sync stops (RuleError).
        """
        events: list[OutboxEvent] = []
        try:
            stored = self.send(chunks, events, local, on_chunk)
        except psycopg.OperationalError:
            raise
        except Exception as exc:
            events.extend(itertools.chain.from_iterable(chunks))  # what the failed COPY did not take
            if refusal := _chain_refusal(exc):
                raise self.chain_refused(refusal, events) from None
            if not _is_bad_event(exc):
                raise
            log.info("round of %d events refused (%s); retrying one by one", len(events), type(exc).__name__)
        else:
            return events, {}, stored
        dead: dict[str, str] = {}
        stored = 0
        for event in events:
            try:
                stored += self.send([[event]], [], local)
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
        return events, dead, stored
