"""Push and pull through the sync service, and their central side called as the service calls it: the counts,
cursors and rows they promise.

Written for the mutation testing of `counter_app/sync/push.py` and `pull.py` (docs/test-strength.md, issue 22):
each test pins down a behaviour the sync's documents state (docs/sync-api.md, /work/shared/domain.md) and that
the end-to-end sync tests did not look at closely enough to catch a changed line. Counters hold no database login
(issue 18): the counter's side goes through the real service over TLS; the central's side (`push.Pusher`,
`pull.fetch_page`) runs in this process on a session of the service's role acting for one counter, exactly as the
service sets it up (central.session), where a test needs its outcome or its log. Fast: a few small dossiers each.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from pathlib import Path

import psycopg
import pytest
from sqlalchemy import text
from sync_helpers import (
    AGENCY_A,
    AGENCY_B,
    Central,
    MakeCounter,
    accept_many,
    central_events,
    central_states,
    comparable,
    local_events,
    replayed_central_states,
    sync,
)

from counter_app.bootstrap import Services, build_services
from counter_app.errors import RuleError
from counter_app.services.common.clock import SystemClock
from counter_app.storage import outbox
from counter_app.storage.pull_cursor import PullCursor, read_cursor
from counter_app.sync import pull, push, service_client
from counter_app.sync.service_client import ServiceClient

Connection = psycopg.Connection[tuple[object, ...]]
Acting = Callable[..., AbstractContextManager[Connection]]  # acting(agency, number): the service's role for a counter


@pytest.fixture
def acting(central: Central) -> Acting:
    """`acting(agency, number)`: a session of the service's role acting for that counter (Central.as_service),
    the push's staging tables ready, as the service's push finds it."""

    @contextmanager
    def session(agency: str = AGENCY_A, number: int = 1) -> Iterator[Connection]:
        with central.as_service(agency, number) as conn:
            push.prepare_staging(conn)
            yield conn

    return session


def _round(
    conn: Connection, services: Services, agency: str = AGENCY_A, number: int = 1
) -> tuple[list[outbox.OutboxEvent], dict[str, str], int, push.PushOutcome]:
    """What the service does with a push of the counter's pending events: one round of the Pusher."""
    events = outbox.read_pending_events(services.context.database, None, 10_000)
    outcome = push.PushOutcome()
    sent, dead, stored = push.Pusher(conn, agency, number, outcome).round(iter([events]), {})
    return sent, dead, stored, outcome


def _relist_all(services: Services) -> None:
    """As if every acknowledgement had been lost: each local event is unsent again."""
    with services.context.uow(write=True) as uow:
        uow.session.execute(text("INSERT INTO event_outbox (seq, uuid) SELECT seq, uuid FROM event"))
        uow.commit()


@contextmanager
def _client(central: Central, agency: str, number: int) -> Iterator[ServiceClient]:
    with ServiceClient(central.service_url(), central.credential(agency, number), ca_file=central.ca_file) as client:
        yield client


def _pull_pages(
    central: Central, services: Services, agency: str, number: int, page: int, heard: list[int] | None = None
) -> pull.PullOutcome:
    """The counter's pull as a sync runs it (pages from the service), pages of `page` events."""
    with _client(central, agency, number) as client:
        return pull.pull_pages(
            lambda cursor: client.page(cursor, page),
            client.history,
            client.counters(),
            services.context.database,
            on_batch=None if heard is None else heard.append,
        )


# -- push ---------------------------------------------------------------------------------------------------


def test_a_push_in_small_rounds_stores_each_event_once_and_counts_it(
    central: Central, make_counter: MakeCounter, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = make_counter(AGENCY_A, 1)
    made = accept_many(one, 5)  # one event each (dossier.accepted)
    heard: list[tuple[int, int]] = []
    monkeypatch.setattr(service_client, "PUSH_CHUNK", 2)

    report = sync(one, central, AGENCY_A, 1, progress=lambda done, total: heard.append((done, total)))

    assert (report.pushed, report.failed, report.pulled) == (5, 0, 0)
    assert report.dossiers == len(made)
    # pushes of at most 2 events: 2 + 2 + 1, each heard once the service stored it
    assert [done for done, _total in heard if done] == [2, 4, 5]
    assert {total for _done, total in heard} == {5}
    assert outbox.count_pending(one.context.database) == 0
    assert set(central_events(central)) == set(local_events(one))
    assert {s.code for s in central_states(central).values()} == {r.code for r in made}


def test_a_repeated_push_stores_nothing_again_and_acknowledges_everything(
    central: Central, make_counter: MakeCounter, acting: Acting,
    monkeypatch: pytest.MonkeyPatch,
) -> None:  # fmt: skip
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 4)
    sync(one, central, AGENCY_A, 1)
    before = central_states(central)
    _relist_all(one)

    # the central's side: the chain head already covers them, checked, not stored, no dossier touched
    with acting(AGENCY_A, 1) as conn:
        sent, dead, stored, outcome = _round(conn, one)
    assert (len(sent), dead, stored, outcome.dossiers) == (4, {}, 0, set())
    # the counter's side, in pushes of 3: each acknowledged
    monkeypatch.setattr(service_client, "PUSH_CHUNK", 3)
    again = sync(one, central, AGENCY_A, 1)

    assert (again.pushed, again.failed) == (0, 0)
    assert outbox.count_pending(one.context.database) == 0
    assert central.count("SELECT count(*) FROM central.event") == 4
    assert central_states(central) == before


def test_a_push_cancelled_before_it_starts_sends_nothing(central: Central, make_counter: MakeCounter) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    cancel = threading.Event()
    cancel.set()

    report = sync(one, central, AGENCY_A, 1, cancel=cancel)

    assert (report.pushed, report.pulled, report.failed, report.dossiers, report.cancelled) == (0, 0, 0, 0, True)
    assert outbox.count_pending(one.context.database) == 3
    assert central.count("SELECT count(*) FROM central.event") == 0


def test_the_central_row_is_the_replay_when_a_dossier_grows_over_two_pushes(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    made = accept_many(one, 2)
    sync(one, central, AGENCY_A, 1)
    # a second event of a dossier the central already knows: its row must follow (locked, counted, replayed)
    one.dossiers.correct(str(made[0].code), {"applicant_address": "12 Lê Lợi"}, reason="Công dân báo sai số nhà")
    accept_many(one, 1, start=10)

    report = sync(one, central, AGENCY_A, 1)

    assert (report.pushed, report.failed, report.dossiers) == (2, 0, 2)
    assert central_states(central)[made[0].uuid].applicant_address == "12 Lê Lợi"
    stored = {u: comparable(s) for u, s in central_states(central).items()}
    assert stored == {u: comparable(s) for u, s in replayed_central_states(central).items()}


# -- pull ---------------------------------------------------------------------------------------------------


def test_a_pull_in_pages_brings_every_event_made_elsewhere_and_the_registry(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    two = make_counter(AGENCY_A, 2)
    made = accept_many(one, 5)
    sync(one, central, AGENCY_A, 1)
    central.add_counter(AGENCY_B, 1)  # another agency's counter: not in agency A's registry
    heard: list[int] = []

    outcome = _pull_pages(central, two, AGENCY_A, 2, 2, heard)
    again = _pull_pages(central, two, AGENCY_A, 2, 2)

    assert (outcome.pulled, outcome.failed) == (5, 0)
    assert outcome.counters == 2  # agency A's counters 1 and 2
    assert outcome.dossiers == {r.uuid for r in made}
    # pages of 2, 2 and 1 (the last one not full ends the pull)
    assert heard == [2, 2, 1]
    assert set(local_events(two, origin="central")) == set(local_events(one))
    # nothing new: a second pull brings nothing
    assert (again.pulled, again.failed, again.dossiers) == (0, 0, set())
    assert read_cursor(two.context.database) > PullCursor()


def test_a_counter_does_not_pull_back_its_own_events(
    central: Central, make_counter: MakeCounter, acting: Acting
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)

    report = sync(one, central, AGENCY_A, 1)

    assert (report.pushed, report.pulled, report.failed) == (3, 0, 0)
    # the cursor still moves past them: the next pull does not look at them again
    cursor = read_cursor(one.context.database)
    assert cursor > PullCursor()
    with acting(AGENCY_A, 1) as conn:
        page = pull.fetch_page(conn, PullCursor(), agency_code=AGENCY_A, counter=1, limit=10)
        after = pull.fetch_page(conn, cursor, agency_code=AGENCY_A, counter=1, limit=10)
    assert (page.events, page.end, page.full) == ([], cursor, False)
    assert (after.events, after.full) == ([], False)


# -- push: the audit chain's refusals and dead letters (docs/sync-api.md, "The server decides") --------------


def _other_installation(tmp_path: Path, number: int = 1) -> Services:
    """A second installation set up as counter A`number` (a copy, or a database restored from an old backup)."""
    services = build_services(tmp_path / f"other-{number}" / "counter.db", SystemClock())
    services.setup.init_local(agency_code=AGENCY_A, agency_name="UBND phường Bến Thành", counter=number)
    return services


def _mark_sent_up_to(services: Services, seq: int) -> None:
    """As if the events up to `seq` had been acknowledged by a central (they leave the outbox)."""
    with services.context.uow(write=True) as uow:
        uow.session.execute(text("DELETE FROM event_outbox WHERE seq <= :seq"), {"seq": seq})
        uow.commit()


FORK_TAIL = (
    " — nhật ký trên máy này đã bị sửa, xóa hoặc chèn thêm, hoặc đây là bản sao của một quầy khác, hoặc cơ sở dữ "
    "liệu đã được phục hồi từ một bản sao lưu cũ rồi ghi thêm trước khi đồng bộ."
)
ADVICE = (
    " Không có dữ liệu nào của lần gửi này được ghi lên máy chủ; dữ liệu trên máy vẫn được giữ nguyên. "
    "Hãy chạy “counter-app audit verify” và báo quản trị viên."
)


def test_events_that_do_not_continue_the_held_chain_are_refused_as_a_fork(
    central: Central,
    make_counter: MakeCounter,
    acting: Acting,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="counter_app.sync.push")
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    sync(one, central, AGENCY_A, 1)
    other = _other_installation(tmp_path)
    try:
        accept_many(other, 5, start=50)
        _mark_sent_up_to(other, 3)  # only its events 4 and 5 go: after the central's head, on another chain
        expected = (
            "Máy chủ trung tâm từ chối đồng bộ: chuỗi nhật ký của quầy 1 (máy chủ đang giữ đến sự kiện số 3) "
            "không được nối tiếp bởi các sự kiện gửi lên từ số 4" + FORK_TAIL + ADVICE
        )

        with acting(AGENCY_A, 1) as conn, pytest.raises(RuleError) as refused:
            _round(conn, other)
        with pytest.raises(RuleError) as told:  # what the counter hears through the service: the same words
            sync(other, central, AGENCY_A, 1)

        assert refused.value.message == expected
        assert refused.value.detail == "CA409: chain fork"
        assert told.value.message == expected
        assert central.count("SELECT count(*) FROM central.event") == 3
        assert outbox.count_pending(other.context.database) == 2
        # what the log says: which counter, and that it is a fork (no personal data)
        assert "central refused the audit chain of counter 000.17.22.H56:1 (fork)" in caplog.messages
    finally:
        other.close()


def test_a_chain_that_does_not_start_at_its_first_link_is_refused_when_the_central_holds_none(
    central: Central, make_counter: MakeCounter, acting: Acting
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    _mark_sent_up_to(one, 2)  # as if sent to another central: this one gets event 3 first

    with acting(AGENCY_A, 1) as conn, pytest.raises(RuleError) as refused:
        _round(conn, one)

    assert refused.value.message == (
        "Máy chủ trung tâm từ chối đồng bộ: chuỗi nhật ký của quầy 1 (máy chủ đang giữ chưa có sự kiện nào) "
        "không được nối tiếp bởi các sự kiện gửi lên từ số 3" + FORK_TAIL + ADVICE
    )
    assert refused.value.detail == "CA409: chain fork"
    assert central.count("SELECT count(*) FROM central.event") == 0


def test_a_copy_resending_numbers_the_central_holds_under_other_events_is_a_fork(
    central: Central, make_counter: MakeCounter, acting: Acting, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    sync(one, central, AGENCY_A, 1)
    other = _other_installation(tmp_path)
    try:
        accept_many(other, 2, start=50)  # its events 1 and 2: numbers the central holds, other events

        with acting(AGENCY_A, 1) as conn, pytest.raises(RuleError) as refused:
            _round(conn, other)

        assert refused.value.message == (
            "Máy chủ trung tâm từ chối đồng bộ: chuỗi nhật ký của quầy 1 (máy chủ đang giữ đến sự kiện số 3) "
            "không được nối tiếp bởi các sự kiện gửi lên từ số 1" + FORK_TAIL + ADVICE
        )
        assert refused.value.detail == "CA409: chain fork"
        assert central.count("SELECT count(*) FROM central.event") == 3
    finally:
        other.close()


def test_an_event_changed_after_it_was_sent_is_refused_as_a_rewrite(
    central: Central, make_counter: MakeCounter, acting: Acting
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    sync(one, central, AGENCY_A, 1)
    held = central_events(central)
    with one.context.uow(write=True) as uow:  # event 2 edited on the counter, and listed to be sent again
        uow.session.execute(text("UPDATE event SET hash = :h WHERE seq = 2"), {"h": "ab" * 32})
        uow.session.execute(text("INSERT INTO event_outbox (seq, uuid) SELECT seq, uuid FROM event WHERE seq = 2"))
        uow.commit()
    expected = (
        "Máy chủ trung tâm từ chối đồng bộ: một sự kiện đã được gửi lên trước đây nay có nội dung khác"
        " (sự kiện số 2) — nhật ký trên máy này đã bị sửa lại sau khi đồng bộ." + ADVICE
    )

    with acting(AGENCY_A, 1) as conn, pytest.raises(RuleError) as refused:
        _round(conn, one)
    with pytest.raises(RuleError) as told:
        sync(one, central, AGENCY_A, 1)

    assert refused.value.message == told.value.message == expected
    assert refused.value.detail == "CA409: chain rewrite"
    assert central_events(central) == held
    assert outbox.count_pending(one.context.database) == 1


BAD = "00000000-0000-4000-8000-0000000000b2"


def test_an_event_row_level_security_refuses_is_a_dead_letter_with_its_reason_and_the_rest_goes_through(
    central: Central,
    make_counter: MakeCounter,
    acting: Acting,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """Behind the service's own entitlement checks, the Pusher's retry one by one: an event the database refuses
    (here for a dossier of another agency, as a bug in those checks would let through) goes alone to dead letter."""
    caplog.set_level(logging.INFO, logger="counter_app.sync.push")
    b1 = make_counter(AGENCY_B, 1)
    theirs = accept_many(b1, 1, start=70)[0]
    sync(b1, central, AGENCY_B, 1)
    one = make_counter(AGENCY_A, 1)
    mine = accept_many(one, 2)
    with one.context.uow(write=True) as uow:  # counter A1 writes into agency B's dossier, whose uuid it learnt
        uow.events.append(
            uuid=BAD,
            kind="dossier.withdrawn",
            dossier_uuid=theirs.uuid,
            payload={"reason": "Công dân rút hồ sơ"},
            occurred_at=one.context.clock.now(),
            agency_code=AGENCY_A,
            counter=1,
            clerk="",
        )
        uow.commit()
    later = accept_many(one, 1, start=20)

    with acting(AGENCY_A, 1) as conn:
        sent, dead, stored, outcome = _round(conn, one)

    assert (len(sent), stored, list(dead)) == (4, 3, [BAD])
    assert outcome.dossiers == {mine[0].uuid, mine[1].uuid, later[0].uuid}
    reason = "42501: new row violates row-level security policy: event for a dossier of another agency"
    assert dead[BAD] == reason
    # its link (no content) is kept on the central with the reason, so the chain goes on past it
    with central.admin() as conn:
        withheld = conn.execute("SELECT seq, reason FROM central.event_withheld WHERE uuid = %s", [BAD]).fetchall()
    assert withheld == [(3, reason)]
    assert BAD not in central_events(central)
    assert "round of 4 events refused (InsufficientPrivilege); retrying one by one" in caplog.messages
    assert f"event {BAD} (dossier.withdrawn) put in dead letter: InsufficientPrivilege" in caplog.messages


def test_an_event_for_another_agencys_dossier_sent_through_the_service_is_a_dead_letter_and_the_rest_goes_through(
    central: Central, make_counter: MakeCounter
) -> None:
    b1 = make_counter(AGENCY_B, 1)
    theirs = accept_many(b1, 1, start=70)[0]
    sync(b1, central, AGENCY_B, 1)
    one = make_counter(AGENCY_A, 1)
    mine = accept_many(one, 2)
    with one.context.uow(write=True) as uow:
        uow.events.append(
            uuid=BAD,
            kind="dossier.withdrawn",
            dossier_uuid=theirs.uuid,
            payload={"reason": "Công dân rút hồ sơ"},
            occurred_at=one.context.clock.now(),
            agency_code=AGENCY_A,
            counter=1,
            clerk="",
        )
        uow.commit()
    accept_many(one, 1, start=20)

    report = sync(one, central, AGENCY_A, 1)

    assert (report.pushed, report.failed) == (3, 1)
    with one.context.uow() as uow:
        stored = uow.session.execute(text("SELECT sync_error FROM event WHERE uuid = :u"), {"u": BAD}).scalar_one()
    assert stored
    with central.admin() as conn:
        withheld = conn.execute("SELECT seq, reason FROM central.event_withheld WHERE uuid = %s", [BAD]).fetchall()
    assert withheld == [(3, stored)]
    assert BAD not in central_events(central)
    assert central_states(central)[theirs.uuid].status == 2  # B's dossier untouched: still received
    assert {mine[0].uuid, mine[1].uuid} <= set(central_states(central))


# -- pull: dossiers met for the first time ----------------------------------------------------------------------


def test_a_dossier_transferred_in_after_the_cursor_passed_it_comes_with_its_whole_history(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    b1 = make_counter(AGENCY_B, 1)
    sent = accept_many(one, 2)
    sync(one, central, AGENCY_A, 1)
    accept_many(b1, 1, start=60)
    # agency B cannot see A's dossiers: its cursor moves to its own newest event, past A's acceptances
    first = sync(b1, central, AGENCY_B, 1)
    assert (first.pushed, first.pulled) == (1, 0)
    assert read_cursor(b1.context.database) > PullCursor()
    one.dossiers.transfer(str(sent[0].code), to_agency=AGENCY_B)
    sync(one, central, AGENCY_A, 1)

    outcome = _pull_pages(central, b1, AGENCY_B, 1, pull.DEFAULT_BATCH)

    # the transfer, and the acceptance the cursor had passed while it was invisible (docs/sync-api.md, /v1/history)
    assert (outcome.pulled, outcome.failed) == (2, 0)
    assert outcome.dossiers == {sent[0].uuid}
    received = local_events(b1, origin="central")
    assert sorted(kind for kind, *_rest in received.values()) == ["dossier.accepted", "dossier.transferred"]
    assert set(received) <= set(local_events(one))
    assert b1.dossiers.get_dossier(str(sent[0].code)).code == sent[0].code


def test_dossiers_two_counters_wrote_to_are_projected_from_all_their_central_events(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    two = make_counter(AGENCY_A, 2)
    made = accept_many(one, 3)
    sync(one, central, AGENCY_A, 1)
    deciding_before = {u: s.deciding_agency for u, s in central_states(central).items()}
    assert sync(two, central, AGENCY_A, 2).pulled == 3
    # counter 2 corrects two of counter 1's dossiers: their rows must come from the central's replay of both
    # counters' events (domain.md: the central row is the fold of the central's events)
    two.dossiers.correct(str(made[0].code), {"applicant_address": "1 Lê Lợi"}, reason="Sai số nhà")
    two.dossiers.correct(str(made[2].code), {"applicant_address": "3 Lê Lợi"}, reason="Sai số nhà")

    report = sync(two, central, AGENCY_A, 2)

    assert (report.pushed, report.failed, report.dossiers) == (2, 0, 2)
    stored = central_states(central)
    assert stored[made[0].uuid].applicant_address == "1 Lê Lợi"
    assert stored[made[2].uuid].applicant_address == "3 Lê Lợi"
    assert stored[made[1].uuid].applicant_address == "1 Lê Lợi, phường Bến Thành"
    assert {u: s.deciding_agency for u, s in stored.items()} == deciding_before
    assert {u: comparable(s) for u, s in stored.items()} == {
        u: comparable(s) for u, s in replayed_central_states(central).items()
    }


def test_a_dossier_corrected_on_two_counters_gets_both_corrections_on_the_central(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    two = make_counter(AGENCY_A, 2)
    made = accept_many(one, 1)[0]
    sync(one, central, AGENCY_A, 1)
    sync(two, central, AGENCY_A, 2)
    one.dossiers.correct(str(made.code), {"applicant_address": "9 Lê Lợi"}, reason="Sai số nhà")
    sync(one, central, AGENCY_A, 1)
    # counter 2 has not pulled counter 1's correction: its own copy lacks it, the central's events hold both
    two.dossiers.correct(str(made.code), {"applicant_name": "Nguyễn Văn Bình"}, reason="Sai tên")
    with _client(central, AGENCY_A, 2) as client:
        stored, dead = client.push(outbox.read_pending_events(two.context.database, None, 100))
    assert (stored, dead) == (1, {})

    state = central_states(central)[made.uuid]
    assert (state.applicant_address, state.applicant_name) == ("9 Lê Lợi", "Nguyễn Văn Bình")


def test_the_first_pull_brings_the_registry_even_with_no_event_to_bring(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    central.add_counter(AGENCY_A, 2)

    outcome = _pull_pages(central, one, AGENCY_A, 1, pull.DEFAULT_BATCH)

    assert (outcome.pulled, outcome.counters) == (0, 2)
    with one.context.uow() as uow:
        numbers = uow.session.execute(
            text("SELECT number FROM counter WHERE agency_code = :a ORDER BY number"), {"a": AGENCY_A}
        ).scalars()
        assert list(numbers) == [1, 2]


def test_a_pull_ending_on_a_full_page_reports_only_the_pages_with_events(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    two = make_counter(AGENCY_A, 2)
    accept_many(one, 4)
    heard: list[int] = []
    sync(one, central, AGENCY_A, 1)

    outcome = _pull_pages(central, two, AGENCY_A, 2, 2, heard)

    assert outcome.pulled == 4
    assert heard == [2, 2]  # two full pages; the empty look after them moves nothing and reports nothing


def test_an_event_the_domain_refuses_is_a_dead_letter_named_by_the_rule(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    made = accept_many(one, 2)
    with one.context.uow(write=True) as uow:  # handed over without a result: the fold refuses it
        uow.events.append(
            uuid=BAD,
            kind="dossier.handed_over",
            dossier_uuid=made[1].uuid,
            payload={"by_post": False, "fee_collected": False},
            occurred_at=one.context.clock.now(),
            agency_code=AGENCY_A,
            counter=1,
            clerk="",
        )
        uow.commit()

    report = sync(one, central, AGENCY_A, 1)

    assert (report.pushed, report.failed) == (2, 1)
    with one.context.uow() as uow:
        reason = uow.session.execute(text("SELECT sync_error FROM event WHERE uuid = :u"), {"u": BAD}).scalar_one()
    assert reason.startswith("RuleError: ")
    assert BAD not in central_events(central)
