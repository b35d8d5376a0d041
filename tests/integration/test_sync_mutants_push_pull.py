"""Push and pull called directly against the central PostgreSQL: the counts, cursors and rows they promise.

Written for the mutation testing of `counter_app/sync/push.py` and `pull.py` (docs/test-strength.md, issue 22):
each test pins down a behaviour the sync's documents state (docs/sync-api.md, /work/shared/domain.md) and that
the end-to-end sync tests did not look at closely enough to catch a changed line. Fast: a few small dossiers each.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Iterator
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
)

from counter_app.bootstrap import Services, build_services
from counter_app.errors import RuleError
from counter_app.services.common.clock import SystemClock
from counter_app.storage import outbox
from counter_app.storage.pull_cursor import PullCursor, read_cursor
from counter_app.sync import pull, push

Connection = psycopg.Connection[tuple[object, ...]]


@pytest.fixture
def counter_conn(central: Central) -> Iterator[Connection]:
    """Counter 1 of agency A's own login to the central (what the direct sync uses)."""
    with central.as_counter(AGENCY_A, 1) as conn:
        yield conn


def _push(conn: Connection, services: Services, number: int = 1, **kwargs: object) -> push.PushOutcome:
    return push.push(conn, services.context.database, agency_code=AGENCY_A, counter=number, **kwargs)  # type: ignore[arg-type]


def _pull(conn: Connection, services: Services, number: int, **kwargs: object) -> pull.PullOutcome:
    return pull.pull(conn, services.context.database, agency_code=AGENCY_A, counter=number, **kwargs)  # type: ignore[arg-type]


def _relist_all(services: Services) -> None:
    """As if every acknowledgement had been lost: each local event is unsent again."""
    with services.context.uow(write=True) as uow:
        uow.session.execute(text("INSERT INTO event_outbox (seq, uuid) SELECT seq, uuid FROM event"))
        uow.commit()


# -- push ---------------------------------------------------------------------------------------------------


def test_a_push_in_small_rounds_stores_each_event_once_and_counts_it(
    central: Central, make_counter: MakeCounter, counter_conn: Connection
) -> None:
    one = make_counter(AGENCY_A, 1)
    made = accept_many(one, 5)  # one event each (dossier.accepted)
    heard: list[int] = []

    outcome = _push(counter_conn, one, batch_size=2, on_batch=heard.append)

    assert (outcome.pushed, outcome.acknowledged, outcome.dead) == (5, 5, 0)
    assert outcome.dossiers == {r.uuid for r in made}
    # rounds of at most 2 events: 2 + 2 + 1, each heard as the central takes it
    assert heard == [2, 2, 1]
    assert outbox.count_pending(one.context.database) == 0
    assert set(central_events(central)) == set(local_events(one))
    assert {s.code for s in central_states(central).values()} == {r.code for r in made}


def test_a_repeated_push_stores_nothing_again_and_acknowledges_everything(
    central: Central, make_counter: MakeCounter, counter_conn: Connection
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 4)
    _push(counter_conn, one)
    before = central_states(central)
    _relist_all(one)

    again = _push(counter_conn, one, batch_size=3)

    # the central's chain head already covers them: checked, not stored, and each acknowledged
    assert (again.pushed, again.acknowledged, again.dead) == (0, 4, 0)
    assert again.dossiers == set()
    assert outbox.count_pending(one.context.database) == 0
    assert central.count("SELECT count(*) FROM central.event") == 4
    assert central_states(central) == before


def test_a_push_cancelled_before_it_starts_sends_nothing(
    central: Central, make_counter: MakeCounter, counter_conn: Connection
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    cancel = threading.Event()
    cancel.set()

    outcome = _push(counter_conn, one, cancel=cancel)

    assert (outcome.pushed, outcome.acknowledged, outcome.dead, outcome.dossiers) == (0, 0, 0, set())
    assert outbox.count_pending(one.context.database) == 3
    assert central.count("SELECT count(*) FROM central.event") == 0


def test_the_central_row_is_the_replay_when_a_dossier_grows_over_two_pushes(
    central: Central, make_counter: MakeCounter, counter_conn: Connection
) -> None:
    one = make_counter(AGENCY_A, 1)
    made = accept_many(one, 2)
    _push(counter_conn, one)
    # a second event of a dossier the central already knows: its row must follow (locked, counted, replayed)
    one.dossiers.correct(str(made[0].code), {"applicant_address": "12 Lê Lợi"}, reason="Công dân báo sai số nhà")
    fresh = accept_many(one, 1, start=10)

    outcome = _push(counter_conn, one)

    assert (outcome.pushed, outcome.acknowledged) == (2, 2)
    assert outcome.dossiers == {made[0].uuid, fresh[0].uuid}
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
    with central.as_counter(AGENCY_A, 1) as conn:
        _push(conn, one)
    central.add_counter(AGENCY_B, 1)  # another agency's counter: not in agency A's registry
    heard: list[int] = []

    with central.as_counter(AGENCY_A, 2) as conn:
        outcome = _pull(conn, two, 2, batch_size=2, on_batch=heard.append)
        again = _pull(conn, two, 2, batch_size=2)

    assert (outcome.pulled, outcome.failed) == (5, 0)
    assert outcome.counters == 2  # agency A's counters 1 and 2
    assert outcome.dossiers == {r.uuid for r in made}
    # pages of 2, 2 and 1 (the last one not full ends the pull)
    assert heard == [2, 2, 1]
    assert set(local_events(two, origin="central")) == set(local_events(one))
    # nothing new: a second pull brings nothing
    assert (again.pulled, again.failed, again.dossiers) == (0, 0, set())
    assert read_cursor(two.context.database) > PullCursor()


def test_a_counter_does_not_pull_back_its_own_events(central: Central, make_counter: MakeCounter) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    with central.as_counter(AGENCY_A, 1) as conn:
        _push(conn, one)
        outcome = _pull(conn, one, 1)

    assert (outcome.pulled, outcome.failed, outcome.dossiers) == (0, 0, set())
    # the cursor still moves past them: the next pull does not look at them again
    assert read_cursor(one.context.database) > PullCursor()


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
    counter_conn: Connection,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
) -> None:
    caplog.set_level(logging.INFO, logger="counter_app.sync.push")
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    _push(counter_conn, one)
    other = _other_installation(tmp_path)
    try:
        accept_many(other, 5, start=50)
        _mark_sent_up_to(other, 3)  # only its events 4 and 5 go: after the central's head, on another chain

        with pytest.raises(RuleError) as refused:
            _push(counter_conn, other)

        assert refused.value.message == (
            "Máy chủ trung tâm từ chối đồng bộ: chuỗi nhật ký của quầy 1 (máy chủ đang giữ đến sự kiện số 3) "
            "không được nối tiếp bởi các sự kiện gửi lên từ số 4" + FORK_TAIL + ADVICE
        )
        assert refused.value.detail == "CA409: chain fork"
        assert central.count("SELECT count(*) FROM central.event") == 3
        assert outbox.count_pending(other.context.database) == 2
        # what the log says: which counter, and that it is a fork (no personal data)
        assert "central refused the audit chain of counter 000.17.22.H56:1 (fork)" in caplog.messages
    finally:
        other.close()


def test_a_chain_that_does_not_start_at_its_first_link_is_refused_when_the_central_holds_none(
    central: Central, make_counter: MakeCounter, counter_conn: Connection
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    _mark_sent_up_to(one, 2)  # as if sent to another central: this one gets event 3 first

    with pytest.raises(RuleError) as refused:
        _push(counter_conn, one)

    assert refused.value.message == (
        "Máy chủ trung tâm từ chối đồng bộ: chuỗi nhật ký của quầy 1 (máy chủ đang giữ chưa có sự kiện nào) "
        "không được nối tiếp bởi các sự kiện gửi lên từ số 3" + FORK_TAIL + ADVICE
    )
    assert refused.value.detail == "CA409: chain fork"
    assert central.count("SELECT count(*) FROM central.event") == 0


def test_a_copy_resending_numbers_the_central_holds_under_other_events_is_a_fork(
    central: Central, make_counter: MakeCounter, counter_conn: Connection, tmp_path: Path
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    _push(counter_conn, one)
    other = _other_installation(tmp_path)
    try:
        accept_many(other, 2, start=50)  # its events 1 and 2: numbers the central holds, other events

        with pytest.raises(RuleError) as refused:
            _push(counter_conn, other)

        assert refused.value.message == (
            "Máy chủ trung tâm từ chối đồng bộ: chuỗi nhật ký của quầy 1 (máy chủ đang giữ đến sự kiện số 3) "
            "không được nối tiếp bởi các sự kiện gửi lên từ số 1" + FORK_TAIL + ADVICE
        )
        assert refused.value.detail == "CA409: chain fork"
    finally:
        other.close()


def test_an_event_changed_after_it_was_sent_is_refused_as_a_rewrite(
    central: Central, make_counter: MakeCounter, counter_conn: Connection
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 3)
    _push(counter_conn, one)
    held = central_events(central)
    with one.context.uow(write=True) as uow:  # event 2 edited on the counter, and listed to be sent again
        uow.session.execute(text("UPDATE event SET hash = :h WHERE seq = 2"), {"h": "ab" * 32})
        uow.session.execute(text("INSERT INTO event_outbox (seq, uuid) SELECT seq, uuid FROM event WHERE seq = 2"))
        uow.commit()

    with pytest.raises(RuleError) as refused:
        _push(counter_conn, one)

    assert refused.value.message == (
        "Máy chủ trung tâm từ chối đồng bộ: một sự kiện đã được gửi lên trước đây nay có nội dung khác"
        " (sự kiện số 2) — nhật ký trên máy này đã bị sửa lại sau khi đồng bộ." + ADVICE
    )
    assert refused.value.detail == "CA409: chain rewrite"
    assert central_events(central) == held


BAD = "00000000-0000-4000-8000-0000000000b2"


def test_an_event_for_another_agencys_dossier_is_a_dead_letter_with_its_reason_and_the_rest_goes_through(
    central: Central, make_counter: MakeCounter, counter_conn: Connection, caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger="counter_app.sync.push")
    b1 = make_counter(AGENCY_B, 1)
    theirs = accept_many(b1, 1, start=70)[0]
    with central.as_counter(AGENCY_B, 1) as conn:
        push.push(conn, b1.context.database, agency_code=AGENCY_B, counter=1)
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

    outcome = _push(counter_conn, one)

    assert (outcome.pushed, outcome.acknowledged, outcome.dead) == (3, 3, 1)
    assert outcome.dossiers == {mine[0].uuid, mine[1].uuid, later[0].uuid}
    reason = "42501: new row violates row-level security policy: event for a dossier of another agency"
    with one.context.uow() as uow:
        stored = uow.session.execute(text("SELECT sync_error FROM event WHERE uuid = :u"), {"u": BAD}).scalar_one()
    assert stored == reason
    # its link (no content) is kept on the central with the reason, so the chain goes on past it
    with central.admin() as conn:
        withheld = conn.execute("SELECT seq, reason FROM central.event_withheld WHERE uuid = %s", [BAD]).fetchall()
    assert withheld == [(3, reason)]
    assert BAD not in central_events(central)
    assert "round of 4 events refused (InsufficientPrivilege); retrying one by one" in caplog.messages
    assert f"event {BAD} (dossier.withdrawn) put in dead letter: InsufficientPrivilege" in caplog.messages


# -- pull: dossiers met for the first time, and the count for the progress bar ---------------------------------


def test_a_dossier_transferred_in_after_the_cursor_passed_it_comes_with_its_whole_history(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    b1 = make_counter(AGENCY_B, 1)
    sent = accept_many(one, 2)
    with central.as_counter(AGENCY_A, 1) as conn:
        _push(conn, one)
    accept_many(b1, 1, start=60)
    with central.as_counter(AGENCY_B, 1) as conn:
        push.push(conn, b1.context.database, agency_code=AGENCY_B, counter=1)
        # agency B cannot see A's dossiers: its cursor moves to its own newest event, past A's acceptances
        first = pull.pull(conn, b1.context.database, agency_code=AGENCY_B, counter=1)
    assert (first.pulled, first.dossiers) == (0, set())
    assert read_cursor(b1.context.database) > PullCursor()
    one.dossiers.transfer(str(sent[0].code), to_agency=AGENCY_B)
    with central.as_counter(AGENCY_A, 1) as conn:
        _push(conn, one)

    with central.as_counter(AGENCY_B, 1) as conn:
        outcome = pull.pull(conn, b1.context.database, agency_code=AGENCY_B, counter=1)

    # the transfer, and the acceptance the cursor had passed while it was invisible (docs/sync-api.md, /v1/history)
    assert (outcome.pulled, outcome.failed) == (2, 0)
    assert outcome.dossiers == {sent[0].uuid}
    received = local_events(b1, origin="central")
    assert sorted(kind for kind, *_rest in received.values()) == ["dossier.accepted", "dossier.transferred"]
    assert set(received) <= set(local_events(one))
    assert b1.dossiers.get_dossier(str(sent[0].code)).code == sent[0].code


def test_the_count_for_the_progress_bar_is_what_a_pull_would_bring(central: Central, make_counter: MakeCounter) -> None:
    one = make_counter(AGENCY_A, 1)
    two = make_counter(AGENCY_A, 2)
    accept_many(one, 4)
    accept_many(two, 1, start=40)
    with central.as_counter(AGENCY_A, 1) as conn:
        _push(conn, one)
    with central.as_counter(AGENCY_A, 2) as conn:
        _push(conn, two, 2)
        before = pull.count_available(conn, two.context.database, AGENCY_A, 2)
        _pull(conn, two, 2)
        after = pull.count_available(conn, two.context.database, AGENCY_A, 2)

    assert (before, after) == (4, 0)  # counter 1's four events, not its own one; nothing once pulled


def test_dossiers_two_counters_wrote_to_are_projected_from_all_their_central_events(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    two = make_counter(AGENCY_A, 2)
    made = accept_many(one, 3)
    with central.as_counter(AGENCY_A, 1) as conn:
        _push(conn, one)
    deciding_before = {u: s.deciding_agency for u, s in central_states(central).items()}
    with central.as_counter(AGENCY_A, 2) as conn:
        _pull(conn, two, 2)
        # counter 2 corrects two of counter 1's dossiers: their rows must come from the central's replay of
        # both counters' events (domain.md: the central row is the fold of the central's events)
        two.dossiers.correct(str(made[0].code), {"applicant_address": "1 Lê Lợi"}, reason="Sai số nhà")
        two.dossiers.correct(str(made[2].code), {"applicant_address": "3 Lê Lợi"}, reason="Sai số nhà")
        outcome = _push(conn, two, 2)

    assert (outcome.pushed, outcome.acknowledged, outcome.dossiers) == (2, 2, {made[0].uuid, made[2].uuid})
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
    with central.as_counter(AGENCY_A, 1) as c1, central.as_counter(AGENCY_A, 2) as c2:
        _push(c1, one)
        _pull(c2, two, 2)
        one.dossiers.correct(str(made.code), {"applicant_address": "9 Lê Lợi"}, reason="Sai số nhà")
        _push(c1, one)
        # counter 2 has not pulled counter 1's correction: its own copy lacks it, the central's events hold both
        two.dossiers.correct(str(made.code), {"applicant_name": "Nguyễn Văn Bình"}, reason="Sai tên")
        _push(c2, two, 2)

    state = central_states(central)[made.uuid]
    assert (state.applicant_address, state.applicant_name) == ("9 Lê Lợi", "Nguyễn Văn Bình")


def test_the_first_pull_brings_the_registry_even_with_no_event_to_bring(
    central: Central, make_counter: MakeCounter
) -> None:
    one = make_counter(AGENCY_A, 1)
    central.add_counter(AGENCY_A, 2)
    with central.as_counter(AGENCY_A, 1) as conn:
        outcome = _pull(conn, one, 1)

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
    with central.as_counter(AGENCY_A, 1) as conn:
        _push(conn, one)
    with central.as_counter(AGENCY_A, 2) as conn:
        outcome = _pull(conn, two, 2, batch_size=2, on_batch=heard.append)

    assert outcome.pulled == 4
    assert heard == [2, 2]  # two full pages; the empty look after them moves nothing and reports nothing


def test_an_event_the_domain_refuses_is_a_dead_letter_named_by_the_rule(
    central: Central, make_counter: MakeCounter, counter_conn: Connection
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

    outcome = _push(counter_conn, one)

    assert (outcome.pushed, outcome.dead) == (2, 1)
    with one.context.uow() as uow:
        reason = uow.session.execute(text("SELECT sync_error FROM event WHERE uuid = :u"), {"u": BAD}).scalar_one()
    assert reason.startswith("RuleError: ")
    assert BAD not in central_events(central)


def test_a_round_never_holds_more_than_its_batch_even_when_read_in_smaller_chunks(
    central: Central, make_counter: MakeCounter, counter_conn: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    one = make_counter(AGENCY_A, 1)
    accept_many(one, 6)
    monkeypatch.setattr(push, "READ_CHUNK", 2)  # local reads of 2 events, rounds of at most 3
    heard: list[int] = []

    outcome = _push(counter_conn, one, batch_size=3, on_batch=heard.append)

    assert (outcome.pushed, outcome.acknowledged) == (6, 6)
    assert heard == [2, 1, 2, 1]  # each round: a chunk of 2, then the 1 the round has room for
