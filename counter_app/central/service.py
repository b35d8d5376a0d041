"""The sync service's HTTP API (version 1): hello, pull, history; documented at /docs and /openapi.json.

The push (central.push_routes), the attachment files (central.attachments), the published catalogue and calendar
(central.published), the own chain (central.chain_routes) and the count check (central.count_routes) are added to
the same app. Every call carries `Authorization: Bearer <credential>` (central.access). The agency and counter of
the call come from the credential alone; an unknown or revoked credential gets 401, the same answer for both, and
a source that keeps failing gets 429. The service decides from events, never from what a client claims
(central.push_routes).
"""

from __future__ import annotations

import gc
import logging
from datetime import datetime
from typing import Annotated, Any

import psycopg
from fastapi import FastAPI, HTTPException, Query
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from counter_app.central.access import AuthGate, Credential, acting
from counter_app.central.attachments import add_attachment_routes
from counter_app.central.chain_routes import add_chain_routes
from counter_app.central.count_routes import add_count_routes
from counter_app.central.published import add_published_routes
from counter_app.central.push_routes import add_push_routes
from counter_app.central.session import Connection
from counter_app.central.status_page import add_status_page
from counter_app.errors import CounterError
from counter_app.storage.pull_cursor import PullCursor
from counter_app.sync import own_history, pull
from counter_app.sync.central_schema import SQLSTATE_CLIENT_TOO_OLD
from counter_app.sync.handshake import SYNC_PROTOCOL, UPDATE_APP_MESSAGE

log = logging.getLogger(__name__)

API_VERSION = "1"
MAX_PULL_PAGE = 5000


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

    add_push_routes(app, pool)
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
