"""The outbox table (migration 0006): every event recorded here is listed as it is inserted, a push reads it in
(seq, uuid) order and acknowledges by deleting its keys; the event rows themselves are never rewritten."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select

from counter_app.bootstrap import Services, build_services
from counter_app.domain.clock import VN_TZ
from counter_app.domain.event_delivery import EventDelivery
from counter_app.domain.intake import IntakeForm
from counter_app.storage import migrate, outbox
from counter_app.storage.database import open_database
from counter_app.storage.models import DELIVERY_STATE, Base, EventRow

AGENCY = "000.17.22.H56"
PENDING, SENT, DEAD = EventDelivery.PENDING, EventDelivery.SENT, EventDelivery.DEAD


class FixedClock:
    def now(self) -> datetime:
        return datetime(2026, 3, 10, 9, 0, tzinfo=VN_TZ)


@pytest.fixture
def services(tmp_path: Path) -> Iterator[Services]:
    services = build_services(tmp_path / "c.db", FixedClock())
    services.setup.init_local(agency_code=AGENCY, agency_name="Trung tâm phường Thử", counter=1)
    for name in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"):
        services.intake.accept(IntakeForm("DEMO.XNHN", name, "079090001234"))
    yield services
    services.close()


def _rows(path: Path, sql: str, *args: object) -> list[tuple[object, ...]]:
    with sqlite3.connect(path) as connection:
        return [tuple(row) for row in connection.execute(sql, args)]


def _deliveries(services: Services) -> dict[str, int]:
    with services.context.uow() as uow:
        return dict(uow.session.execute(select(EventRow.uuid, DELIVERY_STATE).where(EventRow.origin == "local")).all())


def test_recorded_events_are_listed_in_the_push_s_order(services: Services) -> None:
    path = services.context.database.path
    events = _rows(path, "SELECT seq, uuid FROM event WHERE origin = 'local' ORDER BY seq, uuid")
    assert len(events) >= 3
    assert _rows(path, "SELECT seq, uuid FROM event_outbox") == events
    assert outbox.count_pending(services.context.database) == len(events)
    first = outbox.read_pending_events(services.context.database, None, 2)
    rest = outbox.read_pending_events(services.context.database, (first[-1].seq, first[-1].uuid), 1000)
    assert [(e.seq, e.uuid) for e in first + rest] == events
    assert set(_deliveries(services).values()) == {PENDING}


def test_an_acknowledgement_deletes_the_span_s_keys_and_leaves_the_event_rows_as_they_were(
    services: Services,
) -> None:
    path = services.context.database.path
    before = _rows(path, "SELECT * FROM event ORDER BY seq")
    keys = _rows(path, "SELECT seq, uuid FROM event_outbox ORDER BY seq, uuid")
    (first, *middle, last), later = keys[:-1], keys[-1]
    dead_uuid = str(middle[0][1]) if middle else str(first[1])
    sent = [str(uuid) for _seq, uuid in keys[:-1] if uuid != dead_uuid]
    span = ((int(str(first[0])), str(first[1])), (int(str(last[0])), str(last[1])))

    outbox.acknowledge(services.context.database, sent, {dead_uuid: "từ chối: thử"}, span)

    assert _rows(path, "SELECT seq, uuid FROM event_outbox") == [later]  # what came after the batch waits
    deliveries = _deliveries(services)
    assert deliveries[dead_uuid] == DEAD
    assert {deliveries[uuid] for uuid in sent} == {SENT}
    assert deliveries[str(later[1])] == PENDING
    after = _rows(path, "SELECT * FROM event ORDER BY seq")
    changed = [b for b, a in zip(before, after, strict=True) if b != a]
    assert [row[0] for row in changed] == [dead_uuid]  # only the dead letter's row took its state and reason
    assert services.sync.dossier_sync_state(str(changed[0][1])).state == "failed"


def test_an_acknowledgement_by_uuid_unlists_only_those(services: Services) -> None:
    path = services.context.database.path
    keys = _rows(path, "SELECT seq, uuid FROM event_outbox ORDER BY seq, uuid")
    outbox.acknowledge(services.context.database, [str(keys[1][1])], {})
    assert _rows(path, "SELECT seq, uuid FROM event_outbox ORDER BY seq, uuid") == [keys[0], *keys[2:]]


def test_the_acknowledgement_and_the_read_walk_the_outbox_s_key(services: Services) -> None:
    path = services.context.database.path
    with sqlite3.connect(path) as connection:
        ack = [str(r[3]) for r in connection.execute("EXPLAIN QUERY PLAN " + outbox._ACK_SPAN, (1, "", 9, "z"))]
        read = [str(r[3]) for r in connection.execute("EXPLAIN QUERY PLAN " + outbox._PENDING_SQL, (0, "", 10))]
    assert any("event_outbox USING PRIMARY KEY" in d for d in ack), ack
    assert any("o USING PRIMARY KEY" in d for d in read), read
    assert not any("TEMP B-TREE" in d for d in read), read  # no sort: the key is the push's order


def test_the_triggers_are_the_same_from_models_and_migrations(tmp_path: Path) -> None:
    created, migrated = tmp_path / "created.db", tmp_path / "migrated.db"
    engine = create_engine(f"sqlite:///{created}")
    Base.metadata.create_all(engine)
    engine.dispose()
    database = open_database(migrated)
    migrate.upgrade(database.writer)
    database.dispose()
    sql = "SELECT name, sql FROM sqlite_master WHERE type = 'trigger' AND name LIKE 'event_outbox%' ORDER BY name"
    from_models = _rows(created, sql)
    assert [name for name, _sql in from_models] == ["event_outbox_delete", "event_outbox_insert"]
    assert from_models == _rows(migrated, sql)


def test_migration_0006_lists_what_was_pending_and_goes_down_and_up(tmp_path: Path) -> None:
    from alembic import command

    path = tmp_path / "old.db"
    database = open_database(path)
    config = migrate.alembic_config(database.writer)
    command.upgrade(config, "0005")
    insert = (
        "INSERT INTO event (uuid, dossier_uuid, kind, payload, occurred_at, agency_code, counter, seq, clerk, "
        "origin, sync_state, sync_error, prev_hash, hash) VALUES (?, 'd', 'dossier.note', '{}', "
        "'2026-03-10T09:00:00+07:00', 'A', ?, ?, '', ?, ?, '', '', '')"
    )
    with database.writer.begin() as connection:
        for uuid, counter, seq, origin, state in (
            ("sent", 1, 1, "local", SENT),
            ("pending", 1, 2, "local", PENDING),
            ("dead", 1, 3, "local", DEAD),
            ("pulled", 2, 1, "central", SENT),
        ):
            connection.exec_driver_sql(insert, (uuid, counter, seq, origin, state))
    migrate.upgrade(database.writer)
    assert _rows(path, "SELECT seq, uuid FROM event_outbox") == [(2, "pending")]
    assert _rows(path, "SELECT name FROM sqlite_master WHERE name = 'ix_event_pending'") == []
    with database.writer.begin() as connection:  # recorded after the upgrade: listed by the trigger
        connection.exec_driver_sql(insert, ("new", 1, 4, "local", PENDING))
        connection.exec_driver_sql("DELETE FROM event_outbox WHERE uuid = 'pending'")  # acknowledged

    command.downgrade(config, "0005")
    states = dict(_rows(path, "SELECT uuid, sync_state FROM event"))
    assert states == {"sent": SENT, "pending": SENT, "dead": DEAD, "pulled": SENT, "new": PENDING}
    assert _rows(path, "SELECT name FROM sqlite_master WHERE name LIKE 'event_outbox%'") == []
    migrate.upgrade(database.writer)
    database.dispose()
    assert _rows(path, "SELECT seq, uuid FROM event_outbox") == [(4, "new")]
