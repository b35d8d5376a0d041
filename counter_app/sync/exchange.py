"""One synchronisation with the central: handshake, push, pull, and the report of what was exchanged."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import psycopg

from counter_app.domain.codes import Numbering
from counter_app.errors import CentralUnreachable
from counter_app.storage import outbox
from counter_app.storage.database import Database
from counter_app.sync import own_history, pull, push
from counter_app.sync.attachment_transfer import SqlBlobs, UploadOutcome, UploadQueue, upload_pending
from counter_app.sync.central_admin import known_revisions
from counter_app.sync.central_url import CentralUrl
from counter_app.sync.connection import lost_connection, open_connection
from counter_app.sync.handshake import check_clock, check_identity, check_schema, hello
from counter_app.sync.report import SyncInterrupted, SyncReport

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]


@dataclass(frozen=True)
class Installation:
    """Who this local database is: its agency, counter number and the agency's code widths."""

    agency_code: str
    counter: int
    counter_digits: int
    number_digits: int


def _report(
    pushed: push.PushOutcome,
    pulled: pull.PullOutcome,
    cancelled: bool,
    files: UploadOutcome | None = None,
    recovered: own_history.Recovered | None = None,
) -> SyncReport:
    files = files or UploadOutcome()
    recovered = recovered or own_history.Recovered()
    return SyncReport(
        # this counter's own events taken back after a restore are received like the others'
        pushed=pushed.pushed,
        pulled=pulled.pulled + recovered.events,
        failed=pushed.dead + pulled.failed + recovered.failed,
        dossiers=len(pushed.dossiers | pulled.dossiers | recovered.dossiers),
        cancelled=cancelled,
        files_uploaded=files.files,
        files_failed=files.failed,
        bytes_uploaded=files.bytes_sent,
    )


def synchronize(
    database: Database,
    url: CentralUrl,
    password: str | None,
    installation: Installation,
    *,
    system_now: Callable[[], datetime],
    progress: Progress | None = None,
    cancel: threading.Event | None = None,
    push_batch: int = push.DEFAULT_BATCH,
    pull_batch: int = pull.DEFAULT_BATCH,
    uploads: UploadQueue | None = None,
) -> SyncReport:
    """Take back this counter's own events the local store lacks (after a restore), push, upload the pending
    attachment files (`uploads`), then pull.

    Refusals (version, clock, identity) come before anything is exchanged. The files go after the events so
    that the central already knows the dossiers naming them.
    """
    pushed, pulled, files = push.PushOutcome(), pull.PullOutcome(), UploadOutcome()
    recovered = own_history.Recovered()
    conn = open_connection(url, password)
    try:
        with conn:
            try:
                identity = hello(conn, url.user)
            except psycopg.OperationalError as exc:
                raise lost_connection(exc) from None
            check_schema(identity.revision, known_revisions())
            check_clock(identity.server_now, system_now())
            check_identity(
                identity,
                url.user,
                installation.agency_code,
                installation.counter,
                (installation.counter_digits, installation.number_digits),
            )
            try:
                recovered = own_history.recover(
                    conn,
                    database,
                    agency_code=installation.agency_code,
                    counter=installation.counter,
                    numbering=Numbering(installation.counter_digits, installation.number_digits),
                )
            except psycopg.OperationalError as exc:
                raise lost_connection(exc) from None
            total = outbox.count_pending(database) + pull.count_available(
                conn, database, installation.agency_code, installation.counter
            )
            done = 0

            def advance(count: int) -> None:
                nonlocal done, total
                done += count
                total = max(total, done)
                if progress is not None:
                    progress(done, total)

            if progress is not None:
                progress(0, total)
            push.push(
                conn,
                database,
                agency_code=installation.agency_code,
                counter=installation.counter,
                batch_size=push_batch,
                on_batch=advance,
                cancel=cancel,
                outcome=pushed,
            )
            if uploads is not None and not (cancel is not None and cancel.is_set()):
                try:
                    upload_pending(SqlBlobs(conn, installation.agency_code), uploads, cancel=cancel, outcome=files)
                except psycopg.OperationalError as exc:
                    raise lost_connection(exc) from None
            pull.pull(
                conn,
                database,
                agency_code=installation.agency_code,
                counter=installation.counter,
                batch_size=pull_batch,
                on_batch=advance,
                cancel=cancel,
                outcome=pulled,
            )
    except CentralUnreachable as exc:
        raise SyncInterrupted(exc, _report(pushed, pulled, cancelled=False, files=files, recovered=recovered)) from None
    report = _report(pushed, pulled, cancelled=cancel is not None and cancel.is_set(), files=files, recovered=recovered)
    log.info(
        "sync done: pushed %d, pulled %d, failed %d, dossiers %d",
        report.pushed,
        report.pulled,
        report.failed,
        report.dossiers,
    )
    return report
