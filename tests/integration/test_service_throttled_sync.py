"""A counter's sync from an address the real sync service throttles (429 with Retry-After, after 20 failed
credentials from it within 60 s: central.access): the client waits as told, capped, a bounded number of times,
stops at once when the sync is cancelled, and fails with a Vietnamese message, keeping everything for later."""

from __future__ import annotations

import secrets
import threading

import pytest
from sync_helpers import AGENCY_A, Central, MakeCounter, accept_many, local_events
from sync_service_support import SyncService

from counter_app.bootstrap import Services
from counter_app.central.access import FAILURES_PER_SOURCE
from counter_app.services.common.clock import SystemClock
from counter_app.sync import service_client
from counter_app.sync.report import SyncInterrupted, SyncReport
from counter_app.sync.service_client import ServiceClient
from counter_app.sync.service_waits import CANCELLED_WHILE_THROTTLED, THROTTLED


def _throttle_this_address(service: SyncService) -> None:
    """Failed credentials from this machine until the first copy answers 429."""
    statuses = []
    for _ in range(FAILURES_PER_SOURCE + 1):
        with service.client("cc1." + secrets.token_urlsafe(32)) as guesser:
            statuses.append(guesser.get("/v1/hello").status_code)
    assert statuses[-1] == 429


def _synchronize(counter: Services, client: ServiceClient, cancel: threading.Event | None = None) -> SyncReport:
    return service_client.synchronize(
        counter.context.database,
        client,
        agency_code=AGENCY_A,
        counter=1,
        numbering=(1, 3),
        system_now=SystemClock().now,
        cancel=cancel,
    )


def test_a_throttled_sync_waits_a_bounded_number_of_times_then_fails_in_vietnamese_keeping_everything(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    a1 = make_counter(AGENCY_A, 1)
    accept_many(a1, 2)
    credential = service.credential(AGENCY_A, 1)  # never seen good by the first copy: throttled like a stranger
    _throttle_this_address(service)

    with ServiceClient(
        service.urls[0], credential, ca_file=str(service.ca_file), throttle_retries=2, throttle_wait_cap=0.2
    ) as client:
        with pytest.raises(SyncInterrupted) as raised:
            _synchronize(a1, client)
        assert client.waits.throttled == 2
    assert raised.value.message == THROTTLED
    assert raised.value.report.pushed == 0
    assert {e[3] for e in local_events(a1).values()} == {0}  # still waiting to be sent
    assert central.count("SELECT count(*) FROM central.event") == 0


def test_a_cancelled_sync_stops_waiting_for_a_throttled_address(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    a1 = make_counter(AGENCY_A, 1)
    accept_many(a1, 1)
    credential = service.credential(AGENCY_A, 1)
    _throttle_this_address(service)
    cancel = threading.Event()
    # cancelled while the client waits out the service's Retry-After (tens of seconds, capped at 30 per wait)
    timer = threading.Timer(0.5, cancel.set)
    timer.start()
    try:
        with ServiceClient(service.urls[0], credential, ca_file=str(service.ca_file)) as client:
            with pytest.raises(SyncInterrupted) as raised:
                _synchronize(a1, client, cancel)
            assert client.waits.throttled == 0  # no wait ran to its end
    finally:
        timer.cancel()
    assert raised.value.message == CANCELLED_WHILE_THROTTLED
    assert raised.value.report.cancelled
    assert central.count("SELECT count(*) FROM central.event") == 0


def test_a_throttled_sync_goes_through_once_the_service_lets_the_address_ask_again(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    a1 = make_counter(AGENCY_A, 1)
    accept_many(a1, 2)
    credential = service.credential(AGENCY_A, 1)
    _throttle_this_address(service)
    # the default bounds: at most 3 waits of at most 30 s outlast the service's 60-second window
    with ServiceClient(service.urls[0], credential, ca_file=str(service.ca_file)) as client:
        report = _synchronize(a1, client)
        assert client.waits.throttled >= 1
    assert (report.pushed, report.failed) == (2, 0)
    assert central.count("SELECT count(*) FROM central.event") == 2
