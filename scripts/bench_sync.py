"""Sync throughput: one counter pushes n dossiers (with their events) to a throwaway central, against plain COPY.

`bench_sync(n)` returns the figures; `python -m scripts.bench_sync [n]` prints them. Two baselines, on the same
server in the same run, of the very same event and dossier rows:
- a bare COPY into tables of the same columns without indexes, constraints, triggers or row-level security (the
  speed of the server taking the bytes: the strictest comparison);
- a COPY into the central's own tables, as their owner (the same indexes, constraints and triggers; row-level
  security does not apply to the owner): what the central's schema costs, without the sync's protocol.
The ratios say what the sync's guarantees cost: the counter's own login under row-level security, uuid and
chain checks, the projection, the local read and acknowledgement.

A third figure bounds what any client could reach: the push's central transaction alone (push.Pusher.send, the
same statements in the same chunks, as the counter's login), every row read from the local store beforehand.
Row-level security refuses COPY into the central's tables, so a push stages each chunk with COPY into a
temporary table and inserts from it; that floor's share of the bare COPY is the ceiling of the sync's.

The machines these run on are shared (two cores, with a noisy neighbour): every figure is the best of `repeats`
runs, each on a fresh central database and a fresh copy of the counter's database.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from counter_app.storage.local_dossiers import LocalDossier
    from counter_app.storage.outbox import OutboxEvent
    from counter_app.sync.report import SyncReport

ROOT = Path(__file__).resolve().parents[1]
AGENCY = "000.17.22.H56"
REPEATS = 3


@dataclass(frozen=True)
class SyncBench:
    dossiers: int
    events: int
    sync_seconds: float
    copy_seconds: float  # bare COPY into unindexed tables
    central_copy_seconds: float  # COPY into the central's own tables, as their owner
    floor_seconds: float  # the push's central transaction alone, its rows read beforehand
    pull_seconds: float  # a second counter of the agency pulling them all

    @property
    def dossiers_per_second(self) -> float:
        return self.dossiers / self.sync_seconds

    @property
    def share_of_copy(self) -> float:
        """The sync's speed as a share of the bare COPY's."""
        return self.copy_seconds / self.sync_seconds

    @property
    def share_of_central_copy(self) -> float:
        """The sync's speed as a share of a COPY into the central's own tables."""
        return self.central_copy_seconds / self.sync_seconds

    @property
    def ceiling_share_of_copy(self) -> float:
        """The share of the bare COPY's speed the push's central transaction alone reaches: no sync can do better."""
        return self.copy_seconds / self.floor_seconds

    def lines(self) -> list[str]:
        return [
            f"sync of {self.dossiers} dossiers ({self.events} events): {self.sync_seconds:.2f} s, "
            f"{self.dossiers_per_second:,.0f} dossiers/s, {self.events / self.sync_seconds:,.0f} events/s",
            f"bare COPY of the same rows: {self.copy_seconds:.2f} s, {self.dossiers / self.copy_seconds:,.0f} "
            f"dossiers/s; the sync at {self.share_of_copy:.0%} of its speed (aim >= 30%)",
            f"COPY of the same rows into the central's own tables: {self.central_copy_seconds:.2f} s; the sync at "
            f"{self.share_of_central_copy:.0%} of its speed",
            f"the push's central transaction alone, its rows read beforehand: {self.floor_seconds:.2f} s, "
            f"{self.ceiling_share_of_copy:.0%} of the bare COPY's speed (the ceiling of the sync's share)",
            f"another counter pulling them: {self.pull_seconds:.2f} s, "
            f"{self.dossiers / self.pull_seconds:,.0f} dossiers/s",
        ]


Rows = list[tuple[object, ...]]


def _unsent(counter_db: Path) -> tuple[list[OutboxEvent], dict[str, LocalDossier]]:
    """What a first sync of this (unsynced) counter database sends, read by the sync's own readers: the events
    in the outbox's order, and the local projection of their dossiers."""
    from counter_app.storage import local_dossiers, outbox
    from counter_app.storage.database import open_database

    database = open_database(counter_db)
    try:
        events: list[OutboxEvent] = []
        dossiers: dict[str, LocalDossier] = {}
        after: tuple[int, str] | None = None
        while chunk := outbox.read_pending_events(database, after, 5000):
            events.extend(chunk)
            uuids = sorted({e.dossier_uuid for e in chunk if e.dossier_uuid} - set(dossiers))
            dossiers.update(local_dossiers.read_local_dossiers(database, uuids, agency_code=AGENCY, counter=1))
            after = (chunk[-1].seq, chunk[-1].uuid)
    finally:
        database.dispose()
    return events, dossiers


def _push_floor(url: str, counter_db: Path, events: list[OutboxEvent], dossiers: dict[str, LocalDossier]) -> float:
    """Seconds of the push's central transaction alone (push.Pusher.send over chunks of push.READ_CHUNK events, as
    the counter's login, into an empty central), every row read beforehand."""
    import psycopg

    from counter_app.storage.database import open_database
    from counter_app.sync import push

    database = open_database(counter_db)  # not read: Pusher.send only writes to the central
    try:
        with psycopg.connect(url, autocommit=True) as conn:
            push.prepare_staging(conn)
            pusher = push.Pusher(conn, AGENCY, 1, push.PushOutcome())
            chunks = [events[i : i + push.READ_CHUNK] for i in range(0, len(events), push.READ_CHUNK)]
            started = time.perf_counter()
            stored = pusher.send(chunks, [], dict(dossiers))
            seconds = time.perf_counter() - started
    finally:
        database.dispose()
    assert stored == len(events), (stored, len(events))
    return seconds


def _copy(url: str, tables: Sequence[tuple[str, Sequence[str], Rows]]) -> float:
    """COPY the rows into the tables in one transaction; seconds taken."""
    import psycopg
    from psycopg import sql

    with psycopg.connect(url, autocommit=True) as conn:
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            for table, columns, rows in tables:
                statement = sql.SQL("COPY {} ({}) FROM STDIN").format(
                    sql.SQL(table), sql.SQL(", ").join(map(sql.Identifier, columns))
                )
                with cur.copy(statement) as copy:
                    for row in rows:
                        copy.write_row(row)
        return time.perf_counter() - started


def _bare_copy(admin_url: str, events: Rows, dossiers: Rows) -> float:
    import psycopg
    from psycopg import sql

    from counter_app.sync.central_schema import DOSSIER_COLUMNS, EVENT_COLUMNS

    with psycopg.connect(admin_url, autocommit=True) as conn:
        for table, source, columns in (
            ("bench_event", "event", EVENT_COLUMNS),
            ("bench_dossier", "dossier", DOSSIER_COLUMNS),
        ):
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
            conn.execute(
                sql.SQL("CREATE TABLE {} AS SELECT {} FROM central.{} WITH NO DATA").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(source)
                )
            )
    return _copy(admin_url, [("bench_event", EVENT_COLUMNS, events), ("bench_dossier", DOSSIER_COLUMNS, dossiers)])


def _central_copy(admin_url: str, events: Rows, dossiers: Rows) -> float:
    """Into an empty central's own tables, as the superuser (their owner's rights, no row-level security)."""
    from counter_app.sync.central_schema import DOSSIER_COLUMNS, EVENT_COLUMNS

    # the dossiers first: the event trigger that checks agencies reads them (as it would on a real central)
    return _copy(
        admin_url,
        [("central.dossier", DOSSIER_COLUMNS, dossiers), ("central.event", EVENT_COLUMNS, events)],
    )


def _fresh_central(cluster: object, name: str) -> tuple[str, list[str]]:
    """A new central database with the agency and counters 1 and 2: its superuser URL and the counters' URLs."""
    from counter_app.sync.central_admin import add_agency, add_counter, init_central
    from counter_app.sync.central_url import parse_central_url

    admin_url = cluster.create_database(name)  # type: ignore[attr-defined]
    admin = parse_central_url(admin_url)
    init_central(admin, None)
    add_agency(admin, None, code=AGENCY, name="UBND phường Bến Thành (đo hiệu năng)")
    accounts = [add_counter(admin, None, agency_code=AGENCY, counter=k) for k in (1, 2)]
    return admin_url, [f"postgresql://{a.role}:{a.password}@{admin.host}:{admin.port}/{admin.dbname}" for a in accounts]


def _timed_sync(db: Path, url: str, *, new_counter: int | None = None) -> tuple[float, SyncReport]:
    """Seconds one sync of this counter database takes (set up first as `new_counter` when given), and its report."""
    from counter_app.bootstrap import build_services
    from counter_app.services.common.clock import SystemClock

    services = build_services(db, SystemClock())
    try:
        if new_counter is not None:
            services.setup.init_local(agency_code=AGENCY, agency_name="UBND phường Bến Thành", counter=new_counter)
        started = time.perf_counter()
        report = services.sync.sync_now(central_url=url)
        return time.perf_counter() - started, report
    finally:
        services.close()


def bench_sync(n: int, *, repeats: int = REPEATS) -> SyncBench:
    """Measure a first sync of n demo dossiers (their whole histories) by one counter, the two COPY baselines, and a
    second counter's first sync, which pulls them all; each the best of `repeats` runs on a throwaway cluster."""
    sys.path.insert(0, str(ROOT / "tests"))
    from support.pg_cluster import running_pg_cluster

    from counter_app.bootstrap import build_services
    from counter_app.services.common.clock import SystemClock

    syncs: list[float] = []
    pulls: list[float] = []
    bare: list[float] = []
    central: list[float] = []
    floors: list[float] = []
    with running_pg_cluster() as cluster, tempfile.TemporaryDirectory(prefix="bench-sync-") as folder:
        unsynced = Path(folder) / "unsynced.db"
        services = build_services(unsynced, SystemClock())
        try:
            services.setup.init_local(agency_code=AGENCY, agency_name="UBND phường Bến Thành", counter=1)
            services.demo.generate(n)
            events = services.sync.pending_count()
        finally:
            services.close()
        for run in range(repeats):
            _admin_url, urls = _fresh_central(cluster, f"bench_sync_{run}")
            db = Path(folder) / f"counter-{run}.db"
            shutil.copyfile(unsynced, db)
            seconds, report = _timed_sync(db, urls[0])
            syncs.append(seconds)
            assert report.pushed == events and report.failed == 0, report
            seconds, pulled = _timed_sync(Path(folder) / f"other-{run}.db", urls[1], new_counter=2)
            pulls.append(seconds)
            assert pulled.pulled == events and pulled.failed == 0, pulled
        unsent, local = _unsent(unsynced)
        assert len(unsent) == events
        event_rows, dossier_rows = [e.row() for e in unsent], [d.row for d in local.values()]
        for run in range(repeats):
            admin_url, _urls = _fresh_central(cluster, f"bench_copy_{run}")
            bare.append(_bare_copy(admin_url, event_rows, dossier_rows))
            central.append(_central_copy(admin_url, event_rows, dossier_rows))
            _admin_url, urls = _fresh_central(cluster, f"bench_floor_{run}")
            floors.append(_push_floor(urls[0], unsynced, unsent, local))
    return SyncBench(
        dossiers=n,
        events=events,
        sync_seconds=min(syncs),
        copy_seconds=min(bare),
        central_copy_seconds=min(central),
        floor_seconds=min(floors),
        pull_seconds=min(pulls),
    )


if __name__ == "__main__":
    for line in bench_sync(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000).lines():
        print(line)
