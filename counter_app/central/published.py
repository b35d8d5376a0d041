"""The sync service's published catalogue and calendar (API v1): what differs from the digests a counter holds.

Publishing stays an administrator's act at the city (`counter-app central publish-*`, sync.catalogue_sync); the
service only reads. A counter sends the digests of its procedures and calendar years; the answer carries the
published ones whose digest differs (or that it lacks), so a sync with nothing new costs one small call.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI
from psycopg_pool import ConnectionPool
from pydantic import BaseModel, Field

from counter_app.central.access import Credential, acting
from counter_app.central.session import Connection
from counter_app.sync.catalogue_sync import fetch_differing

MAX_LOCAL = 20_000  # digests a counter may send: far more than the city's procedures and years


class HeldIn(BaseModel):
    procedures: dict[str, str] = Field(default_factory=dict, max_length=MAX_LOCAL)  # code -> digest
    calendars: dict[int, str] = Field(default_factory=dict, max_length=MAX_LOCAL)  # year -> digest


class PublishedOut(BaseModel):
    procedures: list[dict[str, Any]]
    calendars: list[dict[str, Any]]


def add_published_routes(app: FastAPI, pool: ConnectionPool[Connection]) -> None:
    @app.post("/v1/published", response_model=PublishedOut, tags=["catalogue"])
    def published(body: HeldIn, credential: Credential) -> PublishedOut:
        """The city's published procedures and official calendar years whose digest differs from the caller's
        (the canonical JSON's SHA-256); the counter applies them, the city's version winning."""
        with acting(pool, credential) as (conn, _counter):
            procedures, calendars = fetch_differing(conn, body.procedures, body.calendars)
        return PublishedOut(procedures=procedures, calendars=calendars)
