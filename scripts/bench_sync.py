"""Sync throughput: one counter pushes n dossiers (with their events) to a throwaway central, against plain COPY.

`bench_sync(n)` returns the figures; `python -m scripts.bench_sync [n]` prints them. The baseline is a bare COPY
of the very same event and dossier rows into unindexed tables without row-level security, on the same server:
the ratio says what the sync's guarantees (uuid uniqueness, RLS, projection, local acknowledgement) cost.
"""

from __future__ import annotations

import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
AGENCY = "000.17.22.H56"


@dataclass(frozen=True)
class SyncBench:
    dossiers: int
    events: int
    sync_seconds: float
    copy_seconds: float
    pull_seconds: float  # a second counter of the agency pulling them all

    @property
    def dossiers_per_second(self) -> float:
        return self.dossiers / self.sync_seconds

    @property
    def copy_dossiers_per_second(self) -> float:
        return self.dossiers / self.copy_seconds

    @property
    def ratio(self) -> float:
        """How many times longer the sync takes than the bare COPY of the same rows."""
        return self.sync_seconds / self.copy_seconds

    def lines(self) -> list[str]:
        return [
            f"sync of {self.dossiers} dossiers ({self.events} events): {self.sync_seconds:.2f} s, "
            f"{self.dossiers_per_second:,.0f} dossiers/s, {self.events / self.sync_seconds:,.0f} events/s",
            f"bare COPY of the same rows: {self.copy_seconds:.2f} s, {self.copy_dossiers_per_second:,.0f} dossiers/s",
            f"ratio sync / COPY: {self.ratio:.1f} (sync at {100 / self.ratio:.0f}% of the speed of COPY; aim >= 30%)",
            f"another counter pulling them: {self.pull_seconds:.2f} s, "
            f"{self.dossiers / self.pull_seconds:,.0f} dossiers/s",
        ]


def _copy_baseline(admin_url: str, counter_db: Path) -> float:
    """COPY the rows the sync sent (read back from the local database) into bare tables; seconds taken."""
    import psycopg
    from psycopg import sql

    from counter_app.storage.database import open_database
    from counter_app.sync import outbox
    from counter_app.sync.central_schema import DOSSIER_COLUMNS, EVENT_COLUMNS, dossier_row

    database = open_database(counter_db)
    try:
        events: list[tuple[object, ...]] = []
        dossiers: list[tuple[object, ...]] = []
        after: tuple[int, str] | None = None
        with database.writer.begin() as connection:  # as unsent again, to read them with the sync's own reader
            connection.exec_driver_sql("UPDATE event SET sync_state = 0 WHERE origin = 'local'")
        while batch := outbox.read_pending(database, after, 5000, agency_code=AGENCY, counter=1):
            if not batch.events:
                break
            events.extend(e.row() for e in batch.events)
            dossiers.extend(dossier_row(d.values, d.deciding_agency_code, d.name_key) for d in batch.dossiers.values())
            after = (batch.events[-1].seq, batch.events[-1].uuid)
        unique = list({row[0]: row for row in dossiers}.values())
    finally:
        database.dispose()
    with psycopg.connect(admin_url, autocommit=True) as conn:
        for table, source, columns in (
            ("bench_event", "event", EVENT_COLUMNS),
            ("bench_dossier", "dossier", DOSSIER_COLUMNS),
        ):
            conn.execute(
                sql.SQL("CREATE TABLE {} AS SELECT {} FROM central.{} WITH NO DATA").format(
                    sql.Identifier(table), sql.SQL(", ").join(map(sql.Identifier, columns)), sql.Identifier(source)
                )
            )
        started = time.perf_counter()
        with conn.transaction(), conn.cursor() as cur:
            with cur.copy("COPY bench_event ({}) FROM STDIN".format(", ".join(EVENT_COLUMNS))) as copy:
                for row in events:
                    copy.write_row(row)
            with cur.copy("COPY bench_dossier ({}) FROM STDIN".format(", ".join(DOSSIER_COLUMNS))) as copy:
                for row in unique:
                    copy.write_row(row)
        return time.perf_counter() - started


def bench_sync(n: int, *, admin_url: str | None = None) -> SyncBench:
    """Measure a first sync of n demo dossiers (their whole histories) by one counter, the COPY baseline, and a
    second counter's first sync, which pulls them all.

    Without `admin_url` (a superuser URL of an empty database) a throwaway PostgreSQL cluster is started.
    """
    if admin_url is None:
        sys.path.insert(0, str(ROOT / "tests"))
        from support.pg_cluster import running_pg_cluster

        with running_pg_cluster() as cluster:
            return bench_sync(n, admin_url=cluster.create_database("bench_sync"))

    from counter_app.bootstrap import build_services
    from counter_app.services.clock import SystemClock
    from counter_app.sync.central_admin import add_agency, add_counter, init_central
    from counter_app.sync.central_url import parse_central_url

    admin = parse_central_url(admin_url)
    init_central(admin, None)
    add_agency(admin, None, code=AGENCY, name="UBND phường Bến Thành (đo hiệu năng)")
    accounts = [add_counter(admin, None, agency_code=AGENCY, counter=k) for k in (1, 2)]
    urls = [f"postgresql://{a.role}:{a.password}@{admin.host}:{admin.port}/{admin.dbname}" for a in accounts]
    with tempfile.TemporaryDirectory(prefix="bench-sync-") as folder:
        db = Path(folder) / "counter.db"
        services = build_services(db, SystemClock())
        try:
            services.setup.init_local(agency_code=AGENCY, agency_name="UBND phường Bến Thành", counter=1)
            services.demo.generate(n)
            events = services.sync.pending_count()
            started = time.perf_counter()
            report = services.sync.sync_now(central_url=urls[0])
            sync_seconds = time.perf_counter() - started
        finally:
            services.close()
        assert report.pushed == events and report.failed == 0, report
        other = build_services(Path(folder) / "other.db", SystemClock())
        try:
            other.setup.init_local(agency_code=AGENCY, agency_name="UBND phường Bến Thành", counter=2)
            started = time.perf_counter()
            pulled = other.sync.sync_now(central_url=urls[1])
            pull_seconds = time.perf_counter() - started
        finally:
            other.close()
        assert pulled.pulled == events and pulled.failed == 0, pulled
        copy_seconds = _copy_baseline(admin_url, db)
    return SyncBench(
        dossiers=n, events=events, sync_seconds=sync_seconds, copy_seconds=copy_seconds, pull_seconds=pull_seconds
    )


if __name__ == "__main__":
    for line in bench_sync(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000).lines():
        print(line)
