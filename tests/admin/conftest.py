"""Fixtures of the administration tests: a staffed counter (admin, supervisor, clerk) over a temporary database."""

from __future__ import annotations

import os

os.environ.setdefault("QT_QPA_PLATFORM", "offscreen")

import itertools
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from security.security_support import StepClock, open_counter, staff

from counter_app.bootstrap import Services

_databases = itertools.count(1)


@pytest.fixture
def clock() -> StepClock:
    return StepClock()


@pytest.fixture
def counter(tmp_path: Path, clock: StepClock) -> Iterator[Services]:
    """Counter 1 with three accounts (quantri: admin, lanhdao: supervisor, canbo: clerk); nobody signed in."""
    services = open_counter(tmp_path / "counter" / "c.db", clock)
    staff(services)
    yield services
    services.close()


@pytest.fixture
def central(pg_cluster: Any) -> Iterator[Any]:
    """A fresh central database on the test cluster (schema, agencies A and B), as the sync tests set it up."""
    from integration.sync_helpers import AGENCY_NAMES, Central

    from counter_app.sync.central_admin import add_agency, init_central
    from counter_app.sync.central_url import parse_central_url

    dbname = f"central_admin_{os.getpid()}_{next(_databases)}"
    pg_cluster.create_database(dbname)
    admin = parse_central_url(pg_cluster.url(dbname))
    init_central(admin, None)
    for code, name in AGENCY_NAMES.items():
        add_agency(admin, None, code=code, name=name)
    central = Central(pg_cluster, dbname)
    yield central
    central.close()  # the sync service its counters synced through
    pg_cluster.drop_database(dbname)


@pytest.fixture
def make_counter(tmp_path: Path) -> Iterator[Any]:
    """`make_counter(agency, number)`: a local database set up as that counter, on the system clock."""
    from integration.sync_helpers import AGENCY_NAMES

    from counter_app.bootstrap import build_services
    from counter_app.services.common.clock import SystemClock

    opened: list[Services] = []

    def make(agency: str, number: int = 1) -> Services:
        services = build_services(tmp_path / f"counter-{agency}-{number}" / "counter.db", SystemClock())
        services.setup.init_local(agency_code=agency, agency_name=AGENCY_NAMES[agency], counter=number)
        opened.append(services)
        return services

    yield make
    for services in opened:
        services.close()
