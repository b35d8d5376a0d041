"""The sync service's HTTP API (version 1): hello, push, pull, history; documented at /docs and /openapi.json.

The attachment files (central.attachments) and the published catalogue and calendar (central.published) are
added to the same app. Every call carries `Authorization: Bearer <credential>` (central.access). The agency and
counter of the call come from the credential alone; an unknown or revoked credential gets 401, the same answer
for both, and a source that keeps failing gets 429. The service decides from events, never from what a client
claims: it stores only events whose agency and counter are the caller's, whose numbers lie in the caller's own
numbering scopes, and that its agency may record on their dossiers (central.entitlement); it computes every
dossier row itself by the domain's replay (sync.push.Pusher with no client projection). An event it refuses
goes back as a dead letter with its reason, its link kept so that the counter's later events are not blocked.
"""

from __future__ import annotations

import json
import logging
from datetime import datetime
from typing import Annotated, Any

import psycopg
from fastapi import FastAPI, HTTPException, Query
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from counter_app.central.access import AuthGate, Credential, acting
from counter_app.central.attachments import add_attachment_routes
from counter_app.central.entitlement import entitlement_refusals
from counter_app.central.published import add_published_routes
from counter_app.central.session import Connection, Counter
from counter_app.central.status_page import add_status_page
from counter_app.domain.codes import DossierCode, Numbering
from counter_app.domain.dossier import OPENING_KINDS
from counter_app.domain.number_scopes import (
    book_scopes_prefix,
    document_scopes_prefix,
    dossier_scopes_prefix,
    numbers_used,
)
from counter_app.errors import CounterError, RuleError, ValidationError
from counter_app.storage.outbox import OutboxEvent
from counter_app.storage.pull_cursor import PullCursor
from counter_app.sync import own_history, pull, push
from counter_app.sync.central_schema import SQLSTATE_CLIENT_TOO_OLD
from counter_app.sync.handshake import SYNC_PROTOCOL, UPDATE_APP_MESSAGE

log = logging.getLogger(__name__)

API_VERSION = "1"
MAX_PUSH_EVENTS = 5000  # per request: a counter's day is a few hundred; a first sync comes in several requests
MAX_PULL_PAGE = 5000


class EventIn(BaseModel):
    """One event as the counter stores it (storage.outbox.OutboxEvent)."""

    uuid: str = Field(max_length=36)
    dossier_uuid: str | None = Field(default=None, max_length=36)
    kind: str = Field(max_length=60)
    payload: str = Field(max_length=200_000)
    occurred_at: str = Field(max_length=40)
    agency_code: str = Field(max_length=40)
    counter: int
    seq: int
    clerk: str = Field(default="", max_length=200)
    prev_hash: str = Field(default="", max_length=64)
    hash: str = Field(default="", max_length=64)

    def outbox(self) -> OutboxEvent:
        return OutboxEvent(**self.model_dump())


class PushIn(BaseModel):
    events: list[EventIn] = Field(max_length=MAX_PUSH_EVENTS)


class PushOut(BaseModel):
    stored: int
    dead: dict[str, str]  # uuid -> why the central refused it


class HelloOut(BaseModel):
    api: str
    protocol: int
    revision: str
    server_now: datetime
    agency_code: str
    counter: int
    counter_digits: int
    number_digits: int
    # where the citizen's status page is served (`central serve --public-url`): the counter prints it in the
    # receipt's QR; None when this service serves none
    public_url: str | None = None


class PageOut(BaseModel):
    events: list[dict[str, Any]]
    end: tuple[int, int] | None  # the cursor to ask after (transaction id, server_seq); None: nothing newer
    full: bool


class OwnOut(BaseModel):
    head: int | None
    withheld: int | None
    events: list[dict[str, Any]]


class HistoryIn(BaseModel):
    dossiers: list[str] = Field(max_length=MAX_PULL_PAGE)


class HistoryOut(BaseModel):
    events: list[dict[str, Any]]


def _own_prefixes(counter: Counter) -> tuple[str, ...]:
    return (
        dossier_scopes_prefix(counter.agency_code, counter.counter),
        book_scopes_prefix(counter.agency_code, counter.counter),
        document_scopes_prefix(counter.agency_code, counter.counter),
    )


def refusal_of(event: OutboxEvent, counter: Counter) -> str | None:
    """Why the central does not take this event of the caller's (None: it may be stored). The agency and counter
    were checked before; here: the numbers it uses must be the caller's own (a code, a slip, a book line, a
    document number another counter or agency would issue is a forgery)."""
    numbering = Numbering(counter.counter_digits, counter.number_digits)
    try:
        payload = json.loads(event.payload)
        if not isinstance(payload, dict):
            return "payload: not a JSON object"
        occurred = datetime.fromisoformat(event.occurred_at)
        if event.kind in OPENING_KINDS and payload.get("code"):
            code = DossierCode.parse(str(payload["code"]), numbering)
            if code.agency_code != counter.agency_code:
                return f"code {code} belongs to agency {code.agency_code}"
        used = numbers_used(event.kind, payload, occurred, counter.agency_code, numbering)
    except (ValueError, ValidationError, RuleError, TypeError, KeyError) as exc:
        return f"{type(exc).__name__}: {getattr(exc, 'message', str(exc))}"[:500]
    prefixes = _own_prefixes(counter)
    for scope, _number in used:
        if not scope.startswith(prefixes):
            return f"number outside counter {counter.counter}'s own scopes ({scope.split(':', 1)[0]})"
    return None


def create_app(pool: ConnectionPool[Connection], *, public_url: str | None = None) -> FastAPI:
    """The service over `pool`, whose connections run as the service role (session.configure); with
    `public_url`, the citizen's status page too (central.status_page), and the counters learn that address."""
    app = FastAPI(
        title="counter_app sync service",
        version=API_VERSION,
        description="Đồng bộ giữa các quầy Một cửa và cơ sở dữ liệu trung tâm của thành phố.",
    )
    app.state.pool = pool
    app.state.auth_gate = AuthGate()
    public = public_url.strip().rstrip("/") if public_url else None
    if public:
        add_status_page(app, pool)

    @app.get("/v1/hello", response_model=HelloOut)
    def hello(credential: Credential, protocol: Annotated[int, Query(ge=0, le=1000)] = SYNC_PROTOCOL) -> HelloOut:
        """Who the credential is, the schema revision and the server's clock (the counter checks its own).
        `protocol`: the counter's; one older than the central accepts gets 426 (update the application)."""
        with acting(pool, credential) as (conn, counter):
            # central.hello reads the schema's revision for a role that may not read alembic_version itself
            try:
                row = conn.execute(
                    "SELECT revision, server_now FROM central.hello(%s, current_user)", [protocol]
                ).fetchone()
            except psycopg.DatabaseError as exc:
                if exc.sqlstate == SQLSTATE_CLIENT_TOO_OLD:
                    raise HTTPException(426, UPDATE_APP_MESSAGE) from None
                raise
        assert row is not None
        return HelloOut(
            api=API_VERSION,
            protocol=SYNC_PROTOCOL,
            revision=str(row[0]),
            server_now=row[1],
            agency_code=counter.agency_code,
            counter=counter.counter,
            counter_digits=counter.counter_digits,
            number_digits=counter.number_digits,
            public_url=public,
        )

    @app.post("/v1/push", response_model=PushOut)
    def push_events(body: PushIn, credential: Credential) -> PushOut:
        """Store the caller's events in seq order; those refused come back as dead letters with the reason."""
        with acting(pool, credential) as (conn, counter):
            return _push(conn, counter, body)

    def _push(conn: Connection, counter: Counter, body: PushIn) -> PushOut:
        events = sorted((e.outbox() for e in body.events), key=lambda e: e.seq)
        if any((e.agency_code, e.counter) != (counter.agency_code, counter.counter) for e in events):
            raise HTTPException(403, "Chỉ được gửi sự kiện của chính quầy mình.")
        outcome = push.PushOutcome()
        pusher = push.Pusher(conn, counter.agency_code, counter.counter, outcome)
        dead: dict[str, str] = {}
        stored = 0
        entitled = entitlement_refusals(conn, counter, events)
        try:
            push.prepare_staging(conn)
            run: list[OutboxEvent] = []
            for event in [*events, None]:
                refusal = (entitled.get(event.uuid) or refusal_of(event, counter)) if event is not None else None
                if event is not None and refusal is None:
                    run.append(event)
                    continue
                if run:  # the events before a refused one go first: the chain stays in order
                    _sent, refused, count = pusher.round(iter([run]), {})
                    dead.update(refused)
                    stored += count
                    run = []
                if event is not None and refusal is not None:
                    log.warning(
                        "event %s of %s:%d refused: %s", event.uuid, counter.agency_code, counter.counter, refusal
                    )
                    dead[event.uuid] = refusal
                    pusher.withhold(event, refusal)
        except RuleError as exc:  # the audit chain refused (a fork, a rewrite): nothing of this round stored
            raise HTTPException(409, exc.message) from None
        return PushOut(stored=stored, dead=dead)

    @app.get("/v1/pull", response_model=PageOut)
    def pull_page(
        credential: Credential,
        tx: Annotated[int, Query(ge=0)] = 0,
        seq: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = 2000,
    ) -> PageOut:
        """One page of what the caller may see after its cursor, below the horizon of running transactions."""
        with acting(pool, credential) as (conn, counter):
            page = pull.fetch_page(
                conn, PullCursor(tx, seq), agency_code=counter.agency_code, counter=counter.counter, limit=limit
            )
        return PageOut(
            events=[e._asdict() for e in page.events],
            end=(page.end.tx, page.end.seq) if page.end else None,
            full=page.full,
        )

    @app.get("/v1/own", response_model=OwnOut)
    def own_events(
        credential: Credential,
        after: Annotated[int, Query(ge=0)] = 0,
        limit: Annotated[int, Query(ge=1, le=MAX_PULL_PAGE)] = MAX_PULL_PAGE,
    ) -> OwnOut:
        """The caller's own chain after `after`: its head, the first withheld link, the next events (a counter
        restored from an older backup takes back what it recorded since, and numbers after it)."""
        with acting(pool, credential) as (conn, counter):
            page = own_history.own_page(conn, counter.agency_code, counter.counter, after, limit)
        return OwnOut(head=page.head, withheld=page.withheld, events=[e._asdict() for e in page.events])

    @app.get("/v1/counters", response_model=list[tuple[str, int, str]])
    def counters(credential: Credential) -> list[tuple[str, int, str]]:
        """The counters of the caller's agency: (agency, number, label)."""
        with acting(pool, credential) as (conn, _counter):
            return pull.fetch_counters(conn)

    @app.post("/v1/history", response_model=HistoryOut)
    def history(body: HistoryIn, credential: Credential) -> HistoryOut:
        """Every event the caller may see of these dossiers (met for the first time, e.g. transferred to it)."""
        with acting(pool, credential) as (conn, _counter):
            return HistoryOut(events=[e._asdict() for e in pull.fetch_history(conn, body.dossiers)])

    add_attachment_routes(app, pool)
    add_published_routes(app, pool)

    @app.exception_handler(CounterError)
    def counter_error(_request: Any, exc: CounterError) -> Any:
        from fastapi.responses import JSONResponse

        return JSONResponse({"detail": exc.message}, status_code=422)

    return app
