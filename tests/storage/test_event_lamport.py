"""A dossier's Lamport clock in the local store: each new event one above the dossier's highest, migration 0009
numbering old events in exactly the old replay order, and the index the look-ups read (EXPLAIN QUERY PLAN)."""

from __future__ import annotations

import itertools
import json
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

from alembic import command

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ, to_vn
from counter_app.domain.dossier import DossierState, replay
from counter_app.domain.intake import IntakeForm
from counter_app.errors import RuleError
from counter_app.storage import migrate
from counter_app.storage.database import open_database
from counter_app.storage.event_order import REPLAY_COLUMNS
from counter_app.storage.replaced_file import read_replaced

AGENCY = "000.17.22.H56"
OLD_ORDER = "occurred_at, agency_code, counter, seq"  # REPLAY_COLUMNS before migration 0009
Replays = dict[str, tuple[list[int], DossierState | None]]


class StepClock:
    def __init__(self) -> None:
        self.moment = datetime(2026, 3, 10, 9, 0, tzinfo=VN_TZ)

    def now(self) -> datetime:
        return self.moment

    def advance(self, seconds: float) -> None:
        self.moment += timedelta(seconds=seconds)


def _counter(path: Path, clock: StepClock) -> Services:
    services = build_services(path, clock)
    services.setup.init_local(agency_code=AGENCY, agency_name="Trung tâm phường Thử", counter=1)
    return services


def _replays(path: Path, order: str) -> Replays:
    """Each dossier's event seqs in `order`, and the domain's replay of them (None: the fold refuses them)."""
    with sqlite3.connect(path) as connection:
        rows = connection.execute(
            f"SELECT dossier_uuid, seq, kind, payload, occurred_at FROM event "
            f"WHERE dossier_uuid IS NOT NULL ORDER BY dossier_uuid, {order}"
        ).fetchall()
    found: Replays = {}
    for dossier, group in itertools.groupby(rows, key=lambda r: str(r[0])):
        events = list(group)
        try:
            state = replay((k, json.loads(p), to_vn(datetime.fromisoformat(at))) for _d, _s, k, p, at in events)
        except (RuleError, ValueError, KeyError):
            state = None
        found[dossier] = ([int(e[1]) for e in events], state)
    return found


def _lamports(path: Path) -> dict[str | None, list[int]]:
    with sqlite3.connect(path) as connection:
        rows = connection.execute("SELECT dossier_uuid, lamport FROM event ORDER BY dossier_uuid, lamport").fetchall()
    return {d: [int(n) for _d, n in group] for d, group in itertools.groupby(rows, key=lambda r: r[0])}


def test_each_event_of_a_dossier_is_one_above_the_highest_the_counter_holds(tmp_path: Path) -> None:
    services = _counter(tmp_path / "c.db", StepClock())
    try:
        first = services.intake.accept(IntakeForm("DEMO.XNHN", "Nguyễn Văn An", "079090001234"))
        second = services.intake.accept(IntakeForm("DEMO.XNHN", "Trần Thị Bình", "079090001235"))
        assert first.code is not None
        services.dossiers.transfer(first.code)
        services.dossiers.result_ready(first.code)
        lamports = _lamports(services.context.database.path)
    finally:
        services.close()
    assert lamports[first.uuid] == [1, 2, 3]
    assert lamports[second.uuid] == [1]
    assert set(lamports.get(None, [0])) == {0}  # events of no dossier


def test_migration_0009_numbers_old_events_in_the_old_order_and_changes_no_dossier_s_state(tmp_path: Path) -> None:
    path = tmp_path / "c.db"
    clock = StepClock()
    services = _counter(path, clock)
    try:
        first = services.intake.accept(IntakeForm("DEMO.XNHN", "Nguyễn Văn An", "079090001234"))
        second = services.intake.accept(IntakeForm("DEMO.XNHN", "Trần Thị Bình", "079090001235"))
        third = services.intake.accept(IntakeForm("DEMO.XNHN", "Lê Văn Cường", "079090001236"))
        assert first.code is not None and second.code is not None and third.code is not None
        services.dossiers.transfer(second.code)  # two steps in the second of the intake: seq breaks the tie
        services.dossiers.result_ready(second.code)
        clock.advance(600)
        services.dossiers.transfer(first.code)
        clock.advance(-300)  # the counter's clock set back: the next step is stamped before the transfer
        services.dossiers.result_ready(first.code)
        clock.advance(600)
        services.dossiers.transfer(third.code)
        services.dossiers.request_supplement(third.code, "Thiếu bản sao giấy khai sinh")
    finally:
        services.close()
    database = open_database(path)
    command.downgrade(migrate.alembic_config(database.writer), "0008")
    before = _replays(path, OLD_ORDER)
    assert before[first.uuid][0] != sorted(before[first.uuid][0])  # the old order is not the counter's own

    migrate.upgrade(database.writer)
    database.dispose()

    assert _replays(path, ", ".join(REPLAY_COLUMNS)) == before  # the same order: every state as it was
    lamports = _lamports(path)
    assert {d: n for d, n in lamports.items() if d is not None} == {
        d: list(range(1, len(seqs) + 1)) for d, (seqs, _state) in before.items()
    }
    assert set(lamports.get(None, [0])) == {0}
    reopened = build_services(path, clock)
    try:
        with reopened.context.uow() as uow:
            differing = {d.uuid for d in uow.chains.projection_differences()}
    finally:
        reopened.close()
    # the rows stay what they were: a dossier whose old order did not replay is still reported, the others match
    assert differing == {d for d, (_seqs, state) in before.items() if state is None}


def test_the_next_lamport_and_a_dossier_s_events_in_replay_order_are_read_from_ix_event_dossier(
    tmp_path: Path,
) -> None:
    services = _counter(tmp_path / "c.db", StepClock())
    path = services.context.database.path
    services.close()
    queries = (
        "SELECT max(lamport) FROM event WHERE dossier_uuid = ?",
        f"SELECT * FROM event WHERE dossier_uuid = ? ORDER BY {', '.join(REPLAY_COLUMNS)}",
    )
    with sqlite3.connect(path) as connection:
        plans = [[str(r[3]) for r in connection.execute("EXPLAIN QUERY PLAN " + q, ("d",))] for q in queries]
    assert all(any("USING" in d and "INDEX ix_event_dossier (dossier_uuid=?)" in d for d in plan) for plan in plans)
    assert not any("SCAN event" in d for plan in plans for d in plan), plans


def test_a_replaced_file_of_the_previous_schema_gives_its_events_the_lamports_migration_0009_would(
    tmp_path: Path,
) -> None:
    """A restore reads the counter's events from the file it replaces, which may predate the column."""
    path = tmp_path / "c.db"
    clock = StepClock()
    services = _counter(path, clock)
    try:
        for n, name in enumerate(("Nguyễn Văn An", "Trần Thị Bình")):
            taken = services.intake.accept(IntakeForm("DEMO.XNHN", name, f"07909000123{n}"))
            assert taken.code is not None
            clock.advance(60)
            services.dossiers.transfer(taken.code)
    finally:
        services.close()
    with sqlite3.connect(path) as connection:
        held = dict(connection.execute("SELECT uuid, lamport FROM event WHERE agency_code = ?", (AGENCY,)).fetchall())
    at_head = read_replaced(path, AGENCY, 1, 0)
    database = open_database(path)
    command.downgrade(migrate.alembic_config(database.writer), "0008")
    database.dispose()
    older = read_replaced(path, AGENCY, 1, 0)

    assert at_head is not None and older is not None
    assert {e.uuid: e.lamport for e in at_head.events} == held
    assert {e.uuid: e.lamport for e in older.events} == held
    assert {1, 2} <= set(held.values())  # each dossier's opening and its transfer
