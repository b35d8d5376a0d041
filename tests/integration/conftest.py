"""Fixtures for sync tests: a fresh central database per test (schema, agencies), its sync service, counters."""

from __future__ import annotations

import itertools
import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from support.pg_cluster import PgCluster
from sync_helpers import AGENCY_A, AGENCY_NAMES, Central, MakeCounter
from sync_service_support import SyncService, running_service

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import Clock
from counter_app.services.common.clock import SystemClock
from counter_app.sync.central_admin import add_agency, init_central
from counter_app.sync.central_url import parse_central_url

_databases = itertools.count(1)


@pytest.fixture
def central(pg_cluster: PgCluster, tmp_path: Path) -> Iterator[Central]:
    """The central of the test; the sync service counters sync through starts on the first sync, stops here."""
    dbname = f"central_sync_{os.getpid()}_{next(_databases)}"
    pg_cluster.create_database(dbname)
    admin = parse_central_url(pg_cluster.url(dbname))
    init_central(admin, None)
    for code, name in AGENCY_NAMES.items():
        add_agency(admin, None, code=code, name=name)
    central = Central(pg_cluster, dbname, tmp_path / "central-service")
    try:
        yield central
    finally:
        central.close()
        pg_cluster.drop_database(dbname)


@pytest.fixture
def make_counter(tmp_path: Path) -> Iterator[MakeCounter]:
    """`make_counter(agency, number)`: a local database set up as that counter (as `counter-app init` does), on
    the system clock or on `clock` (a test whose numbers or dates depend on the day passes a drill clock)."""
    opened: list[Services] = []

    def make(agency: str = AGENCY_A, number: int = 1, clock: Clock | None = None) -> Services:
        path = tmp_path / f"counter-{agency}-{number}" / "counter.db"
        services = build_services(path, clock or SystemClock())
        services.setup.init_local(agency_code=agency, agency_name=AGENCY_NAMES[agency], counter=number)
        opened.append(services)
        return services

    yield make
    for services in opened:
        services.close()


@pytest.fixture
def service(central: Central, tmp_path: Path) -> Iterator[SyncService]:
    """Two copies of the sync service over the test's central, over TLS (the cluster's throwaway CA); the
    central's own syncs (`sync_helpers.sync`) go to the first."""
    with running_service(central, tmp_path / "service") as running:
        yield running
