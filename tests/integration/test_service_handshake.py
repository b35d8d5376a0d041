"""The handshake of a sync through the city's sync service: clock skew, versions both ways, whose credential it is.

Each refusal comes before anything is exchanged, as over the direct connection (test_sync_checks.py).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sync_helpers import AGENCY_A, Central, MakeCounter, accept_many
from sync_service_support import SyncService

from counter_app.errors import RuleError
from counter_app.services.syncing.sync_runs import SyncService as CounterSync


def _sync_now(sync: CounterSync, service: SyncService, credential: str, copy: int = 0) -> None:
    sync.sync_now(central_url=service.urls[copy], credential=credential, ca_file=str(service.ca_file))


def test_a_skewed_system_clock_refuses_the_sync_before_anything_is_sent(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    credential = service.credential(AGENCY_A, 1)
    for offset, words in ((timedelta(minutes=10), "nhanh 10 phút"), (timedelta(minutes=-7), "chậm [67] phút")):
        skewed = CounterSync(one.context, system_clock=lambda offset=offset: datetime.now(UTC) + offset)
        with pytest.raises(RuleError, match=words):
            _sync_now(skewed, service, credential)
    assert one.sync.pending_count() == 3
    assert central.count("SELECT count(*) FROM central.event") == 0
    assert one.sync.sync_now(central_url=service.urls[1], ca_file=str(service.ca_file)).pushed == 3


def test_a_client_older_than_the_central_and_a_central_newer_than_the_client_are_refused(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 2)
    credential = service.credential(AGENCY_A, 1)
    with central.admin() as conn:
        conn.execute("UPDATE central.compat SET min_client_protocol = 99")
    with pytest.raises(RuleError, match="cập nhật ứng dụng"):  # the central's refusal, through the service
        _sync_now(one.sync, service, credential)
    with central.admin() as conn:
        conn.execute("UPDATE central.compat SET min_client_protocol = 1")
        row = conn.execute("SELECT version_num FROM central.alembic_version").fetchone()
        assert row is not None
        conn.execute("UPDATE central.alembic_version SET version_num = 'c9999'")
    try:
        with pytest.raises(RuleError, match="cập nhật ứng dụng"):  # the counter's own check of the schema
            _sync_now(one.sync, service, credential, copy=1)
    finally:
        with central.admin() as conn:
            conn.execute("UPDATE central.alembic_version SET version_num = %s", [row[0]])
    assert central.count("SELECT count(*) FROM central.event") == 0
    assert one.sync.pending_count() == 2
    assert one.sync.sync_now(central_url=service.urls[0], ca_file=str(service.ca_file)).pushed == 2


def test_the_credential_of_another_counter_is_refused(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 2)
    with pytest.raises(RuleError, match="quầy 2"):
        _sync_now(one.sync, service, service.credential(AGENCY_A, 2))
    assert central.count("SELECT count(*) FROM central.event") == 0
    assert one.sync.pending_count() == 2
