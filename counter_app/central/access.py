"""Who calls the sync service: the bearer credential, its check against PostgreSQL, and the throttle of failures.

A source (client address) that keeps presenting credentials the central does not know is answered 429 with
Retry-After for a while, before any database work: a guesser (or a misconfigured machine in a loop) cannot load
PostgreSQL. Counters that authenticated through this copy before are never held back by it, so the other
counters behind the same address (a ward's counters share one NAT) keep syncing. Each copy keeps its own count
in memory: the service stays stateless, and the limit holds per copy.
"""

from __future__ import annotations

import contextlib
import logging
import threading
from collections import OrderedDict
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Annotated

import psycopg
from fastapi import Depends, Header, HTTPException, Request
from psycopg_pool import ConnectionPool, PoolTimeout

from counter_app.central.credentials import credential_digest
from counter_app.central.session import Connection, Counter, act_for, act_for_nobody, authenticate
from counter_app.central.status_page import MissThrottle
from counter_app.sync.credential_format import looks_like_credential

log = logging.getLogger(__name__)

POOL_WAIT_S = 5.0  # longer than a busy pool needs to free a session; beyond it, the caller is told to come back
RETRY_AFTER_S = 2
UNAUTHORISED = "Thông tin xác thực của quầy không hợp lệ hoặc đã bị thu hồi."
THROTTLED = "Quá nhiều lần xác thực sai từ địa chỉ này; xin thử lại sau."
FAILURES_PER_SOURCE = 20  # failed authentications a source may make within FAILURE_WINDOW_S
FAILURE_WINDOW_S = 60.0
KNOWN_GOOD = 10_000  # credentials remembered as good (digests only): more than the city's counters


@dataclass
class AuthGate:
    """The failures per source and the digests recently seen good, shared by the calls of one copy."""

    failures: MissThrottle = field(default_factory=lambda: MissThrottle(FAILURES_PER_SOURCE, FAILURE_WINDOW_S))
    _good: OrderedDict[bytes, None] = field(default_factory=OrderedDict)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def is_good(self, digest: bytes) -> bool:
        with self._lock:
            return digest in self._good

    def good(self, digest: bytes) -> None:
        with self._lock:
            self._good[digest] = None
            self._good.move_to_end(digest)
            while len(self._good) > KNOWN_GOOD:
                self._good.popitem(last=False)

    def forget(self, digest: bytes) -> None:
        """A credential that failed (revoked since): it is throttled like any other from now on."""
        with self._lock:
            self._good.pop(digest, None)


@dataclass(frozen=True)
class Caller:
    """The credential of one call and where it came from."""

    credential: str
    address: str
    gate: AuthGate

    @property
    def digest(self) -> bytes:
        return credential_digest(self.credential)

    def refuse(self) -> HTTPException:
        self.gate.failures.miss(self.address)
        return HTTPException(401, UNAUTHORISED, headers={"WWW-Authenticate": "Bearer"})


def _unauthorised_or_throttled(gate: AuthGate, address: str, digest: bytes | None) -> None:
    wait = gate.failures.wait_for(address)
    if wait > 0 and (digest is None or not gate.is_good(digest)):
        raise HTTPException(429, THROTTLED, headers={"Retry-After": str(int(wait + 0.999))})


async def _caller(request: Request, authorization: Annotated[str | None, Header()] = None) -> Caller:
    """The bearer credential of the call, checked for its form only (on the event loop: no I/O here)."""
    gate: AuthGate = request.app.state.auth_gate
    # behind a load balancer, uvicorn's proxy headers give the client's address here (`--forwarded-allow-ips`)
    address = request.client.host if request.client else "?"
    scheme, _, credential = (authorization or "").partition(" ")
    well_formed = scheme.lower() == "bearer" and looks_like_credential(credential)
    _unauthorised_or_throttled(gate, address, credential_digest(credential) if well_formed else None)
    caller = Caller(credential, address, gate)
    if not well_formed:
        raise caller.refuse()
    return caller


Credential = Annotated[Caller, Depends(_caller)]


@contextlib.contextmanager
def acting(pool: ConnectionPool[Connection], caller: Caller) -> Iterator[tuple[Connection, Counter]]:
    """The caller's counter, from its credential, and a pooled session acting for it (row-level security).

    Taken and given back inside the call's own worker thread: a session is never held by a call waiting for a
    thread (with the session taken in a dependency, 40 threads waiting for 20 sessions starved the calls that
    held them, and a reconnect storm stalled the service for minutes).
    """
    try:
        with pool.connection(timeout=POOL_WAIT_S) as conn:
            act_for_nobody(conn)
            digest = caller.digest
            counter = authenticate(conn, digest)
            if counter is None:
                caller.gate.forget(digest)
                raise caller.refuse()
            caller.gate.good(digest)
            act_for(conn, counter)
            try:
                yield conn, counter
            finally:
                act_for_nobody(conn)
    except PoolTimeout:
        # a storm (every counter back after an outage): answer at once and say when to come back, rather than
        # hold a thread per waiting counter; the client retries after a jittered delay
        raise HTTPException(
            503, "Dịch vụ đồng bộ đang bận; quầy sẽ tự thử lại.", headers={"Retry-After": str(RETRY_AFTER_S)}
        ) from None
    except psycopg.OperationalError as exc:
        log.warning("central database unavailable: %s", type(exc).__name__)
        raise HTTPException(503, "Cơ sở dữ liệu trung tâm tạm thời không trả lời.") from None
