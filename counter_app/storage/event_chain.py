"""The audit chain in the event table: the key hook the unit of work is given, linking new rows, reading chains.

Only EventRepository.append writes events, and it goes through `ChainWriter`, so every local event is
linked and sealed in the transaction that writes it (writes begin IMMEDIATE: one writer at a time, so
reading the chain's last row and appending after it cannot race).

When the key of a chain that was sealed already is not found and a new one is made, the writer first links an
event of kind `EventKind.KEY_REPLACED` (no secret in it): the rows before it cannot be checked with the new key, and
the check then says that a key change, recorded and sealed, is why.
"""

from __future__ import annotations

import json
import logging
from collections.abc import Iterator
from dataclasses import dataclass, replace
from typing import Any, Protocol

from sqlalchemy import Select, String, func, select, type_coerce, update
from sqlalchemy.orm import Session

from counter_app.domain.audit_chain import ChainLink, link_hash
from counter_app.domain.event_delivery import EventDelivery
from counter_app.domain.event_kinds import EventKind
from counter_app.identities import new_uuid
from counter_app.storage.models import DELIVERY_STATE, EventRow

log = logging.getLogger(__name__)

_STREAM = 2000


class KeyMarks(Protocol):
    """Where the key store notes, in the database, which store holds a chain's key (settings table)."""

    def get(self, key: str) -> str | None: ...

    def put(self, key: str, value: str) -> None: ...


@dataclass(frozen=True)
class AuditKey:
    secret: bytes
    created: bool  # made by this call: the chain's rows written before keys existed may be sealed with it


class AuditKeys(Protocol):
    def key(self, agency_code: str, counter: int, marks: KeyMarks) -> AuditKey:
        """The key of a counter's chain, created on first need."""
        ...


def chain_tail(session: Session, agency_code: str, counter: int) -> tuple[int, str]:
    """(seq, hash) of the chain's last row; (0, "") for an empty chain."""
    row = session.execute(
        select(EventRow.seq, EventRow.hash)
        .where(EventRow.agency_code == agency_code, EventRow.counter == counter)
        .order_by(EventRow.seq.desc())
        .limit(1)
    ).first()
    return (int(row[0]), str(row[1])) if row else (0, "")


def chains(session: Session) -> list[tuple[str, int]]:
    """Every (agency, counter) with events held here."""
    rows = session.execute(
        select(EventRow.agency_code, EventRow.counter).distinct().order_by(EventRow.agency_code, EventRow.counter)
    ).all()
    return [(str(a), int(c)) for a, c in rows]


_LINK_COLUMNS = (
    EventRow.uuid,
    EventRow.kind,
    EventRow.dossier_uuid,
    EventRow.payload,
    type_coerce(EventRow.occurred_at, String),
    EventRow.agency_code,
    EventRow.counter,
    EventRow.seq,
    EventRow.clerk,
    EventRow.prev_hash,
    EventRow.hash,
)
"""A ChainLink's fields, in its order: the moment as stored (its text, not re-formatted)."""


def _links_query(agency_code: str, counter: int, *extra: Any) -> Select[Any]:
    return (
        select(*_LINK_COLUMNS, *extra)
        .where(EventRow.agency_code == agency_code, EventRow.counter == counter)
        .order_by(EventRow.seq)
        .execution_options(yield_per=_STREAM)
    )


def chain_links(session: Session, agency_code: str, counter: int) -> Iterator[ChainLink]:
    """A counter's rows in seq order, as stored (the moment as its text, not re-formatted), streamed."""
    for row in session.execute(_links_query(agency_code, counter)):
        yield ChainLink(*row)


def chain_links_sent(session: Session, agency_code: str, counter: int) -> Iterator[tuple[ChainLink, bool]]:
    """`chain_links` with, for each row, whether the central acknowledged it (delivered: it must be there)."""
    for *row, delivery in session.execute(_links_query(agency_code, counter, DELIVERY_STATE)):
        yield ChainLink(*row), delivery == EventDelivery.SENT


class ChainWriter:
    """Links the rows appended to one counter's chain, in order, within the caller's transaction."""

    def __init__(self, session: Session, keys: AuditKeys | None, marks: KeyMarks, agency_code: str, counter: int):
        if keys is None:
            raise RuntimeError("events are written only through a unit of work that holds the audit keys")
        self.agency_code, self.counter = agency_code, counter
        self.seq, self.prev_hash = chain_tail(session, agency_code, counter)
        key = keys.key(agency_code, counter, marks)
        self.secret = key.secret
        # made just now for a chain that has rows: they were written before keys existed (sealed now), or sealed
        # with a key that is lost (the change is recorded before the next event)
        self.key_replaced = False
        if self.seq and key.created:
            legacy = "" if self.prev_hash else _seal_legacy(session, agency_code, counter, key.secret)
            if legacy:
                self.prev_hash = legacy
            else:
                self.key_replaced = True
                log.error(
                    "audit chain of counter %s:%d continued with a new key after %d events sealed with a lost one",
                    agency_code,
                    counter,
                    self.seq,
                )

    def key_change(self, occurred_at: str, clerk: str) -> ChainLink | None:
        """Once, after a new key was made for a chain sealed with a lost one: the event recording it, linked and
        sealed (to be stored before the caller's events); None otherwise."""
        if not self.key_replaced:
            return None
        self.key_replaced = False
        payload = json.dumps({"events_before": self.seq}, ensure_ascii=False, sort_keys=True)
        change = ChainLink(
            str(new_uuid()),
            EventKind.KEY_REPLACED,
            None,
            payload,
            occurred_at,
            self.agency_code,
            self.counter,
            0,
            clerk,
            "",
        )
        return self.link(change)

    def link(self, link: ChainLink) -> ChainLink:
        """`link` (its seq and prev_hash ignored) as the chain's next row, sealed."""
        self.seq += 1
        linked = replace(link, seq=self.seq, prev_hash=self.prev_hash, hash="")
        sealed = replace(linked, hash=link_hash(self.secret, linked))
        self.prev_hash = sealed.hash
        return sealed


def _seal_legacy(session: Session, agency_code: str, counter: int, secret: bytes) -> str:
    """Seal a chain written before the audit chain existed (every hash empty) with a key made just now.

    Only then: a chain that was sealed once and shows empty hashes was tampered with, and must stay reported.
    """
    where = (EventRow.agency_code == agency_code, EventRow.counter == counter)
    if session.scalar(select(func.count()).select_from(EventRow).where(*where, EventRow.hash != "")):
        return ""
    prev = ""
    sealed = 0
    for link in list(chain_links(session, agency_code, counter)):
        done = replace(link, prev_hash=prev, hash="")
        done = replace(done, hash=link_hash(secret, done))
        session.execute(
            update(EventRow).where(EventRow.uuid == link.uuid).values(prev_hash=done.prev_hash, hash=done.hash)
        )
        prev = done.hash
        sealed += 1
    log.info("audit chain: %d earlier events of counter %s:%d sealed with a new key", sealed, agency_code, counter)
    return prev
