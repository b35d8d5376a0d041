"""A dossier's events replay in causal order on every copy (storage.event_order): a step recorded after its author
pulled its cause replays after it, whatever the counters' clocks and even in the same second; and central
migration c0009 numbers the events it finds in exactly the old order.

Real components: the test's PostgreSQL cluster, the sync service over TLS, counters' SQLite databases.
"""

from __future__ import annotations

import itertools
import json
import os
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import psycopg
import pytest
from sqlalchemy import select
from support.pg_cluster import PgCluster
from sync_helpers import (
    AGENCY_A,
    AGENCY_B,
    AGENCY_NAMES,
    Central,
    MakeCounter,
    accept_many,
    central_states,
    comparable,
    local_states,
    replayed_central_states,
    sync,
)
from sync_service_support import SyncService

from counter_app.bootstrap import Services
from counter_app.domain.clock import MAX_CLOCK_SKEW, VN_TZ, to_vn
from counter_app.domain.dossier import DossierState, replay
from counter_app.errors import RuleError
from counter_app.storage import outbox
from counter_app.storage.event_order import REPLAY_ORDER_SQL, replay_order
from counter_app.storage.models import EventRow
from counter_app.sync.central_admin import add_agency, init_central
from counter_app.sync.central_url import parse_central_url

_databases = itertools.count(1)


class Timeline:
    """The real sequence of the test's moments (the wall clock, moved on by hand), which each counter reads through
    its own skewed clock."""

    def __init__(self, start: timedelta = timedelta()) -> None:
        self.offset = start

    def now(self) -> datetime:
        return datetime.now(VN_TZ) + self.offset

    def advance(self, by: timedelta) -> None:
        self.offset += by


class SkewedClock:
    """A counter's clock `skew` off the timeline: it stamps the counter's events and is the machine clock the sync's
    handshake compares with the central's."""

    def __init__(self, timeline: Timeline, skew: timedelta) -> None:
        self.timeline = timeline
        self.skew = skew

    def now(self) -> datetime:
        return self.timeline.now() + self.skew


class FrozenClock:
    """Every counter's events in one and the same second."""

    def __init__(self, moment: datetime) -> None:
        self.moment = moment

    def now(self) -> datetime:
        return self.moment


def _counter(make_counter: MakeCounter, agency: str, clock: Any) -> Services:
    services = make_counter(agency, 1, clock=clock)
    services.sync.system_clock = clock.now  # the handshake checks this counter's own clock
    return services


def _same_everywhere(central: Central, dossier: str, *copies: Services) -> DossierState:
    """The dossier's state on the central (its row and a replay of its events) and on each copy: all the same."""
    on_central = comparable(central_states(central)[dossier])
    assert comparable(replayed_central_states(central)[dossier]) == on_central
    for services in copies:
        assert comparable(local_states(services)[dossier]) == on_central
    return on_central


def _lamports(services: Services, dossier: str) -> list[tuple[str, int]]:
    """(kind, lamport) of the dossier's events on a copy, in its replay order."""
    with services.context.uow() as uow:
        kinds = [e.kind for e in uow.events.for_dossier(dossier)]
        lamports = uow.session.execute(
            select(EventRow.lamport).where(EventRow.dossier_uuid == dossier).order_by(*replay_order())
        ).scalars()
        return list(zip(kinds, lamports, strict=True))


def test_a_step_recorded_after_a_transfer_replays_after_it_though_its_clock_is_eight_minutes_behind(
    central: Central, make_counter: MakeCounter
) -> None:
    timeline = Timeline(start=-timedelta(minutes=1))  # so that every clock stays within the handshake's 5 minutes
    ahead, behind = timedelta(minutes=4), -timedelta(minutes=4)
    assert max(abs(ahead), abs(behind)) < MAX_CLOCK_SKEW
    a1 = _counter(make_counter, AGENCY_A, SkewedClock(timeline, ahead))
    b1 = _counter(make_counter, AGENCY_B, SkewedClock(timeline, behind))
    (taken,) = accept_many(a1, 1)
    a1.dossiers.transfer(str(taken.code), to_agency=AGENCY_B)
    assert sync(a1, central, AGENCY_A, 1).failed == 0
    assert sync(b1, central, AGENCY_B, 1).failed == 0

    timeline.advance(timedelta(minutes=1))  # B decides a minute after A's transfer, by B's clock 7 minutes before it
    b1.dossiers.result_ready(str(taken.code))
    decided = sync(b1, central, AGENCY_B, 1)
    back = sync(a1, central, AGENCY_A, 1)

    assert (decided.pushed, decided.failed) == (1, 0)  # no dead letter: the central replayed B's step after A's
    assert (back.pulled, back.failed) == (1, 0)  # A's copy takes B's step
    with central.admin() as conn:
        stamps = dict(
            conn.execute("SELECT kind, occurred_at FROM central.event WHERE dossier_uuid = %s", [taken.uuid]).fetchall()
        )
    assert stamps["dossier.result_ready"] < stamps["dossier.transferred"]  # the clocks alone would replay it first
    assert _same_everywhere(central, taken.uuid, a1, b1).stage == "result_ready"
    steps = [("dossier.accepted", 1), ("dossier.transferred", 2), ("dossier.result_ready", 3)]
    assert _lamports(a1, taken.uuid) == _lamports(b1, taken.uuid) == steps


def test_a_step_recorded_in_the_same_second_as_the_transfer_it_follows_replays_after_it(
    central: Central, make_counter: MakeCounter
) -> None:
    clock = FrozenClock(datetime.now(VN_TZ).replace(microsecond=0))
    # B transfers to A: A's code sorts before B's, so a tie of moments alone would replay A's step first
    assert AGENCY_A < AGENCY_B
    b1 = _counter(make_counter, AGENCY_B, clock)
    a1 = _counter(make_counter, AGENCY_A, clock)
    (taken,) = accept_many(b1, 1)
    b1.dossiers.transfer(str(taken.code), to_agency=AGENCY_A)
    assert sync(b1, central, AGENCY_B, 1).failed == 0
    assert sync(a1, central, AGENCY_A, 1).failed == 0
    a1.dossiers.result_ready(str(taken.code))
    decided = sync(a1, central, AGENCY_A, 1)
    back = sync(b1, central, AGENCY_B, 1)

    assert (decided.pushed, decided.failed) == (1, 0)
    assert (back.pulled, back.failed) == (1, 0)
    assert (
        central.count("SELECT count(DISTINCT occurred_at) FROM central.event WHERE dossier_uuid = %s", taken.uuid) == 1
    )
    assert _same_everywhere(central, taken.uuid, a1, b1).stage == "result_ready"


def test_the_central_refuses_an_event_whose_lamport_does_not_rise_above_its_counter_s_earlier_one(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    a1 = make_counter(AGENCY_A, 1)
    (taken,) = accept_many(a1, 1)
    assert sync(a1, central, AGENCY_A, 1).failed == 0
    a1.dossiers.result_ready(str(taken.code))
    # a hostile or broken client sends the step with the lamport of the opening event it follows
    (step,) = outbox.read_pending_events(a1.context.database, None, 10)
    assert step.lamport == 2
    with service.client(service.credential(AGENCY_A, 1)) as client:
        answer = client.post("/v1/push", json={"events": [step._asdict() | {"lamport": 1}]})
        negative = client.post("/v1/push", json={"events": [step._asdict() | {"lamport": -1}]})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["stored"], list(answer.json()["dead"])) == (0, [step.uuid])
    assert "lamport" in answer.json()["dead"][step.uuid]
    assert negative.status_code == 422
    assert central.count("SELECT count(*) FROM central.event WHERE dossier_uuid = %s", taken.uuid) == 1


def test_an_event_pushed_without_a_lamport_gets_one_above_its_dossier_s_on_the_central(
    service: SyncService, central: Central, make_counter: MakeCounter
) -> None:
    a1 = make_counter(AGENCY_A, 1)
    (taken,) = accept_many(a1, 1)
    a1.dossiers.transfer(str(taken.code))
    a1.dossiers.request_payment(str(taken.code), 50_000)
    events = outbox.read_pending_events(a1.context.database, None, 10)
    old_client = [{k: v for k, v in e._asdict().items() if k != "lamport"} for e in events]  # before c0009
    with service.client(service.credential(AGENCY_A, 1)) as client:
        answer = client.post("/v1/push", json={"events": old_client})
    assert answer.status_code == 200, answer.text
    assert (answer.json()["stored"], answer.json()["dead"]) == (3, {})  # one INSERT: each row sees those before it
    with central.admin() as conn:
        lamports = conn.execute(
            "SELECT kind, lamport FROM central.event WHERE dossier_uuid = %s ORDER BY seq", [taken.uuid]
        ).fetchall()
    assert lamports == [("dossier.accepted", 1), ("dossier.transferred", 2), ("dossier.payment_requested", 3)]


# -- central migration c0009 -------------------------------------------------------------------------------------

_OLD_ORDER = 'occurred_at, agency_code COLLATE "C", counter, seq'  # REPLAY_ORDER_SQL before c0009
_EVENT_COLUMNS = "uuid, dossier_uuid, kind, payload, occurred_at, agency_code, counter, seq, clerk, prev_hash, hash"


@pytest.fixture
def bare_central(pg_cluster: PgCluster) -> Iterator[str]:
    name = f"central_lamport_{os.getpid()}_{next(_databases)}"
    pg_cluster.create_database(name)
    yield name
    pg_cluster.drop_database(name)


def _central_at_c0008(cluster: PgCluster, dbname: str) -> None:
    """`central init` as the code of revision c0008 ran it (schema, group roles, the migrations up to c0008)."""
    init_central(parse_central_url(cluster.url(dbname)), None, revision="c0008")


def _replayed(conn: psycopg.Connection[Any], order: str) -> dict[str, tuple[list[str], DossierState | None]]:
    """Each dossier's event uuids in `order`, and the domain's replay of them (None: the fold refuses them)."""
    rows = conn.execute(
        f"SELECT dossier_uuid::text, uuid::text, kind, payload, occurred_at FROM central.event "
        f"WHERE dossier_uuid IS NOT NULL ORDER BY dossier_uuid, {order}"
    ).fetchall()
    found: dict[str, tuple[list[str], DossierState | None]] = {}
    for dossier, group in itertools.groupby(rows, key=lambda r: str(r[0])):
        events = list(group)
        try:
            state = replay((str(k), json.loads(str(p)), to_vn(at)) for _d, _u, k, p, at in events)
        except (RuleError, ValueError, KeyError):
            state = None
        found[dossier] = ([str(e[1]) for e in events], state)
    return found


def test_central_migration_c0009_numbers_old_events_in_the_old_order_and_keeps_every_state(
    pg_cluster: PgCluster, bare_central: str, make_counter: MakeCounter
) -> None:
    # events as counters recorded them, A's clock ahead of B's: on one of them B's step comes before A's by time
    a1 = make_counter(AGENCY_A, 1)
    transferred, kept = accept_many(a1, 2)
    a1.dossiers.transfer(str(kept.code))
    a1.dossiers.request_payment(str(kept.code), 10_000)
    a1.dossiers.transfer(str(transferred.code), to_agency=AGENCY_B)
    own = outbox.read_pending_events(a1.context.database, None, 100)
    _central_at_c0008(pg_cluster, bare_central)
    admin = parse_central_url(pg_cluster.url(bare_central))
    for code in (AGENCY_A, AGENCY_B):
        add_agency(admin, None, code=code, name=AGENCY_NAMES[code])
    with pg_cluster.admin_connect(bare_central) as conn:
        for event in own:
            conn.execute(
                f"INSERT INTO central.event ({_EVENT_COLUMNS}) VALUES ({', '.join(['%s'] * 11)})",
                list(event)[:11],
            )
        # B's result, 7 minutes before A's transfer by the clocks (as the old order refused it), and an event of
        # no dossier
        (transfer_at,) = conn.execute(
            "SELECT occurred_at FROM central.event WHERE kind = 'dossier.transferred' AND dossier_uuid = %s",
            [transferred.uuid],
        )
        conn.execute(
            f"INSERT INTO central.event ({_EVENT_COLUMNS}) VALUES "
            "(gen_random_uuid(), NULL, 'catalogue.changed', '{}', %s, %s, 1, 1, '', '', ''), "
            "(gen_random_uuid(), %s, 'dossier.result_ready', '{}', %s, %s, 1, 2, '', '', '')",
            [transfer_at[0], AGENCY_B, transferred.uuid, transfer_at[0] - timedelta(minutes=7), AGENCY_B],
        )
        before = _replayed(conn, _OLD_ORDER)
    assert before[transferred.uuid][1] is None  # in the old order B's step came before the transfer
    assert before[kept.uuid][1] is not None

    init_central(admin, None)

    with pg_cluster.admin_connect(bare_central) as conn:
        after = _replayed(conn, REPLAY_ORDER_SQL)
        numbered = conn.execute(
            "SELECT dossier_uuid::text, array_agg(lamport ORDER BY lamport) FROM central.event GROUP BY 1"
        ).fetchall()
        assert after == before  # the same order, the same states (an illegal one stays illegal)
        assert {d: list(n) for d, n in numbered} == {
            None: [0],
            transferred.uuid: [1, 2, 3],
            kept.uuid: [1, 2, 3],
        }
        with pytest.raises(psycopg.errors.CheckViolation):
            conn.execute(
                f"INSERT INTO central.event ({_EVENT_COLUMNS}, lamport) VALUES "
                "(gen_random_uuid(), NULL, 'catalogue.changed', '{}', now(), %s, 1, 3, '', '', '', -1)",
                [AGENCY_B],
            )
