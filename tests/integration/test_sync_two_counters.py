"""Two counters of one ward take in dossiers offline the same day, then sync through the city's sync service."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sync_helpers import (
    AGENCY_A,
    Central,
    MakeCounter,
    accept_many,
    central_events,
    central_states,
    cli,
    cli_env,
    comparable,
    identifier,
    local_events,
    local_states,
    replayed_central_states,
    service_sync_args,
    sync,
)

from counter_app.bootstrap import build_services
from counter_app.errors import RuleError
from counter_app.services.common.clock import SystemClock
from counter_app.storage.models import CounterRow, EventRow
from counter_app.sync import service_client

PER_COUNTER = 200


def test_two_offline_counters_sync_without_collision_and_see_each_other(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    env = cli_env(tmp_path)
    db2 = tmp_path / "quay-2" / "counter.db"
    init = cli(
        tmp_path, "init", "--db", str(db2), "--agency-code", AGENCY_A, "--agency-name", "UBND phường Bến Thành",
        "--counter", "2", env=env,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    one = make_counter(AGENCY_A, 1)
    # counter 2 takes a few dossiers through the command line too, as a clerk's script would
    for n in range(3):
        made = cli(
            tmp_path, "intake", "--db", str(db2), "--json", "--procedure", "DEMO.KH",
            "--name", "Hồ Thị Lan", "--id", identifier(9000 + n), env=env,
        )  # fmt: skip
        assert made.returncode == 0, made.stderr
    two = build_services(db2, SystemClock())
    try:
        codes_one = [r.code for r in accept_many(one, PER_COUNTER)]
        codes_two = [r.code for r in accept_many(two, PER_COUNTER, start=1000)]
        codes_two += [s.code for s in local_states(two).values() if s.code not in codes_two]

        # domain.md §4: counter k issues <agency>-<YYMMDD>-<k><nnn>
        assert all(str(c).endswith(tuple(f"-1{n:03d}" for n in range(1, 1000))) for c in codes_one)
        assert all(str(c).split("-")[-1].startswith("2") for c in codes_two)
        assert len(set(codes_one) | set(codes_two)) == 2 * PER_COUNTER + 3

        report_one = sync(one, central, AGENCY_A, 1)
        # counter 2 syncs through the command line
        done = cli(tmp_path, *service_sync_args(central, db2), env=env, input=central.credential(AGENCY_A, 2) + "\n")
        assert done.returncode == 0, done.stderr
        report_two = json.loads(done.stdout)
        final_one = sync(one, central, AGENCY_A, 1)

        assert (report_one.pushed, report_one.pulled, report_one.failed) == (PER_COUNTER, 0, 0)
        assert report_two == {
            "pushed": PER_COUNTER + 3,
            "pulled": PER_COUNTER,
            "failed": 0,
            "dossiers": 2 * PER_COUNTER + 3,
            "repaired": 0,  # the count check after the pull found nothing missing (issue 18, item 5)
        }
        assert (final_one.pushed, final_one.pulled, final_one.failed) == (0, PER_COUNTER + 3, 0)

        # the central holds exactly the union of both logs, each event once, byte for byte
        own_one = local_events(one, origin="local")
        own_two = local_events(two, origin="local")
        on_central = central_events(central)
        assert set(on_central) == set(own_one) | set(own_two)
        assert len(on_central) == central.count("SELECT count(*) FROM central.event") == 2 * PER_COUNTER + 3
        assert all(on_central[u][:2] == own_one[u][:2] for u in own_one)
        assert all(on_central[u][:2] == own_two[u][:2] for u in own_two)
        assert central.count("SELECT count(DISTINCT code) FROM central.dossier") == 2 * PER_COUNTER + 3

        # both counters now hold every dossier, and find the other's by code and by name
        assert set(local_states(one)) == set(local_states(two)) == set(central_states(central))
        other = two.dossiers.get_dossier(str(codes_one[7]))
        assert other.applicant_identifier == identifier(7)
        assert [v.code for v in one.dossiers.find(str(codes_two[0]))] == [codes_two[0]]
        assert any(v.code in codes_two for v in one.dossiers.find("Hồ Thị Lan"))
        # the same state everywhere: the central row is the replay of the central events, and so are the locals
        replayed = replayed_central_states(central)
        stored = central_states(central)
        assert {u: comparable(s) for u, s in stored.items()} == {u: comparable(s) for u, s in replayed.items()}
        for services in (one, two):
            assert {u: comparable(s) for u, s in local_states(services).items()} == {
                u: comparable(s) for u, s in replayed.items()
            }
        # the agency's counter registry came down with the pull
        with one.context.uow() as uow:
            numbers = uow.session.scalars(select(CounterRow.number).where(CounterRow.agency_code == AGENCY_A)).all()
        assert sorted(numbers) == [1, 2]
        assert one.sync.last_sync() is not None and one.sync.last_sync().ok  # type: ignore[union-attr]
    finally:
        two.close()


def test_repeated_sync_and_a_repeated_batch_store_nothing_twice(
    central: Central, make_counter: MakeCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = make_counter(AGENCY_A, 1)
    two = make_counter(AGENCY_A, 2)
    accept_many(one, 40)
    accept_many(two, 30, start=500)
    sync(one, central, AGENCY_A, 1)
    sync(two, central, AGENCY_A, 2)
    sync(one, central, AGENCY_A, 1)
    events_before = central_events(central)
    dossiers_before = central_states(central)

    again = sync(one, central, AGENCY_A, 1)
    assert again.as_dict() == {"pushed": 0, "pulled": 0, "failed": 0, "dossiers": 0}

    # as if the acknowledgement of every batch had been lost: everything is sent again
    with one.context.uow(write=True) as uow:
        relist = "INSERT INTO event_outbox (seq, uuid) SELECT seq, uuid FROM event WHERE origin = 'local'"
        uow.session.execute(text(relist))
        uow.commit()
    assert one.sync.pending_count() == 40
    monkeypatch.setattr(service_client, "PUSH_CHUNK", 7)  # the repeat goes in several pushes, each known already
    repeated = sync(one, central, AGENCY_A, 1)

    assert repeated.as_dict() == {"pushed": 0, "pulled": 0, "failed": 0, "dossiers": 0}
    assert one.sync.pending_count() == 0
    assert central_events(central) == events_before
    assert central.count("SELECT count(*) FROM central.event") == 70
    assert central_states(central) == dossiers_before
    assert all(state == 1 for _k, _p, _c, state in local_events(one).values())


def test_a_refused_event_goes_to_dead_letter_and_the_others_go_through(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    results = accept_many(one, 12)
    # a hand-over for a dossier that was never transferred nor finished: the central's replay refuses it
    bad_target = results[5]
    bad_uuid = "00000000-0000-4000-8000-000000000bad"
    with one.context.uow(write=True) as uow:
        uow.events.append(
            uuid=bad_uuid,
            kind="dossier.handed_over",
            dossier_uuid=bad_target.uuid,
            payload={"by_post": False, "fee_collected": False},
            occurred_at=one.context.clock.now(),
            agency_code=AGENCY_A,
            counter=1,
            clerk="",
        )
        uow.commit()
    accept_many(one, 3, start=100)  # recorded after the bad one

    report = sync(one, central, AGENCY_A, 1)

    assert (report.pushed, report.failed) == (15, 1)
    events = local_events(one)
    assert events[bad_uuid][3] == 2
    assert sum(1 for e in events.values() if e[3] == 1) == 15
    assert bad_uuid not in central_events(central)
    with one.context.uow() as uow:
        reason = uow.session.scalar(select(EventRow.sync_error).where(EventRow.uuid == bad_uuid))
    assert reason and "RuleError" in reason
    state = one.sync.dossier_sync_state(bad_target.uuid)
    assert (state.state, state.failed) == ("failed", 1)
    assert one.sync.dossier_sync_state(results[0].uuid).state == "synced"
    last = one.sync.last_sync()
    assert last is not None and not last.ok and last.failed == 1
    # the central row of that dossier is the replay of what the central accepted: still "received"
    assert central_states(central)[bad_target.uuid].status == 2


def test_a_second_installation_claiming_a_taken_counter_number_is_refused(
    central: Central, make_counter: MakeCounter, tmp_path: Path
) -> None:
    first = make_counter(AGENCY_A, 1)
    # a copy of counter 1's set-up on another machine, with counter 1's credential: its codes repeat counter 1's
    impostor = build_services(tmp_path / "impostor" / "counter.db", SystemClock())
    try:
        impostor.setup.init_local(agency_code=AGENCY_A, agency_name="UBND phường Bến Thành", counter=1)
        kept = accept_many(first, 3)
        copied = accept_many(impostor, 3, start=50)
        assert [r.code for r in kept] == [r.code for r in copied]
        sync(first, central, AGENCY_A, 1)

        with pytest.raises(RuleError, match="bản sao của một quầy khác") as refused:
            sync(impostor, central, AGENCY_A, 1)

        assert "quầy 1 (máy chủ đang giữ đến sự kiện số 3)" in refused.value.message
        assert central.count("SELECT count(*) FROM central.event") == 3
        assert set(central_events(central)) == set(local_events(first, origin="local"))
        assert {s.applicant_identifier for s in central_states(central).values()} == {identifier(n) for n in range(3)}
        # nothing of the impostor's is lost or put aside: its events wait, unsent, for the installation to be fixed
        assert {state for _k, _p, _c, state in local_events(impostor, origin="local").values()} == {0}
    finally:
        impostor.close()
