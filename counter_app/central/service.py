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

import gc
import json
import logging
import weakref
from dataclasses import dataclass
from datetime import datetime
from operator import attrgetter
from typing import Annotated, Any

import psycopg
import pydantic
from fastapi import FastAPI, HTTPException, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.exceptions import RequestValidationError
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from counter_app.central.access import AuthGate, Caller, Credential, acting
from counter_app.central.attachments import add_attachment_routes
from counter_app.central.chain_routes import add_chain_routes
from counter_app.central.count_routes import add_count_routes
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
    # the dossier's Lamport clock (storage.event_order); a client that predates it sends none: the central then
    # gives the event 1 + the highest of its dossier's (docs/sync-api.md)
    lamport: int | None = Field(default=None, ge=0, le=2**31 - 1)

    def outbox(self) -> OutboxEvent:
        # by name, in one C call: model_dump() built a dict per event first (a tenth of a push's parsing)
        return OutboxEvent._make(_OUTBOX_FIELDS(self))


_OUTBOX_FIELDS = attrgetter(*OutboxEvent._fields)


class PushIn(BaseModel):
    events: list[EventIn] = Field(max_length=MAX_PUSH_EVENTS)


class PushOut(BaseModel):
    stored: int
    dead: dict[str, str]  # uuid -> why the central refused it
    # the events the central held before this request (a repeat after a crash before the counter's
    # acknowledgement): acknowledged, but nothing of their dossiers changed now
    held: list[str] = Field(default_factory=list)


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


@dataclass(frozen=True)
class OwnNumbers:
    """The caller's numbering and the prefixes of its own numbering scopes, built once per push."""

    agency_code: str
    counter: int
    numbering: Numbering
    prefixes: tuple[str, ...]

    @classmethod
    def of(cls, counter: Counter) -> OwnNumbers:
        return cls(
            counter.agency_code,
            counter.counter,
            Numbering(counter.counter_digits, counter.number_digits),
            (
                dossier_scopes_prefix(counter.agency_code, counter.counter),
                book_scopes_prefix(counter.agency_code, counter.counter),
                document_scopes_prefix(counter.agency_code, counter.counter),
            ),
        )

    def refusal(self, event: OutboxEvent) -> str | None:
        """Why the central does not take this event of the caller's (None: it may be stored). The agency and
        counter were checked before; here: the numbers it uses must be the caller's own (a code, a slip, a book
        line, a document number another counter or agency would issue is a forgery)."""
        try:
            payload = json.loads(event.payload)
            if not isinstance(payload, dict):
                return "payload: not a JSON object"
            occurred = datetime.fromisoformat(event.occurred_at)
            text = str(payload.get("code") or "") if event.kind in OPENING_KINDS else ""
            # a code's agency is what precedes its first hyphen: parsed here only when that is not the caller's
            # (numbers_used parses every code, and refuses a malformed one with the same error)
            if text and text.strip().upper().partition("-")[0] != self.agency_code:
                code = DossierCode.parse(text, self.numbering)
                if code.agency_code != self.agency_code:
                    return f"code {code} belongs to agency {code.agency_code}"
            used = numbers_used(event.kind, payload, occurred, self.agency_code, self.numbering)
        except (ValueError, ValidationError, RuleError, TypeError, KeyError) as exc:
            return f"{type(exc).__name__}: {getattr(exc, 'message', str(exc))}"[:500]
        for scope, _number in used:
            if not scope.startswith(self.prefixes):
                return f"number outside counter {self.counter}'s own scopes ({scope.split(':', 1)[0]})"
        return None


def read_push(body: bytes) -> list[OutboxEvent]:
    """A push's events, validated straight from the request's bytes by pydantic's own JSON parser and sorted by
    seq. (Declared as a parameter, the body would be parsed by `json.loads` on the event loop, then validated
    again as Python objects: most of a push's handling outside the central's transaction.)"""
    try:
        events = PushIn.model_validate_json(body).events
    except pydantic.ValidationError as exc:  # the same 422 FastAPI gives, located in the body
        raise RequestValidationError(
            [{**e, "loc": ("body", *e["loc"])} for e in exc.errors(include_url=False)]
        ) from None
    return sorted((e.outbox() for e in events), key=attrgetter("seq"))


def _inlined_schema(model: type[BaseModel]) -> dict[str, Any]:
    """The JSON schema of `model` with its definitions inlined, for a body the route reads itself."""
    schema = model.model_json_schema()
    definitions = schema.pop("$defs", {})

    def inline(node: Any) -> Any:
        if isinstance(node, dict):
            if set(node) == {"$ref"}:
                return inline(definitions[str(node["$ref"]).rsplit("/", 1)[1]])
            return {key: inline(value) for key, value in node.items()}
        if isinstance(node, list):
            return [inline(value) for value in node]
        return node

    return dict(inline(schema))


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

    # sessions whose staging tables exist (they live as long as the session; a replaced session is a new object)
    staged: weakref.WeakSet[Connection] = weakref.WeakSet()
    push_body = {"required": True, "content": {"application/json": {"schema": _inlined_schema(PushIn)}}}

    @app.post("/v1/push", response_model=PushOut, openapi_extra={"requestBody": push_body})
    async def push_events(request: Request, credential: Credential) -> PushOut:
        """Store the caller's events (a body of the form PushIn) in seq order; those refused come back as dead
        letters with the reason."""
        body = await request.body()
        return await run_in_threadpool(_push_request, credential, body)

    def _push_request(credential: Caller, body: bytes) -> PushOut:
        events = read_push(body)
        with acting(pool, credential) as (conn, counter):
            return _push(conn, counter, events)

    def _push(conn: Connection, counter: Counter, events: list[OutboxEvent]) -> PushOut:
        if any((e.agency_code, e.counter) != (counter.agency_code, counter.counter) for e in events):
            raise HTTPException(403, "Chỉ được gửi sự kiện của chính quầy mình.")
        outcome = push.PushOutcome()
        pusher = push.Pusher(conn, counter.agency_code, counter.counter, outcome)
        dead: dict[str, str] = {}
        stored = 0
        entitled = entitlement_refusals(conn, counter, events)
        head = conn.execute(
            "SELECT seq FROM central.chain_head WHERE agency_code = %s AND counter = %s",
            [counter.agency_code, counter.counter],
        ).fetchone()
        held_through = int(head[0]) if head is not None else 0
        numbers = OwnNumbers.of(counter)
        try:
            if conn not in staged:
                push.prepare_staging(conn)
                staged.add(conn)
            run: list[OutboxEvent] = []
            for event in [*events, None]:
                refusal = (entitled.get(event.uuid) or numbers.refusal(event)) if event is not None else None
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
        held = [e.uuid for e in events if e.seq <= held_through and e.uuid not in dead]
        return PushOut(stored=stored, dead=dead, held=held)

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
    add_chain_routes(app, pool)
    add_count_routes(app, pool)

    @app.exception_handler(CounterError)
    def counter_error(_request: Any, exc: CounterError) -> Any:
        from fastapi.responses import JSONResponse

        return JSONResponse({"detail": exc.message}, status_code=422)

    # What start-up built (modules, this app) lives as long as the process: out of the collector's sight, a full
    # collection walks only what the calls create (three of them cost a push of 38,000 events half a second).
    gc.freeze()
    return app
