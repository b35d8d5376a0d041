"""Sync throughput through the city's sync service: one counter pushes n dossiers (with their events), against COPY.

`bench_sync(n)` returns the figures; `python -m scripts.bench_sync [n]` prints them. The counter syncs as in the
field: `SyncService.sync_now` over HTTPS to a real `counter-app central serve` (scripts.bench_service starts it,
with a service login, over TLS) in front of a throwaway PostgreSQL. Two baselines, on the same server in the same
run, of the very same event and dossier rows:
- a bare COPY into tables of the same columns without indexes, constraints, triggers or row-level security (the
  speed of the server taking the bytes: the strictest comparison);
- a COPY into the central's own tables, as their owner (the same indexes, constraints and triggers; row-level
  security does not apply to the owner): what the central's schema costs, without the sync's protocol.

A third figure bounds what any client could reach: the push's own central transactions alone, the very ones the
service runs for it (push.Pusher.send over requests of service_client.PUSH_CHUNK events, as the service's role
acting for the counter under row-level security, each replaying its dossiers), its rows read beforehand, no HTTP,
no local store. The sync's share of that ceiling is the cost of everything around the central's work: the HTTP
round trips, the JSON, the service's checks, the local reads and acknowledgements (issue 18: aim >= 80%), and also
the steps of a sync that are not the push, which the ceiling leaves out: the hello, the pull (one empty page for
this first counter), the count check after it (the central's two tallies and the counter's own) and the
catalogue's exchange, about 0.2 s together. The ceiling runs alone on the machine; the sync's three processes
(counter, service, PostgreSQL) share its cores.

The machines these run on are shared (two cores, with a noisy neighbour): every figure is the best of `repeats`
runs, each on a fresh central database and a fresh copy of the counter's database.
"""

from __future__ import annotations

import shutil
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from counter_app.storage.outbox import OutboxEvent
    from counter_app.sync.report import SyncReport

ROOT = Path(__file__).resolve().parents[1]
AGENCY = "000.17.22.H56"
REPEATS = 3


@dataclass(frozen=True)
class SyncBench:
    dossiers: int
    events: int
    sync_seconds: float  # the counter's first sync through the service
    push_seconds: float  # the push phase of that sync (service_push.push_pending: requests and acknowledgements)
    copy_seconds: float  # bare COPY into unindexed tables
    central_copy_seconds: float  # COPY into the central's own tables, as their owner
    floor_seconds: float  # the push's own central transactions alone, its rows read beforehand
    pull_seconds: float  # a second counter of the agency pulling them all through the service
    # the slowest of the runs beside the best (a shared machine: the spread says how far to trust the best)
    sync_slowest: float = 0.0
    floor_slowest: float = 0.0

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
    def share_of_floor(self) -> float:
        """The sync's speed as a share of its own central transactions' (the ceiling; issue 18: aim >= 80%)."""
        return self.floor_seconds / self.sync_seconds

    @property
    def push_share_of_floor(self) -> float:
        """The push phase's speed as a share of the push's own central transactions' (like against like)."""
        return self.floor_seconds / self.push_seconds

    @property
    def ceiling_share_of_copy(self) -> float:
        """The share of the bare COPY's speed the push's central transactions alone reach: no sync can do better."""
        return self.copy_seconds / self.floor_seconds

    def lines(self) -> list[str]:
        return [
            f"sync through the service of {self.dossiers} dossiers ({self.events} events): {self.sync_seconds:.2f} s, "
            f"{self.dossiers_per_second:,.0f} dossiers/s, {self.events / self.sync_seconds:,.0f} events/s "
            f"(slowest run {self.sync_slowest:.2f} s)",
            f"bare COPY of the same rows: {self.copy_seconds:.2f} s, {self.dossiers / self.copy_seconds:,.0f} "
            f"dossiers/s; the sync at {self.share_of_copy:.0%} of its speed",
            f"COPY of the same rows into the central's own tables: {self.central_copy_seconds:.2f} s; the sync at "
            f"{self.share_of_central_copy:.0%} of its speed",
            f"the push's own central transactions alone, its rows read beforehand: {self.floor_seconds:.2f} s, "
            f"{self.dossiers / self.floor_seconds:,.0f} dossiers/s, {self.ceiling_share_of_copy:.0%} of the bare "
            f"COPY's speed (slowest run {self.floor_slowest:.2f} s); the sync at {self.share_of_floor:.0%} of this "
            "ceiling",
            "the push phase of that sync (its requests and acknowledgements; not the handshake, the pull and the "
            f"count check): {self.push_seconds:.2f} s, {self.dossiers / self.push_seconds:,.0f} dossiers/s, at "
            f"{self.push_share_of_floor:.0%} of the ceiling (aim >= 80%)",
            f"another counter pulling them through the service: {self.pull_seconds:.2f} s, "
            f"{self.dossiers / self.pull_seconds:,.0f} dossiers/s",
        ]


Rows = list[tuple[object, ...]]


def _unsent(counter_db: Path) -> list[OutboxEvent]:
    """What a first sync of this (unsynced) counter database sends, in the outbox's order."""
    from counter_app.storage import outbox
    from counter_app.storage.database import open_database

    database = open_database(counter_db)
    try:
        events: list[OutboxEvent] = []
        after: tuple[int, str] | None = None
        while chunk := outbox.read_pending_events(database, after, 5000):
            events.extend(chunk)
            after = (chunk[-1].seq, chunk[-1].uuid)
    finally:
        database.dispose()
    return events


def _push_floor(cluster: Any, dbname: str, events: list[OutboxEvent]) -> float:
    """Seconds of the central transactions the service runs for this push, into an empty central: one per request
    of PUSH_CHUNK events, as the service's role acting for counter 1 (central.session), nothing projected by the
    client; every row read beforehand."""
    from counter_app.central.session import Counter, act_for, configure
    from counter_app.sync import push
    from counter_app.sync.central_schema import roles_for
    from counter_app.sync.service_client import PUSH_CHUNK

    with cluster.admin_connect(dbname) as conn:
        configure(conn, roles_for(dbname).service)
        act_for(conn, Counter(AGENCY, 1, 1, 3))
        push.prepare_staging(conn)
        pusher = push.Pusher(conn, AGENCY, 1, push.PushOutcome())
        stored = 0
        started = time.perf_counter()
        for i in range(0, len(events), PUSH_CHUNK):
            stored += pusher.send([events[i : i + PUSH_CHUNK]], [], {})
        seconds = time.perf_counter() - started
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

    from counter_app.sync.central_schema import CENTRAL_EVENT_COLUMNS, DOSSIER_COLUMNS

    with psycopg.connect(admin_url, autocommit=True) as conn:
        for table, source, columns in (
            ("bench_event", "event", CENTRAL_EVENT_COLUMNS),
            ("bench_dossier", "dossier", DOSSIER_COLUMNS),
        ):
            conn.execute(sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(table)))
            conn.execute(
                sql.SQL("CREATE TABLE {} AS SELECT {} FROM central.{} WITH NO DATA").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(source)
                )
            )
    return _copy(
        admin_url, [("bench_event", CENTRAL_EVENT_COLUMNS, events), ("bench_dossier", DOSSIER_COLUMNS, dossiers)]
    )


def _central_copy(admin_url: str, events: Rows, dossiers: Rows) -> float:
    """Into an empty central's own tables, as the superuser (their owner's rights, no row-level security)."""
    from counter_app.sync.central_schema import CENTRAL_EVENT_COLUMNS, DOSSIER_COLUMNS

    # the dossiers first: the event trigger that checks agencies reads them (as it would on a real central)
    return _copy(
        admin_url,
        [("central.dossier", DOSSIER_COLUMNS, dossiers), ("central.event", CENTRAL_EVENT_COLUMNS, events)],
    )


def _central_dossiers(admin_url: str) -> Rows:
    """The dossier rows the central projected (the same rows the COPY baselines then write)."""
    import psycopg
    from psycopg import sql

    from counter_app.sync.central_schema import DOSSIER_COLUMNS

    query = sql.SQL("SELECT {} FROM central.dossier ORDER BY uuid").format(
        sql.SQL(", ").join(map(sql.Identifier, DOSSIER_COLUMNS))
    )
    with psycopg.connect(admin_url, autocommit=True) as conn:
        return list(conn.execute(query).fetchall())


def _fresh_central(cluster: Any, name: str) -> str:
    """A new central database with the agency and counters 1 and 2 registered; its superuser URL."""
    from counter_app.sync.central_admin import add_agency, add_counter, init_central
    from counter_app.sync.central_url import parse_central_url

    admin_url: str = cluster.create_database(name)
    admin = parse_central_url(admin_url)
    init_central(admin, None)
    add_agency(admin, None, code=AGENCY, name="UBND phường Bến Thành (đo hiệu năng)")
    for k in (1, 2):
        add_counter(admin, None, agency_code=AGENCY, counter=k)
    return admin_url


@contextmanager
def _service_of(cluster: Any, name: str, folder: Path) -> Iterator[tuple[str, str, list[str]]]:
    """A fresh central behind one copy of the sync service: its superuser URL, the service's address and the
    credentials of counters 1 and 2."""
    from counter_app.central.credentials import issue_credential
    from counter_app.sync.central_url import parse_central_url

    sys.path.insert(0, str(ROOT))
    from scripts.bench_service import running_service

    admin_url = _fresh_central(cluster, name)
    admin = parse_central_url(admin_url)
    credentials = [issue_credential(admin, None, agency_code=AGENCY, counter=k) for k in (1, 2)]
    (folder / name).mkdir()
    with running_service(cluster, name, folder / name, copies=1) as urls:
        yield admin_url, urls[0], credentials


@contextmanager
def _push_phase_timed(spans: list[float]) -> Iterator[None]:
    """The sync's push phase timed where the client runs it (service_client calls service_push.push_pending)."""
    from counter_app.sync import service_client, service_push

    original = service_push.push_pending

    def timed(*args: Any, **kwargs: Any) -> None:
        started = time.perf_counter()
        try:
            original(*args, **kwargs)
        finally:
            spans.append(time.perf_counter() - started)

    # service_client calls the name it imported: that is the one replaced
    setattr(service_client, "push_pending", timed)  # noqa: B010
    try:
        yield
    finally:
        setattr(service_client, "push_pending", original)  # noqa: B010


def _timed_sync(
    db: Path, url: str, credential: str, ca_file: str, *, new_counter: int | None = None
) -> tuple[float, float, SyncReport]:
    """Seconds one sync of this counter database takes through the service (set up first as `new_counter` when
    given), the seconds of its push phase, and its report."""
    from counter_app.bootstrap import build_services
    from counter_app.services.common.clock import SystemClock

    services = build_services(db, SystemClock())
    spans: list[float] = []
    try:
        if new_counter is not None:
            services.setup.init_local(agency_code=AGENCY, agency_name="UBND phường Bến Thành", counter=new_counter)
        with _push_phase_timed(spans):
            started = time.perf_counter()
            report = services.sync.sync_now(central_url=url, credential=credential, ca_file=ca_file)
            seconds = time.perf_counter() - started
        return seconds, sum(spans), report
    finally:
        services.close()


def bench_sync(n: int, *, repeats: int = REPEATS) -> SyncBench:
    """Measure a first sync through the service of n demo dossiers (their whole histories) by one counter, the two
    COPY baselines, the push's own central transactions, and a second counter's first sync, which pulls them all;
    each the best of `repeats` runs on a throwaway cluster."""
    sys.path.insert(0, str(ROOT / "tests"))
    from support.pg_cluster import running_pg_cluster

    from counter_app.bootstrap import build_services
    from counter_app.services.common.clock import SystemClock

    syncs: list[float] = []
    pushes: list[float] = []
    pulls: list[float] = []
    bare: list[float] = []
    central: list[float] = []
    floors: list[float] = []
    dossier_rows: Rows = []
    with running_pg_cluster() as cluster, tempfile.TemporaryDirectory(prefix="bench-sync-") as tmp:
        folder = Path(tmp)
        ca_file = str(cluster.ca_file)
        unsynced = folder / "unsynced.db"
        services = build_services(unsynced, SystemClock())
        try:
            services.setup.init_local(agency_code=AGENCY, agency_name="UBND phường Bến Thành", counter=1)
            services.demo.generate(n)
            events = services.sync.pending_count()
        finally:
            services.close()
        for run in range(repeats):
            with _service_of(cluster, f"bench_sync_{run}", folder) as (admin_url, url, credentials):
                db = folder / f"counter-{run}.db"
                shutil.copyfile(unsynced, db)
                seconds, push_seconds, report = _timed_sync(db, url, credentials[0], ca_file)
                syncs.append(seconds)
                pushes.append(push_seconds)
                assert report.pushed == events and report.failed == 0, report
                seconds, _push, pulled = _timed_sync(
                    folder / f"other-{run}.db", url, credentials[1], ca_file, new_counter=2
                )
                pulls.append(seconds)
                assert pulled.pulled == events and pulled.failed == 0, pulled
                dossier_rows = dossier_rows or _central_dossiers(admin_url)
        unsent = _unsent(unsynced)
        assert len(unsent) == events
        event_rows: Rows = [e.row() for e in unsent]
        for run in range(repeats):
            admin_url = _fresh_central(cluster, f"bench_copy_{run}")
            bare.append(_bare_copy(admin_url, event_rows, dossier_rows))
            central.append(_central_copy(admin_url, event_rows, dossier_rows))
            _fresh_central(cluster, f"bench_floor_{run}")
            floors.append(_push_floor(cluster, f"bench_floor_{run}", unsent))
    return SyncBench(
        dossiers=n,
        events=events,
        sync_seconds=min(syncs),
        push_seconds=min(pushes),
        copy_seconds=min(bare),
        central_copy_seconds=min(central),
        floor_seconds=min(floors),
        pull_seconds=min(pulls),
        sync_slowest=max(syncs),
        floor_slowest=max(floors),
    )


if __name__ == "__main__":
    for line in bench_sync(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000).lines():
        print(line)
